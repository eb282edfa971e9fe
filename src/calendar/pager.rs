//! Following `nextPageToken`: a pager that holds one page at a time, "all items" for the common case,
//! and incremental sync with `syncToken` / `nextSyncToken`.

use serde_json::{Map, Value, json};

use super::call::CallOptions;
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

fn list_spec(method: &str) -> Result<&'static MethodSpec> {
    let spec = lookup(method).ok_or_else(|| {
        Error::new(
            ErrorKind::UnknownMethod,
            format!("unknown Calendar method '{method}'"),
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

    /// The next page, or `None` after the last one.
    pub async fn next_page(&mut self) -> Result<Option<Page>> {
        if self.finished {
            return Ok(None);
        }
        let mut params = self.params.clone();
        if let Some(token) = &self.next_page_token {
            params.insert("pageToken".into(), Value::String(token.clone()));
        }
        let mut answer = self
            .client
            .call(
                self.spec.id,
                &Value::Object(params),
                None,
                &CallOptions::default(),
            )
            .await?;
        let items = match answer.get_mut("items").map(Value::take) {
            Some(Value::Array(items)) => items,
            _ => Vec::new(),
        };
        self.next_page_token = answer
            .get("nextPageToken")
            .and_then(Value::as_str)
            .map(str::to_string);
        self.finished = self.next_page_token.is_none();
        Ok(Some(Page {
            items,
            more: !self.finished,
            next_sync_token: answer
                .get("nextSyncToken")
                .and_then(Value::as_str)
                .map(str::to_string),
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
        match self.sync_pages(spec, with_token).await {
            Err(e) if e.kind() == ErrorKind::SyncTokenExpired && full_resync_on_expiry => {
                let mut result = self.sync_pages(spec, base).await?;
                result.full_resync = true;
                Ok(result)
            }
            other => other,
        }
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
