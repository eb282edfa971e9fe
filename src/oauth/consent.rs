//! Consent: the authorization URL (PKCE S256, random state, offline access), the session an external
//! redirect flow keeps, and checking what the browser brings back. Through a relay, the state also
//! carries the instance's return address (`relay_state`).

use oauth2::basic::BasicClient;
use oauth2::{AuthUrl, ClientId, CsrfToken, PkceCodeChallenge, RedirectUrl, Scope};
use serde::{Deserialize, Serialize};
use url::Url;

use super::grant::now_unix;
use super::relay_state::{self, RelayState};
use crate::config::{Config, parse_json};
use crate::error::{Error, ErrorKind, Result};
use crate::secret::Secret;

/// Google's authorization codes live ten minutes; a session older than this cannot succeed.
pub const DEFAULT_SESSION_MAX_AGE_S: i64 = 600;

/// Options for a local-server consent (`qgcal_consent_start_local`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalOptions {
    /// Port to listen on; a random free port when absent.
    pub port: Option<u16>,
    /// Path the browser returns to.
    pub callback_path: Option<String>,
    pub login_hint: Option<String>,
    pub scopes: Option<Vec<String>>,
    pub include_granted_scopes: Option<bool>,
}

/// Options for an external-redirect consent (`qgcal_consent_start_external`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExternalOptions {
    /// Where the browser comes back to the host: Google's redirect URI, or with `relay_url` the
    /// address the relay forwards the browser to.
    pub redirect_uri: String,
    /// A relay's public URL (the redirect URI registered at Google), which sends the browser on to
    /// `redirect_uri`.
    pub relay_url: Option<String>,
    /// The host's own `state` (one its redirect handler routes by); a random one when absent.
    pub state: Option<String>,
    pub login_hint: Option<String>,
    pub scopes: Option<Vec<String>>,
    pub include_granted_scopes: Option<bool>,
}

/// What both consent modes put in the URL. (serde cannot deny unknown keys through `flatten`, so each
/// options type lists these fields itself.)
#[derive(Clone, Debug, Default)]
pub struct CommonOptions {
    /// The account to preselect on the consent page.
    pub login_hint: Option<String>,
    /// Scopes to ask for instead of the client's.
    pub scopes: Option<Vec<String>>,
    /// Ask Google to include scopes granted earlier (incremental authorization).
    pub include_granted_scopes: Option<bool>,
    /// The `state` to send instead of a random one (external flow only).
    pub state: Option<String>,
}

/// The longest host-given `state` accepted; a state travels in two URLs.
const MAX_STATE_LEN: usize = 512;

impl LocalOptions {
    pub fn from_json(json: Option<&str>) -> Result<LocalOptions> {
        json.map_or_else(
            || Ok(LocalOptions::default()),
            |j| parse_json(j, "consent options"),
        )
    }

    pub fn common(&self) -> CommonOptions {
        CommonOptions {
            login_hint: self.login_hint.clone(),
            scopes: self.scopes.clone(),
            include_granted_scopes: self.include_granted_scopes,
            state: None,
        }
    }
}

impl ExternalOptions {
    pub fn from_json(json: &str) -> Result<ExternalOptions> {
        parse_json(json, "consent options")
    }

    pub fn common(&self) -> CommonOptions {
        CommonOptions {
            login_hint: self.login_hint.clone(),
            scopes: self.scopes.clone(),
            include_granted_scopes: self.include_granted_scopes,
            state: self.state.clone(),
        }
    }
}

/// What a consent in progress must remember: the host keeps it (as JSON) in the external flow.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Session {
    pub client_id: String,
    pub state: Secret,
    pub code_verifier: Secret,
    /// Google's redirect URI (the relay's URL through a relay): the code exchange repeats it.
    pub redirect_uri: String,
    /// Through a relay: the host's own callback URL that the state names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_url: Option<String>,
    pub scopes: Vec<String>,
    /// Unix seconds.
    pub created_at: i64,
}

impl Session {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a session always serializes")
    }

    pub fn from_json(json: &str) -> Result<Session> {
        parse_json(json, "consent session")
    }
}

/// Builds the consent URL and the session that goes with it.
pub fn begin(
    config: &Config,
    redirect_uri: &str,
    options: &CommonOptions,
) -> Result<(Url, Session)> {
    authorize(config, redirect_uri, options, None)
}

/// An external-redirect consent: straight back to `redirect_uri`, or through `relay_url`.
pub fn begin_external(config: &Config, options: &ExternalOptions) -> Result<(Url, Session)> {
    let Some(relay_url) = &options.relay_url else {
        return begin(config, &options.redirect_uri, &options.common());
    };
    if options.state.is_some() {
        // The relay reads its return address from the state, so the state cannot be the host's.
        return Err(Error::invalid_argument(
            "consent options `state` and `relay_url` cannot be combined: through a relay the state carries the return address",
        ));
    }
    let relay = relay_state::check_address(relay_url, "consent option `relay_url`")?;
    let return_url =
        relay_state::check_address(&options.redirect_uri, "consent option `redirect_uri`")?;
    let state = RelayState {
        nonce: CsrfToken::new_random().secret().clone(),
        return_url: return_url.to_string(),
        server: config
            .endpoints
            .auth_url
            .host_str()
            .unwrap_or_default()
            .to_ascii_lowercase(),
    }
    .encode();
    if state.len() > relay_state::MAX_STATE_LEN {
        return Err(Error::invalid_argument(format!(
            "consent option `redirect_uri` is too long for a relay (its state would be {} bytes; at most {})",
            state.len(),
            relay_state::MAX_STATE_LEN
        )));
    }
    let (url, mut session) = authorize(config, relay.as_str(), &options.common(), Some(state))?;
    session.return_url = Some(return_url.to_string());
    Ok((url, session))
}

/// The consent URL for `redirect_uri`, with a random state unless one is given.
fn authorize(
    config: &Config,
    redirect_uri: &str,
    options: &CommonOptions,
    state: Option<String>,
) -> Result<(Url, Session)> {
    let client_id = config.client_id.clone().ok_or_else(|| {
        Error::invalid_argument(
            "consent needs your OAuth client: set `client_id` and `client_secret` in the config",
        )
    })?;
    let redirect = RedirectUrl::new(redirect_uri.to_string()).map_err(|e| {
        Error::invalid_argument(format!(
            "consent option `redirect_uri` is not a URL ({e}): {redirect_uri:?}"
        ))
    })?;
    let redirect_url = redirect.url();
    if !matches!(redirect_url.scheme(), "https" | "http") {
        return Err(Error::invalid_argument(
            "consent option `redirect_uri` must be an http(s) URL",
        ));
    }
    let scopes = match &options.scopes {
        Some(s) if s.is_empty() => {
            return Err(Error::invalid_argument(
                "consent option `scopes` must not be empty",
            ));
        }
        Some(s) => s.clone(),
        None => config.scopes.clone(),
    };
    let state = match state {
        Some(relayed) => Some(relayed),
        None => check_state(options.state.as_deref())?,
    };
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let client = BasicClient::new(ClientId::new(client_id.clone()))
        .set_auth_uri(AuthUrl::from_url(config.endpoints.auth_url.clone()))
        .set_redirect_uri(redirect);
    let mut request = client
        .authorize_url(|| state.map_or_else(CsrfToken::new_random, CsrfToken::new))
        .add_scopes(scopes.iter().cloned().map(Scope::new))
        .set_pkce_challenge(challenge)
        .add_extra_param("access_type", "offline")
        .add_extra_param("prompt", "consent");
    if let Some(hint) = &options.login_hint {
        request = request.add_extra_param("login_hint", hint.clone());
    }
    if options.include_granted_scopes == Some(true) {
        request = request.add_extra_param("include_granted_scopes", "true");
    }
    let (url, state) = request.url();
    let session = Session {
        client_id,
        state: Secret::new(state.secret().clone()),
        code_verifier: Secret::new(verifier.secret().clone()),
        redirect_uri: redirect_uri.to_string(),
        return_url: None,
        scopes,
        created_at: now_unix(),
    };
    Ok((url, session))
}

/// A host-given state must survive two URLs and a comparison: non-empty, bounded, no control characters.
fn check_state(state: Option<&str>) -> Result<Option<String>> {
    let Some(state) = state else { return Ok(None) };
    if state.is_empty() || state.len() > MAX_STATE_LEN || state.chars().any(char::is_control) {
        return Err(Error::invalid_argument(format!(
            "consent option `state` must be 1 to {MAX_STATE_LEN} bytes without control characters"
        )));
    }
    Ok(Some(state.to_string()))
}

/// What the browser brought back to the redirect URI.
pub enum Callback {
    Code(String),
    Denied,
}

/// Reads a callback (a full URL, or just its query string) and checks its state against the session's.
pub fn read_callback(session: &Session, callback: &str) -> Result<Callback> {
    let query = callback_query(callback)?;
    let get = |name: &str| {
        url::form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    let state = get("state").ok_or_else(|| {
        Error::invalid_argument(
            "the consent callback has no `state`: it did not come from this consent",
        )
    })?;
    if let Some(return_url) = &session.return_url {
        check_relay_state(&state, return_url)?;
    }
    if !constant_time_eq(state.as_bytes(), session.state.expose().as_bytes()) {
        return Err(Error::invalid_argument(
            "the consent callback's `state` does not match this consent session (a forged or stale callback)",
        ));
    }
    if let Some(error) = get("error") {
        return if error == "access_denied" {
            Ok(Callback::Denied)
        } else {
            Err(Error::new(
                ErrorKind::AuthFailed,
                format!("the consent page answered `{error}`"),
            )
            .with_reason(error))
        };
    }
    get("code")
        .filter(|c| !c.is_empty())
        .map(Callback::Code)
        .ok_or_else(|| {
            Error::invalid_argument("the consent callback has neither `code` nor `error`")
        })
}

/// Through a relay, the state must name this session's return address; the nonce is then checked with
/// the whole state, in constant time.
fn check_relay_state(state: &str, return_url: &str) -> Result<()> {
    let relayed = RelayState::decode(state).map_err(|e| {
        Error::invalid_argument(format!(
            "the consent callback's `state` is {}: it did not come from this consent",
            e.message()
        ))
    })?;
    if relayed.return_url != return_url {
        return Err(Error::invalid_argument(
            "the consent callback's `state` names another return address than this consent session's (it was altered)",
        ));
    }
    Ok(())
}

fn callback_query(callback: &str) -> Result<String> {
    let trimmed = callback.trim();
    if trimmed.contains("://") {
        let url = Url::parse(trimmed).map_err(|e| {
            Error::invalid_argument(format!("the consent callback URL does not parse: {e}"))
        })?;
        return Ok(url.query().unwrap_or_default().to_string());
    }
    Ok(trimmed.trim_start_matches('?').to_string())
}

/// Checks the session may still be completed by this client.
pub fn check_session(session: &Session, config: &Config, max_age_s: i64) -> Result<()> {
    if config.client_id.as_deref() != Some(session.client_id.as_str()) {
        return Err(Error::invalid_argument(
            "this consent session was started by another OAuth client: complete it with the client that started it",
        ));
    }
    let age = now_unix().saturating_sub(session.created_at);
    if age > max_age_s || age < -60 {
        return Err(Error::new(
            ErrorKind::ConsentRequired,
            format!(
                "this consent session is {age} s old; its code has expired (limit {max_age_s} s): start consent again"
            ),
        ));
    }
    Ok(())
}

/// Compares secrets without revealing, through timing, how much of a guess was right.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        Config::from_json(r#"{"client_id": "cid", "client_secret": "not-in-any-url-0x5ec4e7"}"#)
            .unwrap()
    }

    #[test]
    fn the_url_carries_pkce_state_offline_access_and_scopes() {
        let options = CommonOptions {
            login_hint: Some("who@example.com".into()),
            ..Default::default()
        };
        let (url, session) = begin(&config(), "http://127.0.0.1:5/cb", &options).unwrap();
        let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(q["client_id"], "cid");
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["redirect_uri"], "http://127.0.0.1:5/cb");
        assert_eq!(q["scope"], "https://www.googleapis.com/auth/calendar");
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(q["access_type"], "offline");
        assert_eq!(q["prompt"], "consent");
        assert_eq!(q["login_hint"], "who@example.com");
        assert_eq!(q["state"], session.state.expose());
        // 128 bits of state at least, base64url without padding.
        assert!(session.state.expose().len() >= 22);
        let verifier = session.code_verifier.expose();
        assert!((43..=128).contains(&verifier.len()));
        assert!(
            !url.as_str().contains(verifier),
            "the verifier never leaves the host"
        );
        assert!(
            !url.as_str().contains("not-in-any-url-0x5ec4e7"),
            "nor the secret"
        );
    }

    #[test]
    fn callbacks_are_checked_against_the_session() {
        let (_, session) = begin(
            &config(),
            "http://127.0.0.1:5/cb",
            &CommonOptions::default(),
        )
        .unwrap();
        let state = session.state.expose().to_string();
        let ok = format!("http://127.0.0.1:5/cb?code=abc&state={state}");
        assert!(matches!(read_callback(&session, &ok), Ok(Callback::Code(c)) if c == "abc"));
        let query_only = format!("?state={state}&code=xyz");
        assert!(
            matches!(read_callback(&session, &query_only), Ok(Callback::Code(c)) if c == "xyz")
        );
        let denied = format!("error=access_denied&state={state}");
        assert!(matches!(
            read_callback(&session, &denied),
            Ok(Callback::Denied)
        ));
        let wrong = read_callback(&session, "code=abc&state=forged")
            .err()
            .unwrap();
        assert_eq!(wrong.kind(), ErrorKind::InvalidArgument);
        assert!(wrong.message().contains("does not match"));
        assert!(read_callback(&session, "code=abc").is_err());
    }

    #[test]
    fn sessions_expire_and_belong_to_one_client() {
        let (_, mut session) = begin(
            &config(),
            "https://relay.example/cb",
            &CommonOptions::default(),
        )
        .unwrap();
        assert!(check_session(&session, &config(), 600).is_ok());
        let other = Config::from_json(r#"{"client_id": "other"}"#).unwrap();
        assert!(
            check_session(&session, &other, 600)
                .unwrap_err()
                .message()
                .contains("another OAuth client")
        );
        session.created_at -= 601;
        assert_eq!(
            check_session(&session, &config(), 600).unwrap_err().kind(),
            ErrorKind::ConsentRequired
        );
        let json = session.to_json();
        assert_eq!(
            Session::from_json(&json).unwrap().created_at,
            session.created_at
        );
        assert!(!format!("{session:?}").contains(session.code_verifier.expose()));
    }

    fn relayed(return_url: &str) -> Result<(Url, Session)> {
        let options = ExternalOptions::from_json(
            &serde_json::json!({
                "redirect_uri": return_url,
                "relay_url": "https://relay.example.net/oauth2/callback",
            })
            .to_string(),
        )?;
        begin_external(&config(), &options)
    }

    #[test]
    fn through_a_relay_google_sees_the_relay_and_the_state_names_the_instance() {
        let (url, session) = relayed("https://Qorus.Example.com/qorus/../qorus/cb").unwrap();
        let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(
            q["redirect_uri"],
            "https://relay.example.net/oauth2/callback"
        );
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(
            session.redirect_uri, q["redirect_uri"],
            "the exchange repeats it"
        );
        let state = RelayState::decode(&q["state"]).unwrap();
        assert_eq!(state.return_url, "https://qorus.example.com/qorus/cb");
        assert_eq!(
            session.return_url.as_deref(),
            Some(state.return_url.as_str())
        );
        assert_eq!(state.server, "accounts.google.com");
        assert!(state.nonce.len() >= 22, "128 bits");
        assert_eq!(session.state.expose(), q["state"]);
        // Each consent has its own nonce.
        let (_, again) = relayed("https://qorus.example.com/qorus/cb").unwrap();
        assert_ne!(again.state.expose(), session.state.expose());
        // The session survives the host's storage.
        let stored = Session::from_json(&session.to_json()).unwrap();
        assert_eq!(stored.return_url, session.return_url);
    }

    #[test]
    fn a_relay_takes_only_plain_https_or_loopback_addresses() {
        assert!(relayed("http://127.0.0.1:8011/cb").is_ok());
        for (bad, why) in [
            ("http://qorus.example.com/cb", "https"),
            ("https://qorus.example.com/cb?conn=1", "query"),
            ("not a url", "not a URL"),
        ] {
            let err = relayed(bad).unwrap_err();
            assert!(err.message().contains("`redirect_uri`"), "{err}");
            assert!(err.message().contains(why), "{bad}: {err}");
        }
        let long = format!("https://qorus.example.com/{}", "a".repeat(800));
        assert!(relayed(&long).unwrap_err().message().contains("too long"));
        let options = ExternalOptions::from_json(
            r#"{"redirect_uri": "https://q.example.com/cb", "relay_url": "http://relay.example.net/cb"}"#,
        )
        .unwrap();
        let err = begin_external(&config(), &options).unwrap_err();
        assert!(
            err.message().contains("`relay_url` must use https"),
            "{err}"
        );
    }

    #[test]
    fn a_relayed_callback_must_carry_this_sessions_address_and_nonce() {
        let (_, session) = relayed("https://qorus.example.com/qorus/cb").unwrap();
        let state = session.state.expose().to_string();
        let ok = format!("https://qorus.example.com/qorus/cb?state={state}&code=abc");
        assert!(matches!(read_callback(&session, &ok), Ok(Callback::Code(c)) if c == "abc"));

        let genuine = RelayState::decode(&state).unwrap();
        let other_address = RelayState {
            return_url: "https://evil.example.com/qorus/cb".into(),
            ..genuine.clone()
        }
        .encode();
        let other_nonce = RelayState {
            nonce: "BBBBBBBBBBBBBBBBBBBBBB".into(),
            ..genuine
        }
        .encode();
        for (state, why) in [
            (other_address, "another return address"),
            (other_nonce, "does not match"),
            ("plain-state".to_string(), "not a relay state"),
        ] {
            let err = read_callback(&session, &format!("state={state}&code=abc"))
                .err()
                .unwrap();
            assert_eq!(err.kind(), ErrorKind::InvalidArgument);
            assert!(err.message().contains(why), "{err}");
        }
    }

    #[test]
    fn a_host_given_state_cannot_go_through_a_relay() {
        let options = ExternalOptions::from_json(
            r#"{"redirect_uri": "https://q.example.com/cb", "relay_url": "https://relay.example.net/cb", "state": "mine"}"#,
        )
        .unwrap();
        let err = begin_external(&config(), &options).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
        assert!(err.message().contains("cannot be combined"), "{err}");
    }

    #[test]
    fn a_host_given_state_is_sent_and_checked() {
        let options = CommonOptions {
            state: Some("qorus:conn=my cal&x".into()),
            ..Default::default()
        };
        let (url, session) = begin(&config(), "https://host.example/cb", &options).unwrap();
        let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(q["state"], "qorus:conn=my cal&x");
        assert_eq!(session.state.expose(), "qorus:conn=my cal&x");
        assert!(q.contains_key("code_challenge"), "PKCE stays on");
        let back = "code=abc&state=qorus%3Aconn%3Dmy+cal%26x";
        assert!(matches!(read_callback(&session, back), Ok(Callback::Code(c)) if c == "abc"));
        for bad in ["", "a\nb", &"s".repeat(MAX_STATE_LEN + 1)] {
            let options = CommonOptions {
                state: Some(bad.to_string()),
                ..Default::default()
            };
            let err = begin(&config(), "https://host.example/cb", &options).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{bad:?}");
        }
    }

    #[test]
    fn constant_time_eq_compares() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
