//! events.list and events.instances: filters, ordering, paging, incremental sync; quickAdd parsing.

use super::compact::Json;
use super::error::{R, bad_request, invalid, not_found};
use super::event_render::{occ_span, present, render_event, render_instance, stamp};
use super::rrule::{self, Occ};
use super::store::{Cal, Event, OrderedId, etag};
use super::timeutil::{fmt_ms, parse_rfc3339};
use super::tokens::{PageToken, sync_token};
use super::{ApiResponse, Calendars, Ctx, ok};
use chrono::{Duration, NaiveDate, NaiveTime, TimeZone, Timelike};
use chrono_tz::Tz;
use serde_json::{Map, Value, json};

const TWO_YEARS_MS: i64 = 2 * 366 * 86_400_000;
const SYNC_EXCLUSIVE: &[&str] = &[
    "iCalUID",
    "orderBy",
    "privateExtendedProperty",
    "q",
    "sharedExtendedProperty",
    "timeMin",
    "timeMax",
    "updatedMin",
];

/// Filters of an events.list call.
struct Filter {
    time_min: Option<i64>,
    time_max: Option<i64>,
    horizon: i64,
    q: Option<String>,
    show_deleted: bool,
    single: bool,
    updated_min: Option<i64>,
    ical: Option<String>,
    private: Vec<(String, String)>,
    shared: Vec<(String, String)>,
    types: Vec<String>,
    sync: bool,
}

fn props(ctx: &Ctx, name: &str) -> R<Vec<(String, String)>> {
    ctx.p
        .all(name)
        .into_iter()
        .map(|v| {
            v.split_once('=')
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .ok_or_else(|| invalid(format!("Invalid value '{v}' for parameter '{name}'.")))
        })
        .collect()
}

impl Filter {
    fn from(ctx: &Ctx, sync: bool) -> R<Filter> {
        let time_min = ctx.p.get("timeMin").and_then(parse_rfc3339);
        let time_max = ctx.p.get("timeMax").and_then(parse_rfc3339);
        if let (Some(a), Some(b)) = (time_min, time_max)
            && b <= a
        {
            return Err(bad_request("The specified time range is empty."));
        }
        Ok(Filter {
            time_min,
            time_max,
            // Unbounded rules stop at a horizon: 2 years past the window start (or now),
            // and never more than 5 years past it even when timeMax is further.
            horizon: {
                let base = time_min.unwrap_or(ctx.now).max(ctx.now);
                time_max.map_or(base + TWO_YEARS_MS, |m| m.min(base + 5 * TWO_YEARS_MS / 2))
            },
            q: ctx.p.get("q").map(str::to_lowercase),
            show_deleted: ctx.p.flag("showDeleted") || sync,
            single: ctx.p.flag("singleEvents"),
            updated_min: ctx.p.get("updatedMin").and_then(parse_rfc3339),
            ical: ctx.p.get("iCalUID").map(str::to_string),
            private: props(ctx, "privateExtendedProperty")?,
            shared: props(ctx, "sharedExtendedProperty")?,
            types: ctx
                .p
                .all("eventTypes")
                .into_iter()
                .map(str::to_string)
                .collect(),
            sync,
        })
    }

    /// Everything but the time window.
    fn keeps(&self, ev: &Event) -> bool {
        if ev.cancelled && !self.show_deleted {
            return false;
        }
        if self.updated_min.is_some_and(|u| ev.updated_ms < u) {
            return false;
        }
        let s = |k: &str| ev.data.get_str(k);
        if let Some(q) = &self.q {
            let hit = ["summary", "description", "location"]
                .iter()
                .any(|k| s(k).is_some_and(|v| v.to_lowercase().contains(q)));
            if !hit {
                return false;
            }
        }
        if let Some(i) = &self.ical
            && s("iCalUID") != Some(i.as_str())
        {
            return false;
        }
        if !self.types.is_empty()
            && !self
                .types
                .iter()
                .any(|t| Some(t.as_str()) == s("eventType"))
        {
            return false;
        }
        for (kind, wanted) in [("private", &self.private), ("shared", &self.shared)] {
            for (k, v) in wanted {
                let have = ev
                    .data
                    .get("extendedProperties")
                    .and_then(|e| e.get(kind))
                    .and_then(|p| p.get(k))
                    .and_then(Json::as_str);
                if have != Some(v.as_str()) {
                    return false;
                }
            }
        }
        true
    }

    fn overlaps(&self, start: i64, end: i64) -> bool {
        if self.sync {
            return true;
        }
        self.time_max.is_none_or(|m| start < m) && self.time_min.is_none_or(|m| end > m)
    }
}

/// A list position: (number, event id, instance suffix).
type Key = (i64, String, String);

/// One answer of a listing, rendered lazily.
struct Hit {
    key: Key,
    occ: Option<Occ>,
}

impl Calendars {
    fn render_hit(cal: &Cal, h: &Hit) -> Value {
        let ev = &cal.events[h.key.1.as_str()];
        match (&h.occ, &ev.series) {
            (Some(o), Some(s)) => render_instance(&h.key.1, ev, s, o),
            _ => render_event(ev),
        }
    }

    /// Occurrences of a recurring event inside the filter's window, in order.
    fn occurrences(ev: &Event, f: &Filter) -> Vec<Occ> {
        let mut out = Vec::new();
        if let Some(s) = &ev.series {
            rrule::expand(&s.rule, s.tz, s.first, f.horizon, |occ| {
                let (a, b) = occ_span(s, &occ);
                let hidden =
                    !f.show_deleted && !s.overrides.is_empty() && s.cancelled(&stamp(&occ));
                if f.overlaps(a, b) && !hidden {
                    out.push(occ);
                }
                true
            });
        }
        out
    }

    /// Items of a recurring event for a listing: its instances or itself.
    fn recurring_hits(id: &str, ev: &Event, f: &Filter, num_of: impl Fn(i64) -> i64) -> Vec<Hit> {
        if f.single && !ev.cancelled {
            return Self::occurrences(ev, f)
                .into_iter()
                .map(|o| Hit {
                    key: (num_of(o.ms), id.to_string(), stamp(&o)),
                    occ: Some(o),
                })
                .collect();
        }
        let visible = f.sync || ev.cancelled || f.time_min.is_none() && f.time_max.is_none() || {
            let probe = Self::copy_window(f);
            !Self::occurrences(ev, &probe).is_empty()
        };
        if visible {
            vec![Hit {
                key: (num_of(ev.start_ms), id.to_string(), String::new()),
                occ: None,
            }]
        } else {
            Vec::new()
        }
    }

    fn copy_window(f: &Filter) -> Filter {
        Filter {
            time_min: f.time_min,
            time_max: f.time_max,
            horizon: f.horizon.min(f.time_max.unwrap_or(f.horizon)),
            q: None,
            show_deleted: true,
            single: true,
            updated_min: None,
            ical: None,
            private: Vec::new(),
            shared: Vec::new(),
            types: Vec::new(),
            sync: false,
        }
    }

    /// Up to `want` hits after `after`, in start order (plus one to tell whether more exist).
    fn by_start(cal: &Cal, f: &Filter, after: Option<&Key>, want: usize) -> Vec<Hit> {
        let mut rec: Vec<Hit> = Vec::new();
        for id in &cal.recurring {
            let ev = &cal.events[id];
            if !f.keeps(ev) {
                continue;
            }
            rec.extend(
                Self::recurring_hits(id, ev, f, |ms| ms)
                    .into_iter()
                    .filter(|h| after.is_none_or(|a| h.key > *a)),
            );
        }
        rec.sort_by(|a, b| a.key.cmp(&b.key));
        let mut rec = rec.into_iter().peekable();
        let lo = match (after, f.time_min) {
            (Some(a), _) => (a.0, OrderedId::new(a.1.as_str())),
            (None, Some(m)) if !f.sync => (m.saturating_sub(cal.max_dur + 1), OrderedId::lowest()),
            _ => (i64::MIN, OrderedId::lowest()),
        };
        let mut single = cal
            .by_start
            .range(lo..)
            .map(|(ms, id)| (*ms, id.as_str()))
            .filter(|&(ms, id)| after.is_none_or(|a| (ms, id) > (a.0, a.1.as_str())))
            .take_while(|&(ms, _)| f.sync || f.time_max.is_none_or(|m| ms < m))
            .filter(|&(_, id)| {
                let ev = &cal.events[id];
                f.overlaps(ev.start_ms, ev.end_ms) && f.keeps(ev)
            })
            .map(|(ms, id)| Hit {
                key: (ms, id.to_string(), String::new()),
                occ: None,
            })
            .peekable();
        let mut out = Vec::new();
        while out.len() < want {
            let take_rec = match (rec.peek(), single.peek()) {
                (Some(r), Some(s)) => r.key < s.key,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            let next = if take_rec { rec.next() } else { single.next() };
            out.extend(next);
        }
        out
    }

    /// Up to `want` hits after `after`, in change order (orderBy=updated and sync).
    fn by_seq(cal: &Cal, f: &Filter, from: u64, after: Option<&Key>, want: usize) -> Vec<Hit> {
        let start = after.map(|a| a.0 as u64).unwrap_or(from);
        let mut out = Vec::new();
        for (seq, id) in cal.by_seq.range(start..) {
            let ev = &cal.events[id];
            if !f.keeps(ev) {
                continue;
            }
            let n = *seq as i64;
            let hits = if ev.series.is_some() {
                Self::recurring_hits(id, ev, f, |_| n)
            } else if f.overlaps(ev.start_ms, ev.end_ms) {
                vec![Hit {
                    key: (n, id.to_string(), String::new()),
                    occ: None,
                }]
            } else {
                Vec::new()
            };
            for h in hits {
                if after.is_none_or(|a| h.key > *a) {
                    out.push(h);
                }
            }
            if out.len() >= want {
                break;
            }
        }
        out.truncate(want);
        out
    }

    fn events_envelope(&self, ctx: &Ctx, cal: &Cal) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("kind".into(), "calendar#events".into());
        m.insert("etag".into(), etag(cal.last_seq.max(cal.seq)).into());
        for k in ["summary", "description"] {
            if let Some(v) = cal.data.get(k) {
                m.insert(k.into(), v.clone());
            }
        }
        m.insert("updated".into(), fmt_ms(cal.last_ms).into());
        m.insert("timeZone".into(), cal.time_zone().name().into());
        let rank = cal.rank_of(ctx.user);
        m.insert("accessRole".into(), super::store::rank_role(rank).into());
        let reminders = self
            .users
            .get(ctx.user)
            .and_then(|u| u.entries.get(&cal.id))
            .and_then(|e| e.data.get("defaultReminders").cloned())
            .unwrap_or(json!([]));
        m.insert("defaultReminders".into(), reminders);
        m
    }

    pub(crate) fn ev_list(&mut self, ctx: &Ctx) -> R<ApiResponse> {
        let cal_id = self.access(ctx.user, ctx.var("calendarId"), 1)?;
        if ctx.p.get("orderBy") == Some("startTime") && !ctx.p.flag("singleEvents") {
            return Err(bad_request(
                "The requested ordering is not available for the particular query.",
            ));
        }
        let token_sync = ctx.p.has("syncToken");
        if token_sync {
            for bad in SYNC_EXCLUSIVE {
                if ctx.p.has(bad) {
                    return Err(invalid(format!(
                        "The parameter {bad} cannot be used together with syncToken."
                    )));
                }
            }
        }
        let by_updated = ctx.p.get("orderBy") == Some("updated");
        // A sync listing's later pages may come with the pageToken alone.
        let sync_page = ctx
            .p
            .get("pageToken")
            .is_some_and(|t| PageToken::decode(t, "upd").is_ok_and(|t| t.since.is_some()));
        let mode = if token_sync || by_updated || sync_page {
            "upd"
        } else {
            "start"
        };
        let cur = self.cursor(ctx, mode)?;
        let f = Filter::from(ctx, cur.since.is_some())?;
        let size = Self::page_size(ctx, 250, 2500);
        let cal = &self.cals[&cal_id];
        let after = cur
            .token
            .as_ref()
            .map(|t| (t.num, t.id.clone(), t.sub.clone()));
        let mut hits = match (mode, cur.since) {
            ("upd", since) => Self::by_seq(
                cal,
                &f,
                since.map(|s| s + 1).unwrap_or(0),
                after.as_ref(),
                size + 1,
            ),
            _ => Self::by_start(cal, &f, after.as_ref(), size + 1),
        };
        let more = hits.len() > size || ctx.req.page_limit == Some(0);
        hits.truncate(size);
        let mut m = self.events_envelope(ctx, cal);
        if more {
            let last = hits.last().map(|h| h.key.clone()).or(after).unwrap_or((
                i64::MIN,
                String::new(),
                String::new(),
            ));
            let t = PageToken {
                snap: cur.snap,
                mode: mode.into(),
                num: last.0,
                id: last.1,
                sub: last.2,
                since: cur.since,
                epoch: self.epoch,
            };
            m.insert("nextPageToken".into(), t.encode().into());
        } else {
            m.insert(
                "nextSyncToken".into(),
                sync_token(self.epoch, cur.snap).into(),
            );
        }
        let (rank, max_att) = (cal.rank_of(ctx.user), ctx.p.int("maxAttendees"));
        let items = hits
            .iter()
            .map(|h| present(Self::render_hit(cal, h), rank, max_att))
            .collect();
        m.insert("items".into(), Value::Array(items));
        Ok(ok(Value::Object(m)))
    }

    pub(crate) fn ev_instances(&mut self, ctx: &Ctx) -> R<ApiResponse> {
        let cal_id = self.access(ctx.user, ctx.var("calendarId"), 1)?;
        let cal = &self.cals[&cal_id];
        let id = ctx.var("eventId");
        let ev = cal.events.get(id).ok_or_else(not_found)?;
        let cur = self.cursor(ctx, "inst")?;
        let mut f = Filter::from(ctx, false)?;
        f.single = true;
        let size = Self::page_size(ctx, 250, 2500);
        let original = ctx.p.get("originalStart").and_then(parse_rfc3339);
        let mut hits: Vec<Hit> = if ev.series.is_some() {
            let after = cur.token.as_ref().map(|t| t.sub.clone());
            let mut out = Vec::new();
            if let Some(s) = &ev.series {
                rrule::expand(&s.rule, s.tz, s.first, f.horizon, |occ| {
                    let (a, b) = occ_span(s, &occ);
                    let st = stamp(&occ);
                    let keep = f.overlaps(a, b)
                        && (f.show_deleted || !s.cancelled(&st))
                        && original.is_none_or(|o| o == occ.ms)
                        && after.as_ref().is_none_or(|x| st > *x);
                    if keep {
                        out.push(Hit {
                            key: (occ.ms, id.to_string(), st),
                            occ: Some(occ),
                        });
                    }
                    out.len() <= size
                });
            }
            out
        } else if cur.token.is_none() && (!ev.cancelled || f.show_deleted) {
            vec![Hit {
                key: (ev.start_ms, id.to_string(), String::new()),
                occ: None,
            }]
        } else {
            Vec::new()
        };
        if ev.cancelled && !f.show_deleted {
            hits.clear();
        }
        let more = hits.len() > size || ctx.req.page_limit == Some(0);
        hits.truncate(size);
        let mut m = self.events_envelope(ctx, cal);
        if more {
            let sub = hits
                .last()
                .map(|h| h.key.2.clone())
                .or_else(|| cur.token.as_ref().map(|t| t.sub.clone()))
                .unwrap_or_default();
            let t = PageToken {
                snap: cur.snap,
                mode: "inst".into(),
                num: 0,
                id: id.to_string(),
                sub,
                since: None,
                epoch: self.epoch,
            };
            m.insert("nextPageToken".into(), t.encode().into());
        }
        let (rank, max_att) = (cal.rank_of(ctx.user), ctx.p.int("maxAttendees"));
        let items = hits
            .iter()
            .map(|h| present(Self::render_hit(cal, h), rank, max_att))
            .collect();
        m.insert("items".into(), Value::Array(items));
        Ok(ok(Value::Object(m)))
    }
}

/// quickAdd: "Lunch tomorrow at 1pm" → ("Lunch", start, end). Defaults to the next full hour, 1 h long.
pub(crate) fn quick_parse(text: &str, now_ms: i64, tz: Tz) -> (String, Value, Value) {
    let now = tz
        .timestamp_millis_opt(now_ms)
        .single()
        .map(|d| d.naive_local())
        .unwrap_or_default();
    let mut day: Option<NaiveDate> = None;
    let mut time: Option<NaiveTime> = None;
    let mut words: Vec<&str> = Vec::new();
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let mut i = 0;
    while i < tokens.len() {
        let w = tokens[i].to_lowercase();
        let w = w.trim_end_matches([',', '.']);
        if w == "today" {
            day = Some(now.date());
        } else if w == "tomorrow" {
            day = Some(now.date() + Duration::days(1));
        } else if w == "at" && i + 1 < tokens.len() && parse_clock(tokens[i + 1]).is_some() {
            time = parse_clock(tokens[i + 1]);
            i += 1;
        } else if let Some(t) = parse_clock(w).filter(|_| w.ends_with("am") || w.ends_with("pm")) {
            time = Some(t);
        } else {
            words.push(tokens[i]);
        }
        i += 1;
    }
    let start = match (day, time) {
        (None, None) => {
            now.date().and_hms_opt(now.hour(), 0, 0).unwrap_or(now) + Duration::hours(1)
        }
        (d, t) => {
            let d = d.unwrap_or(now.date());
            let t = t.unwrap_or(NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default());
            d.and_time(t)
        }
    };
    let fmt = |n: chrono::NaiveDateTime| {
        json!({
            "dateTime": n.format("%Y-%m-%dT%H:%M:%S").to_string(),
            "timeZone": tz.name(),
        })
    };
    let summary = if words.is_empty() {
        text.to_string()
    } else {
        words.join(" ")
    };
    (summary, fmt(start), fmt(start + Duration::hours(1)))
}

/// "10am", "10:30pm", "14:00".
fn parse_clock(s: &str) -> Option<NaiveTime> {
    let s = s.to_lowercase();
    let (body, pm) = if let Some(b) = s.strip_suffix("pm") {
        (b.to_string(), Some(true))
    } else if let Some(b) = s.strip_suffix("am") {
        (b.to_string(), Some(false))
    } else {
        (s.clone(), None)
    };
    let (h, m) = match body.split_once(':') {
        Some((h, m)) => (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?),
        None if pm.is_some() => (body.parse::<u32>().ok()?, 0),
        None => return None,
    };
    let h = match pm {
        Some(true) if h < 12 => h + 12,
        Some(false) if h == 12 => 0,
        Some(_) if h > 12 => return None,
        _ => h,
    };
    NaiveTime::from_hms_opt(h, m, 0)
}
