//! What goes over the wire as Google does it: pretty JSON unless `prettyPrint=false`, gzip only for a
//! client that asks with `Accept-Encoding: gzip` and says "gzip" in its User-Agent; `--latency-ms`;
//! `--tls` with its CA's PEM file in the address line; counters of connections and bytes.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use gcal_emulator::testing::request;
use gcal_emulator::{Emulator, Options};
use serde_json::Value;

fn list(
    emu: &Emulator,
    query: &str,
    headers: &[(&str, &str)],
) -> gcal_emulator::testing::HttpResponse {
    let token = emu.admin().access_token(&[]);
    let auth = format!("Bearer {token}");
    let mut all = vec![("Authorization", auth.as_str())];
    all.extend_from_slice(headers);
    let url = format!("{}users/me/calendarList{query}", emu.urls().api_base_url);
    request("GET", &url, &all, b"").unwrap()
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("valid gzip");
    out
}

#[test]
fn gzip_only_when_asked_the_way_google_requires() {
    let emu = Emulator::start();
    let plain = list(&emu, "", &[]);
    assert_eq!(plain.header("content-encoding"), None);
    let both = list(
        &emu,
        "",
        &[("Accept-Encoding", "gzip"), ("User-Agent", "host/1 (gzip)")],
    );
    assert_eq!(both.header("content-encoding"), Some("gzip"));
    assert_eq!(
        gunzip(&both.body),
        plain.body,
        "the same answer, compressed"
    );
    assert!(both.body.len() < plain.body.len());
    for headers in [
        [("Accept-Encoding", "gzip"), ("User-Agent", "host/1")],
        [
            ("Accept-Encoding", "identity"),
            ("User-Agent", "host/1 (gzip)"),
        ],
    ] {
        assert_eq!(list(&emu, "", &headers).header("content-encoding"), None);
    }
}

#[test]
fn pretty_unless_told_and_compact_when_told() {
    let emu = Emulator::start();
    let pretty = list(&emu, "", &[]);
    let compact = list(&emu, "?prettyPrint=false", &[]);
    assert_eq!(pretty.json(), compact.json());
    assert!(pretty.text().contains("\n  \""), "{}", pretty.text());
    assert!(!compact.text().trim_end().contains('\n'));
    assert!(compact.body.len() < pretty.body.len());
}

#[test]
fn latency_delays_new_connections_and_answers() {
    let emu = Emulator::start_with(Options {
        latency: Duration::from_millis(60),
        ..Options::default()
    })
    .unwrap();
    let start = Instant::now();
    list(&emu, "", &[]);
    // One round trip for the new connection, one for the answer.
    assert!(start.elapsed() >= Duration::from_millis(120));
    emu.admin().set_latency(Duration::ZERO);
    let stats = emu.admin().connection_stats_once_closed();
    assert_eq!(
        stats.accepted, 1,
        "the token was minted in-process: {stats:?}"
    );
    assert_eq!(stats.open, 0, "closed after the answer: {stats:?}");
    assert!(stats.bytes_sent > 0 && stats.bytes_received > 0);
    assert_eq!(stats.tls_handshakes, 0);
}

#[test]
fn the_binary_with_tls_prints_its_ca_file() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gcal-emulator"))
        .args(["--tls", "--latency-ms", "5"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    let urls: Value = serde_json::from_str(&line).unwrap();
    assert!(
        urls["api_base_url"]
            .as_str()
            .unwrap()
            .starts_with("https://127.0.0.1:")
    );
    let ca_file = urls["ca_file"]
        .as_str()
        .expect("ca_file in the address line");
    let pem = std::fs::read_to_string(ca_file).unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert_eq!(child.wait().unwrap().code(), Some(0));
    assert!(
        !std::path::Path::new(ca_file).exists(),
        "the CA file goes with the emulator"
    );
}
