/* JSON <-> Qore value conversion for the qorus_gcal module.
 * Qore 2.0's core has no C++ JSON API (the json module is a separate package), so the shim carries
 * this small, strict converter; it builds the values in one pass over the text, without token copies. */

#ifndef QGCAL_JSON_H
#define QGCAL_JSON_H

#include <qore/Qore.h>

#include <string>

// Appends the JSON text of a Qore value. Dates become RFC 3339 UTC strings; objects, binaries,
// relative dates, NaN and infinities raise QGCAL-INVALID-ARGUMENT. Returns 0 or -1 (exception raised).
int qgcal_to_json(std::string& out, QoreValue v, ExceptionSink* xsink, const char* what);

// Parses JSON text from the library into a Qore value. RFC 3339 timestamps under the keys
// Google uses for instants (dateTime, updated, created, timeMin, timeMax, start, end) become
// absolute dates. Raises `err` (default QGCAL-INTERNAL: the library's own output) on malformed text.
QoreValue qgcal_from_json(const char* text, ExceptionSink* xsink, const char* err = "QGCAL-INTERNAL");

// Parses a JSON array (as qgcal_from_json does its values) and appends its elements to `out`; 0 or -1
// (exception raised, `out` keeps what was appended before).
int qgcal_append_json_array(QoreListNode* out, const char* text, ExceptionSink* xsink,
    const char* err = "QGCAL-INTERNAL");

#endif
