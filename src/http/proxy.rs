//! The proxy a pool sends through: the configured one, or with `"proxy": "system"` the environment's,
//! read when a client is made. Only https requests go through it (every Google endpoint is https);
//! plain http is allowed for loopback hosts alone, which are reached directly.

use std::time::Duration;

use base64::Engine;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use url::Url;

use crate::config::{Network, Proxy, ProxyUrl};
use crate::error::{Error, Result};
use crate::secret::Secret;

/// A proxy and the hosts that bypass it, resolved: part of a pool's key.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Route {
    pub proxy: Option<ProxyUrl>,
    /// Comma-separated, as reqwest's `NoProxy` reads it.
    pub no_proxy: String,
}

impl Route {
    pub fn resolve(network: &Network) -> Result<Route> {
        let mut bypass = network.no_proxy.clone();
        let proxy = match &network.proxy {
            Proxy::Direct => None,
            Proxy::Url(p) => Some(p.clone()),
            Proxy::System => {
                if let Some((_, list)) = env_first(&["NO_PROXY", "no_proxy"]) {
                    bypass.extend(
                        list.split(',')
                            .map(str::trim)
                            .filter(|e| !e.is_empty())
                            .map(String::from),
                    );
                }
                from_env()?
            }
        };
        Ok(Route {
            proxy,
            no_proxy: bypass.join(","),
        })
    }

    /// reqwest's proxy rule for this route.
    pub fn to_reqwest(&self) -> Result<Option<reqwest::Proxy>> {
        let Some(p) = &self.proxy else {
            return Ok(None);
        };
        let mut proxy = reqwest::Proxy::https(p.url.as_str()).map_err(|e| {
            Error::invalid_argument(format!("the proxy {} cannot be used: {e}", p.url))
        })?;
        if let Some(user) = &p.username {
            let password = p.password.as_ref().map_or("", Secret::expose);
            proxy = proxy.basic_auth(user.expose(), password);
        }
        Ok(Some(
            proxy.no_proxy(reqwest::NoProxy::from_string(&self.no_proxy)),
        ))
    }
}

impl Route {
    /// Asks the proxy (plain-http ones) to CONNECT to `destination` and answers its status and reason:
    /// reqwest reports only "unsuccessful" for any answer but 200 and 407. For error messages only.
    pub async fn connect_status(
        &self,
        destination: &Url,
        timeout: Duration,
    ) -> Option<(u16, String)> {
        let proxy = self.proxy.as_ref().filter(|p| p.url.scheme() == "http")?;
        let target = format!(
            "{}:{}",
            destination.host_str()?,
            destination.port_or_known_default()?
        );
        let host = proxy
            .url
            .host_str()?
            .trim_start_matches('[')
            .trim_end_matches(']');
        let address = (host.to_string(), proxy.url.port_or_known_default()?);
        let mut request = format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n");
        if let Some(user) = &proxy.username {
            let password = proxy.password.as_ref().map_or("", Secret::expose);
            let token = base64::engine::general_purpose::STANDARD
                .encode(format!("{}:{password}", user.expose()));
            request.push_str(&format!("Proxy-Authorization: Basic {token}\r\n"));
        }
        request.push_str("\r\n");
        let ask = async {
            let mut stream = tokio::net::TcpStream::connect(address).await.ok()?;
            stream.write_all(request.as_bytes()).await.ok()?;
            let mut answer = vec![0u8; 512];
            let mut len = 0;
            while len < answer.len() && !answer[..len].contains(&b'\n') {
                match stream.read(&mut answer[len..]).await.ok()? {
                    0 => break,
                    n => len += n,
                }
            }
            let text = String::from_utf8_lossy(&answer[..len]);
            let mut parts = text.lines().next()?.splitn(3, ' ');
            let _version = parts.next()?;
            let status = parts.next()?.parse().ok()?;
            Some((status, parts.next().unwrap_or("").trim().to_string()))
        };
        tokio::time::timeout(timeout, ask).await.ok().flatten()
    }

    pub fn has_credentials(&self) -> bool {
        self.proxy.as_ref().is_some_and(ProxyUrl::has_credentials)
    }
}

fn env_first(names: &[&'static str]) -> Option<(&'static str, String)> {
    names.iter().find_map(|n| {
        std::env::var(n)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .map(|v| (*n, v))
    })
}

/// `HTTPS_PROXY` (or `https_proxy`), else `ALL_PROXY` (or `all_proxy`); a value without a scheme is
/// taken as `http://`, as curl does. Messages name the variable, never its value (it may hold a password).
fn from_env() -> Result<Option<ProxyUrl>> {
    let Some((name, value)) = env_first(&["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"])
    else {
        return Ok(None);
    };
    let text = if value.contains("://") {
        value
    } else {
        format!("http://{value}")
    };
    let what = format!("the environment variable {name} (read for \"proxy\": \"system\")");
    crate::config::proxy_from_text(&text, &what).map(Some)
}
