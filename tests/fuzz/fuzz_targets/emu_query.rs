//! The emulator's small readers: query strings and forms, `fields` selectors, and the addresses consent
//! (redirect URIs) and push (channel addresses) accept as loopback. Nothing outside loopback may pass.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

fn answer() -> &'static Value {
    static ANSWER: OnceLock<Value> = OnceLock::new();
    ANSWER.get_or_init(|| {
        json!({"kind": "calendar#events", "nextPageToken": "p2", "items": [
            {"id": "a", "summary": "one", "start": {"dateTime": "2026-01-01T10:00:00Z"},
             "attendees": [{"email": "x@example.com", "responseStatus": "accepted"}]},
            {"id": "b", "summary": "two", "reminders": {"useDefault": true}}
        ]})
    })
}

/// Keys of `got` exist in `whole`, recursively: a selector only ever removes.
fn only_removes(got: &Value, whole: &Value) -> bool {
    match (got, whole) {
        (Value::Object(g), Value::Object(w)) => g
            .iter()
            .all(|(k, v)| w.get(k).is_some_and(|wv| only_removes(v, wv))),
        (Value::Array(g), Value::Array(w)) => {
            g.len() == w.len() && g.iter().zip(w).all(|(a, b)| only_removes(a, b))
        }
        (g, w) => g == w,
    }
}

fn loopback_host(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((mode, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    match mode % 4 {
        0 => {
            let pairs = gcal_emulator::fuzz_api::pairs(text);
            assert!(pairs.len() <= text.matches('&').count() + 1);
        }
        1 => {
            let got = gcal_emulator::fuzz_api::fields(answer(), text);
            assert!(
                only_removes(&got, answer()),
                "{text:?} added to the answer: {got}"
            );
        }
        2 => {
            if gcal_emulator::fuzz_api::is_loopback_redirect(text) {
                assert!(text.starts_with("http://"), "{text:?}");
                if let Ok(url) = url::Url::parse(text) {
                    assert!(loopback_host(&url), "{text:?} taken for loopback: {url}");
                }
            }
        }
        _ => {
            if let Some((host, port, path)) = gcal_emulator::fuzz_api::push_target(text) {
                assert!(host == "127.0.0.1" || host == "::1", "{text:?} -> {host}");
                assert!(path.starts_with('/'), "{text:?} -> {path}");
                if let Ok(url) = url::Url::parse(text) {
                    assert!(loopback_host(&url), "{text:?} pushed to {url}");
                    if let Some(p) = url.port() {
                        assert_eq!(p, port, "{text:?}");
                    }
                }
            }
        }
    }
});
