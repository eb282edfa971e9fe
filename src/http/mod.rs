//! HTTP plumbing: the reqwest client every request goes through (rustls, never OpenSSL).

pub mod multipart;
pub mod retry;
pub mod send;
mod tls;

use crate::config::Config;
use crate::error::{Error, Result};

/// Builds the HTTP client for one library client. Proxies come only from explicit configuration, so the
/// library talks to exactly the endpoints it was given.
pub fn build_client(config: &Config) -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls::shared_config()?)
        .user_agent(config.user_agent.clone())
        .connect_timeout(config.timeouts.connect)
        .timeout(config.timeouts.request)
        .no_proxy()
        .https_only(false)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| Error::internal(format!("cannot build the HTTP client: {e}")))
}

/// The delay before retry number `attempt` (1-based): exponential with full jitter, capped, and never
/// shorter than the server's `Retry-After`.
pub fn retry_delay(
    policy: &crate::config::RetryPolicy,
    attempt: u32,
    retry_after: Option<std::time::Duration>,
) -> std::time::Duration {
    retry::backoff_delay(policy, attempt, retry_after, random_unit())
}

/// A uniform number in [0, 1) for jitter; std's per-process random hasher keys are enough for that.
fn random_unit() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}
