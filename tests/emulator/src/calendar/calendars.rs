//! calendars.*: insert, get, patch, update, delete, clear, transferOwnership.

use super::error::{R, bad_request, invalid, not_found, required};
use super::store::{AclRule, Cal, EventId, etag};
use super::{ApiResponse, Calendars, Ctx, no_content, ok};
use chrono_tz::Tz;
use serde_json::{Map, Value};

/// Fields of a calendar the client may set.
const WRITABLE: &[&str] = &[
    "summary",
    "description",
    "location",
    "timeZone",
    "autoAcceptInvitations",
    "workingHours",
    "labelProperties",
];

pub(crate) fn check_time_zone(v: Option<&Value>) -> R<()> {
    if let Some(v) = v {
        let ok = v.as_str().is_some_and(|s| s.parse::<Tz>().is_ok());
        if !ok {
            return Err(invalid(format!("Invalid time zone definition: {v}")));
        }
    }
    Ok(())
}

impl Calendars {
    pub(crate) fn render_cal(&self, cal: &Cal) -> Value {
        let mut m = Map::new();
        m.insert("kind".into(), "calendar#calendar".into());
        m.insert("etag".into(), etag(cal.seq).into());
        m.insert("id".into(), cal.id.clone().into());
        for (k, v) in &cal.data {
            m.insert(k.clone(), v.clone());
        }
        m.insert(
            "conferenceProperties".into(),
            serde_json::json!({"allowedConferenceSolutionTypes": ["hangoutsMeet"]}),
        );
        Value::Object(m)
    }

    pub(crate) fn cal_get(&mut self, ctx: &Ctx) -> R<ApiResponse> {
        let id = self.access(ctx.user, ctx.var("calendarId"), 1)?;
        Ok(ok(self.render_cal(&self.cals[&id])))
    }

    pub(crate) fn cal_insert(&mut self, ctx: &Ctx) -> R<ApiResponse> {
        if ctx.body.get("summary").and_then(Value::as_str).is_none() {
            return Err(required("Missing title."));
        }
        check_time_zone(ctx.body.get("timeZone"))?;
        let id = format!("{}@group.calendar.google.com", self.rand_id(26));
        let seq = self.bump();
        let mut cal = Cal::new(&id, "");
        for k in WRITABLE {
            if let Some(v) = ctx.body.get(*k) {
                cal.data.insert(k.to_string(), v.clone());
            }
        }
        cal.data
            .insert("dataOwner".into(), Value::from(ctx.user.to_string()));
        cal.seq = seq;
        cal.last_seq = seq;
        cal.last_ms = ctx.now;
        cal.acl.insert(
            format!("user:{}", ctx.user),
            AclRule {
                role: "owner".into(),
                scope_type: "user".into(),
                scope_value: Some(ctx.user.to_string()),
                seq,
                deleted: false,
            },
        );
        self.cals.insert(id.clone(), cal);
        self.add_entry(ctx.user, &id, Map::new());
        Ok(ok(self.render_cal(&self.cals[&id])))
    }

    pub(crate) fn cal_write(&mut self, ctx: &Ctx, patch: bool) -> R<ApiResponse> {
        let id = self.access(ctx.user, ctx.var("calendarId"), 4)?;
        ctx.if_match(&etag(self.cals[&id].seq))?;
        check_time_zone(ctx.body.get("timeZone"))?;
        if !patch && ctx.body.get("summary").and_then(Value::as_str).is_none() {
            return Err(required("Missing title."));
        }
        let seq = self.bump();
        let cal = self.cals.get_mut(&id).ok_or_else(not_found)?;
        if !patch {
            cal.data.retain(|k, _| !WRITABLE.contains(&k.as_str()));
        }
        for k in WRITABLE {
            match ctx.body.get(*k) {
                Some(Value::Null) => {
                    cal.data.remove(*k);
                }
                Some(v) => {
                    cal.data.insert(k.to_string(), v.clone());
                }
                None => {}
            }
        }
        if !cal.data.contains_key("timeZone") {
            cal.data.insert("timeZone".into(), "UTC".into());
        }
        cal.seq = seq;
        cal.last_seq = seq;
        cal.last_ms = ctx.now;
        self.refresh_entries(&id);
        Ok(ok(self.render_cal(&self.cals[&id])))
    }

    pub(crate) fn cal_delete(&mut self, ctx: &Ctx) -> R<ApiResponse> {
        let id = self.access(ctx.user, ctx.var("calendarId"), 4)?;
        if self.cals[&id].primary_of.is_some() {
            return Err(bad_request(
                "The primary calendar cannot be deleted; use calendars.clear.",
            ));
        }
        ctx.if_match(&etag(self.cals[&id].seq))?;
        let users: Vec<String> = self.users.keys().cloned().collect();
        self.cals.remove(&id);
        for u in users {
            self.remove_entry(&u, &id);
        }
        self.touch(format!("events|{id}"), true);
        self.touch(format!("acl|{id}"), true);
        Ok(no_content())
    }

    pub(crate) fn cal_clear(&mut self, ctx: &Ctx) -> R<ApiResponse> {
        let id = self.access(ctx.user, ctx.var("calendarId"), 4)?;
        if self.cals[&id].primary_of.is_none() {
            return Err(bad_request("Only a primary calendar can be cleared."));
        }
        let live: Vec<EventId> = self.cals[&id]
            .events
            .iter()
            .filter(|(_, e)| !e.cancelled)
            .map(|(k, _)| k.clone())
            .collect();
        for ev_id in live {
            self.cancel_event(&id, &ev_id, ctx.now);
        }
        self.touch(format!("events|{id}"), false);
        Ok(no_content())
    }

    pub(crate) fn cal_transfer(&mut self, ctx: &Ctx) -> R<ApiResponse> {
        let id = self.access(ctx.user, ctx.var("calendarId"), 4)?;
        if !ctx.p.flag("useAdminAccess") {
            return Err(invalid(
                "useAdminAccess must be true to transfer ownership.",
            ));
        }
        if self.cals[&id].primary_of.is_some() {
            return Err(invalid(
                "The ownership of a primary calendar cannot be transferred.",
            ));
        }
        let new_owner = ctx.p.get("newDataOwner").unwrap_or("").to_string();
        if !new_owner.contains('@') {
            return Err(invalid(format!("Invalid newDataOwner: {new_owner}")));
        }
        let seq = self.bump();
        let old_owner = self.cals[&id]
            .data
            .get("dataOwner")
            .and_then(Value::as_str)
            .unwrap_or(ctx.user)
            .to_string();
        let cal = self.cals.get_mut(&id).ok_or_else(not_found)?;
        cal.data
            .insert("dataOwner".into(), Value::from(new_owner.clone()));
        cal.seq = seq;
        cal.last_seq = seq;
        for (who, role) in [
            (old_owner.as_str(), "writer"),
            (new_owner.as_str(), "owner"),
        ] {
            if who == new_owner && role == "writer" {
                continue;
            }
            cal.acl.insert(
                format!("user:{who}"),
                AclRule {
                    role: role.into(),
                    scope_type: "user".into(),
                    scope_value: Some(who.to_string()),
                    seq,
                    deleted: false,
                },
            );
        }
        self.touch(format!("acl|{id}"), false);
        self.sync_entry(&id, &old_owner);
        self.sync_entry(&id, &new_owner);
        Ok(no_content())
    }
}
