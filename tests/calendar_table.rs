//! The embedded method table must agree with Google's discovery document (when it is present) and with
//! what the generator script makes of it.

mod support;

use std::collections::BTreeSet;
use std::path::PathBuf;

use qorus_gcal::calendar::methods::{METHODS, STANDARD_PARAMS};
use qorus_gcal::calendar::{Location, MethodSpec, ParamSpec, ParamType};
use serde_json::Value;

fn load() -> (PathBuf, Value) {
    let path = support::discovery_path();
    let text = std::fs::read_to_string(&path).expect("read the discovery document");
    let doc = serde_json::from_str(&text).expect("discovery document is JSON");
    (path, doc)
}

fn collect<'a>(resources: &'a Value, out: &mut Vec<&'a Value>) {
    for res in resources.as_object().into_iter().flat_map(|m| m.values()) {
        out.extend(
            res["methods"]
                .as_object()
                .into_iter()
                .flat_map(|m| m.values()),
        );
        collect(&res["resources"], out);
    }
}

fn expected_type(p: &Value) -> ParamType {
    match (p["type"].as_str(), p["format"].as_str()) {
        (Some("string"), Some("date-time")) => ParamType::DateTime,
        (Some("string"), _) => ParamType::String,
        (Some("integer"), _) => ParamType::Integer,
        (Some("boolean"), _) => ParamType::Boolean,
        other => panic!("unexpected parameter type {other:?}"),
    }
}

fn number(v: &Value) -> Option<i64> {
    v.as_str().map(|s| s.parse().expect("numeric bound"))
}

fn check_param(ctx: &str, name: &str, doc: &Value, spec: &ParamSpec) {
    let ctx = format!("{ctx} parameter {name}");
    let location = match doc["location"].as_str() {
        Some("path") => Location::Path,
        Some("query") => Location::Query,
        other => panic!("{ctx}: location {other:?}"),
    };
    assert_eq!(spec.location, location, "{ctx}: location");
    assert_eq!(spec.ty, expected_type(doc), "{ctx}: type");
    assert_eq!(spec.required, doc["required"] == true, "{ctx}: required");
    assert_eq!(spec.repeated, doc["repeated"] == true, "{ctx}: repeated");
    let enums: Vec<&str> = doc["enum"]
        .as_array()
        .map(|a| a.iter().map(|v| v.as_str().unwrap()).collect())
        .unwrap_or_default();
    assert_eq!(spec.enum_values, enums.as_slice(), "{ctx}: enum");
    assert_eq!(spec.minimum, number(&doc["minimum"]), "{ctx}: minimum");
    assert_eq!(spec.maximum, number(&doc["maximum"]), "{ctx}: maximum");
    assert_eq!(spec.default, doc["default"].as_str(), "{ctx}: default");
    if spec.ty == ParamType::Integer {
        // Request validation assumes int32 for every integer parameter.
        assert_eq!(doc["format"], "int32", "{ctx}: format");
    }
}

fn check_method(doc: &Value, m: &Value, spec: &MethodSpec) {
    let id = spec.id;
    assert_eq!(
        spec.http_method,
        m["httpMethod"].as_str().unwrap(),
        "{id}: HTTP method"
    );
    assert_eq!(spec.path, m["path"].as_str().unwrap(), "{id}: path");
    assert_eq!(spec.has_body, m.get("request").is_some(), "{id}: body");
    let response = m["response"]["$ref"].as_str();
    assert_eq!(spec.response, response, "{id}: response");
    let props = response.map(|r| &doc["schemas"][r]["properties"]);
    let has = |field: &str| props.is_some_and(|p| p.get(field).is_some());
    assert_eq!(
        spec.paging,
        has("items") && has("nextPageToken"),
        "{id}: paging"
    );
    let takes_sync = m["parameters"].get("syncToken").is_some();
    assert_eq!(
        spec.sync,
        spec.paging && has("nextSyncToken") && takes_sync,
        "{id}: sync"
    );

    let empty = serde_json::Map::new();
    let params = m["parameters"].as_object().unwrap_or(&empty);
    let doc_names: BTreeSet<&str> = params.keys().map(String::as_str).collect();
    let spec_names: BTreeSet<&str> = spec.params.iter().map(|p| p.name).collect();
    assert_eq!(spec_names, doc_names, "{id}: parameter names");
    assert_eq!(
        spec_names.len(),
        spec.params.len(),
        "{id}: duplicate parameters"
    );
    for p in spec.params {
        check_param(id, p.name, &params[p.name], p);
    }
    // Every path placeholder is a path parameter and the other way round.
    let placeholders: BTreeSet<&str> = spec
        .path
        .split('{')
        .skip(1)
        .map(|s| s.split('}').next().unwrap())
        .collect();
    let path_params: BTreeSet<&str> = spec
        .params
        .iter()
        .filter(|p| p.location == Location::Path)
        .map(|p| p.name)
        .collect();
    assert_eq!(placeholders, path_params, "{id}: path placeholders");
}

#[test]
fn table_agrees_with_discovery_document() {
    let (path, doc) = load();
    let mut methods = Vec::new();
    collect(&doc["resources"], &mut methods);
    assert_eq!(methods.len(), 38, "{}: method count", path.display());

    let doc_ids: BTreeSet<String> = methods
        .iter()
        .map(|m| {
            m["id"]
                .as_str()
                .unwrap()
                .strip_prefix("calendar.")
                .unwrap()
                .to_string()
        })
        .collect();
    let table_ids: BTreeSet<String> = METHODS.iter().map(|m| m.id.to_string()).collect();
    assert_eq!(table_ids, doc_ids, "method ids");
    assert_eq!(METHODS.len(), methods.len(), "duplicate ids in the table");

    for m in &methods {
        let full = m["id"].as_str().unwrap();
        let spec = qorus_gcal::calendar::lookup(full).expect("lookup by the full id");
        check_method(&doc, m, spec);
    }

    for p in STANDARD_PARAMS {
        let d = &doc["parameters"][p.name];
        assert!(
            d.is_object(),
            "standard parameter {} is not in the document",
            p.name
        );
        check_param("standard", p.name, d, p);
    }
    println!(
        "checked {} methods against {}",
        methods.len(),
        path.display()
    );
}

#[test]
fn generator_output_matches_committed_table() {
    support::assert_generated_file_fresh(
        "src/calendar/gen_methods.py",
        "src/calendar/methods_table.rs",
    );
}
