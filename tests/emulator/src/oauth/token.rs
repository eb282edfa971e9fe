//! The token endpoint `/token`: authorization_code, refresh_token and jwt-bearer grants.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};

use crate::errors::oauth_error;
use crate::oauth::scopes;
use crate::oauth::store::CODE_LIFETIME;
use crate::oauth::{id_token, jwt};
use crate::reply::Reply;
use crate::state::Shared;
use crate::util::{decode_component, first};

pub const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const DEVICE_CODE: &str = "urn:ietf:params:oauth:grant-type:device_code";
const GOOGLE_TOKEN_URL: &str = "https://oauth2.googleapis.com/token";

fn err(status: u16, error: &str, description: &str) -> Reply {
    Reply::json(status, &oauth_error(error, description)).with_header(
        "Cache-Control",
        "no-cache, no-store, max-age=0, must-revalidate".into(),
    )
}

fn ok(answer: &serde_json::Value) -> Reply {
    Reply::json(200, answer).with_header(
        "Cache-Control",
        "no-cache, no-store, max-age=0, must-revalidate".into(),
    )
}

fn invalid_client() -> Reply {
    err(401, "invalid_client", "Unauthorized")
}

/// `client_id`/`client_secret` from HTTP Basic or the form.
fn client_credentials(
    authorization: Option<&str>,
    form: &[(String, String)],
) -> (Option<String>, Option<String>) {
    if let Some(b) = authorization.and_then(|a| {
        a.strip_prefix("Basic ")
            .or_else(|| a.strip_prefix("basic "))
    }) && let Some(text) = STANDARD
        .decode(b.trim())
        .ok()
        .and_then(|d| String::from_utf8(d).ok())
        && let Some((id, secret)) = text.split_once(':')
    {
        return (Some(decode_component(id)), Some(decode_component(secret)));
    }
    (
        first(form, "client_id").map(str::to_string),
        first(form, "client_secret").map(str::to_string),
    )
}

/// Checks the client; answers its id or the error reply.
fn authenticate_client(
    shared: &Shared,
    authorization: Option<&str>,
    form: &[(String, String)],
) -> Result<String, Reply> {
    let (id, secret) = client_credentials(authorization, form);
    let Some(id) = id.filter(|i| !i.is_empty()) else {
        return Err(err(
            400,
            "invalid_request",
            "Could not determine client ID from request.",
        ));
    };
    let oauth = shared.oauth.lock();
    match oauth.clients.get(&id) {
        Some(c) if Some(&c.secret) == secret.as_ref() => Ok(id),
        _ => Err(invalid_client()),
    }
}

/// POST `/token`.
pub fn token(shared: &Shared, authorization: Option<&str>, form: &[(String, String)]) -> Reply {
    let Some(grant_type) = first(form, "grant_type").filter(|g| !g.is_empty()) else {
        return err(
            400,
            "invalid_request",
            "Missing required parameter: grant_type",
        );
    };
    match grant_type {
        "authorization_code" => authorization_code(shared, authorization, form),
        "refresh_token" => refresh_token(shared, authorization, form),
        JWT_BEARER => jwt_bearer(shared, form),
        DEVICE_CODE => match authenticate_client(shared, authorization, form) {
            Err(r) => r,
            Ok(_) => err(428, "authorization_pending", "Precondition Required"),
        },
        other => err(
            400,
            "unsupported_grant_type",
            &format!("Invalid grant_type: {other}"),
        ),
    }
}

fn authorization_code(
    shared: &Shared,
    authorization: Option<&str>,
    form: &[(String, String)],
) -> Reply {
    let client_id = match authenticate_client(shared, authorization, form) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let Some(code) = first(form, "code").filter(|c| !c.is_empty()) else {
        return err(400, "invalid_request", "Missing required parameter: code");
    };
    let Some(redirect_uri) = first(form, "redirect_uri") else {
        return err(400, "invalid_request", "Missing parameter: redirect_uri");
    };
    let mut oauth = shared.oauth.lock();
    let Some(stored) = oauth.codes.get_mut(code) else {
        return err(400, "invalid_grant", "Malformed auth code.");
    };
    if let Some(grant) = stored.used_by {
        // Reuse of a code: Google revokes what the code issued.
        oauth.revoke_grant(grant);
        return err(400, "invalid_grant", "Bad Request");
    }
    if stored.expired || stored.issued.elapsed() > CODE_LIFETIME || stored.client_id != client_id {
        return err(400, "invalid_grant", "Bad Request");
    }
    if stored.redirect_uri != redirect_uri {
        return err(400, "redirect_uri_mismatch", "Bad Request");
    }
    if let Some((method, challenge)) = &stored.challenge {
        let Some(verifier) = first(form, "code_verifier") else {
            return err(400, "invalid_grant", "Missing code verifier.");
        };
        let computed = if method == "S256" {
            URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
        } else {
            verifier.to_string()
        };
        if &computed != challenge {
            return err(400, "invalid_grant", "Invalid code verifier.");
        }
    }
    let (user, scopes, nonce) = (
        stored.user.clone(),
        stored.scopes.clone(),
        stored.nonce.clone(),
    );
    // Without prompt=consent Google issues a refresh token only on the first offline grant.
    let offline = stored.offline
        && (stored.prompt_consent || oauth.refresh_grants(&client_id, &user).is_empty());
    let (grant, mut answer) = oauth.issue(&client_id, &user, scopes.clone(), offline);
    if let Some(stored) = oauth.codes.get_mut(code) {
        stored.used_by = Some(grant);
    }
    let lifetime = oauth.lifetime_secs;
    drop(oauth);
    add_id_token(
        &mut answer,
        &client_id,
        &user,
        &scopes,
        nonce.as_deref(),
        lifetime,
    );
    ok(&answer)
}

/// Grants with `openid` also get an ID token (signed outside the state lock: RSA is slow in debug builds).
fn add_id_token(
    answer: &mut serde_json::Value,
    client_id: &str,
    user: &str,
    scopes: &[String],
    nonce: Option<&str>,
    lifetime: u64,
) {
    if scopes.iter().any(|s| s == "openid") {
        let with_email = scopes
            .iter()
            .any(|s| s == "email" || s.ends_with("/userinfo.email"));
        answer["id_token"] =
            serde_json::Value::String(id_token::mint(client_id, user, with_email, nonce, lifetime));
    }
}

fn refresh_token(shared: &Shared, authorization: Option<&str>, form: &[(String, String)]) -> Reply {
    let client_id = match authenticate_client(shared, authorization, form) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let Some(rt) = first(form, "refresh_token").filter(|c| !c.is_empty()) else {
        return err(
            400,
            "invalid_request",
            "Missing required parameter: refresh_token",
        );
    };
    let mut oauth = shared.oauth.lock();
    let Some(&grant_id) = oauth.refresh.get(rt) else {
        return err(400, "invalid_grant", "Token has been expired or revoked.");
    };
    let Some((user, scopes)) = oauth
        .grants
        .get(&grant_id)
        .filter(|g| g.client_id == client_id)
        .map(|g| (g.user.to_string(), g.scopes.to_vec()))
    else {
        return err(400, "unauthorized_client", "Unauthorized");
    };
    let mut answer = oauth.access_for(grant_id);
    let lifetime = oauth.lifetime_secs;
    drop(oauth);
    add_id_token(&mut answer, &client_id, &user, &scopes, None, lifetime);
    ok(&answer)
}

fn jwt_bearer(shared: &Shared, form: &[(String, String)]) -> Reply {
    let Some(assertion) = first(form, "assertion").filter(|a| !a.is_empty()) else {
        return err(
            400,
            "invalid_request",
            "Missing required parameter: assertion",
        );
    };
    let a = match jwt::decode(assertion) {
        Ok(a) => a,
        Err(msg) => return err(400, "invalid_grant", msg),
    };
    let Some(iss) = a.str_claim("iss").map(str::to_string) else {
        return err(400, "invalid_grant", "Invalid JWT: missing iss claim.");
    };
    let (sa_client_id, allow_subject, verified) = {
        let oauth = shared.oauth.lock();
        let Some(sa) = oauth.service_accounts.get(&iss) else {
            return err(400, "invalid_grant", "Invalid grant: account not found");
        };
        (
            sa.client_id.clone(),
            sa.allow_subject,
            a.verify(&sa.public_key),
        )
    };
    if !verified {
        return err(400, "invalid_grant", "Invalid JWT Signature.");
    }
    let aud = a.str_claim("aud").unwrap_or("");
    if aud != shared.urls.token_url && aud != GOOGLE_TOKEN_URL {
        return err(
            400,
            "invalid_grant",
            &format!(
                "Invalid JWT: Failed audience check. The right audience is {}",
                shared.urls.token_url
            ),
        );
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let timing = "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.";
    let (Some(iat), Some(exp)) = (a.int_claim("iat"), a.int_claim("exp")) else {
        return err(400, "invalid_grant", timing);
    };
    if iat > now + 300 || exp <= now || exp - iat > 3600 || exp < iat {
        return err(400, "invalid_grant", timing);
    }
    let requested = scopes::split(a.str_claim("scope").unwrap_or(""));
    if requested.is_empty() {
        return err(
            400,
            "invalid_scope",
            "Invalid OAuth scope or ID token audience provided.",
        );
    }
    let user = match a.str_claim("sub").filter(|s| !s.is_empty() && *s != iss) {
        Some(_) if !allow_subject => {
            return err(
                401,
                "unauthorized_client",
                "Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.",
            );
        }
        Some(sub) => sub.to_string(),
        None => iss.clone(),
    };
    shared.ensure_user(&user);
    let (_, answer) = shared
        .oauth
        .lock()
        .issue(&sa_client_id, &user, requested, false);
    ok(&answer)
}
