//! Turning a failed request into an error a host can act on: a proxy that is down, refuses or wants
//! credentials, a certificate that is not trusted, a timeout, or another network failure.
//!
//! reqwest keeps hyper-util's tunnel and SOCKS errors private, so they are recognised by their messages
//! (exact texts, pinned by Cargo.lock; the proxy tests fail if an upgrade changes them). A refused
//! CONNECT hides the proxy's status unless it was 407; [`super::Http::refine`] asks the proxy again.

use rustls::CertificateError;

use crate::error::{Error, ErrorKind};

/// A transport failure while sending `what` ("the request", "the token request", ...).
pub fn transport_error(what: &str, error: &reqwest::Error) -> Error {
    if error.is_builder() {
        // Nothing was sent and a repeat cannot help. reqwest's own text would quote the whole URL.
        let cause = std::error::Error::source(error).map_or_else(
            || "a header value or the URL cannot be sent".to_string(),
            error_chain,
        );
        return Error::invalid_argument(format!(
            "{what} cannot be sent ({cause}): a header value holds a control character, or the URL \
             is longer than HTTP allows"
        ));
    }
    // reqwest's Display can include the URL, never credentials: bodies and headers are not printed.
    let chain = error_chain(error);
    if let Some((kind, why)) = classify(error) {
        return Error::new(kind, format!("{what} failed: {why} ({chain})"));
    }
    let kind = if error.is_timeout() {
        ErrorKind::Timeout
    } else {
        ErrorKind::Network
    };
    Error::new(kind, format!("{what} failed: {chain}"))
}

/// Whether sending again may help: not after the proxy refused the credentials or the tunnel, or TLS
/// refused the server.
pub fn worth_retrying(error: &reqwest::Error) -> bool {
    !tunnel_refused(error)
        && !matches!(
            classify(error),
            Some((ErrorKind::ProxyAuthRequired | ErrorKind::TlsError, _))
        )
}

/// reqwest's top-level message is terse ("error sending request"); the causes say what happened.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

const TUNNEL: &str = "tunnel error: ";
pub(crate) const AUTH_ADVICE: &str =
    "check `proxy_username` and `proxy_password` (or the credentials in `proxy`)";

const TUNNEL_REFUSED: &str = "unsuccessful";
const REFUSED: &str =
    "the proxy refused to open a tunnel to the server (its CONNECT answer was not 200)";

/// `error` (made by [`transport_error`] for a refused tunnel) with what the proxy answered CONNECT.
pub(crate) fn refused_with(error: Error, status: u16, reason: &str, credentials: bool) -> Error {
    let reason: String = reason
        .chars()
        .filter(|c| !c.is_control())
        .take(60)
        .collect();
    let (kind, why) = match status {
        // 407 is the standard answer; tinyproxy answers wrong credentials with 401.
        401 | 407 if credentials => (
            ErrorKind::ProxyAuthRequired,
            format!(
                "the proxy refused the credentials (CONNECT answered HTTP {status} {reason}): {AUTH_ADVICE}"
            ),
        ),
        401 | 407 => (
            ErrorKind::ProxyAuthRequired,
            format!(
                "the proxy wants credentials (CONNECT answered HTTP {status} {reason}): {AUTH_ADVICE}"
            ),
        ),
        _ => (
            ErrorKind::ProxyError,
            format!(
                "the proxy refused to open a tunnel to the server: CONNECT answered HTTP {status} {reason}"
            ),
        ),
    };
    Error::new(kind, error.message().replacen(REFUSED, &why, 1))
}

/// Whether the proxy answered CONNECT with something other than 200 or 407.
pub(crate) fn tunnel_refused(error: &reqwest::Error) -> bool {
    let refused = format!("{TUNNEL}{TUNNEL_REFUSED}");
    std::iter::successors(Some(error as &(dyn std::error::Error + 'static)), |e| {
        e.source()
    })
    .any(|e| e.to_string() == refused)
}

/// The proxy or TLS failure behind `error`, with what to do about it.
fn classify(error: &reqwest::Error) -> Option<(ErrorKind, String)> {
    let chain = || {
        std::iter::successors(Some(error as &(dyn std::error::Error + 'static)), |e| {
            e.source()
        })
    };
    let tls = chain().find_map(rustls_error).map(tls_advice);
    let mut socks = false;
    for e in chain() {
        let text = e.to_string();
        // hyper-util's CONNECT tunnel (`TunnelError`), whose messages are these exact texts.
        match text.strip_prefix(TUNNEL).unwrap_or_default() {
            "proxy authorization required" => {
                return Some((
                    ErrorKind::ProxyAuthRequired,
                    format!(
                        "the proxy wants credentials or refused them (HTTP 407): {AUTH_ADVICE}"
                    ),
                ));
            }
            TUNNEL_REFUSED => return Some((ErrorKind::ProxyError, REFUSED.into())),
            "failed to create underlying connection" | "io error establishing tunnel" => {
                let why = match &tls {
                    Some(why) => format!("TLS to the proxy failed: {why}"),
                    None => "cannot reach the proxy".into(),
                };
                return Some((proxy_or_tls(&tls), why));
            }
            "unexpected end of file" | "proxy response headers too long" => {
                return Some((
                    ErrorKind::ProxyError,
                    "the proxy gave no usable answer to CONNECT".into(),
                ));
            }
            _ => {}
        }
        // reqwest's SOCKS wrapper; hyper-util's SOCKS error comes next in the chain.
        if text == "error connecting to socks proxy" {
            socks = true;
        }
        if socks && let Some(detail) = text.strip_prefix("SOCKS error: ") {
            return Some(match detail {
                "credentials not accepted" => (
                    ErrorKind::ProxyAuthRequired,
                    format!("the SOCKS proxy refused the credentials: {AUTH_ADVICE}"),
                ),
                "server does not support user/pass authentication"
                | "server implements authentication incorrectly" => (
                    ErrorKind::ProxyAuthRequired,
                    format!(
                        "the SOCKS proxy does not accept the authentication offered: {AUTH_ADVICE}"
                    ),
                ),
                "failed to create underlying connection" => {
                    (ErrorKind::ProxyError, "cannot reach the SOCKS proxy".into())
                }
                other => (
                    ErrorKind::ProxyError,
                    format!("the SOCKS proxy failed: {other}"),
                ),
            });
        }
    }
    if socks {
        return Some((ErrorKind::ProxyError, "the SOCKS proxy failed".into()));
    }
    tls.map(|why| (ErrorKind::TlsError, why))
}

fn proxy_or_tls(tls: &Option<String>) -> ErrorKind {
    match tls {
        Some(_) => ErrorKind::TlsError,
        None => ErrorKind::ProxyError,
    }
}

/// The rustls error itself, or inside `io::Error`s (hyper-rustls wraps tokio-rustls's in another one;
/// an `io::Error`'s `source()` skips what it wraps).
fn rustls_error<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    if let Some(tls) = e.downcast_ref::<rustls::Error>() {
        return Some(tls);
    }
    let inner = e.downcast_ref::<std::io::Error>()?.get_ref()?;
    rustls_error(inner as &(dyn std::error::Error + 'static))
}

fn tls_advice(error: &rustls::Error) -> String {
    const ADD_CA: &str = "if it is signed by a private CA (a company's TLS-inspecting proxy, say), add \
                          that CA with `ca_certificates` or `ca_file`";
    match error {
        rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer) => {
            format!("the server's certificate is not trusted: its issuer is not a trusted CA; {ADD_CA}")
        }
        rustls::Error::InvalidCertificate(
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
        ) => "the server's certificate is not valid for the host name in the URL".into(),
        rustls::Error::InvalidCertificate(
            CertificateError::Expired | CertificateError::ExpiredContext { .. },
        ) => "the server's certificate has expired".into(),
        rustls::Error::InvalidCertificate(other) => {
            format!("the server's certificate was refused ({other:?}); {ADD_CA}")
        }
        rustls::Error::AlertReceived(alert) => {
            format!("the server ended the TLS handshake ({alert:?})")
        }
        rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. } => {
            "the TLS handshake failed: the server does not speak TLS as expected (a plain-HTTP port?)"
                .into()
        }
        other => format!("the TLS handshake failed: {other}"),
    }
}
