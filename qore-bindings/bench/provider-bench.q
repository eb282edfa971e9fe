#!/usr/bin/env qore
# -*- mode: qore; indent-tabs-mode: nil -*-
# Benchmark (not a test): QorusGcalDataProvider vs Qore's own GoogleCalendarDataProvider on the same emulator.
#   - list-events over 10,000 events: every page (maxResults 2500, then pageToken), through the action's provider
#   - 1,000 create-event calls
# Both sides run in this process, in turns (ours, theirs, theirs, ours, ...), RUNS times each; the medians are
# printed. CPU is this process's user + system time from /proc/self/stat (all threads, so the library's own
# runtime threads count for ours); the emulator runs in another process and counts for neither.
# Run it with qore-bindings/bench/provider-bench (builds everything in release mode and starts the emulator).

%new-style
%strict-args
%require-types
%enable-all-warnings

%requires qorus_gcal
%requires QorusGcalConnection
%requires QorusGcalDataProvider
%requires QgcalTestUtil
%requires QgcalDpTestUtil

our int RUNS = (ENV.QGCAL_BENCH_RUNS ?? 5).toInt();
const LIST_EVENTS = 10000;
our int CREATES = (ENV.QGCAL_BENCH_CREATES ?? 1000).toInt();
const TICKS = 100.0;

#! This process's CPU seconds (user + system, all threads)
float sub cpu() {
    list<string> f = ReadOnlyFile::readTextFile("/proc/self/stat").split(" ");
    # fields 14 and 15 (1-based) after the "(comm)" field, which has no spaces here
    return (f[13].toInt() + f[14].toInt()) / TICKS;
}

float sub median(list<float> l) {
    l = sort(l);
    int n = l.size();
    return n % 2 ? l[n / 2] : (l[n / 2 - 1] + l[n / 2]) / 2.0;
}

#! Runs code once; answers {wall, cpu} in seconds
hash<auto> sub measure(code c) {
    float c0 = cpu();
    date t0 = now_us();
    c();
    return {"wall": secs(now_us() - t0), "cpu": cpu() - c0};
}

float sub secs(date d) {
    return d.durationMicroseconds() / 1e6;
}

admin("POST", "reset");

# the incumbent, offline: its discovery cache preloaded from the committed document (see test/dropin.qtest)
our *AbstractDataProvider theirs;
our *string skip;
try {
    load_module("GoogleCalendarDataProvider");
    hash<auto> doc = QorusGcal::fromJson(ReadOnlyFile::readTextFile(normalize_dir(get_script_dir()
        + "/../../tests/emulator/data/calendar-v3-discovery.json")));
    Program p(PO_NEW_STYLE | PO_REQUIRE_TYPES | PO_STRICT_ARGS);
    p.loadModule("GoogleCalendarDataProvider");
    p.parse("class DiscoveryPreload inherits GoogleDataProvider::GoogleDataProviderBase {
            static load(hash<auto> doc) { info_map.calendar = doc; }
        }
        sub preload(hash<auto> doc) { DiscoveryPreload::load(doc); }", "preload");
    p.callFunction("preload", doc);
    object rest = create_object("GoogleRestClient::GoogleRestClient", {"url": emu_base(), "token": emu_token()},
        True);
    theirs = create_object("GoogleCalendarDataProvider::GoogleCalendarBaseDataProvider", rest);
} catch (hash<ExceptionInfo> ex) {
    skip = sprintf("%s: %s", ex.err, ex.desc);
    printf("the incumbent is not available (%s): only our side is measured\n", skip);
}
our AbstractDataProvider ours = emu_connection("bench").getDataProvider();
our QorusGcal::Client c = emu_connection("bench-setup").get();

# 10,000 events in a calendar of their own, through the batch API
our string cal = c.call("calendars.insert", NOTHING, {"summary": "bench"}).id;
{
    list<auto> reqs = ();
    for (int i = 0; i < LIST_EVENTS; ++i) {
        reqs += {"method": "events.insert", "params": {"calendarId": cal}, "body": {
            "summary": sprintf("bench event %05d", i),
            "description": "a description long enough to look like a real one, with a few words in it",
            "location": "Room " + (i % 50),
            "start": {"dateTime": 2031-01-01T08:00:00Z + minutes(30 * i)},
            "end": {"dateTime": 2031-01-01T08:25:00Z + minutes(30 * i)},
            "attendees": ({"email": sprintf("guest%d@example.com", i % 7)}, {"email": User}),
        }};
    }
    list<auto> answers = c.batch(reqs, {"chunk_size": 1000});
    int ok = (map 1, answers, $1.status == 200).size();
    if (ok != LIST_EVENTS) {
        throw "BENCH-SETUP-ERROR", sprintf("only %d of %d events were created", ok, LIST_EVENTS);
    }
}
our string create_cal = c.call("calendars.insert", NOTHING, {"summary": "bench creates"}).id;

#! Lists every event through list-events (one page per call); answers the count
int sub listAll(AbstractDataProvider root) {
    AbstractDataProvider p = root.getChildProviderPath("calendars/" + cal + "/events/list");
    int n = 0;
    *string token;
    do {
        # key by key: a literal {"maxResults": 2500} would be a hash<string, int>
        hash<auto> req = {};
        req.maxResults = 2500;
        if (token) {
            req.pageToken = token;
        }
        hash<auto> page = p.doRequest(req);
        n += page.items.size();
        token = page.nextPageToken;
    } while (token);
    if (n != LIST_EVENTS) {
        throw "BENCH-ERROR", sprintf("listed %d events, expected %d", n, LIST_EVENTS);
    }
    return n;
}

#! CREATES create-event calls
sub createMany(AbstractDataProvider root, string tag) {
    AbstractDataProvider p = root.getChildProviderPath("calendars/" + create_cal + "/events/insert");
    for (int i = 0; i < CREATES; ++i) {
        hash<auto> ev = p.doRequest({
            "summary": sprintf("%s %d", tag, i),
            "location": "Room 1",
            "start": {"dateTime": 2032-01-01T08:00:00Z + minutes(i)},
            "end": {"dateTime": 2032-01-01T08:30:00Z + minutes(i)},
            "attendees": ({"email": "guest@example.com"},),
        });
        if (!ev.id) {
            throw "BENCH-ERROR", "no id";
        }
    }
}

#! Our record search over the same 10,000 events (no incumbent counterpart)
int sub searchAll(AbstractDataProvider root) {
    AbstractDataProviderRecordIterator it = root.getChildProviderPath("calendars/" + cal + "/events")
        .searchRecords(NOTHING, {"page_size": 2500});
    int n = 0;
    while (it.next()) {
        ++n;
    }
    return n;
}

our hash<string, list<float>> wall;
our hash<string, list<float>> cpus;
sub record(string key, hash<auto> m) {
    wall{key} += m.wall;
    cpus{key} += m.cpu;
}

# one warm-up each (types built, connections open)
listAll(ours);
if (theirs) {
    listAll(theirs);
}

for (int r = 0; r < RUNS; ++r) {
    list<string> order = (r % 2) ? ("theirs", "ours") : ("ours", "theirs");
    foreach string side in (order) {
        AbstractDataProvider root = side == "ours" ? ours : theirs;
        if (!root) {
            continue;
        }
        record(side + " list", measure(sub () { listAll(root); }));
        record(side + " create", measure(sub () { createMany(root, side); }));
    }
    record("ours search", measure(sub () { searchAll(ours); }));
    stderr.printf("run %d of %d done\n", r + 1, RUNS);
}

printf("\nQorusGcalDataProvider vs GoogleCalendarDataProvider %s, medians of %d runs each, emulator %s\n",
    theirs ? get_module_hash().GoogleCalendarDataProvider.version : "(absent)", RUNS, emu_base());
printf("%-34s %12s %12s %14s %14s\n", "", "ours", "incumbent", "ratio", "");
sub row(string what, string key, int n, string unit) {
    float ow = median(wall{"ours " + key});
    float oc = median(cpus{"ours " + key});
    if (!theirs) {
        printf("%-34s %9d/s  %9s\n", what, (n / ow).toInt(), "-");
        printf("%-34s %9.3f ms  %9s\n", "  CPU per " + unit, oc * 1000 / n, "-");
        return;
    }
    float tw = median(wall{"theirs " + key});
    float tc = median(cpus{"theirs " + key});
    printf("%-34s %9d/s %9d/s %12.1fx faster\n", what + " (" + unit + "/s)", (n / ow).toInt(), (n / tw).toInt(),
        tw / ow);
    printf("%-34s %9.3fms %9.3fms %12.2fx the CPU\n", "  CPU per " + unit, oc * 1000 / n, tc * 1000 / n, oc / tc);
    printf("%-34s %9.3fs  %9.3fs\n", "  wall per run", ow, tw);
}
row("list-events, 10,000 events", "list", LIST_EVENTS, "event");
row(sprintf("create-event, %d calls", CREATES), "create", CREATES, "call");
printf("%-34s %9d/s (record search, ours only; CPU %.3f ms per event)\n", "searchRecords, 10,000 events",
    (LIST_EVENTS / median(wall."ours search")).toInt(), median(cpus."ours search") * 1000 / LIST_EVENTS);
