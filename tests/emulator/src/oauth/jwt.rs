//! RS256 JWT assertions from service accounts.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rsa::RsaPublicKey;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::signature::Verifier;
use serde_json::Value;
use sha2::Sha256;

/// A decoded but not yet verified assertion.
pub struct Assertion {
    pub claims: Value,
    signing_input: String,
    signature: Vec<u8>,
}

/// Splits and decodes `header.claims.signature`; checks `alg` is RS256.
pub fn decode(assertion: &str) -> Result<Assertion, &'static str> {
    let mut parts = assertion.split('.');
    let (Some(h), Some(c), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("Invalid JWT: malformed assertion.");
    };
    let header: Value = URL_SAFE_NO_PAD
        .decode(h)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or("Invalid JWT: header is not valid base64url JSON.")?;
    if header.get("alg").and_then(Value::as_str) != Some("RS256") {
        return Err("Invalid JWT: only RS256 is supported.");
    }
    let claims: Value = URL_SAFE_NO_PAD
        .decode(c)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .filter(Value::is_object)
        .ok_or("Invalid JWT: claims are not valid base64url JSON.")?;
    let signature = URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| "Invalid JWT Signature.")?;
    Ok(Assertion {
        claims,
        signing_input: format!("{h}.{c}"),
        signature,
    })
}

impl Assertion {
    pub fn verify(&self, key: &RsaPublicKey) -> bool {
        let Ok(sig) = Signature::try_from(self.signature.as_slice()) else {
            return false;
        };
        VerifyingKey::<Sha256>::new(key.clone())
            .verify(self.signing_input.as_bytes(), &sig)
            .is_ok()
    }

    pub fn str_claim(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }

    pub fn int_claim(&self, name: &str) -> Option<i64> {
        self.claims.get(name).and_then(Value::as_i64)
    }
}
