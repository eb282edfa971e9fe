//! events.*: get, insert, import, quickAdd, patch, update, delete, move.

use super::compact::{Json, Key, Obj};
use super::error::{ApiError, R, deleted, invalid, not_found, required};
use super::event_render::{
    Times, event_times, find_occurrence, normalize_times, present, presented_as_is,
    render_instance, valid_event_id,
};
use super::event_view::EventView;
use super::store::{Event, etag};
use super::timeutil::fmt_ms;
use super::tokens::b64_encode_into;
use super::{ApiResponse, Calendars, Ctx, no_content, ok, ok_event};
use serde_json::{Map, Value};
use std::sync::Arc;

/// Fields the server owns; a client's values for them are ignored.
const SERVER_FIELDS: &[&str] = &[
    "kind",
    "etag",
    "id",
    "htmlLink",
    "created",
    "updated",
    "creator",
    "organizer",
    "iCalUID",
    "recurringEventId",
];

/// A stored object from its members in any order.
fn object(members: Vec<(&'static str, Json)>) -> Json {
    Json::Object(Obj::from_members(
        members
            .into_iter()
            .map(|(k, v)| (Key::Static(k), v))
            .collect(),
    ))
}

pub(crate) fn duplicate() -> ApiError {
    ApiError::new(409, "duplicate", "The requested identifier already exists.")
}

/// Recursive merge for patch: objects merge, everything else (arrays included) replaces, null removes.
pub(crate) fn merge(into: &mut Map<String, Value>, patch: &Map<String, Value>) {
    for (k, v) in patch {
        match (into.get_mut(k), v) {
            (_, Value::Null) => {
                into.remove(k);
            }
            (Some(Value::Object(a)), Value::Object(b)) => merge(a, b),
            _ => {
                into.insert(k.clone(), v.clone());
            }
        }
    }
}

/// Enumerations and shapes Google checks on event bodies.
fn check_event_fields(body: &Map<String, Value>) -> R<()> {
    let one_of = |k: &str, allowed: &[&str]| -> R<()> {
        match body.get(k) {
            None | Some(Value::Null) => Ok(()),
            Some(v) if v.as_str().is_some_and(|s| allowed.contains(&s)) => Ok(()),
            Some(v) => Err(invalid(format!("Invalid value for {k}: {v}"))),
        }
    };
    one_of("status", &["confirmed", "tentative", "cancelled"])?;
    one_of("transparency", &["opaque", "transparent"])?;
    one_of(
        "visibility",
        &["default", "public", "private", "confidential"],
    )?;
    one_of(
        "colorId",
        &["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"],
    )?;
    if let Some(att) = body.get("attendees").filter(|v| !v.is_null()) {
        let list = att
            .as_array()
            .ok_or_else(|| invalid("Invalid attendees."))?;
        for a in list {
            let email = a.get("email").and_then(Value::as_str).unwrap_or("");
            if email.is_empty() {
                return Err(required("Missing attendee email."));
            }
        }
    }
    if let Some(r) = body.get("reminders").filter(|v| !v.is_null()) {
        let overrides = r.get("overrides").and_then(Value::as_array);
        if r.get("useDefault") == Some(&Value::Bool(true))
            && overrides.is_some_and(|o| !o.is_empty())
        {
            return Err(ApiError::new(
                400,
                "cannotUseDefaultRemindersAndSpecifyOverride",
                "Cannot specify both default reminders and overrides at the same time.",
            ));
        }
        for o in overrides.into_iter().flatten() {
            let method_ok = matches!(
                o.get("method").and_then(Value::as_str),
                Some("email" | "popup")
            );
            let minutes_ok = o
                .get("minutes")
                .and_then(Value::as_i64)
                .is_some_and(|m| (0..=40320).contains(&m));
            if !method_ok || !minutes_ok {
                return Err(invalid(format!("Invalid reminder: {o}")));
            }
        }
    }
    Ok(())
}

/// The client's part of an event: its fields checked, normalized and in stored form, and what
/// it sent for server fields that may be kept. Made from the body alone, so events.insert
/// makes it before taking the calendars lock.
pub(crate) struct ClientEvent {
    times: Times,
    /// The client's fields, but the server's and nulls, in key order.
    members: Vec<(Key, Json)>,
    organizer: Option<Value>,
    ical: Option<String>,
}

impl ClientEvent {
    /// Google's checks of an event body, in its order; its fields then moved, not copied.
    pub fn new(body: Map<String, Value>) -> R<ClientEvent> {
        let times = event_times(&body)?;
        check_event_fields(&body)?;
        let mut m = body;
        if !times.absolute {
            normalize_times(&mut m);
        }
        if let Some(Value::Array(att)) = m.get_mut("attendees") {
            for a in att.iter_mut().filter_map(Value::as_object_mut) {
                a.entry("responseStatus").or_insert("needsAction".into());
            }
        }
        let organizer = m.remove("organizer").filter(|o| o.is_object());
        let ical = match m.remove("iCalUID") {
            Some(Value::String(s)) => Some(s),
            _ => None,
        };
        // `Map` iterates in key order: the members stay sorted.
        let members = m
            .into_iter()
            .filter(|(k, v)| !SERVER_FIELDS.contains(&k.as_str()) && !v.is_null())
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        Ok(ClientEvent {
            times,
            members,
            organizer,
            ical,
        })
    }
}

impl Calendars {
    /// Builds a stored event from the client's fields plus the server's.
    fn build_event(
        &mut self,
        cal_id: &str,
        id: &str,
        client: ClientEvent,
        old: Option<&Event>,
        ctx: &Ctx,
        keep_organizer: bool,
    ) -> Event {
        let ClientEvent {
            times:
                Times {
                    start_ms,
                    end_ms,
                    series,
                    ..
                },
            members,
            organizer: sent_organizer,
            ical: sent_ical,
        } = client;
        const LINK: &str = "https://www.google.com/calendar/event?eid=";
        let eid = [id, " ", cal_id].concat();
        let mut link = String::with_capacity(LINK.len() + eid.len().div_ceil(3) * 4);
        link.push_str(LINK);
        b64_encode_into(&mut link, eid.as_bytes());
        let now = fmt_ms(ctx.now);
        let created = old
            .and_then(|o| o.data.get("created").cloned())
            .unwrap_or_else(|| now.as_str().into());
        let creator = old
            .and_then(|o| o.data.get("creator").cloned())
            .unwrap_or_else(|| object(vec![("email", ctx.user.into()), ("self", true.into())]));
        let organizer = match (keep_organizer, sent_organizer) {
            (true, Some(o)) => o.into(),
            _ => old
                .and_then(|o| o.data.get("organizer").cloned())
                .unwrap_or_else(|| self.organizer(cal_id, ctx.user)),
        };
        let ical = old
            .and_then(|o| o.ical_uid().map(str::to_string))
            .or(sent_ical)
            .unwrap_or_else(|| [id, "@google.com"].concat());
        // The server's fields (none of which the client's kept) and defaults for fields the
        // client left out, in key order, then the client's: sorting them has little to do.
        let missing = |k: &str| {
            members
                .binary_search_by(|(have, _)| have.as_str().cmp(k))
                .is_err()
        };
        let mut all: Vec<(Key, Json)> = Vec::with_capacity(members.len() + 12);
        all.push((Key::Static("created"), created));
        all.push((Key::Static("creator"), creator));
        if missing("eventType") {
            all.push((Key::Static("eventType"), "default".into()));
        }
        all.push((Key::Static("htmlLink"), link.into()));
        all.push((Key::Static("iCalUID"), ical.into()));
        all.push((Key::Static("id"), id.into()));
        all.push((Key::Static("kind"), "calendar#event".into()));
        all.push((Key::Static("organizer"), organizer));
        if missing("reminders") {
            all.push((
                Key::Static("reminders"),
                object(vec![("useDefault", true.into())]),
            ));
        }
        if missing("sequence") {
            let seq = old
                .and_then(|o| o.data.get("sequence").cloned())
                .unwrap_or(Json::Number(0.into()));
            all.push((Key::Static("sequence"), seq));
        }
        if missing("status") {
            all.push((Key::Static("status"), "confirmed".into()));
        }
        all.push((Key::Static("updated"), now.into()));
        all.extend(members);
        let m = Obj::from_members(all);
        let cancelled = m.get_str("status") == Some("cancelled");
        let mut series = series;
        if let (Some(new), Some(old)) = (series.as_mut(), old.and_then(|o| o.series.as_ref())) {
            new.overrides = old.overrides.clone();
        }
        Event {
            data: Arc::new(m),
            seq: self.bump(),
            start_ms,
            end_ms,
            series,
            cancelled,
            updated_ms: ctx.now,
            json: Arc::default(),
        }
    }

    fn organizer(&self, cal_id: &str, user: &str) -> Json {
        let mut o = vec![("email", cal_id.into())];
        if let Some(c) = self.cals.get(cal_id) {
            if c.primary_of.is_none()
                && let Some(s) = c.data.get("summary")
            {
                o.push(("displayName", s.clone().into()));
            }
            if cal_id == user {
                o.push(("self", true.into()));
            }
        }
        object(o)
    }

    /// Stores an event and answers it.
    fn store(&mut self, cal_id: &str, id: &str, ev: Event) -> ApiResponse {
        let out = EventView::new(&ev);
        if let Some(c) = self.cals.get_mut(cal_id) {
            c.put_event(id, ev);
        }
        self.touch(["events|", cal_id].concat(), false);
        ok_event(out)
    }

    /// Turns an event into a tombstone (kept for incremental sync).
    pub(crate) fn cancel_event(&mut self, cal_id: &str, id: &str, now: i64) {
        let seq = self.bump();
        let Some(cal) = self.cals.get_mut(cal_id) else {
            return;
        };
        if let Some(mut ev) = cal.events.get(id).cloned() {
            ev.cancelled = true;
            ev.seq = seq;
            ev.updated_ms = now;
            let data = Arc::make_mut(&mut ev.data);
            data.insert("status", "cancelled".into());
            data.insert("updated", fmt_ms(now).into());
            cal.put_event(id, ev);
        }
        self.touch(["events|", cal_id].concat(), false);
    }

    /// A stored event as the caller may see it, or a rendered instance for "<id>_<stamp>".
    fn lookup(&self, cal_id: &str, id: &str, rank: u8, max: Option<i64>) -> R<ApiResponse> {
        let cal = &self.cals[cal_id];
        if let Some(ev) = cal.events.get(id) {
            return Ok(if presented_as_is(&ev.data, rank, max) {
                ok_event(EventView::new(ev).cached(ev))
            } else {
                ok(present(EventView::new(ev).to_value(), rank, max))
            });
        }
        let (parent, suffix) = id.rsplit_once('_').ok_or_else(not_found)?;
        let ev = cal.events.get(parent).ok_or_else(not_found)?;
        let s = ev.series.as_ref().ok_or_else(not_found)?;
        let occ = find_occurrence(s, suffix).ok_or_else(not_found)?;
        Ok(ok(present(render_instance(parent, ev, s, &occ), rank, max)))
    }

    pub(crate) fn ev_get(&mut self, ctx: &Ctx) -> R<ApiResponse> {
        let cal = self.access(ctx.user, ctx.var("calendarId"), 1)?;
        let rank = self.cals[&cal].rank_of(ctx.user);
        self.lookup(&cal, ctx.var("eventId"), rank, ctx.p.int("maxAttendees"))
    }

    fn new_id(&mut self, cal_id: &str, body: &Map<String, Value>) -> R<String> {
        match body.get("id") {
            None | Some(Value::Null) => Ok(self.rand_id(26)),
            Some(v) => {
                let id = v.as_str().unwrap_or("");
                if !valid_event_id(id) {
                    return Err(invalid("Invalid resource id value."));
                }
                if self.cals[cal_id].events.contains_key(id) {
                    return Err(duplicate());
                }
                Ok(id.to_string())
            }
        }
    }

    pub(crate) fn ev_insert(&mut self, ctx: &mut Ctx) -> R<ApiResponse> {
        let cal = self.access(ctx.user, ctx.var("calendarId"), 3)?;
        let id = self.new_id(&cal, &ctx.body)?;
        let client = ctx.client_event()?;
        let ev = self.build_event(&cal, &id, client, None, ctx, false);
        Ok(self.store(&cal, &id, ev))
    }

    pub(crate) fn ev_import(&mut self, ctx: &mut Ctx) -> R<ApiResponse> {
        let cal = self.access(ctx.user, ctx.var("calendarId"), 3)?;
        let uid = ctx
            .body
            .get("iCalUID")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| required("Missing iCalUID."))?
            .to_string();
        let existing = self.cals[&cal].ical.get(&uid).cloned();
        let (id, old) = match existing {
            Some(id) => {
                let old = self.cals[&cal].events.get(&id).cloned();
                (id.to_string(), old)
            }
            None => (self.new_id(&cal, &ctx.body)?, None),
        };
        let client = ctx.client_event()?;
        let mut ev = self.build_event(&cal, &id, client, old.as_ref(), ctx, true);
        Arc::make_mut(&mut ev.data).insert("iCalUID", uid.into());
        Ok(self.store(&cal, &id, ev))
    }

    pub(crate) fn ev_quick_add(&mut self, ctx: &Ctx) -> R<ApiResponse> {
        let cal = self.access(ctx.user, ctx.var("calendarId"), 3)?;
        let text = ctx.p.get("text").unwrap_or("");
        let tz = self.cals[&cal].time_zone();
        let (summary, start, end) = super::event_list::quick_parse(text, ctx.now, tz);
        let mut body = Map::new();
        body.insert("summary".into(), summary.into());
        body.insert("start".into(), start);
        body.insert("end".into(), end);
        let id = self.rand_id(26);
        let ev = self.build_event(&cal, &id, ClientEvent::new(body)?, None, ctx, false);
        Ok(self.store(&cal, &id, ev))
    }

    pub(crate) fn ev_write(&mut self, ctx: &Ctx, patch: bool) -> R<ApiResponse> {
        let cal = self.access(ctx.user, ctx.var("calendarId"), 3)?;
        let id = ctx.var("eventId").to_string();
        let Some(old) = self.cals[&cal].events.get(id.as_str()).cloned() else {
            return self.instance_write(ctx, &cal, &id, patch);
        };
        ctx.if_match(&etag(old.seq))?;
        let mut body = if patch {
            let mut d = old.data.to_map();
            merge(&mut d, &ctx.body);
            d
        } else {
            ctx.body.clone()
        };
        if !patch && !body.contains_key("status") && old.cancelled {
            // Updating a deleted event brings it back, as with Google.
            body.insert("status".into(), "confirmed".into());
        }
        let ev = self.build_event(&cal, &id, ClientEvent::new(body)?, Some(&old), ctx, false);
        Ok(self.store(&cal, &id, ev))
    }

    pub(crate) fn ev_delete(&mut self, ctx: &Ctx) -> R<ApiResponse> {
        let cal = self.access(ctx.user, ctx.var("calendarId"), 3)?;
        let id = ctx.var("eventId");
        let Some(ev) = self.cals[&cal].events.get(id) else {
            return self.instance_delete(ctx, &cal, id);
        };
        if ev.cancelled {
            return Err(deleted());
        }
        ctx.if_match(&etag(ev.seq))?;
        self.cancel_event(&cal, id, ctx.now);
        Ok(no_content())
    }

    pub(crate) fn ev_move(&mut self, ctx: &Ctx) -> R<ApiResponse> {
        let src = self.access(ctx.user, ctx.var("calendarId"), 3)?;
        let dst = self.access(ctx.user, ctx.p.get("destination").unwrap_or(""), 3)?;
        let id = ctx.var("eventId").to_string();
        let old = self.cals[&src]
            .events
            .get(id.as_str())
            .filter(|e| !e.cancelled)
            .cloned()
            .ok_or_else(not_found)?;
        if src == dst {
            return Ok(ok_event(EventView::new(&old)));
        }
        if self.cals[&dst]
            .events
            .get(id.as_str())
            .is_some_and(|e| !e.cancelled)
        {
            return Err(duplicate());
        }
        self.cancel_event(&src, &id, ctx.now);
        let mut ev = old;
        ev.seq = self.bump();
        ev.updated_ms = ctx.now;
        let org = self.organizer(&dst, ctx.user);
        let data = Arc::make_mut(&mut ev.data);
        data.insert("updated", fmt_ms(ctx.now).into());
        data.insert("organizer", org);
        Ok(self.store(&dst, &id, ev))
    }
}
