//! RFC 3339 / RFC 1123 formatting and parsing in epoch milliseconds.

use chrono::format::{Item, StrftimeItems};
use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, TimeZone, Utc};
use std::sync::LazyLock;
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
/// chrono's RFC 3339 writer: the text of `%Y-%m-%dT%H:%M:%S%.3fZ` without parsing a format per call.
pub(crate) fn fmt_ms(ms: i64) -> String {
    utc(ms).to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// "2026-01-02T03:04:05Z".
pub(crate) fn fmt_secs(ms: i64) -> String {
    utc(ms).to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// "Tue, 19 Nov 2013 01:13:52 GMT".
pub(crate) fn fmt_rfc1123(ms: i64) -> String {
    // Parsed once: `format` would parse the pattern again on every call.
    static ITEMS: LazyLock<Vec<Item<'static>>> = LazyLock::new(|| {
        StrftimeItems::new("%a, %d %b %Y %H:%M:%S GMT")
            .parse_to_owned()
            .expect("a valid pattern")
    });
    utc(ms).format_with_items(ITEMS.iter()).to_string()
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
        assert_eq!(fmt_ms(1_767_225_605_007), "2026-01-01T00:00:05.007Z");
    }

    #[test]
    fn writes_what_the_strftime_patterns_write() {
        for ms in [
            0,
            -1,
            999,
            1_384_823_632_000,
            1_767_225_605_007,
            253_402_300_799_999,
            253_402_300_800_000,
            -62_135_596_800_001,
            -62_198_755_200_000,
        ] {
            let t = utc(ms);
            let want = |f: &str| t.format(f).to_string();
            assert_eq!(fmt_ms(ms), want("%Y-%m-%dT%H:%M:%S%.3fZ"), "{ms}");
            assert_eq!(fmt_secs(ms), want("%Y-%m-%dT%H:%M:%SZ"), "{ms}");
            assert_eq!(fmt_rfc1123(ms), want("%a, %d %b %Y %H:%M:%S GMT"), "{ms}");
        }
        assert_eq!(fmt_secs(1_384_823_632_000), "2013-11-19T01:13:52Z");
        assert_eq!(
            fmt_rfc1123(1_384_823_632_000),
            "Tue, 19 Nov 2013 01:13:52 GMT"
        );
    }
}
