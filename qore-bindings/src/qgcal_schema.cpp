/* QorusGcal::methodSchema(string method): the library's qgcal_method_schema as a Qore hash. One source of
 * truth for types: the data is generated from the same discovery document as the method table, so
 * QorusGcalDataProvider builds its request and response types from it instead of hand-written schemas. */

#include "qgcal_schema.h"
#include "qgcal_errors.h"

#include <string>

extern "C" {
#include "qorus_gcal.h"
}

namespace {

QoreValue f_methodSchema(const QoreListNode* args, q_rt_flags_t rtflags, ExceptionSink* xsink) {
    TempEncodingHelper s(HARD_QORE_VALUE_STRING(args, 0), QCS_UTF8, xsink);
    if (!s) {
        return QoreValue();
    }
    std::string method(s->c_str(), s->size());
    if (method.find('\0') != std::string::npos) {
        xsink->raiseException("QGCAL-INVALID-ARGUMENT", "methodSchema(): the method name contains a NUL character");
        return QoreValue();
    }
    char* out = nullptr;
    qgcal_error* err = nullptr;
    qgcal_status st = qgcal_method_schema(method.c_str(), &out, &err);
    return qgcal_json_result(st, err, out, xsink);
}

}  // namespace

void qgcal_init_schema_functions(QoreNamespace& ns) {
    ns.addBuiltinVariant("methodSchema", f_methodSchema, QCF_NO_FLAGS, QDOM_DEFAULT, autoHashTypeInfo, 1,
        stringTypeInfo, QORE_PARAM_NO_ARG, "method");
}
