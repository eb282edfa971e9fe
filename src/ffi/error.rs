//! `qgcal_error`: the details of a failure, owned by the caller until `qgcal_error_free`.

use std::ffi::{CString, c_char};

use super::status::qgcal_status;
use super::strings::c_string_lossy;
use crate::error::Error;

/// An error: status, message, HTTP status and Google's `reason`. Returned through `error_out` parameters;
/// free it with `qgcal_error_free`. Its strings live as long as the error.
pub struct qgcal_error {
    status: qgcal_status,
    message: CString,
    http_status: u16,
    reason: Option<CString>,
}

impl qgcal_error {
    pub(crate) fn new(status: qgcal_status, message: impl Into<String>) -> Self {
        qgcal_error {
            status,
            message: c_string_lossy(message.into()),
            http_status: 0,
            reason: None,
        }
    }

    pub(crate) fn from_panic(detail: &str) -> Self {
        qgcal_error::new(
            qgcal_status::QGCAL_PANIC,
            format!(
                "internal error: qorus-gcal panicked ({detail}); this is a bug, please report it"
            ),
        )
    }

    pub(crate) fn status(&self) -> qgcal_status {
        self.status
    }
}

impl From<Error> for qgcal_error {
    fn from(error: Error) -> Self {
        qgcal_error {
            status: error.kind().into(),
            message: c_string_lossy(error.message().to_string()),
            http_status: error.http_status(),
            reason: error.reason().map(|r| c_string_lossy(r.to_string())),
        }
    }
}

/// The error's status. Answers `QGCAL_NULL_ARGUMENT` for a NULL error.
///
/// # Safety
/// `error` is NULL or an error from this library that was not freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qgcal_error_status(error: *const qgcal_error) -> qgcal_status {
    ffi_guard!(qgcal_status::QGCAL_PANIC, {
        // SAFETY: NULL or a live error, per the contract.
        unsafe { error.as_ref() }.map_or(qgcal_status::QGCAL_NULL_ARGUMENT, |e| e.status)
    })
}

/// A message for people, naming what went wrong and, where it helps, what to do. Never contains a secret.
/// Valid until the error is freed; NULL for a NULL error.
///
/// # Safety
/// `error` is NULL or an error from this library that was not freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qgcal_error_message(error: *const qgcal_error) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        // SAFETY: NULL or a live error, per the contract.
        unsafe { error.as_ref() }.map_or(std::ptr::null(), |e| e.message.as_ptr())
    })
}

/// The HTTP status of the answer that caused the error, or 0 when there was no HTTP answer.
///
/// # Safety
/// `error` is NULL or an error from this library that was not freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qgcal_error_http_status(error: *const qgcal_error) -> u16 {
    ffi_guard!(0, {
        // SAFETY: NULL or a live error, per the contract.
        unsafe { error.as_ref() }.map_or(0, |e| e.http_status)
    })
}

/// Google's `reason` (e.g. `rateLimitExceeded`) or the OAuth `error` (e.g. `invalid_grant`), or NULL when
/// there is none. Valid until the error is freed.
///
/// # Safety
/// `error` is NULL or an error from this library that was not freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qgcal_error_reason(error: *const qgcal_error) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        // SAFETY: NULL or a live error, per the contract.
        unsafe { error.as_ref() }
            .and_then(|e| e.reason.as_ref())
            .map_or(std::ptr::null(), |r| r.as_ptr())
    })
}

/// Frees an error. NULL is allowed.
///
/// # Safety
/// `error` is NULL or an error from this library, not freed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qgcal_error_free(error: *mut qgcal_error) {
    ffi_guard!((), {
        if !error.is_null() {
            // SAFETY: made by Box::into_raw in the panic boundary and not freed before, per the contract.
            drop(unsafe { Box::from_raw(error) });
        }
    })
}
