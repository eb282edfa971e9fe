//! Typed descriptions of every method for hosts that build their own types (Qore's data providers):
//! parameters with Google's descriptions, and the request and response bodies with their `$ref`s
//! resolved. The data is `schemas_data.json`, generated from the discovery document by
//! `gen_schemas.py` (tests/calendar_schemas.rs checks both against the document).

use std::sync::OnceLock;

use serde_json::{Map, Value, json};

use super::methods::lookup;
use super::request::unknown_method;
use crate::error::{Error, Result};

static DATA: &str = include_str!("schemas_data.json");

/// How deep `$ref`s are inlined; deeper (or recursive) references are left as `{"ref": name, "recursive": true}`.
/// Calendar's deepest chain (Events > Event > ConferenceData > EntryPoint ...) is five levels.
const MAX_DEPTH: usize = 8;

fn data() -> &'static Value {
    static PARSED: OnceLock<Value> = OnceLock::new();
    PARSED.get_or_init(|| serde_json::from_str(DATA).expect("schemas_data.json is generated JSON"))
}

/// The discovery revision the data was generated from.
pub fn revision() -> &'static str {
    data()["revision"].as_str().unwrap_or("?")
}

/// A method's typed description as JSON text:
/// `{"id", "http_method", "path", "description", "parameters": [...], "request": node|null, "response": node|null}`.
/// Parameters come in Google's `parameterOrder`, then by name, each
/// `{"name", "location", "type", "format"?, "required", "repeated", "description", "enum"?: [{"value", "description"}],
/// "minimum"?, "maximum"?, "default"?, "deprecated"?}`. A schema node is
/// `{"type", "format"?, "description"?, "required"?, "read_only"?, "enum"?, "default"?, "ref"?, "properties"?: {name: node},
/// "items"?: node, "additional_properties"?: node}`; `required` marks the request fields Google requires for this
/// method (its `annotations.required`); response nodes carry none.
pub fn method_schema_json(name: &str) -> Result<String> {
    let spec = lookup(name).ok_or_else(|| unknown_method(name))?;
    let entry = &data()["methods"][spec.id];
    if !entry.is_object() {
        return Err(Error::internal(format!(
            "{}: no schema data for a known method",
            spec.id
        )));
    }
    let annotation = format!("calendar.{}", spec.id);
    let body = |key: &str, for_request: bool| -> Value {
        entry[key].as_str().map_or(Value::Null, |r| {
            let required = for_request.then_some(annotation.as_str());
            resolve(&json!({ "$ref": r }), required, 0, &mut Vec::new())
        })
    };
    let out = json!({
        "id": spec.id,
        "http_method": spec.http_method,
        "path": spec.path,
        "description": entry["description"],
        "parameters": parameters(entry),
        "request": body("request", true),
        "response": body("response", false),
    });
    Ok(out.to_string())
}

fn parameters(entry: &Value) -> Vec<Value> {
    let empty = Map::new();
    let params = entry["parameters"].as_object().unwrap_or(&empty);
    let mut names: Vec<&str> = entry["parameterOrder"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter(|n| params.contains_key(*n))
        .collect();
    let mut rest: Vec<&str> = params
        .keys()
        .map(String::as_str)
        .filter(|n| !names.contains(n))
        .collect();
    rest.sort_unstable();
    names.extend(rest);
    names
        .into_iter()
        .map(|n| parameter(n, &params[n]))
        .collect()
}

fn parameter(name: &str, p: &Value) -> Value {
    let mut out = Map::new();
    out.insert("name".into(), name.into());
    out.insert("location".into(), p["location"].clone());
    out.insert("type".into(), p["type"].clone());
    out.insert("required".into(), (p["required"] == true).into());
    out.insert("repeated".into(), (p["repeated"] == true).into());
    out.insert(
        "description".into(),
        p["description"].as_str().unwrap_or("").into(),
    );
    copy(p, &mut out, &["format", "minimum", "maximum", "default"]);
    if p["deprecated"] == true {
        out.insert("deprecated".into(), true.into());
    }
    if let Some(values) = enum_values(p) {
        out.insert("enum".into(), values);
    }
    Value::Object(out)
}

fn copy(from: &Value, to: &mut Map<String, Value>, keys: &[&str]) {
    for k in keys {
        if let Some(v) = from.get(*k) {
            to.insert((*k).to_string(), v.clone());
        }
    }
}

fn enum_values(s: &Value) -> Option<Value> {
    let values = s["enum"].as_array()?;
    let descs = s["enumDescriptions"].as_array();
    Some(Value::Array(
        values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let desc = descs.and_then(|d| d.get(i)).and_then(Value::as_str);
                json!({"value": v, "description": desc.unwrap_or("")})
            })
            .collect(),
    ))
}

/// Resolves one schema node; `required_for` is the annotation id that marks required request fields.
fn resolve(s: &Value, required_for: Option<&str>, depth: usize, stack: &mut Vec<String>) -> Value {
    if let Some(r) = s["$ref"].as_str() {
        let target = &data()["schemas"][r];
        if !target.is_object() || depth >= MAX_DEPTH || stack.iter().any(|x| x == r) {
            return json!({"type": "object", "ref": r, "recursive": true});
        }
        stack.push(r.to_string());
        let mut node = resolve(target, required_for, depth + 1, stack);
        stack.pop();
        if let Value::Object(m) = &mut node {
            m.insert("ref".into(), r.into());
            // The referring property's own description and annotations win over the schema's.
            if let Some(d) = s.get("description") {
                m.insert("description".into(), d.clone());
            }
            if is_required(s, required_for) {
                m.insert("required".into(), true.into());
            }
        }
        return node;
    }
    let mut out = Map::new();
    out.insert(
        "type".into(),
        s.get("type").cloned().unwrap_or_else(|| "any".into()),
    );
    copy(s, &mut out, &["format", "description", "default"]);
    if is_required(s, required_for) {
        out.insert("required".into(), true.into());
    }
    if s["readOnly"] == true {
        out.insert("read_only".into(), true.into());
    }
    if let Some(values) = enum_values(s) {
        out.insert("enum".into(), values);
    }
    if let Some(props) = s["properties"].as_object() {
        let resolved: Map<String, Value> = props
            .iter()
            .map(|(k, v)| (k.clone(), resolve(v, required_for, depth + 1, stack)))
            .collect();
        out.insert("properties".into(), Value::Object(resolved));
    }
    if s["items"].is_object() {
        out.insert(
            "items".into(),
            resolve(&s["items"], required_for, depth + 1, stack),
        );
    }
    if s["additionalProperties"].is_object() {
        out.insert(
            "additional_properties".into(),
            resolve(&s["additionalProperties"], required_for, depth + 1, stack),
        );
    }
    Value::Object(out)
}

fn is_required(s: &Value, required_for: Option<&str>) -> bool {
    required_for.is_some_and(|id| {
        s["annotations"]["required"]
            .as_array()
            .is_some_and(|a| a.iter().any(|v| v == id))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn schema(m: &str) -> Value {
        serde_json::from_str(&method_schema_json(m).unwrap()).unwrap()
    }

    #[test]
    fn every_method_has_a_schema() {
        for m in super::super::methods::METHODS {
            let v = schema(m.id);
            assert_eq!(v["id"], m.id);
            assert_eq!(v["http_method"], m.http_method);
            assert_eq!(v["parameters"].as_array().unwrap().len(), m.params.len());
            assert_eq!(v["request"].is_object(), m.has_body, "{}", m.id);
            assert_eq!(v["response"].is_object(), m.response.is_some(), "{}", m.id);
        }
    }

    #[test]
    fn insert_marks_start_and_end_required_and_resolves_refs() {
        let v = schema("calendar.events.insert");
        let req = &v["request"];
        assert_eq!(req["ref"], "Event");
        assert_eq!(req["properties"]["start"]["required"], true);
        assert_eq!(req["properties"]["start"]["ref"], "EventDateTime");
        assert_eq!(
            req["properties"]["start"]["properties"]["dateTime"]["format"],
            "date-time"
        );
        assert!(req["properties"]["summary"].get("required").is_none());
        // responses carry no required flags
        assert!(
            v["response"]["properties"]["start"]
                .get("required")
                .is_none()
        );
        let first = &v["parameters"][0];
        assert_eq!(first["name"], "calendarId");
        assert_eq!(first["required"], true);
        assert!(!first["description"].as_str().unwrap().is_empty());
    }

    #[test]
    fn patch_requires_nothing_and_enums_carry_descriptions() {
        let v = schema("events.patch");
        assert!(
            v["request"]["properties"]["start"]
                .get("required")
                .is_none()
        );
        let send = v["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "sendUpdates")
            .unwrap();
        assert_eq!(send["enum"][0]["value"], "all");
        assert!(!send["enum"][0]["description"].as_str().unwrap().is_empty());
    }

    #[test]
    fn unknown_methods_are_refused_with_a_hint() {
        let e = method_schema_json("events.lst").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnknownMethod);
        assert!(e.message().contains("events.list"), "{e}");
        assert_eq!(
            method_schema_json("").unwrap_err().kind(),
            ErrorKind::UnknownMethod
        );
        // A huge name is answered briefly, as by a call.
        let huge = "x".repeat(10 << 20);
        let e = method_schema_json(&huge).unwrap_err();
        assert!(e.message().len() < 200, "{} bytes", e.message().len());
    }

    #[test]
    fn recursion_is_bounded() {
        let mut stack = vec!["Event".to_string()];
        let v = resolve(&json!({"$ref": "Event"}), None, 0, &mut stack);
        assert_eq!(
            v,
            json!({"type": "object", "ref": "Event", "recursive": true})
        );
        let v = resolve(&json!({"$ref": "Event"}), None, MAX_DEPTH, &mut Vec::new());
        assert_eq!(v["recursive"], true);
    }
}
