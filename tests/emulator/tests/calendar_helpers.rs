//! Shared helpers of the calendar_* tests: drive `Calendars::handle` without HTTP.
#![allow(dead_code)]

use gcal_emulator::calendar::{ApiRequest, ApiResponse, Calendars};
use serde_json::Value;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub const FULL: &str = "https://www.googleapis.com/auth/calendar";
pub const READONLY: &str = "https://www.googleapis.com/auth/calendar.readonly";
pub const USER: &str = "user@example.com";
pub const BOB: &str = "bob@example.com";

/// 2026-01-01T00:00:00Z plus `secs`.
pub fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_767_225_600 + secs)
}

pub fn enc(s: &str) -> String {
    s.replace('%', "%25")
        .replace('@', "%40")
        .replace('#', "%23")
        .replace('/', "%2F")
}

pub struct Emu {
    pub cals: Calendars,
    pub now: SystemTime,
}

impl Default for Emu {
    fn default() -> Self {
        Self::new()
    }
}

impl Emu {
    pub fn new() -> Emu {
        let mut cals = Calendars::new();
        cals.add_user(USER);
        cals.add_user(BOB);
        Emu { cals, now: at(0) }
    }

    pub fn req(&mut self, method: &str, path: &str) -> Req<'_> {
        Req {
            emu: self,
            method: method.to_string(),
            path: path.to_string(),
            query: Vec::new(),
            body: Vec::new(),
            if_match: None,
            if_none_match: None,
            user: USER.to_string(),
            scopes: vec![FULL.to_string()],
            page_limit: None,
        }
    }

    pub fn get(&mut self, path: &str) -> ApiResponse {
        self.req("GET", path).send()
    }

    pub fn post(&mut self, path: &str, body: Value) -> ApiResponse {
        self.req("POST", path).json(body).send()
    }

    /// Inserts an event into the primary calendar and answers it (asserting 200).
    pub fn insert(&mut self, body: Value) -> Value {
        let r = self.post("/calendars/primary/events", body);
        assert_eq!(r.status, 200, "{:?}", r.body);
        r.body.unwrap()
    }

    /// Follows nextPageToken through every page; returns all items and the final answer.
    pub fn list_all(&mut self, path: &str, query: &[(&str, &str)]) -> (Vec<Value>, Value) {
        let mut items = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..10_000 {
            let mut r = self.req("GET", path);
            for (k, v) in query {
                r = r.q(k, v);
            }
            if let Some(t) = &token {
                r = r.q("pageToken", t);
            }
            let resp = r.send();
            assert_eq!(resp.status, 200, "{:?}", resp.body);
            let body = resp.body.unwrap();
            items.extend(body["items"].as_array().unwrap().iter().cloned());
            match body["nextPageToken"].as_str() {
                Some(t) => token = Some(t.to_string()),
                None => return (items, body),
            }
        }
        panic!("paging never ended");
    }
}

pub struct Req<'e> {
    emu: &'e mut Emu,
    method: String,
    path: String,
    query: Vec<(String, String)>,
    body: Vec<u8>,
    if_match: Option<String>,
    if_none_match: Option<String>,
    user: String,
    scopes: Vec<String>,
    page_limit: Option<usize>,
}

impl Req<'_> {
    pub fn q(mut self, k: &str, v: &str) -> Self {
        self.query.push((k.to_string(), v.to_string()));
        self
    }
    pub fn json(mut self, v: Value) -> Self {
        self.body = serde_json::to_vec(&v).unwrap();
        self
    }
    pub fn raw(mut self, b: &[u8]) -> Self {
        self.body = b.to_vec();
        self
    }
    pub fn if_match(mut self, e: &str) -> Self {
        self.if_match = Some(e.to_string());
        self
    }
    pub fn if_none_match(mut self, e: &str) -> Self {
        self.if_none_match = Some(e.to_string());
        self
    }
    pub fn user(mut self, u: &str) -> Self {
        self.user = u.to_string();
        self
    }
    pub fn scopes(mut self, s: &[&str]) -> Self {
        self.scopes = s.iter().map(|x| x.to_string()).collect();
        self
    }
    pub fn limit(mut self, n: usize) -> Self {
        self.page_limit = Some(n);
        self
    }
    pub fn send(self) -> ApiResponse {
        let req = ApiRequest {
            http_method: &self.method,
            path: &self.path,
            query: &self.query,
            body: &self.body,
            if_match: self.if_match.as_deref(),
            if_none_match: self.if_none_match.as_deref(),
            user: &self.user,
            scopes: &self.scopes,
            page_limit: self.page_limit,
            now: self.emu.now,
        };
        self.emu.cals.handle(&req)
    }
}

/// The `reason` of an error answer.
pub fn reason(r: &ApiResponse) -> String {
    r.body.as_ref().unwrap()["error"]["errors"][0]["reason"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

/// Asserts an error answer's status and reason, checking Google's error shape.
pub fn expect_err(r: &ApiResponse, status: u16, why: &str) {
    assert_eq!(r.status, status, "{:?}", r.body);
    let e = &r.body.as_ref().expect("error body")["error"];
    assert_eq!(e["code"], status);
    assert_eq!(e["errors"][0]["domain"], "global");
    assert_eq!(e["errors"][0]["reason"], why, "{e}");
    assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert!(e["status"].as_str().is_some());
}

pub fn timed(summary: &str, start: &str, end: &str) -> Value {
    serde_json::json!({"summary": summary, "start": {"dateTime": start}, "end": {"dateTime": end}})
}

pub fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}
