//! Entry points for the fuzz targets in `tests/fuzz/`: the emulator's own readers of what clients send
//! (batch bodies, query strings and forms, `fields` selectors, redirect and push addresses).
//!
//! Built only with the `fuzzing` feature, hidden from the docs, and not an API. The calendar module's
//! request handling (`calendar::Calendars::handle`) is public already and fuzzed through that.

use bytes::Bytes;
use serde_json::Value;

/// One part of a batch request as the batch endpoint reads it.
#[derive(Debug)]
pub struct BatchPart {
    pub content_id: Option<String>,
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: Vec<u8>,
}

/// A batch request body with its `Content-Type`, read into parts; `Err` is the 400's message.
pub fn batch_request(content_type: &str, body: &[u8]) -> Result<Vec<BatchPart>, String> {
    let body = Bytes::copy_from_slice(body);
    let parts = crate::batch::parse(content_type, &body)?;
    Ok(parts
        .into_iter()
        .map(|p| BatchPart {
            content_id: p.content_id.map(str::to_string),
            method: p.method.to_string(),
            target: p.target.to_string(),
            headers: p
                .headers
                .iter()
                .map(|(k, v)| (k.as_str().to_string(), v.as_bytes().to_vec()))
                .collect(),
            body: p.body.to_vec(),
        })
        .collect())
}

/// A query string or form body (`a=b&c=d`) as every endpoint decodes it.
pub fn pairs(text: &str) -> Vec<(String, String)> {
    crate::util::parse_pairs(text)
}

/// A partial-response selector (`fields=items(id,summary)`) applied to an answer.
pub fn fields(value: &Value, selector: &str) -> Value {
    crate::fields::filter(value, selector)
}

/// Whether consent accepts a redirect URI as a loopback one (any port, no registration).
pub fn is_loopback_redirect(uri: &str) -> bool {
    crate::util::is_loopback_redirect(uri)
}

/// Where push notifications for a channel address go (host, port, path), if it is loopback.
pub fn push_target(address: &str) -> Option<(String, u16, String)> {
    crate::util::loopback_target(address)
}
