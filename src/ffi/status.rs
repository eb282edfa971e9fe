//! Status codes returned by every fallible export.

use std::ffi::c_char;

use crate::error::ErrorKind;

/// The result of a fallible call. `QGCAL_OK` is 0; every other value names one kind of failure, and the
/// `qgcal_error` written to `error_out` carries the details.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum qgcal_status {
    /// Success.
    QGCAL_OK = 0,
    /// A required pointer argument was NULL.
    QGCAL_NULL_ARGUMENT = 1,
    /// A string argument was not valid UTF-8.
    QGCAL_INVALID_UTF8 = 2,
    /// A JSON argument did not parse.
    QGCAL_INVALID_JSON = 3,
    /// A config key, parameter or option is unknown, mistyped, missing or out of range.
    QGCAL_INVALID_ARGUMENT = 4,
    /// The Calendar method id is unknown.
    QGCAL_UNKNOWN_METHOD = 5,
    /// No usable token, or the grant was revoked or expired (`invalid_grant`): run consent again.
    QGCAL_CONSENT_REQUIRED = 6,
    /// The user denied consent (`access_denied`).
    QGCAL_CONSENT_DENIED = 7,
    /// The OAuth client or service account was rejected (`invalid_client` and the like).
    QGCAL_AUTH_FAILED = 8,
    /// The API answered an HTTP error; see `qgcal_error_http_status` and `qgcal_error_reason`.
    QGCAL_HTTP_ERROR = 9,
    /// No answer: DNS, connect, TLS or connection failure.
    QGCAL_NETWORK_ERROR = 10,
    /// A deadline passed.
    QGCAL_TIMEOUT = 11,
    /// The operation was cancelled.
    QGCAL_CANCELLED = 12,
    /// `If-Match` failed (HTTP 412): the resource changed meanwhile.
    QGCAL_PRECONDITION_FAILED = 13,
    /// `If-None-Match` matched (HTTP 304): the cached copy is current.
    QGCAL_NOT_MODIFIED = 14,
    /// The sync token expired (HTTP 410): wipe local data and sync fully.
    QGCAL_SYNC_TOKEN_EXPIRED = 15,
    /// A blocking call was made from a library thread (for example inside a callback).
    QGCAL_REENTRANT_CALL = 16,
    /// The process forked after the library started its runtime; the child cannot use it.
    QGCAL_FORKED = 17,
    /// `qgcal_shutdown` was called; the library accepts no more calls.
    QGCAL_SHUT_DOWN = 18,
    /// A panic inside the library was caught (a bug; please report it).
    QGCAL_PANIC = 19,
    /// The granted scopes do not allow the call (HTTP 403 `insufficientPermissions`).
    QGCAL_INSUFFICIENT_SCOPE = 20,
    /// An internal error (a bug; please report it).
    QGCAL_INTERNAL = 21,
    /// A write reached the server but its answer was lost, and whether it was applied cannot be known:
    /// the message says how to check before repeating it. Never a plain network error for a write.
    QGCAL_OUTCOME_UNKNOWN = 22,
    /// The proxy could not be reached, failed, or refused to open a tunnel to the server.
    QGCAL_PROXY_ERROR = 23,
    /// The proxy wants credentials or refused them (HTTP 407, SOCKS5 authentication): check the proxy
    /// user name and password.
    QGCAL_PROXY_AUTH_REQUIRED = 24,
    /// TLS failed: the server's certificate is not trusted (see `ca_certificates`) or not valid for its
    /// name, or the handshake failed.
    QGCAL_TLS_ERROR = 25,
}

impl From<ErrorKind> for qgcal_status {
    fn from(kind: ErrorKind) -> Self {
        use qgcal_status::*;
        match kind {
            ErrorKind::InvalidJson => QGCAL_INVALID_JSON,
            ErrorKind::InvalidArgument => QGCAL_INVALID_ARGUMENT,
            ErrorKind::UnknownMethod => QGCAL_UNKNOWN_METHOD,
            ErrorKind::ConsentRequired => QGCAL_CONSENT_REQUIRED,
            ErrorKind::ConsentDenied => QGCAL_CONSENT_DENIED,
            ErrorKind::AuthFailed => QGCAL_AUTH_FAILED,
            ErrorKind::Http => QGCAL_HTTP_ERROR,
            ErrorKind::Network => QGCAL_NETWORK_ERROR,
            ErrorKind::Timeout => QGCAL_TIMEOUT,
            ErrorKind::Cancelled => QGCAL_CANCELLED,
            ErrorKind::PreconditionFailed => QGCAL_PRECONDITION_FAILED,
            ErrorKind::NotModified => QGCAL_NOT_MODIFIED,
            ErrorKind::SyncTokenExpired => QGCAL_SYNC_TOKEN_EXPIRED,
            ErrorKind::Reentrant => QGCAL_REENTRANT_CALL,
            ErrorKind::Forked => QGCAL_FORKED,
            ErrorKind::ShutDown => QGCAL_SHUT_DOWN,
            ErrorKind::Panic => QGCAL_PANIC,
            ErrorKind::InsufficientScope => QGCAL_INSUFFICIENT_SCOPE,
            ErrorKind::OutcomeUnknown => QGCAL_OUTCOME_UNKNOWN,
            ErrorKind::ProxyError => QGCAL_PROXY_ERROR,
            ErrorKind::ProxyAuthRequired => QGCAL_PROXY_AUTH_REQUIRED,
            ErrorKind::TlsError => QGCAL_TLS_ERROR,
            _ => QGCAL_INTERNAL,
        }
    }
}

// Indexed by status value; kept beside the enum so a new status cannot be forgotten here.
const STATUS_NAMES: [&str; 26] = [
    "QGCAL_OK\0",
    "QGCAL_NULL_ARGUMENT\0",
    "QGCAL_INVALID_UTF8\0",
    "QGCAL_INVALID_JSON\0",
    "QGCAL_INVALID_ARGUMENT\0",
    "QGCAL_UNKNOWN_METHOD\0",
    "QGCAL_CONSENT_REQUIRED\0",
    "QGCAL_CONSENT_DENIED\0",
    "QGCAL_AUTH_FAILED\0",
    "QGCAL_HTTP_ERROR\0",
    "QGCAL_NETWORK_ERROR\0",
    "QGCAL_TIMEOUT\0",
    "QGCAL_CANCELLED\0",
    "QGCAL_PRECONDITION_FAILED\0",
    "QGCAL_NOT_MODIFIED\0",
    "QGCAL_SYNC_TOKEN_EXPIRED\0",
    "QGCAL_REENTRANT_CALL\0",
    "QGCAL_FORKED\0",
    "QGCAL_SHUT_DOWN\0",
    "QGCAL_PANIC\0",
    "QGCAL_INSUFFICIENT_SCOPE\0",
    "QGCAL_INTERNAL\0",
    "QGCAL_OUTCOME_UNKNOWN\0",
    "QGCAL_PROXY_ERROR\0",
    "QGCAL_PROXY_AUTH_REQUIRED\0",
    "QGCAL_TLS_ERROR\0",
];

/// The name of a status value, e.g. `"QGCAL_CONSENT_REQUIRED"`; `"QGCAL_UNKNOWN_STATUS"` for a value that
/// is not a status. The string is static: do not free it. Takes an `int` so any value is safe to pass.
#[unsafe(no_mangle)]
pub extern "C" fn qgcal_status_name(status: i32) -> *const c_char {
    ffi_guard!(c"QGCAL_UNKNOWN_STATUS".as_ptr(), {
        usize::try_from(status)
            .ok()
            .and_then(|i| STATUS_NAMES.get(i))
            .map_or(c"QGCAL_UNKNOWN_STATUS".as_ptr(), |name| {
                name.as_ptr().cast()
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn every_status_has_its_own_name() {
        for value in 0..=qgcal_status::QGCAL_TLS_ERROR as i32 {
            let name = unsafe { CStr::from_ptr(qgcal_status_name(value)) };
            assert!(name.to_str().unwrap().starts_with("QGCAL_"));
            assert_ne!(name, c"QGCAL_UNKNOWN_STATUS", "status {value}");
        }
        let name = |s: qgcal_status| unsafe { CStr::from_ptr(qgcal_status_name(s as i32)) };
        assert_eq!(name(qgcal_status::QGCAL_FORKED), c"QGCAL_FORKED");
        assert_eq!(name(qgcal_status::QGCAL_INTERNAL), c"QGCAL_INTERNAL");
        assert_eq!(
            name(qgcal_status::QGCAL_OUTCOME_UNKNOWN),
            c"QGCAL_OUTCOME_UNKNOWN"
        );
        assert_eq!(
            qgcal_status::from(ErrorKind::OutcomeUnknown),
            qgcal_status::QGCAL_OUTCOME_UNKNOWN
        );
        let unknown = unsafe { CStr::from_ptr(qgcal_status_name(-1)) };
        assert_eq!(unknown, c"QGCAL_UNKNOWN_STATUS");
        assert_eq!(
            name(qgcal_status::QGCAL_PROXY_AUTH_REQUIRED),
            c"QGCAL_PROXY_AUTH_REQUIRED"
        );
        assert_eq!(name(qgcal_status::QGCAL_TLS_ERROR), c"QGCAL_TLS_ERROR");
        let unknown = unsafe { CStr::from_ptr(qgcal_status_name(26)) };
        assert_eq!(unknown, c"QGCAL_UNKNOWN_STATUS");
    }
}
