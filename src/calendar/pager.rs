//! Following `nextPageToken`: a pager that holds one page at a time, "all items" for the common case,
//! and incremental sync with `syncToken` / `nextSyncToken`.

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value, json};

use super::call::{CallOptions, minify_into, not_json, utf8};
use super::methods::{MethodSpec, lookup};
use crate::client::Client;
use crate::error::{Error, ErrorKind, Result};

/// Walks the pages of a list method. Memory stays bounded by one page.
pub struct Pager {
    client: Client,
    spec: &'static MethodSpec,
    params: Map<String, Value>,
    next_page_token: Option<String>,
    finished: bool,
}

/// One page: its items, whether more follow, and (on the last page) the sync token.
#[derive(Debug)]
pub struct Page {
    pub items: Vec<Value>,
    pub more: bool,
    pub next_sync_token: Option<String>,
}

impl Page {
    pub fn to_json(&self) -> Value {
        let mut page = json!({"items": self.items, "more": self.more});
        if let Some(token) = &self.next_sync_token {
            page["next_sync_token"] = Value::String(token.clone());
        }
        page
    }
}

/// One page as JSON text, for hosts that want text (the C API): the items as Google sent them, checked
/// and made compact, never built into values and written out again.
#[derive(Debug)]
pub struct TextPage {
    /// The items' compact JSON, joined by commas, without the brackets.
    items: Vec<u8>,
    pub count: usize,
    pub more: bool,
    pub next_sync_token: Option<String>,
}

impl TextPage {
    /// `{"items":[...],"more":...}`, with `"next_sync_token"` when there is one: [`Page::to_json`]'s shape.
    pub fn to_json_text(&self) -> String {
        let mut out = Vec::with_capacity(self.items.len() + 64);
        out.extend_from_slice(b"{\"items\":[");
        out.extend_from_slice(&self.items);
        out.extend_from_slice(b"],\"more\":");
        out.extend_from_slice(if self.more { b"true" } else { b"false" });
        if let Some(token) = &self.next_sync_token {
            out.extend_from_slice(b",\"next_sync_token\":");
            out.extend_from_slice(json!(token).to_string().as_bytes());
        }
        out.push(b'}');
        utf8(out)
    }

    /// Appends the items to a comma-joined list of items.
    pub fn append_items_to(&self, out: &mut Vec<u8>) {
        if self.count > 0 {
            if !out.is_empty() {
                out.push(b',');
            }
            out.extend_from_slice(&self.items);
        }
    }
}

/// What a page answer holds for the pager, read without building the items.
#[derive(Deserialize)]
struct PageFields<'a> {
    #[serde(borrow, default)]
    items: Option<Vec<&'a RawValue>>,
    #[serde(rename = "nextPageToken", default)]
    next_page_token: Option<String>,
    #[serde(rename = "nextSyncToken", default)]
    next_sync_token: Option<String>,
}

fn list_spec(method: &str) -> Result<&'static MethodSpec> {
    let spec = lookup(method).ok_or_else(|| {
        Error::new(
            ErrorKind::UnknownMethod,
            format!("unknown Calendar method '{}'", crate::error::shown(method)),
        )
    })?;
    if !spec.paging {
        return Err(Error::invalid_argument(format!(
            "{} does not answer pages of items; use a list method such as events.list",
            spec.id
        )));
    }
    Ok(spec)
}

fn params_object(params: &Value, id: &str) -> Result<Map<String, Value>> {
    match params {
        Value::Object(map) => Ok(map.clone()),
        Value::Null => Ok(Map::new()),
        _ => Err(Error::invalid_argument(format!(
            "{id}: parameters must be a JSON object"
        ))),
    }
}

impl Pager {
    /// Checks the method and parameters now, so a bad call fails before the first page is asked for.
    pub fn new(client: Client, method: &str, params: &Value) -> Result<Pager> {
        let spec = list_spec(method)?;
        let params = params_object(params, spec.id)?;
        if params.contains_key("pageToken") {
            return Err(Error::invalid_argument(format!(
                "{}: the pager sets `pageToken` itself; leave it out",
                spec.id
            )));
        }
        client.prepare_call(
            spec.id,
            &Value::Object(params.clone()),
            None,
            &CallOptions::default(),
        )?;
        Ok(Pager {
            client,
            spec,
            params,
            next_page_token: None,
            finished: false,
        })
    }

    /// This page's parameters: the caller's, with the page token once there is one.
    fn page_params(&self) -> Value {
        let mut params = self.params.clone();
        if let Some(token) = &self.next_page_token {
            params.insert("pageToken".into(), Value::String(token.clone()));
        }
        Value::Object(params)
    }

    /// Records the answer's page token; answers whether more pages follow.
    fn advance(&mut self, next_page_token: Option<String>) -> bool {
        self.next_page_token = next_page_token;
        self.finished = self.next_page_token.is_none();
        !self.finished
    }

    /// The next page, or `None` after the last one.
    pub async fn next_page(&mut self) -> Result<Option<Page>> {
        if self.finished {
            return Ok(None);
        }
        let params = self.page_params();
        let mut answer = self
            .client
            .call(self.spec.id, &params, None, &CallOptions::default())
            .await?;
        let items = match answer.get_mut("items").map(Value::take) {
            Some(Value::Array(items)) => items,
            _ => Vec::new(),
        };
        let more = self.advance(
            answer
                .get("nextPageToken")
                .and_then(Value::as_str)
                .map(str::to_string),
        );
        Ok(Some(Page {
            items,
            more,
            next_sync_token: answer
                .get("nextSyncToken")
                .and_then(Value::as_str)
                .map(str::to_string),
        }))
    }

    /// [`Pager::next_page`] as text, keeping at most `limit` items of the page (the page token still
    /// advances), or `None` after the last page.
    pub async fn next_page_text(&mut self, limit: usize) -> Result<Option<TextPage>> {
        if self.finished {
            return Ok(None);
        }
        let params = self.page_params();
        let answer = self
            .client
            .call_answer(self.spec.id, &params, None, &CallOptions::default())
            .await?;
        let status = answer.status;
        let text = std::str::from_utf8(&answer.body).map_err(|e| not_json(status, e))?;
        // An empty answer holds no items. Otherwise this checks the whole answer is JSON; the items are
        // only delimited.
        let text = if text.trim().is_empty() { "{}" } else { text };
        let fields: PageFields = serde_json::from_str(text).map_err(|e| not_json(status, e))?;
        let mut items = Vec::with_capacity(text.len());
        let kept = fields.items.unwrap_or_default();
        let count = kept.len().min(limit);
        for (i, item) in kept.iter().take(count).enumerate() {
            if i > 0 {
                items.push(b',');
            }
            minify_into(item.get().as_bytes(), &mut items);
        }
        let more = self.advance(fields.next_page_token);
        Ok(Some(TextPage {
            items,
            count,
            more,
            next_sync_token: fields.next_sync_token,
        }))
    }
}

/// What a sync answers.
#[derive(Debug)]
pub struct SyncResult {
    pub items: Vec<Value>,
    pub next_sync_token: Option<String>,
    /// The sync token had expired and a full sync was done instead (only with `full_resync_on_expiry`).
    pub full_resync: bool,
}

impl SyncResult {
    pub fn to_json(&self) -> Value {
        json!({"items": self.items, "next_sync_token": self.next_sync_token, "full_resync": self.full_resync})
    }
}

impl Client {
    /// Every item of a list method across all pages, stopping after `max_items` (0: no limit).
    pub async fn list_all(
        &self,
        method: &str,
        params: &Value,
        max_items: usize,
    ) -> Result<Vec<Value>> {
        let mut pager = Pager::new(self.clone(), method, params)?;
        let mut all = Vec::new();
        while let Some(page) = pager.next_page().await? {
            all.extend(page.items);
            if max_items > 0 && all.len() >= max_items {
                all.truncate(max_items);
                break;
            }
        }
        Ok(all)
    }

    /// [`Client::list_all`] as one JSON array text, the items passed through as Google sent them
    /// (checked and made compact).
    pub async fn list_all_text(
        &self,
        method: &str,
        params: &Value,
        max_items: usize,
    ) -> Result<String> {
        let mut pager = Pager::new(self.clone(), method, params)?;
        let (mut items, mut count) = (Vec::new(), 0);
        let limit = if max_items == 0 {
            usize::MAX
        } else {
            max_items
        };
        while count < limit {
            let Some(page) = pager.next_page_text(limit - count).await? else {
                break;
            };
            page.append_items_to(&mut items);
            count += page.count;
        }
        let mut out = Vec::with_capacity(items.len() + 2);
        out.push(b'[');
        out.extend_from_slice(&items);
        out.push(b']');
        Ok(utf8(out))
    }

    /// A full sync (no `sync_token`) or an incremental one: follows every page and answers the items with
    /// the token for next time. An expired token answers the sync-token-expired kind, or with
    /// `full_resync_on_expiry` does the full sync itself and says so.
    pub async fn sync(
        &self,
        method: &str,
        params: &Value,
        sync_token: Option<&str>,
        full_resync_on_expiry: bool,
    ) -> Result<SyncResult> {
        let (mut result, full_resync) = sync_with(
            method,
            params,
            sync_token,
            full_resync_on_expiry,
            |spec, params| self.sync_pages(spec, params),
        )
        .await?;
        result.full_resync = full_resync;
        Ok(result)
    }

    /// [`Client::sync`] as the JSON text of [`SyncResult::to_json`], the items passed through as Google
    /// sent them (checked and made compact).
    pub async fn sync_text(
        &self,
        method: &str,
        params: &Value,
        sync_token: Option<&str>,
        full_resync_on_expiry: bool,
    ) -> Result<String> {
        let ((items, token), full_resync) = sync_with(
            method,
            params,
            sync_token,
            full_resync_on_expiry,
            |spec, params| self.sync_pages_text(spec, params),
        )
        .await?;
        // SyncResult::to_json's keys, in the same (sorted) order.
        let mut out = Vec::with_capacity(items.len() + 96);
        out.extend_from_slice(b"{\"full_resync\":");
        out.extend_from_slice(if full_resync { b"true" } else { b"false" });
        out.extend_from_slice(b",\"items\":[");
        out.extend_from_slice(&items);
        out.extend_from_slice(b"],\"next_sync_token\":");
        out.extend_from_slice(json!(token).to_string().as_bytes());
        out.push(b'}');
        Ok(utf8(out))
    }

    async fn sync_pages_text(
        &self,
        spec: &'static MethodSpec,
        params: Map<String, Value>,
    ) -> Result<(Vec<u8>, Option<String>)> {
        let mut pager = Pager::new(self.clone(), spec.id, &Value::Object(params))?;
        let (mut items, mut next_sync_token) = (Vec::new(), None);
        while let Some(page) = pager.next_page_text(usize::MAX).await? {
            page.append_items_to(&mut items);
            if page.next_sync_token.is_some() {
                next_sync_token = page.next_sync_token;
            }
        }
        Ok((items, next_sync_token))
    }

    async fn sync_pages(
        &self,
        spec: &'static MethodSpec,
        params: Map<String, Value>,
    ) -> Result<SyncResult> {
        let mut pager = Pager::new(self.clone(), spec.id, &Value::Object(params))?;
        let mut items = Vec::new();
        let mut next_sync_token = None;
        while let Some(page) = pager.next_page().await? {
            items.extend(page.items);
            if page.next_sync_token.is_some() {
                next_sync_token = page.next_sync_token;
            }
        }
        Ok(SyncResult {
            items,
            next_sync_token,
            full_resync: false,
        })
    }
}

/// Checks a sync's parameters, then follows the pages with `pages`: with the caller's sync token, and
/// once more without it when that token has expired and `full_resync_on_expiry` is set. Answers what
/// `pages` answered and whether the full sync was done instead.
async fn sync_with<T, F, Fut>(
    method: &str,
    params: &Value,
    sync_token: Option<&str>,
    full_resync_on_expiry: bool,
    pages: F,
) -> Result<(T, bool)>
where
    F: Fn(&'static MethodSpec, Map<String, Value>) -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let spec = list_spec(method)?;
    if !spec.sync {
        return Err(Error::invalid_argument(format!(
            "{} does not support incremental sync",
            spec.id
        )));
    }
    let base = params_object(params, spec.id)?;
    if base.contains_key("syncToken") {
        return Err(Error::invalid_argument(format!(
            "{}: pass the sync token as the sync_token argument, not as a parameter",
            spec.id
        )));
    }
    let mut with_token = base.clone();
    if let Some(token) = sync_token {
        with_token.insert("syncToken".into(), Value::String(token.to_string()));
    }
    match pages(spec, with_token).await {
        Err(e) if e.kind() == ErrorKind::SyncTokenExpired && full_resync_on_expiry => {
            Ok((pages(spec, base).await?, true))
        }
        other => Ok((other?, false)),
    }
}
