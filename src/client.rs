//! The client: one configuration, one HTTP connection pool, one credential.

use std::sync::Arc;

use crate::config::Config;
use crate::error::Result;
use crate::http;

/// A Google Calendar client. Cheap to clone; clones share the connection pool and the credential.
#[derive(Clone, Debug)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: Config,
    #[allow(dead_code)] // used by the OAuth and Calendar layers
    http: reqwest::Client,
}

impl Client {
    pub fn new(config: Config) -> Result<Client> {
        if let Some(token) = &config.token {
            token.validate()?;
        }
        let http = http::build_client(&config)?;
        Ok(Client {
            inner: Arc::new(Inner { config, http }),
        })
    }

    /// Parses a JSON configuration (see the README for every key) and builds a client from it.
    pub fn from_json(config_json: &str) -> Result<Client> {
        Client::new(Config::from_json(config_json)?)
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }
}
