//! A service account's key file, as Google hands it out: part of the configuration. Signing with it is
//! `oauth::service_account`'s job.

use serde::Deserialize;

use crate::secret::Secret;

/// The fields of a key file the library uses; other fields Google adds are ignored.
#[derive(Clone, Debug, Deserialize)]
#[serde(remote = "Self")]
pub struct ServiceAccountKey {
    #[serde(rename = "type")]
    pub key_type: String,
    pub client_email: String,
    pub private_key: Secret,
    #[serde(default)]
    pub private_key_id: Option<String>,
    #[serde(default)]
    pub token_uri: Option<String>,
    #[serde(default)]
    pub project_id: Option<String>,
    #[serde(default)]
    pub client_id: Option<String>,
}

crate::config::object_only!(ServiceAccountKey);
