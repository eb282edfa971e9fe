#!/usr/bin/env qore
# -*- mode: qore; indent-tabs-mode: nil -*-
# Lists the next ten events of your primary calendar.
#
#   QGCAL_CLIENT_ID=... QGCAL_CLIENT_SECRET=... qore next-ten-events.q
#
# The first run opens consent in your browser (or prints the URL) and prints the refresh token to keep;
# set QGCAL_REFRESH_TOKEN to it and later runs need no browser. QGCAL_BASE_URL points everything at
# another server with Google's paths, e.g. the offline emulator: http://127.0.0.1:8085

%new-style
%strict-args
%require-types
%enable-all-warnings

%requires qorus_gcal

hash<auto> config = {
    "client_id": ENV.QGCAL_CLIENT_ID ?? "emulator-client",
    "client_secret": ENV.QGCAL_CLIENT_SECRET ?? "emulator-secret",
    "scopes": ("https://www.googleapis.com/auth/calendar.readonly",),
};
if (*string base = ENV.QGCAL_BASE_URL) {
    config.endpoints = {
        "auth_url": base + "/o/oauth2/v2/auth",
        "token_url": base + "/token",
        "revoke_url": base + "/revoke",
        "api_base_url": base + "/calendar/v3/",
        "batch_url": base + "/batch/calendar/v3",
    };
}
if (*string refresh = ENV.QGCAL_REFRESH_TOKEN) {
    config.token = {"refresh_token": refresh};
}

QorusGcal::Client gcal(config);

if (!config.token) {
    hash<auto> consent = gcal.consentStartLocal();
    stderr.printf("Open this URL to allow read access to your calendar:\n%s\n", consent.url);
    # best effort: a desktop browser, if there is one
    system(sprintf("xdg-open '%s' >/dev/null 2>&1 &", consent.url));
    hash<auto> token = gcal.consentWait(5m);
    stderr.printf("Keep this for the next run: QGCAL_REFRESH_TOKEN=%s\n", token.refresh_token);
}

list<auto> events = gcal.listAll("events.list", {
    "calendarId": "primary",
    "timeMin": now_us(),
    "singleEvents": True,
    "orderBy": "startTime",
    "maxResults": 10,
}, 10);

if (!events) {
    printf("No upcoming events.\n");
}
foreach hash<auto> ev in (events) {
    # timed events carry a Qore date; all-day events a "YYYY-MM-DD" string
    auto start = ev.start.dateTime ?? ev.start.date;
    printf("%s  %s\n", start.typeCode() == NT_DATE ? start.format("YYYY-MM-DD HH:mm") : start + "      ",
        ev.summary ?? "(no title)");
}
