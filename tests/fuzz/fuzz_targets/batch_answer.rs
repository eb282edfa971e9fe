//! The batch answer parser (`multipart/mixed` of `application/http` parts, src/http/multipart.rs) and
//! what `qgcal_batch` does with each part (Google's error reason, the body as compact JSON).
//!
//! Input, first byte even: the `Content-Type` up to the first line break, then the body, as raw as a
//! server could send it. Odd: NUL-separated parts (two bytes of status, then the body) written out
//! as Google writes an answer, which must read back exactly.
#![no_main]

use libfuzzer_sys::fuzz_target;

const BOUNDARY: &str = "batch_fuzz";

fn raw(data: &[u8]) {
    let (content_type, body) = match memchr(b'\n', data) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let content_type = String::from_utf8_lossy(content_type);
    if let Ok(parts) = qorus_gcal::fuzz_api::batch_answer(&content_type, body) {
        for p in parts {
            assert!((100..=599).contains(&p.part.status));
            assert!(p.part.body.len() <= body.len());
            if let Ok(json) = p.json {
                let compact: serde_json::Value =
                    serde_json::from_str(&json).expect("the compact text is JSON");
                if !p.part.body.iter().all(u8::is_ascii_whitespace) {
                    let original: serde_json::Value =
                        serde_json::from_slice(&p.part.body).expect("checked as JSON");
                    assert_eq!(compact, original, "compacting changed the JSON");
                }
            }
        }
    }
}

fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&b| b == needle)
}

fn round_trip(data: &[u8]) {
    let with_length = data.first().is_some_and(|b| b & 2 != 0);
    let parts: Vec<(u16, &[u8])> = data
        .get(1..)
        .unwrap_or_default()
        .split(|&b| b == 0)
        .filter_map(|p| match p {
            [hi, lo, body @ ..] => Some((100 + u16::from_be_bytes([*hi, *lo]) % 500, body)),
            _ => None,
        })
        .collect();
    // A body holding the delimiter would end its part early: no writer sends that.
    if parts.iter().any(|(_, b)| {
        b.windows(BOUNDARY.len() + 2)
            .any(|w| &w[2..] == BOUNDARY.as_bytes() && &w[..2] == b"--")
    }) {
        return;
    }
    let mut answer = Vec::new();
    for (i, (status, body)) in parts.iter().enumerate() {
        answer.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Type: application/http\r\nContent-ID: <response-{i}>\r\n\r\n\
                 HTTP/1.1 {status} Whatever\r\nContent-Type: application/json; charset=UTF-8\r\n"
            )
            .as_bytes(),
        );
        if with_length {
            answer.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
        }
        answer.extend_from_slice(b"\r\n");
        answer.extend_from_slice(body);
        answer.extend_from_slice(b"\r\n");
    }
    answer.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    let read = qorus_gcal::fuzz_api::batch_answer(
        &format!("multipart/mixed; boundary={BOUNDARY}"),
        &answer,
    )
    .unwrap_or_else(|e| panic!("a well-formed answer does not read: {e}"));
    assert_eq!(read.len(), parts.len(), "parts lost or invented");
    for (i, (p, (status, body))) in read.iter().zip(&parts).enumerate() {
        assert_eq!(p.part.content_id.as_deref(), Some(i.to_string().as_str()));
        assert_eq!(p.part.status, *status);
        assert_eq!(&p.part.body[..], *body, "part {i}'s body");
    }
}

fuzz_target!(|data: &[u8]| {
    match data.first() {
        Some(b) if b % 2 == 1 => round_trip(data),
        Some(_) => raw(&data[1..]),
        None => {}
    }
});
