//! Throughput of the emulator on loopback: simple authenticated GETs, batched inserts as the
//! library sends them, and a 100,000-event calendar.
//! Run with `cargo bench -p gcal-emulator`; prints numbers, asserts nothing about time.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use gcal_emulator::Emulator;
use gcal_emulator::testing::{Connection, request};

const CONNECTIONS: usize = 8;
const GET_SECONDS: u64 = 3;
const EVENTS: usize = 100_000;
const BATCH: usize = 1000;
/// The library's insert row: 1,000 inserts in batches of 50, two batch requests in flight.
const ROUND_INSERTS: usize = 1000;
const INSERTS_PER_BATCH: usize = 50;
const BATCHES_IN_FLIGHT: usize = 2;

/// A lean keep-alive GET loop so the client spends little of the shared CPU: one prebuilt request,
/// one reused buffer, answers framed by Content-Length.
fn get_loop(base_url: &str, request: &[u8], stop: &AtomicBool, count: &AtomicU64) {
    let addr = base_url.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_nodelay(true).unwrap();
    let mut buf = vec![0u8; 256 * 1024];
    while !stop.load(Ordering::Relaxed) {
        s.write_all(request).expect("send");
        let mut have = 0;
        loop {
            let n = s.read(&mut buf[have..]).expect("read");
            assert!(n > 0, "connection closed");
            have += n;
            let Some(end) = find(&buf[..have], b"\r\n\r\n") else {
                continue;
            };
            assert!(buf.starts_with(b"HTTP/1.1 200"), "status");
            let head = &buf[..end];
            let len = find(head, b"content-length: ")
                .map(|i| {
                    head[i + 16..]
                        .iter()
                        .take_while(|b| b.is_ascii_digit())
                        .fold(0usize, |a, b| a * 10 + (b - b'0') as usize)
                })
                .expect("content-length");
            if have >= end + 4 + len {
                break;
            }
        }
        count.fetch_add(1, Ordering::Relaxed);
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn simple_gets(emu: &Emulator, token: &str, target: &str) {
    let stop = Arc::new(AtomicBool::new(false));
    let count = Arc::new(AtomicU64::new(0));
    let request = format!(
        "GET {target} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\n\r\n"
    )
    .into_bytes();
    let threads: Vec<_> = (0..CONNECTIONS)
        .map(|_| {
            let (stop, count, request) = (stop.clone(), count.clone(), request.clone());
            let base = emu.urls().base_url.clone();
            std::thread::spawn(move || get_loop(&base, &request, &stop, &count))
        })
        .collect();
    let start = Instant::now();
    std::thread::sleep(Duration::from_secs(GET_SECONDS));
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        t.join().unwrap();
    }
    let n = count.load(Ordering::Relaxed);
    let secs = start.elapsed().as_secs_f64();
    println!(
        "GET {target}: {n} requests over {CONNECTIONS} keep-alive connections in {secs:.2} s = {:.0} req/s",
        n as f64 / secs
    );
}

fn batch_body(boundary: &str, from: usize, n: usize) -> String {
    let mut body = String::with_capacity(n * 300);
    for i in from..from + n {
        let day = 1 + (i % 28);
        let hour = i % 24;
        body.push_str(&format!(
            "--{boundary}\r\nContent-Type: application/http\r\nContent-ID: <e{i}>\r\n\r\n\
             POST /calendar/v3/calendars/primary/events HTTP/1.1\r\nContent-Type: application/json\r\n\r\n\
             {{\"summary\":\"event {i}\",\"start\":{{\"dateTime\":\"2026-02-{day:02}T{hour:02}:00:00Z\"}},\
             \"end\":{{\"dateTime\":\"2026-02-{day:02}T{hour:02}:30:00Z\"}}}}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    body
}

fn big_calendar(emu: &Emulator, token: &str) {
    let auth = format!("Bearer {token}");
    let boundary = "bench_boundary";
    let ct = format!("multipart/mixed; boundary={boundary}");
    let start = Instant::now();
    for from in (0..EVENTS).step_by(BATCH) {
        let body = batch_body(boundary, from, BATCH);
        let r = request(
            "POST",
            &emu.urls().batch_url,
            &[("Authorization", &auth), ("Content-Type", &ct)],
            body.as_bytes(),
        )
        .expect("batch answer");
        assert_eq!(r.status, 200);
    }
    println!(
        "insert {EVENTS} events in {} batches of {BATCH}: {:.2} s",
        EVENTS / BATCH,
        start.elapsed().as_secs_f64()
    );

    let start = Instant::now();
    let mut conn = Connection::open(&emu.urls().base_url).unwrap();
    let (mut items, mut pages) = (0usize, 0usize);
    let mut page_token: Option<String> = None;
    loop {
        let mut target =
            "/calendar/v3/calendars/primary/events?maxResults=2500&prettyPrint=false".to_string();
        if let Some(p) = &page_token {
            target.push_str(&format!("&pageToken={p}"));
        }
        let r = conn
            .send("GET", &target, &[("Authorization", &auth)], b"")
            .unwrap();
        assert_eq!(r.status, 200);
        let j = r.json();
        items += j["items"].as_array().map_or(0, Vec::len);
        pages += 1;
        match j["nextPageToken"].as_str() {
            Some(p) => page_token = Some(p.to_string()),
            None => break,
        }
    }
    assert_eq!(items, EVENTS);
    println!(
        "list {items} events, maxResults=2500, {pages} pages: {:.2} s",
        start.elapsed().as_secs_f64()
    );
}

/// One batch of inserts encoded as the library does it (Content-Length per part), all with the
/// same start time as in the library's benchmark.
fn library_batch(boundary: &str, from: usize, n: usize) -> Vec<u8> {
    let mut out = String::new();
    for i in from..from + n {
        let body = format!(
            "{{\"summary\":\"bench event {i}\",\"start\":{{\"dateTime\":\"2030-01-15T10:00:00Z\"}},\
             \"end\":{{\"dateTime\":\"2030-01-15T11:00:00Z\"}}}}"
        );
        out.push_str(&format!(
            "--{boundary}\r\nContent-Type: application/http\r\nContent-ID: <{i}>\r\n\r\n\
             POST /calendar/v3/calendars/primary/events HTTP/1.1\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}\r\n",
            body.len()
        ));
    }
    out.push_str(&format!("--{boundary}--\r\n"));
    out.into_bytes()
}

/// CPU time (ms) and minor page faults so far of the emulator's threads in this process, from
/// /proc (faults do not move with the machine's load, CPU time does).
fn emulator_usage() -> (f64, u64) {
    let ticks_per_s = 100.0; // USER_HZ on Linux
    let (mut ticks, mut faults) = (0u64, 0u64);
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return (f64::NAN, 0);
    };
    for task in tasks.flatten() {
        let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) else {
            continue;
        };
        let Some((comm, rest)) = stat.split_once(") ") else {
            continue;
        };
        if !comm.ends_with("gcal-emulator") {
            continue;
        }
        // "pid (comm) state ...": minflt is field 10, utime and stime are fields 14 and 15.
        let field = |n: usize| -> u64 {
            rest.split_whitespace()
                .nth(n - 3)
                .and_then(|f| f.parse().ok())
                .unwrap_or(0)
        };
        faults += field(10);
        ticks += field(14) + field(15);
    }
    (ticks as f64 * 1000.0 / ticks_per_s, faults)
}

fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// Rounds of 1,000 inserts as the library's batch row sends them (50 per batch request, two in
/// flight on two keep-alive connections); `BENCH_ROUNDS` rounds, 10 by default.
fn batched_inserts(emu: &Emulator, token: &str) {
    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(10);
    let boundary = "library_boundary";
    let batches: Arc<Vec<Vec<u8>>> = Arc::new(
        (0..ROUND_INSERTS)
            .step_by(INSERTS_PER_BATCH)
            .map(|from| library_batch(boundary, from, INSERTS_PER_BATCH))
            .collect(),
    );
    let auth = format!("Bearer {token}");
    let ct = format!("multipart/mixed; boundary={boundary}");
    let ((cpu0, faults0), rss0, start) = (emulator_usage(), rss_kb(), Instant::now());
    let mut walls = Vec::new();
    for _ in 0..rounds {
        let next = Arc::new(AtomicU64::new(0));
        let round = Instant::now();
        let senders: Vec<_> = (0..BATCHES_IN_FLIGHT)
            .map(|_| {
                let (batches, next, auth, ct) =
                    (batches.clone(), next.clone(), auth.clone(), ct.clone());
                let base = emu.urls().base_url.clone();
                std::thread::spawn(move || {
                    let mut conn = Connection::open(&base).unwrap();
                    let headers = [("Authorization", auth.as_str()), ("Content-Type", &ct)];
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed) as usize;
                        let Some(body) = batches.get(i) else { break };
                        let r = conn
                            .send("POST", "/batch/calendar/v3", &headers, body)
                            .unwrap();
                        assert_eq!(r.status, 200);
                    }
                })
            })
            .collect();
        for s in senders {
            s.join().unwrap();
        }
        walls.push(round.elapsed().as_secs_f64() * 1000.0);
    }
    let total = (rounds * ROUND_INSERTS) as f64;
    let (cpu, faults) = emulator_usage();
    let (cpu, faults) = (cpu - cpu0, faults - faults0);
    walls.sort_by(f64::total_cmp);
    println!(
        "batched inserts: {rounds} rounds of {ROUND_INSERTS} ({INSERTS_PER_BATCH} per batch, \
         {BATCHES_IN_FLIGHT} in flight) in {:.2} s; median round {:.1} ms; emulator CPU {:.1} ms \
         per 1,000; {:.0} page faults per 1,000; RSS +{:.0} bytes per event",
        start.elapsed().as_secs_f64(),
        walls[walls.len() / 2],
        cpu * 1000.0 / total,
        faults as f64 * 1000.0 / total,
        (rss_kb().saturating_sub(rss0) * 1024) as f64 / total
    );
}

fn main() {
    // `cargo test --benches` passes `--bench`-less args; keep the run short there.
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    // BENCH_ONLY=gets|inserts|calendar runs one part.
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    let emu = Emulator::start();
    let token = emu.admin().access_token(&[]);
    if only.is_empty() || only == "gets" {
        simple_gets(&emu, &token, "/calendar/v3/colors");
        simple_gets(&emu, &token, "/calendar/v3/users/me/calendarList/primary");
        simple_gets(&emu, &token, "/calendar/v3/users/me/settings/timezone");
    }
    if only.is_empty() || only == "inserts" {
        // A calendar of its own, so the 100,000-event one below stays exact.
        let user = "bench-inserts@example.com";
        emu.admin().add_user(user);
        batched_inserts(&emu, &emu.admin().access_token_for(user, &[]));
    }
    if only.is_empty() || only == "calendar" {
        emu.admin().clear_requests();
        big_calendar(&emu, &token);
    }
}
