//! Calling one Calendar method: validation first, then the request, with safe retries (generated event
//! ids make inserts repeatable) and ETag preconditions.

use std::time::Duration;

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::request::{PreparedRequest, prepare};
use crate::client::Client;
use crate::config::parse_json;
use crate::error::{Error, ErrorKind, Result};
use crate::http::retry::{is_idempotent, new_event_id};
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
        Ok(options)
    }
}

const INSERTS_WITH_CLIENT_IDS: &[&str] = &["events.insert", "events.import"];

/// A validated call, with what retrying it safely needs to know.
pub(crate) struct PreparedCall {
    pub request: PreparedRequest,
    /// The event id this library chose for an insert, if it chose one.
    pub generated_id: Option<String>,
    /// Repeating the request cannot do harm.
    pub idempotent: bool,
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
        let call = self.prepare_call(method, params, body, options)?;
        match send(self, &self.outgoing(&call, options)).await {
            Ok(answer) => parse_body(&answer),
            // Our own id already exists: an earlier attempt's answer was lost after the write. The
            // event is ours; fetch it so the caller sees one success and exactly one event.
            Err(e) if e.http_status() == 409 && e.reason() == Some("duplicate") => {
                match &call.generated_id {
                    Some(id) => self.fetch_own_event(params, id, options).await,
                    None => Err(e),
                }
            }
            Err(e) => Err(e),
        }
    }

    /// Validates a call (and gives inserts their id) without sending it.
    pub(crate) fn prepare_call(
        &self,
        method: &str,
        params: &Value,
        body: Option<&Value>,
        options: &CallOptions,
    ) -> Result<PreparedCall> {
        let mut params = params.clone();
        if let Value::Object(map) = &mut params {
            merge_standard(map, options);
        } else if params.is_null() {
            let mut map = Map::new();
            merge_standard(&mut map, options);
            params = Value::Object(map);
        }
        let mut body = body.filter(|b| !b.is_null()).cloned();
        let mut generated = None;
        let wants_id = options.generate_id != Some(false);
        let normalized = method.strip_prefix("calendar.").unwrap_or(method);
        if wants_id
            && INSERTS_WITH_CLIENT_IDS.contains(&normalized)
            && let Some(Value::Object(map)) = body.as_mut()
            && !map.contains_key("id")
        {
            let id = new_event_id();
            map.insert("id".into(), Value::String(id.clone()));
            generated = Some(id);
        }
        // An insert that carries an id (ours or the caller's) answers 409 on a repeat, never a copy.
        let carries_id = INSERTS_WITH_CLIENT_IDS.contains(&normalized)
            && body.as_ref().is_some_and(|b| b.get("id").is_some());
        let request = prepare(
            method,
            &params,
            body.as_ref(),
            &self.config().endpoints.api_base_url,
        )?;
        let idempotent = is_idempotent(request.spec.http_method, carries_id);
        Ok(PreparedCall {
            request,
            generated_id: generated,
            idempotent,
        })
    }

    pub(crate) fn outgoing(&self, call: &PreparedCall, options: &CallOptions) -> Outgoing {
        let request = &call.request;
        let mut outgoing = Outgoing::new(request.http_method.clone(), request.url.clone());
        outgoing.body = request.body.clone();
        outgoing.idempotent = call.idempotent;
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

    async fn fetch_own_event(
        &self,
        params: &Value,
        id: &str,
        options: &CallOptions,
    ) -> Result<Value> {
        let calendar = params.get("calendarId").cloned().unwrap_or(Value::Null);
        let get = json!({"calendarId": calendar, "eventId": id});
        let plain = CallOptions {
            timeout_ms: options.timeout_ms,
            max_attempts: options.max_attempts,
            ..CallOptions::default()
        };
        let call = self.prepare_call("events.get", &get, None, &plain)?;
        let answer = send(self, &self.outgoing(&call, &plain)).await?;
        parse_body(&answer)
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
pub(crate) fn parse_body(answer: &Incoming) -> Result<Value> {
    if answer.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    serde_json::from_slice(&answer.body).map_err(|e| {
        Error::new(
            ErrorKind::Http,
            format!(
                "the API answered HTTP {} with a body that is not JSON: {e}",
                answer.status
            ),
        )
        .with_http_status(answer.status)
    })
}
