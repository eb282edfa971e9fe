//! HTTP plumbing: the shared connection pools every request goes through (rustls, never OpenSSL), proxy
//! and TLS settings, retries, batch bodies, and sending one API request.
//!
//! This layer sits below OAuth and the client: it knows the config, not who holds a token ([`Session`]).

pub mod errors;
pub mod multipart;
pub mod pool;
mod proxy;
pub mod retry;
pub mod send;
mod tls;
mod trace;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderValue, USER_AGENT};
use url::Url;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::secret::Secret;

/// Google compresses an answer only when the User-Agent says the client takes gzip (as Google's own
/// Python and Java clients say), besides `Accept-Encoding: gzip`, which reqwest sends.
const GZIP_MARK: &str = " (gzip)";
/// How long asking a proxy why it refused a tunnel may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// One client's view of its shared pool: the pool, plus the User-Agent and timeout of its requests.
#[derive(Clone)]
pub struct Http {
    pool: Arc<pool::Pool>,
    user_agent: HeaderValue,
    timeout: Duration,
}

impl Http {
    /// The shared pool for the config's network settings (made on first use), with its User-Agent.
    pub fn new(config: &Config) -> Result<Http> {
        let user_agent = HeaderValue::from_str(&format!("{}{GZIP_MARK}", config.user_agent))
            .map_err(|_| {
                Error::invalid_argument("config key `user_agent` must be printable text")
            })?;
        Ok(Http {
            pool: pool::shared(&config.network, config.timeouts.connect)?,
            user_agent,
            timeout: config.timeouts.request,
        })
    }

    /// A request with this client's User-Agent and request timeout (a caller may set another).
    pub fn request(&self, method: reqwest::Method, url: Url) -> reqwest::RequestBuilder {
        self.pool
            .client
            .request(method, url)
            .header(USER_AGENT, self.user_agent.clone())
            .timeout(self.timeout)
    }

    /// A Calendar API request: also asks for compact JSON, as Google answers pretty-printed otherwise.
    pub fn api_request(&self, method: reqwest::Method, mut url: Url) -> reqwest::RequestBuilder {
        url.query_pairs_mut().append_pair("prettyPrint", "false");
        self.request(method, url)
    }

    pub fn post(&self, url: Url) -> reqwest::RequestBuilder {
        self.request(reqwest::Method::POST, url)
    }

    /// The error for a failed send of `what`: [`errors::transport_error`], refined with [`Http::refine`].
    pub async fn transport_error(&self, what: &str, cause: &reqwest::Error) -> Error {
        self.refine(errors::transport_error(what, cause), cause)
            .await
    }

    /// `error`, made from `cause`, told what the proxy said when it refused a tunnel: reqwest keeps the
    /// status to itself unless it is 407, so the proxy is asked once more (401 and 407 mean credentials).
    pub async fn refine(&self, error: Error, cause: &reqwest::Error) -> Error {
        if !errors::tunnel_refused(cause) {
            return error;
        }
        let route = self.pool.route();
        match cause.url() {
            Some(url) => match route.connect_status(url, PROBE_TIMEOUT).await {
                Some((status, reason)) => {
                    errors::refused_with(error, status, &reason, route.has_credentials())
                }
                None => error,
            },
            None => error,
        }
    }

    /// The User-Agent this client sends.
    pub fn user_agent(&self) -> &str {
        self.user_agent.to_str().unwrap_or_default()
    }
}

impl std::fmt::Debug for Http {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Http")
            .field("proxy", &self.pool.route().proxy)
            .field("user_agent", &self.user_agent)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// What sending an API request needs from a client; [`crate::Client`] is one.
pub trait Session: Sync {
    fn http(&self) -> &Http;
    fn config(&self) -> &Config;
    /// A usable access token; `refused` is one the API just answered 401 to, which forces a refresh.
    fn access_token(&self, refused: Option<&Secret>)
    -> impl Future<Output = Result<Secret>> + Send;
    /// The scopes the current token grants, when known.
    fn granted_scope(&self) -> Option<String>;
    /// Where this client's statistics and log records go.
    fn observer(&self) -> &crate::observe::Observer;
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
