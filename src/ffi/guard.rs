//! The panic boundary. Every export body runs inside one of these macros.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};

use super::error::qgcal_error;
use super::status::qgcal_status;

/// Runs a fallible export body: returns its status, stores the error in `*error_out` (when not NULL) on
/// failure, and turns a panic into `QGCAL_PANIC`.
macro_rules! ffi_status {
    ($error_out:expr, $body:block) => {
        $crate::ffi::guard::run_status(
            $error_out,
            #[allow(unused_unsafe)]
            move || -> ::std::result::Result<(), $crate::ffi::qgcal_error> { $body },
        )
    };
}

/// Runs an infallible export body (frees, accessors); a panic answers `$fallback`.
macro_rules! ffi_guard {
    ($fallback:expr, $body:block) => {
        $crate::ffi::guard::run_guarded(
            #[allow(unused_unsafe)]
            move || $body,
            $fallback,
        )
    };
}

pub fn run_status<F>(error_out: *mut *mut qgcal_error, body: F) -> qgcal_status
where
    F: FnOnce() -> Result<(), qgcal_error>,
{
    let outcome = catch_unwind(AssertUnwindSafe(body))
        .unwrap_or_else(|payload| Err(qgcal_error::from_panic(payload_text(&*payload))));
    match outcome {
        Ok(()) => qgcal_status::QGCAL_OK,
        Err(error) => {
            let status = error.status();
            if !error_out.is_null() {
                // SAFETY: the caller passed a writable `qgcal_error **` or NULL (checked above).
                unsafe { *error_out = Box::into_raw(Box::new(error)) };
            }
            status
        }
    }
}

pub fn run_guarded<T, F: FnOnce() -> T>(body: F, fallback: T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
}

fn payload_text(payload: &(dyn Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "(no message)"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ffi::{qgcal_error_free, qgcal_error_message, qgcal_error_status};
    use std::ffi::CStr;

    // What an export looks like when its body panics.
    unsafe extern "C" fn exploding_export(error_out: *mut *mut qgcal_error) -> qgcal_status {
        ffi_status!(error_out, {
            if error_out.is_null() || !error_out.is_null() {
                panic!("test-only panic");
            }
            Ok(())
        })
    }

    extern "C" fn exploding_accessor() -> i32 {
        ffi_guard!(-1, {
            if true {
                panic!("test-only panic in an accessor");
            }
            7
        })
    }

    #[test]
    fn a_panic_becomes_the_panic_status_with_a_message() {
        let mut error: *mut qgcal_error = std::ptr::null_mut();
        let status = unsafe { exploding_export(&mut error) };
        assert_eq!(status, qgcal_status::QGCAL_PANIC);
        assert!(!error.is_null());
        unsafe {
            assert_eq!(qgcal_error_status(error), qgcal_status::QGCAL_PANIC);
            let message = CStr::from_ptr(qgcal_error_message(error)).to_str().unwrap();
            assert!(message.contains("test-only panic"), "{message}");
            qgcal_error_free(error);
        }
    }

    #[test]
    fn a_panic_with_a_null_error_out_still_answers_the_status() {
        let status = unsafe { exploding_export(std::ptr::null_mut()) };
        assert_eq!(status, qgcal_status::QGCAL_PANIC);
    }

    #[test]
    fn a_panic_in_an_infallible_export_answers_the_fallback() {
        assert_eq!(exploding_accessor(), -1);
    }
}
