//! The admin API: direct calls on the emulator's state (the HTTP form lives in `http`).

pub mod http;

use std::sync::Arc;
use std::time::SystemTime;

use rsa::traits::PublicKeyParts;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::cal::ApiRequest;
use crate::faults::Fault;
use crate::log::LoggedRequest;
use crate::oauth::Consent;
use crate::oauth::keys;
use crate::oauth::store::{DEFAULT_CLIENT_ID, DEFAULT_LIFETIME_SECS, DEFAULT_USER, ServiceAccount};
use crate::state::{NotificationRecord, Shared};
use crate::urls::Urls;

/// The full Calendar scope, granted by default to minted tokens and direct calls.
pub const CALENDAR_SCOPE: &str = "https://www.googleapis.com/auth/calendar";

/// An OAuth client to register.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientConfig {
    pub client_id: String,
    pub client_secret: String,
    /// Redirect URIs accepted exactly, besides any loopback one.
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    #[serde(default)]
    pub consent: Consent,
}

impl ClientConfig {
    pub fn new(client_id: &str, client_secret: &str) -> Self {
        ClientConfig {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            redirect_uris: Vec::new(),
            consent: Consent::Approve,
        }
    }
}

/// A service account to create.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServiceAccountOptions {
    /// Local part of `client_email` (default `sa-N`).
    pub name: Option<String>,
    /// Default `emulator-project`.
    pub project_id: Option<String>,
    /// Domain-wide delegation: whether JWTs may carry `sub` to act as a user.
    pub allow_subject: bool,
}

/// A token to issue without going through consent.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MintToken {
    pub client_id: String,
    pub user: String,
    pub scopes: Vec<String>,
    /// Also issue a refresh token.
    pub offline: bool,
}

impl Default for MintToken {
    fn default() -> Self {
        MintToken {
            client_id: DEFAULT_CLIENT_ID.into(),
            user: DEFAULT_USER.into(),
            scopes: vec![CALENDAR_SCOPE.into()],
            offline: false,
        }
    }
}

/// Which grants to revoke; all when both are `None`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RevokeFilter {
    pub user: Option<String>,
    pub client_id: Option<String>,
}

/// A scheduled fault and how many applications it has left (`None`: unlimited).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ScheduledFault {
    pub id: u64,
    pub remaining: Option<u64>,
    pub fault: Fault,
}

/// Direct handle on a running emulator's state; cheap to clone.
#[derive(Clone)]
pub struct Admin {
    pub(crate) shared: Arc<Shared>,
}

impl Admin {
    pub fn urls(&self) -> &Urls {
        &self.shared.urls
    }

    /// Registers (or replaces) an OAuth client.
    pub fn add_client(&self, client: ClientConfig) {
        self.shared.oauth.lock().add_client(
            &client.client_id,
            &client.client_secret,
            client.redirect_uris,
            client.consent,
        );
    }

    /// Adds a user with a primary calendar (idempotent).
    pub fn add_user(&self, email: &str) {
        self.shared.ensure_user(email);
    }

    /// Creates a service account; answers its key file JSON (as Google's console downloads it).
    pub fn add_service_account(&self, opts: ServiceAccountOptions) -> Value {
        let urls = &self.shared.urls;
        let mut oauth = self.shared.oauth.lock();
        let n = oauth.next_key;
        oauth.next_key += 1;
        let project = opts.project_id.unwrap_or_else(|| "emulator-project".into());
        let name = opts.name.unwrap_or_else(|| format!("sa-{}", n + 1));
        let email = format!("{name}@{project}.iam.gserviceaccount.com");
        let (pem, key) = keys::key(n);
        let public_key = key.to_public_key();
        let key_id: String = public_key.n().to_bytes_be()[..20]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let client_id = format!("1{:020}", 10_000 + n as u64);
        oauth.service_accounts.insert(
            email.clone(),
            ServiceAccount {
                client_id: client_id.clone(),
                public_key,
                allow_subject: opts.allow_subject,
            },
        );
        json!({
            "type": "service_account",
            "project_id": project,
            "private_key_id": key_id,
            "private_key": pem,
            "client_email": email,
            "client_id": client_id,
            "auth_uri": urls.auth_url,
            "token_uri": urls.token_url,
            "auth_provider_x509_cert_url": format!("{}/oauth2/v1/certs", urls.base_url),
            "client_x509_cert_url": format!("{}/robot/v1/metadata/x509/{}", urls.base_url, crate::util::encode_component(&email)),
            "universe_domain": "googleapis.com",
        })
    }

    /// Lifetime (`expires_in`) of access tokens issued from now on; default 3599.
    pub fn set_access_token_lifetime(&self, secs: u64) {
        self.shared.oauth.lock().lifetime_secs = secs;
    }

    /// Every access token issued so far expires now (API calls answer 401; refresh works).
    pub fn expire_access_tokens(&self) {
        self.shared.oauth.lock().expire_access_tokens();
    }

    /// Every authorization code issued so far is past its 10-minute life (exchanges answer `invalid_grant`).
    pub fn expire_auth_codes(&self) {
        self.shared.oauth.lock().expire_codes();
    }

    /// Revokes matching grants (access and refresh tokens); answers how many.
    pub fn revoke_grants(&self, filter: RevokeFilter) -> usize {
        self.shared
            .oauth
            .lock()
            .revoke_where(filter.user.as_deref(), filter.client_id.as_deref())
    }

    /// Issues tokens as the token endpoint would after consent; answers its JSON.
    /// Unknown clients are refused (`None`); unknown users are created.
    pub fn mint_token(&self, req: MintToken) -> Option<Value> {
        if !self
            .shared
            .oauth
            .lock()
            .clients
            .contains_key(&req.client_id)
        {
            return None;
        }
        self.shared.ensure_user(&req.user);
        let (_, answer) =
            self.shared
                .oauth
                .lock()
                .issue(&req.client_id, &req.user, req.scopes, req.offline);
        Some(answer)
    }

    /// An access token for `user@example.com` via `emulator-client` with these scopes (full Calendar when empty).
    pub fn access_token(&self, scopes: &[&str]) -> String {
        let mut req = MintToken::default();
        if !scopes.is_empty() {
            req.scopes = scopes.iter().map(|s| s.to_string()).collect();
        }
        let answer = self.mint_token(req).expect("default client exists");
        answer["access_token"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// How this client's consent requests are answered from now on; false for an unknown client.
    pub fn set_consent(&self, client_id: &str, consent: Consent) -> bool {
        match self.shared.oauth.lock().clients.get_mut(client_id) {
            Some(c) => {
                c.consent = consent;
                true
            }
            None => false,
        }
    }

    /// The answer to this client's next consent request only; false for an unknown client.
    pub fn queue_consent(&self, client_id: &str, consent: Consent) -> bool {
        match self.shared.oauth.lock().clients.get_mut(client_id) {
            Some(c) => {
                c.queued.push_back(consent);
                true
            }
            None => false,
        }
    }

    pub fn add_fault(&self, fault: Fault) -> u64 {
        self.shared.add_fault(fault)
    }

    /// Removes one scheduled fault by the id `add_fault` answered; false if it is gone already.
    pub fn remove_fault(&self, id: u64) -> bool {
        self.shared.faults.lock().remove(id)
    }

    pub fn clear_faults(&self) {
        self.shared.clear_faults();
    }

    pub fn faults(&self) -> Vec<ScheduledFault> {
        self.shared
            .faults
            .lock()
            .list()
            .into_iter()
            .map(|(id, fault, remaining)| ScheduledFault {
                id,
                remaining,
                fault,
            })
            .collect()
    }

    /// The logged requests, oldest first (the last 200,000).
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.shared.log.lock().snapshot()
    }

    /// The logged requests with `seq` greater than `since`, oldest first.
    pub fn requests_since(&self, since: u64) -> Vec<LoggedRequest> {
        self.shared.log.lock().since(since)
    }

    /// An access token for any user (created if unknown) via `emulator-client`; full Calendar scope when `scopes` is empty.
    pub fn access_token_for(&self, user: &str, scopes: &[&str]) -> String {
        let mut req = MintToken {
            user: user.to_string(),
            ..MintToken::default()
        };
        if !scopes.is_empty() {
            req.scopes = scopes.iter().map(|s| s.to_string()).collect();
        }
        let answer = self.mint_token(req).expect("default client exists");
        answer["access_token"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// How many requests were logged since start or the last reset (including forgotten ones).
    pub fn request_total(&self) -> u64 {
        self.shared.log.lock().total()
    }

    pub fn clear_requests(&self) {
        self.shared.log.lock().clear();
    }

    /// Connections, TLS handshakes and bytes on the wire since start.
    pub fn connection_stats(&self) -> crate::wire::ConnectionStats {
        self.shared.wire.snapshot()
    }

    /// The counts once no connection is open, or as they are after 10 s: a connection is counted closed
    /// when its task ends, which may be a moment after the client closed it or read its last answer.
    pub fn connection_stats_once_closed(&self) -> crate::wire::ConnectionStats {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let stats = self.connection_stats();
            if stats.open == 0 || std::time::Instant::now() >= deadline {
                return stats;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }

    /// Sets the delay added before every answer on Google's paths.
    pub fn set_latency(&self, latency: std::time::Duration) {
        self.shared.set_latency(latency);
    }

    /// Push notifications produced so far (delivered or only recorded).
    pub fn notifications(&self) -> Vec<NotificationRecord> {
        self.shared.notifications.lock().iter().cloned().collect()
    }

    pub fn clear_notifications(&self) {
        self.shared.notifications.lock().clear();
    }

    /// Every sync token issued so far answers 410 `fullSyncRequired`.
    pub fn expire_sync_tokens(&self) {
        self.shared.calendars.lock().expire_sync_tokens();
    }

    /// Back to the state right after start: default client and user only, no faults, empty log.
    pub fn reset(&self) {
        self.shared.reset();
        self.shared.oauth.lock().lifetime_secs = DEFAULT_LIFETIME_SECS;
    }

    /// Runs a Calendar call directly as `user` with the full Calendar scope, bypassing HTTP, auth and faults.
    /// `path` is after `/calendar/v3` and percent-encoded (`/calendars/primary/events`).
    pub fn call(
        &self,
        user: &str,
        method: &str,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> (u16, Option<Value>) {
        self.shared.ensure_user(user);
        let query: Vec<(String, String)> = query
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let body = body
            .map(|b| serde_json::to_vec(b).unwrap_or_default())
            .unwrap_or_default();
        let scopes = vec![CALENDAR_SCOPE.to_string()];
        let req = ApiRequest {
            http_method: method,
            path,
            query: &query,
            body: &body,
            if_match: None,
            if_none_match: None,
            user,
            scopes: &scopes,
            page_limit: None,
            now: SystemTime::now(),
        };
        let resp = self.shared.calendars.lock().handle(&req);
        self.shared.notify(resp.notifications);
        (resp.status, resp.body)
    }
}
