//! Calendar v3 resources, held in memory per user.
//!
//! `Calendars::handle` routes a call through the embedded discovery document (paths,
//! parameters, scopes), then to one handler per method. A global change counter gives
//! etags, sync tokens and the `updated` order; deleted events, ACL rules and list
//! entries stay as tombstones so incremental syncs can report them.

mod acl;
mod calendar_list;
mod calendars;
mod colors;
mod compact;
mod discovery;
mod error;
mod event_list;
mod event_render;
mod event_view;
mod events;
mod exceptions;
mod freebusy;
mod json_out;
mod listing;
mod rrule;
mod settings;
mod store;
mod timeutil;
mod tokens;
mod watch;

pub use discovery::DISCOVERY_JSON;

use discovery::Params;
use error::{ApiError, R, precondition};
use event_view::EventView;
use events::ClientEvent;
use rustc_hash::FxHashMap as FastMap;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::time::SystemTime;
use store::{Cal, User};

/// One API call as the HTTP layer hands it over.
pub struct ApiRequest<'a> {
    /// HTTP method, e.g. "GET".
    pub http_method: &'a str,
    /// Raw path after "/calendar/v3", still percent-encoded, e.g. "/calendars/a%40b/events".
    pub path: &'a str,
    /// Percent-decoded query pairs, repeated keys kept in order.
    pub query: &'a [(String, String)],
    pub body: &'a [u8],
    pub if_match: Option<&'a str>,
    pub if_none_match: Option<&'a str>,
    /// Authenticated user (already added with `add_user`).
    pub user: &'a str,
    /// Scopes granted to the token.
    pub scopes: &'a [String],
    /// Fault: cap items per page (Some(0) = empty page that still carries nextPageToken).
    pub page_limit: Option<usize>,
    pub now: SystemTime,
}

/// The answer to one API call.
#[derive(Debug, Clone)]
pub struct ApiResponse {
    pub status: u16,
    pub body: Option<serde_json::Value>,
    pub headers: Vec<(String, String)>,
    /// Push notifications to POST (bodyless) because of this call.
    pub notifications: Vec<Notification>,
    /// A stored event answered without a copy; `body` is then `None` until `handle` fills it.
    pub(crate) event: Option<EventView>,
}

impl ApiResponse {
    /// The `etag` of the answered resource, if any.
    fn etag(&self) -> Option<&str> {
        match &self.event {
            Some(e) => Some(e.etag()),
            None => self
                .body
                .as_ref()
                .and_then(|b| b.get("etag"))
                .and_then(Value::as_str),
        }
    }

    /// The answer body (JSON and a line break) without copying a shared event.
    pub(crate) fn body_json(&self, pretty: bool) -> Option<bytes::Bytes> {
        match (&self.event, &self.body) {
            (Some(e), _) => Some(e.to_json(pretty)),
            (None, Some(v)) => Some(json_body(v, pretty)),
            (None, None) => None,
        }
    }

    /// The body as a `Value`, copying a shared event.
    pub(crate) fn into_body(self) -> Option<Value> {
        match self.event {
            Some(e) => Some(e.to_value()),
            None => self.body,
        }
    }
}

/// A push notification: a bodyless POST to `address` with these headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub address: String,
    pub headers: Vec<(String, String)>,
}

/// All users' calendar data.
pub struct Calendars {
    users: FastMap<String, User>,
    cals: FastMap<String, Cal>,
    /// Global change counter: etags, sync tokens and `updated` ordering come from it.
    seq: u64,
    /// Bumped by `expire_sync_tokens`; tokens of older epochs answer 410.
    epoch: u64,
    channels: HashMap<String, watch::Channel>,
    /// Watched collections changed by the current call: (key, collection gone).
    touched: Vec<(String, bool)>,
    rng: u64,
}

impl Default for Calendars {
    fn default() -> Self {
        Self::new()
    }
}

/// A call checked by `Calendars::prepare`, for `Calendars::respond`.
pub(crate) struct Prepared<'r, 'a> {
    req: &'r ApiRequest<'a>,
    method: &'static discovery::Method,
    vars: discovery::Vars<'a>,
    params: Params,
    body: Map<String, Value>,
    event: Option<R<ClientEvent>>,
}

/// What a handler sees of one call.
pub(crate) struct Ctx<'r, 'a> {
    pub req: &'r ApiRequest<'a>,
    pub user: &'a str,
    pub p: Params,
    pub vars: discovery::Vars<'a>,
    pub body: Map<String, Value>,
    /// events.insert: the body as an event, made by `prepare`; `body` then keeps only its id.
    pub event: Option<R<ClientEvent>>,
    pub now: i64,
}

impl Ctx<'_, '_> {
    /// The body as an event: the one `prepare` made, else made now.
    pub fn client_event(&mut self) -> R<ClientEvent> {
        match self.event.take() {
            Some(made) => made,
            None => ClientEvent::new(std::mem::take(&mut self.body)),
        }
    }

    pub fn var(&self, name: &str) -> &str {
        self.vars
            .iter()
            .find(|(k, _)| *k == name)
            .map_or("", |(_, v)| v.as_ref())
    }

    /// 412 when If-Match names another version.
    pub fn if_match(&self, current: &str) -> R<()> {
        match self.req.if_match {
            Some(m) if !etag_matches(m, current) => Err(precondition()),
            _ => Ok(()),
        }
    }
}

fn etag_matches(header: &str, current: &str) -> bool {
    header.split(',').any(|t| {
        let t = t.trim();
        let t = t.strip_prefix("W/").unwrap_or(t);
        t == "*" || t == current
    })
}

/// An answer body: JSON text, pretty unless `prettyPrint=false`, and a line break.
pub(crate) fn json_body(v: &Value, pretty: bool) -> bytes::Bytes {
    let mut out = json_out::value(v, pretty);
    out.push(b'\n');
    out.into()
}

pub(crate) fn ok(v: Value) -> ApiResponse {
    let headers = match v.get("etag").and_then(Value::as_str) {
        Some(e) => vec![("ETag".to_string(), e.to_string())],
        None => Vec::new(),
    };
    ApiResponse {
        status: 200,
        body: Some(v),
        headers,
        notifications: Vec::new(),
        event: None,
    }
}

/// 200 with a stored event, shared rather than copied.
pub(crate) fn ok_event(e: EventView) -> ApiResponse {
    ApiResponse {
        status: 200,
        body: None,
        headers: vec![("ETag".to_string(), e.etag().to_string())],
        notifications: Vec::new(),
        event: Some(e),
    }
}

pub(crate) fn no_content() -> ApiResponse {
    ApiResponse {
        status: 204,
        body: None,
        headers: Vec::new(),
        notifications: Vec::new(),
        event: None,
    }
}

impl From<ApiError> for ApiResponse {
    fn from(e: ApiError) -> Self {
        error_response(e)
    }
}

fn error_response(e: ApiError) -> ApiResponse {
    ApiResponse {
        status: e.code,
        body: Some(e.body()),
        headers: Vec::new(),
        notifications: Vec::new(),
        event: None,
    }
}

impl Calendars {
    pub fn new() -> Self {
        let seed = timeutil::system_ms(SystemTime::now()) as u64;
        Calendars {
            users: FastMap::default(),
            cals: FastMap::default(),
            seq: 0,
            epoch: 1,
            channels: HashMap::new(),
            touched: Vec::new(),
            rng: seed ^ 0x9e37_79b9_7f4a_7c15,
        }
    }

    /// Idempotent: creates the primary calendar (id = email), its list entry, owner ACL and settings.
    pub fn add_user(&mut self, email: &str) {
        if self.users.contains_key(email) {
            return;
        }
        let seq = self.bump();
        let settings = store::DEFAULT_SETTINGS
            .iter()
            .map(|(k, v)| (k.to_string(), (v.to_string(), seq)))
            .collect();
        self.users.insert(
            email.to_string(),
            User {
                entries: Default::default(),
                settings,
            },
        );
        if !self.cals.contains_key(email) {
            let mut cal = Cal::new(email, email);
            cal.primary_of = Some(email.to_string());
            cal.seq = seq;
            cal.last_seq = seq;
            cal.last_ms = timeutil::system_ms(SystemTime::now());
            cal.acl.insert(
                format!("user:{email}"),
                store::AclRule {
                    role: "owner".into(),
                    scope_type: "user".into(),
                    scope_value: Some(email.to_string()),
                    seq,
                    deleted: false,
                },
            );
            self.cals.insert(email.to_string(), cal);
        }
        // The primary calendar, and calendars shared with this address before it existed.
        let shared: Vec<String> = self
            .cals
            .values()
            .filter(|c| c.rank_of(email) > 0 && c.acl.contains_key(&format!("user:{email}")))
            .map(|c| c.id.clone())
            .collect();
        for id in shared {
            self.add_entry(email, &id, Map::new());
        }
    }

    pub fn has_user(&self, email: &str) -> bool {
        self.users.contains_key(email)
    }

    pub fn handle(&mut self, req: &ApiRequest) -> ApiResponse {
        let mut resp = match Self::prepare(req, None) {
            Ok(call) => self.respond(call),
            Err(e) => e.into(),
        };
        if let Some(e) = resp.event.take() {
            resp.body = Some(e.to_value());
        }
        resp
    }

    /// What a call is, checked without calendar data: method, scopes, parameters and body, in
    /// that order, as `respond` would check them. Done before taking the lock on `Calendars`,
    /// so that concurrent calls (two batches in flight) parse their bodies in parallel.
    /// `method_id` is `route` of the request's method and path when the caller has it already.
    /// `Err` is the error to answer (`ApiResponse::from`); the calendars are not involved.
    pub(crate) fn prepare<'r, 'a>(
        req: &'r ApiRequest<'a>,
        method_id: Option<&'static str>,
    ) -> R<Prepared<'r, 'a>> {
        let routed = match method_id {
            Some(id) => discovery::route_known(id, req.http_method, req.path),
            None => discovery::route(req.http_method, req.path),
        };
        let (method, vars) = routed.ok_or_else(error::not_found)?;
        if !method.scopes.iter().any(|s| req.scopes.contains(s)) {
            return Err(ApiError::new(
                403,
                "insufficientPermissions",
                "Request had insufficient authentication scopes.",
            ));
        }
        let params = discovery::check_params(method, req.query)?;
        let mut body = if matches!(method.http_method.as_str(), "POST" | "PUT" | "PATCH") {
            parse_body(req.body)?
        } else {
            Map::new()
        };
        // The bulk of an insert's work needs no calendar (and its errors come after those of
        // calendar and id, which `ev_insert` checks first): done here, outside the lock.
        let event = (method.id == "events.insert").then(|| {
            let id = body.remove("id");
            let event = ClientEvent::new(std::mem::take(&mut body));
            body.extend(id.map(|id| ("id".to_string(), id)));
            event
        });
        Ok(Prepared {
            req,
            method,
            vars,
            params,
            body,
            event,
        })
    }

    /// Answers a prepared call; a stored event may come back shared in `event` instead of in `body`.
    pub(crate) fn respond(&mut self, call: Prepared) -> ApiResponse {
        self.touched.clear();
        let now = timeutil::system_ms(call.req.now);
        let mut resp = match self.dispatch(call, now) {
            Ok(r) => r,
            Err(e) => error_response(e),
        };
        if resp.status < 300 {
            let more = self.flush_notifications(now);
            resp.notifications.extend(more);
        }
        self.touched.clear();
        resp
    }

    /// Every sync token issued so far then answers 410 fullSyncRequired.
    pub fn expire_sync_tokens(&mut self) {
        self.epoch += 1;
    }

    /// Discovery method id without "calendar.", e.g. "events.list"; None if no method matches.
    pub fn route(http_method: &str, path: &str) -> Option<&'static str> {
        discovery::method(http_method, path).map(|m| m.id.as_str())
    }

    fn dispatch(&mut self, call: Prepared, now: i64) -> R<ApiResponse> {
        let Prepared {
            req,
            method: m,
            vars,
            params: p,
            body,
            event,
        } = call;
        if !self.users.contains_key(req.user) {
            self.add_user(req.user);
        }
        let mut ctx = Ctx {
            req,
            user: req.user,
            p,
            vars,
            body,
            event,
            now,
        };
        let resp = match m.id.as_str() {
            "acl.delete" => self.acl_delete(&ctx),
            "acl.get" => self.acl_get(&ctx),
            "acl.insert" => self.acl_insert(&ctx),
            "acl.list" => self.acl_list(&ctx),
            "acl.patch" => self.acl_write(&ctx, true),
            "acl.update" => self.acl_write(&ctx, false),
            "acl.watch" => self.watch(&ctx, "acl"),
            "calendarList.delete" => self.cl_delete(&ctx),
            "calendarList.get" => self.cl_get(&ctx),
            "calendarList.insert" => self.cl_insert(&ctx),
            "calendarList.list" => self.cl_list(&ctx),
            "calendarList.patch" => self.cl_write(&ctx, true),
            "calendarList.update" => self.cl_write(&ctx, false),
            "calendarList.watch" => self.watch(&ctx, "calendarList"),
            "calendars.clear" => self.cal_clear(&ctx),
            "calendars.delete" => self.cal_delete(&ctx),
            "calendars.get" => self.cal_get(&ctx),
            "calendars.insert" => self.cal_insert(&ctx),
            "calendars.patch" => self.cal_write(&ctx, true),
            "calendars.update" => self.cal_write(&ctx, false),
            "calendars.transferOwnership" => self.cal_transfer(&ctx),
            "channels.stop" => self.channel_stop(&ctx),
            "colors.get" => Ok(ok(colors::colors())),
            "events.delete" => self.ev_delete(&ctx),
            "events.get" => self.ev_get(&ctx),
            "events.import" => self.ev_import(&mut ctx),
            "events.insert" => self.ev_insert(&mut ctx),
            "events.instances" => self.ev_instances(&ctx),
            "events.list" => self.ev_list(&ctx),
            "events.move" => self.ev_move(&ctx),
            "events.patch" => self.ev_write(&ctx, true),
            "events.quickAdd" => self.ev_quick_add(&ctx),
            "events.update" => self.ev_write(&ctx, false),
            "events.watch" => self.watch(&ctx, "events"),
            "freebusy.query" => self.freebusy(&ctx),
            "settings.get" => self.setting_get(&ctx),
            "settings.list" => self.settings_list(&ctx),
            "settings.watch" => self.watch(&ctx, "settings"),
            _ => Err(error::not_found()),
        }?;
        if m.id.ends_with(".get")
            && resp.status == 200
            && let (Some(inm), Some(etag)) = (req.if_none_match, resp.etag())
            && etag_matches(inm, etag)
        {
            return Ok(ApiResponse {
                status: 304,
                body: None,
                headers: resp.headers,
                notifications: Vec::new(),
                event: None,
            });
        }
        Ok(resp)
    }

    pub(crate) fn bump(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// Random base32hex string (`0-9a-v`), the alphabet of Google's event ids.
    pub(crate) fn rand_id(&mut self, len: usize) -> String {
        const B32: &[u8] = b"0123456789abcdefghijklmnopqrstuv";
        (0..len)
            .map(|_| {
                // splitmix64
                self.rng = self.rng.wrapping_add(0x9e37_79b9_7f4a_7c15);
                let mut z = self.rng;
                z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
                B32[((z ^ (z >> 31)) % 32) as usize] as char
            })
            .collect()
    }

    /// Marks a watched collection as changed (or gone) by this call.
    pub(crate) fn touch(&mut self, key: String, gone: bool) {
        if !self.touched.iter().any(|(k, _)| *k == key) {
            self.touched.push((key, gone));
        }
    }

    /// "primary" means the caller's own calendar.
    pub(crate) fn resolve(&self, user: &str, raw: &str) -> String {
        if raw == "primary" {
            user.to_string()
        } else {
            raw.to_string()
        }
    }

    /// The calendar id when `user` has at least `min` rank on it; 404 when no access at all.
    pub(crate) fn access(&self, user: &str, raw: &str, min: u8) -> R<String> {
        let id = self.resolve(user, raw);
        let cal = self.cals.get(&id).ok_or_else(error::not_found)?;
        let rank = cal.rank_of(user);
        if rank == 0 {
            return Err(error::not_found());
        }
        if rank < min {
            return Err(error::access_level(if min >= 4 {
                "owner"
            } else {
                "writer"
            }));
        }
        Ok(id)
    }
}

fn parse_body(body: &[u8]) -> R<Map<String, Value>> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    // One UTF-8 check for the whole body rather than one per string as `from_slice` makes;
    // a body that is not UTF-8 still goes to `from_slice`, for the same error.
    let parsed = match std::str::from_utf8(body) {
        Ok(text) => serde_json::from_str::<Value>(text),
        Err(_) => serde_json::from_slice::<Value>(body),
    };
    match parsed {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(ApiError::new(
            400,
            "parseError",
            "Parse Error: the body must be a JSON object.",
        )),
        Err(_) => Err(ApiError::new(400, "parseError", "Parse Error")),
    }
}
