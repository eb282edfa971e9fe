#!/usr/bin/env qore
# -*- mode: qore; indent-tabs-mode: nil -*-
# The driver of qore-bindings/bench/speed (run that, not this): fills the emulator, then runs every
# workload on every side, each run in a process of its own (speed-side.q or speed-c), the sides taking
# turns (a b c, c b a, ...), and prints the medians as a Markdown table (also written to QGCAL_BENCH_OUT).
#
# Environment (set by `speed`): QGCAL_EMU_BASE, QGCAL_BENCH_C (the C side's binary), QGCAL_BENCH_RUNS
# (rounds, default 5), QGCAL_BENCH_OUT (the results file), QGCAL_BENCH_ONLY (workloads to run, e.g. "get list").

%new-style
%strict-args
%require-types
%enable-all-warnings

%requires json
%requires qorus_gcal

const GetCalls = 4000;
const ThreadCount = 8;
const ThreadCalls = 8000;
const Inserts = 200;
# µs a Qore script spends between two events.get (the loop, the call, converting and freeing the answer):
# about what the module side measures as "host_us" on this machine
const HostWorkUs = 10;
const SmallList = 10000;
const LargeList = 100000;
const Users = {
    "get": "user@example.com",
    "small": "list10k@example.com",
    "large": "list100k@example.com",
};

string sub env(string name) {
    *string v = ENV{name};
    if (!v) {
        throw "BENCH-SETUP-ERROR", sprintf("%s is not set: run qore-bindings/bench/speed", name);
    }
    return v;
}

our string Base = env("QGCAL_EMU_BASE");
our int Runs = (ENV.QGCAL_BENCH_RUNS ?? "5").toInt();
our string Here = dirname(get_script_path());

hash<auto> sub admin(string path, hash<auto> body) {
    HTTPClient hc({"url": Base, "timeout": 30s});
    hash<auto> resp = hc.send(make_json(body), "POST", "/__emulator/" + path, {"Content-Type": "application/json"});
    return parse_json(resp.body);
}

string sub token_for(string user) {
    return admin("tokens", {"user": user, "offline": True}).access_token;
}

QorusGcal::Client sub client_for(string token) {
    return new QorusGcal::Client({
        "client_id": "emulator-client",
        "client_secret": "emulator-secret",
        "endpoints": {
            "auth_url": Base + "/o/oauth2/v2/auth", "token_url": Base + "/token", "revoke_url": Base + "/revoke",
            "api_base_url": Base + "/calendar/v3/", "batch_url": Base + "/batch/calendar/v3",
        },
        "token": {"access_token": token, "token_type": "Bearer", "expires_at": now_us().getEpochSeconds() + 80000},
    });
}

hash<auto> sub listed_event(int i) {
    return {
        "method": "events.insert",
        "params": {"calendarId": "primary"},
        "body": {
            "summary": sprintf("listed event %d", i),
            "description": "an event to list",
            "location": "Room 1",
            "start": {"dateTime": 2030-01-15T10:00:00Z + seconds(i * 60)},
            "end": {"dateTime": 2030-01-15T11:00:00Z + seconds(i * 60)},
        },
    };
}

# n events in the token's primary calendar, 1000 a batch request
nothing sub populate(string token, int n) {
    QorusGcal::Client c = client_for(token);
    for (int i = 0; i < n; i += 1000) {
        list<auto> reqs = map listed_event($1), xrange(i, min(i + 1000, n));
        list<auto> answers = c.batch(reqs, {"chunk_size": 1000});
        *hash<auto> bad = (map $1, answers, $1.status != 200)[0];
        if (bad) {
            throw "BENCH-SETUP-ERROR", sprintf("populating: %y", bad);
        }
    }
}

# one run of one side: a child process printing one JSON line
hash<auto> sub run_side(string side, list<string> args, string token, string event) {
    setenv("QGCAL_BENCH_TOKEN", token);
    setenv("QGCAL_BENCH_EVENT", event);
    setenv("QGCAL_BENCH_BASE", Base);
    string cmd;
    if (side =~ /^c/) {
        setenv("QGCAL_BENCH_CONFIG", make_json({
            "client_id": "emulator-client",
            "client_secret": "emulator-secret",
            "endpoints": {"api_base_url": Base + "/calendar/v3/", "token_url": Base + "/token",
                "auth_url": Base + "/o/oauth2/v2/auth", "revoke_url": Base + "/revoke",
                "batch_url": Base + "/batch/calendar/v3"},
            "token": {"access_token": token, "token_type": "Bearer",
                "expires_at": now_us().getEpochSeconds() + 80000},
        }));
        cmd = sprintf("%s %s", env("QGCAL_BENCH_C"), foldl $1 + " " + $2, args);
    } else {
        string s = side == "module-pager" ? "module" : side;
        cmd = sprintf("qore %s/speed-side.q %s %s", Here, s, foldl $1 + " " + $2, args);
    }
    int rc;
    string out = backquote(cmd, \rc);
    if (rc) {
        throw "BENCH-ERROR", sprintf("%s exited with %d", cmd, rc);
    }
    return parse_json(out);
}

# every side `Runs` times, the order reversed every other round; answers side -> list of results
hash<string, list<hash<auto>>> sub in_turn(hash<string, list<string>> sides, string token, string event,
        string what) {
    hash<string, list<hash<auto>>> results;
    list<string> order = keys sides;
    for (int round = 0; round < Runs; ++round) {
        list<string> o = (round % 2) ? reverse(order) : order;
        foreach string side in (o) {
            results{side} += (run_side(side, sides{side}, token, event),);
        }
        stderr.printf("  %s: round %d of %d\n", what, round + 1, Runs);
    }
    return results;
}

float sub median(list<hash<auto>> runs, string key) {
    list<float> v = sort(map $1{key}.toFloat(), runs);
    return v[v.size() / 2];
}

string sub fmt(float v) {
    if (v >= 100) {
        return sprintf("%s", format_number(",.0", v));
    }
    if (v >= 10) {
        return sprintf("%.1f", v);
    }
    return sprintf("%.2f", v);
}

list<string> lines = ();
sub out(string line) {
    lines += line;
    printf("%s\n", line);
}

list<string> only = (ENV.QGCAL_BENCH_ONLY ?? "get threads list inserts large").split(" ");
hash<auto> tokens = map {$1.key: token_for($1.value)}, Users.pairIterator();

stderr.printf("speed: emulator at %s, %d rounds\n", Base, Runs);
QorusGcal::Client setup = client_for(tokens.get);
string event = setup.call("events.insert", {"calendarId": "primary"}, {
    "summary": "the event to get", "description": "read again and again", "location": "Room 1",
    "start": {"dateTime": 2030-01-15T10:00:00Z}, "end": {"dateTime": 2030-01-15T11:00:00Z},
}).id;
if (inlist("list", only)) {
    stderr.printf("speed: %d events for %s\n", SmallList, Users.small);
    populate(tokens.small, SmallList);
}
if (inlist("large", only)) {
    stderr.printf("speed: %d events for %s\n", LargeList, Users.large);
    populate(tokens.large, LargeList);
}

# medians: workload -> side -> key -> value
hash<auto> m;
const QoreSides = ("module", "grc", "grc-nodelay");

if (inlist("get", only)) {
    hash<string, list<string>> sides = map {$1: ("get", GetCalls.toString())}, QoreSides;
    sides.c = ("get", GetCalls.toString());
    # the C side again, spinning before each call as long as a Qore script works between calls
    sides."c-work" = ("get", GetCalls.toString(), HostWorkUs.toString());
    hash<auto> r = in_turn(sides, tokens.get, event, "events.get");
    m.get = map {$1.key: {"per_s": median($1.value, "per_s"), "p50_us": median($1.value, "p50_us"),
        "cpu_us": median($1.value, "cpu_us")}}, r.pairIterator();
    m.get.module.host_us = median(r.module, "host_us");
}
if (inlist("threads", only)) {
    list<string> a = ("threads", ThreadCount.toString(), ThreadCalls.toString());
    hash<string, list<string>> sides = map {$1: a}, QoreSides;
    sides.c = a;
    hash<auto> r = in_turn(sides, tokens.get, event, "events.get, 8 threads");
    m.threads = map {$1.key: {"per_s": median($1.value, "per_s"), "cpu_us": median($1.value, "cpu_us")}},
        r.pairIterator();
}
if (inlist("list", only)) {
    hash<string, list<string>> sides = map {$1: ("list",)}, QoreSides;
    sides."module-pager" = ("list-pager",);
    sides.c = ("list",);
    hash<auto> r = in_turn(sides, tokens.small, event, "list 10,000");
    foreach hash<auto> i in (r.pairIterator()) {
        if (*hash<auto> bad = (map $1, i.value, $1.items != SmallList)[0]) {
            throw "BENCH-ERROR", sprintf("%s listed %d events, not %d: %y", i.key, bad.items, SmallList, r);
        }
    }
    m.list = map {$1.key: {"ms": median($1.value, "ms"), "cpu_us": median($1.value, "cpu_us"),
        "peak_kib": median($1.value, "peak_kib")}}, r.pairIterator();
}
if (inlist("inserts", only)) {
    list<string> a = ("inserts", Inserts.toString());
    hash<string, list<string>> sides = map {$1: a}, QoreSides;
    sides.c = a;
    hash<auto> r = in_turn(sides, tokens.get, event, "200 inserts");
    m.inserts = map {$1.key: {"ms": median($1.value, "ms"), "cpu_us": median($1.value, "cpu_us")}},
        r.pairIterator();
}
if (inlist("large", only)) {
    hash<string, list<string>> sides = {
        "module-pager": ("list-pager",),
        "module": ("list",),
        "grc-nodelay": ("list-pages",),
        "c": ("list",),
    };
    hash<auto> r = in_turn(sides, tokens.large, event, "list 100,000");
    foreach hash<auto> i in (r.pairIterator()) {
        if (*hash<auto> bad = (map $1, i.value, $1.items != LargeList)[0]) {
            throw "BENCH-ERROR", sprintf("%s listed %d events, not %d", i.key, bad.items, LargeList);
        }
    }
    m.large = map {$1.key: {"ms": median($1.value, "ms"), "peak_mib": median($1.value, "peak_kib") / 1024.0,
        "idle_mib": median($1.value, "idle_kib") / 1024.0}}, r.pairIterator();
}

# the better of GoogleRestClient's two settings: the module is compared with its best
float sub grc_best(hash<auto> w, string key, bool higher_is_better) {
    float a = w.grc{key};
    float b = w."grc-nodelay"{key};
    return higher_is_better ? max(a, b) : min(a, b);
}

string sub cell(*hash<auto> w, string side, string key) {
    return exists w{side}{key} ? fmt(w{side}{key}) : "–";
}

out(sprintf("Medians of %d runs, each in a process of its own, sides in turn; Qore %s, qorus-gcal %s, the emulator "
    "on loopback.", Runs, Qore::VersionString, QorusGcal::version()));
out("");
out("| workload | module | GoogleRestClient | GoogleRestClient, no-delay | C ABI from C | module vs GoogleRestClient | "
    "module vs C ABI |");
out("|---|---:|---:|---:|---:|---:|---:|");
if (m.get) {
    hash<auto> w = m.get;
    out(sprintf("| events.get one after another, calls/s | %s | %s | %s | %s | %.1f× | %.2f× |", cell(w, "module",
        "per_s"), cell(w, "grc", "per_s"), cell(w, "grc-nodelay", "per_s"), cell(w, "c", "per_s"),
        w.module.per_s / grc_best(w, "per_s", True), w.module.per_s / w.c.per_s));
    out(sprintf("| events.get one after another, p50 µs | %s | %s | %s | %s | | %.2f× |", cell(w, "module",
        "p50_us"), cell(w, "grc", "p50_us"), cell(w, "grc-nodelay", "p50_us"), cell(w, "c", "p50_us"),
        w.c.p50_us / w.module.p50_us));
    out(sprintf("| events.get one after another: the Qore side's own work per call (µs, no request) | %s | | | | | |",
        cell(w, "module", "host_us")));
    out(sprintf("| events.get one after another, C ABI spinning %d µs before each call: calls/s, p50 µs | | | | "
        "%s, %s | | %.2f× |", HostWorkUs, cell(w, "c-work", "per_s"), cell(w, "c-work", "p50_us"),
        w.module.per_s / w."c-work".per_s));
    out(sprintf("| events.get one after another, client CPU µs per call | %s | %s | %s | %s | %.2f× | %.2f× |",
        cell(w, "module", "cpu_us"), cell(w, "grc", "cpu_us"), cell(w, "grc-nodelay", "cpu_us"), cell(w, "c",
        "cpu_us"), w.module.cpu_us / grc_best(w, "cpu_us", False), w.module.cpu_us / w.c.cpu_us));
}
if (m.threads) {
    hash<auto> w = m.threads;
    out(sprintf("| events.get, %d threads, calls/s | %s | %s | %s | %s | %.1f× | %.2f× |", ThreadCount, cell(w,
        "module", "per_s"), cell(w, "grc", "per_s"), cell(w, "grc-nodelay", "per_s"), cell(w, "c", "per_s"),
        w.module.per_s / grc_best(w, "per_s", True), w.module.per_s / w.c.per_s));
}
if (m.list) {
    hash<auto> w = m.list;
    out(sprintf("| list %s events (`listAll`), wall ms | %s | %s | %s | %s | %.1f× faster | %.2f× |",
        format_number(",.0", SmallList), cell(w, "module", "ms"), cell(w, "grc", "ms"), cell(w, "grc-nodelay", "ms"),
        cell(w, "c", "ms"), grc_best(w, "ms", False) / w.module.ms, w.c.ms / w.module.ms));
    out(sprintf("| list %s events (`listAll`), client CPU µs per event | %s | %s | %s | %s | %.2f× | %.2f× |",
        format_number(",.0", SmallList), cell(w, "module", "cpu_us"), cell(w, "grc", "cpu_us"),
        cell(w, "grc-nodelay", "cpu_us"), cell(w, "c", "cpu_us"), w.module.cpu_us / grc_best(w, "cpu_us", False),
        w.module.cpu_us / w.c.cpu_us));
    out(sprintf("| list %s events (`Pager`), wall ms / CPU µs per event | %s / %s | | | | %.1f× faster | |",
        format_number(",.0", SmallList), cell(w, "module-pager", "ms"), cell(w, "module-pager", "cpu_us"),
        grc_best(w, "ms", False) / w."module-pager".ms));
}
if (m.inserts) {
    hash<auto> w = m.inserts;
    out(sprintf("| %d inserts, ms per insert | %s | %s | %s | %s | %.1f× (vs no-delay) | %.2f× |", Inserts, cell(w,
        "module", "ms"), cell(w, "grc", "ms"), cell(w, "grc-nodelay", "ms"), cell(w, "c", "ms"),
        w."grc-nodelay".ms / w.module.ms, w.c.ms / w.module.ms));
}
if (m.large) {
    hash<auto> w = m.large;
    out(sprintf("| list %s events, peak RSS MiB (VmHWM; idle before) | `Pager` %s (%s); `listAll` %s (%s) | | "
        "page by page %s (%s) | pager %s (%s) | | |", format_number(",.0", LargeList), cell(w, "module-pager",
        "peak_mib"), cell(w, "module-pager", "idle_mib"), cell(w, "module", "peak_mib"), cell(w, "module",
        "idle_mib"), cell(w, "grc-nodelay", "peak_mib"), cell(w, "grc-nodelay", "idle_mib"), cell(w, "c",
        "peak_mib"), cell(w, "c", "idle_mib")));
    out(sprintf("| list %s events, wall ms | `Pager` %s; `listAll` %s | | page by page %s | %s | | |",
        format_number(",.0", LargeList), cell(w, "module-pager", "ms"), cell(w, "module", "ms"),
        cell(w, "grc-nodelay", "ms"), cell(w, "c", "ms")));
}

# the goals of issue 23
if (m.get || m.list || m.large) {
    out("");
    out("| goal | measured | met |");
    out("|---|---:|:---:|");
    if (m.get) {
        float c = m.get.module.per_s / m.get.c.per_s;
        out(sprintf("| events.get, one thread: ≥ 0.7× the C ABI's calls/s | %.2f× | %s |", c, c >= 0.7 ? "yes" : "no"));
        float g = m.get.module.per_s / grc_best(m.get, "per_s", True);
        out(sprintf("| events.get, one thread: ≥ 4× GoogleRestClient's calls/s | %.1f× | %s |", g, g >= 4 ? "yes" : "no"));
    }
    if (m.list) {
        float s = grc_best(m.list, "ms", False) / m.list.module.ms;
        out(sprintf("| list 10,000 events: ≥ 3× GoogleRestClient's speed | %.1f× | %s |", s, s >= 3 ? "yes" : "no"));
        float c = m.list.module.cpu_us / grc_best(m.list, "cpu_us", False);
        out(sprintf("| list 10,000 events: ≤ ⅓ of GoogleRestClient's CPU per event | %.2f× | %s |", c,
            c <= 1.0 / 3 ? "yes" : "no"));
    }
    if (m.large) {
        out(sprintf("| list 100,000 events: memory bounded (`Pager`'s peak RSS) | %s MiB (10,000: %s MiB) | %s |",
            fmt(m.large."module-pager".peak_mib), m.list ? fmt(m.list."module-pager".peak_kib / 1024.0) : "–",
            (!m.list || m.large."module-pager".peak_mib < 2 * m.list."module-pager".peak_kib / 1024.0) ? "yes"
                : "no"));
    }
}

if (*string f = ENV.QGCAL_BENCH_OUT) {
    File o();
    o.open2(f, O_CREAT | O_TRUNC | O_WRONLY);
    o.write(foldl $1 + "\n" + $2, lines);
    o.write("\n");
    stderr.printf("speed: the table is in %s\n", f);
}
