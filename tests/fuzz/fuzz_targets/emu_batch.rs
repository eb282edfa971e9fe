//! The emulator's batch endpoint reading a `multipart/mixed` request (tests/emulator/src/batch.rs):
//! `Content-Type` up to the first line break, then the body. Parts it accepts are requests it can run.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (content_type, body) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let Ok(content_type) = std::str::from_utf8(content_type) else {
        return;
    };
    match gcal_emulator::fuzz_api::batch_request(content_type, body) {
        Ok(parts) => {
            assert!(
                !parts.is_empty() && parts.len() <= 1000,
                "{} parts",
                parts.len()
            );
            for p in parts {
                assert!(!p.method.is_empty() && p.method.bytes().all(|b| b.is_ascii_uppercase()));
                assert!(p.target.starts_with('/'), "{:?}", p.target);
                assert!(p.body.len() <= body.len());
                let (path, query) = p.target.split_once('?').unwrap_or((&p.target, ""));
                gcal_emulator::fuzz_api::pairs(query);
                gcal_emulator::calendar::Calendars::route(&p.method, path);
            }
        }
        Err(message) => assert!(!message.is_empty()),
    }
});
