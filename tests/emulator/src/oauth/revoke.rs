//! The revoke endpoint `/revoke`.

use crate::errors::oauth_error;
use crate::reply::Reply;
use crate::state::Shared;
use crate::util::first;

/// POST `/revoke` with `token=` in the form or the query: revokes the whole grant.
pub fn revoke(shared: &Shared, form: &[(String, String)], query: &[(String, String)]) -> Reply {
    let Some(token) = first(form, "token").or_else(|| first(query, "token")) else {
        return Reply::json(
            400,
            &oauth_error("invalid_request", "Missing required parameter: token"),
        );
    };
    if shared.oauth.lock().revoke_token(token) {
        Reply::json(200, &serde_json::json!({}))
    } else {
        Reply::json(
            400,
            &oauth_error("invalid_token", "Token expired or revoked"),
        )
    }
}
