//! RFC 3339 / RFC 1123 formatting and parsing in epoch milliseconds.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc};
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
    let t = utc(ms);
    if !(0..=9999).contains(&t.year()) {
        return t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
    }
    // Written by hand: chrono's format machinery costs several times more, on every write.
    let mut text = *b"0000-00-00T00:00:00.000Z";
    let mut put = |end: usize, mut n: u32, width: usize| {
        for d in text[end - width..end].iter_mut().rev() {
            *d = b'0' + (n % 10) as u8;
            n /= 10;
        }
    };
    put(4, t.year() as u32, 4);
    put(7, t.month(), 2);
    put(10, t.day(), 2);
    put(13, t.hour(), 2);
    put(16, t.minute(), 2);
    put(19, t.second(), 2);
    put(23, t.timestamp_subsec_millis(), 3);
    String::from_utf8_lossy(&text).into_owned()
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
    fn fmt_ms_matches_chrono() {
        for ms in [
            0,
            1,
            999,
            1_767_225_600_123,
            1_894_701_600_000,
            253_402_300_799_999,
            -1,
            -62_135_596_800_001,
            253_402_300_800_000,
        ] {
            let want = utc(ms).format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
            assert_eq!(fmt_ms(ms), want, "{ms}");
        }
    }
}
