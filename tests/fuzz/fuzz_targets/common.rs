//! Shared by the fuzz targets.
#![allow(dead_code)]

use serde_json::Value;

/// The input cut at NUL bytes into up to `n` fields (C strings never hold a NUL, so it is a natural
/// separator); a missing field is `None`, as a NULL argument would be.
pub fn fields(data: &[u8], n: usize) -> Vec<Option<&[u8]>> {
    let mut out: Vec<Option<&[u8]>> = data.splitn(n, |&b| b == 0).map(Some).collect();
    out.resize(n, None);
    out
}

/// A field as text, the way the C API reads it: invalid UTF-8 never gets this far.
pub fn text(field: Option<&[u8]>) -> Option<Option<&str>> {
    match field {
        None => Some(None),
        Some(bytes) => std::str::from_utf8(bytes).ok().map(Some),
    }
}

/// Every string inside `value` (keys excluded).
pub fn strings<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::String(s) => out.push(s),
        Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        Value::Object(map) => map.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

/// Panics when `said` (an error message, a Debug rendering) shows one of `secrets`. Only secrets long
/// enough to be unmistakable, and found once in the whole input, are checked: a short or repeated one
/// may be in the message for another reason (a key name, a word of the message itself).
pub fn assert_no_secret(said: &str, secrets: &[&str], input: &str, what: &str) {
    for secret in secrets {
        if secret.len() >= 8
            && input.matches(*secret).count() == 1
            && !KNOWN_WORDS.iter().any(|w| w.contains(*secret))
        {
            assert!(
                !said.contains(*secret),
                "{what} shows the secret {secret:?}: {said}"
            );
        }
    }
}

/// Text the library's own messages may contain whatever the input.
const KNOWN_WORDS: &[&str] = &[
    "invalid type: string, expected a string or struct Token or struct ServiceAccountKey",
    "access_token refresh_token expires_at scope token_type Bearer",
    "https://www.googleapis.com/auth/calendar https://oauth2.googleapis.com/token",
];
