//! `qgcal_parse_notification`: webhook headers as JSON. A notification is complete and well-formed, or
//! refused with an argument or JSON error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qorus_gcal::ErrorKind;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match qorus_gcal::fuzz_api::notification(text) {
        Ok(n) => {
            for key in ["channel_id", "resource_id", "resource_uri"] {
                assert!(
                    n[key].as_str().is_some_and(|s| !s.is_empty()),
                    "{key} missing from {n}"
                );
            }
            assert!(n["message_number"].is_u64(), "{n}");
            assert!(
                matches!(
                    n["resource_state"].as_str(),
                    Some("sync" | "exists" | "not_exists")
                ),
                "{n}"
            );
            for key in ["channel_token", "channel_expiration"] {
                assert!(n[key].is_null() || n[key].is_string(), "{n}");
            }
        }
        Err(e) => assert!(
            matches!(
                e.kind(),
                ErrorKind::InvalidJson | ErrorKind::InvalidArgument
            ),
            "{e:?}"
        ),
    }
});
