//! The measurements run in this process: latency, throughput, inserts vs batch, refresh storm.

use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use gcal_emulator::Emulator;
use qorus_gcal::BlockingClient;
use qorus_gcal::calendar::batch::{BatchCall, BatchOptions};
use qorus_gcal::calendar::call::CallOptions;
use serde_json::{Value, json};

use crate::setup::{Raw, Target, event, library};

pub const LATENCY_CALLS: usize = 4_000;
pub const THROUGHPUT_CALLS: usize = 3_200;
pub const INSERTS: usize = 1_000;
/// Runs per side of a wall-clock comparison, taken in turn (`in_turn` in main.rs); the median of each
/// side is reported. The shared 2-core machine moves single runs by 10-20%; a median's own wobble shrinks
/// with the square root of the runs (21 runs cost about 40 s more than 9). Drift over minutes remains.
pub const RUNS: usize = 21;
pub const STORM_THREADS: usize = 64;
/// Runs per side of the listing row: each lists 100,000 events (about a second), so fewer.
pub const LIST_RUNS: usize = 5;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

pub struct Latency {
    pub p50: Duration,
    pub p99: Duration,
}

fn summarize(mut samples: Vec<Duration>) -> Latency {
    samples.sort();
    Latency {
        p50: percentile(&samples, 0.50),
        p99: percentile(&samples, 0.99),
    }
}

/// events.get of one event, sequentially. The two clients take turns call by call, each going first in
/// every other pair, so a stall of the machine (this process also hosts the emulator) hits both alike
/// (in rounds of hundreds of calls per side, one stall could decide one side's p99).
pub fn latency(lib: &BlockingClient, raw: &Raw, event_id: &str) -> (Latency, Latency) {
    let params = json!({"calendarId": "primary", "eventId": event_id});
    let path = format!("calendars/primary/events/{event_id}");
    let opts = CallOptions::default();
    let lib_get = || {
        let s = Instant::now();
        lib.call("events.get", &params, None, &opts)
            .expect("events.get");
        s.elapsed()
    };
    let raw_get = || {
        let s = Instant::now();
        raw.get(&path, &[]);
        s.elapsed()
    };
    for _ in 0..200 {
        lib_get();
        raw_get();
    }
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for pair in 0..LATENCY_CALLS {
        if pair % 2 == 0 {
            a.push(lib_get());
            b.push(raw_get());
        } else {
            b.push(raw_get());
            a.push(lib_get());
        }
    }
    (summarize(a), summarize(b))
}

/// The raw client alone, right after the C program's run, with the same warm-up and count.
pub fn raw_latency(raw: &Raw, event_id: &str, calls: usize) -> Latency {
    let path = format!("calendars/primary/events/{event_id}");
    for _ in 0..200 {
        raw.get(&path, &[]);
    }
    let samples = (0..calls)
        .map(|_| {
            let s = Instant::now();
            raw.get(&path, &[]);
            s.elapsed()
        })
        .collect();
    summarize(samples)
}

/// Calls per second with `threads` host threads sharing one client.
pub fn throughput(threads: usize, work: Arc<dyn Fn() + Send + Sync>) -> f64 {
    let per_thread = THROUGHPUT_CALLS / threads;
    let barrier = Arc::new(Barrier::new(threads + 1));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (barrier, work) = (barrier.clone(), work.clone());
            std::thread::spawn(move || {
                barrier.wait();
                for _ in 0..per_thread {
                    work();
                }
            })
        })
        .collect();
    barrier.wait();
    let start = Instant::now();
    for h in handles {
        h.join().expect("worker");
    }
    (per_thread * threads) as f64 / start.elapsed().as_secs_f64()
}

pub fn lib_get(lib: BlockingClient, event_id: &str) -> Arc<dyn Fn() + Send + Sync> {
    let params = json!({"calendarId": "primary", "eventId": event_id});
    Arc::new(move || {
        lib.call("events.get", &params, None, &CallOptions::default())
            .expect("events.get");
    })
}

pub fn raw_get(raw: Raw, event_id: &str) -> Arc<dyn Fn() + Send + Sync> {
    let path = format!("calendars/primary/events/{event_id}");
    Arc::new(move || {
        raw.get(&path, &[]);
    })
}

/// 1,000 events.insert one by one, then the same through batches of 50: wall times, the median of
/// [`RUNS`] alternating rounds.
pub fn inserts(lib: &BlockingClient) -> (Duration, Duration) {
    let params = json!({"calendarId": "primary"});
    let calls: Vec<BatchCall> = (0..INSERTS)
        .map(|i| BatchCall {
            method: "events.insert".into(),
            params: params.clone(),
            body: Some(event(i)),
        })
        .collect();
    let (mut single, mut batched) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let start = Instant::now();
        for i in 0..INSERTS {
            lib.call(
                "events.insert",
                &params,
                Some(&event(i)),
                &CallOptions::default(),
            )
            .expect("insert");
        }
        single.push(start.elapsed());
        let start = Instant::now();
        let results = lib
            .batch(&calls, &BatchOptions::chunks_of(50))
            .expect("batch");
        batched.push(start.elapsed());
        assert!(
            results.iter().all(|r| r["status"] == 200),
            "every batched insert succeeds"
        );
    }
    single.sort();
    batched.sort();
    (single[RUNS / 2], batched[RUNS / 2])
}

/// 64 threads start together on a client whose access token has expired: token requests and time.
pub fn refresh_storm(emu: &Emulator, t: &Target) -> (usize, Duration) {
    let lib = BlockingClient::from_json(&crate::setup::config(t, true)).expect("client");
    let before = emu.admin().request_total();
    let barrier = Arc::new(Barrier::new(STORM_THREADS + 1));
    let handles: Vec<_> = (0..STORM_THREADS)
        .map(|_| {
            let (lib, barrier) = (lib.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                lib.call("colors.get", &Value::Null, None, &CallOptions::default())
                    .expect("colors.get after the refresh");
            })
        })
        .collect();
    barrier.wait();
    let start = Instant::now();
    for h in handles {
        h.join().expect("storm thread");
    }
    let took = start.elapsed();
    let token_requests = emu
        .admin()
        .requests_since(before)
        .iter()
        .filter(|r| r.path == "/token")
        .count();
    (token_requests, took)
}

/// A fresh library client for the throughput rows (so each row starts from the same state).
pub fn fresh_lib(t: &Target) -> BlockingClient {
    library(t)
}
