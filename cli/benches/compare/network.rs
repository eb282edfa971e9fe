//! Rows 8 and 9, the wire: bytes received for a full sync with and without gzip and compact JSON, and
//! 500 users over TLS to a distant server (`latency`), where one shared HTTP/2 connection replaces a
//! handshake per user.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use gcal_emulator::{Emulator, MintToken, Options};
use qorus_gcal::BlockingClient;
use qorus_gcal::calendar::call::CallOptions;
use serde_json::{Value, json};

use crate::setup::{Raw, Target, event};

pub const SYNC_EVENTS: usize = 10_000;
const SYNC_USER: &str = "sync@example.com";
pub const USERS: usize = 500;
pub const USER_THREADS: usize = 16;
pub const LATENCY: Duration = Duration::from_millis(40);
/// Runs per side of row 9 (each a fresh process, so each starts with no connection).
pub const USER_RUNS: usize = 5;

/// Row 8's figures: bytes the emulator sent for the same full sync.
pub struct SyncBytes {
    pub library: u64,
    pub raw_mirror: u64,
    pub before: u64,
}

/// A full sync of 10,000 events (pages of 2,500): through the library, through the raw client sending
/// the library's requests, and through the raw client sending the requests of before (no gzip, pretty).
pub fn sync_bytes(emu: &Emulator) -> SyncBytes {
    let admin = emu.admin();
    for i in 0..SYNC_EVENTS {
        let (status, _) = admin.call(
            SYNC_USER,
            "POST",
            "/calendars/primary/events",
            &[],
            Some(&event(i)),
        );
        assert_eq!(status, 200, "populate event {i}");
    }
    let minted = admin
        .mint_token(MintToken {
            user: SYNC_USER.into(),
            offline: true,
            ..MintToken::default()
        })
        .expect("token");
    let t = Target {
        urls: emu.urls().clone(),
        access_token: minted["access_token"].as_str().unwrap_or_default().into(),
        refresh_token: minted["refresh_token"].as_str().unwrap_or_default().into(),
    };
    let sent = || admin.connection_stats().bytes_sent;

    let lib = crate::setup::library(&t);
    lib.call("colors.get", &Value::Null, None, &CallOptions::default())
        .expect("warm-up");
    let start = sent();
    let synced = lib
        .sync(
            "events.list",
            &json!({"calendarId": "primary", "maxResults": 2500}),
            None,
            false,
        )
        .expect("sync");
    let library = sent() - start;
    assert_eq!(synced.items.len(), SYNC_EVENTS, "every event synced");
    assert!(synced.next_sync_token.is_some());

    let raw_side = |raw: Raw| {
        raw.get("colors", &[]);
        let start = sent();
        let (mut items, mut page_token) = (0, None::<String>);
        loop {
            let mut query = vec![("maxResults", "2500")];
            if let Some(t) = &page_token {
                query.push(("pageToken", t));
            }
            let page = raw.get("calendars/primary/events", &query);
            items += page["items"].as_array().map_or(0, Vec::len);
            page_token = page["nextPageToken"].as_str().map(str::to_string);
            if page_token.is_none() {
                assert!(page["nextSyncToken"].is_string());
                break;
            }
        }
        assert_eq!(items, SYNC_EVENTS);
        sent() - start
    };
    SyncBytes {
        library,
        raw_mirror: raw_side(Raw::new(&t)),
        before: raw_side(Raw::uncompressed(&t)),
    }
}

/// Row 9's distant server: TLS, HTTP/2, [`LATENCY`] before each answer, [`USERS`] users with a token
/// each (written to `tokens_file` as a JSON array).
pub fn distant_server(tokens_file: &std::path::Path) -> Emulator {
    let emu = Emulator::start_with(Options {
        tls: true,
        latency: LATENCY,
        ..Options::default()
    })
    .expect("TLS emulator");
    let admin = emu.admin();
    let tokens: Vec<Value> = (0..USERS)
        .map(|i| {
            let user = format!("user{i}@example.com");
            admin.add_user(&user);
            admin
                .mint_token(MintToken {
                    user,
                    ..MintToken::default()
                })
                .expect("token")["access_token"]
                .clone()
        })
        .collect();
    std::fs::write(tokens_file, Value::from(tokens).to_string()).expect("write the tokens");
    emu
}

/// In a child process: every user's `events.list` through a client of its own, [`USER_THREADS`]
/// threads taking users in turn. Answers the seconds taken.
pub fn users_lib(t: &Target, tokens_file: &str) -> Value {
    let tokens: Vec<String> =
        serde_json::from_str(&std::fs::read_to_string(tokens_file).expect("tokens")).expect("JSON");
    let ca = std::fs::read_to_string(t.urls.ca_file.as_deref().expect("a TLS target"))
        .expect("the CA file");
    let configs: Arc<Vec<String>> = Arc::new(
        tokens
            .iter()
            .map(|token| {
                json!({
                    "endpoints": {"token_url": t.urls.token_url, "api_base_url": t.urls.api_base_url},
                    "token": {"access_token": token},
                    "ca_certificates": ca,
                })
                .to_string()
            })
            .collect(),
    );
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let threads: Vec<_> = (0..USER_THREADS)
        .map(|_| {
            let (configs, next) = (configs.clone(), next.clone());
            std::thread::spawn(move || {
                while let Some(config) = configs.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let client = BlockingClient::from_json(config).expect("client");
                    client
                        .call(
                            "events.list",
                            &json!({"calendarId": "primary"}),
                            None,
                            &CallOptions::default(),
                        )
                        .expect("events.list");
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("user thread");
    }
    json!({"secs": start.elapsed().as_secs_f64()})
}

/// The RTT-bound limit: every request waits one round trip, [`USER_THREADS`] in flight at a time.
pub fn rtt_limit() -> Duration {
    LATENCY * (USERS as u32) / (USER_THREADS as u32)
}
