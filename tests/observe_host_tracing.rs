//! A Rust host with its own global tracing subscriber: the library never replaces it, the host's own
//! events keep reaching it while a library sink is installed, and the library's events go to the
//! library's sink then (and to the host's subscriber when no sink is installed). Its own binary: the
//! global subscriber is set once per process.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use gcal_emulator::{Emulator, MintToken};
use qorus_gcal::BlockingClient;
use qorus_gcal::calendar::call::CallOptions;
use qorus_gcal::observe::{self, LogLevel, LogRecord};
use serde_json::json;
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

static HOST_OWN: AtomicUsize = AtomicUsize::new(0);
static HOST_SAW_LIBRARY: AtomicUsize = AtomicUsize::new(0);

/// The host's subscriber: counts its own events and the library's.
struct HostSubscriber;

impl Subscriber for HostSubscriber {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let target = event.metadata().target();
        if target.starts_with("qorus_gcal") {
            HOST_SAW_LIBRARY.fetch_add(1, Ordering::SeqCst);
        } else if target.starts_with("observe_host_tracing") {
            HOST_OWN.fetch_add(1, Ordering::SeqCst);
        }
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[test]
fn the_hosts_global_subscriber_is_left_alone() {
    tracing::subscriber::set_global_default(HostSubscriber).expect("the host sets its own");
    let emulator = Emulator::start();
    let minted = emulator.admin().mint_token(MintToken::default()).unwrap();
    let client = BlockingClient::from_json(&support::emulator_config(
        emulator.urls(),
        json!({"token": {"access_token": minted["access_token"]}}),
    ))
    .unwrap();
    let list = || {
        client
            .call(
                "calendarList.list",
                &json!({}),
                None,
                &CallOptions::default(),
            )
            .unwrap()
    };

    // No library sink: the library's events go where the host's go.
    list();
    let seen_without_sink = HOST_SAW_LIBRARY.load(Ordering::SeqCst);
    assert!(seen_without_sink > 0);

    let kept = Arc::new(Mutex::new(Vec::<LogRecord>::new()));
    let sink = kept.clone();
    observe::set_process_sink(
        LogLevel::Debug,
        Some(Arc::new(move |r: &LogRecord| {
            sink.lock().unwrap().push(r.clone())
        })),
    );
    tracing::info!("the host's own event");
    list();
    tracing::info!("the host's own event, again");
    observe::set_process_sink(LogLevel::Off, None);

    assert_eq!(
        HOST_OWN.load(Ordering::SeqCst),
        2,
        "the host's events still reach it"
    );
    assert_eq!(
        HOST_SAW_LIBRARY.load(Ordering::SeqCst),
        seen_without_sink,
        "with a sink, the library's events go to the sink only"
    );
    let records = kept.lock().unwrap();
    assert!(
        records
            .iter()
            .any(|r| r.message.contains("calendarList.list answered HTTP 200")),
        "{records:#?}"
    );
    assert!(records.iter().all(|r| r.target.starts_with("qorus_gcal")));
    // And the host's subscriber is still the global one.
    assert!(tracing::dispatcher::get_default(
        |d| d.is::<HostSubscriber>()
    ));
}
