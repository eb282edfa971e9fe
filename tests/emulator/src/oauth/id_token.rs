//! OpenID Connect: ID tokens for grants with the `openid` scope, the keys that verify them, discovery.

use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rsa::RsaPrivateKey;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{SignatureEncoding, Signer};
use rsa::traits::PublicKeyParts;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::urls::Urls;

/// Google's issuer, so libraries that check `iss` accept the emulator's tokens.
pub const ISSUER: &str = "https://accounts.google.com";

const PEM: &str = include_str!("../../keys/id-token-key.pem");

fn key() -> &'static RsaPrivateKey {
    static KEY: OnceLock<RsaPrivateKey> = OnceLock::new();
    KEY.get_or_init(|| RsaPrivateKey::from_pkcs8_pem(PEM).expect("bundled key parses"))
}

fn key_id() -> String {
    let digest = Sha256::digest(key().n().to_bytes_be());
    digest[..20].iter().map(|b| format!("{b:02x}")).collect()
}

/// A stable numeric subject for an email, as Google's `sub`.
pub fn subject(email: &str) -> String {
    let d = Sha256::digest(email.as_bytes());
    let n = u64::from_be_bytes(d[..8].try_into().expect("8 bytes"));
    format!("1{n:020}")
}

/// A signed RS256 ID token.
pub fn mint(
    client_id: &str,
    user: &str,
    with_email: bool,
    nonce: Option<&str>,
    lifetime: u64,
) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let mut claims = json!({
        "iss": ISSUER,
        "azp": client_id,
        "aud": client_id,
        "sub": subject(user),
        "iat": now,
        "exp": now + lifetime.max(1),
    });
    if with_email {
        claims["email"] = json!(user);
        claims["email_verified"] = json!(true);
    }
    if let Some(n) = nonce {
        claims["nonce"] = json!(n);
    }
    let header = json!({"alg": "RS256", "kid": key_id(), "typ": "JWT"});
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let sig = SigningKey::<Sha256>::new(key().clone()).sign(input.as_bytes());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig.to_bytes()))
}

/// `GET /oauth2/v3/certs`: the JWK set.
pub fn jwks() -> Value {
    let public = key().to_public_key();
    json!({"keys": [{
        "kty": "RSA",
        "alg": "RS256",
        "use": "sig",
        "kid": key_id(),
        "n": URL_SAFE_NO_PAD.encode(public.n().to_bytes_be()),
        "e": URL_SAFE_NO_PAD.encode(public.e().to_bytes_be()),
    }]})
}

/// `GET /.well-known/openid-configuration`.
pub fn discovery(urls: &Urls) -> Value {
    json!({
        "issuer": ISSUER,
        "authorization_endpoint": urls.auth_url,
        "token_endpoint": urls.token_url,
        "revocation_endpoint": urls.revoke_url,
        "device_authorization_endpoint": urls.device_url,
        "jwks_uri": format!("{}/oauth2/v3/certs", urls.base_url),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "email", "profile"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "code_challenge_methods_supported": ["plain", "S256"],
        "grant_types_supported": [
            "authorization_code",
            "refresh_token",
            "urn:ietf:params:oauth:grant-type:device_code",
            "urn:ietf:params:oauth:grant-type:jwt-bearer"
        ],
    })
}
