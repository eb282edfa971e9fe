//! Google batch requests: encoding calls as one `multipart/mixed` body of `application/http` parts, and
//! decoding the `multipart/mixed` answer into one response per part.

use std::borrow::Cow;
use std::io::Write;

use bytes::Bytes;

use crate::error::{Error, ErrorKind, Result};

/// One call inside a batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchPart<'a> {
    /// Echoed back as `response-<content_id>`.
    pub content_id: String,
    /// `GET`, `POST`, ...
    pub method: &'a str,
    /// Absolute path with query, e.g. `/calendar/v3/calendars/primary/events?x=1`.
    pub path_and_query: String,
    /// Extra headers for the inner request (`If-Match`, ...).
    pub headers: Vec<(String, String)>,
    /// JSON body; sent with `Content-Type: application/json`.
    pub body: Option<&'a [u8]>,
}

/// One answer inside a batch response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchResponsePart {
    /// The request's content id (`<response-ID>` stripped to `ID`), if the part had one.
    pub content_id: Option<String>,
    pub status: u16,
    /// Headers of the inner HTTP response.
    pub headers: Vec<(String, String)>,
    /// A view into the whole answer, not a copy.
    pub body: Bytes,
}

impl BatchResponsePart {
    /// The first header of that name, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The `Content-Type` header of a batch request with this boundary.
pub fn content_type(boundary: &str) -> String {
    format!("multipart/mixed; boundary={boundary}")
}

/// A boundary that cannot occur in JSON bodies by accident.
pub fn new_boundary() -> String {
    format!("batch_{}", super::retry::new_event_id())
}

/// Appends header text with CR and LF turned into spaces, so a caller's value cannot inject lines
/// into the body; with `url`, spaces become `%20` as a request line needs.
fn put_clean(out: &mut Vec<u8>, s: &str, url: bool) {
    for &b in s.as_bytes() {
        match b {
            b'\r' | b'\n' if url => out.extend_from_slice(b"%20"),
            b'\r' | b'\n' => out.push(b' '),
            b' ' if url => out.extend_from_slice(b"%20"),
            _ => out.push(b),
        }
    }
}

/// Encodes calls in Google's batch format (CRLF line ends).
pub fn encode_batch(parts: &[BatchPart<'_>], boundary: &str) -> Vec<u8> {
    let size: usize = parts
        .iter()
        .map(|p| 180 + p.path_and_query.len() + p.body.map_or(0, <[u8]>::len))
        .sum();
    let mut out = Vec::with_capacity(size);
    for part in parts {
        out.extend_from_slice(b"--");
        out.extend_from_slice(boundary.as_bytes());
        out.extend_from_slice(b"\r\nContent-Type: application/http\r\nContent-ID: <");
        put_clean(&mut out, &part.content_id, false);
        out.extend_from_slice(b">\r\n\r\n");
        put_clean(&mut out, part.method, false);
        out.push(b' ');
        put_clean(&mut out, &part.path_and_query, true);
        // Each part is answered as its own request: compact JSON only when asked (see `Http::api_request`).
        out.push(if part.path_and_query.contains('?') {
            b'&'
        } else {
            b'?'
        });
        out.extend_from_slice(b"prettyPrint=false HTTP/1.1\r\n");
        if let Some(body) = part.body {
            // Writing to a Vec cannot fail.
            let _ = write!(
                out,
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                body.len()
            );
        }
        for (name, value) in &part.headers {
            put_clean(&mut out, name, false);
            out.extend_from_slice(b": ");
            put_clean(&mut out, value, false);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"\r\n");
        if let Some(body) = part.body {
            out.extend_from_slice(body);
        }
        out.extend_from_slice(b"\r\n");
    }
    let _ = write!(out, "--{boundary}--\r\n");
    out
}

fn malformed(what: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorKind::Http,
        format!("cannot read the batch response: {what}"),
    )
}

/// The boundary parameter of a `multipart/mixed` content type, quoted or not.
fn boundary_of(content_type: &str) -> Result<String> {
    let mut params = content_type.split(';');
    let media = params.next().unwrap_or("").trim();
    if !media.eq_ignore_ascii_case("multipart/mixed") {
        return Err(malformed(format!(
            "expected multipart/mixed, got '{media}'"
        )));
    }
    for p in params {
        if let Some((k, v)) = p.split_once('=')
            && k.trim().eq_ignore_ascii_case("boundary")
        {
            let v = v.trim();
            let v = v
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(v);
            if v.is_empty() {
                break;
            }
            return Ok(v.to_string());
        }
    }
    Err(malformed("no boundary in the content type"))
}

/// The lines of a header block and what follows the blank line after it (tolerates LF and CRLF).
/// Without a blank line, everything is header and the rest is empty.
fn split_head(data: &[u8]) -> (Vec<Cow<'_, str>>, &[u8]) {
    let mut lines: Vec<Cow<'_, str>> = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let (line, next) = match memchr::memchr(b'\n', rest) {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, &rest[rest.len()..]),
        };
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        rest = next;
        if line.is_empty() {
            return (lines, rest);
        }
        let text = String::from_utf8_lossy(line);
        match lines.last_mut() {
            // Obsolete folding: a continuation line belongs to the previous header.
            Some(prev) if text.starts_with([' ', '\t']) => {
                let prev = prev.to_mut();
                prev.push(' ');
                prev.push_str(text.trim());
            }
            _ => lines.push(text),
        }
    }
    (lines, rest)
}

/// Name and value of each header line, trimmed.
fn header_pairs<'a>(lines: &'a [Cow<'_, str>]) -> impl Iterator<Item = (&'a str, &'a str)> {
    lines
        .iter()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim(), v.trim()))
}

/// The parts between the delimiters; a delimiter must start a line.
fn split_parts<'a>(body: &'a [u8], boundary: &str) -> Result<Vec<&'a [u8]>> {
    let delim = format!("--{boundary}");
    let delim = delim.as_bytes();
    let finder = memchr::memmem::Finder::new(delim);
    let mut starts = Vec::new(); // (start of delimiter line, end of delimiter line, is close)
    let mut from = 0;
    while let Some(found) = finder.find(&body[from..]) {
        let i = from + found;
        from = i + 1;
        if i > 0 && body[i - 1] != b'\n' {
            continue;
        }
        let after = &body[i + delim.len()..];
        let close = after.starts_with(b"--");
        let eol = memchr::memchr(b'\n', after).map_or(body.len(), |p| i + delim.len() + p + 1);
        // Only transport padding may follow a delimiter; otherwise it is body text.
        let tail = &body[i + delim.len() + if close { 2 } else { 0 }..eol];
        if tail.iter().all(|b| b" \t\r\n".contains(b)) {
            starts.push((i, eol, close));
            if close {
                break;
            }
            from = eol;
        }
    }
    match starts.last() {
        Some((_, _, true)) => {}
        _ => return Err(malformed("no closing boundary (truncated?)")),
    }
    let mut parts = Vec::new();
    for w in starts.windows(2) {
        let (_, from, _) = w[0];
        let (to, _, _) = w[1];
        // The line break before a delimiter belongs to the delimiter.
        let mut part = &body[from..to];
        part = part.strip_suffix(b"\n").unwrap_or(part);
        part = part.strip_suffix(b"\r").unwrap_or(part);
        parts.push(part);
    }
    Ok(parts)
}

fn decode_part(whole: &Bytes, part: &[u8], index: usize) -> Result<BatchResponsePart> {
    let (outer, inner) = split_head(part);
    let content_id = header_pairs(&outer)
        .find(|(k, _)| k.eq_ignore_ascii_case("content-id"))
        .map(|(_, v)| {
            let v = v
                .strip_prefix('<')
                .and_then(|v| v.strip_suffix('>'))
                .unwrap_or(v);
            v.strip_prefix("response-").unwrap_or(v).to_string()
        });
    let (lines, body) = split_head(inner);
    let status_line = lines
        .first()
        .ok_or_else(|| malformed(format!("part {} has no HTTP status line", index + 1)))?;
    let mut words = status_line.split_ascii_whitespace();
    let status = match (words.next(), words.next().map(str::parse::<u16>)) {
        (Some(v), Some(Ok(s))) if v.starts_with("HTTP/") && (100..=599).contains(&s) => s,
        _ => {
            return Err(malformed(format!(
                "part {} has a bad status line '{status_line}'",
                index + 1
            )));
        }
    };
    let headers: Vec<(String, String)> = header_pairs(&lines[1..])
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    // Content-Length, when present and consistent, marks where the body ends.
    let length = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok());
    let body = match length.filter(|n| *n <= body.len()) {
        Some(n) => &body[..n],
        None => body,
    };
    Ok(BatchResponsePart {
        content_id,
        status,
        headers,
        body: whole.slice_ref(body),
    })
}

/// Decodes a batch answer given its `Content-Type` header and body; the parts' bodies are views into
/// `body`.
pub fn decode_batch_response(content_type: &str, body: &Bytes) -> Result<Vec<BatchResponsePart>> {
    let boundary = boundary_of(content_type)?;
    split_parts(body, &boundary)?
        .into_iter()
        .enumerate()
        .map(|(i, part)| decode_part(body, part, i))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_google_format() {
        let parts = [
            BatchPart {
                content_id: "1".into(),
                method: "POST",
                path_and_query: "/calendar/v3/calendars/primary/events?sendUpdates=none".into(),
                headers: vec![],
                body: Some(br#"{"summary":"a"}"#),
            },
            BatchPart {
                content_id: "2".into(),
                method: "DELETE",
                path_and_query: "/calendar/v3/calendars/a%40b/events/e1".into(),
                headers: vec![("If-Match".into(), "\"etag\r\nX-Evil: 1\"".into())],
                body: None,
            },
        ];
        let text = String::from_utf8(encode_batch(&parts, "batch_xyz")).unwrap();
        assert_eq!(
            text,
            "--batch_xyz\r\nContent-Type: application/http\r\nContent-ID: <1>\r\n\r\n\
             POST /calendar/v3/calendars/primary/events?sendUpdates=none&prettyPrint=false HTTP/1.1\r\n\
             Content-Type: application/json\r\nContent-Length: 15\r\n\r\n{\"summary\":\"a\"}\r\n\
             --batch_xyz\r\nContent-Type: application/http\r\nContent-ID: <2>\r\n\r\n\
             DELETE /calendar/v3/calendars/a%40b/events/e1?prettyPrint=false HTTP/1.1\r\n\
             If-Match: \"etag  X-Evil: 1\"\r\n\r\n\r\n--batch_xyz--\r\n"
        );
        assert_eq!(
            content_type("batch_xyz"),
            "multipart/mixed; boundary=batch_xyz"
        );
        assert!(new_boundary().starts_with("batch_"));
    }

    #[test]
    fn round_trips_through_decoder_shape() {
        // Our own encoding read back as if it were an answer (request lines are not status lines).
        let parts = [BatchPart {
            content_id: "x".into(),
            method: "GET",
            path_and_query: "/calendar/v3/colors".into(),
            headers: vec![],
            body: None,
        }];
        let enc = encode_batch(&parts, "b");
        let err = decode_batch_response("multipart/mixed; boundary=b", &enc.into()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Http);
        assert!(err.message().contains("status line"), "{err}");
    }

    const GOOGLE: &str = "\
--batch_Ab1-Cd2_EF\r
Content-Type: application/http\r
Content-ID: <response-1>\r
\r
HTTP/1.1 200 OK\r
Content-Type: application/json; charset=UTF-8\r
ETag: \"3181161784712000\"\r
Vary: Origin\r
Vary: X-Origin\r
\r
{\n \"kind\": \"calendar#event\",\n \"id\": \"abc\"\n}\n\r
--batch_Ab1-Cd2_EF\r
Content-Type: application/http\r
Content-ID: <response-2>\r
\r
HTTP/1.1 204 No Content\r
Content-Length: 0\r
\r
\r
--batch_Ab1-Cd2_EF\r
Content-Type: application/http\r
Content-ID: <response-3>\r
\r
HTTP/1.1 403 Forbidden\r
Content-Type: application/json; charset=UTF-8\r
\r
{\"error\":{\"code\":403,\"message\":\"Rate Limit Exceeded\",\"errors\":[{\"domain\":\"usageLimits\",\"reason\":\"rateLimitExceeded\",\"message\":\"Rate Limit Exceeded\"}]}}\r
--batch_Ab1-Cd2_EF--\r
";

    #[test]
    fn decodes_a_google_answer() {
        let parts = decode_batch_response(
            "multipart/mixed; boundary=batch_Ab1-Cd2_EF",
            &Bytes::from_static(GOOGLE.as_bytes()),
        )
        .unwrap();
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0].content_id.as_deref(), Some("1"));
        assert_eq!(parts[0].status, 200);
        assert_eq!(parts[0].header("etag"), Some("\"3181161784712000\""));
        let v: serde_json::Value = serde_json::from_slice(&parts[0].body).unwrap();
        assert_eq!(v["id"], "abc");
        assert_eq!(parts[1].status, 204);
        assert!(parts[1].body.is_empty());
        assert_eq!(parts[2].status, 403);
        let v: serde_json::Value = serde_json::from_slice(&parts[2].body).unwrap();
        assert_eq!(v["error"]["errors"][0]["reason"], "rateLimitExceeded");
    }

    #[test]
    fn tolerates_lf_quotes_preamble_epilogue_and_padding() {
        let lf = GOOGLE.replace('\r', "");
        let body = format!(
            "This is a preamble.\n{}epilogue text\n",
            lf.replace("--batch_Ab1-Cd2_EF\n", "--batch_Ab1-Cd2_EF  \n")
        );
        let parts = decode_batch_response(
            "Multipart/Mixed ; charset=utf-8; boundary=\"batch_Ab1-Cd2_EF\"",
            &Bytes::copy_from_slice(body.as_bytes()),
        )
        .unwrap();
        assert_eq!(parts.len(), 3);
        assert_eq!(
            parts.iter().map(|p| p.status).collect::<Vec<_>>(),
            [200, 204, 403]
        );
        assert_eq!(parts[2].content_id.as_deref(), Some("3"));
        assert!(parts[0].body.ends_with(b"}\n"));
    }

    #[test]
    fn content_id_forms_and_boundary_lookalikes() {
        let body = "--b\nContent-ID: item-7\n\nHTTP/1.1 200 OK\n\nline\n--b-not-a-delimiter\n--bb\n--b\nContent-Type: application/http\n\nHTTP/1.1 404 Not Found\n--b--";
        let parts = decode_batch_response(
            "multipart/mixed; boundary=b",
            &Bytes::copy_from_slice(body.as_bytes()),
        )
        .unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].content_id.as_deref(), Some("item-7"));
        assert_eq!(&parts[0].body[..], b"line\n--b-not-a-delimiter\n--bb");
        assert_eq!(parts[1].content_id, None);
        assert_eq!(parts[1].status, 404);
        assert!(parts[1].body.is_empty());
    }

    #[test]
    fn content_length_trims_trailing_bytes() {
        let body = "--b\r\nContent-ID: <response-a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}\r\n\r\n--b--\r\n";
        let parts = decode_batch_response(
            "multipart/mixed; boundary=b",
            &Bytes::copy_from_slice(body.as_bytes()),
        )
        .unwrap();
        assert_eq!(&parts[0].body[..], b"{}");
    }

    #[test]
    fn malformed_answers_are_http_errors() {
        let cases: [(&str, &str, &str); 6] = [
            ("application/json", "{}", "multipart/mixed"),
            ("multipart/mixed", "--b--", "boundary"),
            ("multipart/mixed; boundary=\"\"", "--b--", "boundary"),
            (
                "multipart/mixed; boundary=b",
                "--b\r\n\r\nHTTP/1.1 200 OK\r\n\r\n{}",
                "closing",
            ),
            (
                "multipart/mixed; boundary=b",
                "--b\r\n\r\nHTTP/1.1 abc\r\n\r\n--b--",
                "status line",
            ),
            (
                "multipart/mixed; boundary=b",
                "--b\r\nContent-ID: <1>\r\n\r\n--b--",
                "status line",
            ),
        ];
        for (ct, body, needle) in cases {
            let e =
                decode_batch_response(ct, &Bytes::copy_from_slice(body.as_bytes())).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Http, "{ct} {body}");
            assert!(e.message().contains(needle), "{ct} {body}: {e}");
        }
        // No parts at all is a valid (empty) answer.
        assert!(
            decode_batch_response(
                "multipart/mixed; boundary=b",
                &Bytes::from_static(b"--b--\r\n")
            )
            .unwrap()
            .is_empty()
        );
    }
}
