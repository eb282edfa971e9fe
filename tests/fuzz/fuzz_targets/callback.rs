//! What the browser brings back from consent: the callback URL or query (`qgcal_consent_complete`,
//! and the loopback listener's request line), checked against a session, plain or through a relay
//! (whose state, `v1.<nonce>.<payload>`, is decoded too). A code comes out only with the session's
//! own state; a relay state that decodes encodes back to one that decodes the same.
//!
//! Input: one byte picking the session and the form (a URL or query, a request head, a relay state),
//! then the text.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use qorus_gcal::ErrorKind;
use qorus_gcal::fuzz_api::{callback, callback_session, loopback_request_target, relay_state};
use qorus_gcal::oauth::consent::Session;

fn session(relayed: bool) -> &'static Session {
    static PLAIN: OnceLock<Session> = OnceLock::new();
    static RELAYED: OnceLock<Session> = OnceLock::new();
    let slot = if relayed { &RELAYED } else { &PLAIN };
    slot.get_or_init(|| callback_session(relayed))
}

/// The `state` values of a callback (a URL, or its query alone), decoded.
fn states(callback: &str) -> Vec<String> {
    let trimmed = callback.trim();
    let query = if trimmed.contains("://") {
        match url::Url::parse(trimmed) {
            Ok(url) => url.query().unwrap_or_default().to_string(),
            Err(_) => return Vec::new(),
        }
    } else {
        trimmed.trim_start_matches('?').to_string()
    };
    url::form_urlencoded::parse(query.as_bytes())
        .filter(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .collect()
}

fn check(session: &Session, text: &str) {
    match callback(session, text) {
        Ok(code) => {
            assert!(
                states(text).iter().any(|s| s == session.state.expose()),
                "accepted without the session's state: {text:?}"
            );
            if let Some(code) = code {
                assert!(!code.is_empty());
            }
        }
        Err(e) => assert!(
            matches!(e.kind(), ErrorKind::InvalidArgument | ErrorKind::AuthFailed),
            "{e:?}"
        ),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((mode, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    match mode % 4 {
        0 => check(session(false), &text),
        1 => check(session(true), &text),
        2 => {
            // The loopback listener reads the request line, then the callback from its target.
            if let Some(target) = loopback_request_target(rest) {
                assert!(!target.is_empty() && !target.contains(char::is_whitespace));
                let query = target.split_once('?').map_or("", |(_, q)| q);
                check(session(false), query);
            }
        }
        _ => {
            if let Ok(state) = relay_state(&text) {
                let again = relay_state(&state.encode()).unwrap_or_else(|e| {
                    panic!("{state:?} encodes to a state that does not decode: {e}")
                });
                assert_eq!(again, state);
            }
        }
    }
});
