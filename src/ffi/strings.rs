//! Strings across the boundary: NUL-terminated UTF-8 in, library-owned `char *` out.

use std::ffi::{CStr, CString, c_char};

use super::error::qgcal_error;
use super::status::qgcal_status;

/// Reads a required string argument.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string that outlives the returned slice.
pub(crate) unsafe fn str_arg<'a>(ptr: *const c_char, name: &str) -> Result<&'a str, qgcal_error> {
    // SAFETY: forwarded contract.
    unsafe { opt_str_arg(ptr, name) }?.ok_or_else(|| {
        qgcal_error::new(
            qgcal_status::QGCAL_NULL_ARGUMENT,
            format!("argument `{name}` is NULL"),
        )
    })
}

/// Reads an optional string argument (NULL means none).
///
/// # Safety
/// As [`str_arg`].
pub(crate) unsafe fn opt_str_arg<'a>(
    ptr: *const c_char,
    name: &str,
) -> Result<Option<&'a str>, qgcal_error> {
    if ptr.is_null() {
        return Ok(None);
    }
    // SAFETY: non-NULL and NUL-terminated per the contract.
    let bytes = unsafe { CStr::from_ptr(ptr) };
    bytes.to_str().map(Some).map_err(|e| {
        qgcal_error::new(
            qgcal_status::QGCAL_INVALID_UTF8,
            format!(
                "argument `{name}` is not valid UTF-8 (bad byte at offset {})",
                e.valid_up_to()
            ),
        )
    })
}

/// Checks that an output pointer is usable before any work is done.
pub(crate) fn out_arg<T>(ptr: *mut T, name: &str) -> Result<*mut T, qgcal_error> {
    if ptr.is_null() {
        Err(qgcal_error::new(
            qgcal_status::QGCAL_NULL_ARGUMENT,
            format!("output argument `{name}` is NULL"),
        ))
    } else {
        Ok(ptr)
    }
}

/// A C string from any Rust string; an interior NUL (never in JSON we produce) becomes U+FFFD.
pub(crate) fn c_string_lossy(text: String) -> CString {
    CString::new(text).unwrap_or_else(|e| {
        let cleaned = String::from_utf8_lossy(&e.into_vec()).replace('\0', "\u{FFFD}");
        CString::new(cleaned).expect("NULs were replaced")
    })
}

/// Hands a string to the caller, who frees it with `qgcal_string_free`.
pub(crate) fn string_out(text: String) -> *mut c_char {
    c_string_lossy(text).into_raw()
}

/// Frees a string the library returned. NULL is allowed.
///
/// # Safety
/// `s` is NULL or a string returned by this library, not freed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qgcal_string_free(s: *mut c_char) {
    ffi_guard!((), {
        if !s.is_null() {
            // SAFETY: made by CString::into_raw in `string_out`, per the contract.
            drop(unsafe { CString::from_raw(s) });
        }
    })
}

/// Reads an optional JSON argument: NULL is JSON `null`; text that does not parse is `QGCAL_INVALID_JSON`
/// naming the argument.
///
/// # Safety
/// As [`str_arg`].
pub(crate) unsafe fn json_arg(
    ptr: *const c_char,
    name: &str,
) -> Result<serde_json::Value, qgcal_error> {
    // SAFETY: forwarded contract.
    match unsafe { opt_str_arg(ptr, name) }? {
        None => Ok(serde_json::Value::Null),
        Some(text) => serde_json::from_str(text).map_err(|e| {
            qgcal_error::new(
                qgcal_status::QGCAL_INVALID_JSON,
                format!("argument `{name}` is not valid JSON: {e}"),
            )
        }),
    }
}
