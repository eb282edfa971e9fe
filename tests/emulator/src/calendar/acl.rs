//! acl.*: who may see and change a calendar.

use super::error::{ApiError, R, invalid, not_found, required};
use super::listing::{Item, finish};
use super::store::{AclRule, etag};
use super::{ApiResponse, Calendars, Ctx, no_content, ok};
use serde_json::{Map, Value, json};

const ROLES: &[&str] = &["none", "freeBusyReader", "reader", "writer", "owner"];
const SCOPES: &[&str] = &["default", "user", "group", "domain"];

fn render(id: &str, r: &AclRule) -> Value {
    let mut scope = Map::new();
    scope.insert("type".into(), r.scope_type.clone().into());
    if let Some(v) = &r.scope_value {
        scope.insert("value".into(), v.clone().into());
    }
    json!({
        "kind": "calendar#aclRule",
        "etag": etag(r.seq),
        "id": id,
        "scope": scope,
        "role": if r.deleted { "none" } else { r.role.as_str() },
    })
}

fn check_role(v: Option<&Value>) -> R<Option<String>> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if ROLES.contains(&s.as_str()) => Ok(Some(s.clone())),
        Some(other) => Err(invalid(format!("Invalid role: {other}"))),
    }
}

/// Scope from a body: (type, value, rule id).
fn parse_scope(body: &Map<String, Value>) -> R<Option<(String, Option<String>, String)>> {
    let Some(scope) = body.get("scope").filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let t = scope
        .get("type")
        .and_then(Value::as_str)
        .ok_or_else(|| required("Missing scope type."))?;
    if !SCOPES.contains(&t) {
        return Err(invalid(format!("Invalid scope type: {t}")));
    }
    if t == "default" {
        return Ok(Some((t.into(), None, "default".into())));
    }
    let v = scope
        .get("value")
        .and_then(Value::as_str)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| required("Missing scope value."))?;
    Ok(Some((t.into(), Some(v.into()), format!("{t}:{v}"))))
}

impl Calendars {
    fn live_rule(&self, cal_id: &str, rule_id: &str) -> R<AclRule> {
        self.cals[cal_id]
            .acl
            .get(rule_id)
            .filter(|r| !r.deleted)
            .cloned()
            .ok_or_else(not_found)
    }

    /// Stores a rule and applies its effect on the user's calendar list.
    fn store_rule(&mut self, cal_id: &str, rule_id: &str, mut rule: AclRule) -> Value {
        rule.seq = self.bump();
        let user = (rule.scope_type == "user")
            .then(|| rule.scope_value.clone())
            .flatten();
        let out = render(rule_id, &rule);
        if let Some(cal) = self.cals.get_mut(cal_id) {
            cal.acl.insert(rule_id.to_string(), rule);
        }
        self.touch(format!("acl|{cal_id}"), false);
        if let Some(u) = user {
            self.sync_entry(cal_id, &u);
        }
        out
    }

    fn no_self_demotion(ctx: &Ctx, cal_primary: Option<&str>, rule_id: &str) -> R<()> {
        if cal_primary.is_some_and(|p| rule_id == format!("user:{p}")) {
            return Err(ApiError::new(
                403,
                "cannotChangeOwnAcl",
                "Cannot change your own access level.",
            ));
        }
        let _ = ctx;
        Ok(())
    }

    pub(crate) fn acl_get(&mut self, ctx: &Ctx) -> R<ApiResponse> {
        let cal = self.access(ctx.user, ctx.var("calendarId"), 4)?;
        let rule = self.live_rule(&cal, ctx.var("ruleId"))?;
        Ok(ok(render(ctx.var("ruleId"), &rule)))
    }

    pub(crate) fn acl_insert(&mut self, ctx: &Ctx) -> R<ApiResponse> {
        let cal = self.access(ctx.user, ctx.var("calendarId"), 4)?;
        let role = check_role(ctx.body.get("role"))?.ok_or_else(|| required("Missing role."))?;
        let (t, v, id) = parse_scope(&ctx.body)?.ok_or_else(|| required("Missing scope."))?;
        Self::no_self_demotion(ctx, self.cals[&cal].primary_of.as_deref(), &id)?;
        let rule = AclRule {
            role,
            scope_type: t,
            scope_value: v,
            seq: 0,
            deleted: false,
        };
        Ok(ok(self.store_rule(&cal, &id, rule)))
    }

    pub(crate) fn acl_write(&mut self, ctx: &Ctx, patch: bool) -> R<ApiResponse> {
        let cal = self.access(ctx.user, ctx.var("calendarId"), 4)?;
        let id = ctx.var("ruleId").to_string();
        let mut rule = self.live_rule(&cal, &id)?;
        ctx.if_match(&etag(rule.seq))?;
        if let Some((_, _, sid)) = parse_scope(&ctx.body)?
            && sid != id
        {
            return Err(invalid("The scope of a rule cannot be changed."));
        }
        match check_role(ctx.body.get("role"))? {
            Some(r) => rule.role = r,
            None if !patch => return Err(required("Missing role.")),
            None => {}
        }
        Self::no_self_demotion(ctx, self.cals[&cal].primary_of.as_deref(), &id)?;
        Ok(ok(self.store_rule(&cal, &id, rule)))
    }

    pub(crate) fn acl_delete(&mut self, ctx: &Ctx) -> R<ApiResponse> {
        let cal = self.access(ctx.user, ctx.var("calendarId"), 4)?;
        let id = ctx.var("ruleId").to_string();
        let mut rule = self.live_rule(&cal, &id)?;
        ctx.if_match(&etag(rule.seq))?;
        Self::no_self_demotion(ctx, self.cals[&cal].primary_of.as_deref(), &id)?;
        rule.deleted = true;
        self.store_rule(&cal, &id, rule);
        Ok(no_content())
    }

    pub(crate) fn acl_list(&mut self, ctx: &Ctx) -> R<ApiResponse> {
        let cal = self.access(ctx.user, ctx.var("calendarId"), 4)?;
        let c = &self.cals[&cal];
        let items = c
            .acl
            .iter()
            .map(|(id, r)| Item {
                key: id.clone(),
                seq: r.seq,
                deleted: r.deleted,
                value: render(id, r),
            })
            .collect();
        let last = c.acl.values().map(|r| r.seq).max().unwrap_or(0);
        let page = self.page_small(ctx, "acl", items, ctx.p.flag("showDeleted"))?;
        let mut m = Map::new();
        m.insert("kind".into(), "calendar#acl".into());
        m.insert("etag".into(), etag(last).into());
        finish(&mut m, page);
        Ok(ok(Value::Object(m)))
    }
}
