//! Error bodies in the shapes Google sends.

use serde_json::{Value, json};

/// The canonical `status` string Google puts next to an HTTP code.
pub fn status_name(code: u16) -> &'static str {
    match code {
        400 => "INVALID_ARGUMENT",
        401 => "UNAUTHENTICATED",
        403 => "PERMISSION_DENIED",
        404 => "NOT_FOUND",
        409 => "ALREADY_EXISTS",
        410 => "ABORTED",
        412 => "FAILED_PRECONDITION",
        413 => "INVALID_ARGUMENT",
        429 => "RESOURCE_EXHAUSTED",
        500 => "INTERNAL",
        501 => "UNIMPLEMENTED",
        503 => "UNAVAILABLE",
        504 => "DEADLINE_EXCEEDED",
        _ => "UNKNOWN",
    }
}

/// `{"error":{"code":..,"message":..,"errors":[{domain,reason,message}],"status":..}}`
pub fn google_error(code: u16, domain: &str, reason: &str, message: &str) -> Value {
    json!({"error": {
        "code": code,
        "message": message,
        "errors": [{"domain": domain, "reason": reason, "message": message}],
        "status": status_name(code),
    }})
}

pub fn not_found(what: &str) -> Value {
    google_error(404, "global", "notFound", &format!("Not Found: {what}"))
}

/// The 401 Google answers for a missing, unknown, expired or revoked access token.
pub fn auth_error() -> Value {
    json!({"error": {
        "code": 401,
        "message": "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
        "errors": [{
            "message": "Invalid Credentials",
            "domain": "global",
            "reason": "authError",
            "location": "Authorization",
            "locationType": "header",
        }],
        "status": "UNAUTHENTICATED",
    }})
}

/// Defaults (domain, reason, message) for a fault status without an explicit reason.
pub fn fault_defaults(status: u16) -> (&'static str, &'static str, &'static str) {
    match status {
        400 => ("global", "badRequest", "Bad Request"),
        401 => ("global", "authError", "Invalid Credentials"),
        403 => ("usageLimits", "rateLimitExceeded", "Rate Limit Exceeded"),
        404 => ("global", "notFound", "Not Found"),
        409 => ("global", "conflict", "Conflict"),
        410 => (
            "global",
            "fullSyncRequired",
            "Sync token is no longer valid, a full sync is required.",
        ),
        412 => ("global", "conditionNotMet", "Precondition Failed"),
        429 => ("usageLimits", "rateLimitExceeded", "Rate Limit Exceeded"),
        500 => ("global", "backendError", "Backend Error"),
        502 => ("global", "badGateway", "Bad Gateway"),
        503 => (
            "global",
            "backendError",
            "The service is currently unavailable.",
        ),
        504 => ("global", "backendError", "Deadline exceeded"),
        _ => ("global", "unknown", "Error"),
    }
}

/// OAuth endpoints answer `{"error":..,"error_description":..}`.
pub fn oauth_error(error: &str, description: &str) -> Value {
    json!({"error": error, "error_description": description})
}
