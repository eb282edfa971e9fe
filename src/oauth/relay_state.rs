//! The `state` of a consent through a relay, and the rule for the addresses it may name. The instance
//! writes it, Google carries it to the relay, the relay reads it to know where to send the browser, and the
//! instance checks it when the browser arrives.
//!
//! Format: `v1.<nonce>.<payload>`, where the nonce is 128 random bits (base64url) and the payload is
//! base64url (no padding) of `{"r": return address, "s": OAuth server host}`. Neither part contains a `.`,
//! so the split is unambiguous, and the whole is URL-safe.
//!
//! It is not signed, on purpose: a signature would not stop an open redirect (an attacker who writes the
//! first link signs nothing, they only replay or invent states; the relay's allow-list is what limits
//! where browsers go), and the instance needs none either, because it compares the whole state with the
//! one in the session it keeps privately: a state someone altered or made up matches no session. The
//! code the relay passes on is useless without the PKCE verifier and the client secret, which only the
//! instance has.

use std::net::IpAddr;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use url::{Host, Url};

use crate::error::{Error, Result};

/// The format's version, the state's first part.
const VERSION: &str = "v1";
/// The longest state a relay accepts (and the library writes): Google passes state through, but every
/// browser and proxy on the way has its own URL limits. The C API never needs it:
/// cbindgen:ignore
pub const MAX_STATE_LEN: usize = 1024;
const NONCE_LEN: std::ops::RangeInclusive<usize> = 16..=64;
const MAX_SERVER_LEN: usize = 255;

/// What a relay state carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelayState {
    /// Random, unique to one consent: what the instance's session remembers.
    pub nonce: String,
    /// Where the relay sends the browser: the instance's own callback URL.
    pub return_url: String,
    /// The OAuth server's host (e.g. `accounts.google.com`): the one fact about a consent a relay logs.
    pub server: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Payload {
    r: String,
    s: String,
}

impl RelayState {
    pub fn encode(&self) -> String {
        let payload = serde_json::to_vec(&Payload {
            r: self.return_url.clone(),
            s: self.server.clone(),
        })
        .expect("two strings always serialize");
        format!(
            "{VERSION}.{}.{}",
            self.nonce,
            URL_SAFE_NO_PAD.encode(payload)
        )
    }

    /// Reads a state; anything but the exact format is refused. Checks the shape only: whether the
    /// return address may be used is `check_address`'s and the relay's allow-list's business.
    pub fn decode(state: &str) -> Result<RelayState> {
        let bad = |why: &str| Error::invalid_argument(format!("not a relay state: {why}"));
        if state.len() > MAX_STATE_LEN {
            return Err(bad("longer than 1024 bytes"));
        }
        let mut parts = state.split('.');
        let (Some(version), Some(nonce), Some(payload), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad("it is not three parts separated by `.`"));
        };
        if version != VERSION {
            return Err(bad("unknown version"));
        }
        if !NONCE_LEN.contains(&nonce.len()) || !nonce.bytes().all(is_base64url) {
            return Err(bad("the nonce is not 16 to 64 base64url characters"));
        }
        let json = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| bad("the payload is not base64url"))?;
        let Payload { r, s } =
            serde_json::from_slice(&json).map_err(|_| bad("the payload is not {\"r\", \"s\"}"))?;
        if r.is_empty() {
            return Err(bad("no return address"));
        }
        if s.is_empty() || s.len() > MAX_SERVER_LEN || !s.bytes().all(is_host_byte) {
            return Err(bad("the server is not a host name"));
        }
        Ok(RelayState {
            nonce: nonce.to_string(),
            return_url: r,
            server: s,
        })
    }
}

fn is_base64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// Host names, IPv4 and bracketed IPv6, lower case: safe to log as they are.
fn is_host_byte(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit() || b"-.:[]".contains(&b)
}

/// The rule for a relay's own URL and for return addresses: an `https` URL, or `http` to a loopback
/// host; no user name or password (a classic way to disguise a host), no query and no fragment (the relay
/// adds the query). Answers the URL parsed and normalized (`url` resolves `..`, lower-cases the host,
/// writes IPv4 in dotted form), which is the form allow-lists are matched against.
pub fn check_address(address: &str, what: &str) -> Result<Url> {
    let url = Url::parse(address)
        .map_err(|e| Error::invalid_argument(format!("{what} is not a URL ({e})")))?;
    let refuse = |why: &str| Err(Error::invalid_argument(format!("{what} {why}")));
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => return refuse("must use https (plain http only to a loopback address)"),
        _ => return refuse("must be an https URL"),
    }
    if url.host().is_none() {
        return refuse("has no host");
    }
    if !url.username().is_empty() || url.password().is_some() {
        return refuse("must not carry a user name or password");
    }
    if url.query().is_some() || url.fragment().is_some() {
        return refuse("must not have a query or fragment");
    }
    Ok(url)
}

/// Whether a URL's host is this machine: 127.0.0.0/8, ::1 or `localhost`.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(Host::Domain(d)) => d == "localhost",
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> RelayState {
        RelayState {
            nonce: "AAAAAAAAAAAAAAAAAAAAAA".into(),
            return_url: "https://qorus.example.com/qorus/oauth2/callback".into(),
            server: "accounts.google.com".into(),
        }
    }

    #[test]
    fn a_state_round_trips_and_is_url_safe() {
        let state = sample().encode();
        assert!(state.starts_with("v1.AAAAAAAAAAAAAAAAAAAAAA."), "{state}");
        assert!(state.bytes().all(|b| is_base64url(b) || b == b'.'));
        assert_eq!(RelayState::decode(&state).unwrap(), sample());
    }

    #[test]
    fn anything_but_the_format_is_refused() {
        let good = sample().encode();
        let (head, payload) = good.rsplit_once('.').unwrap();
        let b64 = |s: &str| URL_SAFE_NO_PAD.encode(s);
        let bad = [
            String::new(),
            "v1".into(),
            good.replacen("v1", "v2", 1),
            format!("{good}.x"),
            format!("v1.short.{payload}"),
            format!("v1.{}.{payload}", "A".repeat(65)),
            format!("v1.AAAAAAAAAAAAAAAA+AAAAA.{payload}"),
            format!("{head}.{payload}="),
            format!("{head}.!!"),
            format!("{head}.{}", b64(r#"{"r": "https://x/"}"#)),
            format!(
                "{head}.{}",
                b64(r#"{"r": "https://x/", "s": "a", "extra": 1}"#)
            ),
            format!("{head}.{}", b64(r#"{"r": "", "s": "a"}"#)),
            format!("{head}.{}", b64(r#"{"r": "https://x/", "s": "a b"}"#)),
            format!("{head}.{}", b64(r#"{"r": "https://x/", "s": "A\nB"}"#)),
            format!("{head}.{}", b64("[1]")),
            "v1.AAAAAAAAAAAAAAAAAAAAAA.".to_string() + &"A".repeat(1100),
        ];
        for state in bad {
            let err = RelayState::decode(&state).unwrap_err();
            assert!(
                err.message().starts_with("not a relay state"),
                "{state}: {err}"
            );
        }
    }

    #[test]
    fn addresses_must_be_https_or_loopback_and_plain() {
        for ok in [
            "https://qorus.example.com/cb",
            "http://127.0.0.1:8011/cb",
            "http://127.1.2.3/cb",
            "http://[::1]:9/cb",
            "http://localhost:9/cb",
        ] {
            assert!(check_address(ok, "x").is_ok(), "{ok}");
        }
        for (bad, why) in [
            ("http://qorus.example.com/cb", "https"),
            ("http://127.0.0.1.example.com/cb", "https"),
            ("ftp://example.com/cb", "https"),
            ("https://user:pw@example.com/cb", "user name"),
            ("https://example.com@evil.example/cb", "user name"),
            ("https://example.com/cb?x=1", "query"),
            ("https://example.com/cb#f", "fragment"),
            ("javascript:alert(1)", "https"),
            ("/relative", "not a URL"),
        ] {
            let err = check_address(bad, "the address").unwrap_err();
            assert!(err.message().contains(why), "{bad}: {err}");
        }
        let normalized = check_address("https://EXAMPLE.com/a/../qorus/cb", "x").unwrap();
        assert_eq!(normalized.as_str(), "https://example.com/qorus/cb");
    }
}
