//! The request log: what the emulator received, with secrets redacted.

use std::collections::{BTreeMap, VecDeque};

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

#[derive(Default)]
pub struct RequestLog {
    total: u64,
    items: VecDeque<LoggedRequest>,
}

impl RequestLog {
    pub fn push(&mut self, mut entry: LoggedRequest) {
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
        self.items.iter().cloned().collect()
    }

    pub fn since(&self, seq: u64) -> Vec<LoggedRequest> {
        let start = self.items.partition_point(|e| e.seq <= seq);
        self.items.range(start..).cloned().collect()
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
    let end = body.len().min(BODY_KEEP);
    let mut text = String::from_utf8_lossy(&body[..end]).into_owned();
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
    if body.len() > BODY_KEEP {
        text.push_str("…[truncated]");
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
    fn bounded() {
        let mut log = RequestLog::default();
        let e = LoggedRequest {
            seq: 0,
            time: String::new(),
            method: "GET".into(),
            path: "/".into(),
            query: String::new(),
            headers: BTreeMap::new(),
            body: String::new(),
            method_id: None,
            status: 200,
            fault: None,
            in_batch: false,
        };
        for _ in 0..3 {
            log.push(e.clone());
        }
        assert_eq!(log.total(), 3);
        assert_eq!(log.snapshot()[2].seq, 3);
    }
}
