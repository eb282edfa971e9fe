//! Calendar v3 resources, held in memory per user.

use std::time::SystemTime;

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
}

/// A push notification: a bodyless POST to `address` with these headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub address: String,
    pub headers: Vec<(String, String)>,
}

/// All users' calendar data.
#[derive(Default)]
pub struct Calendars {
    users: std::collections::HashSet<String>,
}

impl Calendars {
    pub fn new() -> Self {
        Self::default()
    }

    /// Idempotent: creates the primary calendar, its list entry, owner ACL and settings.
    pub fn add_user(&mut self, email: &str) {
        self.users.insert(email.to_string());
    }

    pub fn has_user(&self, email: &str) -> bool {
        self.users.contains(email)
    }

    pub fn handle(&mut self, _req: &ApiRequest) -> ApiResponse {
        ApiResponse {
            status: 501,
            body: None,
            headers: Vec::new(),
            notifications: Vec::new(),
        }
    }

    /// Every sync token issued so far then answers 410 fullSyncRequired.
    pub fn expire_sync_tokens(&mut self) {}

    /// Discovery method id without "calendar.", e.g. "events.list".
    pub fn route(_http_method: &str, _path: &str) -> Option<&'static str> {
        None
    }
}
