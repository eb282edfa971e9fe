/* qorus_gcal: the Qore binary module. A thin shim over include/qorus_gcal.h: it converts Qore values
 * to and from JSON and library errors to Qore exceptions, and holds no logic of its own. */

#include <qore/Qore.h>

#include "qgcal_client.h"
#include "qgcal_errors.h"
#include "qgcal_json.h"
#include "qgcal_observe.h"
#include "qgcal_pager.h"
#include "qgcal_schema.h"

extern "C" {
#include "qorus_gcal.h"
}

static QoreStringNode* qgcal_module_init();
static void qgcal_module_ns_init(QoreNamespace* rns, QoreNamespace* qns);
static void qgcal_module_delete();

// qore module symbols, read by Qore's ModuleManager
DLLEXPORT char qore_module_name[] = "qorus_gcal";
DLLEXPORT char qore_module_version[] = PACKAGE_VERSION;
DLLEXPORT char qore_module_description[] = "Google Calendar for Qore and Qorus, backed by the qorus-gcal library";
DLLEXPORT char qore_module_author[] = "qorus-gcal authors";
DLLEXPORT char qore_module_url[] = "https://github.com/qoretechnologies";
DLLEXPORT int qore_module_api_major = QORE_MODULE_API_MAJOR;
DLLEXPORT int qore_module_api_minor = QORE_MODULE_API_MINOR;
DLLEXPORT qore_module_init_t qore_module_init = qgcal_module_init;
DLLEXPORT qore_module_ns_init_t qore_module_ns_init = qgcal_module_ns_init;
DLLEXPORT qore_module_delete_t qore_module_delete = qgcal_module_delete;
DLLEXPORT qore_license_t qore_module_license = QL_MIT;
DLLEXPORT char qore_module_license_str[] = "MIT";

static QoreNamespace QorusGcalNS("QorusGcal");

// QorusGcal::version(): the library's version string
static QoreValue f_version(const QoreListNode* args, q_rt_flags_t rtflags, ExceptionSink* xsink) {
    return new QoreStringNode(qgcal_version(), QCS_UTF8);
}

// QorusGcal::parseNotification(hash headers): a push notification's X-Goog-* headers as a hash
static QoreValue f_parseNotification(const QoreListNode* args, q_rt_flags_t rtflags, ExceptionSink* xsink) {
    std::string headers;
    if (qgcal_to_json(headers, args->retrieveEntry(0), xsink, "headers")) {
        return QoreValue();
    }
    char* out = nullptr;
    qgcal_error* err = nullptr;
    qgcal_status st = qgcal_parse_notification(headers.c_str(), &out, &err);
    return qgcal_json_result(st, err, out, xsink);
}

// QorusGcal::methods(): the Calendar methods the library knows, with their parameters
static QoreValue f_methods(const QoreListNode* args, q_rt_flags_t rtflags, ExceptionSink* xsink) {
    char* out = nullptr;
    qgcal_error* err = nullptr;
    qgcal_status st = qgcal_methods(&out, &err);
    return qgcal_json_result(st, err, out, xsink);
}

// QorusGcal::toJson(auto): the JSON text the module would send for a value (dates as RFC 3339)
static QoreValue f_toJson(const QoreListNode* args, q_rt_flags_t rtflags, ExceptionSink* xsink) {
    std::string out;
    if (qgcal_to_json(out, args->retrieveEntry(0), xsink, "value")) {
        return QoreValue();
    }
    return new QoreStringNode(out, QCS_UTF8);
}

// QorusGcal::fromJson(string): parses JSON text as the module parses the library's answers
static QoreValue f_fromJson(const QoreListNode* args, q_rt_flags_t rtflags, ExceptionSink* xsink) {
    TempEncodingHelper s(HARD_QORE_VALUE_STRING(args, 0), QCS_UTF8, xsink);
    if (!s) {
        return QoreValue();
    }
    return qgcal_from_json(s->c_str(), xsink, "QGCAL-INVALID-JSON");
}

static QoreStringNode* qgcal_module_init() {
    QorusGcalNS.addBuiltinVariant("version", f_version, QCF_CONSTANT, QDOM_DEFAULT, stringTypeInfo);
    QorusGcalNS.addBuiltinVariant("parseNotification", f_parseNotification, QCF_NO_FLAGS, QDOM_DEFAULT,
        autoTypeInfo, 1, hashTypeInfo, QORE_PARAM_NO_ARG, "headers");
    QorusGcalNS.addBuiltinVariant("methods", f_methods, QCF_NO_FLAGS, QDOM_DEFAULT, autoTypeInfo);
    QorusGcalNS.addBuiltinVariant("toJson", f_toJson, QCF_NO_FLAGS, QDOM_DEFAULT, stringTypeInfo, 1, autoTypeInfo,
        QORE_PARAM_NO_ARG, "value");
    QorusGcalNS.addBuiltinVariant("fromJson", f_fromJson, QCF_NO_FLAGS, QDOM_DEFAULT, autoTypeInfo, 1,
        stringTypeInfo, QORE_PARAM_NO_ARG, "json");
    qgcal_init_observe_functions(QorusGcalNS);
    qgcal_init_schema_functions(QorusGcalNS);
    QoreClass* pager_class = qgcal_init_pager_class(QorusGcalNS);
    QorusGcalNS.addSystemClass(pager_class);
    QorusGcalNS.addSystemClass(qgcal_init_client_class(QorusGcalNS, pager_class));
    return nullptr;
}

static void qgcal_module_ns_init(QoreNamespace* rns, QoreNamespace* qns) {
    rns->addNamespace(QorusGcalNS.copy());
}

static void qgcal_module_delete() {
    // let go of loggers, then stop the library's runtime threads before the interpreter goes away
    qgcal_observe_unload();
    qgcal_shutdown(nullptr);
}
