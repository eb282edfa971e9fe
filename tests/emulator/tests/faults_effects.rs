//! Scheduled faults: statuses, delays, dropped connections, slow bodies, short pages, counting and seeds.

use gcal_emulator::testing::{HttpResponse, get, post_form, post_json};
use gcal_emulator::{DropWhen, Emulator, Fault, SlowBody};
use serde_json::{Value, json};

fn event(summary: &str) -> Value {
    json!({"summary": summary, "start": {"dateTime": "2026-03-01T10:00:00Z"}, "end": {"dateTime": "2026-03-01T11:00:00Z"}})
}

fn setup() -> (Emulator, String) {
    let emu = Emulator::start();
    let token = emu.admin().access_token(&[]);
    (emu, token)
}

fn colors(emu: &Emulator, token: &str) -> std::io::Result<HttpResponse> {
    get(&format!("{}colors", emu.urls().api_base_url), Some(token))
}

fn insert(emu: &Emulator, token: &str, summary: &str) -> std::io::Result<HttpResponse> {
    post_json(
        &format!("{}calendars/primary/events", emu.urls().api_base_url),
        Some(token),
        &event(summary),
    )
}

fn event_count(emu: &Emulator) -> usize {
    let (status, body) = emu.admin().call(
        "user@example.com",
        "GET",
        "/calendars/primary/events",
        &[],
        None,
    );
    assert_eq!(status, 200);
    body.unwrap()["items"].as_array().unwrap().len()
}

#[test]
fn status_faults_use_google_error_bodies_and_retry_after() {
    let (emu, token) = setup();
    let admin = emu.admin();
    admin.add_fault(Fault::status("colors.get", 429));
    let r = colors(&emu, &token).unwrap();
    assert_eq!(r.status, 429);
    assert_eq!(r.header("retry-after"), Some("1"));
    assert_eq!(
        r.json()["error"]["errors"][0]["reason"],
        "rateLimitExceeded"
    );
    assert_eq!(
        colors(&emu, &token).unwrap().status,
        200,
        "applies once by default"
    );

    admin.add_fault(Fault::status("colors.get", 403));
    let r = colors(&emu, &token).unwrap();
    assert_eq!(r.status, 403);
    assert_eq!(
        r.json()["error"]["errors"][0]["reason"],
        "rateLimitExceeded"
    );
    assert_eq!(r.json()["error"]["errors"][0]["domain"], "usageLimits");

    admin.add_fault(Fault::status("colors.get", 500));
    assert_eq!(
        colors(&emu, &token).unwrap().json()["error"]["errors"][0]["reason"],
        "backendError"
    );

    admin.add_fault(Fault {
        reason: Some("userRateLimitExceeded".into()),
        retry_after: Some(7),
        ..Fault::status("colors.get", 503)
    });
    let r = colors(&emu, &token).unwrap();
    assert_eq!(r.status, 503);
    assert_eq!(r.header("retry-after"), Some("7"));
    assert_eq!(
        r.json()["error"]["errors"][0]["reason"],
        "userRateLimitExceeded"
    );
}

#[test]
fn a_status_fault_is_not_applied_to_state() {
    let (emu, token) = setup();
    emu.admin().add_fault(Fault::status("events.insert", 500));
    assert_eq!(insert(&emu, &token, "a").unwrap().status, 500);
    assert_eq!(event_count(&emu), 0);
    assert_eq!(insert(&emu, &token, "a").unwrap().status, 200);
    assert_eq!(event_count(&emu), 1);
}

#[test]
fn times_and_filters() {
    let (emu, token) = setup();
    let admin = emu.admin();
    admin.add_fault(Fault::status("colors.get", 503).times(3));
    for _ in 0..3 {
        assert_eq!(colors(&emu, &token).unwrap().status, 503);
    }
    assert_eq!(colors(&emu, &token).unwrap().status, 200);

    admin.add_fault(Fault {
        path_prefix: Some("/calendar/v3/calendars/".into()),
        http_method: Some("POST".into()),
        status: Some(500),
        ..Fault::default()
    });
    assert_eq!(
        colors(&emu, &token).unwrap().status,
        200,
        "path and verb filter"
    );
    assert_eq!(insert(&emu, &token, "x").unwrap().status, 500);
    assert!(admin.faults().is_empty());

    admin.add_fault(Fault::status("colors.get", 500).times(5));
    assert_eq!(admin.faults()[0].remaining, Some(5));
    admin.clear_faults();
    assert_eq!(colors(&emu, &token).unwrap().status, 200);
}

#[test]
fn probability_faults_are_deterministic_per_seed() {
    let run = || {
        let (emu, token) = setup();
        emu.admin().add_fault(Fault {
            method: Some("colors.get".into()),
            status: Some(503),
            probability: Some(0.5),
            seed: Some(42),
            ..Fault::default()
        });
        (0..30)
            .map(|_| colors(&emu, &token).unwrap().status)
            .collect::<Vec<_>>()
    };
    let a = run();
    assert_eq!(a, run());
    assert!(a.contains(&503) && a.contains(&200));
}

#[test]
fn delay_then_answer() {
    let (emu, token) = setup();
    emu.admin().add_fault(Fault {
        method: Some("colors.get".into()),
        delay_ms: Some(150),
        ..Fault::default()
    });
    let t = std::time::Instant::now();
    assert_eq!(colors(&emu, &token).unwrap().status, 200);
    assert!(t.elapsed() >= std::time::Duration::from_millis(150));
    let log = emu.admin().requests();
    assert_eq!(log.last().unwrap().fault.as_deref(), Some("delay 150ms"));
}

#[test]
fn drop_before_loses_the_request() {
    let (emu, token) = setup();
    emu.admin().add_fault(Fault {
        method: Some("events.insert".into()),
        drop: Some(DropWhen::Before),
        ..Fault::default()
    });
    assert!(insert(&emu, &token, "lost").is_err());
    assert_eq!(event_count(&emu), 0);
    let last = emu.admin().requests().pop().unwrap();
    assert_eq!(last.status, 0);
    assert_eq!(last.fault.as_deref(), Some("drop before"));
}

#[test]
fn drop_after_applies_the_write_but_loses_the_answer() {
    let (emu, token) = setup();
    emu.admin().add_fault(Fault {
        method: Some("events.insert".into()),
        drop: Some(DropWhen::After),
        ..Fault::default()
    });
    assert!(insert(&emu, &token, "applied").is_err());
    assert_eq!(event_count(&emu), 1);
}

#[test]
fn slow_body_arrives_whole() {
    let (emu, token) = setup();
    let whole = colors(&emu, &token).unwrap().body;
    emu.admin().add_fault(Fault {
        method: Some("colors.get".into()),
        slow_body: Some(SlowBody {
            chunk_bytes: 512,
            pause_ms: 5,
        }),
        ..Fault::default()
    });
    let r = colors(&emu, &token).unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.body, whole);
    assert_eq!(
        emu.admin().requests().last().unwrap().fault.as_deref(),
        Some("slow body")
    );
}

#[test]
fn page_limit_gives_short_and_empty_pages() {
    let (emu, token) = setup();
    for i in 0..3 {
        assert_eq!(insert(&emu, &token, &format!("e{i}")).unwrap().status, 200);
    }
    let list = format!("{}calendars/primary/events", emu.urls().api_base_url);
    emu.admin().add_fault(Fault {
        method: Some("events.list".into()),
        page_limit: Some(0),
        ..Fault::default()
    });
    let r = get(&list, Some(&token)).unwrap().json();
    assert_eq!(r["items"].as_array().map_or(0, Vec::len), 0);
    let page = r["nextPageToken"]
        .as_str()
        .expect("empty page keeps a nextPageToken")
        .to_string();

    emu.admin().add_fault(Fault {
        method: Some("events.list".into()),
        page_limit: Some(1),
        ..Fault::default()
    });
    let r = get(&format!("{list}?pageToken={page}"), Some(&token))
        .unwrap()
        .json();
    assert_eq!(r["items"].as_array().unwrap().len(), 1);
    let page = r["nextPageToken"].as_str().unwrap().to_string();
    let r = get(&format!("{list}?pageToken={page}"), Some(&token))
        .unwrap()
        .json();
    assert_eq!(r["items"].as_array().unwrap().len(), 2);
    assert!(r["nextSyncToken"].is_string());
}

#[test]
fn oauth_endpoints_take_faults_in_their_own_shape() {
    let (emu, _) = setup();
    emu.admin().add_fault(Fault::status("token", 503));
    let r = post_form(&emu.urls().token_url, &[("grant_type", "refresh_token")]).unwrap();
    assert_eq!(r.status, 503);
    assert_eq!(r.json()["error"], "internal_failure");
    emu.admin().add_fault(Fault::status("revoke", 429));
    let r = post_form(&emu.urls().revoke_url, &[("token", "x")]).unwrap();
    assert_eq!(r.status, 429);
    assert_eq!(r.json()["error"], "rate_limit_exceeded");
}

#[test]
fn batch_level_faults_and_drops_inside_a_batch() {
    let (emu, token) = setup();
    let admin = emu.admin();
    let boundary = "b1";
    let part = |line: &str| {
        format!(
            "--{boundary}\r\nContent-Type: application/http\r\nContent-ID: <p>\r\n\r\n{line}\r\n\r\n\r\n"
        )
    };
    let body = format!(
        "{}{}--{boundary}--",
        part(
            "POST /calendar/v3/calendars/primary/events HTTP/1.1\r\nContent-Type: application/json\r\n\r\n{\"summary\":\"b\",\"start\":{\"date\":\"2026-01-01\"},\"end\":{\"date\":\"2026-01-02\"}}"
        ),
        part("GET /calendar/v3/colors HTTP/1.1")
    );
    let send = || {
        gcal_emulator::testing::request(
            "POST",
            &emu.urls().batch_url,
            &[
                ("Authorization", &format!("Bearer {token}")),
                (
                    "Content-Type",
                    &format!("multipart/mixed; boundary={boundary}"),
                ),
            ],
            body.as_bytes(),
        )
    };
    admin.add_fault(Fault::status("batch", 503));
    let r = send().unwrap();
    assert_eq!(r.status, 503);
    assert_eq!(event_count(&emu), 0);

    // A drop on the second part loses the whole answer; the first part was applied.
    admin.add_fault(Fault {
        method: Some("colors.get".into()),
        drop: Some(DropWhen::Before),
        ..Fault::default()
    });
    assert!(send().is_err());
    assert_eq!(event_count(&emu), 1);

    let id = admin.add_fault(Fault::status("colors.get", 500));
    assert!(admin.remove_fault(id));
    assert!(!admin.remove_fault(id));
    assert_eq!(send().unwrap().status, 200);
}

#[test]
fn consent_endpoint_faults() {
    let (emu, _) = setup();
    emu.admin().add_fault(Fault::status("auth", 500));
    let url = format!(
        "{}?client_id=emulator-client&redirect_uri=http://127.0.0.1:1/cb&response_type=code&scope=openid",
        emu.urls().auth_url
    );
    assert_eq!(get(&url, None).unwrap().status, 500);
    assert_eq!(get(&url, None).unwrap().status, 302);
}
