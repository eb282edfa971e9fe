//! Request statistics: atomic counters and a latency histogram, kept per client and for the process,
//! read as JSON. Recording takes no lock; every counter is a relaxed atomic.

use std::sync::LazyLock;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering::Relaxed};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};

use super::Grant;
use super::histogram::Histogram;
use crate::calendar::methods::{METHODS, MethodSpec};
use crate::error::{Error, ErrorKind};

/// Why a request was sent again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetryCause {
    /// HTTP 429.
    TooManyRequests,
    /// HTTP 500, 502, 503 or 504.
    ServerError,
    /// HTTP 403 with Google's `rateLimitExceeded` or `userRateLimitExceeded`.
    RateLimited,
    /// No answer: connect, send or body read failed.
    Network,
    /// No answer within the timeout.
    Timeout,
    /// HTTP 401: the token was refreshed and the request sent again.
    Unauthorized,
}

impl RetryCause {
    const ALL: [RetryCause; 6] = [
        RetryCause::TooManyRequests,
        RetryCause::ServerError,
        RetryCause::RateLimited,
        RetryCause::Network,
        RetryCause::Timeout,
        RetryCause::Unauthorized,
    ];

    /// The name in records and statistics: `429`, `5xx`, `403_rate_limit`, `network`, `timeout`,
    /// `401_refresh`.
    pub fn name(self) -> &'static str {
        match self {
            RetryCause::TooManyRequests => "429",
            RetryCause::ServerError => "5xx",
            RetryCause::RateLimited => "403_rate_limit",
            RetryCause::Network => "network",
            RetryCause::Timeout => "timeout",
            RetryCause::Unauthorized => "401_refresh",
        }
    }

    /// The cause of retrying an HTTP answer the retry policy found transient.
    pub fn of_status(status: u16) -> RetryCause {
        match status {
            429 => RetryCause::TooManyRequests,
            403 => RetryCause::RateLimited,
            401 => RetryCause::Unauthorized,
            _ => RetryCause::ServerError,
        }
    }

    /// The cause of retrying a failed request without an answer, from the library's error kind.
    pub fn of_error(error: &Error) -> RetryCause {
        match (error.kind(), error.http_status()) {
            (ErrorKind::Timeout, _) => RetryCause::Timeout,
            (_, 0) => RetryCause::Network,
            (_, status) => RetryCause::of_status(status),
        }
    }
}

pub fn grant_name(grant: Grant) -> &'static str {
    match grant {
        Grant::AuthorizationCode => "authorization_code",
        Grant::Refresh => "refresh_token",
        Grant::ServiceAccount => "service_account",
    }
}

const GRANTS: [Grant; 3] = [
    Grant::AuthorizationCode,
    Grant::Refresh,
    Grant::ServiceAccount,
];

// Error kinds by name; a kind added later and missing here counts as "OTHER".
const KINDS: [ErrorKind; 19] = [
    ErrorKind::InvalidJson,
    ErrorKind::InvalidArgument,
    ErrorKind::UnknownMethod,
    ErrorKind::ConsentRequired,
    ErrorKind::ConsentDenied,
    ErrorKind::AuthFailed,
    ErrorKind::Http,
    ErrorKind::Network,
    ErrorKind::Timeout,
    ErrorKind::Cancelled,
    ErrorKind::PreconditionFailed,
    ErrorKind::NotModified,
    ErrorKind::SyncTokenExpired,
    ErrorKind::Reentrant,
    ErrorKind::Forked,
    ErrorKind::ShutDown,
    ErrorKind::InsufficientScope,
    ErrorKind::Panic,
    ErrorKind::Internal,
];

/// HTTP statuses counted one by one (0 = no HTTP answer); anything above counts in the last slot.
const STATUS_SLOTS: usize = 600;

const fn zeros<const N: usize>() -> [AtomicU64; N] {
    [const { AtomicU64::new(0) }; N]
}

/// The counters of one client, or of the whole process.
pub struct Stats {
    since_ms: AtomicI64,
    requests: AtomicU64,
    failed: AtomicU64,
    /// `[requests, failed]` for each method of [`METHODS`], then for batch requests.
    by_method: Box<[[AtomicU64; 2]]>,
    attempts: AtomicU64,
    retries: [AtomicU64; RetryCause::ALL.len()],
    errors_by_status: Box<[AtomicU64]>,
    errors_by_kind: [AtomicU64; KINDS.len() + 1],
    /// `[obtained, failed]` for each of [`GRANTS`].
    tokens: [[AtomicU64; 2]; GRANTS.len()],
    batch_chunks: AtomicU64,
    batch_calls: AtomicU64,
    batch_retried: AtomicU64,
    batch_failed: AtomicU64,
    bytes_out: AtomicU64,
    bytes_in: AtomicU64,
    latency: Histogram,
}

/// Which `by_method` slot a request counts in: its Calendar method, or the batch slot for `None`.
pub fn method_slot(method: Option<&'static MethodSpec>) -> usize {
    let Some(spec) = method else {
        return METHODS.len();
    };
    // The table is one static slice, so a method's address says where it is.
    let offset = (spec as *const MethodSpec as usize).wrapping_sub(METHODS.as_ptr() as usize);
    (offset / std::mem::size_of::<MethodSpec>()).min(METHODS.len())
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

impl Default for Stats {
    fn default() -> Self {
        Stats {
            since_ms: AtomicI64::new(now_ms()),
            requests: AtomicU64::new(0),
            failed: AtomicU64::new(0),
            by_method: (0..=METHODS.len()).map(|_| zeros()).collect(),
            attempts: AtomicU64::new(0),
            retries: zeros(),
            errors_by_status: (0..=STATUS_SLOTS).map(|_| AtomicU64::new(0)).collect(),
            errors_by_kind: zeros(),
            tokens: [const { zeros() }; GRANTS.len()],
            batch_chunks: AtomicU64::new(0),
            batch_calls: AtomicU64::new(0),
            batch_retried: AtomicU64::new(0),
            batch_failed: AtomicU64::new(0),
            bytes_out: AtomicU64::new(0),
            bytes_in: AtomicU64::new(0),
            latency: Histogram::default(),
        }
    }
}

fn add(counter: &AtomicU64, n: u64) {
    counter.fetch_add(n, Relaxed);
}

impl Stats {
    /// One API request (a call, a page, a batch chunk) is about to be sent; answers its sequence number.
    pub fn request_started(&self, slot: usize) -> u64 {
        add(&self.by_method[slot][0], 1);
        self.requests.fetch_add(1, Relaxed) + 1
    }

    /// One HTTP attempt of a request goes out with this many body bytes.
    pub fn attempt(&self, body_bytes: usize) {
        add(&self.attempts, 1);
        add(&self.bytes_out, body_bytes as u64);
    }

    /// An attempt was answered: its body's size and the time from sending to its last byte.
    pub fn answered(&self, body_bytes: usize, elapsed: Duration) {
        add(&self.bytes_in, body_bytes as u64);
        self.latency.record(elapsed);
    }

    pub fn retry(&self, cause: RetryCause) {
        add(&self.retries[cause as usize], 1);
    }

    /// A request failed for good (after its retries).
    pub fn request_failed(&self, slot: usize, error: &Error) {
        add(&self.failed, 1);
        add(&self.by_method[slot][1], 1);
        let status = usize::from(error.http_status()).min(STATUS_SLOTS);
        add(&self.errors_by_status[status], 1);
        let kind = KINDS
            .iter()
            .position(|k| *k == error.kind())
            .unwrap_or(KINDS.len());
        add(&self.errors_by_kind[kind], 1);
    }

    pub fn token(&self, grant: Grant, obtained: bool) {
        let at = GRANTS.iter().position(|g| *g == grant).unwrap_or(0);
        add(&self.tokens[at][usize::from(!obtained)], 1);
    }

    /// A batch chunk of `calls` calls is about to be sent.
    pub fn batch_chunk(&self, calls: usize) {
        add(&self.batch_chunks, 1);
        add(&self.batch_calls, calls as u64);
    }

    /// Calls of a batch answered, of which `retried` go again and `failed` failed for good.
    pub fn batch_outcome(&self, retried: usize, failed: usize) {
        add(&self.batch_retried, retried as u64);
        add(&self.batch_failed, failed as u64);
    }

    /// The statistics as JSON (the shape is in the README); with `reset` every counter is zeroed as it
    /// is read, so consecutive resetting reads add up to everything counted.
    pub fn to_json(&self, reset: bool) -> Value {
        let read = |a: &AtomicU64| {
            if reset {
                a.swap(0, Relaxed)
            } else {
                a.load(Relaxed)
            }
        };
        let since = if reset {
            self.since_ms.swap(now_ms(), Relaxed)
        } else {
            self.since_ms.load(Relaxed)
        };
        let mut by_method = Map::new();
        for (slot, [requests, failed]) in self.by_method.iter().enumerate() {
            let (requests, failed) = (read(requests), read(failed));
            if requests > 0 || failed > 0 {
                let name = METHODS.get(slot).map_or("batch", |m| m.id);
                by_method.insert(name.into(), json!({"requests": requests, "failed": failed}));
            }
        }
        let mut retries = Map::new();
        let mut retries_total = 0;
        for cause in RetryCause::ALL {
            let n = read(&self.retries[cause as usize]);
            retries_total += n;
            retries.insert(cause.name().into(), n.into());
        }
        retries.insert("total".into(), retries_total.into());
        let mut by_status = Map::new();
        for (status, counter) in self.errors_by_status.iter().enumerate() {
            let n = read(counter);
            if n > 0 {
                let name = match status {
                    STATUS_SLOTS => "other".to_string(),
                    s => s.to_string(),
                };
                by_status.insert(name, n.into());
            }
        }
        let mut by_kind = Map::new();
        for (index, counter) in self.errors_by_kind.iter().enumerate() {
            let n = read(counter);
            if n > 0 {
                let name = KINDS.get(index).map_or("OTHER", |k| k.name());
                by_kind.insert(name.into(), n.into());
            }
        }
        let mut by_grant = Map::new();
        let (mut obtained, mut refused) = (0, 0);
        for (grant, [ok, failed]) in GRANTS.iter().zip(&self.tokens) {
            let (ok, failed) = (read(ok), read(failed));
            obtained += ok;
            refused += failed;
            by_grant.insert(
                grant_name(*grant).into(),
                json!({"obtained": ok, "failed": failed}),
            );
        }
        json!({
            "since_ms": since,
            "requests": {
                "total": read(&self.requests),
                "failed": read(&self.failed),
                "by_method": by_method,
            },
            "attempts": read(&self.attempts),
            "retries": retries,
            "errors": {"by_status": by_status, "by_kind": by_kind},
            "tokens": {"obtained": obtained, "failed": refused, "by_grant": by_grant},
            "batch": {
                "chunks": read(&self.batch_chunks),
                "calls": read(&self.batch_calls),
                "retried_calls": read(&self.batch_retried),
                "failed_calls": read(&self.batch_failed),
            },
            "bytes": {"out": read(&self.bytes_out), "in": read(&self.bytes_in)},
            "latency_ms": self.latency.summary(reset).to_json_ms(),
        })
    }
}

/// The process's statistics: every client's, including clients already freed.
pub fn process() -> &'static Stats {
    static PROCESS: LazyLock<Stats> = LazyLock::new(Stats::default);
    &PROCESS
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::methods::lookup;

    #[test]
    fn every_method_has_its_own_slot_and_batch_the_last() {
        for (index, spec) in METHODS.iter().enumerate() {
            assert_eq!(method_slot(Some(spec)), index, "{}", spec.id);
        }
        assert_eq!(method_slot(lookup("events.get")), {
            METHODS.iter().position(|m| m.id == "events.get").unwrap()
        });
        assert_eq!(method_slot(None), METHODS.len());
    }

    #[test]
    fn counts_come_out_as_json_and_reset_takes_them() {
        let stats = Stats::default();
        let get = method_slot(lookup("events.get"));
        assert_eq!(stats.request_started(get), 1);
        assert_eq!(stats.request_started(get), 2);
        stats.attempt(10);
        stats.answered(100, Duration::from_millis(2));
        stats.retry(RetryCause::TooManyRequests);
        stats.retry(RetryCause::of_status(503));
        stats.request_failed(get, &Error::new(ErrorKind::Http, "x").with_http_status(404));
        stats.request_failed(get, &Error::new(ErrorKind::Network, "x"));
        stats.token(Grant::Refresh, true);
        stats.token(Grant::ServiceAccount, false);
        stats.batch_chunk(50);
        stats.batch_outcome(3, 1);

        let json = stats.to_json(true);
        assert_eq!(json["requests"]["total"], 2);
        assert_eq!(json["requests"]["failed"], 2);
        assert_eq!(json["requests"]["by_method"]["events.get"]["requests"], 2);
        assert_eq!(json["attempts"], 1);
        assert_eq!(json["retries"]["429"], 1);
        assert_eq!(json["retries"]["5xx"], 1);
        assert_eq!(json["retries"]["total"], 2);
        assert_eq!(json["errors"]["by_status"]["404"], 1);
        assert_eq!(json["errors"]["by_status"]["0"], 1);
        assert_eq!(json["errors"]["by_kind"]["NETWORK_ERROR"], 1);
        assert_eq!(json["tokens"]["obtained"], 1);
        assert_eq!(json["tokens"]["by_grant"]["service_account"]["failed"], 1);
        assert_eq!(json["batch"]["calls"], 50);
        assert_eq!(json["batch"]["retried_calls"], 3);
        assert_eq!(json["bytes"]["out"], 10);
        assert_eq!(json["bytes"]["in"], 100);
        assert_eq!(json["latency_ms"]["count"], 1);
        assert!((json["latency_ms"]["max"].as_f64().unwrap() - 2.0).abs() < 1e-9);

        let after = stats.to_json(false);
        assert_eq!(after["requests"]["total"], 0);
        assert_eq!(after["requests"]["by_method"], json!({}));
        assert_eq!(after["errors"]["by_status"], json!({}));
        assert_eq!(after["latency_ms"]["count"], 0);
        assert!(after["since_ms"].as_i64() >= json["since_ms"].as_i64());
    }

    #[test]
    fn retry_causes_follow_the_error() {
        let timeout = Error::new(ErrorKind::Timeout, "t");
        assert_eq!(RetryCause::of_error(&timeout), RetryCause::Timeout);
        let network = Error::new(ErrorKind::Network, "n");
        assert_eq!(RetryCause::of_error(&network), RetryCause::Network);
        let busy = Error::new(ErrorKind::Http, "h").with_http_status(429);
        assert_eq!(RetryCause::of_error(&busy), RetryCause::TooManyRequests);
        assert_eq!(RetryCause::of_status(502).name(), "5xx");
    }
}
