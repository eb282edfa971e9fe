//! What a client carries for observability: its id (the `client` of its log records), its statistics,
//! and the context that lets token requests deep in the OAuth code find both.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::Grant;
use super::logs;
use super::stats::{self, RetryCause, Stats, grant_name};
use crate::config::Config;
use crate::config::Token;
use crate::error::{Error, ErrorKind, Result};

static NEXT_ID: AtomicU64 = AtomicU64::new(1);
static CREATED: AtomicU64 = AtomicU64::new(0);
static LIVE: AtomicU64 = AtomicU64::new(0);

/// One client's id and statistics. Shared by the client's parts; dropped with the client.
pub struct Observer {
    id: u64,
    stats: Stats,
    /// Counted among the live clients (its client was made).
    live: AtomicBool,
}

impl std::fmt::Debug for Observer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Observer")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

tokio::task_local! {
    /// The client a token request runs for, so its retries count and log against that client.
    static CURRENT: Arc<Observer>;
}

pub(crate) fn ms(elapsed: Duration) -> f64 {
    (elapsed.as_secs_f64() * 1e6).round() / 1e3
}

impl Observer {
    pub fn new() -> Arc<Observer> {
        Arc::new(Observer {
            id: NEXT_ID.fetch_add(1, Relaxed),
            stats: Stats::default(),
            live: AtomicBool::new(false),
        })
    }

    /// The client's id: unique in the process, never 0.
    pub fn id(&self) -> u64 {
        self.id
    }

    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// Runs `f` on this client's statistics and the process's.
    pub(crate) fn count(&self, f: impl Fn(&Stats)) {
        f(&self.stats);
        f(stats::process());
    }

    /// The client is made: it counts as live until dropped.
    pub(crate) fn created(&self, config: &Config) {
        if !self.live.swap(true, Relaxed) {
            CREATED.fetch_add(1, Relaxed);
            LIVE.fetch_add(1, Relaxed);
        }
        let auth = match (&config.service_account, &config.token, &config.client_id) {
            (Some(_), _, _) => "service_account",
            (None, Some(_), _) => "token",
            (None, None, Some(_)) => "oauth_client",
            (None, None, None) => "none",
        };
        logs::in_scope(|| {
            tracing::debug!(
                target: "qorus_gcal::client",
                client = self.id,
                auth,
                scopes = config.scopes.len() as u64,
                "client created"
            );
        });
    }

    /// Runs a request to the token endpoint for this client: counts and logs its outcome; retries
    /// inside it (see [`token_retry`]) count for this client too. `why` says what made it necessary.
    pub(crate) async fn token_request<F>(
        self: &Arc<Self>,
        grant: Grant,
        why: &'static str,
        request: F,
    ) -> Result<Token>
    where
        F: Future<Output = Result<Token>>,
    {
        let grant_name = grant_name(grant);
        tracing::debug!(target: "qorus_gcal::oauth", client = self.id, grant = grant_name, why, "requesting a token");
        let started = Instant::now();
        let result = CURRENT.scope(self.clone(), request).await;
        let duration_ms = ms(started.elapsed());
        self.count(|s| s.token(grant, result.is_ok()));
        match &result {
            Ok(token) => tracing::info!(
                target: "qorus_gcal::oauth",
                client = self.id,
                grant = grant_name,
                why,
                duration_ms,
                expires_in_s = token
                    .expires_at
                    .map(|at| at - crate::config::token::now_unix()),
                has_refresh_token = token.refresh_token.is_some(),
                "token obtained"
            ),
            Err(e) => tracing::warn!(
                target: "qorus_gcal::oauth",
                client = self.id,
                grant = grant_name,
                why,
                duration_ms,
                error_kind = e.kind().name(),
                http_status = e.http_status(),
                reason = e.reason(),
                error = e.message(),
                "token request failed"
            ),
        }
        result
    }

    /// Runs a revocation for this client and logs its outcome.
    pub(crate) async fn revoke_request<F>(self: &Arc<Self>, request: F) -> Result<()>
    where
        F: Future<Output = Result<()>>,
    {
        let result = CURRENT.scope(self.clone(), request).await;
        match &result {
            Ok(()) => {
                tracing::info!(target: "qorus_gcal::oauth", client = self.id, "token revoked")
            }
            Err(e) => tracing::warn!(
                target: "qorus_gcal::oauth",
                client = self.id,
                error_kind = e.kind().name(),
                http_status = e.http_status(),
                error = e.message(),
                "revoking the token failed"
            ),
        }
        result
    }
}

impl Drop for Observer {
    fn drop(&mut self) {
        if self.live.load(Relaxed) {
            LIVE.fetch_sub(1, Relaxed);
        }
        logs::forget_client(self.id);
    }
}

/// A request to an OAuth endpoint failed transiently and goes again after `delay`.
pub(crate) fn token_retry(attempt: u32, error: &Error, delay: Duration) {
    let cause = RetryCause::of_error(error);
    let client = CURRENT
        .try_with(|o| {
            o.stats.retry(cause);
            o.id
        })
        .unwrap_or(0);
    stats::process().retry(cause);
    tracing::info!(
        target: "qorus_gcal::oauth",
        client,
        attempt,
        cause = cause.name(),
        delay_ms = ms(delay),
        http_status = error.http_status(),
        error = error.message(),
        "OAuth request failed; retrying"
    );
}

/// The process's statistics as JSON: every client's counts (freed clients' included), plus
/// `clients` (`created`, `live`) and `logs` (`delivered`).
pub fn process_stats(reset: bool) -> Value {
    let mut json = stats::process().to_json(reset);
    let delivered = logs::delivered();
    json["clients"] = serde_json::json!({
        "created": CREATED.load(Relaxed),
        "live": LIVE.load(Relaxed),
    });
    json["logs"] = serde_json::json!({"delivered": delivered});
    json
}

/// Whether an error that ends a request deserves a warning (the operator may need to act) rather than
/// a note (the caller asked for something that does not exist, or changed meanwhile).
pub(crate) fn worth_a_warning(error: &Error) -> bool {
    matches!(
        error.kind(),
        ErrorKind::Network
            | ErrorKind::Timeout
            | ErrorKind::ConsentRequired
            | ErrorKind::AuthFailed
            | ErrorKind::InsufficientScope
            | ErrorKind::Internal
            | ErrorKind::Panic
    ) || error.http_status() >= 500
        || error.http_status() == 429
}

/// Writes `client-seq` without building a string unless a record is made.
pub(crate) struct RequestId(pub u64, pub u64);

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.0, self.1)
    }
}
