//! RFC 3339 / RFC 1123 formatting and parsing in epoch milliseconds.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use std::time::{SystemTime, UNIX_EPOCH};

pub(crate) fn system_ms(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_millis() as i64,
        Err(e) => -(e.duration().as_millis() as i64),
    }
}

fn utc(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

/// "2026-01-02T03:04:05.678Z", the shape of Google's `updated`/`created`.
pub(crate) fn fmt_ms(ms: i64) -> String {
    utc(ms).format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// "2026-01-02T03:04:05Z".
pub(crate) fn fmt_secs(ms: i64) -> String {
    utc(ms).format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// "Tue, 19 Nov 2013 01:13:52 GMT".
pub(crate) fn fmt_rfc1123(ms: i64) -> String {
    utc(ms).format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// RFC 3339 with a mandatory offset, to epoch ms.
pub(crate) fn parse_rfc3339(s: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.timestamp_millis())
}

pub(crate) fn parse_date(s: &str) -> Option<NaiveDate> {
    if s.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// A wall-clock time without offset, "2026-01-02T10:00:00" (fractions allowed).
pub(crate) fn parse_naive(s: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").ok()
}

/// Midnight UTC of a date: all-day events are compared on this axis only.
pub(crate) fn date_ms(d: NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0)
        .map(|n| n.and_utc().timestamp_millis())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fmt_ms_writes_googles_shape() {
        assert_eq!(fmt_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(fmt_ms(999), "1970-01-01T00:00:00.999Z");
        assert_eq!(fmt_ms(1_767_225_600_123), "2026-01-01T00:00:00.123Z");
        assert_eq!(fmt_ms(-1), "1969-12-31T23:59:59.999Z");
    }
}
