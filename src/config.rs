//! The client configuration: one JSON object, parsed strictly so that a typo is an error naming the key.

use std::time::Duration;

use serde::Deserialize;
use url::Url;

use crate::error::{Error, ErrorKind, Result, shown};
use crate::secret::Secret;

mod network;
mod service_account_key;
pub mod token;

pub(crate) use network::proxy_from_text;
pub use network::{Network, Proxy, ProxyUrl};
pub use service_account_key::ServiceAccountKey;
pub use token::Token;

pub const DEFAULT_SCOPE: &str = "https://www.googleapis.com/auth/calendar";

/// Everything a client needs. Built from JSON with [`Config::from_json`]; no client id or secret is built in.
#[derive(Clone, Debug)]
pub struct Config {
    pub client_id: Option<String>,
    pub client_secret: Option<Secret>,
    pub scopes: Vec<String>,
    pub token: Option<Token>,
    pub service_account: Option<ServiceAccountKey>,
    pub subject: Option<String>,
    pub endpoints: Endpoints,
    pub timeouts: Timeouts,
    pub retry: RetryPolicy,
    pub user_agent: String,
    /// Refresh this long before the access token expires.
    pub refresh_skew: Duration,
    /// Proxy and trusted certificates.
    pub network: Network,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoints {
    pub auth_url: Url,
    pub token_url: Url,
    pub revoke_url: Url,
    pub api_base_url: Url,
    pub batch_url: Url,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    pub connect: Duration,
    pub request: Duration,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included; 1 means no retry.
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for Endpoints {
    fn default() -> Self {
        let parse = |s: &str| Url::parse(s).expect("built-in endpoint URLs are valid");
        Endpoints {
            auth_url: parse("https://accounts.google.com/o/oauth2/v2/auth"),
            token_url: parse("https://oauth2.googleapis.com/token"),
            revoke_url: parse("https://oauth2.googleapis.com/revoke"),
            api_base_url: parse("https://www.googleapis.com/calendar/v3/"),
            batch_url: parse("https://www.googleapis.com/batch/calendar/v3"),
        }
    }
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(10),
            request: Duration::from_secs(60),
        }
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(32),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            client_id: None,
            client_secret: None,
            scopes: vec![DEFAULT_SCOPE.to_string()],
            token: None,
            service_account: None,
            subject: None,
            endpoints: Endpoints::default(),
            timeouts: Timeouts::default(),
            retry: RetryPolicy::default(),
            user_agent: default_user_agent(),
            refresh_skew: Duration::from_secs(60),
            network: Network::default(),
        }
    }
}

pub fn default_user_agent() -> String {
    format!("qorus-gcal/{}", env!("CARGO_PKG_VERSION"))
}

// The JSON shapes, kept apart from the validated types so that parsing stays declarative.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    client_id: Option<String>,
    client_secret: Option<Secret>,
    scopes: Option<Vec<String>>,
    token: Option<Token>,
    service_account: Option<ServiceAccountKey>,
    subject: Option<String>,
    endpoints: Option<RawEndpoints>,
    timeouts: Option<RawTimeouts>,
    retry: Option<RawRetry>,
    user_agent: Option<String>,
    refresh_skew_ms: Option<u64>,
    proxy: Option<String>,
    proxy_username: Option<String>,
    proxy_password: Option<Secret>,
    no_proxy: Option<serde_json::Value>,
    ca_certificates: Option<String>,
    ca_file: Option<String>,
    ca_only: Option<bool>,
}

#[derive(Deserialize)]
#[serde(remote = "Self", deny_unknown_fields)]
struct RawEndpoints {
    auth_url: Option<String>,
    token_url: Option<String>,
    revoke_url: Option<String>,
    api_base_url: Option<String>,
    batch_url: Option<String>,
}

#[derive(Deserialize)]
#[serde(remote = "Self", deny_unknown_fields)]
struct RawTimeouts {
    connect_ms: Option<u64>,
    request_ms: Option<u64>,
}

#[derive(Deserialize)]
#[serde(remote = "Self", deny_unknown_fields)]
struct RawRetry {
    max_attempts: Option<u32>,
    base_delay_ms: Option<u64>,
    max_delay_ms: Option<u64>,
}

impl Config {
    /// Parses and validates a configuration. Syntax errors answer [`ErrorKind::InvalidJson`]; unknown keys,
    /// wrong types and bad values answer [`ErrorKind::InvalidArgument`] naming the key.
    pub fn from_json(json: &str) -> Result<Config> {
        let raw: RawConfig = parse_json(json, "config")?;
        let defaults = Config::default();
        let mut config = Config {
            client_id: non_empty(raw.client_id, "client_id")?,
            client_secret: raw.client_secret,
            scopes: match raw.scopes {
                Some(scopes) => validate_scopes(scopes)?,
                None => defaults.scopes,
            },
            token: raw.token,
            service_account: raw.service_account,
            subject: non_empty(raw.subject, "subject")?,
            endpoints: defaults.endpoints,
            timeouts: defaults.timeouts,
            retry: defaults.retry,
            user_agent: match raw.user_agent {
                Some(ua) if ua.trim().is_empty() || ua.chars().any(char::is_control) => {
                    return Err(Error::invalid_argument(
                        "config key `user_agent` must be non-empty printable text",
                    ));
                }
                Some(ua) => ua,
                None => defaults.user_agent,
            },
            refresh_skew: raw
                .refresh_skew_ms
                .map(Duration::from_millis)
                .unwrap_or(defaults.refresh_skew),
            network: network::RawNetwork {
                proxy: raw.proxy,
                proxy_username: raw.proxy_username,
                proxy_password: raw.proxy_password,
                no_proxy: raw.no_proxy,
                ca_certificates: raw.ca_certificates,
                ca_file: raw.ca_file,
                ca_only: raw.ca_only,
            }
            .validate()?,
        };
        if let Some(e) = raw.endpoints {
            let ep = &mut config.endpoints;
            set_url(&mut ep.auth_url, e.auth_url, "endpoints.auth_url")?;
            set_url(&mut ep.token_url, e.token_url, "endpoints.token_url")?;
            set_url(&mut ep.revoke_url, e.revoke_url, "endpoints.revoke_url")?;
            set_url(
                &mut ep.api_base_url,
                e.api_base_url,
                "endpoints.api_base_url",
            )?;
            set_url(&mut ep.batch_url, e.batch_url, "endpoints.batch_url")?;
            // Relative paths are joined onto the base, which therefore must end in a slash.
            if !ep.api_base_url.path().ends_with('/') {
                let path = format!("{}/", ep.api_base_url.path());
                ep.api_base_url.set_path(&path);
            }
        }
        if let Some(t) = raw.timeouts {
            config.timeouts.connect = positive_ms(t.connect_ms, "timeouts.connect_ms")?
                .unwrap_or(config.timeouts.connect);
            config.timeouts.request = positive_ms(t.request_ms, "timeouts.request_ms")?
                .unwrap_or(config.timeouts.request);
        }
        if let Some(r) = raw.retry {
            if let Some(n) = r.max_attempts {
                if !(1..=20).contains(&n) {
                    return Err(Error::invalid_argument(format!(
                        "config key `retry.max_attempts` must be between 1 and 20, got {n}"
                    )));
                }
                config.retry.max_attempts = n;
            }
            if let Some(ms) = r.base_delay_ms {
                config.retry.base_delay = Duration::from_millis(ms);
            }
            config.retry.max_delay = positive_ms(r.max_delay_ms, "retry.max_delay_ms")?
                .unwrap_or(config.retry.max_delay);
            if config.retry.base_delay > config.retry.max_delay {
                return Err(Error::invalid_argument(
                    "config key `retry.base_delay_ms` must not exceed `retry.max_delay_ms`",
                ));
            }
        }
        if config.subject.is_some() && config.service_account.is_none() {
            return Err(Error::invalid_argument(
                "config key `subject` needs `service_account`: only a service account can impersonate a user",
            ));
        }
        if config.client_secret.is_some() && config.client_id.is_none() {
            return Err(Error::invalid_argument(
                "config key `client_secret` needs `client_id`",
            ));
        }
        Ok(config)
    }
}

/// Parses JSON into `T`, telling syntax errors apart from shape errors and naming the path of the latter.
/// A struct is read from a JSON object only, and no message quotes a string from the input: any of them
/// may be a token, a client secret or a private key.
pub fn parse_json<'a, T: serde::Deserialize<'a>>(json: &'a str, what: &str) -> Result<T> {
    // serde fills a struct from an array too, field by field in order; only an object is documented.
    if wants_struct::<T>() && !json.trim_start().starts_with('{') {
        if serde_json::from_str::<serde::de::IgnoredAny>(json).is_ok() {
            return Err(Error::invalid_argument(format!(
                "{what} must be a JSON object, not {}",
                kind_of_text(json)
            )));
        }
        // Not JSON at all: the path below says so.
    } else if let Ok(value) = serde_json::from_str(json) {
        // Tracking the path costs as much again as parsing: do it only to explain a failure.
        return Ok(value);
    }
    let de = &mut serde_json::Deserializer::from_str(json);
    let value = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        match inner.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => Error::new(
                ErrorKind::InvalidJson,
                format!("{what} is not valid JSON: {inner}"),
            ),
            _ => {
                let detail = shape_message(&strip_position(&inner.to_string()));
                if path == "." || path.is_empty() {
                    Error::invalid_argument(format!("{what}: {detail}"))
                } else {
                    Error::invalid_argument(format!("{what} key `{}`: {detail}", shown(&path)))
                }
            }
        }
    })?;
    // Whatever made the plain parse fail is after the value, like `{} x`.
    de.end().map_err(|inner| {
        Error::new(
            ErrorKind::InvalidJson,
            format!("{what} is not valid JSON: {inner}"),
        )
    })?;
    Ok(value)
}

// serde_json appends "at line 1 column 12", which means nothing to a host that built the JSON itself.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// serde's shape messages quote the value they met (`invalid type: string "ya29...", expected ...`),
/// which may be a secret: keep only its kind. Numbers and booleans stay, as they help and hold no secret.
fn shape_message(message: &str) -> String {
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = message.strip_prefix(prefix) {
            // The value comes first and serde's "expected" last, so the last separator is serde's.
            let (met, expected) = rest
                .rsplit_once(", expected ")
                .unwrap_or((rest, "another value"));
            return format!(
                "{prefix}{}, expected {}",
                kind_met(met),
                kind_expected(expected)
            );
        }
    }
    if message.starts_with("unknown variant `") {
        return match message.rsplit_once(", expected ") {
            Some((_, expected)) => format!("unknown value, expected {expected}"),
            None => "unknown value".to_string(),
        };
    }
    // A key is no secret, but may be huge.
    if let Some(rest) = message.strip_prefix("unknown field `")
        && let Some((field, expected)) = rest.split_once("`, ")
    {
        return format!("unknown field `{}`, {expected}", shown(field));
    }
    shown(message).into_owned()
}

/// What serde met, as in its `Unexpected`, without any text of it.
fn kind_met(met: &str) -> &str {
    const SHOWN: [&str; 4] = ["integer `", "floating point `", "boolean `", "null"];
    match met {
        "sequence" => "an array",
        "map" => "an object",
        m if m.starts_with("string ") || m.starts_with("character ") => "a string",
        m if SHOWN.iter().any(|p| m.starts_with(p)) => m,
        _ => "another value",
    }
}

fn kind_expected(expected: &str) -> &str {
    match expected {
        e if e.starts_with("struct ") || e == "a map" => "an object",
        "a sequence" => "an array",
        e => e,
    }
}

/// "an array", "a string", ... for the first value in JSON text.
pub(crate) fn kind_of_text(json: &str) -> &'static str {
    match json.trim_start().as_bytes().first() {
        Some(b'{') => "an object",
        Some(b'[') => "an array",
        Some(b'"') => "a string",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        _ => "a number",
    }
}

/// Whether `T` reads itself as a struct: from a JSON object, and also (unless refused) from an array.
fn wants_struct<'de, T: serde::Deserialize<'de>>() -> bool {
    use serde::de::{Deserializer, Visitor};

    #[derive(Debug)]
    struct Asked(bool);
    impl std::fmt::Display for Asked {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("probe")
        }
    }
    impl std::error::Error for Asked {}
    impl serde::de::Error for Asked {
        fn custom<M: std::fmt::Display>(_: M) -> Self {
            Asked(false)
        }
    }
    // Answers only which method the type asked for.
    struct Probe;
    impl<'de> Deserializer<'de> for Probe {
        type Error = Asked;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Asked> {
            Err(Asked(false))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            _: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Asked> {
            Err(Asked(true))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option
            unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
        }
    }
    matches!(T::deserialize(Probe), Err(Asked(true)))
}

/// Reads a struct deriving `Deserialize` with `#[serde(remote = "Self")]` from a map (see
/// [`object_only!`]).
pub(crate) trait FromObject<'de>: Sized {
    fn from_map<A: serde::de::MapAccess<'de>>(map: A) -> std::result::Result<Self, A::Error>;
}

/// Takes a JSON object and nothing else for a [`FromObject`] type.
pub(crate) struct ObjectVisitor<T>(std::marker::PhantomData<T>);

impl<T> ObjectVisitor<T> {
    pub(crate) fn new() -> Self {
        ObjectVisitor(std::marker::PhantomData)
    }
}

impl<'de, T: FromObject<'de>> serde::de::Visitor<'de> for ObjectVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> std::result::Result<T, A::Error> {
        T::from_map(map)
    }
}

/// `Deserialize` from a JSON object only, for a struct that derives it with `#[serde(remote = "Self")]`
/// (which makes the derived code an inherent `deserialize`): a derived struct alone also takes an
/// array, reading its fields in order, so `{"token": ["a", "b"]}` would be a token.
macro_rules! object_only {
    ($ty:ident $(<$lt:lifetime>)?) => {
        impl<'de $(: $lt, $lt)?> $crate::config::FromObject<'de> for $ty$(<$lt>)? {
            fn from_map<A: serde::de::MapAccess<'de>>(
                map: A,
            ) -> std::result::Result<Self, A::Error> {
                // The inherent function serde derived, not this trait's.
                $ty::deserialize(serde::de::value::MapAccessDeserializer::new(map))
            }
        }
        impl<'de $(: $lt, $lt)?> serde::Deserialize<'de> for $ty$(<$lt>)? {
            fn deserialize<D: serde::Deserializer<'de>>(
                d: D,
            ) -> std::result::Result<Self, D::Error> {
                d.deserialize_map($crate::config::ObjectVisitor::<Self>::new())
            }
        }
    };
}
pub(crate) use object_only;

object_only!(RawEndpoints);
object_only!(RawTimeouts);
object_only!(RawRetry);

fn non_empty(value: Option<String>, key: &str) -> Result<Option<String>> {
    match value {
        Some(v) if v.trim().is_empty() => Err(Error::invalid_argument(format!(
            "config key `{key}` must not be empty"
        ))),
        other => Ok(other),
    }
}

fn validate_scopes(scopes: Vec<String>) -> Result<Vec<String>> {
    if scopes.is_empty() {
        return Err(Error::invalid_argument(
            "config key `scopes` must list at least one scope",
        ));
    }
    if let Some(bad) = scopes
        .iter()
        .position(|s| s.is_empty() || s.chars().any(char::is_whitespace))
    {
        return Err(Error::invalid_argument(format!(
            "config key `scopes` holds an invalid scope at index {bad}: scopes are non-empty and contain no spaces"
        )));
    }
    Ok(scopes)
}

fn positive_ms(value: Option<u64>, key: &str) -> Result<Option<Duration>> {
    match value {
        Some(0) => Err(Error::invalid_argument(format!(
            "config key `{key}` must be greater than 0"
        ))),
        other => Ok(other.map(Duration::from_millis)),
    }
}

fn set_url(slot: &mut Url, value: Option<String>, key: &str) -> Result<()> {
    if let Some(text) = value {
        *slot = parse_endpoint(&text, key)?;
    }
    Ok(())
}

/// An endpoint must be https, or plain http to a loopback host (the emulator, a local test server).
pub(crate) fn parse_endpoint(text: &str, key: &str) -> Result<Url> {
    // The text itself is never quoted: a URL can carry a password or a key.
    let url = Url::parse(text).map_err(|e| {
        Error::invalid_argument(format!("config key `{key}` is not a valid URL ({e})"))
    })?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        "http" => Err(Error::invalid_argument(format!(
            "config key `{key}` must use https (plain http is allowed only for loopback hosts, not {})",
            shown(url.host_str().unwrap_or("no host"))
        ))),
        other => Err(Error::invalid_argument(format!(
            "config key `{key}` has unsupported scheme `{}`: use https",
            shown(other)
        ))),
    }
}

pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}
