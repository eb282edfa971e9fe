//! Calling one Calendar method: validation first, then the request, with safe retries (generated event
//! ids make inserts repeatable), ETag preconditions, and exact outcomes for writes whose answer was lost
//! (see [`super::writes`]).

use std::time::Duration;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::body::{Body, with_id};
use super::request::{PreparedRequest, prepare_with_body};
use super::writes::{Repeat, Settled, read_back, settle, stale_precondition, with_advice};
use crate::client::Client;
use crate::config::parse_json;
use crate::error::{Error, ErrorKind, Result};
use crate::http::retry::new_event_id;
use crate::http::send::{Incoming, Outgoing, send};

/// Per-call options (`qgcal_call_ex`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallOptions {
    /// Send `If-Match`: the call fails with precondition-failed if the resource's ETag differs.
    pub if_match: Option<String>,
    /// Send `If-None-Match`: a get answers not-modified if the ETag still matches.
    pub if_none_match: Option<String>,
    /// Partial response selector (Google's `fields`).
    pub fields: Option<String>,
    /// Google's `quotaUser`.
    pub quota_user: Option<String>,
    /// Whole-request timeout for this call.
    pub timeout_ms: Option<u64>,
    /// Attempts for this call (1 = no retry), overriding the client's `retry.max_attempts`.
    pub max_attempts: Option<u32>,
    /// events.insert / events.import without an `id` get a generated one (default true), which makes
    /// them safe to retry.
    pub generate_id: Option<bool>,
}

impl CallOptions {
    pub fn from_json(json: Option<&str>) -> Result<CallOptions> {
        let options: CallOptions = match json {
            Some(j) => parse_json(j, "call options")?,
            None => CallOptions::default(),
        };
        if options.timeout_ms == Some(0) {
            return Err(Error::invalid_argument(
                "call option `timeout_ms` must be greater than 0",
            ));
        }
        if let Some(n) = options.max_attempts
            && !(1..=20).contains(&n)
        {
            return Err(Error::invalid_argument(format!(
                "call option `max_attempts` must be between 1 and 20, got {n}"
            )));
        }
        options.check_headers()?;
        Ok(options)
    }

    /// `if_match` and `if_none_match` travel as headers, which cannot carry CR, LF, NUL or other
    /// control characters: such a value could never be sent, so it is refused before any request.
    pub(crate) fn check_headers(&self) -> Result<()> {
        for (name, value) in [
            ("if_match", &self.if_match),
            ("if_none_match", &self.if_none_match),
        ] {
            if value
                .as_deref()
                .is_some_and(|v| reqwest::header::HeaderValue::from_str(v).is_err())
            {
                return Err(Error::invalid_argument(format!(
                    "call option `{name}` holds a control character (CR, LF, NUL...), which no HTTP \
                     header can carry: give the ETag as Google sent it"
                )));
            }
        }
        Ok(())
    }
}

const INSERTS_WITH_CLIENT_IDS: &[&str] = &["events.insert", "events.import"];

/// A validated call, with what retrying it safely needs to know.
pub(crate) struct PreparedCall {
    pub request: PreparedRequest,
    /// The event id this library chose for an insert, if it chose one.
    pub generated_id: Option<String>,
    /// What sending it twice does.
    pub repeat: Repeat,
    /// The read that shows whether the write was applied, when one can: method id and parameters.
    pub read_back: Option<(&'static str, Value)>,
}

impl Client {
    /// Calls a Calendar method by its discovery id (`events.list` or `calendar.events.list`). `params`
    /// holds path and query parameters (an object, or null), `body` the request body. Answers the response
    /// JSON (`{}` for an empty answer).
    pub async fn call(
        &self,
        method: &str,
        params: &Value,
        body: Option<&Value>,
        options: &CallOptions,
    ) -> Result<Value> {
        let answer = self.call_answer(method, params, body, options).await?;
        parse_body(answer.status, &answer.body)
    }

    /// [`Client::call`], answering the response's JSON text as Google sent it (checked to be JSON; `{}`
    /// for an empty answer). Hosts that want text, like the C API, skip building and re-serializing a
    /// [`Value`].
    pub async fn call_text(
        &self,
        method: &str,
        params: &Value,
        body: Option<&Value>,
        options: &CallOptions,
    ) -> Result<String> {
        let answer = self.call_answer(method, params, body, options).await?;
        json_text(answer.status, &answer.body)
    }

    pub(crate) async fn call_answer(
        &self,
        method: &str,
        params: &Value,
        body: Option<&Value>,
        options: &CallOptions,
    ) -> Result<Incoming> {
        // Options reach here from Rust too, not only through `CallOptions::from_json`.
        options.check_headers()?;
        let call = self.prepare_call(method, params, body.map(Body::Value), options)?;
        let answer = send(self, &self.outgoing(&call, options)).await;
        self.settle_answer(&call, options, answer).await
    }

    /// Makes a write's outcome exact where the API allows it when an earlier attempt may have been
    /// applied: a delete that finds the resource gone succeeded, an insert that meets its own id (or a
    /// move whose event is at the destination) is read back; otherwise the outcome is unknown.
    pub(crate) async fn settle_answer(
        &self,
        call: &PreparedCall,
        options: &CallOptions,
        answer: Result<Incoming>,
    ) -> Result<Incoming> {
        let error = match answer {
            Ok(answer) => return Ok(answer),
            Err(e) => e,
        };
        match settle(call.repeat, call.generated_id.is_some(), &error) {
            Some(Settled::Done) => Ok(Incoming {
                status: 204,
                headers: Default::default(),
                body: bytes::Bytes::new(),
                // At least the attempt whose answer was lost and the repeat.
                attempts: 2,
                maybe_applied: true,
            }),
            Some(Settled::ReadBack) => self.read_back(call, options, error).await,
            Some(Settled::Unknown) => Err(stale_precondition(call, &error)),
            None => Err(with_advice(call, error)),
        }
    }

    /// Reads back what a write made (an insert with its id, a moved event at its destination).
    async fn read_back(
        &self,
        call: &PreparedCall,
        options: &CallOptions,
        error: Error,
    ) -> Result<Incoming> {
        let Some((method, params)) = &call.read_back else {
            return Err(error);
        };
        let plain = CallOptions {
            timeout_ms: options.timeout_ms,
            max_attempts: options.max_attempts,
            ..CallOptions::default()
        };
        let check = self.prepare_call(method, params, None, &plain)?;
        match send(self, &self.outgoing(&check, &plain)).await {
            Ok(answer) => Ok(answer),
            // A moved event in neither calendar is gone: the repeat's 404 stands.
            Err(e) if call.repeat == Repeat::Move && e.http_status() == 404 => Err(error),
            Err(e) => Err(with_advice(
                call,
                error.recast(
                    ErrorKind::OutcomeUnknown,
                    format!(
                        "an earlier attempt may have been applied ({}), and reading it back failed ({})",
                        error.message(),
                        e.message()
                    ),
                ),
            )),
        }
    }

    /// Validates a call (and gives inserts their id) without sending it.
    pub(crate) fn prepare_call(
        &self,
        method: &str,
        params: &Value,
        body: Option<Body<'_>>,
        options: &CallOptions,
    ) -> Result<PreparedCall> {
        let merged;
        let params = match params {
            Value::Object(_) | Value::Null
                if options.fields.is_some() || options.quota_user.is_some() =>
            {
                let mut map = params.as_object().cloned().unwrap_or_default();
                merge_standard(&mut map, options);
                merged = Value::Object(map);
                &merged
            }
            _ => params,
        };
        let body = body.filter(|b| !b.is_null());
        let normalized = method.strip_prefix("calendar.").unwrap_or(method);
        let is_insert = INSERTS_WITH_CLIENT_IDS.contains(&normalized);
        let has_id = is_insert && body.is_some_and(|b| b.has_id());
        let generated = (options.generate_id != Some(false)
            && is_insert
            && body.is_some_and(|b| b.is_object())
            && !has_id)
            .then(new_event_id);
        // An insert that carries an id (ours or the caller's) answers 409 on a repeat, never a copy.
        let carries_id = generated.is_some() || has_id;
        let mut request =
            prepare_with_body(method, params, body, &self.config().endpoints.api_base_url)?;
        if let (Some(id), Some(text)) = (&generated, &request.body) {
            request.body = Some(with_id(text, id));
        }
        let repeat = Repeat::of(request.method_id, request.spec.http_method, carries_id);
        let read_back = match repeat {
            Repeat::ClientId | Repeat::Move => {
                read_back(request.method_id, params, body, generated.as_deref())
            }
            _ => None,
        };
        Ok(PreparedCall {
            request,
            generated_id: generated,
            repeat,
            read_back,
        })
    }

    pub(crate) fn outgoing(&self, call: &PreparedCall, options: &CallOptions) -> Outgoing {
        let request = &call.request;
        let mut outgoing = Outgoing::new(request.http_method.clone(), request.url.clone());
        outgoing.body = request.body.clone();
        outgoing.idempotent = call.repeat.repeatable();
        outgoing.write = call.repeat.is_write();
        outgoing.api_method = Some(request.spec);
        outgoing.timeout = options.timeout_ms.map(Duration::from_millis);
        outgoing.max_attempts = options.max_attempts;
        if let Some(etag) = &options.if_match {
            outgoing.headers.push(("if-match", etag.clone()));
        }
        if let Some(etag) = &options.if_none_match {
            outgoing.headers.push(("if-none-match", etag.clone()));
        }
        outgoing
    }
}

fn merge_standard(map: &mut Map<String, Value>, options: &CallOptions) {
    if let Some(fields) = &options.fields {
        map.insert("fields".into(), Value::String(fields.clone()));
    }
    if let Some(user) = &options.quota_user {
        map.insert("quotaUser".into(), Value::String(user.clone()));
    }
}

/// The answer's JSON; `{}` for an empty (204) answer.
pub(crate) fn parse_body(status: u16, body: &[u8]) -> Result<Value> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    serde_json::from_slice(body).map_err(|e| not_json(status, e))
}

/// The answer's JSON text, checked without building it and made compact; `{}` for an empty (204)
/// answer. Checked JSON holds no NUL byte, so it passes to C whole.
pub(crate) fn json_text(status: u16, body: &[u8]) -> Result<String> {
    let mut out = Vec::with_capacity(body.len());
    append_json_text(status, body, &mut out)?;
    Ok(utf8(out))
}

/// [`json_text`], appended to `out`.
pub(crate) fn append_json_text(status: u16, body: &[u8], out: &mut Vec<u8>) -> Result<()> {
    if body.iter().all(u8::is_ascii_whitespace) {
        out.extend_from_slice(b"{}");
        return Ok(());
    }
    let text = std::str::from_utf8(body).map_err(|e| not_json(status, e))?;
    serde_json::from_str::<serde::de::IgnoredAny>(text).map_err(|e| not_json(status, e))?;
    minify_into(text.as_bytes(), out);
    Ok(())
}

/// Text built from checked UTF-8 with only ASCII bytes added or removed.
pub(crate) fn utf8(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Drops the whitespace between tokens of valid JSON (Google pretty-prints its answers). Strings are
/// copied whole, found with memchr, so the cost is mostly the indentation.
pub(crate) fn minify_into(b: &[u8], out: &mut Vec<u8>) {
    out.reserve(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                let start = i;
                i += 1;
                while let Some(p) = b
                    .get(i..)
                    .and_then(|rest| memchr::memchr2(b'"', b'\\', rest))
                {
                    // An escape takes the next byte with it, even when that is a quote.
                    let escape = b[i + p] == b'\\';
                    i += p + if escape { 2 } else { 1 };
                    if !escape {
                        break;
                    }
                }
                i = i.min(b.len());
                out.extend_from_slice(&b[start..i]);
            }
            b' ' | b'\n' | b'\r' | b'\t' => i += 1,
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
}

pub(crate) fn not_json(status: u16, e: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorKind::Http,
        format!("the API answered HTTP {status} with a body that is not JSON: {e}"),
    )
    .with_http_status(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_text_is_compact_and_keeps_strings_whole() {
        let pretty = "{\n  \"end\" : \"tail\\\\\" ,\n  \"summary\": \"a  \\\"quoted\\\" \\\\ b\\n\",\n  \"list\": [ 1, {\"k\": \"é \\u00e9\"} ],\n  \"t\": true\n}\n";
        let text = json_text(200, pretty.as_bytes()).unwrap();
        assert_eq!(
            text,
            "{\"end\":\"tail\\\\\",\"summary\":\"a  \\\"quoted\\\" \\\\ b\\n\",\"list\":[1,{\"k\":\"é \\u00e9\"}],\"t\":true}"
        );
        let a: Value = serde_json::from_str(&text).unwrap();
        let b: Value = serde_json::from_str(pretty).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn json_text_refuses_what_is_not_json() {
        assert_eq!(json_text(204, b"").unwrap(), "{}");
        assert_eq!(json_text(200, b" \r\n").unwrap(), "{}");
        for bad in [&b"{\"a\":"[..], b"<html>", b"{\"a\":\"\xff\"}", b"{} x"] {
            let e = json_text(200, bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Http, "{bad:?}");
            assert_eq!(e.http_status(), 200);
            assert!(e.message().contains("not JSON"), "{}", e.message());
        }
    }
}
