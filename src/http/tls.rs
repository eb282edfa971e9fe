//! One rustls configuration per process. Loading the system's root certificates is the costly part of
//! making a client, so it happens once, not for every client the host creates.

use std::sync::{Arc, OnceLock};

use rustls::ClientConfig;
use rustls_platform_verifier::BuilderVerifierExt;

use crate::error::{Error, Result};

static SHARED: OnceLock<std::result::Result<ClientConfig, String>> = OnceLock::new();

/// The shared TLS configuration: system roots through the platform verifier, HTTP/2 and HTTP/1.1 by ALPN.
pub fn shared_config() -> Result<ClientConfig> {
    SHARED
        .get_or_init(build)
        .clone()
        .map_err(|e| Error::internal(format!("cannot set up TLS: {e}")))
}

fn build() -> std::result::Result<ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_platform_verifier()
        .map_err(|e| e.to_string())?
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}
