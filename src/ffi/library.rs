//! Library-wide calls: version and shutdown.

use std::ffi::c_char;

use super::error::qgcal_error;
use super::status::qgcal_status;
use crate::runtime;

/// The library version, e.g. `"0.1.0"` (the same as `QORUS_GCAL_VERSION`). Static: do not free.
#[unsafe(no_mangle)]
pub extern "C" fn qgcal_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// Stops the library's runtime, waiting up to five seconds for calls in flight, which then fail with
/// `QGCAL_SHUT_DOWN`. Every later call answers `QGCAL_SHUT_DOWN`. Call it from a host thread, once, before
/// the process exits or the module is unloaded; calling it again is harmless.
///
/// # Safety
/// `error_out` is NULL or a writable `qgcal_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qgcal_shutdown(error_out: *mut *mut qgcal_error) -> qgcal_status {
    ffi_status!(error_out, { Ok(runtime::shutdown()?) })
}
