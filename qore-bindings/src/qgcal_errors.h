/* Library status -> Qore exception, and the common "JSON out-parameter" result path. */

#ifndef QGCAL_ERRORS_H
#define QGCAL_ERRORS_H

#include <qore/Qore.h>

extern "C" {
#include "qorus_gcal.h"
}

// Raises QGCAL-<STATUS> (desc = the message, arg = {http_status, reason}) and frees err.
void qgcal_raise(qgcal_status st, qgcal_error* err, ExceptionSink* xsink);

// On success parses and frees out (NULL/empty -> NOTHING); otherwise raises and frees err and out.
QoreValue qgcal_json_result(qgcal_status st, qgcal_error* err, char* out, ExceptionSink* xsink);

#endif
