//! Google's JSON error shape.

use serde_json::{Value, json};

/// An error answer: HTTP code, Google `reason` and message.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub code: u16,
    pub reason: &'static str,
    pub message: String,
}

pub(crate) type R<T> = Result<T, ApiError>;

/// gRPC-style status string Google puts next to the code.
fn status_text(code: u16) -> &'static str {
    match code {
        400 => "INVALID_ARGUMENT",
        401 => "UNAUTHENTICATED",
        403 => "PERMISSION_DENIED",
        404 => "NOT_FOUND",
        409 => "ALREADY_EXISTS",
        410 | 412 => "FAILED_PRECONDITION",
        413 => "INVALID_ARGUMENT",
        429 => "RESOURCE_EXHAUSTED",
        501 => "UNIMPLEMENTED",
        503 => "UNAVAILABLE",
        _ if code >= 500 => "INTERNAL",
        _ => "UNKNOWN",
    }
}

impl ApiError {
    pub fn new(code: u16, reason: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            code,
            reason,
            message: message.into(),
        }
    }

    pub fn body(&self) -> Value {
        json!({"error": {
            "code": self.code,
            "message": self.message,
            "errors": [{"domain": "global", "reason": self.reason, "message": self.message}],
            "status": status_text(self.code),
        }})
    }
}

pub(crate) fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError::new(400, "badRequest", message)
}

pub(crate) fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(400, "invalid", message)
}

pub(crate) fn required(message: impl Into<String>) -> ApiError {
    ApiError::new(400, "required", message)
}

pub(crate) fn not_found() -> ApiError {
    ApiError::new(404, "notFound", "Not Found")
}

pub(crate) fn access_level(level: &str) -> ApiError {
    ApiError::new(
        403,
        "requiredAccessLevel",
        format!("You need to have {level} access to this calendar."),
    )
}

pub(crate) fn precondition() -> ApiError {
    ApiError::new(412, "conditionNotMet", "Precondition Failed")
}

pub(crate) fn full_sync() -> ApiError {
    ApiError::new(
        410,
        "fullSyncRequired",
        "Sync token is no longer valid, a full sync is required.",
    )
}

pub(crate) fn deleted() -> ApiError {
    ApiError::new(410, "deleted", "Resource has been deleted")
}
