//! Measurements that need a process of their own: peak RSS while listing, cold start, and the raw
//! client out of process (the C program's counterpart: both then reach the emulator across processes).
//! The parent passes the target in `QGCAL_BENCH_TARGET` (and the event id and thread count for the
//! raw rows in `QGCAL_BENCH_EVENT` and `QGCAL_BENCH_THREADS`) and reads one JSON line back.

use std::time::Instant;

use qorus_gcal::BlockingClient;
use qorus_gcal::calendar::call::CallOptions;
use qorus_gcal::calendar::pager::Pager;
use serde_json::{Value, json};

use crate::setup::{Raw, Target, config};

pub const ENV: &str = "QGCAL_BENCH_TARGET";

pub fn encode(t: &Target) -> String {
    json!({"urls": t.urls, "access_token": t.access_token, "refresh_token": t.refresh_token})
        .to_string()
}

fn target() -> Target {
    let v: Value =
        serde_json::from_str(&std::env::var(ENV).expect("target env")).expect("target JSON");
    Target {
        urls: serde_json::from_value(v["urls"].clone()).expect("urls"),
        access_token: v["access_token"].as_str().unwrap_or_default().into(),
        refresh_token: v["refresh_token"].as_str().unwrap_or_default().into(),
    }
}

fn event() -> String {
    std::env::var("QGCAL_BENCH_EVENT").expect("QGCAL_BENCH_EVENT")
}

fn env_count(name: &str) -> Option<usize> {
    std::env::var(name).ok().and_then(|n| n.parse().ok())
}

/// Peak resident set size so far, in KiB.
fn vm_hwm_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}

pub fn run(mode: &str, started: Instant) {
    let t = target();
    let answer = match mode {
        "list-lib" => list_lib(&t),
        "list-raw" => list_raw(&t),
        "cold-lib" => {
            let lib = BlockingClient::from_json(&config(&t, false)).expect("client");
            lib.call("colors.get", &Value::Null, None, &CallOptions::default())
                .expect("first call");
            json!({"ms": started.elapsed().as_secs_f64() * 1e3})
        }
        "cold-raw" => {
            Raw::new(&t).get("colors", &[]);
            json!({"ms": started.elapsed().as_secs_f64() * 1e3})
        }
        "raw-latency" => {
            let calls = env_count("QGCAL_BENCH_CALLS").unwrap_or(crate::rows::LATENCY_CALLS);
            let l = crate::rows::raw_latency(&Raw::new(&t), &event(), calls);
            json!({"p50_us": l.p50.as_secs_f64() * 1e6, "p99_us": l.p99.as_secs_f64() * 1e6})
        }
        "raw-throughput" => {
            let threads = env_count("QGCAL_BENCH_THREADS").expect("QGCAL_BENCH_THREADS");
            let raw = Raw::new(&t);
            let path = format!("calendars/primary/events/{}", event());
            for _ in 0..50 {
                raw.get(&path, &[]);
            }
            let per_s = crate::rows::throughput(threads, crate::rows::raw_get(raw, &event()));
            json!({ "per_s": per_s })
        }
        "users-lib" => crate::network::users_lib(
            &t,
            &std::env::var("QGCAL_BENCH_USERS").expect("QGCAL_BENCH_USERS"),
        ),
        other => panic!("unknown child mode {other}"),
    };
    println!("{answer}");
}

fn list_lib(t: &Target) -> Value {
    let lib = BlockingClient::from_json(&config(t, false)).expect("client");
    lib.call("colors.get", &Value::Null, None, &CallOptions::default())
        .expect("warm-up");
    let idle = vm_hwm_kib();
    let start = Instant::now();
    let mut pager = Pager::new(
        lib.client().clone(),
        "events.list",
        &json!({"calendarId": "primary", "maxResults": 2500}),
    )
    .expect("pager");
    let mut items = 0usize;
    loop {
        let (next, page) = qorus_gcal::runtime::block_on(async move {
            let page = pager.next_page().await?;
            Ok((pager, page))
        })
        .expect("page");
        pager = next;
        match page {
            Some(page) => {
                items += page.items.len();
                if !page.more {
                    break;
                }
            }
            None => break,
        }
    }
    json!({"secs": start.elapsed().as_secs_f64(), "items": items, "idle_kib": idle, "peak_kib": vm_hwm_kib()})
}

fn list_raw(t: &Target) -> Value {
    let raw = Raw::new(t);
    raw.get("colors", &[]);
    let idle = vm_hwm_kib();
    let start = Instant::now();
    let mut items = 0usize;
    let mut token: Option<String> = None;
    loop {
        let mut query = vec![("maxResults", "2500")];
        if let Some(tok) = &token {
            query.push(("pageToken", tok.as_str()));
        }
        let page = raw.get("calendars/primary/events", &query);
        items += page["items"].as_array().map_or(0, Vec::len);
        token = page["nextPageToken"].as_str().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    json!({"secs": start.elapsed().as_secs_f64(), "items": items, "idle_kib": idle, "peak_kib": vm_hwm_kib()})
}
