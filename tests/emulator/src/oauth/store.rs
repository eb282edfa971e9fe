//! OAuth state: clients, codes, grants, tokens and service accounts.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rsa::RsaPublicKey;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::util::random_token;

pub const DEFAULT_CLIENT_ID: &str = "emulator-client";
pub const DEFAULT_CLIENT_SECRET: &str = "emulator-secret";
pub const DEFAULT_USER: &str = "user@example.com";
pub const DEFAULT_LIFETIME_SECS: u64 = 3599;
/// Live refresh tokens per user and client; issuing one more revokes the oldest, as Google does.
pub const MAX_REFRESH_TOKENS: usize = 100;
/// Authorization codes live this long.
pub const CODE_LIFETIME: Duration = Duration::from_secs(600);

/// How the emulated user answers a consent request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Consent {
    /// Grant everything asked for (the default).
    #[default]
    Approve,
    /// Refuse: the redirect carries `error=access_denied`.
    Deny,
    /// Grant only these of the scopes asked for (deny when none of them was asked for).
    Partial(Vec<String>),
    /// Show an Allow/Deny page to a browser asking for HTML; approve automatically otherwise.
    Interactive,
}

pub struct Client {
    pub secret: String,
    pub redirect_uris: Vec<String>,
    pub consent: Consent,
    pub queued: VecDeque<Consent>,
}

pub struct AuthCode {
    pub client_id: String,
    pub redirect_uri: String,
    /// (method, challenge)
    pub challenge: Option<(String, String)>,
    pub scopes: Vec<String>,
    pub user: String,
    pub offline: bool,
    /// `prompt=consent`: Google issues a refresh token again only then.
    pub prompt_consent: bool,
    pub issued: Instant,
    /// Forced past its life by the admin API.
    pub expired: bool,
    /// Set once exchanged: the grant it produced (revoked on reuse).
    pub used_by: Option<u64>,
    /// `include_granted_scopes=true`: add the scopes the client already holds for this user.
    pub include_granted: bool,
    /// OpenID `nonce`, echoed in the ID token.
    pub nonce: Option<String>,
}

pub struct Grant {
    pub client_id: String,
    pub user: Arc<str>,
    pub scopes: Arc<Vec<String>>,
    pub refresh_token: Option<String>,
    pub access_tokens: Vec<String>,
}

pub struct AccessToken {
    pub grant_id: u64,
    pub expires_at: Instant,
    pub user: Arc<str>,
    pub scopes: Arc<Vec<String>>,
}

pub struct TokenInfo {
    pub client_id: String,
    pub user: Arc<str>,
    pub scopes: Arc<Vec<String>>,
    pub seconds_left: u64,
}

pub struct ServiceAccount {
    pub client_id: String,
    pub public_key: RsaPublicKey,
    pub allow_subject: bool,
}

/// A validated consent request waiting for the browser's Allow/Deny.
pub struct PendingConsent {
    pub redirect_uri: String,
    pub state: Option<String>,
    pub code: AuthCode,
}

pub struct OAuthStore {
    pub clients: HashMap<String, Client>,
    pub codes: HashMap<String, AuthCode>,
    pub grants: HashMap<u64, Grant>,
    pub access: HashMap<String, AccessToken>,
    pub refresh: HashMap<String, u64>,
    /// Service accounts by client_email.
    pub service_accounts: HashMap<String, ServiceAccount>,
    pub pending: HashMap<String, PendingConsent>,
    pub lifetime_secs: u64,
    pub next_grant: u64,
    pub next_key: usize,
}

impl Default for OAuthStore {
    fn default() -> Self {
        let mut s = OAuthStore {
            clients: HashMap::new(),
            codes: HashMap::new(),
            grants: HashMap::new(),
            access: HashMap::new(),
            refresh: HashMap::new(),
            service_accounts: HashMap::new(),
            pending: HashMap::new(),
            lifetime_secs: DEFAULT_LIFETIME_SECS,
            next_grant: 0,
            next_key: 0,
        };
        s.add_client(
            DEFAULT_CLIENT_ID,
            DEFAULT_CLIENT_SECRET,
            Vec::new(),
            Consent::Approve,
        );
        s
    }
}

impl OAuthStore {
    pub fn add_client(
        &mut self,
        id: &str,
        secret: &str,
        redirect_uris: Vec<String>,
        consent: Consent,
    ) {
        self.clients.insert(
            id.to_string(),
            Client {
                secret: secret.to_string(),
                redirect_uris,
                consent,
                queued: VecDeque::new(),
            },
        );
    }

    /// Live grants with a refresh token for this user and client, oldest first.
    pub fn refresh_grants(&self, client_id: &str, user: &str) -> Vec<u64> {
        let mut ids: Vec<u64> = self
            .grants
            .iter()
            .filter(|(_, g)| {
                g.refresh_token.is_some() && g.client_id == client_id && &*g.user == user
            })
            .map(|(id, _)| *id)
            .collect();
        ids.sort_unstable();
        ids
    }

    /// Creates a grant and its first tokens; answers the token endpoint's JSON.
    pub fn issue(
        &mut self,
        client_id: &str,
        user: &str,
        scopes: Vec<String>,
        offline: bool,
    ) -> (u64, Value) {
        if offline {
            let live = self.refresh_grants(client_id, user);
            if live.len() >= MAX_REFRESH_TOKENS {
                for id in &live[..=live.len() - MAX_REFRESH_TOKENS] {
                    self.revoke_grant(*id);
                }
            }
        }
        self.next_grant += 1;
        let id = self.next_grant;
        let refresh_token = offline.then(|| random_token("1//emu-"));
        if let Some(rt) = &refresh_token {
            self.refresh.insert(rt.clone(), id);
        }
        self.grants.insert(
            id,
            Grant {
                client_id: client_id.to_string(),
                user: Arc::from(user),
                scopes: Arc::new(scopes),
                refresh_token: refresh_token.clone(),
                access_tokens: Vec::new(),
            },
        );
        let mut answer = self.access_for(id);
        if let Some(rt) = refresh_token {
            answer["refresh_token"] = Value::String(rt);
        }
        (id, answer)
    }

    /// A new access token on an existing grant.
    pub fn access_for(&mut self, grant_id: u64) -> Value {
        let token = random_token("ya29.emu-");
        let lifetime = self.lifetime_secs;
        let grant = self.grants.get_mut(&grant_id).expect("grant exists");
        grant.access_tokens.push(token.clone());
        let scope = grant.scopes.join(" ");
        self.access.insert(
            token.clone(),
            AccessToken {
                grant_id,
                expires_at: Instant::now() + Duration::from_secs(lifetime),
                user: grant.user.clone(),
                scopes: grant.scopes.clone(),
            },
        );
        let mut answer = json!({
            "access_token": token,
            "expires_in": lifetime,
            "scope": scope,
            "token_type": "Bearer",
        });
        if scope.is_empty() {
            answer.as_object_mut().map(|o| o.remove("scope"));
        }
        answer
    }

    /// The user and scopes of a live access token.
    pub fn authenticate(&self, token: &str) -> Option<(Arc<str>, Arc<Vec<String>>)> {
        let t = self.access.get(token)?;
        (Instant::now() < t.expires_at).then(|| (t.user.clone(), t.scopes.clone()))
    }

    /// What `/tokeninfo` tells about a live access token.
    pub fn token_info(&self, token: &str) -> Option<TokenInfo> {
        let t = self.access.get(token)?;
        let left = t.expires_at.checked_duration_since(Instant::now())?;
        Some(TokenInfo {
            client_id: self.grants.get(&t.grant_id)?.client_id.clone(),
            user: t.user.clone(),
            scopes: t.scopes.clone(),
            seconds_left: left.as_secs(),
        })
    }

    pub fn revoke_grant(&mut self, id: u64) -> bool {
        let Some(grant) = self.grants.remove(&id) else {
            return false;
        };
        for t in grant.access_tokens {
            self.access.remove(&t);
        }
        if let Some(rt) = grant.refresh_token {
            self.refresh.remove(&rt);
        }
        true
    }

    /// Revokes the grant an access or refresh token belongs to.
    pub fn revoke_token(&mut self, token: &str) -> bool {
        let id = self
            .refresh
            .get(token)
            .copied()
            .or_else(|| self.access.get(token).map(|t| t.grant_id));
        match id {
            Some(id) => self.revoke_grant(id),
            None => false,
        }
    }

    /// Revokes every grant matching the filters (None matches all); answers how many.
    pub fn revoke_where(&mut self, user: Option<&str>, client_id: Option<&str>) -> usize {
        let ids: Vec<u64> = self
            .grants
            .iter()
            .filter(|(_, g)| user.is_none_or(|u| &*g.user == u))
            .filter(|(_, g)| client_id.is_none_or(|c| g.client_id == c))
            .map(|(id, _)| *id)
            .collect();
        for id in &ids {
            self.revoke_grant(*id);
        }
        ids.len()
    }

    /// Every authorization code issued so far is past its 10 minutes.
    pub fn expire_codes(&mut self) {
        for c in self.codes.values_mut() {
            c.expired = true;
        }
    }

    pub fn expire_access_tokens(&mut self) {
        let now = Instant::now();
        for t in self.access.values_mut() {
            t.expires_at = now;
        }
    }

    /// The consent decision for the next request of this client.
    pub fn next_consent(&mut self, client_id: &str) -> Consent {
        match self.clients.get_mut(client_id) {
            Some(c) => c.queued.pop_front().unwrap_or_else(|| c.consent.clone()),
            None => Consent::Approve,
        }
    }
}
