//! Log records against the emulator: their fields, level filtering, routing to the process's and each
//! client's sink, records from the library's own threads, sinks that call back into the library, and
//! silence by default. The sinks are process-wide, so these tests take turns.

mod support;

use support::clients::blocking_client_for;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use gcal_emulator::{Emulator, Fault};
use qorus_gcal::calendar::call::CallOptions;
use qorus_gcal::oauth::consent::LocalOptions;
use qorus_gcal::observe::{self, LogLevel, LogRecord, LogSink};
use qorus_gcal::{BlockingClient, ErrorKind};
use serde_json::json;
use tracing::level_filters::LevelFilter;

static TURN: Mutex<()> = Mutex::new(());

fn turn() -> MutexGuard<'static, ()> {
    TURN.lock().unwrap_or_else(|p| p.into_inner())
}

/// Records kept by a [`collector`], each with the name of the thread it was delivered on.
type Kept = Arc<Mutex<Vec<(LogRecord, String)>>>;

/// A sink keeping every record, with the name of the thread it ran on.
fn collector() -> (LogSink, Kept) {
    let kept = Arc::new(Mutex::new(Vec::new()));
    let sink = kept.clone();
    let f: LogSink = Arc::new(move |r: &LogRecord| {
        let thread = std::thread::current().name().unwrap_or("").to_string();
        sink.lock().unwrap().push((r.clone(), thread));
    });
    (f, kept)
}

fn insert(client: &BlockingClient) -> String {
    let body = json!({"summary": "logged", "start": {"dateTime": "2030-01-01T10:00:00Z"},
        "end": {"dateTime": "2030-01-01T11:00:00Z"}});
    let event = client
        .call(
            "events.insert",
            &json!({"calendarId": "primary"}),
            Some(&body),
            &CallOptions::default(),
        )
        .unwrap();
    event["id"].as_str().unwrap().to_string()
}

fn with_message<'a>(
    records: &'a [(LogRecord, String)],
    needle: &str,
) -> Vec<&'a (LogRecord, String)> {
    records
        .iter()
        .filter(|(r, _)| r.message.contains(needle))
        .collect()
}

#[test]
fn records_name_the_method_status_attempt_duration_and_request() {
    let _turn = turn();
    let emulator = Emulator::start();
    let client = blocking_client_for(&emulator);
    let (sink, kept) = collector();
    client.client().set_log_sink(LogLevel::Debug, Some(sink));
    let id = insert(&client);
    emulator.admin().add_fault(Fault {
        retry_after: Some(0),
        ..Fault::status("events.get", 503)
    });
    client
        .call(
            "events.get",
            &json!({"calendarId": "primary", "eventId": id}),
            None,
            &CallOptions::default(),
        )
        .unwrap();
    // A query with search text: the record keeps the path only.
    client
        .call(
            "events.list",
            &json!({"calendarId": "primary", "q": "private-search-words"}),
            None,
            &CallOptions::default(),
        )
        .unwrap();
    client.client().set_log_sink(LogLevel::Off, None);

    let records = kept.lock().unwrap().clone();
    let gets: Vec<&LogRecord> = with_message(&records, "events.get answered")
        .into_iter()
        .map(|(r, _)| r)
        .collect();
    assert_eq!(gets.len(), 2, "{records:#?}");
    let (first, second) = (&gets[0].fields, &gets[1].fields);
    assert_eq!(first["http_status"], 503);
    assert_eq!(first["attempt"], 1);
    assert_eq!(second["http_status"], 200);
    assert_eq!(second["attempt"], 2);
    assert_eq!(first["request_id"], second["request_id"], "one request");
    assert_eq!(first["method"], "events.get");
    assert_eq!(first["http_method"], "GET");
    assert_eq!(
        first["path"],
        format!("/calendar/v3/calendars/primary/events/{id}")
    );
    assert!(second["duration_ms"].as_f64().unwrap() > 0.0);
    assert!(second["bytes_in"].as_u64().unwrap() > 0);
    assert_eq!(gets[0].level, LogLevel::Debug);
    assert_eq!(gets[0].target, "qorus_gcal::http");
    assert_eq!(gets[0].client, client.client().id());
    assert!(gets[0].timestamp_ms > 1_600_000_000_000);

    let retry = with_message(&records, "retrying events.get");
    assert_eq!(retry.len(), 1);
    let retry = &retry[0].0;
    assert_eq!(retry.level, LogLevel::Info);
    assert_eq!(retry.fields["cause"], "5xx");
    assert_eq!(retry.fields["request_id"], first["request_id"]);
    assert!(retry.fields["delay_ms"].is_number());

    let list = with_message(&records, "events.list answered");
    assert_eq!(list.len(), 1);
    assert_eq!(
        list[0].0.fields["path"],
        "/calendar/v3/calendars/primary/events"
    );
    assert!(
        !records
            .iter()
            .any(|(r, _)| r.to_json().to_string().contains("private-search-words")),
        "query strings are never logged"
    );
    // Debug, not trace: no headers.
    assert!(with_message(&records, "response headers").is_empty());
}

#[test]
fn levels_filter_and_each_client_sink_sees_only_its_client() {
    let _turn = turn();
    let emulator = Emulator::start();
    let (a, b) = (
        blocking_client_for(&emulator),
        blocking_client_for(&emulator),
    );
    assert_ne!(a.client().id(), b.client().id());
    let (sink_a, kept_a) = collector();
    let (sink_b, kept_b) = collector();
    let (sink_all, kept_all) = collector();
    a.client().set_log_sink(LogLevel::Info, Some(sink_a));
    b.client().set_log_sink(LogLevel::Debug, Some(sink_b));
    observe::set_process_sink(LogLevel::Warn, Some(sink_all));
    insert(&a);
    insert(&b);
    let missing = a.call(
        "events.get",
        &json!({"calendarId": "primary", "eventId": "nothere0"}),
        None,
        &CallOptions::default(),
    );
    assert_eq!(missing.unwrap_err().http_status(), 404);
    emulator
        .admin()
        .add_fault(Fault::status("calendarList.list", 500).times(5));
    let failed = b
        .call(
            "calendarList.list",
            &json!({}),
            None,
            &CallOptions::default(),
        )
        .unwrap_err();
    assert_eq!(failed.http_status(), 500);
    observe::set_process_sink(LogLevel::Off, None);
    a.client().set_log_sink(LogLevel::Off, None);
    b.client().set_log_sink(LogLevel::Off, None);

    let (ra, rb, rall) = (
        kept_a.lock().unwrap().clone(),
        kept_b.lock().unwrap().clone(),
        kept_all.lock().unwrap().clone(),
    );
    assert!(ra.iter().all(|(r, _)| r.client == a.client().id()));
    assert!(ra.iter().all(|(r, _)| r.level <= LogLevel::Info));
    // The 404 is a note (info), not a warning; the attempts themselves are debug and filtered out.
    assert_eq!(with_message(&ra, "events.get failed").len(), 1);
    assert!(!ra.iter().any(|(r, _)| r.fields.contains_key("bytes_in")));
    assert!(rb.iter().all(|(r, _)| r.client == b.client().id()));
    assert!(!with_message(&rb, "events.insert answered HTTP 200").is_empty());
    // The process sink wants warnings only: b's 500 after its retries, from either client.
    assert!(!rall.is_empty());
    assert!(rall.iter().all(|(r, _)| r.level <= LogLevel::Warn));
    let gave_up = with_message(&rall, "calendarList.list failed");
    assert_eq!(gave_up.len(), 1);
    assert_eq!(gave_up[0].0.client, b.client().id());
    assert_eq!(gave_up[0].0.fields["attempts"], 5);
}

#[test]
fn the_library_threads_log_too() {
    let _turn = turn();
    let emulator = Emulator::start();
    let client =
        BlockingClient::from_json(&support::emulator_config(emulator.urls(), json!({}))).unwrap();
    let (sink, kept) = collector();
    observe::set_process_sink(LogLevel::Debug, Some(sink));
    let (consent, url) = client.consent_start_local(LocalOptions::default()).unwrap();
    let (_, back) = support::browser::consent(url.as_str());
    assert_eq!(back.unwrap().status, 200);
    consent.wait(Some(Duration::from_secs(10))).unwrap();
    drop(consent);
    // The listener task says goodbye on a runtime thread, possibly just after wait returned.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while with_message(&kept.lock().unwrap(), "consent listener closed").is_empty()
        && std::time::Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(5));
    }
    observe::set_process_sink(LogLevel::Off, None);
    let records = kept.lock().unwrap().clone();
    let obtained = with_message(&records, "token obtained");
    assert_eq!(obtained.len(), 1, "{records:#?}");
    assert_eq!(obtained[0].0.fields["grant"], "authorization_code");
    // The code is exchanged by the listener's task, on one of the library's threads.
    assert!(obtained[0].1.starts_with("qgcal-rt-"), "{}", obtained[0].1);
    let closed = with_message(&records, "consent listener closed");
    assert_eq!(closed.len(), 1);
    assert!(closed[0].1.starts_with("qgcal-rt-"));
    assert_eq!(closed[0].0.client, client.client().id());
}

/// Counts its drops, to check a replaced sink is dropped exactly once.
struct Dropped(Arc<AtomicUsize>);

impl Drop for Dropped {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn a_sink_that_calls_back_into_the_library_neither_deadlocks_nor_recurses() {
    let _turn = turn();
    let emulator = Emulator::start();
    let client = blocking_client_for(&emulator);
    let drops = Arc::new(AtomicUsize::new(0));
    let (second, kept) = collector();
    let calls = Arc::new(AtomicUsize::new(0));
    let reentrant = Arc::new(Mutex::new(None));
    let first: LogSink = {
        let (guard, calls, reentrant, client) = (
            Dropped(drops.clone()),
            calls.clone(),
            reentrant.clone(),
            client.clone(),
        );
        Arc::new(move |r: &LogRecord| {
            let _keep = &guard;
            // Records of a request are logged inside the library's runtime.
            if !r.fields.contains_key("http_status") || calls.fetch_add(1, Ordering::SeqCst) > 0 {
                return;
            }
            // A blocking call from there answers the reentrant kind, and what it logs is dropped.
            let answer = client.call(
                "calendarList.list",
                &json!({}),
                None,
                &CallOptions::default(),
            );
            *reentrant.lock().unwrap() = Some(answer.map(|_| ()).map_err(|e| e.kind()));
            // Statistics and sinks may be used from inside a sink.
            let _ = observe::process_stats(false);
            observe::set_process_sink(LogLevel::Debug, Some(second.clone()));
        })
    };
    observe::set_process_sink(LogLevel::Debug, Some(first));
    insert(&client);
    insert(&client);
    observe::set_process_sink(LogLevel::Off, None);

    assert_eq!(
        *reentrant.lock().unwrap(),
        Some(Err(ErrorKind::Reentrant)),
        "a blocking call inside a sink is refused"
    );
    assert_eq!(
        drops.load(Ordering::SeqCst),
        1,
        "the first sink dropped once"
    );
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "replaced after its first record"
    );
    // The replacement took over: the second insert's records reached it.
    let records = kept.lock().unwrap().clone();
    assert!(
        !with_message(&records, "events.insert answered HTTP 200").is_empty(),
        "{records:#?}"
    );
    let stats = observe::process_stats(false);
    assert!(stats["logs"]["delivered"].as_u64().unwrap() > 0);

    // A sink that panics does not fail the request that logged.
    observe::set_process_sink(
        LogLevel::Debug,
        Some(Arc::new(|_: &LogRecord| panic!("sink"))),
    );
    insert(&client);
    observe::set_process_sink(LogLevel::Off, None);
}

#[test]
fn silent_by_default_and_after_removal() {
    let _turn = turn();
    // With no sink, tracing's own level filter is off: an event costs one comparison.
    assert_eq!(LevelFilter::current(), LevelFilter::OFF);
    assert!(!observe::logs::active());
    let emulator = Emulator::start();
    let client = blocking_client_for(&emulator);
    let (sink, kept) = collector();
    client.client().set_log_sink(LogLevel::Trace, Some(sink));
    assert_eq!(LevelFilter::current(), LevelFilter::TRACE);
    insert(&client);
    let during = kept.lock().unwrap().len();
    assert!(during > 0);
    client.client().set_log_sink(LogLevel::Off, None);
    assert_eq!(LevelFilter::current(), LevelFilter::OFF);
    insert(&client);
    assert_eq!(kept.lock().unwrap().len(), during, "nothing after removal");

    // A client's sink goes with the client.
    let other = blocking_client_for(&emulator);
    let (sink, _) = collector();
    other.client().set_log_sink(LogLevel::Debug, Some(sink));
    assert_eq!(LevelFilter::current(), LevelFilter::DEBUG);
    drop(other);
    assert_eq!(LevelFilter::current(), LevelFilter::OFF);
}
