//! The consent relay's whole decision for one redirect (`qgcal_relay::Relay::answer`: `parse_query`,
//! `RelayState::decode`, the allow-list, `forward`). Whatever the query, the relay forwards only to an
//! address its allow-list permits, passes on only the OAuth parameters, exactly as they came, and never
//! writes the code, the state or the return address into its log or its refusal page.
//!
//! Input: one byte picking the form, then the text: a whole query, or a return address that the target
//! wraps in a well-formed relay state with a code (which reaches the allow-list on every run).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use qgcal_relay::{AllowList, Relay};
use qorus_gcal::oauth::relay_state::RelayState;
use url::Url;

const CODE: &str = "4/fuzz-SECRET-code";
const CALLBACK: &str = "/oauth2/callback";

fn relay() -> &'static Relay {
    static RELAY: OnceLock<Relay> = OnceLock::new();
    RELAY.get_or_init(|| Relay {
        allow: AllowList::parse(["https://*.example.com/qorus/*", "http://127.0.0.1:*/cb"]).unwrap(),
        callback_path: CALLBACK.into(),
    })
}

/// Only what the allow-list above permits.
fn permitted(url: &Url) -> bool {
    let host = url.host_str().unwrap_or_default();
    match url.scheme() {
        "https" => {
            host.ends_with(".example.com")
                && url.port().is_none()
                && url.path().starts_with("/qorus/")
        }
        "http" => host == "127.0.0.1" && url.path() == "/cb",
        _ => false,
    }
}

const FORWARDED: &[&str] = &[
    "state", "code", "scope", "error", "error_description", "error_uri", "iss", "authuser", "hd",
    "prompt",
];

fn check(query: &str, secrets: &[&str]) {
    let answer = relay().answer("GET", CALLBACK, Some(query));
    let log = answer.log.as_deref().expect("a redirect is always logged");
    for secret in secrets.iter().filter(|s| s.len() >= 8) {
        assert!(!log.contains(secret), "{log:?} shows {secret:?}");
        assert!(!answer.body.contains(secret), "the page shows {secret:?}");
    }
    assert!(
        log.bytes().all(|b| b.is_ascii_graphic() || b == b' '),
        "log line with control or non-ASCII bytes: {log:?}"
    );
    match answer.status {
        303 => {
            let location = Url::parse(answer.location.as_deref().unwrap()).unwrap();
            assert!(permitted(&location), "forwarded to {location}");
            assert!(location.username().is_empty() && location.password().is_none());
            assert!(location.fragment().is_none());
            // Exactly the OAuth parameters of the query, decoded once, each once.
            let sent: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
                .filter(|(k, _)| FORWARDED.contains(&k.as_ref()))
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            let passed: Vec<(String, String)> = location.query_pairs().into_owned().collect();
            assert_eq!(passed, sent, "{query:?}");
            assert!(log.starts_with("server=") && log.contains(" forwarded="));
        }
        400 => {
            assert_eq!(answer.location, None);
            assert!(log.contains(" refused="), "{log:?}");
        }
        other => panic!("status {other} for a redirect"),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((mode, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    if mode % 2 == 0 {
        check(&text, &[]);
    } else {
        let state = RelayState {
            nonce: "fuzzNonce0123456789abc".into(),
            return_url: text.to_string(),
            server: "accounts.google.com".into(),
        }
        .encode();
        let query: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("state", &state)
            .append_pair("code", CODE)
            .finish();
        check(&query, &[CODE, &state, &text]);
    }
});
