//! The emulator's Calendar v3 handling of request bodies, paths and query strings
//! (`calendar::Calendars::handle`): up to eight requests in a row on one fresh set of calendars, each
//! four NUL-separated fields (HTTP method, path after `/calendar/v3`, raw query, body). Every request
//! gets an answer with an HTTP status.
#![no_main]

use std::time::SystemTime;

use gcal_emulator::calendar::{ApiRequest, Calendars};
use libfuzzer_sys::fuzz_target;

const USER: &str = "user@example.com";

fuzz_target!(|data: &[u8]| {
    let fields: Vec<&[u8]> = data.split(|&b| b == 0).collect();
    let mut calendars = Calendars::new();
    calendars.add_user(USER);
    let scopes = vec!["https://www.googleapis.com/auth/calendar".to_string()];
    for request in fields.chunks(4).take(8) {
        let [method, path, query, body] = request else {
            return;
        };
        let (Ok(method), Ok(path), Ok(query)) = (
            std::str::from_utf8(method),
            std::str::from_utf8(path),
            std::str::from_utf8(query),
        ) else {
            return;
        };
        let query = gcal_emulator::fuzz_api::pairs(query);
        let req = ApiRequest {
            http_method: method,
            path,
            query: &query,
            body,
            if_match: None,
            if_none_match: None,
            user: USER,
            scopes: &scopes,
            page_limit: None,
            now: SystemTime::now(),
        };
        let resp = calendars.handle(&req);
        assert!((100..600).contains(&resp.status), "status {}", resp.status);
        if (200..300).contains(&resp.status)
            && let Some(body) = &resp.body
        {
            assert!(
                body.is_object(),
                "a 2xx answer that is not an object: {body}"
            );
        }
    }
});
