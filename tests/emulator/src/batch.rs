//! The batch endpoint: `multipart/mixed` of `application/http` parts in and out.

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue};

use crate::cal::Calendars;
use crate::errors::google_error;
use crate::faults::DropWhen;
use crate::log::{Entry, Record};
use crate::reply::Reply;
use crate::server::{Outcome, before};
use crate::state::Shared;
use crate::util::{parse_pairs, random_token};

/// Google's limit of calls per batch.
pub const MAX_PARTS: usize = 1000;

/// One inner request.
pub struct Part {
    pub content_id: Option<String>,
    pub method: String,
    /// Path with query, e.g. `/calendar/v3/calendars/primary/events?maxResults=5`.
    pub target: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

fn bad_request(message: &str) -> Reply {
    Reply::json(400, &google_error(400, "global", "badRequest", message))
}

/// The boundary from `multipart/mixed; boundary=...`.
fn boundary(content_type: &str) -> Option<String> {
    let mut pieces = content_type.split(';');
    let mime = pieces.next()?.trim();
    if !mime.eq_ignore_ascii_case("multipart/mixed") {
        return None;
    }
    pieces.find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_string())
            .filter(|b| !b.is_empty())
    })
}

/// Splits a header block from what follows the first blank line.
fn split_head(s: &str) -> (&str, &str) {
    let crlf = s.find("\r\n\r\n").map(|i| (i, 4));
    let lf = s.find("\n\n").map(|i| (i, 2));
    match (crlf, lf) {
        (Some(a), Some(b)) if b.0 < a.0 => (&s[..b.0], &s[b.0 + b.1..]),
        (Some(a), _) => (&s[..a.0], &s[a.0 + a.1..]),
        (None, Some(b)) => (&s[..b.0], &s[b.0 + b.1..]),
        (None, None) => (s, ""),
    }
}

fn header_lines(block: &str) -> impl Iterator<Item = (&str, &str)> {
    block
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim(), v.trim()))
}

/// Parses the whole multipart body; `Err` is the message for a 400.
pub fn parse(content_type: &str, body: &[u8]) -> Result<Vec<Part>, String> {
    let boundary =
        boundary(content_type).ok_or("Content-Type must be multipart/mixed with a boundary.")?;
    let text = std::str::from_utf8(body).map_err(|_| "Batch body is not UTF-8.")?;
    let delim = format!("--{boundary}");
    let start = text.find(&delim).ok_or("Batch body has no parts.")?;
    let mut rest = &text[start + delim.len()..];
    let mut parts = Vec::new();
    loop {
        if rest.starts_with("--") {
            break;
        }
        let Some(next) = rest.find(&delim) else {
            return Err("Batch body is not terminated.".into());
        };
        let raw = rest[..next].trim_start_matches([' ', '\t']);
        let raw = raw
            .strip_prefix("\r\n")
            .or_else(|| raw.strip_prefix('\n'))
            .unwrap_or(raw);
        let raw = raw
            .strip_suffix("\r\n")
            .or_else(|| raw.strip_suffix('\n'))
            .unwrap_or(raw);
        parts.push(parse_part(raw)?);
        if parts.len() > MAX_PARTS {
            return Err(format!(
                "Too many requests in batch: the limit is {MAX_PARTS}."
            ));
        }
        rest = &rest[next + delim.len()..];
    }
    if parts.is_empty() {
        return Err("Batch body has no parts.".into());
    }
    Ok(parts)
}

fn parse_part(raw: &str) -> Result<Part, String> {
    let (head, inner) = split_head(raw);
    let mut content_id = None;
    for (k, v) in header_lines(head) {
        if k.eq_ignore_ascii_case("content-id") {
            content_id = Some(v.trim_start_matches('<').trim_end_matches('>').to_string());
        } else if k.eq_ignore_ascii_case("content-type")
            && !v.to_ascii_lowercase().starts_with("application/http")
        {
            return Err(format!(
                "Batch part has Content-Type {v}; expected application/http."
            ));
        }
    }
    let (req_head, req_body) = split_head(inner);
    let mut lines = req_head.lines();
    let request_line = lines.next().unwrap_or("").trim();
    let mut words = request_line.split_whitespace();
    let (Some(method), Some(url)) = (words.next(), words.next()) else {
        return Err("Batch part has no request line.".into());
    };
    if !method.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(format!("Batch part has an invalid method {method}."));
    }
    let target = match url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
    {
        Some(rest) => match rest.find('/') {
            Some(i) => rest[i..].to_string(),
            None => "/".to_string(),
        },
        None if url.starts_with('/') => url.to_string(),
        None => return Err(format!("Batch part has an invalid URL {url}.")),
    };
    let mut headers = HeaderMap::new();
    for line in lines {
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        if let (Ok(k), Ok(v)) = (
            HeaderName::from_bytes(k.trim().as_bytes()),
            HeaderValue::from_str(v.trim()),
        ) {
            headers.append(k, v);
        }
    }
    Ok(Part {
        content_id,
        method: method.to_string(),
        target,
        headers,
        body: req_body.as_bytes().to_vec(),
    })
}

/// POST `/batch/calendar/v3`.
pub async fn handle(shared: &Shared, headers: &HeaderMap, body: &Bytes) -> Outcome {
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let parts = match parse(content_type, body) {
        Ok(p) => p,
        Err(msg) => return Outcome::Reply(bad_request(&msg)),
    };
    let outer_auth = headers.get("authorization").and_then(|v| v.to_str().ok());
    let out_boundary = format!("batch_{}", random_token("").replace(['-', '_'], ""));
    let mut out = Vec::with_capacity(parts.len() * 512);
    for part in &parts {
        let reply = match run_part(shared, part, outer_auth).await {
            Outcome::Drop => return Outcome::Drop,
            Outcome::Reply(r) => r,
        };
        write_part(&mut out, &out_boundary, part.content_id.as_deref(), &reply);
    }
    out.extend_from_slice(format!("--{out_boundary}--\r\n").as_bytes());
    Outcome::Reply(Reply {
        status: 200,
        headers: vec![(
            "Content-Type".into(),
            format!("multipart/mixed; boundary={out_boundary}"),
        )],
        body: Bytes::from(out),
    })
}

async fn run_part(shared: &Shared, part: &Part, outer_auth: Option<&str>) -> Outcome {
    let (path, query) = part.target.split_once('?').unwrap_or((&part.target, ""));
    let api_path = path
        .strip_prefix("/calendar/v3")
        .filter(|p| p.starts_with('/'));
    let method_id = api_path.and_then(|p| Calendars::route(&part.method, p));
    let fault = shared.take_fault(method_id, &part.method, path);
    let outcome = match before(fault.as_ref(), false).await {
        Some(o) => o,
        None => {
            let reply = match api_path {
                Some(p) => crate::api::call(
                    shared,
                    crate::api::Call {
                        method_id,
                        method: &part.method,
                        api_path: p,
                        query: &parse_pairs(query),
                        headers: &part.headers,
                        outer_auth,
                        body: &part.body,
                        page_limit: fault.as_ref().and_then(|f| f.page_limit),
                    },
                ),
                None => Reply::json(404, &crate::errors::not_found(path)),
            };
            if fault
                .as_ref()
                .is_some_and(|f| f.drop == Some(DropWhen::After))
            {
                Outcome::Drop
            } else {
                Outcome::Reply(reply)
            }
        }
    };
    let entry = Entry::new(Record {
        method: &part.method,
        path,
        query,
        headers: &part.headers,
        body: &part.body,
        method_id,
        status: match &outcome {
            Outcome::Reply(r) => r.status,
            Outcome::Drop => 0,
        },
        fault: fault.as_ref().map(|f| f.label()),
        in_batch: true,
    });
    shared.log.lock().push(entry);
    outcome
}

fn write_part(out: &mut Vec<u8>, boundary: &str, content_id: Option<&str>, reply: &Reply) {
    out.extend_from_slice(format!("--{boundary}\r\nContent-Type: application/http\r\n").as_bytes());
    if let Some(id) = content_id {
        out.extend_from_slice(format!("Content-ID: <response-{id}>\r\n").as_bytes());
    }
    let reason = http::StatusCode::from_u16(reply.status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    out.extend_from_slice(format!("\r\nHTTP/1.1 {} {reason}\r\n", reply.status).as_bytes());
    for (k, v) in &reply.headers {
        out.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", reply.body.len()).as_bytes());
    out.extend_from_slice(&reply.body);
    out.extend_from_slice(b"\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_parts() {
        let body = "--xyz\r\nContent-Type: application/http\r\nContent-ID: <a1>\r\n\r\nGET /calendar/v3/colors HTTP/1.1\r\n\r\n\r\n--xyz\r\nContent-Type: application/http\r\nContent-ID: b2\r\n\r\nPOST https://www.googleapis.com/calendar/v3/calendars/primary/events?x=1\r\nContent-Type: application/json\r\n\r\n{\"summary\":\"s\"}\r\n--xyz--\r\n";
        let parts = parse("multipart/mixed; boundary=\"xyz\"", body.as_bytes()).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].content_id.as_deref(), Some("a1"));
        assert_eq!(parts[1].target, "/calendar/v3/calendars/primary/events?x=1");
        assert_eq!(parts[1].body, b"{\"summary\":\"s\"}");
        assert!(parse("application/json", body.as_bytes()).is_err());
        assert!(parse("multipart/mixed; boundary=xyz", b"--xyz\r\n\r\nnonsense").is_err());
    }
}
