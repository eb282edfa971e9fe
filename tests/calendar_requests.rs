//! Request preparation over the whole method table, through the public API only: every method builds
//! the right request from valid input and refuses bad input before any network traffic.

use qorus_gcal::ErrorKind;
use qorus_gcal::calendar::methods::METHODS;
use qorus_gcal::calendar::writes::Repeat;
use qorus_gcal::calendar::{Location, MethodSpec, ParamType, methods_json, prepare};
use qorus_gcal::http::multipart::{BatchPart, decode_batch_response, encode_batch};
use qorus_gcal::http::retry::new_event_id;
use serde_json::{Map, Value, json};
use url::Url;

const AWKWARD_ID: &str = "team#1@group.calendar.google.com/x y";
const AWKWARD_ENCODED: &str = "team%231%40group.calendar.google.com%2Fx%20y";

fn base() -> Url {
    Url::parse("http://127.0.0.1:9/calendar/v3/").unwrap()
}

fn sample(ty: ParamType) -> Value {
    match ty {
        ParamType::String => json!(AWKWARD_ID),
        ParamType::DateTime => json!("2026-03-01T10:00:00+01:00"),
        ParamType::Integer => json!(1),
        ParamType::Boolean => json!(true),
    }
}

fn required_params(m: &MethodSpec) -> Map<String, Value> {
    m.params
        .iter()
        .filter(|p| p.required)
        .map(|p| (p.name.to_string(), sample(p.ty)))
        .collect()
}

fn body_for(m: &MethodSpec) -> Option<Value> {
    m.has_body.then(|| json!({"summary": "x"}))
}

#[test]
fn every_method_builds_its_request() {
    for m in METHODS {
        let params = Value::Object(required_params(m));
        let body = body_for(m);
        let r = prepare(m.id, &params, body.as_ref(), &base())
            .unwrap_or_else(|e| panic!("{}: {e}", m.id));
        assert_eq!(r.method_id, m.id);
        assert_eq!(r.http_method.as_str(), m.http_method, "{}", m.id);
        let expected_path = format!(
            "/calendar/v3/{}",
            m.path
                .split('/')
                .map(|seg| if seg.starts_with('{') {
                    AWKWARD_ENCODED
                } else {
                    seg
                })
                .collect::<Vec<_>>()
                .join("/")
        );
        assert_eq!(r.url.path(), expected_path, "{}", m.id);
        // Required query parameters travel in the query string, nothing else does.
        let query: Vec<(String, String)> = r.url.query_pairs().into_owned().collect();
        let expected: Vec<(String, String)> = m
            .params
            .iter()
            .filter(|p| p.required && p.location == Location::Query)
            .map(|p| {
                let v = match sample(p.ty) {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                (p.name.to_string(), v)
            })
            .collect();
        assert_eq!(query, expected, "{}", m.id);
        assert_eq!(r.body.is_some(), m.has_body, "{}", m.id);
        // The calendar. prefix is accepted too.
        let full = prepare(
            &format!("calendar.{}", m.id),
            &params,
            body.as_ref(),
            &base(),
        )
        .unwrap();
        assert_eq!(full.url, r.url);
    }
}

#[test]
fn every_missing_required_parameter_is_named() {
    for m in METHODS {
        for p in m.params.iter().filter(|p| p.required) {
            let mut params = required_params(m);
            params.remove(p.name);
            let e =
                prepare(m.id, &Value::Object(params), body_for(m).as_ref(), &base()).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{} {}", m.id, p.name);
            assert!(e.message().contains(p.name), "{}: {e}", m.id);
        }
    }
}

#[test]
fn every_method_rejects_unknown_parameters_and_wrong_bodies() {
    for m in METHODS {
        let mut params = required_params(m);
        params.insert("bogusParam".into(), json!("x"));
        let e = prepare(m.id, &Value::Object(params), body_for(m).as_ref(), &base()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert!(
            e.message().contains("bogusParam") && e.message().contains(m.id),
            "{e}"
        );

        let params = Value::Object(required_params(m));
        let wrong_body = if m.has_body { None } else { Some(json!({})) };
        let e = prepare(m.id, &params, wrong_body.as_ref(), &base()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{}: {e}", m.id);
        if m.has_body {
            let e = prepare(m.id, &params, Some(&json!("text")), &base()).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{}: {e}", m.id);
        }
    }
}

#[test]
fn every_typed_parameter_rejects_the_wrong_type() {
    for m in METHODS {
        for p in m.params {
            let wrong = match p.ty {
                ParamType::String | ParamType::DateTime => json!(12),
                ParamType::Integer => json!("twelve"),
                ParamType::Boolean => json!("maybe"),
            };
            let mut params = required_params(m);
            params.insert(p.name.into(), wrong);
            let e =
                prepare(m.id, &Value::Object(params), body_for(m).as_ref(), &base()).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{} {}", m.id, p.name);
            assert!(
                e.message().contains(&format!("'{}'", p.name)),
                "{}: {e}",
                m.id
            );
        }
    }
}

#[test]
fn unknown_methods() {
    for name in [
        "",
        "events",
        "calendar.",
        "events.list.x",
        "Events.List",
        "calendar.calendar.events.list",
    ] {
        let e = prepare(name, &json!({}), None, &base()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnknownMethod, "{name:?}");
    }
}

#[test]
fn methods_json_matches_the_table() {
    let list: Vec<Value> = serde_json::from_str(&methods_json()).unwrap();
    assert_eq!(list.len(), METHODS.len());
    for (j, m) in list.iter().zip(METHODS) {
        assert_eq!(j["id"], m.id);
        assert_eq!(j["http_method"], m.http_method);
        assert_eq!(j["path"], m.path);
        assert_eq!(j["body"], m.has_body);
        assert_eq!(j["paging"], m.paging);
        assert_eq!(j["sync"], m.sync);
        let n = j["required"].as_array().unwrap().len() + j["optional"].as_array().unwrap().len();
        assert_eq!(n, m.params.len());
    }
    let sync: Vec<&str> = METHODS.iter().filter(|m| m.sync).map(|m| m.id).collect();
    assert_eq!(
        sync,
        [
            "acl.list",
            "calendarList.list",
            "events.list",
            "settings.list"
        ]
    );
}

#[test]
fn batch_of_prepared_requests() {
    let insert = prepare(
        "events.insert",
        &json!({"calendarId": "a@b.c"}),
        Some(&json!({"id": new_event_id(), "summary": "s"})),
        &base(),
    )
    .unwrap();
    let get = prepare(
        "events.get",
        &json!({"calendarId": "a@b.c", "eventId": "e#1"}),
        None,
        &base(),
    )
    .unwrap();
    assert!(Repeat::of(insert.method_id, insert.http_method.as_str(), true).repeatable());
    assert!(!Repeat::of(insert.method_id, insert.http_method.as_str(), false).repeatable());
    let parts: Vec<BatchPart> = [&insert, &get]
        .iter()
        .enumerate()
        .map(|(i, r)| BatchPart {
            content_id: format!("item{i}"),
            method: r.http_method.as_str(),
            path_and_query: r.path_and_query(),
            headers: vec![],
            body: r.body.as_deref(),
        })
        .collect();
    let text = String::from_utf8(encode_batch(&parts, "batch_t")).unwrap();
    assert!(
        text.contains("POST /calendar/v3/calendars/a%40b.c/events?prettyPrint=false HTTP/1.1\r\n")
    );
    assert!(text.contains(
        "GET /calendar/v3/calendars/a%40b.c/events/e%231?prettyPrint=false HTTP/1.1\r\n"
    ));
    assert!(text.ends_with("--batch_t--\r\n"));

    let answer: &'static str = "--batch_r\r\nContent-Type: application/http\r\nContent-ID: <response-item1>\r\n\r\n\
                  HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n\r\n{\"error\":{\"code\":404}}\r\n\
                  --batch_r\r\nContent-Type: application/http\r\nContent-ID: <response-item0>\r\n\r\n\
                  HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"id\":\"x\"}\r\n--batch_r--\r\n";
    let parts = decode_batch_response("multipart/mixed; boundary=batch_r", &answer.into()).unwrap();
    let ids: Vec<_> = parts
        .iter()
        .map(|p| (p.content_id.as_deref().unwrap(), p.status))
        .collect();
    assert_eq!(ids, [("item1", 404), ("item0", 200)]);
}
