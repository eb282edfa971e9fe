//! The stored credential ("token JSON") that the host keeps in its connection.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::secret::Secret;

/// `{"access_token", "refresh_token", "expires_at" (unix seconds), "scope", "token_type"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Token {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<Secret>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<Secret>,
    /// Unix seconds when the access token stops working; unknown when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
    /// The scopes actually granted, space separated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(default = "bearer")]
    pub token_type: String,
}

fn bearer() -> String {
    "Bearer".to_string()
}

impl Token {
    /// A token must carry something usable: an access token, a refresh token, or both.
    pub fn validate(&self) -> Result<()> {
        let present = |s: &Option<Secret>| s.as_ref().is_some_and(|s| !s.is_empty());
        if !present(&self.access_token) && !present(&self.refresh_token) {
            return Err(Error::invalid_argument(
                "config key `token` needs a non-empty `access_token` or `refresh_token`",
            ));
        }
        if !self.token_type.eq_ignore_ascii_case("bearer") {
            return Err(Error::invalid_argument(format!(
                "config key `token.token_type` must be \"Bearer\", got {:?}",
                self.token_type
            )));
        }
        Ok(())
    }

    /// The token JSON handed to the host.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a token always serializes")
    }
}
