//! The client's credential: the current token, how to get a new one, and who to tell when one arrives.
//!
//! Refreshes are single-flight: the token sits behind an async mutex, so any number of callers that find
//! it stale wait for the one refresh in flight and then share its result. A copy of the access token and
//! its expiry, changed only under that mutex, lets the common case (a fresh token) skip the mutex.

use std::sync::{Arc, Mutex, RwLock};

use tokio::sync::Mutex as AsyncMutex;

use super::errors::Grant;
use super::grant::{self, now_unix};
use super::service_account::Signer;
use crate::config::Config;
use crate::config::Token;
use crate::error::{Error, ErrorKind, Result};
use crate::http::Http;
use crate::observe::Observer;
use crate::secret::Secret;

/// Receives every new token (consent, refresh, service account), so the host can store it.
pub type TokenCallback = Arc<dyn Fn(&Token) + Send + Sync>;

pub struct Credential {
    signer: Option<Signer>,
    token: AsyncMutex<Option<Token>>,
    /// The access token of `token` and its expiry, for readers that need nothing else.
    fresh: RwLock<Option<(Secret, Option<i64>)>>,
    callback: Mutex<Option<TokenCallback>>,
    observer: Arc<Observer>,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credential")
            .field("signer", &self.signer)
            .finish_non_exhaustive()
    }
}

impl Credential {
    pub fn new(config: &Config, observer: Arc<Observer>) -> Result<Credential> {
        let signer = config
            .service_account
            .as_ref()
            .map(Signer::new)
            .transpose()?;
        if let Some(token) = &config.token {
            token.validate()?;
            if token.refresh_token.is_some() && signer.is_none() && config.client_id.is_none() {
                return Err(Error::invalid_argument(
                    "config key `token.refresh_token` needs `client_id` (and `client_secret`) to refresh with",
                ));
            }
        }
        Ok(Credential {
            signer,
            fresh: RwLock::new(config.token.as_ref().and_then(snapshot)),
            token: AsyncMutex::new(config.token.clone()),
            callback: Mutex::new(None),
            observer,
        })
    }

    /// Puts `token` in the slot behind the mutex (`slot` is its guard) and updates the copy beside it:
    /// every change of token goes through here, so the two cannot drift apart.
    fn store(&self, slot: &mut Option<Token>, token: Option<Token>) {
        *self.fresh.write().unwrap_or_else(|p| p.into_inner()) = token.as_ref().and_then(snapshot);
        *slot = token;
    }

    /// Replaces the token callback; the previous one is dropped (which runs its drop function).
    pub fn set_callback(&self, callback: Option<TokenCallback>) {
        let previous = std::mem::replace(&mut *self.lock_callback(), callback);
        drop(previous);
    }

    fn lock_callback(&self) -> std::sync::MutexGuard<'_, Option<TokenCallback>> {
        self.callback.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn notify(&self, token: &Token) {
        // Clone out of the lock so the host's callback may replace itself without deadlock.
        let callback = self.lock_callback().clone();
        if let Some(callback) = callback {
            callback(token);
        }
    }

    /// Stores a token obtained by consent and tells the host.
    pub async fn install(&self, token: Token) {
        self.store(&mut *self.token.lock().await, Some(token.clone()));
        self.notify(&token);
    }

    /// A usable access token, refreshing first when it expires within the configured skew. `stale` is
    /// the token a request was just refused with (HTTP 401): if it is still current, refresh regardless.
    pub async fn access_token(
        &self,
        http: &Http,
        config: &Config,
        stale: Option<&Secret>,
    ) -> Result<Secret> {
        if stale.is_none() {
            let fresh = self.fresh.read().unwrap_or_else(|p| p.into_inner());
            if let Some((access, expires_at)) = fresh.as_ref()
                && fresh_enough(*expires_at, config)
            {
                return Ok(access.clone());
            }
        }
        let token = self.current(http, config, stale, false).await?;
        token
            .access_token
            .ok_or_else(|| Error::internal("a fresh token lacked an access token"))
    }

    /// The current token, refreshed when stale (or always, with `force`).
    pub async fn current(
        &self,
        http: &Http,
        config: &Config,
        stale: Option<&Secret>,
        force: bool,
    ) -> Result<Token> {
        let mut guard = self.token.lock().await;
        let mut why = "no token yet";
        if let Some(token) = guard.as_ref() {
            let refused = stale.is_some() && stale == token.access_token.as_ref();
            if !force && !refused && usable(token, config) {
                return Ok(token.clone());
            }
            why = match (force, refused) {
                (true, _) => "asked for",
                (_, true) => "refused by the API (HTTP 401)",
                _ => "expiring",
            };
        }
        let fresh = self.obtain(http, config, guard.as_ref(), why).await?;
        self.store(&mut guard, Some(fresh.clone()));
        drop(guard);
        self.notify(&fresh);
        Ok(fresh)
    }

    async fn obtain(
        &self,
        http: &Http,
        config: &Config,
        current: Option<&Token>,
        why: &'static str,
    ) -> Result<Token> {
        if let Some(signer) = &self.signer {
            let request = signer.fetch_token(http, config);
            return self
                .observer
                .token_request(Grant::ServiceAccount, why, request)
                .await;
        }
        match current {
            Some(token) if token.refresh_token.is_some() => {
                let request = grant::refresh(http, config, token);
                self.observer
                    .token_request(Grant::Refresh, why, request)
                    .await
            }
            Some(_) => Err(grant::no_refresh_token()),
            None => Err(Error::new(
                ErrorKind::ConsentRequired,
                "no token yet: run consent (qgcal_consent_start_local or qgcal_consent_start_external) \
                 or configure a `token` or `service_account`",
            )),
        }
    }

    /// The scopes the current token grants, if known (without waiting for a refresh in flight).
    pub fn granted_scope(&self) -> Option<String> {
        self.token
            .try_lock()
            .ok()
            .and_then(|t| t.as_ref().and_then(|t| t.scope.clone()))
    }

    /// Revokes the grant at the revoke endpoint and forgets the token.
    pub async fn revoke(&self, http: &Http, config: &Config) -> Result<()> {
        let mut guard = self.token.lock().await;
        let target = guard
            .as_ref()
            .and_then(|t| t.refresh_token.clone().or_else(|| t.access_token.clone()))
            .ok_or_else(|| Error::new(ErrorKind::ConsentRequired, "there is no token to revoke"))?;
        let revoke = grant::revoke(http, config, &target);
        self.observer.revoke_request(revoke).await?;
        self.store(&mut guard, None);
        Ok(())
    }
}

/// Usable means an access token that does not expire within the skew (unknown expiry counts as usable:
/// the API's 401 will tell).
fn usable(token: &Token, config: &Config) -> bool {
    access_of(token).is_some() && fresh_enough(token.expires_at, config)
}

fn fresh_enough(expires_at: Option<i64>, config: &Config) -> bool {
    expires_at.is_none_or(|at| at.saturating_sub(config.refresh_skew.as_secs() as i64) > now_unix())
}

/// The access token and expiry of a token, when it has a non-empty access token.
fn snapshot(token: &Token) -> Option<(Secret, Option<i64>)> {
    Some((access_of(token)?.clone(), token.expires_at))
}

/// The token's access token, unless missing or empty.
fn access_of(token: &Token) -> Option<&Secret> {
    token.access_token.as_ref().filter(|t| !t.is_empty())
}
