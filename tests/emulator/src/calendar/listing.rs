//! Paging and incremental sync of the small collections (acl, calendarList, settings).

use super::error::R;
use super::tokens::{PageToken, parse_sync, sync_token};
use super::{Calendars, Ctx};
use serde_json::Value;

pub(crate) struct Item {
    pub key: String,
    pub seq: u64,
    pub deleted: bool,
    pub value: Value,
}

pub(crate) struct Page {
    pub items: Vec<Value>,
    pub next_page: Option<String>,
    pub next_sync: Option<String>,
}

/// Sync sequence and page position of a list request.
pub(crate) struct Cursor {
    pub since: Option<u64>,
    pub token: Option<PageToken>,
    pub snap: u64,
}

impl Calendars {
    /// Reads syncToken/pageToken; 410 for a dead sync token, 400 for a bad page token.
    pub(crate) fn cursor(&self, ctx: &Ctx, mode: &str) -> R<Cursor> {
        let token = match ctx.p.get("pageToken") {
            Some(t) => Some(PageToken::decode(t, mode)?),
            None => None,
        };
        if token
            .as_ref()
            .is_some_and(|t| t.since.is_some() && t.epoch != self.epoch)
        {
            return Err(super::error::full_sync());
        }
        let since = match (ctx.p.get("syncToken"), &token) {
            (_, Some(t)) if t.since.is_some() => t.since,
            (Some(s), _) => Some(parse_sync(s, self.epoch)?),
            _ => None,
        };
        let snap = token.as_ref().map(|t| t.snap).unwrap_or(self.seq);
        Ok(Cursor { since, token, snap })
    }

    /// Effective page size: maxResults capped at `cap`, then by the page_limit fault.
    pub(crate) fn page_size(ctx: &Ctx, default: usize, cap: usize) -> usize {
        let max = ctx
            .p
            .int("maxResults")
            .map(|n| (n.max(1) as usize).min(cap))
            .unwrap_or(default);
        match ctx.req.page_limit {
            Some(l) => l.min(max),
            None => max,
        }
    }

    /// One page of a small collection ordered by key.
    pub(crate) fn page_small(
        &self,
        ctx: &Ctx,
        mode: &str,
        mut items: Vec<Item>,
        show_deleted: bool,
    ) -> R<Page> {
        let cur = self.cursor(ctx, mode)?;
        items.retain(|i| match cur.since {
            Some(s) => i.seq > s,
            None => !i.deleted || show_deleted,
        });
        items.sort_by(|a, b| a.key.cmp(&b.key));
        if let Some(t) = &cur.token {
            items.retain(|i| i.key > t.id);
        }
        let size = Self::page_size(ctx, 100, 250);
        let more = items.len() > size || ctx.req.page_limit == Some(0);
        items.truncate(size);
        let last = items
            .last()
            .map(|i| i.key.clone())
            .or_else(|| cur.token.as_ref().map(|t| t.id.clone()))
            .unwrap_or_default();
        let (next_page, next_sync) = if more {
            let t = PageToken {
                snap: cur.snap,
                mode: mode.to_string(),
                num: 0,
                id: last,
                sub: String::new(),
                since: cur.since,
                epoch: self.epoch,
            };
            (Some(t.encode()), None)
        } else {
            (None, Some(sync_token(self.epoch, cur.snap)))
        };
        Ok(Page {
            items: items.into_iter().map(|i| i.value).collect(),
            next_page,
            next_sync,
        })
    }
}

/// Puts nextPageToken / nextSyncToken into a list answer.
pub(crate) fn finish(list: &mut serde_json::Map<String, Value>, page: Page) {
    if let Some(t) = page.next_page {
        list.insert("nextPageToken".into(), Value::from(t));
    }
    if let Some(t) = page.next_sync {
        list.insert("nextSyncToken".into(), Value::from(t));
    }
    list.insert("items".into(), Value::Array(page.items));
}
