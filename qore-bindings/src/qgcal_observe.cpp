/* Logs and statistics for Qore.
 *
 * A logger is any object with Qore's LoggerInterface API (Logger::Logger, a Qorus connection's
 * logger): each library record becomes one logArgs(level, "%s", [text]) call, so a '%' in a message is
 * never read as a format. Records arrive on the Qore thread that made the call, or on a library thread
 * (local consent), which is registered with Qore for the call as the token callback's thread is. */

#include "qgcal_observe.h"
#include "qgcal_errors.h"
#include "qgcal_thread.h"

#include <atomic>
#include <cstring>
#include <string>

namespace {

qgcal_client* (*client_of)(AbstractPrivateData*) = nullptr;
std::atomic<bool> unloading{false};

// Qore::Logger::LoggerLevel values, by library level.
constexpr int64 QORE_TRACE = 5000;
constexpr int64 QORE_DEBUG = 10000;
constexpr int64 QORE_INFO = 20000;
constexpr int64 QORE_WARN = 30000;
constexpr int64 QORE_ERROR = 40000;

int64 qore_level(int32_t level) {
    switch (level) {
        case QGCAL_LOG_ERROR: return QORE_ERROR;
        case QGCAL_LOG_WARN: return QORE_WARN;
        case QGCAL_LOG_INFO: return QORE_INFO;
        case QGCAL_LOG_DEBUG: return QORE_DEBUG;
        default: return QORE_TRACE;
    }
}

// The library level delivering everything a Qore level lets through.
int32_t library_level(int64 qore) {
    if (qore <= QORE_TRACE) return QGCAL_LOG_TRACE;
    if (qore <= QORE_DEBUG) return QGCAL_LOG_DEBUG;
    if (qore <= QORE_INFO) return QGCAL_LOG_INFO;
    if (qore <= QORE_WARN) return QGCAL_LOG_WARN;
    if (qore <= QORE_ERROR) return QGCAL_LOG_ERROR;
    return QGCAL_LOG_OFF;
}

// What a log callback holds: the logger object and its program (both kept from being freed).
struct LoggerData {
    QoreObject* logger;
    QoreProgram* pgm;
};

void log_record(void* userdata, const qgcal_log_record* r) {
    LoggerData* d = static_cast<LoggerData*>(userdata);
    if (unloading) {
        return;
    }
    std::string text(r->message);
    if (std::strcmp(r->fields_json, "{}") != 0) {
        text += ' ';
        text += r->fields_json;
    }
    ForeignThreadScope fts;
    ExceptionSink xsink;
    {
        QoreExternalProgramContextHelper pch(&xsink, d->pgm);
        if (!xsink) {
            ReferenceHolder<QoreListNode> format_args(new QoreListNode(autoTypeInfo), &xsink);
            format_args->push(new QoreStringNode(text, QCS_UTF8), &xsink);
            ReferenceHolder<QoreListNode> args(new QoreListNode(autoTypeInfo), &xsink);
            args->push(qore_level(r->level), &xsink);
            args->push(new QoreStringNode("%s"), &xsink);
            args->push(format_args.release(), &xsink);
            ValueHolder rv(d->logger->evalMethod("logArgs", *args, &xsink), &xsink);
        }
    }
    // A logger that fails must not fail the call that logged; there is nobody to report it to.
    xsink.clear();
}

void log_drop(void* userdata) {
    LoggerData* d = static_cast<LoggerData*>(userdata);
    if (!unloading) {
        ForeignThreadScope fts;
        ExceptionSink xsink;
        d->logger->deref(&xsink);
        d->pgm->depDeref();
        xsink.clear();
    }
    delete d;
}

// The library level for setLogger(logger, level): the given Qore level, or else the most verbose one
// the logger has enabled now.
int32_t threshold(QoreObject* logger, QoreValue level, ExceptionSink* xsink) {
    if (!level.isNothing()) {
        return library_level(level.getAsBigInt());
    }
    if (!logger->getClass()->findMethod("isEnabledFor")) {
        return QGCAL_LOG_INFO;
    }
    for (int64 q : {QORE_TRACE, QORE_DEBUG, QORE_INFO, QORE_WARN, QORE_ERROR}) {
        ReferenceHolder<QoreListNode> args(new QoreListNode(autoTypeInfo), xsink);
        args->push(q, xsink);
        ValueHolder on(logger->evalMethod("isEnabledFor", *args, xsink), xsink);
        if (*xsink) {
            return -1;
        }
        if (on->getAsBool()) {
            return library_level(q);
        }
    }
    return QGCAL_LOG_OFF;
}

// Installs `logger` through `install` (the process's or a client's setter); NOTHING removes it.
template <typename Install>
void set_logger(const QoreListNode* args, ExceptionSink* xsink, Install install) {
    QoreValue v = args ? args->retrieveEntry(0) : QoreValue();
    qgcal_error* err = nullptr;
    qgcal_status st;
    if (v.isNothing()) {
        st = install(QGCAL_LOG_OFF, nullptr, nullptr, nullptr, &err);
    } else {
        QoreObject* logger = v.get<QoreObject>();
        if (!logger->getClass()->findMethod("logArgs")) {
            xsink->raiseException("QGCAL-INVALID-ARGUMENT",
                "setLogger(): the logger must be a Logger::LoggerInterface (it has no logArgs() method)");
            return;
        }
        int32_t level = threshold(logger, args->retrieveEntry(1), xsink);
        if (*xsink) {
            return;
        }
        logger->ref();
        QoreProgram* pgm = getProgram();
        pgm->depRef();
        LoggerData* d = new LoggerData{logger, pgm};
        st = install(level, log_record, d, log_drop, &err);
        if (st != QGCAL_OK) {
            // the library did not take it: release here
            log_drop(d);
        }
    }
    if (st != QGCAL_OK) {
        qgcal_raise(st, err, xsink);
    }
}

// QorusGcal::setLogger(*object logger, *int level): every library record up to `level`
QoreValue f_setLogger(const QoreListNode* args, q_rt_flags_t rtflags, ExceptionSink* xsink) {
    set_logger(args, xsink, [](int32_t level, qgcal_log_callback cb, void* ud, qgcal_drop_callback drop,
            qgcal_error** err) { return qgcal_set_log_callback(level, cb, ud, drop, err); });
    return QoreValue();
}

// QorusGcal::stats(bool reset = False): the library's statistics, all clients together
QoreValue f_stats(const QoreListNode* args, q_rt_flags_t rtflags, ExceptionSink* xsink) {
    char* out = nullptr;
    qgcal_error* err = nullptr;
    qgcal_status st = qgcal_stats(HARD_QORE_VALUE_BOOL(args, 0), &out, &err);
    return qgcal_json_result(st, err, out, xsink);
}

QoreValue Client_setLogger(QoreObject* self, AbstractPrivateData* p, const QoreListNode* args,
        q_rt_flags_t rtflags, ExceptionSink* xsink) {
    qgcal_client* client = client_of(p);
    set_logger(args, xsink, [client](int32_t level, qgcal_log_callback cb, void* ud, qgcal_drop_callback drop,
            qgcal_error** err) { return qgcal_client_set_log_callback(client, level, cb, ud, drop, err); });
    return QoreValue();
}

QoreValue Client_stats(QoreObject* self, AbstractPrivateData* p, const QoreListNode* args, q_rt_flags_t rtflags,
        ExceptionSink* xsink) {
    char* out = nullptr;
    qgcal_error* err = nullptr;
    qgcal_status st = qgcal_client_stats(client_of(p), HARD_QORE_VALUE_BOOL(args, 0), &out, &err);
    return qgcal_json_result(st, err, out, xsink);
}

QoreValue Client_id(QoreObject* self, AbstractPrivateData* p, const QoreListNode* args, q_rt_flags_t rtflags,
        ExceptionSink* xsink) {
    return (int64)qgcal_client_id(client_of(p));
}

}  // namespace

void qgcal_init_observe_functions(QoreNamespace& ns) {
    ns.addBuiltinVariant("setLogger", f_setLogger, QCF_NO_FLAGS, QDOM_DEFAULT, nothingTypeInfo, 2,
        objectOrNothingTypeInfo, QORE_PARAM_NO_ARG, "logger", bigIntOrNothingTypeInfo, QORE_PARAM_NO_ARG, "level");
    ns.addBuiltinVariant("stats", f_stats, QCF_NO_FLAGS, QDOM_DEFAULT, autoHashTypeInfo, 1, boolTypeInfo,
        QoreSimpleValue().assign(false), "reset");
}

void qgcal_add_observe_methods(QoreClass& c, qgcal_client* (*of)(AbstractPrivateData*)) {
    client_of = of;
    c.addMethod("setLogger", (q_method_n_t)Client_setLogger, Public, QCF_NO_FLAGS, QDOM_DEFAULT, nothingTypeInfo,
        2, objectOrNothingTypeInfo, QORE_PARAM_NO_ARG, "logger", bigIntOrNothingTypeInfo, QORE_PARAM_NO_ARG,
        "level");
    c.addMethod("stats", (q_method_n_t)Client_stats, Public, QCF_NO_FLAGS, QDOM_DEFAULT, autoHashTypeInfo, 1,
        boolTypeInfo, QoreSimpleValue().assign(false), "reset");
    c.addMethod("id", (q_method_n_t)Client_id, Public, QCF_CONSTANT, QDOM_DEFAULT, bigIntTypeInfo);
}

void qgcal_observe_unload() {
    unloading = true;
    qgcal_set_log_callback(QGCAL_LOG_OFF, nullptr, nullptr, nullptr, nullptr);
}
