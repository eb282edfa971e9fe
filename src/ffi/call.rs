//! Calling Calendar methods: one call, the method list, pages, all items, sync.

use std::ffi::c_char;
use std::sync::Arc;

use super::client::{client_arg, qgcal_client};
use super::error::qgcal_error;
use super::status::qgcal_status;
use super::strings::{json_arg, opt_str_arg, out_arg, str_arg, string_out};
use crate::calendar::call::CallOptions;
use crate::calendar::methods_json;
use crate::calendar::pager::Pager;
use crate::runtime;

/// Calls any of the 38 Calendar v3 methods by its discovery id, with or without the `calendar.` prefix
/// (`events.list`, `calendar.events.insert`). `params_json` holds path and query parameters (an object,
/// or NULL), `body_json` the request body (NULL for none). Answers the response JSON: Google's own text,
/// checked and made compact (`{}` for an empty answer). Bad methods, parameters and bodies are refused
/// before any network traffic (`QGCAL_UNKNOWN_METHOD`, `QGCAL_INVALID_ARGUMENT`, `QGCAL_INVALID_JSON`),
/// and so is a request that could never be sent (a URL over 65534 bytes). A write whose answer was lost
/// is made exact where the API allows it (a repeated delete that finds the resource gone succeeded) and
/// otherwise answers `QGCAL_OUTCOME_UNKNOWN`, whose message says how to check; the README has the rule
/// of each method.
///
/// # Safety
/// Pointers are NULL or valid as their names say; outputs are writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qgcal_call(
    client: *mut qgcal_client,
    method: *const c_char,
    params_json: *const c_char,
    body_json: *const c_char,
    response_json_out: *mut *mut c_char,
    error_out: *mut *mut qgcal_error,
) -> qgcal_status {
    // SAFETY: forwarded contract.
    unsafe {
        qgcal_call_ex(
            client,
            method,
            params_json,
            body_json,
            std::ptr::null(),
            response_json_out,
            error_out,
        )
    }
}

/// `qgcal_call` with per-call options (`options_json`: a JSON object, or NULL for none): `if_match` and
/// `if_none_match` (ETags; a mismatch answers `QGCAL_PRECONDITION_FAILED`, a match on get
/// `QGCAL_NOT_MODIFIED`; a value with CR, LF, NUL or another control character answers
/// `QGCAL_INVALID_ARGUMENT` at once),
/// `fields`, `quota_user`, `timeout_ms`, `max_attempts`, and `generate_id` (default true: events.insert
/// and events.import without an `id` get a generated one, so a retried insert never duplicates).
///
/// # Safety
/// Pointers are NULL or valid as their names say; outputs are writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qgcal_call_ex(
    client: *mut qgcal_client,
    method: *const c_char,
    params_json: *const c_char,
    body_json: *const c_char,
    options_json: *const c_char,
    response_json_out: *mut *mut c_char,
    error_out: *mut *mut qgcal_error,
) -> qgcal_status {
    ffi_status!(error_out, {
        // SAFETY (all four): forwarded contract.
        let (client, method, params) = unsafe { call_args(client, method, params_json) }?;
        let body = unsafe { json_arg(body_json, "body_json") }?;
        let options =
            CallOptions::from_json(unsafe { opt_str_arg(options_json, "options_json") }?)?;
        let out = out_arg(response_json_out, "response_json_out")?;
        let body = (!body.is_null()).then_some(&body);
        let answer = runtime::block_on(client.call_text(method, &params, body, &options))?;
        // SAFETY: checked non-NULL.
        unsafe { *out = string_out(answer) };
        Ok(())
    })
}

/// Lists the supported methods as JSON: `[{"id", "http_method", "path", "required", "optional", "body",
/// "paging", "sync"}]`.
///
/// # Safety
/// Outputs are NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qgcal_methods(
    methods_json_out: *mut *mut c_char,
    error_out: *mut *mut qgcal_error,
) -> qgcal_status {
    ffi_status!(error_out, {
        let out = out_arg(methods_json_out, "methods_json_out")?;
        // SAFETY: checked non-NULL.
        unsafe { *out = string_out(methods_json()) };
        Ok(())
    })
}

/// Walks the pages of a list method, one page in memory at a time.
pub struct qgcal_pager {
    // Two host threads calling next on one pager take turns, so pages come out whole and in order; a
    // call in progress holds its own reference, so even a host that frees early cannot pull it away.
    pager: Arc<tokio::sync::Mutex<Pager>>,
}

/// Starts a pager over a list method (`events.list`, `calendarList.list`, ...). The method and
/// parameters are checked now; no request is made until `qgcal_pager_next`.
///
/// # Safety
/// Pointers are NULL or valid as their names say; outputs are writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qgcal_pager_new(
    client: *mut qgcal_client,
    method: *const c_char,
    params_json: *const c_char,
    pager_out: *mut *mut qgcal_pager,
    error_out: *mut *mut qgcal_error,
) -> qgcal_status {
    ffi_status!(error_out, {
        // SAFETY (all three): forwarded contract.
        let (client, method, params) = unsafe { call_args(client, method, params_json) }?;
        let out = out_arg(pager_out, "pager_out")?;
        let pager = Pager::new(client.clone(), method, &params)?;
        // SAFETY: checked non-NULL.
        unsafe {
            *out = Box::into_raw(Box::new(qgcal_pager {
                pager: Arc::new(tokio::sync::Mutex::new(pager)),
            }))
        };
        Ok(())
    })
}

/// Fetches the next page: `{"items": [...], "more": true|false}`, plus `"next_sync_token"` on the last
/// page of a method that has one. After the last page it answers `{"items": [], "more": false}`. The
/// items are Google's JSON, checked and made compact.
/// One thread at a time per pager.
///
/// # Safety
/// `pager` is NULL or live and used by no other thread; outputs are NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qgcal_pager_next(
    pager: *mut qgcal_pager,
    page_json_out: *mut *mut c_char,
    error_out: *mut *mut qgcal_error,
) -> qgcal_status {
    ffi_status!(error_out, {
        // SAFETY: NULL or live, per the contract.
        let pager = unsafe { pager.as_ref() }
            .ok_or_else(|| {
                qgcal_error::new(
                    qgcal_status::QGCAL_NULL_ARGUMENT,
                    "argument `pager` is NULL",
                )
            })?
            .pager
            .clone();
        let out = out_arg(page_json_out, "page_json_out")?;
        let page =
            runtime::block_on(async { pager.lock().await.next_page_text(usize::MAX).await })?;
        let json = match page {
            Some(page) => page.to_json_text(),
            None => r#"{"items":[],"more":false}"#.to_string(),
        };
        // SAFETY: checked non-NULL.
        unsafe { *out = string_out(json) };
        Ok(())
    })
}

/// Frees a pager. NULL is allowed.
///
/// # Safety
/// `pager` is NULL or from `qgcal_pager_new`, not freed before, used by no other thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qgcal_pager_free(pager: *mut qgcal_pager) {
    ffi_guard!((), {
        if !pager.is_null() {
            // SAFETY: made by Box::into_raw in qgcal_pager_new, per the contract.
            drop(unsafe { Box::from_raw(pager) });
        }
    })
}

/// Every item of a list method across all pages, as a JSON array of Google's items (checked and made
/// compact); stops after `max_items` (0: no limit).
///
/// # Safety
/// Pointers are NULL or valid as their names say; outputs are writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qgcal_list_all(
    client: *mut qgcal_client,
    method: *const c_char,
    params_json: *const c_char,
    max_items: u64,
    items_json_out: *mut *mut c_char,
    error_out: *mut *mut qgcal_error,
) -> qgcal_status {
    ffi_status!(error_out, {
        // SAFETY (all three): forwarded contract.
        let (client, method, params) = unsafe { call_args(client, method, params_json) }?;
        let out = out_arg(items_json_out, "items_json_out")?;
        let max = usize::try_from(max_items).unwrap_or(usize::MAX);
        let items = runtime::block_on(client.list_all_text(method, &params, max))?;
        // SAFETY: checked non-NULL.
        unsafe { *out = string_out(items) };
        Ok(())
    })
}

/// Syncs a list method: a full sync when `sync_token` is NULL, else only what changed since; see
/// `qgcal_sync_ex`, which this is with no options.
///
/// # Safety
/// Pointers are NULL or valid as their names say; outputs are writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qgcal_sync(
    client: *mut qgcal_client,
    method: *const c_char,
    params_json: *const c_char,
    sync_token: *const c_char,
    result_json_out: *mut *mut c_char,
    error_out: *mut *mut qgcal_error,
) -> qgcal_status {
    // SAFETY: forwarded contract.
    unsafe {
        qgcal_sync_ex(
            client,
            method,
            params_json,
            sync_token,
            std::ptr::null(),
            result_json_out,
            error_out,
        )
    }
}

/// Syncs a list method: a full sync when `sync_token` is NULL, else only what changed since (deleted
/// events come back with `"status": "cancelled"`). Follows every page and answers
/// `{"items": [...], "next_sync_token": "...", "full_resync": false}`. Parameters Google forbids with a
/// sync token are refused up front. An expired token answers `QGCAL_SYNC_TOKEN_EXPIRED` (wipe and sync
/// fully), unless `options_json` (a JSON object, or NULL) holds `{"full_resync_on_expiry": true}`: then
/// the full sync is done here and `full_resync` is true.
///
/// # Safety
/// Pointers are NULL or valid as their names say; outputs are writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qgcal_sync_ex(
    client: *mut qgcal_client,
    method: *const c_char,
    params_json: *const c_char,
    sync_token: *const c_char,
    options_json: *const c_char,
    result_json_out: *mut *mut c_char,
    error_out: *mut *mut qgcal_error,
) -> qgcal_status {
    ffi_status!(error_out, {
        // SAFETY (all five): forwarded contract.
        let (client, method, params) = unsafe { call_args(client, method, params_json) }?;
        let token = unsafe { opt_str_arg(sync_token, "sync_token") }?;
        let options =
            SyncOptions::from_json(unsafe { opt_str_arg(options_json, "options_json") }?)?;
        let out = out_arg(result_json_out, "result_json_out")?;
        let result = runtime::block_on(client.sync_text(
            method,
            &params,
            token,
            options.full_resync_on_expiry,
        ))?;
        // SAFETY: checked non-NULL.
        unsafe { *out = string_out(result) };
        Ok(())
    })
}

#[derive(Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SyncOptions {
    #[serde(default)]
    full_resync_on_expiry: bool,
}

impl SyncOptions {
    fn from_json(json: Option<&str>) -> crate::Result<SyncOptions> {
        json.map_or_else(
            || Ok(SyncOptions::default()),
            |j| crate::config::parse_json(j, "sync options"),
        )
    }
}

/// Reads the client, method id and parameters every call-like export takes.
///
/// # Safety
/// Pointers are NULL or valid as their names say.
unsafe fn call_args<'a>(
    client: *mut qgcal_client,
    method: *const c_char,
    params_json: *const c_char,
) -> Result<(&'a crate::Client, &'a str, serde_json::Value), qgcal_error> {
    // SAFETY (all three): forwarded contract.
    let client = unsafe { client_arg(client) }?;
    let method = unsafe { str_arg(method, "method") }?;
    let params = unsafe { json_arg(params_json, "params_json") }?;
    Ok((client, method, params))
}
