//! The consent relay's whole decision for one redirect (`qgcal_relay::Relay::answer`: `parse_query`,
//! `RelayState::decode`, the allow-list, `forward`). Whatever the query, the relay forwards only to an
//! address its allow-list permits, passes on only the OAuth parameters, exactly as they came, and never
//! writes the code, the state or the return address into its log (a fixed vocabulary and the state's
//! host) or its refusal page (the same whatever the request).
//!
//! Input: one byte picking the form, then the text: a whole query, or a return address that the target
//! wraps in a well-formed relay state with a code (which reaches the allow-list on every run).
#![no_main]

use std::collections::HashMap;
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

/// A relay state to the given return address.
fn state_to(return_url: &str) -> String {
    RelayState {
        nonce: "fuzzNonce0123456789abc".into(),
        return_url: return_url.into(),
        server: "accounts.google.com".into(),
    }
    .encode()
}

/// The refusal page for each refusal, as fixed queries get it: a page never depends on the request.
fn refusal_pages() -> &'static HashMap<String, String> {
    static PAGES: OnceLock<HashMap<String, String>> = OnceLock::new();
    PAGES.get_or_init(|| {
        let foreign = format!("state={}&code=c", state_to("https://evil.example.net/qorus/cb"));
        let too_large = "a".repeat(5000);
        let queries = [
            too_large.as_str(),
            "state=a&state=b&code=c",
            "",
            "code=c&state=plain",
            foreign.as_str(),
        ];
        queries
            .iter()
            .map(|q| {
                let a = relay().answer("GET", CALLBACK, Some(q));
                assert_eq!(a.status, 400, "{q}");
                let why = a.log.unwrap().rsplit_once("refused=").unwrap().1.to_string();
                (why, a.body)
            })
            .collect()
    })
}

/// The log line is `server=<host or -> forwarded=<outcome>` or `server=<host or -> refused=<why>`, each
/// part from a fixed vocabulary or the state's host: there is no room for a code, a state or an address.
fn check_log(log: &str, forwarded: bool) {
    let (server, outcome) = log
        .strip_prefix("server=")
        .and_then(|rest| rest.split_once(' '))
        .unwrap_or_else(|| panic!("log line {log:?}"));
    assert!(
        server == "-"
            || server
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-.:[]".contains(&b)),
        "server {server:?}"
    );
    if forwarded {
        let outcome = outcome.strip_prefix("forwarded=").expect("forwarded=");
        let plain_error = outcome.strip_prefix("error:").is_some_and(|e| {
            (1..=40).contains(&e.len()) && e.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
        });
        assert!(outcome == "code" || plain_error, "outcome {outcome:?}");
    } else {
        let why = outcome.strip_prefix("refused=").expect("refused=");
        assert!(refusal_pages().contains_key(why), "refusal {why:?}");
    }
}

fn check(query: &str, secrets: &[&str]) {
    let answer = relay().answer("GET", CALLBACK, Some(query));
    let log = answer.log.as_deref().expect("a redirect is always logged");
    check_log(log, answer.status == 303);
    for secret in secrets {
        assert!(!log.contains(secret), "{log:?} shows {secret:?}");
    }
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
        }
        400 => {
            assert_eq!(answer.location, None);
            let why = log.rsplit_once("refused=").unwrap().1;
            assert_eq!(
                Some(&answer.body),
                refusal_pages().get(why),
                "the page for {why} depends on the request"
            );
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
        let state = state_to(&text);
        let query: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("state", &state)
            .append_pair("code", CODE)
            .finish();
        check(&query, &[CODE, &state]);
    }
});
