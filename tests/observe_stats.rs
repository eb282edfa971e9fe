//! Statistics against the emulator: each counter of a client's statistics follows what the client did
//! (requests by method, attempts, retries by cause, errors by status and kind, tokens, batches, bytes,
//! latency), a reset takes them, and the process's statistics add every client's up. The process's
//! counters are shared, so these tests take turns.

mod support;

use support::clients::blocking_client_for;

use std::sync::{Mutex, MutexGuard};

use gcal_emulator::{DropWhen, Emulator, Fault};
use qorus_gcal::calendar::batch::{BatchCall, BatchOptions};
use qorus_gcal::calendar::call::CallOptions;
use qorus_gcal::{BlockingClient, observe};
use serde_json::{Value, json};

static TURN: Mutex<()> = Mutex::new(());

fn turn() -> MutexGuard<'static, ()> {
    TURN.lock().unwrap_or_else(|p| p.into_inner())
}

fn call(client: &BlockingClient, method: &str, params: Value, body: Option<Value>) -> Value {
    client
        .call(method, &params, body.as_ref(), &CallOptions::default())
        .unwrap_or_else(|e| panic!("{method}: {e}"))
}

fn event_body() -> Value {
    json!({"summary": "counted", "start": {"dateTime": "2030-01-01T10:00:00Z"},
        "end": {"dateTime": "2030-01-01T11:00:00Z"}})
}

#[test]
fn a_clients_counters_follow_what_it_did() {
    let _turn = turn();
    let emulator = Emulator::start();
    let admin = emulator.admin();
    let client = blocking_client_for(&emulator);
    let fresh = client.client().stats(false);
    assert_eq!(fresh["requests"]["total"], 0);
    assert_eq!(fresh["latency_ms"]["count"], 0);

    let event = call(
        &client,
        "events.insert",
        json!({"calendarId": "primary"}),
        Some(event_body()),
    );
    let id = event["id"].as_str().unwrap();
    // One get through a 503, a 429 and a dropped connection: four attempts, three retries.
    admin.add_fault(Fault {
        retry_after: Some(0),
        ..Fault::status("events.get", 503)
    });
    admin.add_fault(Fault {
        retry_after: Some(0),
        ..Fault::status("events.get", 429)
    });
    admin.add_fault(Fault {
        method: Some("events.get".into()),
        drop: Some(DropWhen::Before),
        ..Fault::default()
    });
    call(
        &client,
        "events.get",
        json!({"calendarId": "primary", "eventId": id}),
        None,
    );
    let missing = client.call(
        "events.get",
        &json!({"calendarId": "primary", "eventId": "nothere0"}),
        None,
        &CallOptions::default(),
    );
    assert_eq!(missing.unwrap_err().http_status(), 404);
    // A 401: the token is refreshed and the request sent again.
    admin.expire_access_tokens();
    call(&client, "calendarList.list", json!({}), None);
    let batch: Vec<BatchCall> = serde_json::from_value(json!([
        {"method": "calendarList.list"},
        {"method": "events.get", "params": {"calendarId": "primary", "eventId": "nothere1"}},
        {"method": "events.list", "params": {"calendarId": "primary"}},
    ]))
    .unwrap();
    client.batch(&batch, &BatchOptions::chunks_of(2)).unwrap();

    let stats = client.client().stats(true);
    let by_method = &stats["requests"]["by_method"];
    assert_eq!(
        by_method["events.insert"],
        json!({"requests": 1, "failed": 0})
    );
    assert_eq!(by_method["events.get"], json!({"requests": 2, "failed": 1}));
    assert_eq!(
        by_method["calendarList.list"],
        json!({"requests": 1, "failed": 0})
    );
    assert_eq!(by_method["batch"], json!({"requests": 2, "failed": 0}));
    assert_eq!(stats["requests"]["total"], 6);
    assert_eq!(stats["requests"]["failed"], 1);
    // insert 1, get 4 + 1, calendarList 2 (the 401, then again), batch 2.
    assert_eq!(stats["attempts"], 10);
    let retries = &stats["retries"];
    assert_eq!(retries["5xx"], 1);
    assert_eq!(retries["429"], 1);
    assert_eq!(retries["network"], 1);
    assert_eq!(retries["401_refresh"], 1);
    assert_eq!(retries["total"], 4);
    assert_eq!(stats["errors"]["by_status"], json!({"404": 1}));
    assert_eq!(stats["errors"]["by_kind"], json!({"HTTP_ERROR": 1}));
    assert_eq!(stats["tokens"]["by_grant"]["refresh_token"]["obtained"], 1);
    assert_eq!(stats["tokens"]["obtained"], 1);
    assert_eq!(stats["tokens"]["failed"], 0);
    assert_eq!(
        stats["batch"],
        json!({"chunks": 2, "calls": 3, "retried_calls": 0, "failed_calls": 1})
    );
    assert!(stats["bytes"]["out"].as_u64().unwrap() > event_body().to_string().len() as u64);
    assert!(stats["bytes"]["in"].as_u64().unwrap() > 1000);
    // Every attempt that was answered took time; the dropped one was not answered.
    let latency = &stats["latency_ms"];
    assert_eq!(latency["count"], 9);
    let (p50, p99, max) = (
        latency["p50"].as_f64().unwrap(),
        latency["p99"].as_f64().unwrap(),
        latency["max"].as_f64().unwrap(),
    );
    assert!(0.0 < p50 && p50 <= p99 && p99 <= max, "{latency}");

    // The reset took everything.
    let after = client.client().stats(false);
    assert_eq!(after["requests"]["total"], 0);
    assert_eq!(after["attempts"], 0);
    assert_eq!(after["retries"]["total"], 0);
    assert_eq!(after["latency_ms"]["count"], 0);
    assert!(after["since_ms"].as_i64() >= stats["since_ms"].as_i64());
}

#[test]
fn the_process_adds_up_every_client_and_counts_them() {
    let _turn = turn();
    let emulator = Emulator::start();
    let before = observe::process_stats(false);
    let (a, b) = (
        blocking_client_for(&emulator),
        blocking_client_for(&emulator),
    );
    call(&a, "calendarList.list", json!({}), None);
    call(&b, "calendarList.list", json!({}), None);
    call(&b, "calendarList.list", json!({}), None);
    let during = observe::process_stats(false);
    let delta = |now: &Value, path: &[&str]| {
        let at = |v: &Value| {
            path.iter()
                .fold(v.clone(), |v, k| v[*k].clone())
                .as_u64()
                .unwrap_or(0)
        };
        at(now) - at(&before)
    };
    assert_eq!(delta(&during, &["requests", "total"]), 3);
    assert_eq!(
        delta(
            &during,
            &["requests", "by_method", "calendarList.list", "requests"]
        ),
        3
    );
    assert_eq!(delta(&during, &["clients", "created"]), 2);
    assert_eq!(delta(&during, &["clients", "live"]), 2);
    drop((a, b));
    let after = observe::process_stats(false);
    assert_eq!(delta(&after, &["clients", "live"]), 0);
    assert_eq!(
        delta(&after, &["requests", "total"]),
        3,
        "freed clients still count"
    );
    // A client that could not be made is not counted.
    assert!(BlockingClient::from_json(r#"{"bogus": 1}"#).is_err());
    assert_eq!(
        delta(&observe::process_stats(false), &["clients", "created"]),
        2
    );

    // A reset of the process's statistics leaves every client's alone.
    let c = blocking_client_for(&emulator);
    call(&c, "calendarList.list", json!({}), None);
    observe::process_stats(true);
    assert_eq!(observe::process_stats(false)["requests"]["total"], 0);
    assert_eq!(c.client().stats(false)["requests"]["total"], 1);
}
