//! Typed method descriptions for hosts that build their own types.

use std::ffi::c_char;

use super::error::qgcal_error;
use super::status::qgcal_status;
use super::strings::{out_arg, str_arg, string_out};
use crate::calendar::schemas::method_schema_json;

/// Describes one method for hosts that build typed requests and responses (Qore's data providers): its
/// parameters with Google's descriptions, types, enums and required flags, and its request and response
/// bodies with every `$ref` resolved (at most 8 levels deep; deeper or recursive references stay as
/// `{"ref": name, "recursive": true}`). Request fields Google requires for this method carry
/// `"required": true`. The JSON shape is described in `src/calendar/schemas.rs`; the data is generated from
/// the same discovery document as the method table. An unknown method answers `QGCAL_UNKNOWN_METHOD`.
///
/// # Safety
/// `method` is NULL or a NUL-terminated string; outputs are NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qgcal_method_schema(
    method: *const c_char,
    schema_json_out: *mut *mut c_char,
    error_out: *mut *mut qgcal_error,
) -> qgcal_status {
    ffi_status!(error_out, {
        // SAFETY: forwarded contract.
        let method = unsafe { str_arg(method, "method") }?;
        let out = out_arg(schema_json_out, "schema_json_out")?;
        let json = method_schema_json(method)?;
        // SAFETY: checked non-NULL.
        unsafe { *out = string_out(json) };
        Ok(())
    })
}
