//! Observability: log records handed to the host, and request statistics per client and per process.
//!
//! The library logs through `tracing` events (targets `qorus_gcal::*`); [`logs`] turns them into
//! [`LogRecord`]s for the sinks the host installs. [`stats`] counts requests, retries, token
//! requests, errors, bytes and latency with atomics. No record ever carries a token, code, client
//! secret, PKCE verifier, private key, `Authorization` header or query string.

pub mod histogram;
pub mod logs;
mod observer;
pub mod record;
pub mod stats;

pub use logs::{LogSink, set_process_sink};
pub use observer::{Observer, process_stats};
pub(crate) use observer::{RequestId, ms, token_retry, worth_a_warning};
pub use record::{LogLevel, LogRecord};

/// The OAuth grant a token request used (statistics and log records count them apart).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grant {
    AuthorizationCode,
    Refresh,
    ServiceAccount,
}
