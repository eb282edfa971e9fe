//! The stored credential ("token JSON") that the host keeps in its connection.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::secret::Secret;

/// `{"access_token", "refresh_token", "expires_at" (unix seconds), "scope", "token_type"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields)]
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

crate::config::object_only!(Token);

impl Serialize for Token {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        // The inherent function serde derived (`remote = "Self"`).
        Token::serialize(self, s)
    }
}

/// Now, in unix seconds (the unit of `expires_at`).
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
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
        // Each access token goes into an Authorization header, which cannot carry control characters.
        if self
            .access_token
            .as_ref()
            .is_some_and(|t| t.expose().chars().any(char::is_control))
        {
            return Err(Error::invalid_argument(
                "config key `token.access_token` holds a control character (CR, LF, NUL...), which no \
                 HTTP header can carry: it is not a token Google issued",
            ));
        }
        // The value is not quoted: a misplaced token would show.
        if !self.token_type.eq_ignore_ascii_case("bearer") {
            return Err(Error::invalid_argument(
                "config key `token.token_type` must be \"Bearer\"",
            ));
        }
        Ok(())
    }

    /// The token JSON handed to the host.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a token always serializes")
    }
}
