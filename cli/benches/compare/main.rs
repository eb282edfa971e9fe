//! `cargo bench -p qgcal`: qorus-gcal side by side with a bare reqwest client (the limit), all
//! against the in-process emulator on loopback. Prints a table with ratios and writes it to
//! `$CARGO_TARGET_DIR/bench-results.md` (default `target/bench-results.md`).
//!
//! `QGCAL_BENCH_SKIP_PYTHON=1` skips row 3 and row 9's Python sides (Google's Python client, installed into a virtualenv from
//! PyPI on first use); `QGCAL_BENCH_RAW_SPAWN=1` makes the raw client hand each request to its
//! runtime as the library does (a diagnostic for the throughput rows); `QGCAL_BENCH_ROWS=1,5` runs only
//! those rows; `QGCAL_BENCH_CDYLIB=path/libqorus_gcal.so` runs the C-ABI sides on another build.

mod cabi;
mod child;
mod instructions;
mod network;
mod python;
mod rows;
mod setup;
mod table;

use std::process::Command;
use std::time::Instant;

use qorus_gcal::calendar::call::CallOptions;
use serde_json::{Value, json};

use qorus_gcal::BlockingClient;
use setup::{Raw, Target, library, token};
use table::Table;

const LIST_EVENTS: usize = 100_000;
const LIST_USER: &str = "list@example.com";

fn main() {
    let started = Instant::now();
    let args: Vec<String> = std::env::args().collect();
    if let Some(pos) = args.iter().position(|a| a == "--child") {
        child::run(&args[pos + 1], started);
        return;
    }
    let emu = gcal_emulator::Emulator::start();
    let (access_token, refresh_token) = token(&emu);
    let t = Target {
        urls: emu.urls().clone(),
        access_token,
        refresh_token,
    };
    let mut table = Table::new();
    eprintln!("qgcal bench: emulator at {}", t.urls.base_url);

    let lib = library(&t);
    let raw = Raw::new(&t);
    let created = lib
        .call(
            "events.insert",
            &json!({"calendarId": "primary"}),
            Some(&setup::event(0)),
            &CallOptions::default(),
        )
        .expect("insert the event to get");
    let id = created["id"].as_str().expect("event id").to_string();

    let c = cabi::build();
    let want = wanted_rows();
    if want(1) {
        row_latency(&t, &lib, &raw, &id, &c, &mut table);
    }
    if want(2) {
        row_throughput(&t, &id, &c, &mut table);
    }
    if want(3) {
        row_python(&t, &id, &mut table);
    }
    if want(4) {
        row_listing(&emu, &t, &id, &c, &mut table);
    }
    if want(5) {
        row_inserts(&t, &lib, &id, &c, &mut table);
    }
    if want(6) {
        row_storm(&emu, &t, &mut table);
    }
    if want(7) {
        row_cold(&t, &id, &c, &mut table);
    }
    if want(8) {
        eprintln!("8. bytes of a full sync of {} events", network::SYNC_EVENTS);
        let bytes = network::sync_bytes(&emu);
        table.sync_bytes(network::SYNC_EVENTS, &bytes);
    }
    if want(9) {
        row_users(&mut table);
    }
    table.finish(started.elapsed());
}

/// `QGCAL_BENCH_ROWS` (say `1,5`) picks the rows to run; unset, all run.
fn wanted_rows() -> impl Fn(u8) -> bool {
    let picked: Option<Vec<u8>> = std::env::var("QGCAL_BENCH_ROWS").ok().map(|v| {
        v.split(',')
            .map(|n| {
                n.trim()
                    .parse()
                    .expect("QGCAL_BENCH_ROWS: row numbers, comma-separated")
            })
            .collect()
    });
    move |row| picked.as_ref().is_none_or(|p| p.contains(&row))
}

fn row_latency(
    t: &Target,
    lib: &BlockingClient,
    raw: &Raw,
    id: &str,
    c: &Result<cabi::CBench, String>,
    table: &mut Table,
) {
    eprintln!("1. events.get latency");
    let (l, r) = rows::latency(lib, raw, id);
    table.latency("1. events.get p50 (µs)", l.p50, r.p50);
    table.latency("1. events.get p99 (µs)", l.p99, r.p99);

    match c {
        Ok(c) => {
            let n = (rows::LATENCY_CALLS / 2).to_string();
            // The raw client in a process of its own too, so both cross the same process boundary;
            // runs of half the calls each, in turn (see `in_turn`), the median of each percentile.
            let raw_env = [("QGCAL_BENCH_EVENT", id), ("QGCAL_BENCH_CALLS", &n)];
            let [v, r] = in_turn([&mut || c.run(t, id, &["latency", &n]), &mut || {
                in_child("raw-latency", t, &raw_env)
            }]);
            let us = |runs: &[Value], k: &str| {
                let values = runs.iter().map(|v| v[k].as_f64().unwrap_or(0.0)).collect();
                std::time::Duration::from_secs_f64(median(values) / 1e6)
            };
            table.latency(
                &format!("1. events.get p50 via the C ABI, raw client out of process too (µs, median of {} runs)", rows::RUNS),
                us(&v, "p50_us"),
                us(&r, "p50_us"),
            );
            table.latency(
                &format!("1. events.get p99 via the C ABI, raw client out of process too (µs, median of {} runs)", rows::RUNS),
                us(&v, "p99_us"),
                us(&r, "p99_us"),
            );
        }
        Err(why) => table.skipped("1. events.get via the C ABI", why),
    }
    if let Ok(c) = &c {
        eprintln!("1. client instructions per events.get (callgrind)");
        let lib = instructions::per_call(|n| c.command(t, id, &["latency", &n.to_string()]));
        let raw = instructions::per_call(|n| {
            child_command(
                "raw-latency",
                t,
                &[
                    ("QGCAL_BENCH_EVENT", id),
                    ("QGCAL_BENCH_CALLS", &n.to_string()),
                ],
            )
        });
        match (lib, raw) {
            (Ok(a), Ok(b)) => table.instructions(a, b),
            (Err(why), _) | (_, Err(why)) => {
                table.skipped("1. client instructions per events.get via the C ABI", &why)
            }
        }
    }
}

fn row_throughput(t: &Target, id: &str, c: &Result<cabi::CBench, String>, table: &mut Table) {
    eprintln!("2. throughput");
    for threads in [1, 4, 16] {
        // Rounds in turn (see `in_turn`), the median of each side.
        let (lib_work, raw_work) = (
            rows::lib_get(rows::fresh_lib(t), id),
            rows::raw_get(Raw::new(t), id),
        );
        let [a, b] = in_turn([
            &mut || rows::throughput(threads, lib_work.clone()),
            &mut || rows::throughput(threads, raw_work.clone()),
        ]);
        let raw_rate = median(b);
        table.throughput(
            &format!("2. events.get/s, {threads} thread(s)"),
            median(a),
            raw_rate,
        );
        if let Ok(c) = &c {
            let (total, n) = (rows::THROUGHPUT_CALLS.to_string(), threads.to_string());
            let env = [("QGCAL_BENCH_EVENT", id), ("QGCAL_BENCH_THREADS", &n)];
            let per_s = |v: Value| v["per_s"].as_f64().unwrap_or(0.0);
            let [a, b] = in_turn([
                &mut || per_s(c.run(t, id, &["throughput", &n, &total])),
                &mut || per_s(in_child("raw-throughput", t, &env)),
            ]);
            table.throughput(
                &format!(
                    "2. events.get/s, {threads} thread(s), via the C ABI, raw client out of process too"
                ),
                median(a),
                median(b),
            );
        }
    }
}

fn row_python(t: &Target, id: &str, table: &mut Table) {
    match python::run(t, id) {
        Ok(rate) => {
            let a = rows::throughput(1, rows::lib_get(rows::fresh_lib(t), id));
            table.python(a, rate);
        }
        Err(why) => table.skipped("3. Google's Python client, events.get/s", &why),
    }
}

fn row_listing(
    emu: &gcal_emulator::Emulator,
    t: &Target,
    id: &str,
    c: &Result<cabi::CBench, String>,
    table: &mut Table,
) {
    eprintln!("4. listing {LIST_EVENTS} events");
    populate(emu);
    let (list_access, list_refresh) = list_token(emu);
    let list_target = Target {
        urls: t.urls.clone(),
        access_token: list_access,
        refresh_token: list_refresh,
    };
    // Each run in a process of its own (peak RSS is per process), the sides in turn (see `in_turn`).
    let [lib, raw, via_c] = in_turn_runs(
        rows::LIST_RUNS,
        [
            &mut || in_child("list-lib", &list_target, &[]),
            &mut || in_child("list-raw", &list_target, &[]),
            &mut || {
                c.as_ref()
                    .map_or(Value::Null, |c| c.run(&list_target, id, &["list"]))
            },
        ],
    );
    table.listing("the Rust API's pager", &lib, &raw, LIST_EVENTS);
    if c.is_ok() {
        table.listing("the C ABI's qgcal_pager_next", &via_c, &raw, LIST_EVENTS);
    }
}

fn row_inserts(
    t: &Target,
    lib: &BlockingClient,
    id: &str,
    c: &Result<cabi::CBench, String>,
    table: &mut Table,
) {
    eprintln!("5. {} inserts", rows::INSERTS);
    let (single, batched) = rows::inserts(lib);
    table.inserts("Rust API", rows::INSERTS, single, batched);
    if let Ok(c) = &c {
        // Rounds in processes of their own, the median of each side.
        let n = rows::INSERTS.to_string();
        let runs: Vec<Value> = (0..rows::RUNS)
            .map(|_| c.run(t, id, &["inserts", &n]))
            .collect();
        let side = |k: &str| {
            std::time::Duration::from_secs_f64(median(
                runs.iter()
                    .map(|v| v[k].as_f64().unwrap_or(f64::NAN))
                    .collect(),
            ))
        };
        table.inserts(
            "C ABI, qgcal_batch",
            rows::INSERTS,
            side("single_s"),
            side("batch_s"),
        );
    }
}

fn row_storm(emu: &gcal_emulator::Emulator, t: &Target, table: &mut Table) {
    eprintln!("6. refresh storm");
    let (token_requests, took) = rows::refresh_storm(emu, t);
    table.storm(rows::STORM_THREADS, token_requests, took);
}

fn row_cold(t: &Target, id: &str, c: &Result<cabi::CBench, String>, table: &mut Table) {
    eprintln!("7. cold start");
    let ms = |answer: Value| answer["ms"].as_f64().unwrap_or(f64::NAN);
    let [lib, raw, via_c] = in_turn([
        &mut || ms(in_child("cold-lib", t, &[])),
        &mut || ms(in_child("cold-raw", t, &[])),
        &mut || c.as_ref().map_or(f64::NAN, |c| ms(c.run(t, id, &["cold"]))),
    ]);
    let raw = median(raw);
    table.cold(
        &format!(
            "7. cold start, Rust API: process start to first call (ms, median of {})",
            rows::RUNS
        ),
        median(lib),
        raw,
    );
    if c.is_ok() {
        table.cold(
            &format!(
                "7. cold start, C ABI: dlopen + client + first call (ms, median of {})",
                rows::RUNS
            ),
            median(via_c),
            raw,
        );
    }
}

fn row_users(table: &mut Table) {
    use network::{LATENCY, USER_RUNS, USER_THREADS, USERS};
    eprintln!(
        "9. {USERS} users, one events.list each, over TLS with {} ms latency, {USER_THREADS} threads",
        LATENCY.as_millis()
    );
    let dir = std::env::var("CARGO_TARGET_DIR")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../target").into());
    let tokens_file = std::path::Path::new(&dir).join("bench-users-tokens.json");
    let emu = network::distant_server(&tokens_file);
    let t = Target {
        urls: emu.urls().clone(),
        access_token: String::new(),
        refresh_token: String::new(),
    };
    let handshakes = || emu.admin().connection_stats().tls_handshakes;
    let tokens = tokens_file.display().to_string();
    // Each run in a process of its own, so each starts without a connection.
    let mut runs: Vec<(f64, u64)> = (0..USER_RUNS)
        .map(|_| {
            let before = handshakes();
            let secs = in_child("users-lib", &t, &[("QGCAL_BENCH_USERS", &tokens)])["secs"]
                .as_f64()
                .unwrap_or(f64::NAN);
            (secs, handshakes() - before)
        })
        .collect();
    runs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let lib = runs[runs.len() / 2];
    let what = |vs: &str| {
        format!(
            "9. {USERS} users × 1 events.list, TLS, {} ms latency, {USER_THREADS} threads: wall s (median of {USER_RUNS}) vs {vs}",
            LATENCY.as_millis()
        )
    };
    let ca = t.urls.ca_file.clone().unwrap_or_default();
    for (per_user, vs) in [
        (true, "Google's Python client, a service per user"),
        (false, "Google's Python client, a service per thread"),
    ] {
        let before = handshakes();
        match python::run_users(&t.urls.api_base_url, &ca, &tokens, USER_THREADS, per_user) {
            Ok(secs) => table.users_python(&what(vs), lib, (secs, handshakes() - before)),
            Err(why) => table.skipped(&what(vs), &why),
        }
    }
    table.users_limit(
        &what("the RTT-bound limit (requests × RTT ÷ streams in flight)"),
        lib.0,
        network::rtt_limit().as_secs_f64(),
    );
    let _ = std::fs::remove_file(&tokens_file);
}

/// Runs every side [`rows::RUNS`] times, one after another, reversing the order every other round
/// (a b, b a, ...): drift hits every side alike, and so does whatever a position favours (measured
/// here: the run right after another process's exit). Answers each side's results.
fn in_turn<T, const N: usize>(sides: [&mut dyn FnMut() -> T; N]) -> [Vec<T>; N] {
    in_turn_runs(rows::RUNS, sides)
}

/// [`in_turn`] with `runs` rounds.
fn in_turn_runs<T, const N: usize>(runs: usize, sides: [&mut dyn FnMut() -> T; N]) -> [Vec<T>; N] {
    let mut results: [Vec<T>; N] = std::array::from_fn(|_| Vec::with_capacity(runs));
    for round in 0..runs {
        let mut order: Vec<usize> = (0..N).collect();
        if round % 2 == 1 {
            order.reverse();
        }
        for side in order {
            results[side].push(sides[side]());
        }
    }
    results
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// 100,000 events for a user of their own, straight into the emulator's state (no HTTP).
fn populate(emu: &gcal_emulator::Emulator) {
    let admin = emu.admin();
    for i in 0..LIST_EVENTS {
        let (status, _) = admin.call(
            LIST_USER,
            "POST",
            "/calendars/primary/events",
            &[],
            Some(&setup::event(i)),
        );
        assert_eq!(status, 200, "populate event {i}");
    }
}

fn list_token(emu: &gcal_emulator::Emulator) -> (String, String) {
    let answer = emu
        .admin()
        .mint_token(gcal_emulator::MintToken {
            user: LIST_USER.into(),
            offline: true,
            ..Default::default()
        })
        .expect("token");
    (
        answer["access_token"].as_str().unwrap_or_default().into(),
        answer["refresh_token"].as_str().unwrap_or_default().into(),
    )
}

/// This bench binary again, in `mode`.
fn child_command(mode: &str, t: &Target, env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(std::env::current_exe().expect("own path"));
    command
        .args(["--child", mode])
        .env(child::ENV, child::encode(t))
        .envs(env.iter().copied());
    command
}

/// Runs this bench binary again in `mode` and reads its one JSON line.
fn in_child(mode: &str, t: &Target, env: &[(&str, &str)]) -> Value {
    let out = child_command(mode, t, env).output().expect("child bench");
    assert!(
        out.status.success(),
        "child {mode} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("child JSON")
}
