//! Push notifications: real bodyless POSTs to loopback listeners with Google's X-Goog-* headers.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::Duration;

use gcal_emulator::Emulator;
use gcal_emulator::testing::post_json;
use serde_json::json;

/// One received POST: request line and headers (lower-case names).
struct Received {
    line: String,
    headers: HashMap<String, String>,
}

fn listener() -> (String, mpsc::Receiver<Received>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in l.incoming() {
            let Ok(mut s) = stream else { return };
            let mut buf = Vec::new();
            let mut chunk = [0u8; 1024];
            while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                match s.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
            let text = String::from_utf8_lossy(&buf).into_owned();
            let mut lines = text.split("\r\n");
            let line = lines.next().unwrap_or("").to_string();
            let headers = lines
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
                .collect();
            if tx.send(Received { line, headers }).is_err() {
                return;
            }
        }
    });
    (format!("http://127.0.0.1:{}/hook", addr.port()), rx)
}

#[test]
fn watch_sends_sync_then_exists_notifications() {
    let emu = Emulator::start();
    let token = emu.admin().access_token(&[]);
    let (address, rx) = listener();
    let api = &emu.urls().api_base_url;
    let watch =
        json!({"id": "chan-1", "type": "web_hook", "address": address, "token": "secret-t"});
    let r = post_json(
        &format!("{api}calendars/primary/events/watch"),
        Some(&token),
        &watch,
    )
    .unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    let resource_id = r.json()["resourceId"].as_str().unwrap().to_string();

    let sync = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("sync notification");
    assert_eq!(sync.line, "POST /hook HTTP/1.1");
    assert_eq!(sync.headers["x-goog-channel-id"], "chan-1");
    assert_eq!(sync.headers["x-goog-resource-state"], "sync");
    assert_eq!(sync.headers["x-goog-resource-id"], resource_id);
    assert_eq!(sync.headers["x-goog-channel-token"], "secret-t");
    assert_eq!(sync.headers["content-length"], "0");
    assert!(sync.headers.contains_key("x-goog-resource-uri"));
    assert!(sync.headers.contains_key("x-goog-message-number"));

    let event =
        json!({"summary": "ping", "start": {"date": "2026-05-01"}, "end": {"date": "2026-05-02"}});
    let r = post_json(
        &format!("{api}calendars/primary/events"),
        Some(&token),
        &event,
    )
    .unwrap();
    assert_eq!(r.status, 200);
    let change = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("change notification");
    assert_eq!(change.headers["x-goog-resource-state"], "exists");
    let n1: u64 = sync.headers["x-goog-message-number"].parse().unwrap();
    let n2: u64 = change.headers["x-goog-message-number"].parse().unwrap();
    assert!(n2 > n1);
    assert!(emu.admin().notifications().iter().all(|n| n.delivered));
}

#[test]
fn non_loopback_addresses_are_only_recorded() {
    let emu = Emulator::start();
    let token = emu.admin().access_token(&[]);
    let api = &emu.urls().api_base_url;
    let watch =
        json!({"id": "chan-2", "type": "web_hook", "address": "https://hooks.example.com/notify"});
    let r = post_json(
        &format!("{api}calendars/primary/events/watch"),
        Some(&token),
        &watch,
    )
    .unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    let n = emu.admin().notifications();
    assert_eq!(n.len(), 1);
    assert_eq!(n[0].address, "https://hooks.example.com/notify");
    assert!(!n[0].delivered);
    assert!(
        n[0].headers
            .iter()
            .any(|(k, v)| k == "X-Goog-Resource-State" && v == "sync")
    );
}
