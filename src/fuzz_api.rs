//! Entry points for the fuzz targets in `tests/fuzz/`: each feeds untrusted input through the code the
//! library itself runs on it, and hands back what a target needs to check the answer.
//!
//! Built only with the `fuzzing` feature (never in the default build or the shipped library), hidden
//! from the docs, and not an API: names and shapes change whenever the fuzz targets need them to.

use std::sync::OnceLock;

use oauth2::basic::{BasicErrorResponse, BasicTokenResponse};
use serde_json::Value;

use crate::calendar::body::Body;
use crate::calendar::call::{CallOptions, append_json_text};
use crate::client::Client;
use crate::config::{Config, parse_json};
use crate::error::{Error, ErrorKind, Result};
use crate::http::multipart::{self, BatchResponsePart};
use crate::http::send::GoogleError;
use crate::oauth::consent::{self, Callback, Session};
use crate::oauth::errors::{Grant, oauth_error};
use crate::oauth::grant;
use crate::oauth::relay_state::RelayState;
use crate::oauth::token::Token;
use crate::secret::Secret;

/// A client config (`qgcal_client_new`'s `config_json`), parsed and validated.
pub fn config(json: &str) -> Result<Config> {
    Config::from_json(json)
}

/// A stored token (the config's `token`, as the token callback handed it out), read and checked as a
/// client reads it, then written back the way the token callback writes it.
pub fn stored_token(json: &str) -> Result<(Token, String)> {
    let token: Token = parse_json(json, "token")?;
    token.validate()?;
    let text = token.to_json();
    Ok((token, text))
}

/// A token endpoint's answer read both ways the library reads one: as the oauth2 crate's token or
/// error response (code exchange, refresh), and as the plain answer of the service-account grant.
pub struct TokenAnswer {
    pub oauth2_token: Option<Token>,
    pub oauth2_error: Option<Error>,
    pub plain: Result<Token>,
}

pub fn token_answer(status: u16, body: &[u8]) -> TokenAnswer {
    TokenAnswer {
        oauth2_token: serde_json::from_slice::<BasicTokenResponse>(body)
            .ok()
            .map(|r| grant::token_from_response(&r, None, None)),
        oauth2_error: serde_json::from_slice::<BasicErrorResponse>(body)
            .ok()
            .map(|e| {
                oauth_error(
                    e.error().as_ref(),
                    e.error_description().map(String::as_str),
                    Grant::Refresh,
                )
            }),
        plain: grant::token_answer(status, body, Grant::ServiceAccount),
    }
}

/// What `qgcal_call_ex` would send, without sending it.
#[derive(Debug)]
pub struct PreparedCall {
    /// The method id without the `calendar.` prefix.
    pub method_id: &'static str,
    pub http_method: String,
    pub url: String,
    pub body: Option<bytes::Bytes>,
    /// True when an insert was given an id of the library's choosing.
    pub generated_id: bool,
    /// Sending it again after a lost answer cannot do harm.
    pub repeatable: bool,
    /// The HTTP request as reqwest builds it from all of this, or why it cannot be built.
    pub built: std::result::Result<(), String>,
}

/// The client the call target prepares against: no token request is ever needed to prepare a call.
fn call_client() -> &'static Client {
    static CLIENT: OnceLock<Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        Client::from_json(r#"{"token": {"access_token": "fuzz-token"}}"#)
            .expect("the fuzz client's config is valid")
    })
}

/// `qgcal_call_ex`'s path up to the network: `params_json`, `body_json` and `options_json` read as
/// the C API reads them (NULL: `None`), the method and parameters validated, the request prepared.
pub fn prepare_call(
    method: &str,
    params_json: Option<&str>,
    body_json: Option<&str>,
    options_json: Option<&str>,
) -> Result<PreparedCall> {
    let json = |text: Option<&str>, name: &str| -> Result<Value> {
        text.map_or(Ok(Value::Null), |t| {
            serde_json::from_str(t).map_err(|e| {
                Error::new(
                    ErrorKind::InvalidJson,
                    format!("argument `{name}` is not valid JSON: {e}"),
                )
            })
        })
    };
    let params = json(params_json, "params_json")?;
    let body = json(body_json, "body_json")?;
    let options = CallOptions::from_json(options_json)?;
    let client = call_client();
    let body = (!body.is_null()).then_some(&body);
    let call = client.prepare_call(method, &params, body.map(Body::Value), &options)?;
    let outgoing = client.outgoing(&call, &options);
    let mut builder = client
        .http()
        .request(outgoing.method.clone(), outgoing.url.clone())
        .bearer_auth("fuzz-token");
    for (name, value) in &outgoing.headers {
        builder = builder.header(*name, value);
    }
    if let Some(body) = &outgoing.body {
        builder = builder.body(body.clone());
    }
    let built = builder.build().map(drop).map_err(|e| e.to_string());
    Ok(PreparedCall {
        method_id: call.request.method_id,
        http_method: call.request.http_method.to_string(),
        url: call.request.url.to_string(),
        body: call.request.body.clone(),
        generated_id: call.generated_id.is_some(),
        repeatable: call.repeat.repeatable(),
        built,
    })
}

/// The API base the call target's client prepares against.
pub fn call_api_base() -> String {
    call_client().config().endpoints.api_base_url.to_string()
}

/// One part of a batch answer as the batch code files it: the part, Google's error read from its body,
/// and the body as the result's JSON text (or why it is not JSON).
pub struct BatchAnswerPart {
    pub part: BatchResponsePart,
    pub google_reason: Option<String>,
    pub json: Result<String>,
}

/// A batch answer (`Content-Type` and body) decoded, each part read as `qgcal_batch` reads it.
pub fn batch_answer(content_type: &str, body: &[u8]) -> Result<Vec<BatchAnswerPart>> {
    let body = bytes::Bytes::copy_from_slice(body);
    let parts = multipart::decode_batch_response(content_type, &body)?;
    Ok(parts
        .into_iter()
        .map(|part| {
            let google = GoogleError::parse(&part.body);
            let mut out = Vec::new();
            let json = append_json_text(part.status, &part.body, &mut out)
                .map(|()| String::from_utf8_lossy(&out).into_owned());
            BatchAnswerPart {
                part,
                google_reason: google.reason,
                json,
            }
        })
        .collect())
}

/// `qgcal_parse_notification`: webhook headers as JSON text, read into the notification.
pub fn notification(headers_json: &str) -> Result<Value> {
    let headers: Value = parse_json(headers_json, "headers_json")?;
    crate::calendar::notification::parse_notification(&headers)
}

/// The state of the callback target's plain session (fixed, so seeds can carry it).
pub const CALLBACK_STATE: &str = "fuzz-state-Y2FsbGJhY2s";

/// The callback target's consent session: the plain kind (state [`CALLBACK_STATE`]), or the kind that
/// went through a relay (a relay state naming `https://qorus.example.com/cb`).
pub fn callback_session(relayed: bool) -> Session {
    let (state, redirect_uri, return_url) = if relayed {
        let state = RelayState {
            nonce: "fuzzNonce0123456789abc".into(),
            return_url: "https://qorus.example.com/cb".into(),
            server: "accounts.google.com".into(),
        }
        .encode();
        (
            state,
            "https://relay.example.net/cb",
            Some("https://qorus.example.com/cb".to_string()),
        )
    } else {
        (CALLBACK_STATE.to_string(), "http://127.0.0.1:8080/cb", None)
    };
    Session {
        client_id: "fuzz-client".into(),
        state: Secret::new(state),
        code_verifier: Secret::new("v".repeat(43)),
        redirect_uri: redirect_uri.into(),
        return_url,
        scopes: vec![crate::config::DEFAULT_SCOPE.into()],
        created_at: grant::now_unix(),
    }
}

/// What the browser brought back, as `qgcal_consent_complete` and the loopback listener read it:
/// `Ok(Some(code))`, `Ok(None)` for a denial, or the error.
pub fn callback(session: &Session, callback_url: &str) -> Result<Option<String>> {
    consent::read_callback(session, callback_url).map(|c| match c {
        Callback::Code(code) => Some(code),
        Callback::Denied => None,
    })
}

/// The loopback consent listener's reading of a request head: the target of a GET, else `None`.
pub fn loopback_request_target(head: &[u8]) -> Option<String> {
    crate::oauth::loopback::request_target(head)
}

/// A relay state (`v1.<nonce>.<payload>`), decoded as the instance and the relay decode it.
pub fn relay_state(state: &str) -> Result<RelayState> {
    RelayState::decode(state)
}
