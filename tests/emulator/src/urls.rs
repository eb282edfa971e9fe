//! The emulator's endpoint URLs.

use std::net::SocketAddr;

use serde::{Deserialize, Serialize};

/// Where each Google endpoint lives on this emulator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Urls {
    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub base_url: String,
    /// Consent: `{base}/o/oauth2/v2/auth`.
    pub auth_url: String,
    /// `{base}/token`.
    pub token_url: String,
    /// `{base}/revoke`.
    pub revoke_url: String,
    /// `{base}/calendar/v3/` (with the trailing slash).
    pub api_base_url: String,
    /// `{base}/batch/calendar/v3`.
    pub batch_url: String,
    /// `{base}/device/code`.
    pub device_url: String,
    /// With TLS (`--tls`): the PEM file of the CA that signed the server's certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<String>,
}

impl Urls {
    pub fn for_addr(addr: SocketAddr) -> Self {
        Urls::for_addr_scheme(addr, "http")
    }

    /// `scheme` is `http` or `https`.
    pub fn for_addr_scheme(addr: SocketAddr, scheme: &str) -> Self {
        let base = match addr {
            SocketAddr::V4(a) => format!("{scheme}://{}:{}", a.ip(), a.port()),
            SocketAddr::V6(a) => format!("{scheme}://[{}]:{}", a.ip(), a.port()),
        };
        Urls {
            auth_url: format!("{base}/o/oauth2/v2/auth"),
            token_url: format!("{base}/token"),
            revoke_url: format!("{base}/revoke"),
            api_base_url: format!("{base}/calendar/v3/"),
            batch_url: format!("{base}/batch/calendar/v3"),
            device_url: format!("{base}/device/code"),
            base_url: base,
            ca_file: None,
        }
    }
}
