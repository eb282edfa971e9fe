//! `qgcal_consent`: OAuth consent by a local loopback server or by an external redirect.

use std::ffi::c_char;
use std::sync::Arc;
use std::time::Duration;

use super::client::{client_arg, qgcal_client};
use super::error::qgcal_error;
use super::status::qgcal_status;
use super::strings::{opt_str_arg, out_arg, str_arg, string_out};
use crate::oauth::consent::{ExternalOptions, LocalOptions, Session};
use crate::oauth::loopback::LocalConsent;
use crate::runtime;

/// A local-server consent in progress: a one-shot listener on 127.0.0.1 waiting for the browser.
pub struct qgcal_consent {
    // A waiting thread holds its own reference, so even a host that frees early cannot pull it away.
    consent: Arc<LocalConsent>,
}

/// Starts a local-server consent. Binds a listener on 127.0.0.1 (random port unless `port` is given) and
/// answers in `*auth_url_out` the Google consent URL (PKCE S256, random state, offline access) for the
/// host to open in the user's browser or show. `options_json` may be NULL or be an object holding `port`,
/// `callback_path`, `login_hint`, `scopes` and `include_granted_scopes`. Then call `qgcal_consent_wait`.
///
/// # Safety
/// Pointers are NULL or valid as their names say; outputs are writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qgcal_consent_start_local(
    client: *mut qgcal_client,
    options_json: *const c_char,
    consent_out: *mut *mut qgcal_consent,
    auth_url_out: *mut *mut c_char,
    error_out: *mut *mut qgcal_error,
) -> qgcal_status {
    ffi_status!(error_out, {
        // SAFETY: forwarded contract.
        let client = unsafe { client_arg(client) }?;
        // SAFETY: forwarded contract.
        let options =
            LocalOptions::from_json(unsafe { opt_str_arg(options_json, "options_json") }?)?;
        let consent_out = out_arg(consent_out, "consent_out")?;
        let url_out = out_arg(auth_url_out, "auth_url_out")?;
        let (consent, url) = runtime::block_on(client.consent_start_local(options))?;
        // SAFETY: checked non-NULL.
        unsafe {
            *consent_out = Box::into_raw(Box::new(qgcal_consent {
                consent: Arc::new(consent),
            }));
            *url_out = string_out(url.to_string());
        }
        Ok(())
    })
}

/// Blocks until the browser returns to the listener and the code is exchanged, then answers the token
/// JSON (also handed to the token callback). `timeout_ms` 0 waits without limit. Denial answers
/// `QGCAL_CONSENT_DENIED`; a timeout `QGCAL_TIMEOUT`; `qgcal_consent_cancel` from another thread
/// `QGCAL_CANCELLED`. The listener closes after success, denial, cancel or timeout.
///
/// # Safety
/// `consent` is NULL or live; outputs are NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qgcal_consent_wait(
    consent: *mut qgcal_consent,
    timeout_ms: u32,
    token_json_out: *mut *mut c_char,
    error_out: *mut *mut qgcal_error,
) -> qgcal_status {
    ffi_status!(error_out, {
        // SAFETY: forwarded contract.
        let consent = unsafe { consent_arg(consent) }?.consent.clone();
        let out = out_arg(token_json_out, "token_json_out")?;
        let limit = (timeout_ms > 0).then(|| Duration::from_millis(timeout_ms.into()));
        let token = runtime::block_on(async move { consent.wait(limit).await })?;
        // SAFETY: checked non-NULL.
        unsafe { *out = string_out(token.to_json()) };
        Ok(())
    })
}

/// Cancels a consent: the listener closes and a thread blocked in `qgcal_consent_wait` returns
/// `QGCAL_CANCELLED`. Safe to call from any thread while another waits.
///
/// # Safety
/// `consent` is NULL or live; `error_out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qgcal_consent_cancel(
    consent: *mut qgcal_consent,
    error_out: *mut *mut qgcal_error,
) -> qgcal_status {
    ffi_status!(error_out, {
        // SAFETY: forwarded contract.
        unsafe { consent_arg(consent) }?.consent.cancel();
        Ok(())
    })
}

/// Frees a consent, cancelling it if still waiting. NULL is allowed. No other thread may be using it.
///
/// # Safety
/// `consent` is NULL or from `qgcal_consent_start_local`, not freed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qgcal_consent_free(consent: *mut qgcal_consent) {
    ffi_guard!((), {
        if !consent.is_null() {
            // SAFETY: made by Box::into_raw in qgcal_consent_start_local, per the contract.
            let consent = unsafe { Box::from_raw(consent) };
            consent.consent.cancel();
        }
    })
}

/// Starts an external-redirect consent for a host with its own web endpoint or behind a relay.
/// `options_json` is an object holding `redirect_uri` (required: where the browser comes back to the host) and
/// optionally `relay_url`, `state`, `login_hint`, `scopes`, `include_granted_scopes`. With `relay_url` (the
/// redirect URI registered at Google, e.g. a `qgcal relay`), Google sends the browser to the relay and
/// the relay sends it on to `redirect_uri`, which the state carries with a random nonce; both URLs must
/// be https (or http to loopback) without query or fragment. Without a relay, `state` may be the host's
/// own (one its redirect handler routes by: 1-512 bytes, no control characters; a random one when
/// absent); PKCE S256 either way. Answers the consent URL and a session JSON
/// (state, PKCE verifier, redirect URI, return address, scopes, creation time) that the host keeps
/// privately until the browser comes back: a relay sees only the code and state, never the verifier,
/// the client secret or the token.
///
/// # Safety
/// Pointers are NULL or valid as their names say; outputs are writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qgcal_consent_start_external(
    client: *mut qgcal_client,
    options_json: *const c_char,
    auth_url_out: *mut *mut c_char,
    session_json_out: *mut *mut c_char,
    error_out: *mut *mut qgcal_error,
) -> qgcal_status {
    ffi_status!(error_out, {
        // SAFETY: forwarded contract.
        let client = unsafe { client_arg(client) }?;
        // SAFETY: forwarded contract.
        let options =
            ExternalOptions::from_json(unsafe { str_arg(options_json, "options_json") }?)?;
        let url_out = out_arg(auth_url_out, "auth_url_out")?;
        let session_out = out_arg(session_json_out, "session_json_out")?;
        let (url, session) = client.consent_start_external(&options)?;
        // SAFETY: checked non-NULL.
        unsafe {
            *url_out = string_out(url.to_string());
            *session_out = string_out(session.to_json());
        }
        Ok(())
    })
}

/// Completes an external-redirect consent: checks the callback's state against the session (through a
/// relay: its return address and nonce), the session's age and client, exchanges the code and answers
/// the token JSON. `callback_url` is the full URL the browser came back to, or just its query string.
///
/// # Safety
/// Pointers are NULL or valid as their names say; outputs are writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qgcal_consent_complete(
    client: *mut qgcal_client,
    session_json: *const c_char,
    callback_url: *const c_char,
    token_json_out: *mut *mut c_char,
    error_out: *mut *mut qgcal_error,
) -> qgcal_status {
    ffi_status!(error_out, {
        // SAFETY: forwarded contract.
        let client = unsafe { client_arg(client) }?;
        // SAFETY: forwarded contract.
        let session = Session::from_json(unsafe { str_arg(session_json, "session_json") }?)?;
        // SAFETY: forwarded contract.
        let callback = unsafe { str_arg(callback_url, "callback_url") }?;
        let out = out_arg(token_json_out, "token_json_out")?;
        let token = runtime::block_on(client.consent_complete(&session, callback))?;
        // SAFETY: checked non-NULL.
        unsafe { *out = string_out(token.to_json()) };
        Ok(())
    })
}

/// # Safety
/// `consent` is NULL or live.
unsafe fn consent_arg<'a>(consent: *mut qgcal_consent) -> Result<&'a qgcal_consent, qgcal_error> {
    // SAFETY: NULL or live, per the contract.
    unsafe { consent.as_ref() }.ok_or_else(|| {
        qgcal_error::new(
            qgcal_status::QGCAL_NULL_ARGUMENT,
            "argument `consent` is NULL",
        )
    })
}
