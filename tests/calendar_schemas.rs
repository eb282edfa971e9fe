//! The embedded schema data (`src/calendar/schemas_data.json`) must agree with Google's discovery document
//! (when it is present) and with what `gen_schemas.py` makes of it; the resolved method descriptions behind
//! `qgcal_method_schema` must carry the document's names, types, descriptions and required flags.

mod support;

use std::path::PathBuf;

use qorus_gcal::calendar::methods::METHODS;
use qorus_gcal::calendar::schemas::method_schema_json;
use serde_json::Value;

fn load(path: &PathBuf) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("JSON")
}

fn committed() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/calendar/schemas_data.json");
    load(&path)
}

fn doc_method<'a>(doc: &'a Value, id: &str) -> &'a Value {
    let (resource, method) = id.rsplit_once('.').unwrap();
    let mut node = &doc["resources"];
    let mut parts = resource.split('.').peekable();
    while let Some(p) = parts.next() {
        node = &node[p];
        if parts.peek().is_some() {
            node = &node["resources"];
        }
    }
    &node["methods"][method]
}

/// Every key the document gives a schema node must be in the data with the same value (recursively for
/// properties, items and additionalProperties).
fn check_node(ctx: &str, doc: &Value, data: &Value) {
    for key in [
        "type",
        "format",
        "description",
        "$ref",
        "annotations",
        "default",
        "enum",
        "enumDescriptions",
        "readOnly",
    ] {
        assert_eq!(doc.get(key), data.get(key), "{ctx}: {key}");
    }
    if let Some(props) = doc["properties"].as_object() {
        let data_props = data["properties"].as_object().expect("properties kept");
        assert_eq!(props.len(), data_props.len(), "{ctx}: property count");
        for (k, v) in props {
            check_node(&format!("{ctx}.{k}"), v, &data_props[k]);
        }
    }
    for key in ["items", "additionalProperties"] {
        if doc[key].is_object() {
            check_node(&format!("{ctx}[{key}]"), &doc[key], &data[key]);
        }
    }
}

#[test]
fn data_agrees_with_discovery_document() {
    let path = support::discovery_path();
    let doc = load(&path);
    let data = committed();
    assert_eq!(data["revision"], doc["revision"]);
    assert_eq!(data["methods"].as_object().unwrap().len(), METHODS.len());
    for m in METHODS {
        let dm = doc_method(&doc, m.id);
        let entry = &data["methods"][m.id];
        assert_eq!(entry["description"], dm["description"], "{}", m.id);
        assert_eq!(entry["request"], dm["request"]["$ref"], "{}: request", m.id);
        assert_eq!(
            entry["response"], dm["response"]["$ref"],
            "{}: response",
            m.id
        );
        let params = dm["parameters"].as_object().cloned().unwrap_or_default();
        assert_eq!(
            entry["parameters"].as_object().map_or(0, |p| p.len()),
            params.len(),
            "{}",
            m.id
        );
        for (name, p) in &params {
            for key in [
                "type",
                "format",
                "location",
                "required",
                "description",
                "enum",
            ] {
                assert_eq!(
                    entry["parameters"][name].get(key),
                    p.get(key),
                    "{} {name} {key}",
                    m.id
                );
            }
        }
    }
    let schemas = doc["schemas"].as_object().unwrap();
    assert_eq!(schemas.len(), data["schemas"].as_object().unwrap().len());
    for (name, s) in schemas {
        check_node(name, s, &data["schemas"][name]);
    }
    println!(
        "checked {} methods and {} schemas",
        METHODS.len(),
        schemas.len()
    );
}

/// The resolved request body of a method against the document's schema: every property present with its type
/// and description, and `required` exactly where the document's annotations name this method.
fn check_resolved(ctx: &str, doc: &Value, schema: &Value, node: &Value, method: &str) {
    let props = schema["properties"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    for (k, p) in &props {
        let ctx = format!("{ctx}.{k}");
        let n = &node["properties"][k];
        assert!(n.is_object(), "{ctx}: missing");
        let wanted = p["annotations"]["required"]
            .as_array()
            .is_some_and(|a| a.iter().any(|v| v == &format!("calendar.{method}")));
        assert_eq!(n["required"] == true, wanted, "{ctx}: required");
        assert_eq!(
            n.get("description"),
            p.get("description"),
            "{ctx}: description"
        );
        if let Some(r) = p["$ref"].as_str() {
            assert_eq!(n["ref"], r, "{ctx}: ref");
            check_resolved(&ctx, doc, &doc["schemas"][r], n, method);
        } else {
            assert_eq!(n["type"], p["type"], "{ctx}: type");
            assert_eq!(n.get("format"), p.get("format"), "{ctx}: format");
            if p["properties"].is_object() {
                check_resolved(&ctx, doc, p, n, method);
            }
        }
    }
}

#[test]
fn resolved_schemas_carry_the_documents_facts() {
    let path = support::discovery_path();
    let doc = load(&path);
    for m in METHODS {
        let v: Value = serde_json::from_str(&method_schema_json(m.id).unwrap()).unwrap();
        let dm = doc_method(&doc, m.id);
        let order: Vec<&Value> = dm["parameterOrder"]
            .as_array()
            .map(|a| a.iter().collect())
            .unwrap_or_default();
        let names: Vec<&Value> = v["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| &p["name"])
            .collect();
        assert_eq!(
            &names[..order.len()],
            &order[..],
            "{}: parameterOrder first",
            m.id
        );
        for p in v["parameters"].as_array().unwrap() {
            let dp = &dm["parameters"][p["name"].as_str().unwrap()];
            assert_eq!(p["description"], dp["description"], "{}", m.id);
            assert_eq!(p["required"], dp["required"] == true, "{}", m.id);
            assert_eq!(p["location"], dp["location"], "{}", m.id);
        }
        if let Some(r) = dm["request"]["$ref"].as_str() {
            assert_eq!(v["request"]["ref"], r);
            check_resolved(m.id, &doc, &doc["schemas"][r], &v["request"], m.id);
        } else {
            assert!(v["request"].is_null(), "{}", m.id);
        }
        match dm["response"]["$ref"].as_str() {
            Some(r) => assert_eq!(v["response"]["ref"], r),
            None => assert!(v["response"].is_null(), "{}", m.id),
        }
    }
}

#[test]
fn generator_output_matches_committed_data() {
    support::assert_generated_file_fresh(
        "src/calendar/gen_schemas.py",
        "src/calendar/schemas_data.json",
    );
}
