//! Clients on an emulator with a minted offline token, and one call through them: what most Rust
//! tests start with.

use std::sync::{Arc, Mutex};

use gcal_emulator::{Emulator, MintToken};
use qorus_gcal::blocking::BlockingClient;
use qorus_gcal::calendar::call::CallOptions;
use qorus_gcal::oauth::grant::now_unix;
use qorus_gcal::oauth::token::Token;
use qorus_gcal::{Client, Result, runtime};
use serde_json::{Value, json};

/// A config for an offline token the emulator minted for `scopes` (none: full calendar access), its
/// access token valid until `expires_at` (unix seconds; `None`: unknown, as a host may store it).
pub fn minted_config(emulator: &Emulator, scopes: &[&str], expires_at: Option<i64>) -> String {
    let minted = emulator
        .admin()
        .mint_token(MintToken {
            offline: true,
            scopes: if scopes.is_empty() {
                MintToken::default().scopes
            } else {
                scopes.iter().map(|s| s.to_string()).collect()
            },
            ..MintToken::default()
        })
        .unwrap();
    let mut token = json!({"access_token": minted["access_token"], "refresh_token": minted["refresh_token"],
                           "scope": minted["scope"]});
    if let Some(at) = expires_at {
        token["expires_at"] = at.into();
    }
    super::emulator_config(emulator.urls(), json!({ "token": token }))
}

/// A client whose access token is good for 50 minutes.
pub fn client_for(emulator: &Emulator) -> Client {
    client_with_token(emulator, now_unix() + 3000)
}

/// A client whose access token expires at `expires_at`.
pub fn client_with_token(emulator: &Emulator, expires_at: i64) -> Client {
    Client::from_json(&minted_config(emulator, &[], Some(expires_at))).unwrap()
}

/// A blocking client whose token's expiry is not known.
pub fn blocking_client_for(emulator: &Emulator) -> BlockingClient {
    BlockingClient::from_json(&minted_config(emulator, &[], None)).unwrap()
}

/// One call on the library's runtime.
pub fn call_with(
    client: &Client,
    method: &str,
    params: Value,
    body: Option<Value>,
    options: CallOptions,
) -> Result<Value> {
    let c = client.clone();
    let method = method.to_string();
    runtime::block_on(async move { c.call(&method, &params, body.as_ref(), &options).await })
}

pub fn call(client: &Client, method: &str, params: Value, body: Option<Value>) -> Result<Value> {
    call_with(client, method, params, body, CallOptions::default())
}

/// Every token the client hands to its host, as the token callback sees them.
pub fn record_tokens(client: &Client) -> Arc<Mutex<Vec<Token>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    client.set_token_callback(Some(Arc::new(move |t: &Token| {
        sink.lock().unwrap().push(t.clone())
    })));
    seen
}
