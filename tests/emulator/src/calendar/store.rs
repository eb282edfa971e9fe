//! In-memory data: calendars with their events and ACL, users with their list and settings.

use super::compact::Obj;
use super::rrule::{Rule, Start};
use chrono_tz::Tz;
use rustc_hash::FxHashMap as FastMap;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, OnceLock};

/// Rank of an access role, higher sees and does more.
pub(crate) fn role_rank(role: &str) -> u8 {
    match role {
        "freeBusyReader" => 1,
        "reader" => 2,
        "writerWithoutPrivateAccess" | "writer" => 3,
        "owner" => 4,
        _ => 0,
    }
}

pub(crate) fn rank_role(rank: u8) -> &'static str {
    match rank {
        1 => "freeBusyReader",
        2 => "reader",
        3 => "writer",
        4 => "owner",
        _ => "none",
    }
}

pub(crate) fn etag(seq: u64) -> String {
    let mut digits = itoa::Buffer::new();
    ["\"", digits.format(seq), "\""].concat()
}

/// The recurrence of a recurring event.
#[derive(Clone, Debug)]
pub(crate) struct Series {
    pub rule: Rule,
    pub tz: Tz,
    pub first: Start,
    /// Duration of each occurrence: days for all-day series, else ms.
    pub dur: i64,
    /// Changed (Some) or cancelled (None) occurrences, by instance suffix.
    pub overrides: BTreeMap<String, Option<Map<String, Value>>>,
}

impl Series {
    pub fn cancelled(&self, suffix: &str) -> bool {
        matches!(self.overrides.get(suffix), Some(None))
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Event {
    /// The resource as answered, without `etag`; shared with answers in flight (no copy per answer).
    pub data: Arc<Obj>,
    pub seq: u64,
    pub start_ms: i64,
    pub end_ms: i64,
    /// Boxed: few events recur, and every event's slot in `Cal::events` would otherwise hold
    /// room for a series (240 bytes an event instead of 64).
    pub series: Option<Box<Series>>,
    pub cancelled: bool,
    pub updated_ms: i64,
    /// The pretty JSON answer of this version, made by the first events.get that needs it.
    pub json: Arc<OnceLock<bytes::Bytes>>,
}

impl Event {
    pub fn ical_uid(&self) -> Option<&str> {
        self.data.get_str("iCalUID")
    }
}

#[derive(Clone, Debug)]
pub(crate) struct AclRule {
    pub role: String,
    pub scope_type: String,
    pub scope_value: Option<String>,
    pub seq: u64,
    pub deleted: bool,
}

/// An event id in the `by_start` index, ordered as its text. Calendars often hold many events
/// with one start time (thousands in a benchmark), and then the ids decide every comparison:
/// `head`, the first 16 bytes as one big-endian number (zero-padded), settles almost all of
/// them without comparing strings. Padding with zeros keeps the order: where the heads differ,
/// they differ as the texts do, and where they are equal the texts decide.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct OrderedId {
    head: u128,
    id: EventId,
}

/// An event's id: one allocation, shared by `Cal::events` and every index of the event.
pub(crate) type EventId = Arc<str>;

impl OrderedId {
    pub fn new(id: impl Into<EventId>) -> Self {
        let id = id.into();
        let mut head = [0u8; 16];
        let n = id.len().min(16);
        head[..n].copy_from_slice(&id.as_bytes()[..n]);
        OrderedId {
            head: u128::from_be_bytes(head),
            id,
        }
    }

    /// Before every id, for ranges from a start time on.
    pub fn lowest() -> Self {
        OrderedId::new("")
    }

    pub fn as_str(&self) -> &str {
        &self.id
    }
}

pub(crate) struct Cal {
    pub id: String,
    /// summary, description, location, timeZone, ...
    pub data: Map<String, Value>,
    pub seq: u64,
    /// Last change of the calendar or any of its events (list etag, `updated`).
    pub last_seq: u64,
    pub last_ms: i64,
    pub primary_of: Option<String>,
    pub events: FastMap<EventId, Event>,
    /// Non-recurring events by (start, id).
    pub by_start: BTreeSet<(i64, OrderedId)>,
    /// Recurring events by id.
    pub recurring: BTreeSet<EventId>,
    /// Every event by its last change.
    pub by_seq: BTreeMap<u64, EventId>,
    pub ical: FastMap<String, EventId>,
    /// Longest non-recurring event, to bound time-window scans.
    pub max_dur: i64,
    pub acl: BTreeMap<String, AclRule>,
}

impl Cal {
    pub fn new(id: &str, summary: &str) -> Self {
        let mut data = Map::new();
        data.insert("summary".into(), Value::from(summary));
        data.insert("timeZone".into(), Value::from("UTC"));
        Cal {
            id: id.to_string(),
            data,
            seq: 0,
            last_seq: 0,
            last_ms: 0,
            primary_of: None,
            events: FastMap::default(),
            by_start: BTreeSet::new(),
            recurring: BTreeSet::new(),
            by_seq: BTreeMap::new(),
            ical: FastMap::default(),
            max_dur: 0,
            acl: BTreeMap::new(),
        }
    }

    /// Stores an event, keeping every index in step.
    pub fn put_event(&mut self, id: &str, mut ev: Event) {
        // A fresh cache: a copy of an older version may share (and fill) the old one. One that
        // nothing else holds and that is still empty is as good as fresh.
        if Arc::strong_count(&ev.json) > 1 || ev.json.get().is_some() {
            ev.json = Arc::default();
        }
        let id = self.unindex(id).unwrap_or_else(|| id.into());
        if ev.series.is_some() {
            self.recurring.insert(id.clone());
        } else {
            self.by_start
                .insert((ev.start_ms, OrderedId::new(id.clone())));
            self.max_dur = self.max_dur.max(ev.end_ms - ev.start_ms);
        }
        self.by_seq.insert(ev.seq, id.clone());
        if let Some(u) = ev.ical_uid() {
            self.ical.insert(u.to_string(), id.clone());
        }
        self.last_seq = self.last_seq.max(ev.seq);
        self.last_ms = self.last_ms.max(ev.updated_ms);
        self.events.insert(id, ev);
    }

    /// Drops an event and its index entries entirely (events.move source keeps a tombstone instead).
    /// Gives back the stored id, for a new version to share.
    pub fn unindex(&mut self, id: &str) -> Option<EventId> {
        let (id, old) = self.events.remove_entry(id)?;
        self.by_start
            .remove(&(old.start_ms, OrderedId::new(id.clone())));
        self.recurring.remove(&id);
        self.by_seq.remove(&old.seq);
        if let Some(u) = old.ical_uid()
            && self.ical.get(u).is_some_and(|x| *x == id)
        {
            self.ical.remove(u);
        }
        Some(id)
    }

    pub fn time_zone(&self) -> Tz {
        self.data
            .get("timeZone")
            .and_then(Value::as_str)
            .and_then(|s| s.parse().ok())
            .unwrap_or(Tz::UTC)
    }

    /// Effective role of `user` on this calendar.
    pub fn rank_of(&self, user: &str) -> u8 {
        let mut r = 0;
        for (id, rule) in &self.acl {
            if rule.deleted {
                continue;
            }
            let applies = id == "default"
                || (rule.scope_type == "user"
                    && rule
                        .scope_value
                        .as_deref()
                        .is_some_and(|v| v.eq_ignore_ascii_case(user)));
            if applies {
                r = r.max(role_rank(&rule.role));
            }
        }
        r
    }
}

/// A user's calendarList entry (user-specific fields only).
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    pub data: Map<String, Value>,
    pub seq: u64,
    pub deleted: bool,
}

pub(crate) struct User {
    pub entries: BTreeMap<String, Entry>,
    pub settings: BTreeMap<String, (String, u64)>,
}

pub(crate) const DEFAULT_SETTINGS: &[(&str, &str)] = &[
    ("autoAddHangouts", "false"),
    ("dateFieldOrder", "MDY"),
    ("defaultEventLength", "60"),
    ("format24HourTime", "false"),
    ("hideInvitations", "false"),
    ("hideWeekends", "false"),
    ("locale", "en"),
    ("remindOnRespondedEventsOnly", "false"),
    ("showDeclinedEvents", "true"),
    ("timezone", "UTC"),
    ("useKeyboardShortcuts", "true"),
    ("weekStart", "0"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordered_ids_order_as_their_text() {
        let ids = [
            "",
            "\0",
            "a",
            "a\0",
            "a\0b",
            "ab",
            "abcdefghijklmnop",
            "abcdefghijklmnop\0",
            "abcdefghijklmnopq",
            "abcdefghijklmnopr",
            "abcdefghijklmnoq",
            "abcdefghijklmnoqa",
            "b",
            "vvvvvvvvvvvvvvvvvvvvvvvvvv",
            "é",
            "\u{10ffff}",
        ];
        for a in ids {
            for b in ids {
                assert_eq!(
                    OrderedId::new(a).cmp(&OrderedId::new(b)),
                    a.cmp(b),
                    "{a:?} {b:?}"
                );
            }
        }
        assert!(
            ids.iter()
                .all(|&id| OrderedId::lowest() <= OrderedId::new(id))
        );
    }

    #[test]
    fn etags_quote_the_sequence() {
        assert_eq!(etag(0), "\"0\"");
        assert_eq!(etag(1234), "\"1234\"");
        assert_eq!(etag(u64::MAX), format!("\"{}\"", u64::MAX));
    }
}
