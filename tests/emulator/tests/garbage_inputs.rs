//! Garbage to every route: the emulator answers errors, never crashes, and keeps serving.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use gcal_emulator::Emulator;
use gcal_emulator::testing::{get, post_json, request};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

const ROUTES: &[&str] = &[
    "/o/oauth2/v2/auth",
    "/o/oauth2/v2/auth/decision",
    "/token",
    "/revoke",
    "/device/code",
    "/batch/calendar/v3",
    "/calendar/v3/colors",
    "/calendar/v3/users/me/calendarList",
    "/calendar/v3/users/me/calendarList/primary",
    "/calendar/v3/users/me/settings",
    "/calendar/v3/users/me/settings/timezone",
    "/calendar/v3/calendars",
    "/calendar/v3/calendars/primary",
    "/calendar/v3/calendars/primary/clear",
    "/calendar/v3/calendars/primary/acl",
    "/calendar/v3/calendars/primary/acl/user%3Ax%40y",
    "/calendar/v3/calendars/primary/events",
    "/calendar/v3/calendars/primary/events/import",
    "/calendar/v3/calendars/primary/events/quickAdd",
    "/calendar/v3/calendars/primary/events/watch",
    "/calendar/v3/calendars/primary/events/abcdef123",
    "/calendar/v3/calendars/primary/events/abcdef123/instances",
    "/calendar/v3/calendars/primary/events/abcdef123/move",
    "/calendar/v3/freeBusy",
    "/calendar/v3/channels/stop",
    "/calendar/v3/%ZZ/%00",
    "/__emulator/faults",
    "/__emulator/users",
    "/__emulator/clients",
    "/__emulator/call",
    "/__emulator/tokens",
    "/nowhere",
];

const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

const CONTENT_TYPES: &[&str] = &[
    "application/json",
    "application/x-www-form-urlencoded",
    "multipart/mixed; boundary=zz",
    "multipart/mixed",
    "text/plain",
    "",
];

fn random_body(rng: &mut StdRng) -> Vec<u8> {
    match rng.random_range(0..6) {
        0 => Vec::new(),
        1 => (0..rng.random_range(1..400))
            .map(|_| rng.random())
            .collect(),
        2 => b"{\"summary\": ".to_vec(),
        3 => b"[1,2,{\"a\":".repeat(rng.random_range(1..50)),
        4 => b"--zz\r\nContent-Type: application/http\r\n\r\nGET /calendar/v3/colors\r\n--zz"
            .to_vec(),
        _ => b"grant_type=authorization_code&code=%ZZ&redirect_uri=\xff\xfe".to_vec(),
    }
}

fn still_serving(emu: &Emulator, token: &str) {
    let r = get(&format!("{}colors", emu.urls().api_base_url), Some(token)).unwrap();
    assert_eq!(r.status, 200);
}

#[test]
fn random_bodies_to_every_route() {
    let emu = Emulator::start();
    let token = emu.admin().access_token(&[]);
    let auth = format!("Bearer {token}");
    let mut rng = StdRng::seed_from_u64(1234);
    for route in ROUTES {
        for method in METHODS {
            for _ in 0..3 {
                let body = random_body(&mut rng);
                let ct = CONTENT_TYPES[rng.random_range(0..CONTENT_TYPES.len())];
                let mut headers = vec![("Authorization", auth.as_str())];
                if !ct.is_empty() {
                    headers.push(("Content-Type", ct));
                }
                let url = format!(
                    "{}{route}?q=%ZZ&maxResults=-1&pageToken=%00",
                    emu.urls().base_url
                );
                let r = request(method, &url, &headers, &body).unwrap();
                assert!(
                    (200..600).contains(&r.status),
                    "{method} {route}: {}",
                    r.status
                );
                assert_ne!(r.status, 500, "{method} {route} answered 500: {}", r.text());
            }
        }
    }
    still_serving(&emu, &token);
}

#[test]
fn malformed_json_is_parse_error() {
    let emu = Emulator::start();
    let token = emu.admin().access_token(&[]);
    let auth = format!("Bearer {token}");
    let url = format!("{}calendars/primary/events", emu.urls().api_base_url);
    let r = request(
        "POST",
        &url,
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        b"{\"summary\": ",
    )
    .unwrap();
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"]["errors"][0]["reason"], "parseError");
    let ok = post_json(&url, Some(&token), &serde_json::json!({"summary": "fine", "start": {"date": "2026-01-01"}, "end": {"date": "2026-01-02"}})).unwrap();
    assert_eq!(ok.status, 200);
}

fn raw(addr: &str, bytes: &[u8]) {
    let Ok(mut s) = TcpStream::connect(addr) else {
        return;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = s.write_all(bytes);
    let _ = s.shutdown(std::net::Shutdown::Write);
    let mut sink = Vec::new();
    let _ = s.read_to_end(&mut sink);
}

#[test]
fn raw_protocol_garbage() {
    let emu = Emulator::start();
    let token = emu.admin().access_token(&[]);
    let addr = emu
        .urls()
        .base_url
        .trim_start_matches("http://")
        .to_string();
    let mut rng = StdRng::seed_from_u64(99);
    for _ in 0..40 {
        let junk: Vec<u8> = (0..rng.random_range(1..2000))
            .map(|_| rng.random())
            .collect();
        raw(&addr, &junk);
    }
    let long_header = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(200_000));
    let cases: Vec<Vec<u8>> = vec![
        b"GET\r\n\r\n".to_vec(),
        b"GET /calendar/v3/colors HTTP/9.9\r\n\r\n".to_vec(),
        b"POST /token HTTP/1.1\r\nContent-Length: 100\r\n\r\nshort".to_vec(),
        b"POST /token HTTP/1.1\r\nContent-Length: -5\r\n\r\n".to_vec(),
        b"POST /token HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n".to_vec(),
        b"GET /calendar/v3/colors HTTP/1.1\r\nAuthorization: Bearer \xff\xfe\r\n\r\n".to_vec(),
        b"GET /\x00\x01 HTTP/1.1\r\n\r\n".to_vec(),
        long_header.into_bytes(),
        b"\r\n\r\n\r\n".to_vec(),
    ];
    for c in &cases {
        raw(&addr, c);
    }
    still_serving(&emu, &token);
}

#[test]
fn unreadable_and_oversized_chunked_bodies() {
    let emu = Emulator::start();
    let addr = emu
        .urls()
        .base_url
        .trim_start_matches("http://")
        .to_string();
    let broken = b"POST /token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n\r\n";
    let r = gcal_emulator::testing::raw(&addr, broken).unwrap();
    assert_eq!(r.status, 400);
    let mut big = b"POST /token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for _ in 0..17 {
        big.extend_from_slice(b"10000\r\n");
        big.extend_from_slice(&[b'a'; 0x10000]);
        big.extend_from_slice(b"\r\n");
    }
    big.extend_from_slice(b"0\r\n\r\n");
    let r = gcal_emulator::testing::raw(&addr, &big).unwrap();
    assert_eq!(r.status, 413);
}
