//! Token JSON, both ways it reaches the library: the stored token a host passes back (config key
//! `token`), and a token endpoint's answer (the oauth2 crate's response types, and the plain answer of
//! the service-account grant). A stored token written back reads the same; no token value shows in an
//! error or a Debug rendering.
//!
//! Input: one byte picking the form, then for the endpoint two bytes of HTTP status and the body.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use qorus_gcal::ErrorKind;
use serde_json::Value;

fn stored(text: &str) {
    let parsed: Option<Value> = serde_json::from_str(text).ok();
    let mut secrets = Vec::new();
    match &parsed {
        Some(Value::Object(map)) => {
            for key in ["access_token", "refresh_token"] {
                if let Some(v) = map.get(key) {
                    common::strings(v, &mut secrets);
                }
            }
        }
        Some(other) => common::strings(other, &mut secrets),
        None => {}
    }
    match qorus_gcal::fuzz_api::stored_token(text) {
        Ok((token, written)) => {
            let again = qorus_gcal::fuzz_api::stored_token(&written)
                .unwrap_or_else(|e| panic!("a token written back does not read: {e}: {written}"));
            assert_eq!(again.0, token, "a token written back reads differently");
            assert_eq!(again.1, written);
            common::assert_no_secret(&format!("{token:?}"), &secrets, text, "Token's Debug");
        }
        Err(e) => {
            assert!(
                matches!(
                    e.kind(),
                    ErrorKind::InvalidJson | ErrorKind::InvalidArgument
                ),
                "{e:?}"
            );
            common::assert_no_secret(e.message(), &secrets, text, "the error message");
        }
    }
}

fn answer(status: u16, body: &[u8]) {
    let read = qorus_gcal::fuzz_api::token_answer(status, body);
    if let Some(token) = &read.oauth2_token {
        assert!(
            token.access_token.is_some(),
            "a token response without a token"
        );
        let access = token.access_token.as_ref().map(|s| s.expose().to_string());
        let shown = format!("{token:?}");
        if let Some(access) = access.filter(|a| a.len() >= 8) {
            assert!(
                !shown.contains(&access),
                "Token's Debug shows the access token"
            );
        }
    }
    if let Some(e) = &read.oauth2_error {
        assert!(
            e.reason().is_some(),
            "an OAuth error without its code: {e:?}"
        );
    }
    match &read.plain {
        Ok(token) => {
            assert!((200..300).contains(&status), "a token from HTTP {status}");
            assert!(token.access_token.is_some());
        }
        Err(e) => assert_eq!(
            e.http_status(),
            status,
            "the error keeps the answer's status"
        ),
    }
}

fuzz_target!(|data: &[u8]| {
    match data.split_first() {
        Some((mode, rest)) if mode % 2 == 0 => {
            if let Ok(text) = std::str::from_utf8(rest) {
                stored(text);
            }
        }
        Some((_, [hi, lo, body @ ..])) => answer(u16::from_be_bytes([*hi, *lo]), body),
        _ => {}
    }
});
