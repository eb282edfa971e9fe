//! HTTP plumbing: the reqwest client every request goes through (rustls, never OpenSSL).

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
