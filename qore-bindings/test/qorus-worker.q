#!/usr/bin/env qore
# -*- mode: qore; indent-tabs-mode: nil -*-
# Another Qorus process, for test/qorus.qtest: prints one JSON answer.
#   use FILE       FILE holds a serialized connection (base64); deserializes it and makes a call
#   complete FILE  FILE holds {opts, callback}; builds the connection from the stored options and completes
#                  the consent another process started
# Loads no module itself: deserialization loads what the connection needs (as in a Qorus worker).

%new-style
%strict-args
%require-types
%enable-all-warnings

string mode = ARGV[0];
string input = ReadOnlyFile::readTextFile(ARGV[1]);
list<hash<auto>> updates = ();
hash<auto> rv;

object conn;
*hash<auto> callback;
if (mode == "use") {
    conn = Serializable::deserialize(parse_base64_string(input));
} else if (mode == "complete") {
    load_module("QorusGcalConnection");
    hash<auto> h = call_function("QorusGcal::fromJson", input);
    conn = create_object("QorusGcalConnection", "elsewhere", "calendar", "qgcal://www.googleapis.com", {},
        h.opts);
    callback = h.callback;
} else {
    throw "WORKER-ERROR", sprintf("unknown mode %y", mode);
}
# as a Qorus worker's host would
conn.setUpdateOptionsCode(sub (hash<auto> o) { updates += o; });
if (callback) {
    conn.processOAuth2TokenResponse(callback);
}
rv.class = conn.className();
rv.type = conn.getType();
rv.calendar_id = conn.get().call("calendarList.get", {"calendarId": "primary"}).id;
rv.needs_auth = conn.needsAuth();
rv.updates = updates;
print(call_function("QorusGcal::toJson", rv) + "\n");
