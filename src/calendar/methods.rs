//! The Calendar v3 method table: types, lookup by id, and the JSON listing behind `qgcal_methods`.
//! The data itself lives in `methods_table.rs`, generated from Google's discovery document.

use serde_json::{Value, json};

pub use super::methods_table::{METHODS, STANDARD_PARAMS};

/// Where a parameter goes in the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    Path,
    Query,
}

/// A parameter's type as the discovery document states it (`string` with format `date-time` is its own type).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamType {
    String,
    /// RFC 3339 timestamp with a time-zone offset.
    DateTime,
    Integer,
    Boolean,
}

impl ParamType {
    pub fn as_str(self) -> &'static str {
        match self {
            ParamType::String => "string",
            ParamType::DateTime => "date-time",
            ParamType::Integer => "integer",
            ParamType::Boolean => "boolean",
        }
    }
}

/// One path or query parameter of a method.
#[derive(Debug, PartialEq, Eq)]
pub struct ParamSpec {
    pub name: &'static str,
    pub location: Location,
    pub ty: ParamType,
    pub required: bool,
    /// May be given several times (`eventTypes`, `privateExtendedProperty`, ...).
    pub repeated: bool,
    /// Allowed values; empty means any.
    pub enum_values: &'static [&'static str],
    pub minimum: Option<i64>,
    pub maximum: Option<i64>,
    /// Google's default, as text.
    pub default: Option<&'static str>,
}

/// One API method.
#[derive(Debug, PartialEq, Eq)]
pub struct MethodSpec {
    /// Discovery id without the `calendar.` prefix, e.g. `events.list`.
    pub id: &'static str,
    /// `GET`, `POST`, `PUT`, `PATCH` or `DELETE`.
    pub http_method: &'static str,
    /// Path template relative to the API base, e.g. `calendars/{calendarId}/events`.
    pub path: &'static str,
    /// The method takes (and needs) a JSON request body.
    pub has_body: bool,
    /// Response schema name, e.g. `Events`; `None` for an empty answer.
    pub response: Option<&'static str>,
    /// The answer is a page of `items` with `nextPageToken`.
    pub paging: bool,
    /// The method accepts `syncToken` and its last page carries `nextSyncToken`.
    pub sync: bool,
    /// Path and query parameters, sorted by name.
    pub params: &'static [ParamSpec],
}

impl MethodSpec {
    /// The method's own parameter, or one of the standard ones.
    pub fn param(&self, name: &str) -> Option<&'static ParamSpec> {
        self.params
            .iter()
            .chain(STANDARD_PARAMS.iter())
            .find(|p| p.name == name)
    }
}

/// Finds a method by id, with or without the `calendar.` prefix.
pub fn lookup(name: &str) -> Option<&'static MethodSpec> {
    let id = name.strip_prefix("calendar.").unwrap_or(name);
    METHODS.iter().find(|m| m.id == id)
}

/// Up to three method ids close to `name` (typos, wrong resource), best first.
pub fn suggestions(name: &str) -> Vec<&'static str> {
    let id = name.strip_prefix("calendar.").unwrap_or(name);
    // Ids are short ASCII words: anything else is no typo, and its edit distance would cost
    // time in proportion to its length.
    let plausible = id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_');
    if !plausible {
        return Vec::new();
    }
    let lower = id.to_ascii_lowercase();
    let mut scored: Vec<(usize, &'static str)> = METHODS
        .iter()
        .filter_map(|m| {
            let d = edit_distance(&lower, &m.id.to_ascii_lowercase());
            let same_verb = id.rsplit('.').next() == m.id.rsplit('.').next();
            let limit = (id.len() / 4).max(2);
            if d <= limit {
                Some((d, m.id))
            } else if same_verb && id.contains('.') {
                Some((limit + d, m.id))
            } else {
                None
            }
        })
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, id)| id).collect()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The method list as JSON: `[{id, http_method, path, required, optional, body, paging, sync}]`.
pub fn methods_json() -> String {
    let list: Vec<Value> = METHODS
        .iter()
        .map(|m| {
            let names = |req: bool| -> Vec<&str> {
                m.params
                    .iter()
                    .filter(|p| p.required == req)
                    .map(|p| p.name)
                    .collect()
            };
            json!({
                "id": m.id,
                "http_method": m.http_method,
                "path": m.path,
                "required": names(true),
                "optional": names(false),
                "body": m.has_body,
                "paging": m.paging,
                "sync": m.sync,
            })
        })
        .collect();
    Value::Array(list).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_has_all_38_methods_sorted_and_unique() {
        assert_eq!(METHODS.len(), 38);
        assert!(METHODS.windows(2).all(|w| w[0].id < w[1].id));
    }

    #[test]
    fn lookup_accepts_both_spellings() {
        let m = lookup("events.list").unwrap();
        assert_eq!(m.http_method, "GET");
        assert_eq!(m.path, "calendars/{calendarId}/events");
        assert!(m.paging && m.sync && !m.has_body);
        assert!(std::ptr::eq(m, lookup("calendar.events.list").unwrap()));
        assert!(lookup("events.lists").is_none());
        assert!(lookup("calendar.").is_none());
        assert!(lookup("").is_none());
    }

    #[test]
    fn flags_match_the_api() {
        assert!(lookup("events.insert").unwrap().has_body);
        assert!(!lookup("events.quickAdd").unwrap().has_body);
        assert!(lookup("channels.stop").unwrap().has_body);
        let inst = lookup("events.instances").unwrap();
        assert!(inst.paging && !inst.sync);
        let watch = lookup("events.watch").unwrap();
        assert!(!watch.paging && !watch.sync && watch.param("syncToken").is_some());
        let order = lookup("events.list").unwrap().param("orderBy").unwrap();
        assert_eq!(order.enum_values, &["startTime", "updated"]);
        let cdv = lookup("events.insert")
            .unwrap()
            .param("conferenceDataVersion")
            .unwrap();
        assert_eq!((cdv.minimum, cdv.maximum), (Some(0), Some(1)));
        assert_eq!(
            lookup("colors.get").unwrap().param("fields").unwrap().ty,
            ParamType::String
        );
    }

    #[test]
    fn suggestions_find_typos() {
        assert_eq!(suggestions("events.lsit").first(), Some(&"events.list"));
        // Only for plausible names: short ASCII identifiers.
        assert!(suggestions(&format!("{}.list", "x".repeat(100))).is_empty());
        assert!(suggestions("événements.list").is_empty());
        assert!(suggestions("calendar.event.insert").contains(&"events.insert"));
        assert!(suggestions("zzzzzzzzzzzzzz").is_empty());
    }

    #[test]
    fn methods_json_lists_every_method() {
        let v: Value = serde_json::from_str(&methods_json()).unwrap();
        let arr = v.as_array().unwrap();
        assert_eq!(arr.len(), 38);
        let move_ = arr.iter().find(|m| m["id"] == "events.move").unwrap();
        assert_eq!(move_["http_method"], "POST");
        assert_eq!(
            move_["required"],
            json!(["calendarId", "destination", "eventId"])
        );
        assert_eq!(
            move_["optional"],
            json!(["sendNotifications", "sendUpdates"])
        );
        assert_eq!(move_["body"], false);
    }
}
