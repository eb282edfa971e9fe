//! The embedded discovery document: routes, parameters and scopes of the 38 methods.

use super::error::{R, bad_request, invalid, required};
use super::timeutil::parse_rfc3339;
use percent_encoding::percent_decode_str;
use serde_json::Value;
use std::borrow::Cow;
use std::sync::OnceLock;

/// Google's discovery document, byte for byte.
pub const DISCOVERY_JSON: &str = include_str!("../../data/calendar-v3-discovery.json");

/// Standard parameters every method accepts; the emulator ignores them.
const STANDARD: &[&str] = &[
    "alt",
    "fields",
    "key",
    "prettyPrint",
    "quotaUser",
    "userIp",
    "oauth_token",
    "access_token",
    "$.xgafv",
    "callback",
    "uploadType",
    "upload_protocol",
];

#[derive(Debug)]
pub(crate) enum Seg {
    Lit(String),
    Var(String),
}

#[derive(Debug)]
pub(crate) struct Param {
    pub name: String,
    pub in_path: bool,
    pub required: bool,
    pub kind: String,
    pub date_time: bool,
    pub enums: Option<Vec<String>>,
    pub minimum: Option<i64>,
    pub maximum: Option<i64>,
    pub repeated: bool,
}

#[derive(Debug)]
pub(crate) struct Method {
    /// Discovery id without "calendar.", e.g. "events.list".
    pub id: String,
    pub http_method: String,
    pub segs: Vec<Seg>,
    pub params: Vec<Param>,
    pub scopes: Vec<String>,
}

fn collect(resource: &Value, out: &mut Vec<Method>) {
    if let Some(methods) = resource.get("methods").and_then(Value::as_object) {
        for m in methods.values() {
            let s = |k: &str| m.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            let id = s("id");
            let segs = s("path")
                .split('/')
                .map(|p| {
                    if p.starts_with('{') && p.ends_with('}') {
                        Seg::Var(p[1..p.len() - 1].to_string())
                    } else {
                        Seg::Lit(p.to_string())
                    }
                })
                .collect();
            let mut params = Vec::new();
            if let Some(ps) = m.get("parameters").and_then(Value::as_object) {
                for (name, p) in ps {
                    let num = |k: &str| {
                        p.get(k)
                            .and_then(Value::as_str)
                            .and_then(|v| v.parse::<i64>().ok())
                    };
                    params.push(Param {
                        name: name.clone(),
                        in_path: p.get("location").and_then(Value::as_str) == Some("path"),
                        required: p.get("required").and_then(Value::as_bool) == Some(true),
                        kind: p
                            .get("type")
                            .and_then(Value::as_str)
                            .unwrap_or("string")
                            .to_string(),
                        date_time: p.get("format").and_then(Value::as_str) == Some("date-time"),
                        enums: p.get("enum").and_then(Value::as_array).map(|a| {
                            a.iter()
                                .filter_map(|v| v.as_str().map(str::to_string))
                                .collect()
                        }),
                        minimum: num("minimum"),
                        maximum: num("maximum"),
                        repeated: p.get("repeated").and_then(Value::as_bool) == Some(true),
                    });
                }
            }
            let scopes = m
                .get("scopes")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            out.push(Method {
                id: id.strip_prefix("calendar.").unwrap_or(&id).to_string(),
                http_method: s("httpMethod"),
                segs,
                params,
                scopes,
            });
        }
    }
    if let Some(res) = resource.get("resources").and_then(Value::as_object) {
        for r in res.values() {
            collect(r, out);
        }
    }
}

/// The embedded discovery document, parsed once for everything read from it.
fn doc() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| serde_json::from_str(DISCOVERY_JSON).expect("embedded discovery doc"))
}

pub(crate) fn methods() -> &'static [Method] {
    static METHODS: OnceLock<Vec<Method>> = OnceLock::new();
    METHODS.get_or_init(|| {
        let mut out = Vec::new();
        collect(doc(), &mut out);
        out
    })
}

/// The member names of the Event resource and of the objects within it, sorted: the names
/// nearly every member of a stored event has.
pub(crate) fn event_member_names() -> &'static [&'static str] {
    static NAMES: OnceLock<Vec<&'static str>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let schemas = &doc()["schemas"];
        let mut names = std::collections::BTreeSet::new();
        let mut seen = std::collections::HashSet::new();
        let mut todo = vec![&schemas["Event"]];
        while let Some(s) = todo.pop() {
            if let Some(r) = s.get("$ref").and_then(Value::as_str) {
                if seen.insert(r) {
                    todo.push(&schemas[r]);
                }
                continue;
            }
            for (name, member) in s
                .get("properties")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                names.insert(name.as_str());
                todo.push(member);
            }
            todo.extend(
                ["items", "additionalProperties"]
                    .iter()
                    .filter_map(|k| s.get(*k)),
            );
        }
        names.into_iter().collect()
    })
}

/// More path segments than any method has.
const MAX_SEGS: usize = 8;

/// The methods with a given number of path segments (fewer than `MAX_SEGS`).
fn with_segs(n: usize) -> &'static [&'static Method] {
    static GROUPS: OnceLock<Vec<Vec<&'static Method>>> = OnceLock::new();
    let groups = GROUPS.get_or_init(|| {
        (0..MAX_SEGS)
            .map(|n| methods().iter().filter(|m| m.segs.len() == n).collect())
            .collect()
    });
    groups.get(n).map_or(&[], Vec::as_slice)
}

/// Decoded path variables of a call, by name; borrowed from the path when nothing was encoded.
pub(crate) type Vars<'p> = Vec<(&'static str, Cow<'p, str>)>;

/// A raw path's segments and their count; `None` when more than any method has.
fn segments(path: &str) -> Option<([&str; MAX_SEGS], usize)> {
    let path = path.strip_prefix('/').unwrap_or(path);
    let path = path.strip_suffix('/').unwrap_or(path);
    let mut parts = [""; MAX_SEGS];
    let mut n = 0;
    // `split('/')` by hand: a byte loop costs less than a searcher on such short paths.
    let mut from = 0;
    for (i, b) in path.bytes().enumerate().chain([(path.len(), b'/')]) {
        if b == b'/' {
            // No method has this many segments.
            *parts.get_mut(n)? = &path[from..i];
            n += 1;
            from = i + 1;
        }
    }
    Some((parts, n))
}

/// The method for a raw path and its segments, without allocating.
fn find<'p>(http_method: &str, path: &'p str) -> Option<(&'static Method, [&'p str; MAX_SEGS])> {
    let (parts, n) = segments(path)?;
    let parts_n = &parts[..n];
    let mut best: Option<(&'static Method, usize)> = None;
    for &m in with_segs(n) {
        // Exact case first: clients send upper case.
        if m.http_method != http_method && !m.http_method.eq_ignore_ascii_case(http_method) {
            continue;
        }
        let mut lits = 0;
        let ok = m.segs.iter().zip(parts_n).all(|(s, p)| match s {
            Seg::Lit(l) => {
                lits += 1;
                l == p
            }
            Seg::Var(_) => !p.is_empty(),
        });
        if ok && best.is_none_or(|(_, b)| lits > b) {
            best = Some((m, lits));
        }
    }
    best.map(|(m, _)| (m, parts))
}

/// The method for a raw path ("/calendars/a%40b/events").
pub(crate) fn method(http_method: &str, path: &str) -> Option<&'static Method> {
    find(http_method, path).map(|(m, _)| m)
}

/// The method for a raw path; path variables come back decoded.
pub(crate) fn route<'p>(http_method: &str, path: &'p str) -> Option<(&'static Method, Vars<'p>)> {
    let (m, parts) = find(http_method, path)?;
    Some((m, vars(m, parts)))
}

/// As `route`, for a call whose method id `method` (as returned by `method`) the caller already
/// found for this HTTP method and path: the segments are split again, but not matched again.
pub(crate) fn route_known<'p>(
    id: &'static str,
    http_method: &str,
    path: &'p str,
) -> Option<(&'static Method, Vars<'p>)> {
    // The id is the method's own string, so its address identifies it.
    let known = methods()
        .iter()
        .find(|m| std::ptr::eq(m.id.as_str(), id))
        .zip(segments(path))
        .filter(|(m, (_, n))| m.segs.len() == *n);
    match known {
        Some((m, (parts, _))) => Some((m, vars(m, parts))),
        None => route(http_method, path),
    }
}

/// The decoded path variables of `m` from a path's segments.
fn vars<'p>(m: &'static Method, parts: [&'p str; MAX_SEGS]) -> Vars<'p> {
    m.segs
        .iter()
        .zip(parts)
        .filter_map(|(s, p)| match s {
            Seg::Var(name) => Some((name.as_str(), percent_decode_str(p).decode_utf8_lossy())),
            Seg::Lit(_) => None,
        })
        .collect()
}

/// Checked query parameters of one call.
#[derive(Default)]
pub(crate) struct Params {
    values: Vec<(String, String)>,
}

impl Params {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.values
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn flag(&self, name: &str) -> bool {
        self.get(name) == Some("true")
    }

    pub fn int(&self, name: &str) -> Option<i64> {
        self.get(name).and_then(|v| v.parse().ok())
    }

    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

/// Checks query parameters against the method's declaration.
pub(crate) fn check_params(m: &Method, query: &[(String, String)]) -> R<Params> {
    let mut values = Vec::new();
    for (k, v) in query {
        if STANDARD.contains(&k.as_str()) {
            continue;
        }
        let Some(p) = m.params.iter().find(|p| &p.name == k && !p.in_path) else {
            return Err(bad_request(format!("Unknown parameter: '{k}'")));
        };
        let bad = || invalid(format!("Invalid value '{v}' for parameter '{k}'."));
        match p.kind.as_str() {
            "integer" => {
                let n: i64 = v.trim().parse().map_err(|_| bad())?;
                if p.minimum.is_some_and(|min| n < min) || p.maximum.is_some_and(|max| n > max) {
                    return Err(bad());
                }
            }
            "boolean" if v != "true" && v != "false" => return Err(bad()),
            _ => {}
        }
        if p.date_time && parse_rfc3339(v).is_none() {
            return Err(bad());
        }
        if let Some(e) = &p.enums
            && !e.iter().any(|x| x == v)
        {
            return Err(bad());
        }
        if !p.repeated && values.iter().any(|(n, _): &(String, String)| n == k) {
            continue;
        }
        values.push((k.clone(), v.clone()));
    }
    for p in &m.params {
        if p.required && !p.in_path && !values.iter().any(|(n, _)| n == &p.name) {
            return Err(required(format!("Required parameter: {}", p.name)));
        }
    }
    Ok(Params { values })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_within_max_segments() {
        assert!(methods().iter().all(|m| m.segs.len() < MAX_SEGS));
        let (m, vars) = route("GET", "/calendars/a%40b/events/e1").unwrap();
        assert_eq!(m.id, "events.get");
        assert_eq!(
            vars,
            vec![
                ("calendarId", Cow::Owned("a@b".to_string())),
                ("eventId", Cow::Borrowed("e1"))
            ]
        );
        assert!(
            matches!(vars[1].1, Cow::Borrowed(_)),
            "no copy without escapes"
        );
        assert!(method("GET", "/calendars/a/events/e/x/y/z/w/v").is_none());
        for path in [
            "",
            "/",
            "//",
            "a",
            "/a/",
            "/a//b",
            "a/b/c/d/e/f/g/h",
            "a/b/c/d/e/f/g/h/i",
            "/é/ü/",
        ] {
            let want: Vec<&str> = {
                let p = path.strip_prefix('/').unwrap_or(path);
                p.strip_suffix('/').unwrap_or(p).split('/').collect()
            };
            match segments(path) {
                Some((parts, n)) => assert_eq!(parts[..n], want[..], "{path:?}"),
                None => assert!(want.len() > MAX_SEGS, "{path:?}"),
            }
        }
        assert_eq!(
            method("post", "/calendars/a/events/").unwrap().id,
            "events.insert"
        );
    }

    #[test]
    fn a_known_route_gives_what_routing_gives() {
        for (verb, path) in [
            ("GET", "/calendars/a%40b/events/e1"),
            ("post", "/calendars/a/events/"),
            ("POST", "/calendars/primary/events/import"),
            ("GET", "/colors"),
        ] {
            let (m, vars) = route(verb, path).unwrap();
            let id = method(verb, path).unwrap().id.as_str();
            let (k, kvars) = route_known(id, verb, path).unwrap();
            assert!(std::ptr::eq(m, k), "{verb} {path}");
            assert_eq!(vars, kvars, "{verb} {path}");
        }
        // An id that is not a method's own string: routed afresh.
        let (m, _) = route_known("events.get", "GET", "/calendars/a/events/e").unwrap();
        assert_eq!(m.id, "events.get");
    }
}
