//! Google's OAuth2 endpoints: consent, token, revoke and device codes.

pub mod authorize;
pub mod device;
pub mod id_token;
pub mod jwt;
pub mod keys;
pub mod revoke;
pub mod scopes;
pub mod store;
pub mod token;
pub mod userinfo;

pub use store::{Consent, OAuthStore};
