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

/// One inner request, borrowing from the batch body.
pub struct Part<'a> {
    pub content_id: Option<&'a str>,
    pub method: &'a str,
    /// Path with query, e.g. `/calendar/v3/calendars/primary/events?maxResults=5`.
    pub target: &'a str,
    pub headers: HeaderMap,
    pub body: &'a [u8],
}

fn bad_request(message: &str) -> Reply {
    Reply::json(400, &google_error(400, "global", "badRequest", message))
}

/// The boundary from `multipart/mixed; boundary=...`.
fn boundary(content_type: &str) -> Option<&str> {
    let mut pieces = content_type.split(';');
    let mime = pieces.next()?.trim();
    if !mime.eq_ignore_ascii_case("multipart/mixed") {
        return None;
    }
    pieces.find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"'))
            .filter(|b| !b.is_empty())
    })
}

/// Splits a header block from what follows the first blank line (`\r\n\r\n` or `\n\n`,
/// whichever starts first), in one pass over the line ends.
fn split_head(s: &str) -> (&str, &str) {
    let b = s.as_bytes();
    let mut from = 0;
    while let Some(i) = b[from..].iter().position(|&c| c == b'\n').map(|i| i + from) {
        if i >= 1 && b[i - 1] == b'\r' && b[i + 1..].starts_with(b"\r\n") {
            return (&s[..i - 1], &s[i + 3..]);
        }
        if b.get(i + 1) == Some(&b'\n') {
            return (&s[..i], &s[i + 2..]);
        }
        from = i + 1;
    }
    (s, "")
}

fn header_lines(block: &str) -> impl Iterator<Item = (&str, &str)> {
    block
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim(), v.trim()))
}

/// Parses the whole multipart body; `Err` is the message for a 400.
pub fn parse<'a>(content_type: &str, body: &'a Bytes) -> Result<Vec<Part<'a>>, String> {
    let boundary =
        boundary(content_type).ok_or("Content-Type must be multipart/mixed with a boundary.")?;
    let text = std::str::from_utf8(body).map_err(|_| "Batch body is not UTF-8.")?;
    let delim = format!("--{boundary}");
    // Each match is the next delimiter after the last, as `match_indices` gives them.
    let mut found = delims(text, &delim);
    let start = found.next().ok_or("Batch body has no parts.")?;
    let mut pos = start + delim.len();
    let mut parts = Vec::new();
    loop {
        let rest = &text[pos..];
        if rest.starts_with("--") {
            break;
        }
        let Some(next) = found.next() else {
            return Err("Batch body is not terminated.".into());
        };
        let raw = text[pos..next].trim_start_matches([' ', '\t']);
        let raw = raw
            .strip_prefix("\r\n")
            .or_else(|| raw.strip_prefix('\n'))
            .unwrap_or(raw);
        let raw = raw
            .strip_suffix("\r\n")
            .or_else(|| raw.strip_suffix('\n'))
            .unwrap_or(raw);
        parts.push(parse_part(raw, body)?);
        if parts.len() > MAX_PARTS {
            return Err(format!(
                "Too many requests in batch: the limit is {MAX_PARTS}."
            ));
        }
        pos = next + delim.len();
    }
    if parts.is_empty() {
        return Err("Batch body has no parts.".into());
    }
    Ok(parts)
}

/// The non-overlapping places of a delimiter `--<boundary>` in `text`, left to right, as
/// `match_indices` finds them (memchr's searcher: the std one showed up in every batch).
fn delims<'a>(text: &'a str, delim: &'a str) -> impl Iterator<Item = usize> + 'a {
    memchr::memmem::find_iter(text.as_bytes(), delim.as_bytes())
}

/// One part; `whole` is the batch body `raw` lies in, so header values can share it.
fn parse_part<'a>(raw: &'a str, whole: &Bytes) -> Result<Part<'a>, String> {
    let (head, inner) = split_head(raw);
    let mut content_id = None;
    for (k, v) in header_lines(head) {
        if k.eq_ignore_ascii_case("content-id") {
            content_id = Some(v.trim_start_matches('<').trim_end_matches('>'));
        } else if k.eq_ignore_ascii_case("content-type")
            && !v
                .as_bytes()
                .get(..16)
                .is_some_and(|p| p.eq_ignore_ascii_case(b"application/http"))
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
            Some(i) => &rest[i..],
            None => "/",
        },
        None if url.starts_with('/') => url,
        None => return Err(format!("Batch part has an invalid URL {url}.")),
    };
    let mut headers = HeaderMap::new();
    for line in lines {
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        if let (Ok(k), Ok(v)) = (
            HeaderName::from_bytes(k.trim().as_bytes()),
            HeaderValue::from_maybe_shared(whole.slice_ref(v.trim().as_bytes())),
        ) {
            headers.append(k, v);
        }
    }
    Ok(Part {
        content_id,
        method,
        target,
        headers,
        body: req_body.as_bytes(),
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
    let mut out = Vec::with_capacity(parts.len() * 1024);
    for part in &parts {
        let reply = match run_part(shared, part, outer_auth).await {
            Outcome::Drop => return Outcome::Drop,
            Outcome::Reply(r) => r,
        };
        write_part(&mut out, &out_boundary, part.content_id, &reply);
    }
    out.extend_from_slice(format!("--{out_boundary}--\r\n").as_bytes());
    Outcome::Reply(Reply {
        status: 200,
        headers: vec![(
            "Content-Type".into(),
            format!("multipart/mixed; boundary={out_boundary}").into(),
        )],
        body: Bytes::from(out),
    })
}

async fn run_part(shared: &Shared, part: &Part<'_>, outer_auth: Option<&str>) -> Outcome {
    let (path, query) = part.target.split_once('?').unwrap_or((part.target, ""));
    let api_path = path
        .strip_prefix("/calendar/v3")
        .filter(|p| p.starts_with('/'));
    let method_id = api_path.and_then(|p| Calendars::route(part.method, p));
    let fault = shared.take_fault(method_id, part.method, path);
    let outcome = match before(fault.as_ref(), false).await {
        Some(o) => o,
        None => {
            let reply = match api_path {
                Some(p) => crate::api::call(
                    shared,
                    crate::api::Call {
                        method_id,
                        method: part.method,
                        api_path: p,
                        query: &parse_pairs(query),
                        headers: &part.headers,
                        outer_auth,
                        body: part.body,
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
        method: part.method,
        path,
        query,
        headers: &part.headers,
        body: part.body,
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

/// Appends one answer part, copying the pieces in directly (no `format!` per line).
fn write_part(out: &mut Vec<u8>, boundary: &str, content_id: Option<&str>, reply: &Reply) {
    put(
        out,
        &[
            b"--",
            boundary.as_bytes(),
            b"\r\nContent-Type: application/http\r\n",
        ],
    );
    if let Some(id) = content_id {
        put(out, &[b"Content-ID: <response-", id.as_bytes(), b">\r\n"]);
    }
    let reason = http::StatusCode::from_u16(reply.status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    put(out, &[b"\r\nHTTP/1.1 "]);
    put_decimal(out, reply.status.into());
    put(out, &[b" ", reason.as_bytes(), b"\r\n"]);
    for (k, v) in &reply.headers {
        put(out, &[k.as_bytes(), b": ", v.as_bytes(), b"\r\n"]);
    }
    put(out, &[b"Content-Length: "]);
    put_decimal(out, reply.body.len());
    put(out, &[b"\r\n\r\n", &reply.body, b"\r\n"]);
}

fn put(out: &mut Vec<u8>, pieces: &[&[u8]]) {
    for p in pieces {
        out.extend_from_slice(p);
    }
}

fn put_decimal(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_parts() {
        let body = "--xyz\r\nContent-Type: application/http\r\nContent-ID: <a1>\r\n\r\nGET /calendar/v3/colors HTTP/1.1\r\n\r\n\r\n--xyz\r\nContent-Type: application/http\r\nContent-ID: b2\r\n\r\nPOST https://www.googleapis.com/calendar/v3/calendars/primary/events?x=1\r\nContent-Type: application/json\r\n\r\n{\"summary\":\"s\"}\r\n--xyz--\r\n";
        let body = Bytes::from_static(body.as_bytes());
        let parts = parse("multipart/mixed; boundary=\"xyz\"", &body).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].content_id, Some("a1"));
        assert_eq!(parts[1].target, "/calendar/v3/calendars/primary/events?x=1");
        assert_eq!(parts[1].body, b"{\"summary\":\"s\"}");
        assert_eq!(parts[1].headers["content-type"], "application/json");
        assert!(parse("application/json", &body).is_err());
        let bad = Bytes::from_static(b"--xyz\r\n\r\nnonsense");
        assert!(parse("multipart/mixed; boundary=xyz", &bad).is_err());
        let upper = Bytes::from_static(b"--b\r\nContent-Type: Application/HTTP; x\r\n\r\nGET /x HTTP/1.1\r\nA: \x01\r\nB: \xc3\xa9\r\nX-Empty:\r\n\r\n--b--");
        let parts = parse("multipart/mixed; boundary=b", &upper).unwrap();
        assert!(
            parts[0].headers.get("a").is_none(),
            "control characters drop a header"
        );
        assert_eq!(parts[0].headers["b"].as_bytes(), "é".as_bytes());
        assert_eq!(parts[0].headers["x-empty"], "");
        let short = Bytes::from_static(
            b"--b\r\nContent-Type: application/htt\r\n\r\nGET /x HTTP/1.1\r\n\r\n--b--",
        );
        assert!(parse("multipart/mixed; boundary=b", &short).is_err());
    }

    #[test]
    fn finds_delimiters_as_match_indices_does() {
        for (text, delim) in [
            ("--b\r\nx--b--b---b\r\n--b--", "--b"),
            ("----b--b", "--b"),
            ("b--b-b--bb--b", "--b"),
            ("--bb--bb--b", "--bb"),
            ("---b---b", "---b"),
            ("é--xé--x--", "--x"),
            ("x--é--éé--é", "--é"),
            ("aé--é", "--é"),
            ("no delimiter - here", "--x"),
            (
                "--batch_1\r\n{\"a\":\"batch_1\"}--batch_1--batch_1--",
                "--batch_1",
            ),
            ("", "--x"),
        ] {
            let want: Vec<usize> = text.match_indices(delim).map(|(i, _)| i).collect();
            let got: Vec<usize> = delims(text, delim).collect();
            assert_eq!(got, want, "{text:?} {delim:?}");
        }
    }

    #[test]
    fn splits_at_the_first_blank_line() {
        assert_eq!(split_head("a: 1\r\n\r\nbody\n\nx"), ("a: 1", "body\n\nx"));
        assert_eq!(
            split_head("a: 1\n\nbody\r\n\r\nx"),
            ("a: 1", "body\r\n\r\nx")
        );
        assert_eq!(split_head("\n\nb"), ("", "b"));
        assert_eq!(split_head("\r\n\r\nb"), ("", "b"));
        assert_eq!(split_head("a\r\n\nb"), ("a\r", "b"));
        assert_eq!(split_head("a\r\nb"), ("a\r\nb", ""));
        assert_eq!(split_head("a\n"), ("a\n", ""));
    }

    #[test]
    fn writes_parts() {
        let mut out = Vec::new();
        let reply =
            Reply::text(404, "text/plain", "gone".into()).with_header("ETag", "\"1\"".into());
        write_part(&mut out, "b", Some("7"), &reply);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "--b\r\nContent-Type: application/http\r\nContent-ID: <response-7>\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nETag: \"1\"\r\nContent-Length: 4\r\n\r\ngone\r\n"
        );
    }
}
