//! OAuth2: the stored credential, consent (local server or external redirect), refresh, service
//! accounts, revocation.

pub mod consent;
pub mod credential;
pub mod errors;
pub mod grant;
pub mod http_client;
pub mod loopback;
pub mod relay_state;
pub mod service_account;

/// The stored credential is configuration; it lives in `config`, and stays reachable here.
pub use crate::config::token;
