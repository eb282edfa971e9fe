#!/usr/bin/env qore
# -*- mode: qore; indent-tabs-mode: nil -*-
# One Qore side of qore-bindings/bench/speed, one workload per process; prints one JSON line.
#
#   qore speed-side.q SIDE WORKLOAD [ARGS]
#   SIDE:     module (QorusGcal::Client), grc (GoogleRestClient), grc-nodelay (the same with setNoDelay(True))
#   WORKLOAD: get N | threads T N | list | list-pager | list-pages | inserts N
#     list        every event as one list of values: module listAll(); grc follows nextPageToken, adding pages
#     list-pager  module only: QorusGcal::Pager, one page at a time (nothing kept)
#     list-pages  grc only: one page at a time (nothing kept)
#
# Environment (set by speed.q): QGCAL_BENCH_BASE (the emulator), QGCAL_BENCH_TOKEN (an access token for the
# workload's user), QGCAL_BENCH_EVENT (the event to get). CPU is the whole process's utime+stime from
# /proc/self/stat; peak RSS is VmHWM from /proc/self/status.

%new-style
%strict-args
%require-types
%enable-all-warnings

%requires json
%requires qorus_gcal
%requires GoogleRestClient

const ClkTck = 100;  # USER_HZ: /proc/<pid>/stat counts CPU in 1/100 s on Linux

string sub env(string name) {
    *string v = ENV{name};
    if (!v) {
        throw "BENCH-SETUP-ERROR", sprintf("%s is not set: run qore-bindings/bench/speed", name);
    }
    return v;
}

# utime + stime of this process, in µs
float sub cpu_us() {
    string stat = ReadOnlyFile::readTextFile("/proc/self/stat");
    list<string> f = stat.substr(rindex(stat, ")") + 2).split(" ");
    # f[0] is field 3 (state): utime is field 14, stime 15
    return (f[11].toInt() + f[12].toInt()) * 1000000.0 / ClkTck;
}

int sub status_kib(string key) {
    foreach string line in (ReadOnlyFile::readTextFile("/proc/self/status").split("\n")) {
        if (line.comparePartial(key) == 0) {
            return line.substr(key.size()).toInt();
        }
    }
    return 0;
}

int sub now_ns() {
    return clock_getnanos();
}

hash<auto> sub event_body(int i) {
    return {
        "summary": sprintf("speed insert %d", i),
        "start": {"dateTime": "2030-01-15T10:00:00Z"},
        "end": {"dateTime": "2030-01-15T11:00:00Z"},
    };
}

class Side {
    abstract auto get();
    # one call that needs no event: opens the connection before a measurement
    abstract nothing warm();
    abstract nothing insert(int i);
    # every event as one list
    abstract int listAll();
    # every event, one page at a time; answers the count
    abstract int listPages();
    # a side for another thread (the module shares its client; an HTTPClient has one connection)
    abstract Side forThread();

    # what this loop costs without the network: the same loop with the call's own work done locally
    hash<auto> hostWork(int n) {
        return {};
    }
}

class ModuleSide inherits Side {
    private {
        QorusGcal::Client c;
        hash<auto> get_params;
    }

    constructor(QorusGcal::Client c) {
        self.c = c;
        get_params = {"calendarId": "primary", "eventId": ENV.QGCAL_BENCH_EVENT ?? ""};
    }

    static ModuleSide make() {
        string b = env("QGCAL_BENCH_BASE");
        return new ModuleSide(new QorusGcal::Client({
            "client_id": "emulator-client",
            "client_secret": "emulator-secret",
            "endpoints": {
                "auth_url": b + "/o/oauth2/v2/auth",
                "token_url": b + "/token",
                "revoke_url": b + "/revoke",
                "api_base_url": b + "/calendar/v3/",
                "batch_url": b + "/batch/calendar/v3",
            },
            "token": {"access_token": env("QGCAL_BENCH_TOKEN"), "token_type": "Bearer",
                "expires_at": now_us().getEpochSeconds() + 80000},
        }));
    }

    auto get() {
        return c.call("events.get", get_params);
    }

    nothing warm() {
        c.call("colors.get");
    }

    nothing insert(int i) {
        c.call("events.insert", {"calendarId": "primary"}, event_body(i));
    }

    int listAll() {
        return c.listAll("events.list", {"calendarId": "primary", "maxResults": 2500}).size();
    }

    int listPages() {
        QorusGcal::Pager p = c.pager("events.list", {"calendarId": "primary", "maxResults": 2500});
        int n = 0;
        hash<auto> page;
        do {
            page = p.next();
            n += page.items.size();
        } while (page.more);
        return n;
    }

    Side forThread() {
        return self;
    }

    # the loop of run_get() with the module's work for one call but no request: the parameters to JSON, the
    # answer from JSON (and the previous one freed)
    hash<auto> hostWork(int n) {
        string answer = QorusGcal::toJson(get());
        list<int> lat = ();
        int t0 = now_ns();
        for (int i = 0; i < n; ++i) {
            int a = now_ns();
            QorusGcal::toJson(get_params);
            QorusGcal::fromJson(answer);
            lat += now_ns() - a;
        }
        return {"host_us": (now_ns() - t0) / 1000.0 / n};
    }
}

class GrcSide inherits Side {
    private {
        GoogleRestClient rc;
        string get_path;
        bool nodelay;
    }

    constructor(bool nodelay) {
        self.nodelay = nodelay;
        rc = new GoogleRestClient({"url": env("QGCAL_BENCH_BASE") + "/calendar/v3",
            "token": env("QGCAL_BENCH_TOKEN")});
        if (nodelay) {
            rc.setNoDelay(True);
        }
        get_path = "calendars/primary/events/" + (ENV.QGCAL_BENCH_EVENT ?? "");
    }

    auto get() {
        return rc.get(get_path).body;
    }

    nothing warm() {
        rc.get("colors");
    }

    nothing insert(int i) {
        rc.post("calendars/primary/events", event_body(i));
    }

    private hash<auto> page(*string token) {
        string path = "calendars/primary/events?maxResults=2500";
        if (token) {
            path += "&pageToken=" + encode_url(token, True);
        }
        return rc.get(path).body;
    }

    int listAll() {
        list<auto> items = ();
        *string token;
        do {
            hash<auto> p = page(token);
            items += p.items ?? ();
            token = p.nextPageToken;
        } while (token);
        return items.size();
    }

    int listPages() {
        int n = 0;
        *string token;
        do {
            hash<auto> p = page(token);
            n += p.items.size();
            token = p.nextPageToken;
        } while (token);
        return n;
    }

    Side forThread() {
        return new GrcSide(nodelay);
    }
}

Side sub make_side(string name) {
    switch (name) {
        case "module": return ModuleSide::make();
        case "grc": return new GrcSide(False);
        case "grc-nodelay": return new GrcSide(True);
    }
    throw "BENCH-USAGE", sprintf("unknown side %y", name);
}

hash<auto> sub run_get(Side s, int n) {
    map s.get(), xrange(200);
    hash<auto> host = s.hostWork(n);
    list<int> lat = ();
    float c0 = cpu_us();
    int t0 = now_ns();
    for (int i = 0; i < n; ++i) {
        int a = now_ns();
        s.get();
        lat += now_ns() - a;
    }
    int wall = now_ns() - t0;
    float cpu = cpu_us() - c0;
    lat = sort(lat);
    return {"per_s": n * 1e9 / wall, "p50_us": lat[n / 2] / 1000.0, "cpu_us": cpu / n} + host;
}

hash<auto> sub run_threads(Side s, int threads, int total) {
    int per = total / threads;
    list<Side> sides = map s.forThread(), xrange(threads);
    map $1.get(), sides;
    Counter started(threads);
    Counter done(threads);
    Gate gate();
    gate.enter();
    foreach Side ts in (sides) {
        background sub () {
            started.dec();
            gate.enter();
            gate.exit();
            on_exit done.dec();
            for (int i = 0; i < per; ++i) {
                ts.get();
            }
        }();
    }
    started.waitForZero();
    float c0 = cpu_us();
    int t0 = now_ns();
    gate.exit();
    done.waitForZero();
    int wall = now_ns() - t0;
    float cpu = cpu_us() - c0;
    return {"per_s": per * threads * 1e9 / wall, "cpu_us": cpu / (per * threads)};
}

hash<auto> sub run_list(Side s, bool pages) {
    s.warm();
    int idle = status_kib("VmHWM:");
    float c0 = cpu_us();
    int t0 = now_ns();
    int items = pages ? s.listPages() : s.listAll();
    int wall = now_ns() - t0;
    float cpu = cpu_us() - c0;
    return {"ms": wall / 1e6, "items": items, "cpu_us": items ? cpu / items : 0.0, "idle_kib": idle,
        "peak_kib": status_kib("VmHWM:")};
}

hash<auto> sub run_inserts(Side s, int n) {
    s.warm();
    float c0 = cpu_us();
    int t0 = now_ns();
    for (int i = 0; i < n; ++i) {
        s.insert(i);
    }
    int wall = now_ns() - t0;
    float cpu = cpu_us() - c0;
    return {"ms": wall / 1e6 / n, "cpu_us": cpu / n};
}

list<string> args = ARGV ?? ();
if (args.size() < 2) {
    stderr.printf("usage: qore speed-side.q module|grc|grc-nodelay get N|threads T N|list|list-pager|list-pages|"
        "inserts N\n");
    exit(2);
}
Side side = make_side(args[0]);
hash<auto> r;
switch (args[1]) {
    case "get": r = run_get(side, args[2].toInt()); break;
    case "threads": r = run_threads(side, args[2].toInt(), args[3].toInt()); break;
    case "list": r = run_list(side, False); break;
    case "list-pager":
    case "list-pages": r = run_list(side, True); break;
    case "inserts": r = run_inserts(side, args[2].toInt()); break;
    default: throw "BENCH-USAGE", sprintf("unknown workload %y", args[1]);
}
printf("%s\n", make_json(r));
