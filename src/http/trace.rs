//! What one API request records as it goes: statistics for every attempt and retry, and log records
//! that name the method, the path (never the query, which can hold page and sync tokens or search
//! text), the status, the attempt, the duration and a request id shared by all of its attempts.

use std::fmt;
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;

use super::send::{Incoming, Outgoing};
use crate::error::Result;
use crate::observe::record::REDACTED;
use crate::observe::stats::{self, RetryCause, method_slot};
use crate::observe::{Observer, RequestId, ms, worth_a_warning};

/// Headers whose values never appear in a record.
const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-goog-api-key",
];

pub struct RequestTrace<'a> {
    observer: &'a Observer,
    request: &'a Outgoing,
    method: &'static str,
    slot: usize,
    /// The client's sequence number of this request.
    seq: u64,
    attempts: AtomicU32,
}

impl<'a> RequestTrace<'a> {
    pub fn start(observer: &'a Observer, request: &'a Outgoing) -> RequestTrace<'a> {
        let slot = method_slot(request.api_method);
        let seq = observer.stats().request_started(slot);
        stats::process().request_started(slot);
        RequestTrace {
            observer,
            request,
            method: request.api_method.map_or("batch", |m| m.id),
            slot,
            seq,
            attempts: AtomicU32::new(0),
        }
    }

    fn id(&self) -> RequestId {
        RequestId(self.observer.id(), self.seq)
    }

    /// An attempt is about to go out; answers when it left.
    pub fn attempt(&self, attempt: u32) -> Instant {
        self.attempts.store(attempt, Relaxed);
        let bytes = self.request.body.as_ref().map_or(0, |b| b.len());
        self.observer.count(|s| s.attempt(bytes));
        tracing::trace!(
            target: "qorus_gcal::http",
            client = self.observer.id(),
            request_id = %self.id(),
            method = self.method,
            http_method = self.request.method.as_str(),
            path = self.request.url.path(),
            attempt,
            bytes_out = bytes as u64,
            headers = %RequestHeaders(self.request),
            "sending HTTP request"
        );
        Instant::now()
    }

    /// An attempt was answered (its body read, when it has one worth reading).
    pub fn answered(
        &self,
        attempt: u32,
        status: u16,
        headers: &HeaderMap,
        body_bytes: usize,
        sent: Instant,
    ) {
        let elapsed = sent.elapsed();
        self.observer.count(|s| s.answered(body_bytes, elapsed));
        tracing::debug!(
            target: "qorus_gcal::http",
            client = self.observer.id(),
            request_id = %self.id(),
            method = self.method,
            http_method = self.request.method.as_str(),
            path = self.request.url.path(),
            attempt,
            http_status = status,
            duration_ms = ms(elapsed),
            bytes_in = body_bytes as u64,
            "{} {} answered HTTP {status}",
            self.request.method.as_str(),
            self.method,
        );
        tracing::trace!(
            target: "qorus_gcal::http",
            client = self.observer.id(),
            request_id = %self.id(),
            headers = %ResponseHeaders(headers),
            "response headers"
        );
    }

    /// An attempt got no answer (or its body could not be read).
    pub fn no_answer(&self, attempt: u32, error: &reqwest::Error, sent: Instant) {
        tracing::debug!(
            target: "qorus_gcal::http",
            client = self.observer.id(),
            request_id = %self.id(),
            method = self.method,
            http_method = self.request.method.as_str(),
            path = self.request.url.path(),
            attempt,
            timeout = error.is_timeout(),
            duration_ms = ms(sent.elapsed()),
            error = %Causes(error),
            "{} {} got no answer",
            self.request.method.as_str(),
            self.method,
        );
    }

    /// The request goes again after `delay`.
    pub fn retrying(&self, attempt: u32, cause: RetryCause, delay: Duration) {
        self.observer.count(|s| s.retry(cause));
        tracing::info!(
            target: "qorus_gcal::http",
            client = self.observer.id(),
            request_id = %self.id(),
            method = self.method,
            attempt,
            cause = cause.name(),
            delay_ms = ms(delay),
            "retrying {} ({}) in {} ms",
            self.method,
            cause.name(),
            delay.as_millis()
        );
    }

    /// The cause of retrying after no answer.
    pub fn cause_of(error: &reqwest::Error) -> RetryCause {
        if error.is_timeout() {
            RetryCause::Timeout
        } else {
            RetryCause::Network
        }
    }

    pub fn finished(&self, result: &Result<Incoming>) {
        let Err(error) = result else {
            return;
        };
        self.observer.count(|s| s.request_failed(self.slot, error));
        // Transport errors name the URL; the record keeps only its path.
        let message = error
            .message()
            .replace(self.request.url.as_str(), self.request.url.path());
        macro_rules! failed {
            ($level:ident) => {
                tracing::$level!(
                    target: "qorus_gcal::http",
                    client = self.observer.id(),
                    request_id = %self.id(),
                    method = self.method,
                    attempts = self.attempts.load(Relaxed),
                    error_kind = error.kind().name(),
                    http_status = error.http_status(),
                    reason = error.reason(),
                    error = message.as_str(),
                    "{} failed: {}",
                    self.method,
                    message
                )
            };
        }
        if worth_a_warning(error) {
            failed!(warn);
        } else {
            failed!(info);
        }
    }
}

/// The request's own headers, as sent; the bearer token shows as redacted.
struct RequestHeaders<'a>(&'a Outgoing);

impl fmt::Display for RequestHeaders<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "authorization: {REDACTED}; accept: application/json")?;
        if self.0.body.is_some() {
            let content_type = self.0.content_type.as_deref().unwrap_or("application/json");
            write!(f, "; content-type: {content_type}")?;
        }
        for (name, value) in &self.0.headers {
            f.write_str("; ")?;
            write_header(f, name, value)?;
        }
        Ok(())
    }
}

struct ResponseHeaders<'a>(&'a HeaderMap);

impl fmt::Display for ResponseHeaders<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for (name, value) in self.0 {
            if !first {
                f.write_str("; ")?;
            }
            first = false;
            write_header(f, name.as_str(), value.to_str().unwrap_or("(not text)"))?;
        }
        Ok(())
    }
}

fn write_header(f: &mut fmt::Formatter<'_>, name: &str, value: &str) -> fmt::Result {
    let value = if SECRET_HEADERS.iter().any(|s| name.eq_ignore_ascii_case(s)) {
        REDACTED
    } else {
        value
    };
    write!(f, "{name}: {value}")
}

/// A reqwest error's causes without its own text, which names the URL with its query.
struct Causes<'a>(&'a reqwest::Error);

impl fmt::Display for Causes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.0.is_timeout() {
            "timed out"
        } else if self.0.is_connect() {
            "could not connect"
        } else if self.0.is_body() || self.0.is_decode() {
            "the answer's body failed"
        } else {
            "the request failed"
        };
        f.write_str(kind)?;
        let mut source = std::error::Error::source(self.0);
        while let Some(cause) = source {
            write!(f, ": {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}
