//! The results table: printed, and written as Markdown next to the build output.

use std::fmt::Write as _;
use std::time::Duration;

use serde_json::Value;

pub struct Table {
    rows: Vec<[String; 6]>,
}

fn us(d: Duration) -> String {
    format!("{:.0}", d.as_secs_f64() * 1e6)
}

fn ratio(x: f64) -> String {
    format!("{x:.2}×")
}

fn verdict(ok: bool) -> String {
    if ok { "met" } else { "NOT met" }.to_string()
}

impl Table {
    pub fn new() -> Table {
        Table { rows: Vec::new() }
    }

    fn row(
        &mut self,
        what: &str,
        lib: String,
        other: String,
        ratio: String,
        target: &str,
        ok: Option<bool>,
    ) {
        let verdict = ok.map(verdict).unwrap_or_default();
        self.rows
            .push([what.into(), lib, other, ratio, target.into(), verdict]);
        let r = self.rows.last().expect("row");
        eprintln!(
            "   {} | {} | {} | {} | {} {}",
            r[0], r[1], r[2], r[3], r[4], r[5]
        );
    }

    pub fn latency(&mut self, what: &str, lib: Duration, raw: Duration) {
        let x = lib.as_secs_f64() / raw.as_secs_f64();
        self.row(
            what,
            us(lib),
            us(raw),
            ratio(x),
            "lib/raw ≤ 1.10",
            Some(x <= 1.10),
        );
    }

    pub fn instructions(&mut self, lib: f64, raw: f64) {
        let x = lib / raw;
        self.row(
            "1. client instructions per events.get via the C ABI (callgrind; raw out of process too)",
            format!("{:.0}k", lib / 1e3),
            format!("{:.0}k", raw / 1e3),
            ratio(x),
            "lib/raw ≤ 1.10",
            Some(x <= 1.10),
        );
    }

    pub fn throughput(&mut self, what: &str, lib: f64, raw: f64) {
        let x = lib / raw;
        self.row(
            what,
            format!("{lib:.0}"),
            format!("{raw:.0}"),
            ratio(x),
            "lib/raw ≥ 0.90",
            Some(x >= 0.9),
        );
    }

    pub fn python(&mut self, lib: f64, py: f64) {
        let x = lib / py;
        self.row(
            "3. events.get/s, 1 thread, vs Google's Python client",
            format!("{lib:.0}"),
            format!("{py:.0} (python)"),
            ratio(x),
            "lib/python ≥ 10",
            Some(x >= 10.0),
        );
    }

    pub fn skipped(&mut self, what: &str, why: &str) {
        eprintln!("   {what}: SKIPPED: {why}");
        self.row(
            what,
            "skipped".into(),
            "skipped".into(),
            String::new(),
            why,
            None,
        );
    }

    /// Row 4 for one way of listing: the median wall time and peak-RSS growth of the runs of each side.
    pub fn listing(&mut self, via: &str, lib: &[Value], raw: &[Value], expected: usize) {
        for run in lib.iter().chain(raw) {
            assert_eq!(
                run["items"].as_u64(),
                Some(expected as u64),
                "every event seen: {run}"
            );
        }
        let median_of =
            |runs: &[Value], f: &dyn Fn(&Value) -> f64| crate::median(runs.iter().map(f).collect());
        let secs = |v: &Value| v["secs"].as_f64().unwrap_or(f64::NAN);
        let growth = |v: &Value| {
            (v["peak_kib"]
                .as_u64()
                .unwrap_or(0)
                .saturating_sub(v["idle_kib"].as_u64().unwrap_or(0))) as f64
                / 1024.0
        };
        let (a, b) = (median_of(lib, &secs), median_of(raw, &secs));
        let x = a / b;
        self.row(
            &format!(
                "4. list {expected} events, maxResults=2500, {via}: wall s (median of {})",
                lib.len()
            ),
            format!("{a:.2}"),
            format!("{b:.2}"),
            ratio(x),
            "lib/raw ≤ 1.5",
            Some(x <= 1.5),
        );
        let (ga, gb) = (median_of(lib, &growth), median_of(raw, &growth));
        self.row(
            &format!("4. same, {via}: peak RSS above an idle client (MiB)"),
            format!("{ga:.1}"),
            format!("{gb:.1}"),
            ratio(ga / gb.max(0.1)),
            "lib < 64 MiB",
            Some(ga < 64.0),
        );
    }

    pub fn inserts(&mut self, via: &str, n: usize, single: Duration, batched: Duration) {
        let x = single.as_secs_f64() / batched.as_secs_f64();
        self.row(
            &format!("5. {n} events.insert, {via}: one by one vs batches of 50 (ms)"),
            format!("{:.1} batch", batched.as_secs_f64() * 1e3),
            format!("{:.1} single", single.as_secs_f64() * 1e3),
            format!("{x:.1}× faster"),
            "batch ≥ 5× faster",
            Some(x >= 5.0),
        );
    }

    pub fn storm(&mut self, threads: usize, token_requests: usize, took: Duration) {
        self.row(
            &format!("6. refresh storm, {threads} threads, expired token"),
            format!(
                "{token_requests} token request(s), {:.1} ms",
                took.as_secs_f64() * 1e3
            ),
            "n/a".into(),
            String::new(),
            "exactly 1 token request",
            Some(token_requests == 1),
        );
    }

    pub fn cold(&mut self, what: &str, lib: f64, raw: f64) {
        self.row(
            what,
            format!("{lib:.1}"),
            format!("{raw:.1}"),
            ratio(lib / raw),
            "(reported)",
            None,
        );
    }

    /// Row 8: bytes of the same full sync, after (gzip, compact JSON) and before.
    pub fn sync_bytes(&mut self, events: usize, b: &crate::network::SyncBytes) {
        let kib = |n: u64| format!("{:.0} KiB", n as f64 / 1024.0);
        let fewer = b.before as f64 / b.library as f64;
        self.row(
            &format!(
                "8. bytes received, full sync of {events} events (pages of 2500), gzip + prettyPrint=false vs the requests of before"
            ),
            kib(b.library),
            format!("{} before", kib(b.before)),
            format!("{fewer:.1}× fewer"),
            "≥ 5× fewer",
            Some(fewer >= 5.0),
        );
        let x = b.library as f64 / b.raw_mirror as f64;
        self.row(
            "8. same, raw reqwest sending the library's requests",
            kib(b.library),
            kib(b.raw_mirror),
            ratio(x),
            "lib/raw ≤ 1.05",
            Some(x <= 1.05),
        );
    }

    /// Row 9 against Google's Python client: wall seconds and TLS handshakes on each side.
    pub fn users_python(&mut self, what: &str, lib: (f64, u64), python: (f64, u64)) {
        let faster = python.0 / lib.0;
        self.row(
            what,
            format!("{:.2} s, {} handshake(s)", lib.0, lib.1),
            format!("{:.2} s, {} handshake(s) (python)", python.0, python.1),
            format!("{faster:.1}× faster"),
            "lib ≥ 10× faster",
            Some(faster >= 10.0),
        );
    }

    /// Row 9 against the RTT-bound limit.
    pub fn users_limit(&mut self, what: &str, lib: f64, limit: f64) {
        let x = lib / limit;
        self.row(
            what,
            format!("{lib:.2} s"),
            format!("{limit:.2} s (limit)"),
            ratio(x),
            "lib/limit ≤ 1.25",
            Some(x <= 1.25),
        );
    }

    pub fn finish(&self, took: Duration) {
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split(':').nth(1))
                    .map(|m| m.trim().to_string())
            })
            .unwrap_or_else(|| "unknown CPU".into());
        let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
        // Other work on the machine skews every row; say how busy it was.
        let load = std::fs::read_to_string("/proc/loadavg")
            .ok()
            .and_then(|s| s.split_whitespace().next().map(str::to_string))
            .unwrap_or_else(|| "?".into());
        let mut md = String::new();
        let _ = writeln!(
            md,
            "qorus-gcal {} vs a bare reqwest client, against the in-process emulator on loopback\n\
             machine: {cpu}, {cores} cores, {} {}, load average {load} at the end; whole run {:.0} s; \
             reproduce with `cargo bench -p qgcal`\n",
            qorus_gcal::VERSION,
            std::env::consts::OS,
            std::env::consts::ARCH,
            took.as_secs_f64()
        );
        let _ = writeln!(md, "| row | qorus-gcal | raw reqwest | ratio | target | |");
        let _ = writeln!(md, "|---|---:|---:|---:|---|---|");
        for r in &self.rows {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} |",
                r[0], r[1], r[2], r[3], r[4], r[5]
            );
        }
        println!("\n{md}");
        let dir = std::env::var("CARGO_TARGET_DIR")
            .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../target").into());
        let path = std::path::Path::new(&dir).join("bench-results.md");
        match std::fs::write(&path, &md) {
            Ok(()) => println!("written to {}", path.display()),
            Err(e) => eprintln!("could not write {}: {e}", path.display()),
        }
    }
}
