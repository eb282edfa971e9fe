/* QorusGcal::Client: one qgcal_client per Qore object.
 *
 * Blocking: Qore has no global interpreter lock, so a thread blocked in the library holds nothing
 * that other Qore threads need; they keep running (test/threads.qtest checks it). */

#include "qgcal_client.h"
#include "qgcal_errors.h"
#include "qgcal_json.h"
#include "qgcal_observe.h"
#include "qgcal_pager.h"
#include "qgcal_thread.h"

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

extern "C" {
#include "qorus_gcal.h"
}

static qore_classid_t CID_QGCAL_CLIENT;
static QoreClass* QC_QGCAL_CLIENT;

namespace {

class ClientData : public AbstractPrivateData {
public:
    explicit ClientData(qgcal_client* c) : client(c) {}

    qgcal_client* client;

    // The pending local consent. Shared so that a new start or the destructor never frees it under a
    // thread still waiting in qgcal_consent_wait.
    std::shared_ptr<qgcal_consent> getConsent() {
        std::lock_guard<std::mutex> g(m);
        return consent;
    }

    void setConsent(qgcal_consent* c) {
        std::shared_ptr<qgcal_consent> old;
        {
            std::lock_guard<std::mutex> g(m);
            old = consent;
            consent = c ? std::shared_ptr<qgcal_consent>(c, qgcal_consent_free) : nullptr;
        }
        if (old) {
            qgcal_consent_cancel(old.get(), nullptr);
        }
    }

protected:
    ~ClientData() override {
        setConsent(nullptr);
        qgcal_client_free(client);
    }

private:
    std::mutex m;
    std::shared_ptr<qgcal_consent> consent;
};

// What the token callback needs: the Qore code and its program (kept from being freed).
struct CallbackData {
    ResolvedCallReferenceNode* code;
    QoreProgram* pgm;
};

void token_callback(void* userdata, const char* token_json) {
    CallbackData* d = static_cast<CallbackData*>(userdata);
    ForeignThreadScope fts;
    ExceptionSink xsink;
    {
        QoreExternalProgramContextHelper pch(&xsink, d->pgm);
        if (!xsink) {
            ReferenceHolder<QoreListNode> args(new QoreListNode(autoTypeInfo), &xsink);
            QoreValue tok = qgcal_from_json(token_json, &xsink);
            if (!xsink) {
                args->push(tok, &xsink);
                ValueHolder rv(d->code->execValue(*args, &xsink), &xsink);
            }
        }
    }
    // nobody to throw to on a library thread: report like an unhandled thread exception
    if (xsink) {
        xsink.handleExceptions();
    }
}

void token_drop(void* userdata) {
    CallbackData* d = static_cast<CallbackData*>(userdata);
    ForeignThreadScope fts;
    ExceptionSink xsink;
    d->code->deref(&xsink);
    d->pgm->depDeref();
    delete d;
}

// The text of a string argument as UTF-8.
bool utf8_arg(const QoreListNode* args, size_t i, std::string& out, ExceptionSink* xsink) {
    TempEncodingHelper s(HARD_QORE_VALUE_STRING(args, i), QCS_UTF8, xsink);
    if (!s) {
        return false;
    }
    out.assign(s->c_str(), s->size());
    if (out.find('\0') != std::string::npos) {
        xsink->raiseException("QGCAL-INVALID-ARGUMENT", "a string argument contains a NUL character");
        return false;
    }
    return true;
}

// JSON text of an optional argument; false after raising. `present` tells whether it was given.
bool json_arg(const QoreListNode* args, size_t i, std::string& out, bool& present, ExceptionSink* xsink,
        const char* what) {
    QoreValue v = args ? args->retrieveEntry(i) : QoreValue();
    present = !v.isNothing();
    if (!present) {
        return true;
    }
    return !qgcal_to_json(out, v, xsink, what);
}

// listAll() converts each page as it arrives (the library fetches the next one meanwhile), so the text of
// every item never exists next to their values.
struct ListSink {
    QoreListNode* items;
    ExceptionSink* xsink;
};

bool append_page(void* userdata, const char* items_json, size_t len, size_t count) {
    ListSink* sink = static_cast<ListSink*>(userdata);
    try {
        return !qgcal_append_json_array(sink->items, items_json, sink->xsink);
    } catch (...) {
        // nothing may unwind into the library
        if (!*sink->xsink) {
            sink->xsink->raiseException("QGCAL-INTERNAL", "listAll(): converting a page failed");
        }
        return false;
    }
}

ClientData* data(AbstractPrivateData* p) {
    return static_cast<ClientData*>(p);
}

void Client_constructor(QoreObject* self, const QoreListNode* args, q_rt_flags_t rtflags, ExceptionSink* xsink) {
    std::string config;
    bool present;
    if (!json_arg(args, 0, config, present, xsink, "config")) {
        return;
    }
    qgcal_client* c = nullptr;
    qgcal_error* err = nullptr;
    qgcal_status st = qgcal_client_new(config.c_str(), &c, &err);
    if (st != QGCAL_OK) {
        qgcal_raise(st, err, xsink);
        return;
    }
    self->setPrivate(CID_QGCAL_CLIENT, new ClientData(c));
}

void Client_destructor(QoreObject* self, AbstractPrivateData* p, ExceptionSink* xsink) {
    // a thread still in consentWait() returns QGCAL-CANCELLED; the data goes when its call ends
    data(p)->setConsent(nullptr);
    p->deref(xsink);
}

void Client_copy(QoreObject* self, QoreObject* old, AbstractPrivateData* p, ExceptionSink* xsink) {
    xsink->raiseException("QGCAL-COPY-ERROR", "QorusGcal::Client objects cannot be copied; share the object");
}

QoreValue Client_consentStartLocal(QoreObject* self, AbstractPrivateData* p, const QoreListNode* args,
        q_rt_flags_t rtflags, ExceptionSink* xsink) {
    std::string opts;
    bool present;
    if (!json_arg(args, 0, opts, present, xsink, "opts")) {
        return QoreValue();
    }
    qgcal_consent* consent = nullptr;
    char* url = nullptr;
    qgcal_error* err = nullptr;
    qgcal_status st = qgcal_consent_start_local(data(p)->client, present ? opts.c_str() : nullptr, &consent, &url,
        &err);
    if (st != QGCAL_OK) {
        qgcal_raise(st, err, xsink);
        return QoreValue();
    }
    data(p)->setConsent(consent);
    QoreHashNode* h = new QoreHashNode(autoTypeInfo);
    h->setKeyValue("url", new QoreStringNode(url, QCS_UTF8), xsink);
    qgcal_string_free(url);
    return h;
}

QoreValue Client_consentWait(QoreObject* self, AbstractPrivateData* p, const QoreListNode* args,
        q_rt_flags_t rtflags, ExceptionSink* xsink) {
    int64 timeout = HARD_QORE_VALUE_INT(args, 0);
    if (timeout < 0) {
        xsink->raiseException("QGCAL-INVALID-ARGUMENT", "consentWait(): timeout must not be negative");
        return QoreValue();
    }
    std::shared_ptr<qgcal_consent> consent = data(p)->getConsent();
    if (!consent) {
        xsink->raiseException("QGCAL-INVALID-ARGUMENT", "consentWait(): call consentStartLocal() first");
        return QoreValue();
    }
    char* out = nullptr;
    qgcal_error* err = nullptr;
    qgcal_status st = qgcal_consent_wait(consent.get(), timeout > UINT32_MAX ? UINT32_MAX : (uint32_t)timeout, &out,
        &err);
    return qgcal_json_result(st, err, out, xsink);
}

QoreValue Client_consentCancel(QoreObject* self, AbstractPrivateData* p, const QoreListNode* args,
        q_rt_flags_t rtflags, ExceptionSink* xsink) {
    if (std::shared_ptr<qgcal_consent> consent = data(p)->getConsent()) {
        qgcal_error* err = nullptr;
        qgcal_status st = qgcal_consent_cancel(consent.get(), &err);
        if (st != QGCAL_OK) {
            qgcal_raise(st, err, xsink);
        }
    }
    return QoreValue();
}

QoreValue Client_consentStartExternal(QoreObject* self, AbstractPrivateData* p, const QoreListNode* args,
        q_rt_flags_t rtflags, ExceptionSink* xsink) {
    std::string opts;
    bool present;
    if (!json_arg(args, 0, opts, present, xsink, "opts")) {
        return QoreValue();
    }
    char* url = nullptr;
    char* session = nullptr;
    qgcal_error* err = nullptr;
    qgcal_status st = qgcal_consent_start_external(data(p)->client, opts.c_str(), &url, &session, &err);
    if (st != QGCAL_OK) {
        qgcal_raise(st, err, xsink);
        return QoreValue();
    }
    QoreHashNode* h = new QoreHashNode(autoTypeInfo);
    h->setKeyValue("url", new QoreStringNode(url, QCS_UTF8), xsink);
    // opaque: the host stores it privately and hands it back to consentComplete()
    h->setKeyValue("session", new QoreStringNode(session, QCS_UTF8), xsink);
    qgcal_string_free(url);
    qgcal_string_free(session);
    return h;
}

QoreValue Client_consentComplete(QoreObject* self, AbstractPrivateData* p, const QoreListNode* args,
        q_rt_flags_t rtflags, ExceptionSink* xsink) {
    std::string session, callback;
    if (!utf8_arg(args, 0, session, xsink) || !utf8_arg(args, 1, callback, xsink)) {
        return QoreValue();
    }
    char* out = nullptr;
    qgcal_error* err = nullptr;
    qgcal_status st = qgcal_consent_complete(data(p)->client, session.c_str(), callback.c_str(), &out, &err);
    return qgcal_json_result(st, err, out, xsink);
}

QoreValue Client_token(QoreObject* self, AbstractPrivateData* p, const QoreListNode* args, q_rt_flags_t rtflags,
        ExceptionSink* xsink) {
    char* out = nullptr;
    qgcal_error* err = nullptr;
    qgcal_status st = qgcal_client_token(data(p)->client, &out, &err);
    return qgcal_json_result(st, err, out, xsink);
}

QoreValue Client_refresh(QoreObject* self, AbstractPrivateData* p, const QoreListNode* args, q_rt_flags_t rtflags,
        ExceptionSink* xsink) {
    char* out = nullptr;
    qgcal_error* err = nullptr;
    qgcal_status st = qgcal_client_refresh(data(p)->client, &out, &err);
    return qgcal_json_result(st, err, out, xsink);
}

QoreValue Client_revoke(QoreObject* self, AbstractPrivateData* p, const QoreListNode* args, q_rt_flags_t rtflags,
        ExceptionSink* xsink) {
    qgcal_error* err = nullptr;
    qgcal_status st = qgcal_client_revoke(data(p)->client, &err);
    if (st != QGCAL_OK) {
        qgcal_raise(st, err, xsink);
    }
    return QoreValue();
}

QoreValue Client_setTokenCallback(QoreObject* self, AbstractPrivateData* p, const QoreListNode* args,
        q_rt_flags_t rtflags, ExceptionSink* xsink) {
    QoreValue v = args ? args->retrieveEntry(0) : QoreValue();
    qgcal_error* err = nullptr;
    qgcal_status st;
    if (v.isNothing()) {
        st = qgcal_client_set_token_callback(data(p)->client, nullptr, nullptr, nullptr, &err);
    } else {
        ResolvedCallReferenceNode* code = v.get<ResolvedCallReferenceNode>();
        QoreProgram* pgm = code->getProgram();
        if (!pgm) {
            pgm = getProgram();
        }
        code->ref();
        pgm->depRef();
        CallbackData* d = new CallbackData{code, pgm};
        st = qgcal_client_set_token_callback(data(p)->client, token_callback, d, token_drop, &err);
        if (st != QGCAL_OK) {
            // the library did not take it: release here
            token_drop(d);
        }
    }
    if (st != QGCAL_OK) {
        qgcal_raise(st, err, xsink);
    }
    return QoreValue();
}

QoreValue Client_call(QoreObject* self, AbstractPrivateData* p, const QoreListNode* args, q_rt_flags_t rtflags,
        ExceptionSink* xsink) {
    std::string method, params, body, opts;
    bool has_params, has_body, has_opts;
    if (!utf8_arg(args, 0, method, xsink) || !json_arg(args, 1, params, has_params, xsink, "params")
        || !json_arg(args, 2, body, has_body, xsink, "body") || !json_arg(args, 3, opts, has_opts, xsink, "opts")) {
        return QoreValue();
    }
    char* out = nullptr;
    qgcal_error* err = nullptr;
    qgcal_status st = has_opts
        ? qgcal_call_ex(data(p)->client, method.c_str(), has_params ? params.c_str() : nullptr,
            has_body ? body.c_str() : nullptr, opts.c_str(), &out, &err)
        : qgcal_call(data(p)->client, method.c_str(), has_params ? params.c_str() : nullptr,
            has_body ? body.c_str() : nullptr, &out, &err);
    return qgcal_json_result(st, err, out, xsink);
}

QoreValue Client_listAll(QoreObject* self, AbstractPrivateData* p, const QoreListNode* args, q_rt_flags_t rtflags,
        ExceptionSink* xsink) {
    std::string method, params;
    bool has_params;
    if (!utf8_arg(args, 0, method, xsink) || !json_arg(args, 1, params, has_params, xsink, "params")) {
        return QoreValue();
    }
    QoreValue maxv = args->retrieveEntry(2);
    int64 max = maxv.isNothing() ? 0 : maxv.getAsBigInt();
    if (max < 0) {
        xsink->raiseException("QGCAL-INVALID-ARGUMENT", "listAll(): max must not be negative");
        return QoreValue();
    }
    ReferenceHolder<QoreListNode> items(new QoreListNode(autoTypeInfo), xsink);
    ListSink sink{*items, xsink};
    qgcal_error* err = nullptr;
    qgcal_status st = qgcal_list_each(data(p)->client, method.c_str(), has_params ? params.c_str() : nullptr,
        (uint64_t)max, append_page, &sink, &err);
    if (*xsink) {
        // a page did not convert; the library answered QGCAL_CANCELLED for it
        qgcal_error_free(err);
        return QoreValue();
    }
    if (st != QGCAL_OK) {
        qgcal_raise(st, err, xsink);
        return QoreValue();
    }
    return items.release();
}

QoreValue Client_pager(QoreObject* self, AbstractPrivateData* p, const QoreListNode* args, q_rt_flags_t rtflags,
        ExceptionSink* xsink) {
    std::string method, params;
    bool has_params;
    if (!utf8_arg(args, 0, method, xsink) || !json_arg(args, 1, params, has_params, xsink, "params")) {
        return QoreValue();
    }
    qgcal_pager* pager = nullptr;
    qgcal_error* err = nullptr;
    qgcal_status st = qgcal_pager_new(data(p)->client, method.c_str(), has_params ? params.c_str() : nullptr,
        &pager, &err);
    if (st != QGCAL_OK) {
        qgcal_raise(st, err, xsink);
        return QoreValue();
    }
    return qgcal_new_pager(pager);
}

QoreValue Client_sync(QoreObject* self, AbstractPrivateData* p, const QoreListNode* args, q_rt_flags_t rtflags,
        ExceptionSink* xsink) {
    std::string method, params, token;
    bool has_params;
    if (!utf8_arg(args, 0, method, xsink) || !json_arg(args, 1, params, has_params, xsink, "params")) {
        return QoreValue();
    }
    bool has_token = !args->retrieveEntry(2).isNothing();
    if (has_token && !utf8_arg(args, 2, token, xsink)) {
        return QoreValue();
    }
    std::string opts;
    bool has_opts;
    if (!json_arg(args, 3, opts, has_opts, xsink, "opts")) {
        return QoreValue();
    }
    char* out = nullptr;
    qgcal_error* err = nullptr;
    qgcal_status st = qgcal_sync_ex(data(p)->client, method.c_str(), has_params ? params.c_str() : nullptr,
        has_token ? token.c_str() : nullptr, has_opts ? opts.c_str() : nullptr, &out, &err);
    return qgcal_json_result(st, err, out, xsink);
}

QoreValue Client_batch(QoreObject* self, AbstractPrivateData* p, const QoreListNode* args, q_rt_flags_t rtflags,
        ExceptionSink* xsink) {
    std::string requests, opts;
    bool present, has_opts;
    if (!json_arg(args, 0, requests, present, xsink, "requests")
        || !json_arg(args, 1, opts, has_opts, xsink, "opts")) {
        return QoreValue();
    }
    char* out = nullptr;
    qgcal_error* err = nullptr;
    qgcal_status st = qgcal_batch_ex(data(p)->client, requests.c_str(), has_opts ? opts.c_str() : nullptr, &out,
        &err);
    return qgcal_json_result(st, err, out, xsink);
}

}  // namespace

QoreClass* qgcal_init_client_class(QoreNamespace& ns, const QoreClass* pager_class) {
    QC_QGCAL_CLIENT = new QoreBuiltinClass("Client", "::QorusGcal::Client", QDOM_DEFAULT);
    CID_QGCAL_CLIENT = QC_QGCAL_CLIENT->getID();
    QoreClass* c = QC_QGCAL_CLIENT;

    c->addConstructor(Client_constructor, Public, QCF_NO_FLAGS, QDOM_DEFAULT, 1, autoHashTypeInfo,
        QORE_PARAM_NO_ARG, "config");
    c->setDestructor((q_destructor_t)Client_destructor);
    c->setCopy((q_copy_t)Client_copy);

    c->addMethod("consentStartLocal", (q_method_n_t)Client_consentStartLocal, Public, QCF_NO_FLAGS, QDOM_DEFAULT,
        autoHashTypeInfo, 1, autoHashOrNothingTypeInfo, QORE_PARAM_NO_ARG, "opts");
    c->addMethod("consentWait", (q_method_n_t)Client_consentWait, Public, QCF_NO_FLAGS, QDOM_DEFAULT,
        autoHashTypeInfo, 1, timeoutTypeInfo, QoreSimpleValue().assign((int64)0), "timeout_ms");
    c->addMethod("consentCancel", (q_method_n_t)Client_consentCancel, Public, QCF_NO_FLAGS, QDOM_DEFAULT,
        nothingTypeInfo);
    c->addMethod("consentStartExternal", (q_method_n_t)Client_consentStartExternal, Public, QCF_NO_FLAGS,
        QDOM_DEFAULT, autoHashTypeInfo, 1, autoHashTypeInfo, QORE_PARAM_NO_ARG, "opts");
    c->addMethod("consentComplete", (q_method_n_t)Client_consentComplete, Public, QCF_NO_FLAGS, QDOM_DEFAULT,
        autoHashTypeInfo, 2, stringTypeInfo, QORE_PARAM_NO_ARG, "session", stringTypeInfo, QORE_PARAM_NO_ARG,
        "callback_url");
    c->addMethod("token", (q_method_n_t)Client_token, Public, QCF_NO_FLAGS, QDOM_DEFAULT, autoHashTypeInfo);
    c->addMethod("refresh", (q_method_n_t)Client_refresh, Public, QCF_NO_FLAGS, QDOM_DEFAULT, autoHashTypeInfo);
    c->addMethod("revoke", (q_method_n_t)Client_revoke, Public, QCF_NO_FLAGS, QDOM_DEFAULT, nothingTypeInfo);
    c->addMethod("setTokenCallback", (q_method_n_t)Client_setTokenCallback, Public, QCF_NO_FLAGS, QDOM_DEFAULT,
        nothingTypeInfo, 1, codeOrNothingTypeInfo, QORE_PARAM_NO_ARG, "cb");
    c->addMethod("call", (q_method_n_t)Client_call, Public, QCF_NO_FLAGS, QDOM_DEFAULT, autoTypeInfo, 4,
        stringTypeInfo, QORE_PARAM_NO_ARG, "method", autoHashOrNothingTypeInfo, QORE_PARAM_NO_ARG, "params",
        autoHashOrNothingTypeInfo, QORE_PARAM_NO_ARG, "body", autoHashOrNothingTypeInfo, QORE_PARAM_NO_ARG, "opts");
    c->addMethod("listAll", (q_method_n_t)Client_listAll, Public, QCF_NO_FLAGS, QDOM_DEFAULT, autoListTypeInfo, 3,
        stringTypeInfo, QORE_PARAM_NO_ARG, "method", autoHashOrNothingTypeInfo, QORE_PARAM_NO_ARG, "params",
        bigIntOrNothingTypeInfo, QORE_PARAM_NO_ARG, "max");
    c->addMethod("pager", (q_method_n_t)Client_pager, Public, QCF_NO_FLAGS, QDOM_DEFAULT,
        pager_class->getTypeInfo(), 2, stringTypeInfo, QORE_PARAM_NO_ARG, "method", autoHashOrNothingTypeInfo,
        QORE_PARAM_NO_ARG, "params");
    c->addMethod("sync", (q_method_n_t)Client_sync, Public, QCF_NO_FLAGS, QDOM_DEFAULT, autoHashTypeInfo, 4,
        stringTypeInfo, QORE_PARAM_NO_ARG, "method", autoHashOrNothingTypeInfo, QORE_PARAM_NO_ARG, "params",
        stringOrNothingTypeInfo, QORE_PARAM_NO_ARG, "sync_token", autoHashOrNothingTypeInfo, QORE_PARAM_NO_ARG,
        "opts");
    c->addMethod("batch", (q_method_n_t)Client_batch, Public, QCF_NO_FLAGS, QDOM_DEFAULT, autoListTypeInfo, 2,
        autoListTypeInfo, QORE_PARAM_NO_ARG, "requests", autoHashOrNothingTypeInfo, QORE_PARAM_NO_ARG, "opts");
    qgcal_add_observe_methods(*c, [](AbstractPrivateData* p) { return data(p)->client; });
    return c;
}
