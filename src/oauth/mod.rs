//! OAuth2: the stored credential, consent, refresh, service accounts, revocation.

pub mod service_account;
pub mod token;
