//! Statistics as JSON: for the whole library and per client.

use std::ffi::c_char;

use super::client::{client_arg, qgcal_client};
use super::error::qgcal_error;
use super::status::qgcal_status;
use super::strings::{out_arg, string_out};
use crate::observe;

/// The library's statistics since it was loaded (or last reset), every client's counted, freed ones
/// included: requests (in all and by method), HTTP attempts, retries by cause, errors by status and kind,
/// tokens obtained and refused by grant, batch chunks and calls, body bytes out and in, latency
/// percentiles, and `clients` (`created`, `live`) and `logs` (`delivered`). The README gives
/// the shape. With `reset`, the counters are zeroed as they are read (each in one atomic step, so
/// consecutive resetting reads add up to everything). Free `*stats_json_out` with `qgcal_string_free`.
///
/// # Safety
/// `stats_json_out` is NULL or writable; `error_out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qgcal_stats(
    reset: bool,
    stats_json_out: *mut *mut c_char,
    error_out: *mut *mut qgcal_error,
) -> qgcal_status {
    ffi_status!(error_out, {
        let out = out_arg(stats_json_out, "stats_json_out")?;
        let json = observe::process_stats(reset).to_string();
        // SAFETY: checked non-NULL; writable per the contract.
        unsafe { *out = string_out(json) };
        Ok(())
    })
}

/// One client's statistics, the shape of `qgcal_stats` without `clients` and `logs`.
///
/// # Safety
/// `client` is NULL or a live client; otherwise as `qgcal_stats`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qgcal_client_stats(
    client: *mut qgcal_client,
    reset: bool,
    stats_json_out: *mut *mut c_char,
    error_out: *mut *mut qgcal_error,
) -> qgcal_status {
    ffi_status!(error_out, {
        // SAFETY: forwarded contract.
        let client = unsafe { client_arg(client) }?;
        let out = out_arg(stats_json_out, "stats_json_out")?;
        let json = client.stats(reset).to_string();
        // SAFETY: checked non-NULL; writable per the contract.
        unsafe { *out = string_out(json) };
        Ok(())
    })
}
