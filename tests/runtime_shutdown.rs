//! qgcal_shutdown from a host thread: in-flight work stops, later calls answer the shut-down status.
//! In a binary of its own because shutdown is permanent for the process.

use std::ffi::CStr;
use std::time::Duration;

use qorus_gcal::ErrorKind;
use qorus_gcal::ffi::{
    qgcal_error, qgcal_error_free, qgcal_error_message, qgcal_shutdown, qgcal_status,
};
use qorus_gcal::runtime;

#[test]
fn shutdown_stops_the_runtime_and_later_calls_answer_shut_down() {
    assert_eq!(runtime::block_on(async { Ok(1) }).unwrap(), 1);

    // A call still running when shutdown comes answers the shut-down kind instead of hanging.
    let in_flight = std::thread::spawn(|| {
        runtime::block_on(async {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            Ok(())
        })
    });
    std::thread::sleep(Duration::from_millis(100));

    let mut error: *mut qgcal_error = std::ptr::null_mut();
    let status = unsafe { qgcal_shutdown(&mut error) };
    assert_eq!(status, qgcal_status::QGCAL_OK);
    assert!(error.is_null());
    assert_eq!(
        in_flight.join().unwrap().unwrap_err().kind(),
        ErrorKind::ShutDown
    );

    let err = runtime::block_on(async { Ok(()) }).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ShutDown);
    assert!(err.message().contains("shut down"), "{err}");
    assert!(runtime::is_shut_down());

    // Shutting down twice is harmless.
    assert_eq!(
        unsafe { qgcal_shutdown(std::ptr::null_mut()) },
        qgcal_status::QGCAL_OK
    );

    // From inside another runtime it is refused rather than panicking in tokio.
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let status = rt.block_on(async { unsafe { qgcal_shutdown(&mut error) } });
    assert_eq!(status, qgcal_status::QGCAL_REENTRANT_CALL);
    let message = unsafe { CStr::from_ptr(qgcal_error_message(error)) };
    assert!(message.to_str().unwrap().contains("async runtime"));
    unsafe { qgcal_error_free(error) };
}
