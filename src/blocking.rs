//! Blocking wrappers over the async [`Client`]: each call runs on the library's runtime while the calling
//! thread waits, as the C API does. Do not call these from inside an async runtime (they answer
//! [`crate::ErrorKind::Reentrant`]).

use std::time::Duration;

use serde_json::Value;
use url::Url;

use crate::calendar::batch::{BatchCall, BatchCallJson, BatchOptions};
use crate::calendar::call::CallOptions;
use crate::calendar::pager::SyncResult;
use crate::client::Client;
use crate::config::Token;
use crate::error::Result;
use crate::oauth::consent::{ExternalOptions, LocalOptions, Session};
use crate::oauth::loopback::LocalConsent;
use crate::runtime::block_on;

/// A [`Client`] whose methods block.
#[derive(Clone, Debug)]
pub struct BlockingClient {
    client: Client,
}

/// A local-server consent in progress.
pub struct BlockingConsent {
    consent: LocalConsent,
}

impl BlockingClient {
    pub fn new(client: Client) -> BlockingClient {
        BlockingClient { client }
    }

    pub fn from_json(config_json: &str) -> Result<BlockingClient> {
        Client::from_json(config_json).map(BlockingClient::new)
    }

    /// The async client underneath.
    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn token(&self) -> Result<Token> {
        block_on(self.client.token())
    }

    pub fn refresh(&self) -> Result<Token> {
        block_on(self.client.refresh())
    }

    pub fn revoke(&self) -> Result<()> {
        block_on(self.client.revoke())
    }

    pub fn consent_start_local(&self, options: LocalOptions) -> Result<(BlockingConsent, Url)> {
        let (consent, url) = block_on(self.client.consent_start_local(options))?;
        Ok((BlockingConsent { consent }, url))
    }

    pub fn consent_start_external(&self, options: &ExternalOptions) -> Result<(Url, Session)> {
        self.client.consent_start_external(options)
    }

    pub fn consent_complete(&self, session: &Session, callback_url: &str) -> Result<Token> {
        block_on(self.client.consent_complete(session, callback_url))
    }

    pub fn call(
        &self,
        method: &str,
        params: &Value,
        body: Option<&Value>,
        options: &CallOptions,
    ) -> Result<Value> {
        block_on(self.client.call(method, params, body, options))
    }

    /// [`BlockingClient::call`], answering the response's JSON text (see [`Client::call_text`]).
    pub fn call_text(
        &self,
        method: &str,
        params: &Value,
        body: Option<&Value>,
        options: &CallOptions,
    ) -> Result<String> {
        block_on(self.client.call_text(method, params, body, options))
    }

    pub fn list_all(&self, method: &str, params: &Value, max_items: usize) -> Result<Vec<Value>> {
        block_on(self.client.list_all(method, params, max_items))
    }

    pub fn sync(
        &self,
        method: &str,
        params: &Value,
        sync_token: Option<&str>,
        full_resync_on_expiry: bool,
    ) -> Result<SyncResult> {
        block_on(
            self.client
                .sync(method, params, sync_token, full_resync_on_expiry),
        )
    }

    pub fn batch(&self, calls: &[BatchCall], options: &BatchOptions) -> Result<Vec<Value>> {
        block_on(self.client.batch(calls, options))
    }

    /// [`BlockingClient::batch`], answering the results' JSON text (see [`Client::batch_text`]).
    pub fn batch_text(&self, calls: &[BatchCall], options: &BatchOptions) -> Result<String> {
        block_on(self.client.batch_text(calls, options))
    }

    /// [`BlockingClient::batch_text`] for calls given as JSON text (see [`Client::batch_json`]).
    pub fn batch_json(
        &self,
        calls: &[BatchCallJson<'_>],
        options: &BatchOptions,
    ) -> Result<String> {
        block_on(self.client.batch_json(calls, options))
    }
}

impl BlockingConsent {
    /// Waits for the browser (without limit when `timeout` is `None`).
    pub fn wait(&self, timeout: Option<Duration>) -> Result<Token> {
        block_on(self.consent.wait(timeout))
    }

    /// Stops waiting; safe from another thread while one waits.
    pub fn cancel(&self) {
        self.consent.cancel();
    }
}
