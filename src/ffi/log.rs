//! Log records for the host: a callback for the whole library, and one per client.

use std::ffi::{CString, c_char, c_void};
use std::sync::Arc;

use super::client::{client_arg, qgcal_client};
use super::error::qgcal_error;
use super::host_fn::{HostFn, qgcal_drop_callback};
use super::status::qgcal_status;
use super::strings::c_string_lossy;
use crate::observe::{self, LogLevel, LogRecord, LogSink};

/// Logging off: the callback is kept but receives nothing.
pub const QGCAL_LOG_OFF: i32 = 0;
/// Failures of the library itself.
pub const QGCAL_LOG_ERROR: i32 = 1;
/// What an operator should look at: failed token requests, requests that failed for good on the
/// network, a 5xx or a 429, refused consent callbacks.
pub const QGCAL_LOG_WARN: i32 = 2;
/// Retries, tokens obtained, consent steps, revocation, runtime start and shutdown, other failed requests.
pub const QGCAL_LOG_INFO: i32 = 3;
/// Every HTTP attempt (method, path, status, duration), batch chunks, clients created.
pub const QGCAL_LOG_DEBUG: i32 = 4;
/// Also each request as it leaves and the answer's headers (secret headers redacted).
pub const QGCAL_LOG_TRACE: i32 = 5;

/// One log record, valid only during the callback (copy what you keep).
#[repr(C)]
pub struct qgcal_log_record {
    /// `QGCAL_LOG_ERROR` to `QGCAL_LOG_TRACE`.
    pub level: i32,
    /// Where in the library it comes from, e.g. `"qorus_gcal::http::send"`.
    pub target: *const c_char,
    /// A line for people, e.g. `"GET events.get answered HTTP 200"`.
    pub message: *const c_char,
    /// The record's fields as a JSON object, e.g. `{"method":"events.get","http_method":"GET",
    /// "path":"/calendar/v3/calendars/primary/events/abc","attempt":1,"http_status":200,
    /// "duration_ms":12.5,"request_id":"3-17","bytes_in":812}`. The README lists every field.
    pub fields_json: *const c_char,
    /// The client the record concerns (`qgcal_client_id`), or 0 for the library as a whole.
    pub client_id: u64,
    /// When it was logged, in Unix milliseconds.
    pub timestamp_ms: i64,
}

/// Receives a log record. Runs on the thread that logged: a host thread inside a qgcal call, or a
/// library thread (`qgcal-rt-N`, e.g. for local consent); possibly on several threads at once. It may
/// call `qgcal_set_log_callback`, `qgcal_client_set_log_callback` and the statistics functions. It
/// should make no blocking qgcal call: for a record logged inside a request (most are) that answers
/// `QGCAL_REENTRANT_CALL`; nothing deadlocks either way, and what the callback makes the library log on
/// its thread is dropped, never delivered into it. It must return promptly: the call that logged
/// waits for it.
pub type qgcal_log_callback =
    Option<unsafe extern "C" fn(userdata: *mut c_void, record: *const qgcal_log_record)>;

type HostLog = HostFn<unsafe extern "C" fn(*mut c_void, *const qgcal_log_record)>;

fn deliver(host: &HostLog, record: &LogRecord) {
    let target = c_string_lossy(record.target.to_string());
    let message = c_string_lossy(record.message.clone());
    let fields: CString = c_string_lossy(record.fields_json());
    let c_record = qgcal_log_record {
        level: record.level as i32,
        target: target.as_ptr(),
        message: message.as_ptr(),
        fields_json: fields.as_ptr(),
        client_id: record.client,
        timestamp_ms: record.timestamp_ms,
    };
    // SAFETY: the host's function and userdata; the record and its strings live through the call.
    unsafe { (host.call)(host.userdata, &c_record) };
}

fn level_arg(level: i32) -> Result<LogLevel, qgcal_error> {
    LogLevel::from_number(level).ok_or_else(|| {
        qgcal_error::new(
            qgcal_status::QGCAL_INVALID_ARGUMENT,
            format!(
                "argument `level` must be QGCAL_LOG_OFF (0) to QGCAL_LOG_TRACE (5), got {level}"
            ),
        )
    })
}

/// The sink for `callback`, or `None` (after running `drop` at once) when it is NULL.
///
/// # Safety
/// The function pointers are NULL or valid; `userdata` is what they expect.
unsafe fn sink_of(
    callback: qgcal_log_callback,
    userdata: *mut c_void,
    drop: qgcal_drop_callback,
) -> Option<LogSink> {
    // SAFETY: forwarded contract.
    let host: HostLog = unsafe { HostFn::new(callback, userdata, drop) }?;
    Some(Arc::new(move |record: &LogRecord| deliver(&host, record)))
}

/// Sends the library's log records up to `level` (`QGCAL_LOG_ERROR` ... `QGCAL_LOG_TRACE`) to
/// `callback`: every record, whatever client it concerns. The default is no callback: silent. A NULL
/// `callback` removes it (its `drop`, if given, then runs at once with `userdata`). The callback it
/// replaces gets its `drop` once, after its last call has returned. A bad `level` answers
/// `QGCAL_INVALID_ARGUMENT` and changes nothing (`drop` is not called). No record carries a token,
/// authorization code, client secret, PKCE verifier, private key, `Authorization` header or query string.
///
/// # Safety
/// The function pointers are NULL or valid and, with `userdata`, usable from any thread; `error_out` is
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qgcal_set_log_callback(
    level: i32,
    callback: qgcal_log_callback,
    userdata: *mut c_void,
    drop: qgcal_drop_callback,
    error_out: *mut *mut qgcal_error,
) -> qgcal_status {
    ffi_status!(error_out, {
        let level = level_arg(level)?;
        // SAFETY: forwarded contract.
        let sink = unsafe { sink_of(callback, userdata, drop) };
        observe::set_process_sink(level, sink);
        Ok(())
    })
}

/// Like `qgcal_set_log_callback`, for the records of one client only (their `client_id` is this
/// client's): a host that keeps a log per connection gives each client its own. Both callbacks receive
/// a record when both want it. Freeing the client drops its callback (after its last call).
///
/// # Safety
/// `client` is NULL or a live client; otherwise as `qgcal_set_log_callback`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qgcal_client_set_log_callback(
    client: *mut qgcal_client,
    level: i32,
    callback: qgcal_log_callback,
    userdata: *mut c_void,
    drop: qgcal_drop_callback,
    error_out: *mut *mut qgcal_error,
) -> qgcal_status {
    ffi_status!(error_out, {
        // SAFETY: forwarded contract.
        let client = unsafe { client_arg(client) }?;
        let level = level_arg(level)?;
        // SAFETY: forwarded contract.
        let sink = unsafe { sink_of(callback, userdata, drop) };
        client.set_log_sink(level, sink);
        Ok(())
    })
}

/// The client's id, unique in the process and never 0: the `client_id` of its log records. 0 for NULL.
///
/// # Safety
/// `client` is NULL or a live client.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qgcal_client_id(client: *const qgcal_client) -> u64 {
    ffi_guard!(0, {
        // SAFETY: NULL or live, per the contract.
        unsafe { client.as_ref() }.map_or(0, |c| c.client.id())
    })
}
