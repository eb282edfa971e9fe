//! Sending one API request: bearer token, a single refresh after an unexpected 401, retries with
//! backoff where a repeat cannot do harm (and after any rate limit), and Google's errors mapped to error
//! kinds. A write whose answer was lost after it may have reached the server answers
//! [`ErrorKind::OutcomeUnknown`], never a plain network error.

use std::time::{Duration, SystemTime};

use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, RETRY_AFTER};
use serde::Deserialize;
use url::Url;

use super::errors::{transport_error, worth_retrying};
use super::retry::{is_rate_limit, is_retryable_status, parse_retry_after};
use super::trace::RequestTrace;
use super::{Session, retry_delay};
use crate::calendar::methods::MethodSpec;
use crate::error::{Error, ErrorKind, Result};
use crate::observe::stats::RetryCause;
use crate::secret::Secret;

/// A request to the API, before authentication.
#[derive(Clone, Debug)]
pub struct Outgoing {
    pub method: reqwest::Method,
    pub url: Url,
    /// Shared, so a retry resends it without a copy.
    pub body: Option<bytes::Bytes>,
    pub content_type: Option<String>,
    pub headers: Vec<(&'static str, String)>,
    /// Repeating the request cannot do harm (it was not sent, or it is idempotent).
    pub idempotent: bool,
    /// The request changes something: once it may have reached the server, a lost answer leaves its
    /// outcome unknown.
    pub write: bool,
    pub timeout: Option<Duration>,
    pub max_attempts: Option<u32>,
    /// The Calendar method, for statistics and log records; `None` for a batch request.
    pub api_method: Option<&'static MethodSpec>,
}

impl Outgoing {
    pub fn new(method: reqwest::Method, url: Url) -> Outgoing {
        Outgoing {
            method,
            url,
            body: None,
            content_type: None,
            headers: Vec::new(),
            idempotent: false,
            write: false,
            timeout: None,
            max_attempts: None,
            api_method: None,
        }
    }
}

/// A successful (2xx) answer.
#[derive(Debug)]
pub struct Incoming {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: bytes::Bytes,
    /// How many times the request was sent.
    pub attempts: u32,
    /// An earlier attempt of this write may have been applied: its answer was lost, or was a server
    /// error. (A batch's parts then answer for a state that attempt may have left.)
    pub maybe_applied: bool,
}

pub async fn send(client: &impl Session, request: &Outgoing) -> Result<Incoming> {
    let trace = RequestTrace::start(client.observer(), request);
    let result = send_attempts(client, request, &trace).await;
    trace.finished(&result);
    result
}

async fn send_attempts(
    client: &impl Session,
    request: &Outgoing,
    trace: &RequestTrace<'_>,
) -> Result<Incoming> {
    let policy = client.config().retry;
    let max_attempts = request.max_attempts.unwrap_or(policy.max_attempts).max(1);
    let mut attempt = 1;
    let mut refused: Option<Secret> = None;
    let mut refreshed = false;
    // An attempt reached the server and its answer was lost.
    let mut lost = false;
    // ... or was answered with a server error, which does not promise that nothing was applied.
    let mut maybe_applied = false;
    let unknown = |e: Error, lost: bool| {
        if request.write && lost {
            outcome_unknown(&e)
        } else {
            e
        }
    };
    loop {
        let token = match client.access_token(refused.as_ref()).await {
            Ok(token) => token,
            Err(e) => return Err(unknown(e, lost)),
        };
        let mut builder = client
            .http()
            .api_request(request.method.clone(), request.url.clone())
            .bearer_auth(token.expose())
            .header(ACCEPT, "application/json");
        for (name, value) in &request.headers {
            builder = builder.header(*name, value);
        }
        if let Some(body) = &request.body {
            let content_type = request
                .content_type
                .as_deref()
                .unwrap_or("application/json");
            builder = builder
                .header(CONTENT_TYPE, content_type)
                .body(body.clone());
        }
        if let Some(timeout) = request.timeout {
            builder = builder.timeout(timeout);
        }
        let sent = trace.attempt(attempt);
        let mut response = match builder.send().await {
            Ok(response) => response,
            // Nothing was sent, and a repeat would be built the same way.
            Err(e) if e.is_builder() => return Err(transport(&e, attempt)),
            Err(e) => {
                trace.no_answer(attempt, &e, sent);
                // A failed connect never reached the server, so even a POST may be repeated.
                let reached = !e.is_connect();
                lost |= reached;
                maybe_applied |= reached;
                if (request.idempotent || !reached) && attempt < max_attempts && worth_retrying(&e)
                {
                    let delay = retry_delay(&policy, attempt, None);
                    trace.retrying(attempt, RequestTrace::cause_of(&e), delay);
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                    continue;
                }
                let error = client.http().refine(transport(&e, attempt), &e).await;
                return Err(unknown(error, lost));
            }
        };
        let status = response.status().as_u16();
        if status == 401 && !refreshed {
            trace.answered(attempt, status, response.headers(), 0, sent);
            trace.retrying(attempt, RetryCause::Unauthorized, Duration::ZERO);
            refused = Some(token);
            refreshed = true;
            continue;
        }
        // Taken, not copied: reading the body needs only the body.
        let headers = std::mem::take(response.headers_mut());
        let body = match response.bytes().await {
            Ok(body) => body,
            Err(e) => {
                trace.no_answer(attempt, &e, sent);
                lost = true;
                maybe_applied = true;
                if request.idempotent && attempt < max_attempts {
                    let delay = retry_delay(&policy, attempt, None);
                    trace.retrying(attempt, RequestTrace::cause_of(&e), delay);
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                    continue;
                }
                return Err(unknown(transport(&e, attempt), lost));
            }
        };
        trace.answered(attempt, status, &headers, body.len(), sent);
        if status == 304 {
            return Err(Error::new(
                ErrorKind::NotModified,
                "not modified: the resource still matches the given ETag (HTTP 304)",
            )
            .with_http_status(304));
        }
        if (200..300).contains(&status) {
            return Ok(Incoming {
                status,
                headers,
                body,
                attempts: attempt,
                maybe_applied: maybe_applied && request.write,
            });
        }
        let google = GoogleError::parse(&body);
        let reason = google.reason.as_deref();
        // A rate limit applied nothing: any request may be repeated after it.
        let rate_limited = is_rate_limit(status, reason);
        if is_retryable_status(status, reason)
            && (request.idempotent || rate_limited)
            && attempt < max_attempts
        {
            maybe_applied |= !rate_limited;
            let delay = retry_delay(&policy, attempt, retry_after(&headers));
            trace.retrying(attempt, RetryCause::of_status(status), delay);
            tokio::time::sleep(delay).await;
            attempt += 1;
            continue;
        }
        let error = api_error(client, status, google, attempt)
            .with_maybe_applied(maybe_applied && request.write);
        // A server error after a lost answer says nothing of what that lost attempt did.
        return Err(unknown(error, lost && status >= 500));
    }
}

/// The server's `Retry-After`, when it sent one we can read.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, SystemTime::now()))
}

/// A write that reached the server without an answer: it may have been applied. Callers that know the
/// method add how to check.
fn outcome_unknown(cause: &Error) -> Error {
    cause
        .recast(
            ErrorKind::OutcomeUnknown,
            format!(
                "{}; the request had reached the server, so the write may have been applied",
                cause.message()
            ),
        )
        .with_maybe_applied(true)
}

fn transport(error: &reqwest::Error, attempts: u32) -> Error {
    let what = if attempts > 1 {
        format!("the request (after {attempts} attempts)")
    } else {
        "the request".to_string()
    };
    transport_error(&what, error)
}

/// Google's error body: `{"error": {"code", "message", "errors": [{"reason", ...}]}}`.
#[derive(Debug, Default)]
pub struct GoogleError {
    pub message: Option<String>,
    pub reason: Option<String>,
}

impl GoogleError {
    pub fn parse(body: &[u8]) -> GoogleError {
        #[derive(Deserialize)]
        struct Outer {
            error: Inner,
        }
        #[derive(Deserialize)]
        struct Inner {
            message: Option<String>,
            #[serde(default)]
            errors: Vec<Detail>,
        }
        #[derive(Deserialize)]
        struct Detail {
            reason: Option<String>,
        }
        match serde_json::from_slice::<Outer>(body) {
            Ok(outer) => GoogleError {
                message: outer.error.message,
                reason: outer.error.errors.into_iter().find_map(|d| d.reason),
            },
            Err(_) => GoogleError::default(),
        }
    }
}

/// Maps an HTTP error answer to an error kind with a message a person can act on.
pub fn api_error(client: &impl Session, status: u16, google: GoogleError, attempts: u32) -> Error {
    let reason = google.reason.clone();
    let said = google.message.unwrap_or_else(|| "no message".to_string());
    let tries = if attempts > 1 {
        format!(" after {attempts} attempts")
    } else {
        String::new()
    };
    let (kind, message) = match (status, reason.as_deref()) {
        (401, _) => (
            ErrorKind::ConsentRequired,
            format!("the API refused the token even after a refresh ({said}): run consent again"),
        ),
        (412, _) => (
            ErrorKind::PreconditionFailed,
            format!(
                "precondition failed: the resource changed since its ETag was read ({said}); read it again"
            ),
        ),
        (410, Some("fullSyncRequired")) => (
            ErrorKind::SyncTokenExpired,
            format!("the sync token expired ({said}): wipe the local copy and sync fully"),
        ),
        (403, Some("insufficientPermissions")) => {
            let granted = client.granted_scope();
            (
                ErrorKind::InsufficientScope,
                format!(
                    "the token's scopes do not allow this call ({said}); granted: {}; consent again \
                     asking for the scope this call needs (e.g. https://www.googleapis.com/auth/calendar)",
                    granted.as_deref().unwrap_or("unknown")
                ),
            )
        }
        _ => (
            ErrorKind::Http,
            format!(
                "Google answered HTTP {status}{}{tries}: {said}",
                reason
                    .as_deref()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default()
            ),
        ),
    };
    let error = Error::new(kind, message).with_http_status(status);
    match reason {
        Some(r) => error.with_reason(r),
        None => error,
    }
}
