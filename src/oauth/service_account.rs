//! Service accounts: the RS256 JWT bearer grant with a key file (optionally impersonating a user).

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;

use super::errors::Grant;
use super::grant::{now_unix, post_token_form, with_retries};
use crate::config::Config;
pub use crate::config::ServiceAccountKey;
use crate::config::Token;
use crate::error::{Error, Result};
use crate::http::Http;
use crate::secret::Secret;

const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const ASSERTION_LIFETIME_S: i64 = 3600;

#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    scope: String,
    aud: &'a str,
    iat: i64,
    exp: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    sub: Option<&'a str>,
}

/// A key ready to sign assertions.
#[derive(Clone)]
pub struct Signer {
    key: ServiceAccountKey,
    encoding_key: EncodingKey,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("client_email", &self.key.client_email)
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// Checks the key file and proves the private key can sign, so a bad key fails at client creation
    /// with a message naming what is wrong (and never showing the key).
    pub fn new(key: &ServiceAccountKey) -> Result<Signer> {
        if key.key_type != "service_account" {
            // Not quoted: the key file's fields are no place to echo.
            return Err(Error::invalid_argument(
                "config key `service_account.type` must be \"service_account\" (as in Google's key files)",
            ));
        }
        if key.client_email.trim().is_empty() || !key.client_email.contains('@') {
            return Err(Error::invalid_argument(
                "config key `service_account.client_email` must be the service account's email address",
            ));
        }
        let pem = key.private_key.expose();
        if !pem.contains("-----BEGIN PRIVATE KEY-----")
            && !pem.contains("-----BEGIN RSA PRIVATE KEY-----")
        {
            return Err(Error::invalid_argument(
                "config key `service_account.private_key` is not a PEM private key \
                 (expected \"-----BEGIN PRIVATE KEY-----\" as in Google's key files)",
            ));
        }
        let encoding_key = EncodingKey::from_rsa_pem(pem.as_bytes()).map_err(|_| {
            Error::invalid_argument(
                "config key `service_account.private_key` could not be read as an RSA private key",
            )
        })?;
        let signer = Signer {
            key: key.clone(),
            encoding_key,
        };
        signer.assertion("probe", "https://example.invalid/token", None).map_err(|_| {
            Error::invalid_argument(
                "config key `service_account.private_key` is damaged: it cannot sign (is it truncated or altered?)",
            )
        })?;
        Ok(signer)
    }

    pub fn client_email(&self) -> &str {
        &self.key.client_email
    }

    fn assertion(&self, scope: &str, audience: &str, subject: Option<&str>) -> Result<Secret> {
        let iat = now_unix();
        let claims = Claims {
            iss: &self.key.client_email,
            scope: scope.to_string(),
            aud: audience,
            iat,
            exp: iat + ASSERTION_LIFETIME_S,
            sub: subject,
        };
        let mut header = Header::new(Algorithm::RS256);
        header.kid = self.key.private_key_id.clone();
        jsonwebtoken::encode(&header, &claims, &self.encoding_key)
            .map(Secret::new)
            .map_err(|e| Error::internal(format!("cannot sign the service-account assertion: {e}")))
    }

    /// Asks the token endpoint for an access token with a fresh signed assertion.
    pub async fn fetch_token(&self, http: &Http, config: &Config) -> Result<Token> {
        let audience = config.endpoints.token_url.as_str();
        let scope = config.scopes.join(" ");
        let mut token = with_retries(config, || async {
            let assertion = self.assertion(&scope, audience, config.subject.as_deref())?;
            post_token_form(
                http,
                &config.endpoints.token_url,
                &[
                    ("grant_type", JWT_BEARER),
                    ("assertion", assertion.expose()),
                ],
                Grant::ServiceAccount,
            )
            .await
        })
        .await?;
        token.scope.get_or_insert(scope);
        Ok(token)
    }
}
