/* Library status -> Qore exception; see qgcal_errors.h. */

#include "qgcal_errors.h"
#include "qgcal_json.h"

#include <string>

void qgcal_raise(qgcal_status st, qgcal_error* err, ExceptionSink* xsink) {
    // "QGCAL_CONSENT_REQUIRED" -> "QGCAL-CONSENT-REQUIRED"
    std::string name = qgcal_status_name((int32_t)st);
    for (char& c : name) {
        if (c == '_') {
            c = '-';
        }
    }
    const char* msg = err ? qgcal_error_message(err) : nullptr;
    QoreHashNode* arg = new QoreHashNode(autoTypeInfo);
    arg->setKeyValue("http_status", (int64)(err ? qgcal_error_http_status(err) : 0), xsink);
    const char* reason = err ? qgcal_error_reason(err) : nullptr;
    arg->setKeyValue("reason", reason ? QoreValue(new QoreStringNode(reason, QCS_UTF8)) : QoreValue(), xsink);
    xsink->raiseExceptionArg(name.c_str(), arg, new QoreStringNode(msg ? msg : name.c_str(), QCS_UTF8));
    qgcal_error_free(err);
}

QoreValue qgcal_json_result(qgcal_status st, qgcal_error* err, char* out, ExceptionSink* xsink) {
    if (st != QGCAL_OK) {
        qgcal_string_free(out);
        qgcal_raise(st, err, xsink);
        return QoreValue();
    }
    qgcal_error_free(err);
    QoreValue v = qgcal_from_json(out, xsink);
    qgcal_string_free(out);
    return v;
}
