//! The library's error type: a kind the host can branch on, a message a person can act on, and the
//! details Google gave (HTTP status, `reason`). Messages never carry secrets.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

/// What went wrong, coarse enough for a host to branch on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Text that should be JSON is not.
    InvalidJson,
    /// A config key, parameter or option is unknown, mistyped or out of range.
    InvalidArgument,
    /// The Calendar method id is not one of the API's.
    UnknownMethod,
    /// No usable token, or Google answered `invalid_grant`: the user must consent again.
    ConsentRequired,
    /// The user refused consent (`access_denied`).
    ConsentDenied,
    /// The OAuth client or service account was rejected (`invalid_client` and the like).
    AuthFailed,
    /// The API answered an HTTP error not covered by a more specific kind.
    Http,
    /// The request never got an answer: DNS, connect, TLS, reset.
    Network,
    /// A deadline passed.
    Timeout,
    /// The host cancelled the operation.
    Cancelled,
    /// `If-Match` failed (HTTP 412): the resource changed meanwhile.
    PreconditionFailed,
    /// `If-None-Match` matched (HTTP 304): the cached copy is current.
    NotModified,
    /// The sync token expired (HTTP 410): wipe and sync fully.
    SyncTokenExpired,
    /// A blocking call was made from inside the library's own runtime (or another tokio runtime).
    Reentrant,
    /// The process forked after the runtime started; the child cannot use it.
    Forked,
    /// The library was shut down.
    ShutDown,
    /// The granted scopes do not allow this call (HTTP 403 `insufficientPermissions`).
    InsufficientScope,
    /// A panic inside the library was caught before it could reach the host.
    Panic,
    /// A bug or an impossible state inside the library.
    Internal,
    /// A write reached the server but its answer was lost, and the API offers no way to tell whether it
    /// was applied: check (the message says how) before repeating it.
    OutcomeUnknown,
    /// The proxy could not be reached, failed, or refused to open a tunnel to the server.
    ProxyError,
    /// The proxy wants credentials, or refused the ones given (HTTP 407, SOCKS5 authentication).
    ProxyAuthRequired,
    /// TLS failed: the server's certificate is not trusted or not valid for its name, or the handshake failed.
    TlsError,
}

impl ErrorKind {
    /// A stable upper-case name, e.g. `CONSENT_REQUIRED` (used in JSON answers such as batch results).
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::InvalidJson => "INVALID_JSON",
            ErrorKind::InvalidArgument => "INVALID_ARGUMENT",
            ErrorKind::UnknownMethod => "UNKNOWN_METHOD",
            ErrorKind::ConsentRequired => "CONSENT_REQUIRED",
            ErrorKind::ConsentDenied => "CONSENT_DENIED",
            ErrorKind::AuthFailed => "AUTH_FAILED",
            ErrorKind::Http => "HTTP_ERROR",
            ErrorKind::Network => "NETWORK_ERROR",
            ErrorKind::Timeout => "TIMEOUT",
            ErrorKind::Cancelled => "CANCELLED",
            ErrorKind::PreconditionFailed => "PRECONDITION_FAILED",
            ErrorKind::NotModified => "NOT_MODIFIED",
            ErrorKind::SyncTokenExpired => "SYNC_TOKEN_EXPIRED",
            ErrorKind::Reentrant => "REENTRANT_CALL",
            ErrorKind::Forked => "FORKED",
            ErrorKind::ShutDown => "SHUT_DOWN",
            ErrorKind::InsufficientScope => "INSUFFICIENT_SCOPE",
            ErrorKind::Panic => "PANIC",
            ErrorKind::Internal => "INTERNAL",
            ErrorKind::OutcomeUnknown => "OUTCOME_UNKNOWN",
            ErrorKind::ProxyError => "PROXY_ERROR",
            ErrorKind::ProxyAuthRequired => "PROXY_AUTH_REQUIRED",
            ErrorKind::TlsError => "TLS_ERROR",
        }
    }
}

/// An error with everything the host needs to report it.
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    http_status: u16,
    reason: Option<String>,
    /// The server's `Retry-After`, for the retry loop; never shown.
    retry_after: Option<Duration>,
    /// An earlier attempt of this write may have been applied (its answer was lost, or was a 5xx).
    maybe_applied: bool,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            http_status: 0,
            reason: None,
            retry_after: None,
            maybe_applied: false,
        }
    }

    /// Adds the HTTP status of the answer that caused the error.
    pub fn with_http_status(mut self, status: u16) -> Self {
        self.http_status = status;
        self
    }

    /// Adds Google's `reason` (or the OAuth `error` code).
    pub fn with_reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }

    pub(crate) fn with_retry_after(mut self, wait: Option<Duration>) -> Self {
        self.retry_after = wait;
        self
    }

    pub(crate) fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    pub(crate) fn with_maybe_applied(mut self, maybe: bool) -> Self {
        self.maybe_applied = maybe;
        self
    }

    /// An earlier attempt of this write may have been applied, so this answer may describe the state
    /// that attempt left (a 404 after a delete, a 409 after an insert, a 412 after a conditional write).
    pub(crate) fn maybe_applied(&self) -> bool {
        self.maybe_applied
    }

    /// The same error with another kind and message, keeping the HTTP status and reason.
    pub(crate) fn recast(&self, kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            ..self.clone()
        }
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    /// The HTTP status of the answer, or 0 when there was none.
    pub fn http_status(&self) -> u16 {
        self.http_status
    }

    pub fn reason(&self) -> Option<&str> {
        self.reason.as_deref()
    }

    /// The error as JSON: `{"kind", "message", "http_status", "reason"}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "kind": self.kind.name(),
            "message": self.message,
            "http_status": self.http_status,
            "reason": self.reason,
        })
    }

    pub(crate) fn invalid_argument(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidArgument, message)
    }

    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Internal, message)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.kind)
            .field("message", &self.message)
            .field("http_status", &self.http_status)
            .field("reason", &self.reason)
            .finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Longest part of a caller's value a message quotes.
const SHOWN_CHARS: usize = 64;

/// A caller's value as a message quotes it: whole when short, else its first 64 characters and its
/// size, so that a value of megabytes never makes a message of megabytes.
pub(crate) fn shown(value: &str) -> Cow<'_, str> {
    match value.char_indices().nth(SHOWN_CHARS) {
        None => Cow::Borrowed(value),
        Some((cut, _)) => Cow::Owned(format!("{}… ({} bytes)", &value[..cut], value.len())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_are_shortened_with_their_size() {
        assert_eq!(shown("events.lsit"), "events.lsit");
        let exact = "é".repeat(64);
        assert_eq!(shown(&exact), exact.as_str());
        let long = "é".repeat(100);
        assert_eq!(shown(&long), format!("{}… (200 bytes)", "é".repeat(64)));
    }
}
