//! TLS configurations. Loading the system's root certificates is the costly part of making one, so the
//! default (system roots only) is built once per process; one with extra roots is built once per
//! connection pool (see `pool`), which equal settings share.

use std::sync::{Arc, OnceLock};

use rustls::ClientConfig;
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::CertificateDer;
use rustls_platform_verifier::{BuilderVerifierExt, Verifier};

use crate::error::{Error, Result};

static SYSTEM_ONLY: OnceLock<std::result::Result<ClientConfig, String>> = OnceLock::new();

/// The configuration for these extra roots: added to the system's, or (`only`) used alone. HTTP/2 and
/// HTTP/1.1 are offered by ALPN.
pub fn config_for(extra_roots: &[CertificateDer<'static>], only: bool) -> Result<ClientConfig> {
    let built = if extra_roots.is_empty() {
        SYSTEM_ONLY.get_or_init(|| build(&[], false)).clone()
    } else {
        build(extra_roots, only)
    };
    built.map_err(|e| Error::internal(format!("cannot set up TLS: {e}")))
}

fn build(
    extra_roots: &[CertificateDer<'static>],
    only: bool,
) -> std::result::Result<ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?;
    let builder = if extra_roots.is_empty() {
        builder
            .with_platform_verifier()
            .map_err(|e| e.to_string())?
    } else if only {
        let mut roots = rustls::RootCertStore::empty();
        for root in extra_roots {
            roots.add(root.clone()).map_err(|e| e.to_string())?;
        }
        let verifier = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
            .build()
            .map_err(|e| e.to_string())?;
        builder
            .dangerous()
            .with_custom_certificate_verifier(verifier)
    } else {
        let verifier = Verifier::new_with_extra_roots(extra_roots.iter().cloned(), provider)
            .map_err(|e| e.to_string())?;
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
    };
    let mut config = builder.with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}
