//! Batches and push notifications.

use std::ffi::c_char;

use super::client::{client_arg, qgcal_client};
use super::error::qgcal_error;
use super::status::qgcal_status;
use super::strings::{opt_str_arg, out_arg, str_arg, string_out};
use crate::calendar::batch::{BatchCallJson, BatchOptions};
use crate::calendar::notification::parse_notification;
use crate::config::parse_json;
use crate::runtime;

/// Runs many calls in few HTTP requests: `requests_json` is `[{"method", "params", "body"}, ...]`, sent
/// as `multipart/mixed` to the batch endpoint 50 calls at a time. Answers one result per call, in order:
/// `{"status": 200, "body": {...}}` or `{"status": N, "error": {"kind", "message", "http_status",
/// "reason"}}` (`status` 0 for a call never sent, such as one with invalid parameters). Calls that failed
/// with a retryable error are retried (rate limits for every method, other transient errors where a
/// repeat cannot do harm), no sooner than a part's `Retry-After`. Each call is an object; an array there
/// refuses the whole batch. When a request's answer is lost, each of its calls is answered in its place:
/// a write that may have been applied with `OUTCOME_UNKNOWN`, a read with `NETWORK_ERROR`.
///
/// # Safety
/// Pointers are NULL or valid as their names say; outputs are writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qgcal_batch(
    client: *mut qgcal_client,
    requests_json: *const c_char,
    responses_json_out: *mut *mut c_char,
    error_out: *mut *mut qgcal_error,
) -> qgcal_status {
    // SAFETY: forwarded contract.
    unsafe {
        qgcal_batch_ex(
            client,
            requests_json,
            std::ptr::null(),
            responses_json_out,
            error_out,
        )
    }
}

/// `qgcal_batch` with options (`options_json`: a JSON object, or NULL for none): `chunk_size`, calls
/// per HTTP request (1–1000, default 50), and `concurrency`, batch requests in flight at once (1–16,
/// default 2; Google runs the calls of a batch in no set order, so chunks side by side promise no less).
///
/// # Safety
/// Pointers are NULL or valid as their names say; outputs are writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qgcal_batch_ex(
    client: *mut qgcal_client,
    requests_json: *const c_char,
    options_json: *const c_char,
    responses_json_out: *mut *mut c_char,
    error_out: *mut *mut qgcal_error,
) -> qgcal_status {
    ffi_status!(error_out, {
        // SAFETY (all three): forwarded contract.
        let client = unsafe { client_arg(client) }?;
        // Each call's parameters are read when its chunk goes out; bodies pass through as text.
        let calls: Vec<BatchCallJson<'_>> = parse_json(
            unsafe { str_arg(requests_json, "requests_json") }?,
            "requests_json",
        )?;
        let options: BatchOptions = match unsafe { opt_str_arg(options_json, "options_json") }? {
            Some(json) => parse_json(json, "batch options")?,
            None => BatchOptions::default(),
        };
        let out = out_arg(responses_json_out, "responses_json_out")?;
        let results = runtime::block_on(client.batch_json(&calls, &options))?;
        // SAFETY: checked non-NULL.
        unsafe { *out = string_out(results) };
        Ok(())
    })
}

/// Reads the `X-Goog-*` headers a webhook received (`headers_json`: an object of name → value, any
/// case, or an array of `[name, value]` pairs, as some servers hand headers over) into `{"channel_id", "message_number", "resource_id", "resource_state", "resource_uri",
/// "channel_token", "channel_expiration"}`. An incomplete notification answers `QGCAL_INVALID_ARGUMENT`
/// naming the missing header.
///
/// # Safety
/// Pointers are NULL or valid as their names say; outputs are writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qgcal_parse_notification(
    headers_json: *const c_char,
    notification_json_out: *mut *mut c_char,
    error_out: *mut *mut qgcal_error,
) -> qgcal_status {
    ffi_status!(error_out, {
        // SAFETY: forwarded contract.
        let headers: serde_json::Value = parse_json(
            unsafe { str_arg(headers_json, "headers_json") }?,
            "headers_json",
        )?;
        let out = out_arg(notification_json_out, "notification_json_out")?;
        let notification = parse_notification(&headers)?;
        // SAFETY: checked non-NULL.
        unsafe { *out = string_out(notification.to_string()) };
        Ok(())
    })
}
