//! Batches: many calls in few HTTP requests (`multipart/mixed` to the batch endpoint), one result per
//! call in order, with calls that failed transiently retried.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Write;
use std::time::{Duration, SystemTime};

use futures_util::stream::{self, StreamExt};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value, json};

use super::body::Body;
use super::call::{CallOptions, PreparedCall, append_json_text, parse_body, utf8};
use super::writes::{Settled, settle, stale_precondition, with_advice};
use crate::client::Client;
use crate::error::{Error, ErrorKind, Result};
use crate::http::multipart::{self, BatchPart, BatchResponsePart};
use crate::http::retry::{is_rate_limit, is_retryable_status, parse_retry_after};
use crate::http::retry_delay;
use crate::http::send::{GoogleError, Incoming, Outgoing, api_error, send};
use crate::observe::stats::RetryCause;

/// Google's limit on calls per batch request.
pub const MAX_CHUNK: usize = 1000;
/// A friendlier size for per-user rate limits.
pub const DEFAULT_CHUNK: usize = 50;
/// Most batch requests in flight at once.
pub const MAX_CONCURRENCY: usize = 16;

/// One call of a batch: `{"method", "params", "body"}`.
#[derive(Clone, Debug, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields)]
pub struct BatchCall {
    pub method: String,
    #[serde(default)]
    pub params: Value,
    #[serde(default)]
    pub body: Option<Value>,
}

/// One call of a batch as JSON text, `{"method", "params", "body"}`: read without building its
/// parameters or body into trees. Its parameters are read when its chunk is about to go out, and its
/// body is sent as it came (the C API's form).
#[derive(Debug, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields)]
pub struct BatchCallJson<'a> {
    #[serde(borrow)]
    pub method: Cow<'a, str>,
    #[serde(default, borrow)]
    pub params: Option<&'a RawValue>,
    #[serde(default, borrow)]
    pub body: Option<&'a RawValue>,
}

// A call is an object: `["colors.get", {}]` would otherwise be read field by field.
crate::config::object_only!(BatchCall);
crate::config::object_only!(BatchCallJson<'a>);

/// The calls of a batch, each read when its chunk is about to go out.
trait Calls: Sync {
    fn count(&self) -> usize;
    fn method(&self, index: usize) -> &str;
    fn params(&self, index: usize) -> Result<Cow<'_, Value>>;
    fn body(&self, index: usize) -> Option<Body<'_>>;
}

impl Calls for [BatchCall] {
    fn count(&self) -> usize {
        self.len()
    }
    fn method(&self, index: usize) -> &str {
        &self[index].method
    }
    fn params(&self, index: usize) -> Result<Cow<'_, Value>> {
        Ok(Cow::Borrowed(&self[index].params))
    }
    fn body(&self, index: usize) -> Option<Body<'_>> {
        self[index].body.as_ref().map(Body::Value)
    }
}

impl Calls for [BatchCallJson<'_>] {
    fn count(&self) -> usize {
        self.len()
    }
    fn method(&self, index: usize) -> &str {
        &self[index].method
    }
    fn params(&self, index: usize) -> Result<Cow<'_, Value>> {
        match self[index].params {
            Some(text) => serde_json::from_str(text.get())
                .map(Cow::Owned)
                .map_err(|e| Error::invalid_argument(format!("the call's parameters: {e}"))),
            None => Ok(Cow::Owned(Value::Null)),
        }
    }
    fn body(&self, index: usize) -> Option<Body<'_>> {
        self[index].body.map(Body::Text)
    }
}

/// How a batch is sent (`qgcal_batch_ex` options).
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct BatchOptions {
    /// Calls per HTTP request (1–1000).
    pub chunk_size: usize,
    /// HTTP requests in flight at once (1–16). Google runs the calls of a batch in no set order, so
    /// sending chunks side by side promises no less than sending them one after another.
    pub concurrency: usize,
}

impl Default for BatchOptions {
    fn default() -> BatchOptions {
        BatchOptions {
            chunk_size: DEFAULT_CHUNK,
            concurrency: 2,
        }
    }
}

impl BatchOptions {
    /// Default options with this chunk size.
    pub fn chunks_of(chunk_size: usize) -> BatchOptions {
        BatchOptions {
            chunk_size,
            ..BatchOptions::default()
        }
    }

    fn check(&self) -> Result<()> {
        if !(1..=MAX_CHUNK).contains(&self.chunk_size) {
            return Err(Error::invalid_argument(format!(
                "batch chunk size must be between 1 and {MAX_CHUNK}, got {}",
                self.chunk_size
            )));
        }
        if !(1..=MAX_CONCURRENCY).contains(&self.concurrency) {
            return Err(Error::invalid_argument(format!(
                "batch concurrency must be between 1 and {MAX_CONCURRENCY}, got {}",
                self.concurrency
            )));
        }
        Ok(())
    }
}

struct Pending {
    index: usize,
    call: PreparedCall,
    /// An earlier attempt of this call may have been applied (a server error answered it).
    maybe_applied: bool,
}

/// A chunk's calls ready to send, and those refused before sending (index and why).
type PreparedChunk = (Vec<Pending>, Vec<(usize, Error)>);

/// What became of one call, before it is turned into JSON (a value, or text for the C API).
enum Outcome {
    Answered {
        status: u16,
        body: bytes::Bytes,
    },
    /// The whole result, `{"status", "error"}`.
    Failed(Value),
}

impl Outcome {
    fn into_value(self) -> Value {
        match self {
            Outcome::Answered { status, body } => match parse_body(status, &body) {
                Ok(body) => {
                    // Moved into place; `json!` would copy the body through serialization.
                    let mut result = Map::new();
                    result.insert("status".into(), status.into());
                    result.insert("body".into(), body);
                    Value::Object(result)
                }
                Err(e) => failure(status, &e),
            },
            Outcome::Failed(result) => result,
        }
    }

    fn into_text(self) -> String {
        match self {
            Outcome::Answered { status, body } => {
                // Written straight into one buffer: `{"status":N,"body":...}`.
                let mut out = Vec::with_capacity(body.len() + 24);
                let _ = write!(out, "{{\"status\":{status},\"body\":");
                match append_json_text(status, &body, &mut out) {
                    Ok(()) => {
                        out.push(b'}');
                        utf8(out)
                    }
                    Err(e) => failure(status, &e).to_string(),
                }
            }
            Outcome::Failed(result) => result.to_string(),
        }
    }
}

impl Client {
    /// Runs calls in batches of `options.chunk_size` (1–1000), up to `options.concurrency` batch
    /// requests at once. Answers one JSON result per call, in order: `{"status": 200, "body": {...}}` or
    /// `{"status": N, "error": {"kind", "message", "http_status", "reason"}}` (status 0 when the call was
    /// never sent, e.g. invalid parameters).
    pub async fn batch(&self, calls: &[BatchCall], options: &BatchOptions) -> Result<Vec<Value>> {
        self.batch_outcomes(calls, options, Outcome::into_value)
            .await
    }

    /// [`Client::batch`], answering the JSON text of the results array; each body is Google's text,
    /// checked and made compact, never built into a [`Value`].
    pub async fn batch_text(&self, calls: &[BatchCall], options: &BatchOptions) -> Result<String> {
        self.batch_results_text(calls, options).await
    }

    /// [`Client::batch_text`] for calls given as JSON text: each call's parameters are read just
    /// before its chunk goes out and its body is sent as it came, so the first request leaves without
    /// waiting for the whole batch to be read.
    pub async fn batch_json(
        &self,
        calls: &[BatchCallJson<'_>],
        options: &BatchOptions,
    ) -> Result<String> {
        self.batch_results_text(calls, options).await
    }

    async fn batch_results_text<C: Calls + ?Sized>(
        &self,
        calls: &C,
        options: &BatchOptions,
    ) -> Result<String> {
        let results = self
            .batch_outcomes(calls, options, Outcome::into_text)
            .await?;
        // One allocation, with room for the NUL the C API appends: the text can run to megabytes.
        let size = results.iter().map(|r| r.len() + 1).sum::<usize>() + 3;
        let mut text = String::with_capacity(size);
        text.push('[');
        for (i, r) in results.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            text.push_str(r);
        }
        text.push(']');
        Ok(text)
    }

    /// Runs the batch; each call's outcome goes through `finish` as soon as its chunk is answered, so
    /// that work overlaps the chunks still in flight.
    async fn batch_outcomes<C: Calls + ?Sized, T>(
        &self,
        calls: &C,
        options: &BatchOptions,
        finish: fn(Outcome) -> T,
    ) -> Result<Vec<T>> {
        options.check()?;
        let count = calls.count();
        let mut results: Vec<Option<T>> = (0..count).map(|_| None).collect();
        // Each chunk is prepared only when its request is about to go out, so preparing overlaps
        // the server's work on the chunks before it.
        let first = (0..count)
            .step_by(options.chunk_size)
            .map(|start| self.prepare_chunk(calls, start..count.min(start + options.chunk_size)));
        let policy = self.config().retry;
        let mut attempt = 1;
        let (mut again, mut wait) = self
            .round(first, options, attempt, &mut results, finish)
            .await?;
        while !again.is_empty() {
            // The longest `Retry-After` of the parts sent again, as a single call honours its own.
            let delay = retry_delay(&policy, attempt, wait);
            tracing::info!(
                client = self.id(),
                calls = again.len() as u64,
                attempt,
                delay_ms = crate::observe::ms(delay),
                "batch: sending calls that failed transiently again"
            );
            tokio::time::sleep(delay).await;
            attempt += 1;
            let mut chunks = Vec::new();
            while !again.is_empty() {
                let rest = again.split_off(again.len().min(options.chunk_size));
                chunks.push((std::mem::replace(&mut again, rest), Vec::new()));
            }
            (again, wait) = self
                .round(chunks.into_iter(), options, attempt, &mut results, finish)
                .await?;
        }
        Ok(results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| finish(Outcome::Failed(json!({"status": 0})))))
            .collect())
    }

    /// Validates the calls of one chunk; those that fail are answered without being sent.
    fn prepare_chunk<C: Calls + ?Sized>(
        &self,
        calls: &C,
        indices: std::ops::Range<usize>,
    ) -> PreparedChunk {
        let mut prepared = Vec::with_capacity(indices.len());
        let mut refused = Vec::new();
        for index in indices {
            let call = calls.params(index).and_then(|params| {
                self.prepare_call(
                    calls.method(index),
                    &params,
                    calls.body(index),
                    &CallOptions::default(),
                )
            });
            match call {
                Ok(call) => prepared.push(Pending {
                    index,
                    call,
                    maybe_applied: false,
                }),
                Err(e) => refused.push((index, e)),
            }
        }
        (prepared, refused)
    }

    /// Sends the chunks, up to `options.concurrency` at once, and files every answer in `results`.
    /// Answers the calls that failed transiently and may be sent again, and the longest `Retry-After`
    /// among their answers.
    async fn round<T>(
        &self,
        chunks: impl Iterator<Item = PreparedChunk>,
        options: &BatchOptions,
        attempt: u32,
        results: &mut [Option<T>],
        finish: fn(Outcome) -> T,
    ) -> Result<(Vec<Pending>, Option<Duration>)> {
        let max_attempts = self.config().retry.max_attempts;
        let mut again = Vec::new();
        let mut wait: Option<Duration> = None;
        let mut read_backs = Vec::new();
        // Answers come back in chunk order, whichever request finished first.
        let mut answered = stream::iter(chunks)
            .map(|(prepared, refused)| async move {
                let answers = if prepared.is_empty() {
                    Ok((Vec::new(), false))
                } else {
                    self.send_chunk(&prepared).await
                };
                (prepared, refused, answers)
            })
            .buffered(options.concurrency);
        while let Some((prepared, refused, answers)) = answered.next().await {
            let (sent, retried_before, failed_before) =
                (prepared.len(), again.len(), refused.len());
            let mut failed = failed_before;
            for (index, e) in refused {
                results[index] = Some(finish(Outcome::Failed(failure(0, &e))));
            }
            let (parts, resent) = match answers {
                Ok(answers) => answers,
                // The chunk's answer was lost: each call says what that means for it, in its place.
                Err(e) if lost_answer(&e) => {
                    for item in prepared {
                        let error = chunk_failure(&item, &e);
                        results[item.index] = Some(finish(Outcome::Failed(failure(0, &error))));
                    }
                    self.observer().count(|s| s.batch_outcome(0, failed + sent));
                    continue;
                }
                Err(e) => return Err(e),
            };
            // Parts may come back in any order; they name their call by content id.
            let mut by_id: HashMap<usize, BatchResponsePart> = parts
                .into_iter()
                .filter_map(|p| Some((p.content_id.as_deref()?.parse().ok()?, p)))
                .collect();
            for mut item in prepared {
                item.maybe_applied |= resent && item.call.repeat.is_write();
                let Some(part) = by_id.remove(&item.index) else {
                    let missing = Error::new(
                        crate::ErrorKind::Http,
                        "the batch answer had no part for this call",
                    );
                    results[item.index] = Some(finish(Outcome::Failed(failure(0, &missing))));
                    failed += 1;
                    continue;
                };
                if (200..300).contains(&part.status) {
                    results[item.index] = Some(finish(Outcome::Answered {
                        status: part.status,
                        body: part.body,
                    }));
                    continue;
                }
                let google = GoogleError::parse(&part.body);
                let reason = google.reason.as_deref();
                // A rate limit applied nothing: any call may be sent again after it.
                let rate_limited = is_rate_limit(part.status, reason);
                if is_retryable_status(part.status, reason)
                    && (item.call.repeat.repeatable() || rate_limited)
                    && attempt < max_attempts
                {
                    let cause = RetryCause::of_status(part.status);
                    self.observer().count(|s| s.retry(cause));
                    wait = wait.max(part_retry_after(&part));
                    item.maybe_applied |= !rate_limited && item.call.repeat.is_write();
                    again.push(item);
                    continue;
                }
                let error = api_error(self, part.status, google, attempt)
                    .with_maybe_applied(item.maybe_applied);
                let outcome =
                    match settle(item.call.repeat, item.call.generated_id.is_some(), &error) {
                        Some(Settled::Done) => Outcome::Answered {
                            status: 204,
                            body: bytes::Bytes::new(),
                        },
                        Some(Settled::ReadBack) => {
                            read_backs.push((item, error));
                            continue;
                        }
                        Some(Settled::Unknown) => Outcome::Failed(failure(
                            part.status,
                            &stale_precondition(&item.call, &error),
                        )),
                        None => Outcome::Failed(failure(part.status, &error)),
                    };
                failed += usize::from(matches!(outcome, Outcome::Failed(_)));
                results[item.index] = Some(finish(outcome));
            }
            let retried = again.len() - retried_before;
            self.observer().count(|s| s.batch_outcome(retried, failed));
            tracing::debug!(
                client = self.id(),
                attempt,
                calls = sent as u64,
                refused = failed_before as u64,
                retried = retried as u64,
                failed = failed as u64,
                "batch chunk answered"
            );
        }
        drop(answered);
        // The write is there (an insert with its own id, a moved event): read it back as the answer.
        for (item, error) in read_backs {
            let answer = self
                .settle_answer(&item.call, &CallOptions::default(), Err(error))
                .await;
            results[item.index] = Some(finish(match answer {
                Ok(answer) => Outcome::Answered {
                    status: answer.status,
                    body: answer.body,
                },
                Err(e) => Outcome::Failed(failure(e.http_status(), &e)),
            }));
        }
        Ok((again, wait))
    }

    /// Sends one chunk; also answers whether the batch request was sent again after an attempt that may
    /// have been applied (its parts then answer for the state that attempt may have left).
    async fn send_chunk(&self, chunk: &[Pending]) -> Result<(Vec<BatchResponsePart>, bool)> {
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
        outgoing.idempotent = chunk.iter().all(|p| p.call.repeat.repeatable());
        outgoing.write = chunk.iter().any(|p| p.call.repeat.is_write());
        self.observer().count(|s| s.batch_chunk(chunk.len()));
        let answer = send(self, &outgoing).await?;
        let content_type = header(&answer, "content-type");
        let parts = multipart::decode_batch_response(&content_type, &answer.body)?;
        Ok((parts, answer.maybe_applied))
    }
}

/// The batch request itself went out but no answer came back.
fn lost_answer(error: &Error) -> bool {
    matches!(
        error.kind(),
        ErrorKind::OutcomeUnknown | ErrorKind::Network | ErrorKind::Timeout
    )
}

/// What a chunk whose answer was lost means for one of its calls: a write may have been applied, a
/// read simply failed.
fn chunk_failure(item: &Pending, error: &Error) -> Error {
    match (error.kind(), item.call.repeat.is_write()) {
        (ErrorKind::OutcomeUnknown, true) => with_advice(&item.call, error.clone()),
        (ErrorKind::OutcomeUnknown, false) => error.recast(
            ErrorKind::Network,
            format!("the batch request's answer was lost: {}", error.message()),
        ),
        _ => error.clone(),
    }
}

/// A part's own `Retry-After`, when it has one we can read.
fn part_retry_after(part: &BatchResponsePart) -> Option<Duration> {
    part.headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("retry-after"))
        .and_then(|(_, value)| parse_retry_after(value, SystemTime::now()))
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
