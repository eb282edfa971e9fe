//! The request log: what the emulator received, with secrets redacted.

use std::collections::{BTreeMap, VecDeque};
use std::time::SystemTime;

use http::HeaderMap;
use serde::{Deserialize, Serialize};

/// Entries kept; older ones are forgotten (the total still counts them).
pub const LOG_CAPACITY: usize = 200_000;
/// Body text kept per entry.
const BODY_KEEP: usize = 4096;

const SECRET_HEADERS: &[&str] = &["authorization", "cookie", "proxy-authorization"];
const SECRET_FIELDS: &[&str] = &[
    "client_secret",
    "code",
    "code_verifier",
    "refresh_token",
    "assertion",
    "token",
    "access_token",
    "device_code",
];

/// One request as received.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LoggedRequest {
    /// 1-based sequence number over the emulator's life (since the last reset).
    pub seq: u64,
    /// RFC 3339 time of arrival.
    pub time: String,
    pub method: String,
    pub path: String,
    /// Raw query string with secret parameters redacted.
    pub query: String,
    /// Header names lower-case; Authorization and Cookie values are `[redacted]`.
    pub headers: BTreeMap<String, String>,
    /// Body as text (lossy UTF-8, first 4 KiB) with secret form fields redacted.
    pub body: String,
    /// Calendar method id (`events.list`) or `token`/`revoke`/`auth`/`device`/`batch`.
    pub method_id: Option<String>,
    /// Status answered; 0 when the connection was dropped.
    pub status: u16,
    /// The fault applied, if any.
    pub fault: Option<String>,
    /// True for a call carried inside a batch request.
    pub in_batch: bool,
}

/// A request as stored: cheap to record (one allocation), redacted and formatted when read.
pub struct Entry {
    seq: u64,
    time: SystemTime,
    /// Method, path, query, `name:value` header lines, then the kept body, one after another.
    text: Vec<u8>,
    /// Where method, path, query and header lines end in `text`.
    ends: [usize; 4],
    body_len: usize,
    form: bool,
    method_id: Option<&'static str>,
    status: u16,
    fault: Option<String>,
    in_batch: bool,
}

/// What a handler knows about a request when it logs it.
pub struct Record<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: &'a str,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
    pub method_id: Option<&'static str>,
    pub status: u16,
    pub fault: Option<String>,
    pub in_batch: bool,
}

impl Entry {
    pub fn new(r: Record<'_>) -> Entry {
        let kept = &r.body[..r.body.len().min(BODY_KEEP)];
        // Sized up front: one allocation for everything kept.
        let size = r.method.len()
            + r.path.len()
            + r.query.len()
            + r.headers
                .iter()
                .map(|(k, v)| k.as_str().len() + v.len() + 2)
                .sum::<usize>()
            + kept.len();
        let mut text = Vec::with_capacity(size);
        let mut ends = [0; 4];
        for (end, part) in ends.iter_mut().zip([r.method, r.path, r.query]) {
            text.extend_from_slice(part.as_bytes());
            *end = text.len();
        }
        let mut content_type = None;
        for (k, v) in r.headers {
            if content_type.is_none() && k == http::header::CONTENT_TYPE {
                content_type = Some(v);
            }
            text.extend_from_slice(k.as_str().as_bytes());
            text.push(b':');
            match std::str::from_utf8(v.as_bytes()) {
                Ok(s) => text.extend_from_slice(s.as_bytes()),
                Err(_) => text.extend_from_slice(String::from_utf8_lossy(v.as_bytes()).as_bytes()),
            }
            text.push(b'\n');
        }
        ends[3] = text.len();
        text.extend_from_slice(kept);
        let form = content_type.is_some_and(|v| {
            v.as_bytes()
                .starts_with(b"application/x-www-form-urlencoded")
        });
        Entry {
            seq: 0,
            time: SystemTime::now(),
            text,
            ends,
            body_len: r.body.len(),
            form,
            method_id: r.method_id,
            status: r.status,
            fault: r.fault,
            in_batch: r.in_batch,
        }
    }

    fn render(&self) -> LoggedRequest {
        let time: chrono::DateTime<chrono::Utc> = self.time.into();
        let [method, path, query, headers] = self.ends;
        // All but the body came from `&str`s: lossy conversion changes nothing.
        let text = |from: usize, to: usize| String::from_utf8_lossy(&self.text[from..to]);
        let kept = &self.text[headers..];
        let mut body = redact_body(kept, self.form);
        if self.body_len > kept.len() {
            body.push_str("…[truncated]");
        }
        LoggedRequest {
            seq: self.seq,
            time: time.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            method: text(0, method).into_owned(),
            path: text(method, path).into_owned(),
            query: redact_pairs(&text(path, query)),
            headers: redact_headers(
                text(query, headers)
                    .lines()
                    .filter_map(|l| l.split_once(':'))
                    .map(|(k, v)| (k, v.as_bytes())),
            ),
            body,
            method_id: self.method_id.map(str::to_string),
            status: self.status,
            fault: self.fault.clone(),
            in_batch: self.in_batch,
        }
    }
}

#[derive(Default)]
pub struct RequestLog {
    total: u64,
    items: VecDeque<Entry>,
}

impl RequestLog {
    pub fn push(&mut self, mut entry: Entry) {
        self.total += 1;
        entry.seq = self.total;
        if self.items.len() == LOG_CAPACITY {
            self.items.pop_front();
        }
        self.items.push_back(entry);
    }

    pub fn total(&self) -> u64 {
        self.total
    }

    pub fn snapshot(&self) -> Vec<LoggedRequest> {
        self.items.iter().map(Entry::render).collect()
    }

    pub fn since(&self, seq: u64) -> Vec<LoggedRequest> {
        let start = self.items.partition_point(|e| e.seq <= seq);
        self.items.range(start..).map(Entry::render).collect()
    }

    pub fn clear(&mut self) {
        self.items.clear();
    }
}

pub fn redact_headers<'a>(
    headers: impl Iterator<Item = (&'a str, &'a [u8])>,
) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in headers {
        let name = name.to_ascii_lowercase();
        let value = if SECRET_HEADERS.contains(&name.as_str()) {
            "[redacted]".to_string()
        } else {
            String::from_utf8_lossy(value).into_owned()
        };
        out.entry(name)
            .and_modify(|v| {
                v.push_str(", ");
                v.push_str(&value)
            })
            .or_insert(value);
    }
    out
}

/// Redacts secret fields in a form/query string, leaving everything else as sent.
pub fn redact_pairs(s: &str) -> String {
    if !s.contains('=') {
        return s.to_string();
    }
    s.split('&')
        .map(|p| match p.split_once('=') {
            Some((k, _)) if SECRET_FIELDS.contains(&k) => format!("{k}=[redacted]"),
            _ => p.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Body text for the log: form bodies get their secrets redacted; JSON and others kept as text.
pub fn redact_body(body: &[u8], form: bool) -> String {
    let mut text = String::from_utf8_lossy(body).into_owned();
    if form {
        text = redact_pairs(&text);
    } else if text.contains("Bearer ") {
        // Batch parts carry their own Authorization lines.
        text = text
            .lines()
            .map(|l| {
                if l.to_ascii_lowercase().starts_with("authorization:") {
                    "Authorization: [redacted]"
                } else {
                    l
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_secrets() {
        let s = redact_pairs("grant_type=refresh_token&refresh_token=abc&client_secret=s");
        assert_eq!(
            s,
            "grant_type=refresh_token&refresh_token=[redacted]&client_secret=[redacted]"
        );
        let h =
            redact_headers([("Authorization", &b"Bearer x"[..]), ("Host", &b"h"[..])].into_iter());
        assert_eq!(h["authorization"], "[redacted]");
        assert_eq!(h["host"], "h");
    }

    #[test]
    fn bounded_and_redacted_on_read() {
        let mut log = RequestLog::default();
        let mut headers = HeaderMap::new();
        headers.insert("authorization", "Bearer secret".parse().unwrap());
        headers.insert(
            "content-type",
            "application/x-www-form-urlencoded".parse().unwrap(),
        );
        for _ in 0..3 {
            log.push(Entry::new(Record {
                method: "POST",
                path: "/token",
                query: "token=abc&x=1",
                headers: &headers,
                body: b"refresh_token=r&grant_type=refresh_token",
                method_id: Some("token"),
                status: 200,
                fault: None,
                in_batch: false,
            }));
        }
        assert_eq!(log.total(), 3);
        let all = log.snapshot();
        assert_eq!(all[2].seq, 3);
        assert_eq!(all[0].headers["authorization"], "[redacted]");
        assert_eq!(all[0].query, "token=[redacted]&x=1");
        assert_eq!(
            all[0].body,
            "refresh_token=[redacted]&grant_type=refresh_token"
        );
        assert_eq!(log.since(2).len(), 1);
    }

    #[test]
    fn keeps_each_field_apart() {
        let mut log = RequestLog::default();
        let mut headers = HeaderMap::new();
        headers.insert("x-a", "1".parse().unwrap());
        headers.append("x-a", "2".parse().unwrap());
        headers.insert("x-bin", http::HeaderValue::from_bytes(b"\xff\xfe").unwrap());
        let body = vec![b'z'; BODY_KEEP + 10];
        log.push(Entry::new(Record {
            method: "PATCH",
            path: "/calendar/v3/calendars/a%40b/events/e",
            query: "q=1&access_token=t",
            headers: &headers,
            body: &body,
            method_id: Some("events.patch"),
            status: 200,
            fault: Some("f".into()),
            in_batch: true,
        }));
        log.push(Entry::new(Record {
            method: "GET",
            path: "/x",
            query: "",
            headers: &HeaderMap::new(),
            body: b"",
            method_id: None,
            status: 404,
            fault: None,
            in_batch: false,
        }));
        let all = log.snapshot();
        let e = &all[0];
        assert_eq!(e.method, "PATCH");
        assert_eq!(e.path, "/calendar/v3/calendars/a%40b/events/e");
        assert_eq!(e.query, "q=1&access_token=[redacted]");
        assert_eq!(e.headers["x-a"], "1, 2");
        assert_eq!(e.headers["x-bin"], "\u{fffd}\u{fffd}");
        assert_eq!(e.headers.len(), 2);
        assert_eq!(e.body, format!("{}…[truncated]", "z".repeat(BODY_KEEP)));
        assert_eq!(e.method_id.as_deref(), Some("events.patch"));
        assert_eq!(
            (e.status, e.fault.as_deref(), e.in_batch),
            (200, Some("f"), true)
        );
        let e = &all[1];
        assert_eq!(
            (e.method.as_str(), e.path.as_str(), e.query.as_str()),
            ("GET", "/x", "")
        );
        assert!(e.headers.is_empty() && e.body.is_empty());
    }
}
