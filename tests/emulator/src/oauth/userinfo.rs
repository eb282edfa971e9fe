//! `GET /oauth2/v3/userinfo` and `GET /tokeninfo`: what a token says about its user and grant.

use http::HeaderMap;
use serde_json::json;

use crate::errors::oauth_error;
use crate::oauth::id_token::subject;
use crate::reply::Reply;
use crate::state::Shared;
use crate::util::first;

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let a = headers.get("authorization")?.to_str().ok()?;
    let (scheme, token) = a.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

pub fn userinfo(shared: &Shared, headers: &HeaderMap, query: &[(String, String)]) -> Reply {
    let token = bearer(headers).or_else(|| first(query, "access_token"));
    let Some((user, _)) = token.and_then(|t| shared.oauth.lock().authenticate(t)) else {
        return crate::api::unauthorized();
    };
    Reply::json(
        200,
        &json!({"sub": subject(&user), "email": &*user, "email_verified": true}),
    )
}

pub fn tokeninfo(shared: &Shared, query: &[(String, String)], form: &[(String, String)]) -> Reply {
    let token = first(query, "access_token").or_else(|| first(form, "access_token"));
    let Some(info) = token.and_then(|t| shared.oauth.lock().token_info(t)) else {
        return Reply::json(400, &oauth_error("invalid_token", "Invalid Value"));
    };
    let exp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() + info.seconds_left)
        .unwrap_or(0);
    Reply::json(
        200,
        &json!({
            "azp": info.client_id,
            "aud": info.client_id,
            "sub": subject(&info.user),
            "scope": info.scopes.join(" "),
            "exp": exp.to_string(),
            "expires_in": info.seconds_left.to_string(),
            "email": &*info.user,
            "email_verified": "true",
            "access_type": "online",
        }),
    )
}
