//! Event times, validation and the JSON shape of events and their instances.

use super::compact::{Json, Obj};
use super::error::{ApiError, R, invalid, required};
use super::rrule::{self, Occ, Start, local_ms};
use super::store::{Event, Series, etag};
use super::timeutil::{date_ms, parse_date, parse_naive, parse_rfc3339};
use chrono::{Duration, TimeZone, Utc};
use chrono_tz::Tz;
use serde_json::{Map, Value};

/// A parsed `start` or `end`.
enum When {
    Date(chrono::NaiveDate),
    /// `offset`: written in RFC 3339 with an offset, so `normalize_times` leaves it alone.
    Time {
        ms: i64,
        tz: Option<Tz>,
        offset: bool,
    },
}

fn parse_when(v: Option<&Value>, which: &str) -> R<When> {
    let missing = || required(format!("Missing {which} time."));
    let obj = v.and_then(Value::as_object).ok_or_else(missing)?;
    let bad = || invalid(format!("Invalid {which} time."));
    let tz = match obj.get("timeZone") {
        None | Some(Value::Null) => None,
        Some(t) => Some(
            t.as_str()
                .and_then(|s| s.parse::<Tz>().ok())
                .ok_or_else(|| {
                    invalid(format!("Invalid time zone definition for {which} time."))
                })?,
        ),
    };
    if let Some(d) = obj.get("date").filter(|d| !d.is_null()) {
        return Ok(When::Date(d.as_str().and_then(parse_date).ok_or_else(bad)?));
    }
    let Some(dt) = obj.get("dateTime").filter(|d| !d.is_null()) else {
        return Err(missing());
    };
    let s = dt.as_str().ok_or_else(bad)?;
    if let Some(ms) = parse_rfc3339(s) {
        return Ok(When::Time {
            ms,
            tz,
            offset: true,
        });
    }
    match (parse_naive(s), tz) {
        (Some(n), Some(z)) => Ok(When::Time {
            ms: local_ms(z, n),
            tz,
            offset: false,
        }),
        (Some(_), None) => Err(invalid(format!(
            "Missing time zone definition for {which} time."
        ))),
        _ => Err(bad()),
    }
}

/// What `event_times` found.
pub(crate) struct Times {
    pub start_ms: i64,
    pub end_ms: i64,
    pub series: Option<Box<Series>>,
    /// Both times in RFC 3339 with an offset: `normalize_times` would change nothing.
    pub absolute: bool,
}

/// Start/end in ms and the recurrence of an event resource; Google's validation errors.
pub(crate) fn event_times(data: &Map<String, Value>) -> R<Times> {
    let start = parse_when(data.get("start"), "start")?;
    let end = parse_when(data.get("end"), "end")?;
    let empty = || ApiError::new(400, "timeRangeEmpty", "The specified time range is empty.");
    // `first_date`: an all-day start, else the start is `s_ms` local to `tz`.
    let (s_ms, e_ms, first_date, tz, dur) = match (&start, &end) {
        (When::Date(s), When::Date(e)) => {
            if e <= s {
                return Err(empty());
            }
            let days = (*e - *s).num_days();
            (date_ms(*s), date_ms(*e), Some(*s), Tz::UTC, days)
        }
        (When::Time { ms: s, tz, .. }, When::Time { ms: e, .. }) => {
            if e < s {
                return Err(empty());
            }
            (*s, *e, None, tz.unwrap_or(Tz::UTC), e - s)
        }
        _ => {
            return Err(invalid(
                "Start and end times must either both be date or both be dateTime.",
            ));
        }
    };
    let lines: Vec<String> = match data.get("recurrence") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| v.as_str().map(str::to_string))
            .collect::<Option<_>>()
            .ok_or_else(|| invalid("Invalid recurrence rule."))?,
        Some(_) => return Err(invalid("Invalid recurrence rule.")),
    };
    let absolute = matches!(
        (&start, &end),
        (
            When::Time { offset: true, .. },
            When::Time { offset: true, .. }
        )
    );
    let times = |series| Times {
        start_ms: s_ms,
        end_ms: e_ms,
        series,
        absolute,
    };
    if lines.is_empty() {
        return Ok(times(None));
    }
    if let When::Time { tz: None, .. } = start {
        return Err(invalid("Missing time zone definition for start time."));
    }
    let rule = rrule::parse(&lines, tz).map_err(invalid)?;
    // Only a series needs its start as local time (a time zone lookup).
    let first = match first_date {
        Some(d) => Start::Date(d),
        None => {
            let local = tz
                .timestamp_millis_opt(s_ms)
                .single()
                .map(|d| d.naive_local());
            Start::Local(local.unwrap_or_default())
        }
    };
    Ok(times(Some(Box::new(Series {
        rule,
        tz,
        first,
        dur,
        overrides: Default::default(),
    }))))
}

/// Google's event ids: base32hex, 5 to 1024 characters.
pub(crate) fn valid_event_id(id: &str) -> bool {
    (5..=1024).contains(&id.len()) && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'v'))
}

pub(crate) fn render_event(ev: &Event) -> Value {
    let mut m = ev.data.to_map();
    m.insert("etag".into(), etag(ev.seq).into());
    Value::Object(m)
}

/// "20260105T100000Z" for timed occurrences, "20260105" for all-day ones.
pub(crate) fn stamp(occ: &Occ) -> String {
    match occ.start {
        Start::Date(d) => d.format("%Y%m%d").to_string(),
        Start::Local(_) => Utc
            .timestamp_millis_opt(occ.ms)
            .single()
            .unwrap_or_default()
            .format("%Y%m%dT%H%M%SZ")
            .to_string(),
    }
}

fn time_obj(s: &Series, ms: i64, date: Option<chrono::NaiveDate>) -> Value {
    let mut m = Map::new();
    match date {
        Some(d) => {
            m.insert("date".into(), d.format("%Y-%m-%d").to_string().into());
        }
        None => {
            let local = s.tz.timestamp_millis_opt(ms).single();
            let text = local
                .map(|d| d.format("%Y-%m-%dT%H:%M:%S%:z").to_string())
                .unwrap_or_default();
            m.insert("dateTime".into(), text.into());
            m.insert("timeZone".into(), s.tz.name().into());
        }
    }
    Value::Object(m)
}

fn plus_days(d: chrono::NaiveDate, days: i64) -> chrono::NaiveDate {
    Duration::try_days(days)
        .and_then(|n| d.checked_add_signed(n))
        .unwrap_or(d)
}

/// Start and end of an occurrence in ms.
pub(crate) fn occ_span(s: &Series, occ: &Occ) -> (i64, i64) {
    match occ.start {
        Start::Date(d) => (occ.ms, date_ms(plus_days(d, s.dur))),
        Start::Local(_) => (occ.ms, occ.ms + s.dur),
    }
}

/// One occurrence of a recurring event, as events.instances answers it.
pub(crate) fn render_instance(parent_id: &str, ev: &Event, s: &Series, occ: &Occ) -> Value {
    let suffix = stamp(occ);
    if let Some(Some(changed)) = s.overrides.get(&suffix) {
        let mut m = changed.clone();
        m.insert("etag".into(), etag(ev.seq).into());
        return Value::Object(m);
    }
    let mut m = ev.data.to_map();
    if s.cancelled(&suffix) {
        m.insert("status".into(), "cancelled".into());
    }
    m.remove("recurrence");
    m.insert("etag".into(), etag(ev.seq).into());
    m.insert("id".into(), format!("{parent_id}_{}", stamp(occ)).into());
    m.insert("recurringEventId".into(), parent_id.into());
    let (start, end) = match occ.start {
        Start::Date(d) => (
            time_obj(s, occ.ms, Some(d)),
            time_obj(s, 0, Some(plus_days(d, s.dur))),
        ),
        Start::Local(_) => (time_obj(s, occ.ms, None), time_obj(s, occ.ms + s.dur, None)),
    };
    m.insert("originalStartTime".into(), start.clone());
    m.insert("start".into(), start);
    m.insert("end".into(), end);
    Value::Object(m)
}

/// Finds the occurrence of `s` whose instance suffix is `want`.
pub(crate) fn find_occurrence(s: &Series, want: &str) -> Option<Occ> {
    let target = if want.len() == 8 {
        chrono::NaiveDate::parse_from_str(want, "%Y%m%d")
            .ok()
            .map(date_ms)?
    } else {
        chrono::NaiveDateTime::parse_from_str(want, "%Y%m%dT%H%M%SZ")
            .ok()?
            .and_utc()
            .timestamp_millis()
    };
    let mut found = None;
    rrule::expand(&s.rule, s.tz, s.first, target, |occ| {
        if stamp(&occ) == want {
            found = Some(occ);
            return false;
        }
        true
    });
    found
}

/// True when `present` would leave an event with these fields unchanged.
pub(crate) fn presented_as_is(data: &Obj, rank: u8, max_attendees: Option<i64>) -> bool {
    let trimmed = match (
        max_attendees,
        data.get("attendees").and_then(Json::as_array),
    ) {
        (Some(n), Some(att)) => att.len() as i64 > n,
        _ => false,
    };
    rank > 1 && !trimmed
}

/// What a caller sees of an event: free/busy readers only get times, and
/// `maxAttendees` trims the attendee list.
pub(crate) fn present(mut v: Value, rank: u8, max_attendees: Option<i64>) -> Value {
    let Some(m) = v.as_object_mut() else {
        return v;
    };
    if rank <= 1 {
        const KEEP: &[&str] = &[
            "kind",
            "etag",
            "id",
            "status",
            "start",
            "end",
            "recurringEventId",
            "originalStartTime",
            "transparency",
        ];
        m.retain(|k, _| KEEP.contains(&k.as_str()));
    }
    if let (Some(n), Some(Value::Array(att))) = (max_attendees, m.get_mut("attendees"))
        && att.len() as i64 > n
    {
        att.truncate(n.max(0) as usize);
        m.insert("attendeesOmitted".into(), true.into());
    }
    v
}

/// Rewrites wall-clock `dateTime`s ("2026-07-01T10:00:00" + timeZone) to RFC 3339 with
/// the zone's offset, as Google answers them; call after `event_times` accepted the event.
pub(crate) fn normalize_times(data: &mut Map<String, Value>) {
    for k in ["start", "end"] {
        let Some(obj) = data.get_mut(k).and_then(Value::as_object_mut) else {
            continue;
        };
        let Some(dt) = obj.get("dateTime").and_then(Value::as_str) else {
            continue;
        };
        if parse_rfc3339(dt).is_some() {
            continue;
        }
        let tz = obj
            .get("timeZone")
            .and_then(Value::as_str)
            .and_then(|s| s.parse::<Tz>().ok());
        if let (Some(n), Some(z)) = (parse_naive(dt), tz)
            && let Some(t) = z.timestamp_millis_opt(local_ms(z, n)).single()
        {
            let text = t.format("%Y-%m-%dT%H:%M:%S%:z").to_string();
            obj.insert("dateTime".into(), text.into());
        }
    }
}
