//! Turns a method id, parameters and body into an HTTP request, validating all of it first so a bad
//! call fails with a precise message before any network traffic.

use serde_json::{Map, Value};
use url::Url;

use super::body::{Body, json_kind};
use super::methods::{
    Location, MethodSpec, ParamSpec, ParamType, STANDARD_PARAMS, lookup, suggestions,
};
use crate::error::{Error, ErrorKind, Result, shown};

/// A validated request, ready to send.
#[derive(Clone, Debug)]
pub struct PreparedRequest {
    /// Method id without the `calendar.` prefix.
    pub method_id: &'static str,
    pub spec: &'static MethodSpec,
    pub http_method: reqwest::Method,
    /// Absolute URL: API base, encoded path, encoded query.
    pub url: Url,
    /// Serialized JSON body, for methods that take one.
    pub body: Option<bytes::Bytes>,
}

impl PreparedRequest {
    /// Path and query, as a batch part's request line needs them (`/calendar/v3/...?...`).
    pub fn path_and_query(&self) -> String {
        match self.url.query() {
            Some(q) => format!("{}?{}", self.url.path(), q),
            None => self.url.path().to_string(),
        }
    }
}

/// The longest URL an HTTP request can carry here (the `http` crate's limit for a URI): a longer one
/// could never be sent.
pub(crate) const MAX_URL_BYTES: usize = u16::MAX as usize - 1;

/// Parameters Google rejects together with `syncToken` (events and calendarList).
const FORBIDDEN_WITH_SYNC_TOKEN: &[&str] = &[
    "iCalUID",
    "orderBy",
    "privateExtendedProperty",
    "q",
    "sharedExtendedProperty",
    "timeMin",
    "timeMax",
    "updatedMin",
    "minAccessRole",
    "showOwnOrganizationOnly",
];

/// Validates a call and builds its request. `params` is a JSON object (or null for none) of path and
/// query parameters; a null value counts as absent. `body` is the request body (null counts as none).
pub fn prepare(
    name: &str,
    params: &Value,
    body: Option<&Value>,
    api_base: &Url,
) -> Result<PreparedRequest> {
    prepare_with_body(name, params, body.map(Body::Value), api_base)
}

/// [`prepare`] with a body given as a value or as checked JSON text.
pub fn prepare_with_body(
    name: &str,
    params: &Value,
    body: Option<Body<'_>>,
    api_base: &Url,
) -> Result<PreparedRequest> {
    let spec = lookup(name).ok_or_else(|| unknown_method(name))?;
    let id = spec.id;
    let empty = Map::new();
    let params = match params {
        Value::Object(map) => map,
        Value::Null => &empty,
        other => {
            return Err(Error::invalid_argument(format!(
                "{id}: parameters must be a JSON object, not {}",
                json_kind(other)
            )));
        }
    };

    // Unknown names first: a typo often explains a "missing" required parameter.
    for key in params.keys() {
        if spec.param(key).is_none() {
            return Err(Error::invalid_argument(format!(
                "{id}: unknown parameter '{}'{}",
                shown(key),
                param_hint(spec, key)
            )));
        }
    }

    // Each given value, checked and rendered as text; repeated parameters may carry several.
    let mut values: Vec<(&'static ParamSpec, Vec<String>)> = Vec::new();
    for p in spec.params.iter().chain(STANDARD_PARAMS) {
        match params.get(p.name) {
            None | Some(Value::Null) => {
                if p.required {
                    return Err(Error::invalid_argument(format!(
                        "{id}: missing required parameter '{}'",
                        p.name
                    )));
                }
            }
            Some(v) => values.push((p, render(id, p, v)?)),
        }
    }

    check_rules(spec, &values)?;
    let body = check_body(spec, body)?;
    let url = build_url(api_base, spec, &values)?;
    let http_method = reqwest::Method::from_bytes(spec.http_method.as_bytes())
        .map_err(|_| Error::internal(format!("{id}: bad HTTP method in the table")))?;
    Ok(PreparedRequest {
        method_id: id,
        spec,
        http_method,
        url,
        body,
    })
}

pub(crate) fn unknown_method(name: &str) -> Error {
    let close = suggestions(name);
    let hint = if close.is_empty() {
        String::new()
    } else {
        format!(" (did you mean {}?)", close.join(", "))
    };
    Error::new(
        ErrorKind::UnknownMethod,
        format!("unknown Calendar method '{}'{hint}", shown(name)),
    )
}

fn param_hint(spec: &MethodSpec, key: &str) -> String {
    let lower = key.to_ascii_lowercase();
    let all = || spec.params.iter().chain(STANDARD_PARAMS);
    if let Some(p) = all().find(|p| p.name.to_ascii_lowercase() == lower) {
        return format!(" (did you mean '{}'?)", p.name);
    }
    let names: Vec<&str> = all().map(|p| p.name).collect();
    format!(" (it takes: {})", names.join(", "))
}

fn render(id: &str, p: &ParamSpec, v: &Value) -> Result<Vec<String>> {
    match v {
        Value::Array(items) if p.repeated => {
            if items.is_empty() {
                return Err(Error::invalid_argument(format!(
                    "{id}: parameter '{}' is an empty array",
                    p.name
                )));
            }
            items.iter().map(|item| render_one(id, p, item)).collect()
        }
        Value::Array(_) => Err(Error::invalid_argument(format!(
            "{id}: parameter '{}' takes one value, not an array",
            p.name
        ))),
        _ => Ok(vec![render_one(id, p, v)?]),
    }
}

fn render_one(id: &str, p: &ParamSpec, v: &Value) -> Result<String> {
    let bad =
        |what: String| Error::invalid_argument(format!("{id}: parameter '{}' {what}", p.name));
    let text = match (p.ty, v) {
        (ParamType::String | ParamType::DateTime, Value::String(s)) => s.clone(),
        (ParamType::String | ParamType::DateTime, other) => {
            return Err(bad(format!("must be a string, not {}", json_kind(other))));
        }
        (ParamType::Boolean, Value::Bool(b)) => b.to_string(),
        (ParamType::Boolean, Value::String(s)) if s == "true" || s == "false" => s.clone(),
        (ParamType::Boolean, other) => {
            return Err(bad(format!("must be true or false, not {}", quoted(other))));
        }
        (ParamType::Integer, v) => {
            let n = integer_value(v)
                .ok_or_else(|| bad(format!("must be an integer, not {}", quoted(v))))?;
            // Every integer parameter of the API is an int32.
            if i32::try_from(n).is_err() {
                return Err(bad(format!("is out of range: {n}")));
            }
            if let Some(min) = p.minimum.filter(|min| n < *min) {
                return Err(bad(format!("must be at least {min}, not {n}")));
            }
            if let Some(max) = p.maximum.filter(|max| n > *max) {
                return Err(bad(format!("must be at most {max}, not {n}")));
            }
            n.to_string()
        }
    };
    if p.ty == ParamType::DateTime && !is_rfc3339(&text) {
        return Err(bad(format!(
            "must be an RFC 3339 timestamp with an offset (e.g. 2026-01-31T09:00:00Z), not '{}'",
            shown(&text)
        )));
    }
    if !p.enum_values.is_empty() && !p.enum_values.contains(&text.as_str()) {
        return Err(bad(format!(
            "must be one of {}, not '{}'",
            p.enum_values.join(", "),
            shown(&text)
        )));
    }
    Ok(text)
}

/// A JSON value as a message quotes it, shortened.
fn quoted(v: &Value) -> String {
    match v {
        Value::String(s) => format!("'{}'", shown(s)),
        other => shown(&other.to_string()).into_owned(),
    }
}

fn integer_value(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| {
            let f = n.as_f64()?;
            (f.fract() == 0.0 && f.abs() < 1e15).then_some(f as i64)
        }),
        Value::String(s) => {
            let digits = s.strip_prefix('-').unwrap_or(s);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            s.parse().ok()
        }
        _ => None,
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`, with plausible field ranges.
pub fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = b.get(r)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(part).ok()?.parse().ok()
    };
    let fixed = (|| {
        let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let (hour, min, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
        let seps = b[4] == b'-' && b[7] == b'-' && matches!(b[10], b'T' | b't' | b' ');
        let seps = seps && b[13] == b':' && b[16] == b':';
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        let ok = seps && (1..=days).contains(&day) && hour < 24 && min < 60 && sec <= 60;
        ok.then_some(())
    })();
    if fixed.is_none() {
        return false;
    }
    let mut rest = &b[19..];
    if let Some(frac) = rest.strip_prefix(b".") {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    match rest {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            let digits = [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit());
            digits && (h1 - b'0') * 10 + (h2 - b'0') < 24 && (m1 - b'0') * 10 + (m2 - b'0') < 60
        }
        _ => false,
    }
}

fn check_rules(spec: &MethodSpec, values: &[(&'static ParamSpec, Vec<String>)]) -> Result<()> {
    let id = spec.id;
    let get = |name: &str| {
        values
            .iter()
            .find(|(p, _)| p.name == name)
            .map(|(_, v)| v.as_slice())
    };
    if get("syncToken").is_some() {
        for (p, _) in values {
            if FORBIDDEN_WITH_SYNC_TOKEN.contains(&p.name) {
                return Err(Error::invalid_argument(format!(
                    "{id}: parameter '{}' cannot be combined with 'syncToken'",
                    p.name
                )));
            }
        }
    }
    let is = |name: &str, want: &str| get(name).is_some_and(|v| v.len() == 1 && v[0] == want);
    if is("orderBy", "startTime") && !is("singleEvents", "true") {
        return Err(Error::invalid_argument(format!(
            "{id}: parameter 'orderBy' = 'startTime' requires 'singleEvents' = true"
        )));
    }
    Ok(())
}

fn check_body(spec: &MethodSpec, body: Option<Body<'_>>) -> Result<Option<bytes::Bytes>> {
    let id = spec.id;
    match body.filter(|b| !b.is_null()) {
        None if spec.has_body => Err(Error::invalid_argument(format!(
            "{id}: a JSON object request body is required"
        ))),
        None => Ok(None),
        Some(_) if !spec.has_body => Err(Error::invalid_argument(format!(
            "{id}: this method takes no request body"
        ))),
        Some(b) if b.is_object() => b
            .to_bytes()
            .map(Some)
            .map_err(|e| Error::internal(format!("{id}: cannot serialize the body: {e}"))),
        Some(other) => Err(Error::invalid_argument(format!(
            "{id}: the request body must be a JSON object, not {}",
            other.kind()
        ))),
    }
}

/// Percent-encodes everything but the unreserved characters `A-Z a-z 0-9 - . _ ~`, so a value is one
/// path segment (`@` → `%40`, `#` → `%23`, `/` → `%2F`) or one query component.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        }
    }
    out
}

fn build_url(
    api_base: &Url,
    spec: &MethodSpec,
    values: &[(&'static ParamSpec, Vec<String>)],
) -> Result<Url> {
    let id = spec.id;
    let mut path = api_base.path().trim_end_matches('/').to_string();
    path.push('/');
    let mut rest = spec.path;
    while let Some(open) = rest.find('{') {
        let close = rest[open..]
            .find('}')
            .map(|c| open + c)
            .ok_or_else(|| Error::internal(format!("{id}: bad path template")))?;
        path.push_str(&rest[..open]);
        let name = &rest[open + 1..close];
        let value = values
            .iter()
            .find(|(p, _)| p.name == name && p.location == Location::Path)
            .and_then(|(_, v)| v.first())
            .ok_or_else(|| Error::internal(format!("{id}: no value for path parameter {name}")))?;
        // These would change the route: an empty segment, or one URL parsing folds away.
        if value.is_empty() || value == "." || value == ".." {
            return Err(Error::invalid_argument(format!(
                "{id}: parameter '{name}' must be a non-empty id, not '{value}'"
            )));
        }
        // Percent-encoding at least keeps the size: stop before building megabytes of path.
        if value.len() > MAX_URL_BYTES {
            return Err(too_long(id, "over ", value.len(), values));
        }
        path.push_str(&percent_encode(value));
        rest = &rest[close + 1..];
    }
    path.push_str(rest);

    let mut query = String::new();
    for (p, vals) in values.iter().filter(|(p, _)| p.location == Location::Query) {
        for v in vals {
            if !query.is_empty() {
                query.push('&');
            }
            query.push_str(&percent_encode(p.name));
            query.push('=');
            query.push_str(&percent_encode(v));
        }
    }

    let mut url = api_base.clone();
    url.set_path(&path);
    url.set_query((!query.is_empty()).then_some(query.as_str()));
    url.set_fragment(None);
    if url.as_str().len() > MAX_URL_BYTES {
        return Err(too_long(id, "", url.as_str().len(), values));
    }
    Ok(url)
}

/// A URL no HTTP request can carry, refused before anything is sent, naming the largest value.
fn too_long(
    id: &str,
    over: &str,
    bytes: usize,
    values: &[(&'static ParamSpec, Vec<String>)],
) -> Error {
    let largest = values
        .iter()
        .map(|(p, v)| (v.iter().map(String::len).sum::<usize>(), p.name))
        .max();
    let culprit = largest
        .map(|(len, name)| format!("; parameter '{name}' alone is {len} bytes"))
        .unwrap_or_default();
    Error::invalid_argument(format!(
        "{id}: the request URL would be {over}{bytes} bytes, more than the {MAX_URL_BYTES} an HTTP \
         request can carry{culprit}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn base() -> Url {
        Url::parse("https://www.googleapis.com/calendar/v3/").unwrap()
    }

    fn err(name: &str, params: Value, body: Option<Value>) -> Error {
        prepare(name, &params, body.as_ref(), &base()).unwrap_err()
    }

    #[test]
    fn builds_url_with_encoded_path_and_query() {
        let r = prepare(
            "calendar.events.get",
            &json!({"calendarId": "a@group.calendar.google.com", "eventId": "x#y/z", "maxAttendees": "5"}),
            None,
            &base(),
        )
        .unwrap();
        assert_eq!(r.method_id, "events.get");
        assert_eq!(r.http_method, reqwest::Method::GET);
        assert_eq!(
            r.url.as_str(),
            "https://www.googleapis.com/calendar/v3/calendars/a%40group.calendar.google.com/events/x%23y%2Fz?maxAttendees=5"
        );
        assert!(r.body.is_none());
    }

    #[test]
    fn repeated_and_special_query_values() {
        let r = prepare(
            "events.list",
            &json!({"calendarId": "primary", "eventTypes": ["default", "focusTime"],
                    "q": "a b&c=d", "privateExtendedProperty": "k=v", "timeMin": "2026-01-01T00:00:00+01:00",
                    "singleEvents": "true", "orderBy": "startTime", "fields": "items(id)"}),
            None,
            &base(),
        )
        .unwrap();
        assert_eq!(
            r.path_and_query(),
            "/calendar/v3/calendars/primary/events?eventTypes=default&eventTypes=focusTime&orderBy=startTime\
             &privateExtendedProperty=k%3Dv&q=a%20b%26c%3Dd&singleEvents=true&timeMin=2026-01-01T00%3A00%3A00%2B01%3A00\
             &fields=items%28id%29"
        );
    }

    #[test]
    fn base_without_trailing_slash_and_body() {
        let base = Url::parse("http://127.0.0.1:8080/calendar/v3").unwrap();
        let r = prepare(
            "events.insert",
            &json!({"calendarId": "primary"}),
            Some(&json!({"summary": "x"})),
            &base,
        )
        .unwrap();
        assert_eq!(
            r.url.as_str(),
            "http://127.0.0.1:8080/calendar/v3/calendars/primary/events"
        );
        assert_eq!(r.http_method, reqwest::Method::POST);
        assert_eq!(r.body.as_deref(), Some(&br#"{"summary":"x"}"#[..]));
        let c = prepare("colors.get", &Value::Null, None, &base).unwrap();
        assert_eq!(c.url.as_str(), "http://127.0.0.1:8080/calendar/v3/colors");
    }

    #[test]
    fn unknown_method_suggests() {
        let e = err("events.lst", json!({}), None);
        assert_eq!(e.kind(), ErrorKind::UnknownMethod);
        assert!(
            e.message().contains("events.lst") && e.message().contains("events.list"),
            "{e}"
        );
    }

    #[test]
    fn invalid_arguments_name_the_parameter() {
        let cases: Vec<(&str, Value, Option<Value>, &str)> = vec![
            ("events.list", json!([]), None, "JSON object"),
            ("events.list", json!({}), None, "'calendarId'"),
            (
                "events.list",
                json!({"calendarId": "p", "foo": 1}),
                None,
                "'foo'",
            ),
            (
                "events.list",
                json!({"calendarId": 5}),
                None,
                "'calendarId'",
            ),
            (
                "events.list",
                json!({"calendarId": "p", "maxResults": "x"}),
                None,
                "'maxResults'",
            ),
            (
                "events.list",
                json!({"calendarId": "p", "maxResults": 0}),
                None,
                "at least 1",
            ),
            (
                "events.list",
                json!({"calendarId": "p", "maxResults": 2.5}),
                None,
                "'maxResults'",
            ),
            (
                "events.list",
                json!({"calendarId": "p", "maxResults": 1e12}),
                None,
                "out of range",
            ),
            (
                "events.insert",
                json!({"calendarId": "p", "conferenceDataVersion": 2}),
                Some(json!({})),
                "at most 1",
            ),
            (
                "events.list",
                json!({"calendarId": "p", "showDeleted": "yes"}),
                None,
                "'showDeleted'",
            ),
            (
                "events.list",
                json!({"calendarId": "p", "showDeleted": 1}),
                None,
                "'showDeleted'",
            ),
            (
                "events.list",
                json!({"calendarId": "p", "orderBy": "random"}),
                None,
                "'orderBy'",
            ),
            (
                "events.list",
                json!({"calendarId": "p", "eventTypes": ["default", "nope"]}),
                None,
                "'eventTypes'",
            ),
            (
                "events.list",
                json!({"calendarId": "p", "eventTypes": []}),
                None,
                "'eventTypes'",
            ),
            (
                "events.list",
                json!({"calendarId": "p", "q": ["a"]}),
                None,
                "'q'",
            ),
            (
                "events.list",
                json!({"calendarId": "p", "timeMin": "2026-01-01T00:00:00"}),
                None,
                "'timeMin'",
            ),
            (
                "events.list",
                json!({"calendarId": "p", "timeMin": "2026-02-30T00:00:00Z"}),
                None,
                "'timeMin'",
            ),
            (
                "events.list",
                json!({"calendarId": "p", "syncToken": "t", "q": "x"}),
                None,
                "'q'",
            ),
            (
                "events.list",
                json!({"calendarId": "p", "syncToken": "t", "timeMin": "2026-01-01T00:00:00Z"}),
                None,
                "'timeMin'",
            ),
            (
                "calendarList.list",
                json!({"syncToken": "t", "minAccessRole": "owner"}),
                None,
                "'minAccessRole'",
            ),
            (
                "calendarList.list",
                json!({"syncToken": "t", "showOwnOrganizationOnly": true}),
                None,
                "'showOwnOrganizationOnly'",
            ),
            (
                "events.list",
                json!({"calendarId": "p", "orderBy": "startTime"}),
                None,
                "'singleEvents'",
            ),
            (
                "events.list",
                json!({"calendarId": "p", "orderBy": "startTime", "singleEvents": false}),
                None,
                "'singleEvents'",
            ),
            (
                "events.get",
                json!({"calendarId": "p", "eventId": ""}),
                None,
                "'eventId'",
            ),
            (
                "events.get",
                json!({"calendarId": "..", "eventId": "e"}),
                None,
                "'calendarId'",
            ),
            (
                "calendars.transferOwnership",
                json!({"calendarId": "p", "newDataOwner": "x"}),
                None,
                "'useAdminAccess'",
            ),
            (
                "events.list",
                json!({"calendarId": "p"}),
                Some(json!({})),
                "no request body",
            ),
            (
                "events.insert",
                json!({"calendarId": "p"}),
                None,
                "body is required",
            ),
            (
                "events.insert",
                json!({"calendarId": "p"}),
                Some(json!([1])),
                "JSON object",
            ),
            ("freebusy.query", json!({}), None, "body is required"),
            (
                "channels.stop",
                json!({}),
                Some(Value::Null),
                "body is required",
            ),
            (
                "colors.get",
                json!({"prettyprint": true}),
                None,
                "did you mean 'prettyPrint'",
            ),
        ];
        for (name, params, body, needle) in cases {
            let e = err(name, params.clone(), body);
            assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{name} {params}: {e}");
            assert!(
                e.message().contains(needle),
                "{name} {params}: '{e}' lacks {needle}"
            );
        }
    }

    #[test]
    fn accepted_value_forms() {
        let ok = |params: Value| prepare("events.list", &params, None, &base()).unwrap();
        let r = ok(
            json!({"calendarId": "p", "maxResults": 50, "showDeleted": true, "singleEvents": "false",
                          "eventTypes": "default", "timeZone": null, "syncToken": "s", "pageToken": "t"}),
        );
        assert_eq!(
            r.url.query(),
            Some(
                "eventTypes=default&maxResults=50&pageToken=t&showDeleted=true&singleEvents=false&syncToken=s"
            )
        );
        let r = ok(
            json!({"calendarId": "p", "maxResults": "2500", "updatedMin": "2026-01-01T10:00:00.123-05:30"}),
        );
        assert!(
            r.url
                .query()
                .unwrap()
                .starts_with("maxResults=2500&updatedMin=")
        );
        ok(json!({"calendarId": "p", "orderBy": "updated"}));
        ok(json!({"calendarId": "p", "timeMax": "2024-02-29T23:59:60z"}));
    }

    #[test]
    fn rfc3339() {
        for good in [
            "2026-01-31T09:00:00Z",
            "2026-01-31t09:00:00.5+14:00",
            "2000-02-29T00:00:00-00:00",
        ] {
            assert!(is_rfc3339(good), "{good}");
        }
        for bad in [
            "",
            "2026-01-31",
            "2026-01-31T09:00Z",
            "2026-13-01T00:00:00Z",
            "1900-02-29T00:00:00Z",
            "2026-01-31T24:00:00Z",
            "2026-01-31T09:00:00.Z",
            "2026-01-31T09:00:00+0100",
            "2026-01-31T09:00:00Zx",
            "٢٠٢٦-01-31T09:00:00Z",
        ] {
            assert!(!is_rfc3339(bad), "{bad}");
        }
    }

    #[test]
    fn encodes_path_segments() {
        assert_eq!(
            percent_encode("a@b.c#d/e f~_-é"),
            "a%40b.c%23d%2Fe%20f~_-%C3%A9"
        );
    }
}
