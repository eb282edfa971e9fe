//! settings.*: the user's (read-only) preferences.

use super::error::{R, not_found};
use super::listing::{Item, finish};
use super::store::etag;
use super::{ApiResponse, Calendars, Ctx, ok};
use serde_json::{Map, Value, json};

fn render(id: &str, value: &str, seq: u64) -> Value {
    json!({"kind": "calendar#setting", "etag": etag(seq), "id": id, "value": value})
}

impl Calendars {
    pub(crate) fn setting_get(&mut self, ctx: &Ctx) -> R<ApiResponse> {
        let (v, seq) = self.users[ctx.user]
            .settings
            .get(ctx.var("setting"))
            .ok_or_else(not_found)?;
        Ok(ok(render(ctx.var("setting"), v, *seq)))
    }

    pub(crate) fn settings_list(&mut self, ctx: &Ctx) -> R<ApiResponse> {
        let settings = &self.users[ctx.user].settings;
        let items = settings
            .iter()
            .map(|(k, (v, seq))| Item {
                key: k.clone(),
                seq: *seq,
                deleted: false,
                value: render(k, v, *seq),
            })
            .collect();
        let last = settings.values().map(|(_, s)| *s).max().unwrap_or(0);
        let page = self.page_small(ctx, "settings", items, false)?;
        let mut m = Map::new();
        m.insert("kind".into(), "calendar#settings".into());
        m.insert("etag".into(), etag(last).into());
        finish(&mut m, page);
        Ok(ok(Value::Object(m)))
    }
}
