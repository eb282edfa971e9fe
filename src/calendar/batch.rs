//! Batches: many calls in few HTTP requests (`multipart/mixed` to the batch endpoint), one result per
//! call in order, with calls that failed transiently retried.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::call::{CallOptions, PreparedCall, parse_body};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::http::multipart::{self, BatchPart, BatchResponsePart};
use crate::http::retry::is_retryable_status;
use crate::http::retry_delay;
use crate::http::send::{GoogleError, Incoming, Outgoing, api_error, send};

/// Google's limit on calls per batch request.
pub const MAX_CHUNK: usize = 1000;
/// A friendlier size for per-user rate limits.
pub const DEFAULT_CHUNK: usize = 50;

/// One call of a batch: `{"method", "params", "body"}`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchCall {
    pub method: String,
    #[serde(default)]
    pub params: Value,
    #[serde(default)]
    pub body: Option<Value>,
}

struct Pending {
    index: usize,
    call: PreparedCall,
}

impl Client {
    /// Runs calls in batches of `chunk_size` (1–1000). Answers one JSON result per call, in order:
    /// `{"status": 200, "body": {...}}` or `{"status": N, "error": {"kind", "message", "http_status",
    /// "reason"}}` (status 0 when the call was never sent, e.g. invalid parameters).
    pub async fn batch(&self, calls: &[BatchCall], chunk_size: usize) -> Result<Vec<Value>> {
        if !(1..=MAX_CHUNK).contains(&chunk_size) {
            return Err(Error::invalid_argument(format!(
                "batch chunk size must be between 1 and {MAX_CHUNK}, got {chunk_size}"
            )));
        }
        let mut results: Vec<Option<Value>> = vec![None; calls.len()];
        let mut pending = Vec::new();
        for (index, call) in calls.iter().enumerate() {
            match self.prepare_call(
                &call.method,
                &call.params,
                call.body.as_ref(),
                &CallOptions::default(),
            ) {
                Ok(call) => pending.push(Pending { index, call }),
                Err(e) => results[index] = Some(failure(0, &e)),
            }
        }
        let policy = self.config().retry;
        let mut attempt = 1;
        while !pending.is_empty() {
            let mut again = Vec::new();
            let mut duplicates = Vec::new();
            for chunk in pending.chunks(chunk_size) {
                let answers = self.send_chunk(chunk).await?;
                // Parts may come back in any order; they name their call by content id.
                let by_id: HashMap<usize, &BatchResponsePart> = answers
                    .iter()
                    .filter_map(|p| Some((p.content_id.as_deref()?.parse().ok()?, p)))
                    .collect();
                for item in chunk {
                    let Some(part) = by_id.get(&item.index).copied() else {
                        results[item.index] = Some(failure(
                            0,
                            &Error::new(
                                crate::ErrorKind::Http,
                                "the batch answer had no part for this call",
                            ),
                        ));
                        continue;
                    };
                    if (200..300).contains(&part.status) {
                        results[item.index] = Some(success(part));
                        continue;
                    }
                    let google = GoogleError::parse(&part.body);
                    if is_retryable_status(part.status, google.reason.as_deref())
                        && item.call.idempotent
                        && attempt < policy.max_attempts
                    {
                        again.push(item.index);
                    } else if part.status == 409
                        && google.reason.as_deref() == Some("duplicate")
                        && item.call.generated_id.is_some()
                    {
                        duplicates.push(item.index);
                    } else {
                        let error = api_error(self, part.status, google, attempt);
                        results[item.index] = Some(failure(part.status, &error));
                    }
                }
            }
            // Our own generated id already exists: an earlier attempt wrote it. Fetch it as the answer.
            for index in duplicates {
                let item = pending
                    .iter()
                    .find(|p| p.index == index)
                    .expect("pending item");
                let params = json!({"calendarId": calls[index].params.get("calendarId").cloned().unwrap_or(Value::Null),
                                    "eventId": item.call.generated_id});
                results[index] = Some(
                    match self
                        .call("events.get", &params, None, &CallOptions::default())
                        .await
                    {
                        Ok(body) => json!({"status": 200, "body": body}),
                        Err(e) => failure(e.http_status(), &e),
                    },
                );
            }
            pending.retain(|p| again.contains(&p.index));
            if !pending.is_empty() {
                tokio::time::sleep(retry_delay(&policy, attempt, None)).await;
                attempt += 1;
            }
        }
        Ok(results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| json!({"status": 0})))
            .collect())
    }

    async fn send_chunk(&self, chunk: &[Pending]) -> Result<Vec<BatchResponsePart>> {
        let parts: Vec<BatchPart<'_>> = chunk
            .iter()
            .map(|p| BatchPart {
                content_id: p.index.to_string(),
                method: p.call.request.http_method.as_str(),
                path_and_query: p.call.request.path_and_query(),
                headers: Vec::new(),
                body: p.call.request.body.as_deref(),
            })
            .collect();
        let boundary = multipart::new_boundary();
        let mut outgoing = Outgoing::new(
            reqwest::Method::POST,
            self.config().endpoints.batch_url.clone(),
        );
        outgoing.body = Some(multipart::encode_batch(&parts, &boundary).into());
        outgoing.content_type = Some(multipart::content_type(&boundary));
        // Resending the whole batch is harmless only when every call in it is.
        outgoing.idempotent = chunk.iter().all(|p| p.call.idempotent);
        let answer = send(self, &outgoing).await?;
        let content_type = header(&answer, "content-type");
        multipart::decode_batch_response(&content_type, &answer.body)
    }
}

/// `{"status", "body"}`, the body moved into place rather than copied (as `json!` would).
fn success(part: &BatchResponsePart) -> Value {
    match parse_body(part.status, &part.body) {
        Ok(body) => {
            let mut result = Map::new();
            result.insert("status".into(), part.status.into());
            result.insert("body".into(), body);
            Value::Object(result)
        }
        Err(e) => failure(part.status, &e),
    }
}

fn failure(status: u16, error: &Error) -> Value {
    json!({"status": status, "error": error.to_json()})
}

fn header(answer: &Incoming, name: &str) -> String {
    answer
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}
