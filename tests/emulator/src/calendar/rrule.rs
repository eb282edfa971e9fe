//! RRULE/EXDATE expansion (RFC 5545 subset: DAILY, WEEKLY, MONTHLY, YEARLY with
//! INTERVAL, COUNT, UNTIL, BYDAY, BYMONTHDAY, BYMONTH).

use super::timeutil::date_ms;
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Weekday};
use chrono_tz::Tz;

/// Start of an occurrence: a whole day, or wall-clock time in the series' zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Start {
    Date(NaiveDate),
    Local(NaiveDateTime),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Freq {
    Daily,
    Weekly,
    Monthly,
    Yearly,
}

#[derive(Clone, Debug)]
enum Bound {
    Date(NaiveDate),
    Instant(i64),
}

/// A parsed recurrence: one RRULE plus EXDATEs.
#[derive(Clone, Debug)]
pub(crate) struct Rule {
    freq: Freq,
    interval: i64,
    count: Option<u32>,
    until: Option<Bound>,
    byday: Vec<(i32, Weekday)>,
    bymonthday: Vec<i32>,
    bymonth: Vec<u32>,
    exdates: Vec<Bound>,
}

/// Wall-clock time to epoch ms in `tz` (gaps move forward one hour, overlaps take the earlier).
pub(crate) fn local_ms(tz: Tz, n: NaiveDateTime) -> i64 {
    tz.from_local_datetime(&n)
        .earliest()
        .or_else(|| tz.from_local_datetime(&(n + Duration::hours(1))).earliest())
        .map(|d| d.timestamp_millis())
        .unwrap_or_else(|| n.and_utc().timestamp_millis())
}

pub(crate) fn start_ms(tz: Tz, s: Start) -> i64 {
    match s {
        Start::Date(d) => date_ms(d),
        Start::Local(n) => local_ms(tz, n),
    }
}

fn weekday(s: &str) -> Option<Weekday> {
    Some(match s {
        "MO" => Weekday::Mon,
        "TU" => Weekday::Tue,
        "WE" => Weekday::Wed,
        "TH" => Weekday::Thu,
        "FR" => Weekday::Fri,
        "SA" => Weekday::Sat,
        "SU" => Weekday::Sun,
        _ => return None,
    })
}

/// "20260105", "20260105T100000" (in `tz`) or "20260105T100000Z".
fn parse_bound(v: &str, tz: Tz) -> Option<Bound> {
    if v.len() == 8 {
        return NaiveDate::parse_from_str(v, "%Y%m%d").ok().map(Bound::Date);
    }
    if let Some(z) = v.strip_suffix('Z') {
        let n = NaiveDateTime::parse_from_str(z, "%Y%m%dT%H%M%S").ok()?;
        return Some(Bound::Instant(n.and_utc().timestamp_millis()));
    }
    let n = NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%S").ok()?;
    Some(Bound::Instant(local_ms(tz, n)))
}

/// Parses the event's `recurrence` lines; `tz` is the zone of the start time.
pub(crate) fn parse(lines: &[String], tz: Tz) -> Result<Rule, String> {
    let mut rule: Option<Rule> = None;
    let mut exdates = Vec::new();
    for line in lines {
        let (head, value) = line.split_once(':').ok_or("Invalid recurrence rule.")?;
        let mut head_parts = head.split(';');
        let name = head_parts.next().unwrap_or("").to_ascii_uppercase();
        match name.as_str() {
            "RRULE" => {
                if rule.is_some() {
                    return Err("Only one RRULE is supported.".into());
                }
                rule = Some(parse_rrule(value, tz)?);
            }
            "EXDATE" => {
                let mut ztz = tz;
                for p in head_parts {
                    if let Some(id) = p.strip_prefix("TZID=") {
                        ztz = id.parse().map_err(|_| "Invalid EXDATE time zone.")?;
                    }
                }
                for v in value.split(',') {
                    exdates.push(parse_bound(v.trim(), ztz).ok_or("Invalid EXDATE.")?);
                }
            }
            "RDATE" | "EXRULE" => {}
            _ => return Err("Invalid recurrence rule.".into()),
        }
    }
    let mut rule = rule.ok_or("Invalid recurrence rule: no RRULE.")?;
    rule.exdates = exdates;
    Ok(rule)
}

fn parse_rrule(value: &str, tz: Tz) -> Result<Rule, String> {
    let bad = || format!("Invalid recurrence rule: {value}");
    let mut r = Rule {
        freq: Freq::Daily,
        interval: 1,
        count: None,
        until: None,
        byday: Vec::new(),
        bymonthday: Vec::new(),
        bymonth: Vec::new(),
        exdates: Vec::new(),
    };
    let mut freq = None;
    for part in value.split(';').filter(|p| !p.is_empty()) {
        let (k, v) = part.split_once('=').ok_or_else(bad)?;
        match k.to_ascii_uppercase().as_str() {
            "FREQ" => {
                freq = Some(match v {
                    "DAILY" => Freq::Daily,
                    "WEEKLY" => Freq::Weekly,
                    "MONTHLY" => Freq::Monthly,
                    "YEARLY" => Freq::Yearly,
                    _ => return Err(bad()),
                })
            }
            "INTERVAL" => {
                r.interval = v.parse().map_err(|_| bad())?;
                if !(1..=1000).contains(&r.interval) {
                    return Err(bad());
                }
            }
            "COUNT" => r.count = Some(v.parse().map_err(|_| bad())?),
            "UNTIL" => r.until = Some(parse_bound(v, tz).ok_or_else(bad)?),
            "BYDAY" => {
                for d in v.split(',') {
                    let split = d.len().checked_sub(2).ok_or_else(bad)?;
                    let wd = d.get(split..).and_then(weekday).ok_or_else(bad)?;
                    let ord = match d.get(..split) {
                        Some("") => 0,
                        Some(n) => n.parse::<i32>().map_err(|_| bad())?,
                        None => return Err(bad()),
                    };
                    r.byday.push((ord, wd));
                }
            }
            "BYMONTHDAY" => {
                for d in v.split(',') {
                    r.bymonthday.push(d.parse().map_err(|_| bad())?);
                }
            }
            "BYMONTH" => {
                for d in v.split(',') {
                    r.bymonth.push(d.parse().map_err(|_| bad())?);
                }
            }
            "WKST" | "BYSETPOS" | "BYHOUR" | "BYMINUTE" | "BYSECOND" | "BYYEARDAY" | "BYWEEKNO" => {
            }
            _ => return Err(bad()),
        }
    }
    r.freq = freq.ok_or_else(bad)?;
    Ok(r)
}

fn days_in_month(y: i32, m: u32) -> u32 {
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    NaiveDate::from_ymd_opt(ny, nm, 1)
        .and_then(|d| d.pred_opt())
        .map(|d| d.day())
        .unwrap_or(28)
}

fn month_days(y: i32, m: u32, r: &Rule, dflt: u32) -> Vec<NaiveDate> {
    let dim = days_in_month(y, m) as i32;
    let mut out = Vec::new();
    if !r.bymonthday.is_empty() {
        for &md in &r.bymonthday {
            let d = if md < 0 { dim + 1 + md } else { md };
            if (1..=dim).contains(&d) {
                out.extend(NaiveDate::from_ymd_opt(y, m, d as u32));
            }
        }
    } else if !r.byday.is_empty() {
        for &(ord, wd) in &r.byday {
            let all: Vec<NaiveDate> = (1..=dim as u32)
                .filter_map(|d| NaiveDate::from_ymd_opt(y, m, d))
                .filter(|d| d.weekday() == wd)
                .collect();
            if ord == 0 {
                out.extend(all);
            } else {
                let idx = if ord > 0 {
                    ord as i64 - 1
                } else {
                    all.len() as i64 + ord as i64
                };
                if idx >= 0 && (idx as usize) < all.len() {
                    out.push(all[idx as usize]);
                }
            }
        }
    } else {
        out.extend(NaiveDate::from_ymd_opt(y, m, dflt));
    }
    out.sort();
    out.dedup();
    out
}

/// Candidate dates of period `k` (sorted).
fn period(r: &Rule, d0: NaiveDate, k: i64) -> Vec<NaiveDate> {
    let step = k * r.interval;
    // Beyond chrono's calendar the rule simply has no more dates.
    let add = |d: NaiveDate, days: i64| d.checked_add_signed(Duration::try_days(days)?);
    match r.freq {
        Freq::Daily => {
            let Some(d) = add(d0, step) else {
                return vec![];
            };
            let ok = (r.byday.is_empty() || r.byday.iter().any(|(_, w)| *w == d.weekday()))
                && (r.bymonth.is_empty() || r.bymonth.contains(&d.month()))
                && (r.bymonthday.is_empty() || r.bymonthday.contains(&(d.day() as i32)));
            if ok { vec![d] } else { vec![] }
        }
        Freq::Weekly => {
            let monday = add(d0, -(d0.weekday().num_days_from_monday() as i64));
            let Some(base) = monday.and_then(|m| add(m, 7 * step)) else {
                return vec![];
            };
            let mut out: Vec<NaiveDate> = if r.byday.is_empty() {
                add(base, d0.weekday().num_days_from_monday() as i64)
                    .into_iter()
                    .collect()
            } else {
                r.byday
                    .iter()
                    .filter_map(|(_, w)| add(base, w.num_days_from_monday() as i64))
                    .collect()
            };
            out.sort();
            out.dedup();
            out
        }
        Freq::Monthly => {
            let total = d0.year() as i64 * 12 + d0.month0() as i64 + step;
            let (y, m) = ((total / 12) as i32, (total % 12) as u32 + 1);
            if !r.bymonth.is_empty() && !r.bymonth.contains(&m) {
                return vec![];
            }
            month_days(y, m, r, d0.day())
        }
        Freq::Yearly => {
            let Some(y) = i32::try_from(step)
                .ok()
                .and_then(|s| d0.year().checked_add(s))
            else {
                return vec![];
            };
            let months = if r.bymonth.is_empty() {
                vec![d0.month()]
            } else {
                r.bymonth.clone()
            };
            let mut out = Vec::new();
            for m in months {
                if r.bymonthday.is_empty() && r.byday.is_empty() {
                    out.extend(NaiveDate::from_ymd_opt(y, m, d0.day()));
                } else {
                    out.extend(month_days(y, m, r, d0.day()));
                }
            }
            out.sort();
            out
        }
    }
}

/// One occurrence: its start and that start in epoch ms.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Occ {
    pub start: Start,
    pub ms: i64,
}

/// Calls `visit` for each occurrence in order until it returns false, the rule ends,
/// or (for rules without COUNT or UNTIL) an occurrence starts after `horizon_ms`.
pub(crate) fn expand(
    r: &Rule,
    tz: Tz,
    first: Start,
    horizon_ms: i64,
    mut visit: impl FnMut(Occ) -> bool,
) {
    let (d0, time) = match first {
        Start::Date(d) => (d, None),
        Start::Local(n) => (n.date(), Some(n.time())),
    };
    // A bounded rule ends by itself: Google lists all of it however far ahead it lies.
    let unbounded = r.count.is_none() && r.until.is_none();
    let mut emitted = 0u32;
    let mut empty_run = 0;
    for k in 0..200_000i64 {
        let dates = period(r, d0, k);
        if dates.is_empty() {
            empty_run += 1;
            // A rule that never matches (e.g. BYMONTHDAY=31 with BYMONTH=2) must end.
            if empty_run > 5000 {
                return;
            }
            continue;
        }
        empty_run = 0;
        for d in dates {
            if d < d0 {
                continue;
            }
            let start = match time {
                None => Start::Date(d),
                Some(t) => Start::Local(d.and_time(t)),
            };
            let ms = start_ms(tz, start);
            if let Some(u) = &r.until {
                let past = match (u, start) {
                    (Bound::Date(ud), _) => d > *ud,
                    (Bound::Instant(ui), Start::Date(_)) => ms > *ui,
                    (Bound::Instant(ui), Start::Local(_)) => ms > *ui,
                };
                if past {
                    return;
                }
            }
            if r.count.is_some_and(|c| emitted >= c) || (unbounded && ms > horizon_ms) {
                return;
            }
            emitted += 1;
            let excluded = r.exdates.iter().any(|x| match (x, start) {
                (Bound::Date(xd), _) => *xd == d,
                (Bound::Instant(xi), Start::Local(_)) => *xi == ms,
                (Bound::Instant(xi), Start::Date(_)) => *xi == ms,
            });
            if !excluded && !visit(Occ { start, ms }) {
                return;
            }
        }
    }
}
