//! `qgcal_client`: one configuration, one connection pool, one credential.

use std::ffi::c_char;

use super::error::qgcal_error;
use super::status::qgcal_status;
use super::strings::{out_arg, str_arg};
use crate::client::Client;

/// A Google Calendar client. Thread-safe: any number of host threads may use one client at once.
pub struct qgcal_client {
    pub(crate) client: Client,
}

/// Creates a client from a JSON configuration object (every key is documented in the README). An array
/// or other non-object, an unknown key, a wrong type or a bad value answers `QGCAL_INVALID_ARGUMENT`
/// naming the key and the type expected, never quoting the value (it may be a secret); text that is not
/// JSON answers `QGCAL_INVALID_JSON`. On success `*client_out` receives the client, to be freed with
/// `qgcal_client_free`; on failure it is not touched.
///
/// # Safety
/// `config_json` is NULL or a NUL-terminated string; `client_out` is NULL or writable; `error_out` is NULL
/// or a writable `qgcal_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qgcal_client_new(
    config_json: *const c_char,
    client_out: *mut *mut qgcal_client,
    error_out: *mut *mut qgcal_error,
) -> qgcal_status {
    ffi_status!(error_out, {
        // SAFETY: forwarded contract.
        let config_json = unsafe { str_arg(config_json, "config_json") }?;
        let client_out = out_arg(client_out, "client_out")?;
        let client = Client::from_json(config_json)?;
        // SAFETY: checked non-NULL; writable per the contract.
        unsafe { *client_out = Box::into_raw(Box::new(qgcal_client { client })) };
        Ok(())
    })
}

/// Frees a client. NULL is allowed. No other thread may be using the client when it is freed.
///
/// # Safety
/// `client` is NULL or a client from `qgcal_client_new`, not freed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qgcal_client_free(client: *mut qgcal_client) {
    ffi_guard!((), {
        if !client.is_null() {
            // SAFETY: made by Box::into_raw in qgcal_client_new, per the contract.
            drop(unsafe { Box::from_raw(client) });
        }
    })
}

/// Reads a required client argument.
///
/// # Safety
/// `client` is NULL or a live client.
pub(crate) unsafe fn client_arg<'a>(client: *mut qgcal_client) -> Result<&'a Client, qgcal_error> {
    // SAFETY: NULL or live, per the contract.
    unsafe { client.as_ref() }
        .map(|c| &c.client)
        .ok_or_else(|| {
            qgcal_error::new(
                qgcal_status::QGCAL_NULL_ARGUMENT,
                "argument `client` is NULL",
            )
        })
}
