//! Network settings: a proxy, hosts that bypass it, and extra trusted root certificates. Parsed with the
//! rest of the config; `http::pool` turns them into a connection pool shared by equal settings.

use std::fmt;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use serde_json::Value;
use url::Url;

use crate::error::{Error, Result};
use crate::secret::Secret;

/// How requests reach Google. The default: directly, trusting the system's root certificates.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Network {
    pub proxy: Proxy,
    /// Hosts, domains (each with its subdomains), IP addresses and CIDRs reached directly.
    pub no_proxy: Vec<String>,
    /// Root certificates trusted besides the system's (instead of them with `ca_only`).
    pub ca_certificates: Vec<CertificateDer<'static>>,
    pub ca_only: bool,
}

#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub enum Proxy {
    /// No proxy; the environment's proxy variables are ignored.
    #[default]
    Direct,
    /// `HTTPS_PROXY` (or `ALL_PROXY`) and `NO_PROXY` from the environment, read when a client is made.
    System,
    Url(ProxyUrl),
}

/// An explicit proxy. The URL holds scheme, host and port only, so it may be shown; the credentials are
/// kept apart and never shown.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ProxyUrl {
    pub url: Url,
    pub username: Option<Secret>,
    pub password: Option<Secret>,
}

impl ProxyUrl {
    pub fn has_credentials(&self) -> bool {
        self.username.is_some()
    }
}

impl fmt::Debug for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxyUrl")
            .field("url", &self.url.as_str())
            .field("credentials", &self.has_credentials())
            .finish()
    }
}

impl fmt::Debug for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Proxy::Direct => f.write_str("Direct"),
            Proxy::System => f.write_str("System"),
            Proxy::Url(p) => p.fmt(f),
        }
    }
}

impl fmt::Debug for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Network")
            .field("proxy", &self.proxy)
            .field("no_proxy", &self.no_proxy)
            .field("ca_certificates", &self.ca_certificates.len())
            .field("ca_only", &self.ca_only)
            .finish()
    }
}

/// The network keys of the config JSON, as given.
#[derive(Default)]
pub(crate) struct RawNetwork {
    pub proxy: Option<String>,
    pub proxy_username: Option<String>,
    pub proxy_password: Option<Secret>,
    pub no_proxy: Option<Value>,
    pub ca_certificates: Option<String>,
    pub ca_file: Option<String>,
    pub ca_only: Option<bool>,
}

impl RawNetwork {
    pub fn validate(self) -> Result<Network> {
        let proxy = match self.proxy {
            None if self.proxy_username.is_some() || self.proxy_password.is_some() => {
                return Err(Error::invalid_argument(
                    "config keys `proxy_username` and `proxy_password` need `proxy`",
                ));
            }
            None => Proxy::Direct,
            Some(text) => parse_proxy(&text, self.proxy_username, self.proxy_password)?,
        };
        let no_proxy = match self.no_proxy {
            None => Vec::new(),
            Some(_) if proxy == Proxy::Direct => {
                return Err(Error::invalid_argument(
                    "config key `no_proxy` needs `proxy` (without a proxy every request goes directly)",
                ));
            }
            Some(value) => parse_no_proxy(value)?,
        };
        let mut ca_certificates = Vec::new();
        if let Some(pem) = &self.ca_certificates {
            ca_certificates.extend(parse_pem(pem.as_bytes(), "config key `ca_certificates`")?);
        }
        if let Some(path) = &self.ca_file {
            let bytes = std::fs::read(path).map_err(|e| {
                Error::invalid_argument(format!("config key `ca_file`: cannot read {path:?}: {e}"))
            })?;
            let what = format!("config key `ca_file` ({path:?})");
            ca_certificates.extend(parse_pem(&bytes, &what)?);
        }
        let ca_only = self.ca_only.unwrap_or(false);
        if ca_only && ca_certificates.is_empty() {
            return Err(Error::invalid_argument(
                "config key `ca_only` needs `ca_certificates` or `ca_file`: with no certificate to trust, \
                 no server could be reached",
            ));
        }
        Ok(Network {
            proxy,
            no_proxy,
            ca_certificates,
            ca_only,
        })
    }
}

const PROXY_SCHEMES: &str = "http, https, socks5 or socks5h";

/// Parses `proxy`. Messages never repeat the text: it may carry a password.
fn parse_proxy(text: &str, username: Option<String>, password: Option<Secret>) -> Result<Proxy> {
    if text == "system" {
        if username.is_some() || password.is_some() {
            return Err(Error::invalid_argument(
                "config keys `proxy_username` and `proxy_password` need an explicit `proxy` URL; with \
                 \"system\" the credentials come from the environment's proxy URL",
            ));
        }
        return Ok(Proxy::System);
    }
    let ProxyUrl {
        url,
        username: url_user,
        password: url_password,
    } = proxy_from_text(text, "config key `proxy`")?;
    if url_user.is_some() && (username.is_some() || password.is_some()) {
        return Err(Error::invalid_argument(
            "config key `proxy` carries credentials and `proxy_username`/`proxy_password` are set too: \
             give them once",
        ));
    }
    let username = url_user.or(username.map(Secret::new));
    let password = url_password.or(password);
    if password.is_some() && username.is_none() {
        return Err(Error::invalid_argument(
            "the proxy password needs a user name (`proxy_username`, or user:password@ in `proxy`)",
        ));
    }
    if username.as_ref().is_some_and(Secret::is_empty) {
        return Err(Error::invalid_argument(
            "config key `proxy_username` must not be empty",
        ));
    }
    Ok(Proxy::Url(ProxyUrl {
        url,
        username,
        password,
    }))
}

/// A proxy URL, its credentials (user info, percent-decoded) moved out. `what` names its source.
pub(crate) fn proxy_from_text(text: &str, what: &str) -> Result<ProxyUrl> {
    let mut url = parse_proxy_url(text, what)?;
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    let username = (!url.username().is_empty()).then(|| Secret::new(decode(url.username())));
    let password = url.password().map(|p| Secret::new(decode(p)));
    // Cannot fail: the URL has a host.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    Ok(ProxyUrl {
        url,
        username,
        password,
    })
}

/// A supported scheme, a host, an optional port, nothing else.
fn parse_proxy_url(text: &str, what: &str) -> Result<Url> {
    if text.trim().is_empty() {
        return Err(Error::invalid_argument(format!(
            "{what} must not be empty (leave it out for no proxy)"
        )));
    }
    let url = Url::parse(text).map_err(|e| {
        Error::invalid_argument(format!(
            "{what} is not a URL ({e}): write it as scheme://host:port, e.g. http://proxy.example.com:3128"
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https" | "socks5" | "socks5h") {
        return Err(Error::invalid_argument(format!(
            "{what} has unsupported scheme `{}`: use {PROXY_SCHEMES}",
            url.scheme()
        )));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Error::invalid_argument(format!("{what} has no host")));
    }
    if !matches!(url.path(), "" | "/") || url.query().is_some() || url.fragment().is_some() {
        return Err(Error::invalid_argument(format!(
            "{what} must be scheme://host:port, without a path or query"
        )));
    }
    Ok(url)
}

/// `no_proxy`: a comma-separated string or an array of strings.
fn parse_no_proxy(value: Value) -> Result<Vec<String>> {
    let entries: Vec<String> = match value {
        Value::String(s) => s.split(',').map(str::to_string).collect(),
        Value::Array(items) => items
            .into_iter()
            .map(|v| match v {
                Value::String(s) => Ok(s),
                _ => Err(()),
            })
            .collect::<std::result::Result<_, _>>()
            .map_err(|_| no_proxy_type())?,
        _ => return Err(no_proxy_type()),
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.trim();
        if entry.is_empty() {
            continue;
        }
        check_no_proxy_entry(entry, "config key `no_proxy`")?;
        out.push(entry.to_string());
    }
    Ok(out)
}

fn no_proxy_type() -> Error {
    Error::invalid_argument(
        "config key `no_proxy` must be a comma-separated string or an array of strings",
    )
}

/// One entry of a no-proxy list: `*`, an IP address, a CIDR, or a domain (with its subdomains).
pub(crate) fn check_no_proxy_entry(entry: &str, what: &str) -> Result<()> {
    let ip_or_cidr = entry.parse::<std::net::IpAddr>().is_ok()
        || entry.split_once('/').is_some_and(|(ip, bits)| {
            ip.parse::<std::net::IpAddr>().is_ok() && bits.parse::<u8>().is_ok()
        });
    let domain = || {
        let name = entry.strip_prefix('.').unwrap_or(entry);
        !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_')
    };
    if entry == "*" || ip_or_cidr || domain() {
        return Ok(());
    }
    Err(Error::invalid_argument(format!(
        "{what} entry {entry:?} is not a host, domain, IP address or CIDR (ports are not matched)"
    )))
}

/// Every certificate of a PEM text, each checked to be usable as a trusted root.
fn parse_pem(pem: &[u8], what: &str) -> Result<Vec<CertificateDer<'static>>> {
    let mut certificates = Vec::new();
    for item in CertificateDer::pem_slice_iter(pem) {
        let certificate =
            item.map_err(|e| Error::invalid_argument(format!("{what} is not valid PEM: {e}")))?;
        rustls::RootCertStore::empty()
            .add(certificate.clone())
            .map_err(|e| {
                Error::invalid_argument(format!(
                    "{what}: certificate {} cannot be a trusted root: {e}",
                    certificates.len() + 1
                ))
            })?;
        certificates.push(certificate);
    }
    if certificates.is_empty() {
        return Err(Error::invalid_argument(format!(
            "{what} holds no certificate: expected PEM text with \"-----BEGIN CERTIFICATE-----\""
        )));
    }
    Ok(certificates)
}
