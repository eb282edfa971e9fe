//! Turning token-endpoint failures into errors a host can act on.

use crate::error::{Error, ErrorKind};
pub use crate::http::errors::{error_chain, transport_error};

/// Maps an OAuth `error` code (RFC 6749 §5.2, plus Google's) to an error. `grant` says what was being
/// asked for, so `invalid_grant` on a refresh can tell the user to consent again.
pub fn oauth_error(code: &str, description: Option<&str>, grant: Grant) -> Error {
    let detail = description
        .filter(|d| !d.is_empty())
        .map(|d| format!(" ({d})"))
        .unwrap_or_default();
    let (kind, status, advice) = match (code, grant) {
        ("invalid_grant", Grant::Refresh) => (
            ErrorKind::ConsentRequired,
            400,
            "the refresh token was revoked or has expired: run consent again to get a new token",
        ),
        ("invalid_grant", Grant::AuthorizationCode) => (
            ErrorKind::ConsentRequired,
            400,
            "the authorization code was invalid, used or expired: run consent again",
        ),
        ("invalid_grant", Grant::ServiceAccount) => (
            ErrorKind::AuthFailed,
            400,
            "the service-account assertion was rejected: check the key file and that the key is still active",
        ),
        ("invalid_client", _) => (
            ErrorKind::AuthFailed,
            401,
            "the OAuth client id or secret is wrong: check `client_id` and `client_secret`",
        ),
        ("unauthorized_client", Grant::ServiceAccount) => (
            ErrorKind::AuthFailed,
            401,
            "the service account may not act for `subject` or ask for these scopes: enable domain-wide delegation",
        ),
        ("unauthorized_client", _) => (
            ErrorKind::AuthFailed,
            400,
            "this OAuth client may not use this grant (a token from another client?)",
        ),
        ("access_denied", _) => (ErrorKind::ConsentDenied, 403, "the user refused consent"),
        ("invalid_scope", _) => (
            ErrorKind::AuthFailed,
            400,
            "a requested scope is invalid or not allowed",
        ),
        _ => (
            ErrorKind::AuthFailed,
            400,
            "the token endpoint refused the request",
        ),
    };
    Error::new(
        kind,
        format!("{advice}; the token endpoint answered `{code}`{detail}"),
    )
    .with_http_status(status)
    .with_reason(code)
}

pub use crate::observe::Grant;
