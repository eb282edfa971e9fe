//! The batch endpoint: multipart/mixed in and out, per-part auth and faults, limits, malformed bodies.

use gcal_emulator::testing::{HttpResponse, request};
use gcal_emulator::{Emulator, Fault};

const BOUNDARY: &str = "batch_test_boundary";

fn part(id: &str, request_line: &str, headers: &[&str], body: &str) -> String {
    let mut s = format!(
        "--{BOUNDARY}\r\nContent-Type: application/http\r\nContent-ID: <{id}>\r\n\r\n{request_line}\r\n"
    );
    for h in headers {
        s.push_str(h);
        s.push_str("\r\n");
    }
    s.push_str("\r\n");
    s.push_str(body);
    s.push_str("\r\n");
    s
}

fn send(emu: &Emulator, token: Option<&str>, body: &str) -> HttpResponse {
    let ct = format!("multipart/mixed; boundary={BOUNDARY}");
    let auth = token.map(|t| format!("Bearer {t}"));
    let mut headers = vec![("Content-Type", ct.as_str())];
    if let Some(a) = &auth {
        headers.push(("Authorization", a.as_str()));
    }
    request("POST", &emu.urls().batch_url, &headers, body.as_bytes()).unwrap()
}

/// (content-id, status, json body) of each answer part.
fn answers(r: &HttpResponse) -> Vec<(String, u16, serde_json::Value)> {
    let ct = r.header("content-type").unwrap();
    let boundary = ct.split("boundary=").nth(1).unwrap().to_string();
    let text = r.text();
    text.split(&format!("--{boundary}"))
        .filter(|p| p.contains("HTTP/1.1"))
        .map(|p| {
            let id = p
                .lines()
                .find_map(|l| l.strip_prefix("Content-ID: "))
                .unwrap_or("")
                .to_string();
            let status_line = p.lines().find(|l| l.starts_with("HTTP/1.1")).unwrap();
            let status = status_line
                .split_whitespace()
                .nth(1)
                .unwrap()
                .parse()
                .unwrap();
            let json = p
                .find('{')
                .and_then(|i| serde_json::from_str(p[i..].trim_end()).ok())
                .unwrap_or(serde_json::Value::Null);
            (id, status, json)
        })
        .collect()
}

const EVENT: &str = r#"{"summary":"batched","start":{"dateTime":"2026-03-01T10:00:00Z"},"end":{"dateTime":"2026-03-01T11:00:00Z"}}"#;

#[test]
fn mixed_batch_answers_each_part() {
    let emu = Emulator::start();
    let token = emu.admin().access_token(&[]);
    let body = [
        part("a1", "GET /calendar/v3/colors HTTP/1.1", &[], ""),
        part(
            "a2",
            "POST https://www.googleapis.com/calendar/v3/calendars/primary/events HTTP/1.1",
            &["Content-Type: application/json"],
            EVENT,
        ),
        part(
            "a3",
            "GET /calendar/v3/calendars/primary/events?maxResults=5 HTTP/1.1",
            &[],
            "",
        ),
        part(
            "a4",
            "GET /calendar/v3/calendars/nobody%40example.com/events/zzz HTTP/1.1",
            &[],
            "",
        ),
        format!("--{BOUNDARY}--\r\n"),
    ]
    .concat();
    let r = send(&emu, Some(&token), &body);
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(
        r.header("content-type")
            .unwrap()
            .starts_with("multipart/mixed; boundary=batch_")
    );
    let a = answers(&r);
    assert_eq!(a.len(), 4);
    assert_eq!(a[0].0, "<response-a1>");
    assert_eq!(a[0].1, 200);
    assert_eq!(a[0].2["kind"], "calendar#colors");
    assert_eq!(a[1].1, 200);
    assert_eq!(a[1].2["summary"], "batched");
    assert_eq!(a[2].2["items"][0]["summary"], "batched");
    assert_eq!(a[3].0, "<response-a4>");
    assert!(a[3].1 >= 400);
    let inner = emu.admin().requests().iter().filter(|r| r.in_batch).count();
    assert_eq!(inner, 4);
}

#[test]
fn per_part_authorization_and_missing_auth() {
    let emu = Emulator::start();
    let token = emu.admin().access_token(&[]);
    let own = format!("Authorization: Bearer {token}");
    let body = [
        part("p1", "GET /calendar/v3/colors HTTP/1.1", &[&own], ""),
        part("p2", "GET /calendar/v3/colors HTTP/1.1", &[], ""),
        format!("--{BOUNDARY}--"),
    ]
    .concat();
    let a = answers(&send(&emu, None, &body));
    assert_eq!(a[0].1, 200);
    assert_eq!(a[1].1, 401);
    assert_eq!(a[1].2["error"]["errors"][0]["reason"], "authError");
}

#[test]
fn faults_apply_to_inner_methods() {
    let emu = Emulator::start();
    let token = emu.admin().access_token(&[]);
    emu.admin().add_fault(Fault::status("events.list", 429));
    let body = [
        part("x", "GET /calendar/v3/colors HTTP/1.1", &[], ""),
        part(
            "y",
            "GET /calendar/v3/calendars/primary/events HTTP/1.1",
            &[],
            "",
        ),
        format!("--{BOUNDARY}--"),
    ]
    .concat();
    let a = answers(&send(&emu, Some(&token), &body));
    assert_eq!(a[0].1, 200);
    assert_eq!(a[1].1, 429);
    assert_eq!(a[1].2["error"]["errors"][0]["reason"], "rateLimitExceeded");
}

#[test]
fn more_than_1000_parts_is_400() {
    let emu = Emulator::start();
    let token = emu.admin().access_token(&[]);
    let one = part("n", "GET /calendar/v3/colors HTTP/1.1", &[], "");
    let mut body = one.repeat(1001);
    body.push_str(&format!("--{BOUNDARY}--"));
    let r = send(&emu, Some(&token), &body);
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"]["code"], 400);
    let mut body = one.repeat(1000);
    body.push_str(&format!("--{BOUNDARY}--"));
    let r = send(&emu, Some(&token), &body);
    assert_eq!(r.status, 200);
    assert_eq!(answers(&r).len(), 1000);
}

#[test]
fn malformed_batches_are_400() {
    let emu = Emulator::start();
    let token = emu.admin().access_token(&[]);
    let cases = [
        String::new(),
        "garbage".to_string(),
        format!(
            "--{BOUNDARY}\r\nContent-Type: application/http\r\n\r\nnot a request line\r\n--{BOUNDARY}--"
        ),
        format!(
            "--{BOUNDARY}\r\nContent-Type: application/http\r\n\r\nGET /calendar/v3/colors HTTP/1.1\r\n"
        ),
        format!(
            "--{BOUNDARY}\r\nContent-Type: text/plain\r\n\r\nGET /calendar/v3/colors\r\n--{BOUNDARY}--"
        ),
        format!("--{BOUNDARY}--"),
    ];
    for body in &cases {
        let r = send(&emu, Some(&token), body);
        assert_eq!(r.status, 400, "{body:?}");
    }
    let r = request(
        "POST",
        &emu.urls().batch_url,
        &[("Content-Type", "application/json")],
        b"{}",
    )
    .unwrap();
    assert_eq!(r.status, 400);
}

/// Two batch requests in flight at once (as the library sends them) are answered as if one ran
/// after the other: every call answered for its own body, every id and etag given once, all
/// events stored and every inner call logged.
#[test]
fn concurrent_batches_answer_every_call() {
    const PER_BATCH: usize = 50;
    const BATCHES_PER_SENDER: usize = 4;
    let emu = Emulator::start();
    let token = emu.admin().access_token(&[]);
    let insert = |n: usize| {
        let body = format!(
            r#"{{"summary":"e{n}","start":{{"dateTime":"2026-03-01T10:00:00Z"}},"end":{{"dateTime":"2026-03-01T11:00:00Z"}}}}"#
        );
        part(
            &format!("c{n}"),
            "POST /calendar/v3/calendars/primary/events HTTP/1.1",
            &["Content-Type: application/json"],
            &body,
        )
    };
    let answered: Vec<(String, u16, serde_json::Value)> = std::thread::scope(|s| {
        let senders: Vec<_> = (0..2)
            .map(|sender| {
                let (emu, token) = (&emu, &token);
                s.spawn(move || {
                    let mut all = Vec::new();
                    for b in 0..BATCHES_PER_SENDER {
                        let first = (sender * BATCHES_PER_SENDER + b) * PER_BATCH;
                        let mut body: String = (first..first + PER_BATCH).map(insert).collect();
                        body.push_str(&format!("--{BOUNDARY}--\r\n"));
                        let r = send(emu, Some(token), &body);
                        assert_eq!(r.status, 200, "{}", r.text());
                        all.extend(answers(&r));
                    }
                    all
                })
            })
            .collect();
        senders
            .into_iter()
            .flat_map(|t| t.join().unwrap())
            .collect()
    });
    let total = 2 * BATCHES_PER_SENDER * PER_BATCH;
    assert_eq!(answered.len(), total);
    let mut ids = std::collections::HashSet::new();
    let mut etags = std::collections::HashSet::new();
    for (content_id, status, event) in &answered {
        assert_eq!(*status, 200, "{event}");
        let n = content_id
            .trim_start_matches("<response-c")
            .trim_end_matches('>');
        assert_eq!(event["summary"], format!("e{n}"));
        assert!(ids.insert(event["id"].as_str().unwrap().to_string()));
        assert!(etags.insert(event["etag"].as_str().unwrap().to_string()));
    }
    let log = emu.admin().requests();
    let inner: Vec<_> = log.iter().filter(|r| r.in_batch).collect();
    assert_eq!(inner.len(), total);
    assert!(
        inner
            .iter()
            .all(|r| r.status == 200 && r.method_id.as_deref() == Some("events.insert"))
    );
    assert_eq!(log.len(), total + 2 * BATCHES_PER_SENDER);
    let list = gcal_emulator::testing::get(
        &format!(
            "{}calendars/primary/events?maxResults=2500",
            emu.urls().api_base_url
        ),
        Some(&token),
    )
    .unwrap()
    .json();
    let listed: std::collections::HashSet<String> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(listed, ids);
}
