//! `qgcal_call_ex` up to the network: method, `params_json`, `body_json` and `options_json` (the
//! input's NUL-separated fields; a missing field is NULL). A call is refused with an argument, JSON or
//! unknown-method error, or prepared into a request that can actually be sent: a request refused only
//! when it is built would be retried as a network failure.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use qorus_gcal::ErrorKind;
use qorus_gcal::calendar::lookup;

fuzz_target!(|data: &[u8]| {
    let f = common::fields(data, 4);
    let (Some(Some(method)), Some(params), Some(body), Some(options)) = (
        common::text(f[0]),
        common::text(f[1]),
        common::text(f[2]),
        common::text(f[3]),
    ) else {
        return;
    };
    match qorus_gcal::fuzz_api::prepare_call(method, params, body, options) {
        Ok(call) => {
            let spec = lookup(method).expect("a prepared call has a known method");
            assert_eq!(call.method_id, spec.id);
            assert_eq!(call.http_method, spec.http_method);
            assert!(
                call.url.starts_with(&qorus_gcal::fuzz_api::call_api_base()),
                "{} leaves the API base",
                call.url
            );
            if let Some(body) = &call.body {
                serde_json::from_slice::<serde_json::Value>(body).expect("the body sent is JSON");
            }
            if let Err(why) = &call.built {
                panic!("prepared, but the request cannot be built ({why}): {call:?}");
            }
        }
        Err(e) => {
            assert!(
                matches!(
                    e.kind(),
                    ErrorKind::InvalidJson | ErrorKind::InvalidArgument | ErrorKind::UnknownMethod
                ),
                "{e:?}"
            );
            assert!(!e.message().is_empty());
            if e.kind() == ErrorKind::UnknownMethod {
                assert!(
                    lookup(method).is_none(),
                    "a known method called unknown: {e}"
                );
            }
        }
    }
});
