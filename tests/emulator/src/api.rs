//! One Calendar v3 call: authentication, then the calendar module, then the JSON answer.

use std::time::SystemTime;

use http::HeaderMap;
use http::header::{AUTHORIZATION, HeaderName, IF_MATCH, IF_NONE_MATCH};

use crate::cal::{ApiRequest, Calendars};
use crate::errors::{auth_error, not_found};
use crate::reply::{JSON, Reply};
use crate::state::Shared;
use crate::util::first;

/// Query parameters every Google API accepts; not passed to the calendar module.
const STANDARD_PARAMS: &[&str] = &[
    "alt",
    "fields",
    "key",
    "oauth_token",
    "access_token",
    "prettyPrint",
    "quotaUser",
    "userIp",
    "$.xgafv",
    "callback",
    "upload_protocol",
    "uploadType",
];

/// By `HeaderName`: a `&str` name would be parsed again on every lookup.
fn header(headers: &HeaderMap, name: HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The bearer token from `Authorization` (or `outer_auth` for batch parts) or the `access_token` parameter.
fn bearer<'a>(
    headers: &'a HeaderMap,
    outer_auth: Option<&'a str>,
    query: &'a [(String, String)],
) -> Option<&'a str> {
    let auth = header(headers, AUTHORIZATION).or(outer_auth);
    if let Some(a) = auth {
        let (scheme, token) = a.trim().split_once(' ')?;
        return scheme.eq_ignore_ascii_case("bearer").then(|| token.trim());
    }
    first(query, "access_token").or_else(|| first(query, "oauth_token"))
}

pub fn unauthorized() -> Reply {
    Reply::json(401, &auth_error()).with_header(
        "WWW-Authenticate",
        "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\"".into(),
    )
}

/// One call; `api_path` is after `/calendar/v3`, still percent-encoded.
pub struct Call<'a> {
    /// `Calendars::route` of method and path, computed once by the caller; `None` answers 404.
    pub method_id: Option<&'static str>,
    pub method: &'a str,
    pub api_path: &'a str,
    pub query: &'a [(String, String)],
    pub headers: &'a HeaderMap,
    /// The batch request's Authorization, used when the part has none.
    pub outer_auth: Option<&'a str>,
    pub body: &'a [u8],
    pub page_limit: Option<usize>,
}

/// Runs a call: auth, the calendar module, then the JSON answer.
pub fn call(shared: &Shared, c: Call<'_>) -> Reply {
    let Call {
        method_id,
        method,
        api_path,
        query,
        headers,
        outer_auth,
        body,
        page_limit,
    } = c;
    if method_id.is_none() {
        return Reply::json(404, &not_found(&format!("/calendar/v3{api_path}")));
    }
    let Some(token) = bearer(headers, outer_auth, query) else {
        return unauthorized();
    };
    let Some((user, scopes)) = shared.oauth.lock().authenticate(token) else {
        return unauthorized();
    };
    let pretty = first(query, "prettyPrint") != Some("false");
    let fields = first(query, "fields").map(str::to_string);
    let passed: Vec<(String, String)> = query
        .iter()
        .filter(|(k, _)| !STANDARD_PARAMS.contains(&k.as_str()))
        .cloned()
        .collect();
    let req = ApiRequest {
        http_method: method,
        path: api_path,
        query: &passed,
        body,
        if_match: header(headers, IF_MATCH),
        if_none_match: header(headers, IF_NONE_MATCH),
        user: &user,
        scopes: &scopes,
        page_limit,
        now: SystemTime::now(),
    };
    // Checked and parsed before the lock: only the calendar work itself is serialized.
    let mut resp = match Calendars::prepare(&req, method_id) {
        Ok(call) => shared.calendars.lock().respond(call),
        Err(e) => e.into(),
    };
    shared.notify(std::mem::take(&mut resp.notifications));
    let status = resp.status;
    let headers = std::mem::take(&mut resp.headers);
    let mut reply = Reply::empty(status);
    reply.headers.reserve(headers.len() + 1);
    let json = match fields.as_deref().filter(|_| status < 300) {
        _ if status == 204 || status == 304 => None,
        Some(f) => resp
            .into_body()
            .map(|v| crate::calendar::json_body(&crate::fields::filter(&v, f), pretty)),
        // Serialized straight from the stored event when there is one: no copy.
        None => resp.body_json(pretty),
    };
    if let Some(bytes) = json {
        reply.body = bytes;
        reply.headers.push(("Content-Type".into(), JSON.into()));
    }
    reply
        .headers
        .extend(headers.into_iter().map(|(k, v)| (k.into(), v.into())));
    reply
}
