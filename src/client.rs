//! The client: one configuration, one HTTP connection pool, one credential.

use std::sync::Arc;

use serde_json::Value;
use url::Url;

use crate::config::Config;
use crate::config::Token;
use crate::error::Result;
use crate::http::{self, Http};
use crate::oauth::consent::{self, Callback, ExternalOptions, LocalOptions, Session};
use crate::oauth::credential::{Credential, TokenCallback};
use crate::oauth::errors::Grant;
use crate::oauth::grant;
use crate::oauth::loopback::LocalConsent;
use crate::observe::{LogLevel, LogSink, Observer};
use crate::secret::Secret;

/// A Google Calendar client. Cheap to clone; clones share the connection pool and the credential.
///
/// Every method is async and must run on a tokio runtime; from synchronous code use
/// [`crate::BlockingClient`], which runs each call on the library's own runtime.
#[derive(Clone, Debug)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: Config,
    http: Http,
    credential: Credential,
    observer: Arc<Observer>,
}

impl Client {
    pub fn new(config: Config) -> Result<Client> {
        let observer = Observer::new();
        let credential = Credential::new(&config, observer.clone())?;
        let http = Http::new(&config)?;
        observer.created(&config);
        Ok(Client {
            inner: Arc::new(Inner {
                config,
                http,
                credential,
                observer,
            }),
        })
    }

    /// Parses a JSON configuration (see the README for every key) and builds a client from it.
    pub fn from_json(config_json: &str) -> Result<Client> {
        Client::new(Config::from_json(config_json)?)
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    pub(crate) fn http(&self) -> &Http {
        &self.inner.http
    }

    /// The client's id and statistics (see `observe`).
    pub(crate) fn observer(&self) -> &Arc<Observer> {
        &self.inner.observer
    }

    /// This client's id, unique in the process: the `client` of its log records.
    pub fn id(&self) -> u64 {
        self.observer().id()
    }

    /// This client's statistics as JSON (the shape is in the README); `reset` zeroes them as they are read.
    pub fn stats(&self, reset: bool) -> Value {
        self.observer().stats().to_json(reset)
    }

    /// Installs (or with `None` removes) a sink for this client's records up to `level`. It is dropped
    /// when replaced or when the client's last clone is dropped, after its last call.
    pub fn set_log_sink(&self, level: LogLevel, sink: Option<LogSink>) {
        crate::observe::logs::set_client_sink(self.observer().id(), level, sink);
    }

    /// Sets (or with `None` removes) the function told of every new token. It runs on the thread that
    /// obtained the token (the caller's, or a library thread for local consent).
    pub fn set_token_callback(&self, callback: Option<TokenCallback>) {
        self.inner.credential.set_callback(callback);
    }

    /// The current token, refreshed first if it expires within the configured skew.
    pub async fn token(&self) -> Result<Token> {
        self.inner
            .credential
            .current(self.http(), self.config(), None, false)
            .await
    }

    /// Gets a new access token now, whatever the current one's expiry.
    pub async fn refresh(&self) -> Result<Token> {
        self.inner
            .credential
            .current(self.http(), self.config(), None, true)
            .await
    }

    /// A usable access token; `refused` is one the API just answered 401 to, which forces a refresh.
    pub async fn access_token(&self, refused: Option<&Secret>) -> Result<Secret> {
        self.inner
            .credential
            .access_token(self.http(), self.config(), refused)
            .await
    }

    /// The scopes the current token grants, when known.
    pub fn granted_scope(&self) -> Option<String> {
        self.inner.credential.granted_scope()
    }

    /// Revokes the grant at the revoke endpoint and forgets the token.
    pub async fn revoke(&self) -> Result<()> {
        self.inner
            .credential
            .revoke(self.http(), self.config())
            .await
    }

    /// Starts a local-server consent: answers the URL to open and the consent to wait on.
    pub async fn consent_start_local(&self, options: LocalOptions) -> Result<(LocalConsent, Url)> {
        let client = self.clone();
        let exchange: crate::oauth::loopback::Exchange = Arc::new(
            move |code: String, verifier: Secret, redirect_uri: String| {
                let client = client.clone();
                Box::pin(async move { client.exchange_code(&code, &verifier, &redirect_uri).await })
            },
        );
        LocalConsent::start(self.config(), self.id(), exchange, options).await
    }

    /// Starts an external-redirect consent (straight back to the host, or through a relay): answers the
    /// URL and the session the host keeps.
    pub fn consent_start_external(&self, options: &ExternalOptions) -> Result<(Url, Session)> {
        let started = consent::begin_external(self.config(), options)?;
        crate::observe::logs::in_scope(|| {
            tracing::info!(
                client = self.id(),
                mode = "external",
                // A redirect URI could carry a key in its query: only the rest is logged.
                redirect_uri = options.redirect_uri.split(['?', '#']).next(),
                relay = options.relay_url.is_some(),
                "consent started"
            )
        });
        Ok(started)
    }

    /// Completes an external-redirect consent with the session and the URL the browser came back to.
    pub async fn consent_complete(&self, session: &Session, callback_url: &str) -> Result<Token> {
        consent::check_session(session, self.config(), consent::DEFAULT_SESSION_MAX_AGE_S)?;
        match consent::read_callback(session, callback_url)? {
            Callback::Denied => {
                tracing::info!(
                    client = self.id(),
                    mode = "external",
                    "consent denied by the user"
                );
                Err(crate::Error::new(
                    crate::ErrorKind::ConsentDenied,
                    "the user denied consent on Google's page",
                )
                .with_reason("access_denied"))
            }
            Callback::Code(code) => {
                self.exchange_code(&code, &session.code_verifier, &session.redirect_uri)
                    .await
            }
        }
    }

    /// Exchanges an authorization code, keeps the token and tells the host.
    pub async fn exchange_code(
        &self,
        code: &str,
        verifier: &Secret,
        redirect_uri: &str,
    ) -> Result<Token> {
        let exchange =
            grant::exchange_code(self.http(), self.config(), code, verifier, redirect_uri);
        let token = self
            .observer()
            .token_request(Grant::AuthorizationCode, "consent", exchange)
            .await?;
        self.inner.credential.install(token.clone()).await;
        Ok(token)
    }
}

impl http::Session for Client {
    fn http(&self) -> &Http {
        Client::http(self)
    }

    fn config(&self) -> &Config {
        Client::config(self)
    }

    fn access_token(
        &self,
        refused: Option<&Secret>,
    ) -> impl std::future::Future<Output = Result<Secret>> + Send {
        Client::access_token(self, refused)
    }

    fn granted_scope(&self) -> Option<String> {
        Client::granted_scope(self)
    }

    fn observer(&self) -> &Observer {
        Client::observer(self)
    }
}
