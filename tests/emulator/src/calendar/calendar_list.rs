//! calendarList.*: each user's view of the calendars they can access.

use super::error::{R, bad_request, invalid, not_found, required};
use super::listing::{Item, finish};
use super::store::{Entry, etag, rank_role, role_rank};
use super::{ApiResponse, Calendars, Ctx, no_content, ok};
use serde_json::{Map, Value, json};

/// Fields of a list entry the user may set.
const USER_FIELDS: &[&str] = &[
    "summaryOverride",
    "colorId",
    "backgroundColor",
    "foregroundColor",
    "hidden",
    "selected",
    "defaultReminders",
    "notificationSettings",
];

fn check_entry_fields(body: &Map<String, Value>) -> R<()> {
    if let Some(c) = body.get("colorId") {
        let ok = c
            .as_str()
            .and_then(|s| s.parse::<u32>().ok())
            .is_some_and(|n| (1..=24).contains(&n));
        if !ok {
            return Err(invalid(format!("Invalid colorId: {c}")));
        }
    }
    Ok(())
}

impl Calendars {
    /// Adds (or revives) `cal_id` in `email`'s calendar list.
    pub(crate) fn add_entry(&mut self, email: &str, cal_id: &str, data: Map<String, Value>) {
        let primary = self.cals.get(cal_id).and_then(|c| c.primary_of.as_deref()) == Some(email);
        let seq = self.bump();
        let Some(user) = self.users.get_mut(email) else {
            return;
        };
        let mut d = Map::new();
        if primary {
            d.insert("primary".into(), true.into());
            d.insert("colorId".into(), "14".into());
            d.insert("backgroundColor".into(), "#9fe1e7".into());
            d.insert(
                "defaultReminders".into(),
                json!([{"method": "popup", "minutes": 10}]),
            );
            d.insert(
                "notificationSettings".into(),
                json!({"notifications": [
                    {"type": "eventCreation", "method": "email"},
                    {"type": "eventChange", "method": "email"},
                    {"type": "eventCancellation", "method": "email"},
                    {"type": "eventResponse", "method": "email"}
                ]}),
            );
        } else {
            d.insert("colorId".into(), "7".into());
            d.insert("backgroundColor".into(), "#42d692".into());
            d.insert("defaultReminders".into(), json!([]));
        }
        d.insert("foregroundColor".into(), "#000000".into());
        d.insert("selected".into(), true.into());
        for (k, v) in data {
            d.insert(k, v);
        }
        user.entries.insert(
            cal_id.to_string(),
            Entry {
                data: d,
                seq,
                deleted: false,
            },
        );
        self.touch(format!("calendarList|{email}"), false);
    }

    /// Tombstones `cal_id` in `email`'s list.
    pub(crate) fn remove_entry(&mut self, email: &str, cal_id: &str) {
        let seq = self.bump();
        if let Some(e) = self
            .users
            .get_mut(email)
            .and_then(|u| u.entries.get_mut(cal_id))
            && !e.deleted
        {
            e.deleted = true;
            e.seq = seq;
            self.touch(format!("calendarList|{email}"), false);
        }
    }

    /// Brings `email`'s list entry for `cal_id` in line with the ACL after a change.
    pub(crate) fn sync_entry(&mut self, cal_id: &str, email: &str) {
        if !self.users.contains_key(email) {
            return;
        }
        let rank = self.cals.get(cal_id).map(|c| c.rank_of(email)).unwrap_or(0);
        let listed = self.users[email]
            .entries
            .get(cal_id)
            .is_some_and(|e| !e.deleted);
        if rank == 0 {
            self.remove_entry(email, cal_id);
        } else if !listed {
            self.add_entry(email, cal_id, Map::new());
        } else {
            let seq = self.bump();
            if let Some(e) = self
                .users
                .get_mut(email)
                .and_then(|u| u.entries.get_mut(cal_id))
            {
                e.seq = seq;
            }
            self.touch(format!("calendarList|{email}"), false);
        }
    }

    /// The calendar itself changed: every entry showing it gets a new etag.
    pub(crate) fn refresh_entries(&mut self, cal_id: &str) {
        let holders: Vec<String> = self
            .users
            .iter()
            .filter(|(_, u)| u.entries.get(cal_id).is_some_and(|e| !e.deleted))
            .map(|(k, _)| k.clone())
            .collect();
        for email in holders {
            let seq = self.bump();
            if let Some(e) = self
                .users
                .get_mut(&email)
                .and_then(|u| u.entries.get_mut(cal_id))
            {
                e.seq = seq;
            }
            self.touch(format!("calendarList|{email}"), false);
        }
    }

    fn render_entry(&self, email: &str, cal_id: &str, e: &Entry) -> Value {
        let mut m = Map::new();
        m.insert("kind".into(), "calendar#calendarListEntry".into());
        m.insert("etag".into(), etag(e.seq).into());
        m.insert("id".into(), cal_id.into());
        let cal = match self.cals.get(cal_id) {
            Some(c) if !e.deleted => c,
            _ => {
                m.insert("deleted".into(), true.into());
                return Value::Object(m);
            }
        };
        for (k, v) in &cal.data {
            m.insert(k.clone(), v.clone());
        }
        for (k, v) in &e.data {
            m.insert(k.clone(), v.clone());
        }
        m.insert("accessRole".into(), rank_role(cal.rank_of(email)).into());
        m.insert(
            "conferenceProperties".into(),
            json!({"allowedConferenceSolutionTypes": ["hangoutsMeet"]}),
        );
        Value::Object(m)
    }

    fn live_entry(&self, email: &str, raw: &str) -> R<(String, Entry)> {
        let id = self.resolve(email, raw);
        let e = self.users[email]
            .entries
            .get(&id)
            .filter(|e| !e.deleted && self.cals.contains_key(&id))
            .ok_or_else(not_found)?;
        Ok((id, e.clone()))
    }

    pub(crate) fn cl_get(&mut self, ctx: &Ctx) -> R<ApiResponse> {
        let (id, e) = self.live_entry(ctx.user, ctx.var("calendarId"))?;
        Ok(ok(self.render_entry(ctx.user, &id, &e)))
    }

    pub(crate) fn cl_insert(&mut self, ctx: &Ctx) -> R<ApiResponse> {
        let raw = ctx
            .body
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| required("Missing calendar id."))?;
        let id = self.access(ctx.user, raw, 1)?;
        check_entry_fields(&ctx.body)?;
        let data: Map<String, Value> = USER_FIELDS
            .iter()
            .filter_map(|k| ctx.body.get(*k).map(|v| (k.to_string(), v.clone())))
            .collect();
        self.add_entry(ctx.user, &id, data);
        let (id, e) = self.live_entry(ctx.user, &id)?;
        Ok(ok(self.render_entry(ctx.user, &id, &e)))
    }

    pub(crate) fn cl_write(&mut self, ctx: &Ctx, patch: bool) -> R<ApiResponse> {
        let (id, mut e) = self.live_entry(ctx.user, ctx.var("calendarId"))?;
        ctx.if_match(&etag(e.seq))?;
        check_entry_fields(&ctx.body)?;
        if !patch {
            e.data
                .retain(|k, _| !USER_FIELDS.contains(&k.as_str()) || k == "defaultReminders");
        }
        for k in USER_FIELDS {
            match ctx.body.get(*k) {
                Some(Value::Null) => {
                    e.data.remove(*k);
                }
                Some(v) => {
                    e.data.insert(k.to_string(), v.clone());
                }
                None => {}
            }
        }
        if !e.data.contains_key("foregroundColor") {
            e.data.insert("foregroundColor".into(), "#000000".into());
        }
        e.seq = self.bump();
        if let Some(u) = self.users.get_mut(ctx.user) {
            u.entries.insert(id.clone(), e.clone());
        }
        self.touch(format!("calendarList|{}", ctx.user), false);
        Ok(ok(self.render_entry(ctx.user, &id, &e)))
    }

    pub(crate) fn cl_delete(&mut self, ctx: &Ctx) -> R<ApiResponse> {
        let (id, e) = self.live_entry(ctx.user, ctx.var("calendarId"))?;
        if e.data.get("primary") == Some(&Value::Bool(true)) {
            return Err(bad_request(
                "The primary calendar cannot be removed from the list.",
            ));
        }
        ctx.if_match(&etag(e.seq))?;
        self.remove_entry(ctx.user, &id);
        Ok(no_content())
    }

    pub(crate) fn cl_list(&mut self, ctx: &Ctx) -> R<ApiResponse> {
        if ctx.p.has("syncToken") {
            for bad in ["minAccessRole", "showOwnOrganizationOnly"] {
                if ctx.p.has(bad) {
                    return Err(invalid(format!(
                        "The parameter {bad} cannot be used together with syncToken."
                    )));
                }
            }
        }
        let sync = ctx.p.has("syncToken")
            || ctx
                .p
                .get("pageToken")
                .is_some_and(|_| self.cursor(ctx, "cl").is_ok_and(|c| c.since.is_some()));
        let min = ctx.p.get("minAccessRole").map(role_rank).unwrap_or(0);
        let show_hidden = ctx.p.flag("showHidden") || sync;
        let mut items = Vec::new();
        for (id, e) in &self.users[ctx.user].entries {
            let rank = self.cals.get(id).map(|c| c.rank_of(ctx.user)).unwrap_or(0);
            let deleted = e.deleted || rank == 0;
            if !deleted
                && (rank < min
                    || (!show_hidden && e.data.get("hidden") == Some(&Value::Bool(true))))
            {
                continue;
            }
            items.push(Item {
                key: id.clone(),
                seq: e.seq,
                deleted,
                value: self.render_entry(ctx.user, id, e),
            });
        }
        let page = self.page_small(ctx, "cl", items, ctx.p.flag("showDeleted"))?;
        let last = self.users[ctx.user]
            .entries
            .values()
            .map(|e| e.seq)
            .max()
            .unwrap_or(0);
        let mut m = Map::new();
        m.insert("kind".into(), "calendar#calendarList".into());
        m.insert("etag".into(), etag(last).into());
        finish(&mut m, page);
        Ok(ok(Value::Object(m)))
    }
}
