//! Facade over the calendar module: a stub until `crate::calendar` lands.
#![allow(dead_code)]

use std::time::SystemTime;

pub struct Calendars {
    users: Vec<String>,
}

impl Calendars {
    pub fn new() -> Self {
        Calendars { users: Vec::new() }
    }
    pub fn add_user(&mut self, email: &str) {
        if !self.has_user(email) {
            self.users.push(email.to_string());
        }
    }
    pub fn has_user(&self, email: &str) -> bool {
        self.users.iter().any(|u| u == email)
    }
    pub fn handle(&mut self, req: &ApiRequest) -> ApiResponse {
        let body =
            serde_json::json!({"kind": "calendar#colors", "path": req.path, "user": req.user});
        ApiResponse {
            status: 200,
            body: Some(body),
            headers: vec![],
            notifications: vec![],
        }
    }
    pub fn expire_sync_tokens(&mut self) {}
    pub fn route(http_method: &str, path: &str) -> Option<&'static str> {
        match (http_method, path) {
            ("GET", "/colors") => Some("colors.get"),
            ("GET", "/users/me/calendarList") => Some("calendarList.list"),
            ("POST", p) if p.ends_with("/events") => Some("events.insert"),
            ("GET", p) if p.ends_with("/events") => Some("events.list"),
            _ => None,
        }
    }
}

impl Default for Calendars {
    fn default() -> Self {
        Self::new()
    }
}

pub struct ApiRequest<'a> {
    pub http_method: &'a str,
    pub path: &'a str,
    pub query: &'a [(String, String)],
    pub body: &'a [u8],
    pub if_match: Option<&'a str>,
    pub if_none_match: Option<&'a str>,
    pub user: &'a str,
    pub scopes: &'a [String],
    pub page_limit: Option<usize>,
    pub now: SystemTime,
}

pub struct ApiResponse {
    pub status: u16,
    pub body: Option<serde_json::Value>,
    pub headers: Vec<(String, String)>,
    pub notifications: Vec<Notification>,
}

pub struct Notification {
    pub address: String,
    pub headers: Vec<(String, String)>,
}
