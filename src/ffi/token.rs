//! Tokens for the host: the token callback, reading, refreshing and revoking the token.

use std::ffi::{c_char, c_void};
use std::sync::Arc;

use super::client::client_arg;
use super::error::qgcal_error;
use super::host_fn::{HostFn, qgcal_drop_callback};
use super::status::qgcal_status;
use super::strings::{c_string_lossy, out_arg, string_out};
use crate::runtime;

/// Called with every new token as JSON (`{"access_token", "refresh_token", "expires_at", "scope",
/// "token_type"}`), so the host can store it. Runs on the thread that obtained the token: the host thread
/// whose call needed it, or a library thread (`qgcal-rt-N`, e.g. for local consent); never concurrently
/// with itself for one client's refresh, and must return promptly. The string is valid only
/// during the call. Calling a blocking qgcal function from inside it answers `QGCAL_REENTRANT_CALL`.
pub type qgcal_token_callback =
    Option<unsafe extern "C" fn(userdata: *mut c_void, token_json: *const c_char)>;

/// Sets the function told of every new token (consent, refresh, service account). The previous
/// callback's `drop` runs once, after its last call. A NULL `callback` removes it; `drop`, if given, is
/// then called with `userdata` at once. `callback` and `userdata` must be usable from any thread.
///
/// # Safety
/// `client` is NULL or a live client; the function pointers are NULL or valid; `error_out` is NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qgcal_client_set_token_callback(
    client: *mut super::client::qgcal_client,
    callback: qgcal_token_callback,
    userdata: *mut c_void,
    drop: qgcal_drop_callback,
    error_out: *mut *mut qgcal_error,
) -> qgcal_status {
    ffi_status!(error_out, {
        // SAFETY: forwarded contract.
        let client = unsafe { client_arg(client) }?;
        if callback.is_none() {
            client.set_token_callback(None);
        }
        // SAFETY: forwarded contract.
        let Some(host) = (unsafe { HostFn::new(callback, userdata, drop) }) else {
            return Ok(());
        };
        client.set_token_callback(Some(Arc::new(move |token| {
            // The whole holder, not its fields (a closure would capture those alone).
            let host = &host;
            let json = c_string_lossy(token.to_json());
            // SAFETY: the host's function and userdata; the string lives through the call.
            unsafe { (host.call)(host.userdata, json.as_ptr()) };
        })));
        Ok(())
    })
}

/// The current token as JSON, refreshed first when it expires within the configured skew.
///
/// # Safety
/// `client` is NULL or a live client; `token_json_out` is NULL or writable; `error_out` is NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qgcal_client_token(
    client: *mut super::client::qgcal_client,
    token_json_out: *mut *mut c_char,
    error_out: *mut *mut qgcal_error,
) -> qgcal_status {
    // SAFETY: forwarded contract.
    unsafe { token_out(client, false, token_json_out, error_out) }
}

/// Gets a new access token now (refresh token or service account) and answers it as JSON.
///
/// # Safety
/// As `qgcal_client_token`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qgcal_client_refresh(
    client: *mut super::client::qgcal_client,
    token_json_out: *mut *mut c_char,
    error_out: *mut *mut qgcal_error,
) -> qgcal_status {
    // SAFETY: forwarded contract.
    unsafe { token_out(client, true, token_json_out, error_out) }
}

/// # Safety
/// As `qgcal_client_token`.
unsafe fn token_out(
    client: *mut super::client::qgcal_client,
    force: bool,
    token_json_out: *mut *mut c_char,
    error_out: *mut *mut qgcal_error,
) -> qgcal_status {
    ffi_status!(error_out, {
        // SAFETY: forwarded contract.
        let client = unsafe { client_arg(client) }?;
        let out = out_arg(token_json_out, "token_json_out")?;
        let token = runtime::block_on(async {
            if force {
                client.refresh().await
            } else {
                client.token().await
            }
        })?;
        // SAFETY: checked non-NULL.
        unsafe { *out = string_out(token.to_json()) };
        Ok(())
    })
}

/// Revokes the grant (access and refresh token) at the revoke endpoint and forgets the token. The host
/// should then delete its stored copy; calls need consent again.
///
/// # Safety
/// `client` is NULL or a live client; `error_out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qgcal_client_revoke(
    client: *mut super::client::qgcal_client,
    error_out: *mut *mut qgcal_error,
) -> qgcal_status {
    ffi_status!(error_out, {
        // SAFETY: forwarded contract.
        let client = unsafe { client_arg(client) }?;
        runtime::block_on(client.revoke())?;
        Ok(())
    })
}
