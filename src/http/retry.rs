//! Retry policy: which answers are worth repeating, how long to wait, and client-chosen event ids that
//! make inserts safe to repeat. Which Calendar methods are safe to repeat is `calendar::writes`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::config::RetryPolicy;

/// The longest `Retry-After` we honour, even above the policy's `max_delay`.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// Whether an HTTP answer is transient: 429, 500, 502, 503, 504, and 403 only when Google's reason is
/// `rateLimitExceeded` or `userRateLimitExceeded` (other 403s are permanent).
pub fn is_retryable_status(status: u16, reason: Option<&str>) -> bool {
    match status {
        429 | 500 | 502 | 503 | 504 => true,
        403 => matches!(reason, Some("rateLimitExceeded" | "userRateLimitExceeded")),
        _ => false,
    }
}

/// Whether an answer is a rate limit (429, or 403 `rateLimitExceeded`/`userRateLimitExceeded`): the
/// server applied nothing, so any request may be sent again, even one that is not idempotent.
pub fn is_rate_limit(status: u16, reason: Option<&str>) -> bool {
    status == 429 || (status == 403 && is_retryable_status(status, reason))
}

/// The wait before retry number `attempt` (1-based): full jitter, a uniform pick in
/// [0, min(max_delay, base_delay * 2^(attempt-1))] driven by `rng_unit` in [0, 1), but never shorter than
/// the server's `Retry-After` (honoured up to the larger of `max_delay` and 60 s).
pub fn backoff_delay(
    policy: &RetryPolicy,
    attempt: u32,
    retry_after: Option<Duration>,
    rng_unit: f64,
) -> Duration {
    let exp = attempt.saturating_sub(1).min(31);
    let ceiling = policy
        .base_delay
        .saturating_mul(1u32 << exp)
        .min(policy.max_delay);
    let unit = if rng_unit.is_finite() {
        rng_unit.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let jittered = ceiling.mul_f64(unit);
    match retry_after {
        Some(ra) => jittered.max(ra.min(policy.max_delay.max(MAX_RETRY_AFTER))),
        None => jittered,
    }
}

/// Parses a `Retry-After` value: delta-seconds, or an HTTP-date (IMF-fixdate,
/// `Sun, 06 Nov 1994 08:49:37 GMT`) taken relative to `now`; a date in the past means no wait.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Absurdly long numbers saturate; the caller caps the wait anyway.
        return Some(Duration::from_secs(value.parse().unwrap_or(u64::MAX)));
    }
    let at = parse_imf_fixdate(value)?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

fn parse_imf_fixdate(s: &str) -> Option<SystemTime> {
    let mut it = s.split_ascii_whitespace();
    let weekday = it.next()?;
    let (day, month, year, time, zone) =
        (it.next()?, it.next()?, it.next()?, it.next()?, it.next()?);
    if it.next().is_some() || !weekday.ends_with(',') || zone != "GMT" || day.len() != 2 {
        return None;
    }
    let num = |s: &str, len: usize| -> Option<u64> {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok())?
    };
    let day = num(day, 2)?;
    let year = num(year, 4)?;
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.iter().position(|m| *m == month)? as u64 + 1;
    let mut hms = time.split(':');
    let (h, m, sec) = (
        num(hms.next()?, 2)?,
        num(hms.next()?, 2)?,
        num(hms.next()?, 2)?,
    );
    if hms.next().is_some()
        || year < 1970
        || !(1..=31).contains(&day)
        || h > 23
        || m > 59
        || sec > 60
    {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + h * 3600 + m * 60 + sec;
    UNIX_EPOCH.checked_add(Duration::from_secs(secs))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (year ≥ 1970).
fn days_from_civil(year: u64, month: u64, day: u64) -> u64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// A fresh event id: 26 base32hex characters (`0-9a-v`, 130 bits), as Google accepts for client-chosen
/// ids. Ids need uniqueness, not secrecy: std's randomly keyed hasher over a counter and the clock is enough.
pub fn new_event_id() -> String {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    const ALPHABET: &[u8; 32] = b"0123456789abcdefghijklmnopqrstuv";

    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let state = RandomState::new();
    let word = |lane: u64| {
        let mut h = state.build_hasher();
        h.write_u64(lane);
        h.write_u64(count);
        h.write_u128(nanos);
        h.write_u32(std::process::id());
        h.finish()
    };
    let mut bits = (u128::from(word(0)) << 64) | u128::from(word(1));
    let mut id = String::with_capacity(26);
    for _ in 0..25 {
        id.push(ALPHABET[(bits & 31) as usize] as char);
        bits >>= 5;
    }
    // 25 chars use 125 bits; the last one comes from a third word.
    id.push(ALPHABET[(word(2) & 31) as usize] as char);
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(32),
        }
    }

    #[test]
    fn retryable_statuses() {
        for s in [429, 500, 502, 503, 504] {
            assert!(is_retryable_status(s, None), "{s}");
        }
        assert!(is_retryable_status(403, Some("rateLimitExceeded")));
        assert!(is_retryable_status(403, Some("userRateLimitExceeded")));
        assert!(!is_retryable_status(403, Some("forbidden")));
        assert!(!is_retryable_status(403, None));
        for s in [200, 304, 400, 401, 404, 409, 410, 412, 501] {
            assert!(!is_retryable_status(s, Some("rateLimitExceeded")), "{s}");
        }
    }

    #[test]
    fn rate_limits_applied_nothing() {
        assert!(is_rate_limit(429, None));
        assert!(is_rate_limit(403, Some("userRateLimitExceeded")));
        assert!(!is_rate_limit(403, Some("forbidden")));
        for s in [500, 502, 503, 504] {
            assert!(
                !is_rate_limit(s, None),
                "{s}: a server error may have applied the write"
            );
        }
    }

    #[test]
    fn full_jitter_within_exponential_cap() {
        let p = policy();
        assert_eq!(backoff_delay(&p, 1, None, 0.0), Duration::ZERO);
        assert_eq!(backoff_delay(&p, 1, None, 1.0), Duration::from_millis(500));
        assert_eq!(backoff_delay(&p, 3, None, 0.5), Duration::from_millis(1000));
        assert_eq!(
            backoff_delay(&p, 4, None, 0.999_999),
            Duration::from_millis(3999) + Duration::from_nanos(996_000)
        );
        // Capped at max_delay, and no overflow for huge attempt numbers or odd rng values.
        assert_eq!(backoff_delay(&p, 10, None, 1.0), Duration::from_secs(32));
        assert_eq!(
            backoff_delay(&p, u32::MAX, None, 1.0),
            Duration::from_secs(32)
        );
        assert_eq!(backoff_delay(&p, 0, None, 1.0), Duration::from_millis(500));
        assert_eq!(backoff_delay(&p, 2, None, f64::NAN), Duration::ZERO);
        assert_eq!(backoff_delay(&p, 2, None, 7.0), Duration::from_secs(1));
    }

    #[test]
    fn retry_after_is_a_floor_up_to_sixty_seconds() {
        let p = policy();
        let ra = |s| Some(Duration::from_secs(s));
        assert_eq!(backoff_delay(&p, 1, ra(5), 0.3), Duration::from_secs(5));
        assert_eq!(backoff_delay(&p, 10, ra(1), 1.0), Duration::from_secs(32));
        assert_eq!(backoff_delay(&p, 1, ra(45), 0.0), Duration::from_secs(45));
        assert_eq!(backoff_delay(&p, 1, ra(3600), 0.0), Duration::from_secs(60));
        let long = RetryPolicy {
            max_delay: Duration::from_secs(120),
            ..p
        };
        assert_eq!(
            backoff_delay(&long, 1, ra(3600), 0.0),
            Duration::from_secs(120)
        );
    }

    #[test]
    fn parses_retry_after() {
        let now = UNIX_EPOCH + Duration::from_secs(784_111_777); // Sun, 06 Nov 1994 08:49:37 GMT
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:27 GMT", now),
            Some(Duration::ZERO)
        );
        let y2k = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
        assert_eq!(
            parse_retry_after("Tue, 29 Feb 2000 00:01:00 GMT", y2k),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            parse_retry_after("99999999999999999999999", now),
            Some(Duration::from_secs(u64::MAX))
        );
        for bad in [
            "",
            "-5",
            "1.5",
            "soon",
            "Sun, 06 Nov 1994 08:49:47 PST",
            "Sun, 6 Nov 1994 08:49:47 GMT",
            "Sun, 06 Foo 1994 08:49:47 GMT",
            "Sun, 06 Nov 1994 25:49:47 GMT",
        ] {
            assert_eq!(parse_retry_after(bad, now), None, "{bad}");
        }
    }

    #[test]
    fn event_ids_are_base32hex_and_unique() {
        let ids: std::collections::HashSet<String> = (0..10_000).map(|_| new_event_id()).collect();
        assert_eq!(ids.len(), 10_000);
        for id in ids.iter().take(100) {
            assert_eq!(id.len(), 26);
            assert!(
                id.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'v').contains(&b)),
                "{id}"
            );
        }
        // Every alphabet character shows up: the encoding uses all 5 bits.
        let all: std::collections::HashSet<u8> = ids.iter().flat_map(|i| i.bytes()).collect();
        assert_eq!(all.len(), 32);
    }
}
