//! Changing or cancelling one occurrence of a recurring event ("<eventId>_<suffix>").

use super::error::{R, deleted, not_found};
use super::event_render::{event_times, find_occurrence, normalize_times, render_instance};
use super::events::merge;
use super::store::etag;
use super::timeutil::fmt_ms;
use super::{ApiResponse, Calendars, Ctx, no_content, ok};
use serde_json::{Map, Value};

/// Fields of an instance the server keeps whatever the client sends.
const FIXED: &[&str] = &[
    "kind",
    "id",
    "recurringEventId",
    "originalStartTime",
    "iCalUID",
    "created",
    "creator",
    "organizer",
    "htmlLink",
];

impl Calendars {
    /// Parent id, suffix and current rendering of an instance id; 404 when there is none.
    fn instance(&self, cal: &str, id: &str) -> R<(String, String, Map<String, Value>)> {
        let (parent, suffix) = id.rsplit_once('_').ok_or_else(not_found)?;
        let ev = self.cals[cal].events.get(parent).ok_or_else(not_found)?;
        let s = ev.series.as_ref().ok_or_else(not_found)?;
        if ev.cancelled {
            return Err(not_found());
        }
        let occ = find_occurrence(s, suffix).ok_or_else(not_found)?;
        let Value::Object(current) = render_instance(parent, ev, s, &occ) else {
            return Err(not_found());
        };
        Ok((parent.to_string(), suffix.to_string(), current))
    }

    /// Stores an override and bumps the parent so lists and syncs see the change.
    fn set_override(
        &mut self,
        cal: &str,
        parent: &str,
        suffix: &str,
        data: Option<Map<String, Value>>,
        now: i64,
    ) {
        let seq = self.bump();
        let Some(c) = self.cals.get_mut(cal) else {
            return;
        };
        if let Some(mut ev) = c.events.get(parent).cloned() {
            if let Some(s) = ev.series.as_mut() {
                s.overrides.insert(suffix.to_string(), data);
            }
            ev.seq = seq;
            ev.updated_ms = now;
            c.put_event(parent, ev);
        }
        self.touch(format!("events|{cal}"), false);
    }

    pub(crate) fn instance_write(
        &mut self,
        ctx: &Ctx,
        cal: &str,
        id: &str,
        patch: bool,
    ) -> R<ApiResponse> {
        let (parent, suffix, current) = self.instance(cal, id)?;
        if let Some(e) = current.get("etag").and_then(Value::as_str) {
            ctx.if_match(e)?;
        }
        let mut data = if patch {
            let mut d = current.clone();
            merge(&mut d, &ctx.body);
            d
        } else {
            ctx.body.clone()
        };
        data.remove("recurrence");
        data.remove("etag");
        event_times(&data)?;
        normalize_times(&mut data);
        for k in FIXED {
            match current.get(*k) {
                Some(v) => data.insert(k.to_string(), v.clone()),
                None => data.remove(*k),
            };
        }
        data.insert("updated".into(), fmt_ms(ctx.now).into());
        let cancelled = data.get("status").and_then(Value::as_str) == Some("cancelled");
        data.entry("status").or_insert("confirmed".into());
        let stored = if cancelled { None } else { Some(data.clone()) };
        self.set_override(cal, &parent, &suffix, stored, ctx.now);
        let seq = self.cals[cal].events[parent.as_str()].seq;
        data.insert("etag".into(), etag(seq).into());
        Ok(ok(Value::Object(data)))
    }

    pub(crate) fn instance_delete(&mut self, ctx: &Ctx, cal: &str, id: &str) -> R<ApiResponse> {
        let (parent, suffix, current) = self.instance(cal, id)?;
        if current.get("status").and_then(Value::as_str) == Some("cancelled") {
            return Err(deleted());
        }
        if let Some(e) = current.get("etag").and_then(Value::as_str) {
            ctx.if_match(e)?;
        }
        self.set_override(cal, &parent, &suffix, None, ctx.now);
        Ok(no_content())
    }
}
