//! `qgcal_client_new`'s config JSON: every answer is a config or an argument/JSON error, and no secret
//! of the input (client secret, tokens, private key) shows in an error message or a Debug rendering.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use qorus_gcal::ErrorKind;
use serde_json::Value;

/// The input's secret values: whatever sits under the keys that hold secrets.
fn secrets(config: &Value) -> Vec<&str> {
    let mut places = vec![config.get("client_secret")];
    match config.get("token") {
        Some(Value::Object(t)) => places.extend([t.get("access_token"), t.get("refresh_token")]),
        other => places.push(other),
    }
    match config.get("service_account") {
        Some(Value::Object(k)) => places.push(k.get("private_key")),
        other => places.push(other),
    }
    let mut out = Vec::new();
    for v in places.into_iter().flatten() {
        common::strings(v, &mut out);
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed: Option<Value> = serde_json::from_str(text).ok();
    let secrets = parsed.as_ref().map(secrets).unwrap_or_default();
    match qorus_gcal::fuzz_api::config(text) {
        Ok(config) => {
            common::assert_no_secret(&format!("{config:?}"), &secrets, text, "Config's Debug");
            // What the config says must be usable as it stands.
            assert!(!config.scopes.is_empty());
            assert!(config.retry.max_attempts >= 1 && config.retry.max_attempts <= 20);
            assert!(config.endpoints.api_base_url.path().ends_with('/'));
            for url in [
                &config.endpoints.auth_url,
                &config.endpoints.token_url,
                &config.endpoints.revoke_url,
                &config.endpoints.api_base_url,
                &config.endpoints.batch_url,
            ] {
                assert!(
                    url.scheme() == "https" || url.scheme() == "http",
                    "endpoint {url}"
                );
            }
        }
        Err(e) => {
            assert!(
                matches!(
                    e.kind(),
                    ErrorKind::InvalidJson | ErrorKind::InvalidArgument
                ),
                "unexpected kind for a config: {e:?}"
            );
            // (Not the converse: serde_json's nesting limit refuses some JSON that an unknown key's
            // error reports first.)
            assert!(
                e.kind() != ErrorKind::InvalidJson || parsed.is_none(),
                "a JSON error for text that is JSON: {e}"
            );
            assert!(!e.message().is_empty());
            common::assert_no_secret(e.message(), &secrets, text, "the error message");
        }
    }
});
