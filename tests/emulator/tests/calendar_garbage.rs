//! Garbage to every method must give a 4xx answer in Google's shape, never a panic.

#[path = "calendar_helpers.rs"]
mod helpers;

use gcal_emulator::calendar::DISCOVERY_JSON;
use helpers::*;
use serde_json::{Value, json};

fn bodies() -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"{".to_vec(),
        b"null".to_vec(),
        b"\"text\"".to_vec(),
        b"\xff\xfe\x00".to_vec(),
        "[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]"
            .as_bytes()
            .to_vec(),
    ];
    let weird = [
        json!(null),
        json!(5),
        json!("é日本"),
        json!([1, "x"]),
        json!({"a": {"b": []}}),
        json!(-99999999999i64),
        json!(1e300),
        json!(""),
    ];
    let fields = [
        "id",
        "summary",
        "start",
        "end",
        "recurrence",
        "attendees",
        "reminders",
        "role",
        "scope",
        "timeZone",
        "type",
        "address",
        "expiration",
        "params",
        "timeMin",
        "timeMax",
        "items",
        "colorId",
        "iCalUID",
        "status",
        "extendedProperties",
        "resourceId",
    ];
    for f in fields {
        for w in &weird {
            out.push(serde_json::to_vec(&json!({ f: w })).unwrap());
        }
    }
    for rule in [
        "RRULE:FREQ=DAILY;INTERVAL=999999999999",
        "RRULE:FREQ=WEEKLY;BYDAY=éx",
        "RRULE:FREQ=YEARLY;INTERVAL=1000;COUNT=4000000000",
        "RRULE:FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=2",
        "RRULE:FREQ=DAILY;UNTIL=9999",
        "EXDATE;TZID=Nowhere:20260101T000000",
        "RRULE",
    ] {
        out.push(
            serde_json::to_vec(&json!({"start": {"dateTime": "9999-12-31T23:00:00Z", "timeZone": "UTC"},
                "end": {"dateTime": "9999-12-31T23:30:00Z", "timeZone": "UTC"}, "recurrence": [rule]}))
            .unwrap(),
        );
        out.push(
            serde_json::to_vec(
                &json!({"start": {"date": "9999-12-30"}, "end": {"date": "9999-12-31"},
                "recurrence": [rule]}),
            )
            .unwrap(),
        );
    }
    out.push(
        serde_json::to_vec(
            &json!({"id": "c1", "type": "web_hook", "address": "https:/é/x",
            "params": {"ttl": "99999999999999999"}}),
        )
        .unwrap(),
    );
    out
}

fn queries() -> Vec<Vec<(&'static str, &'static str)>> {
    vec![
        vec![],
        vec![("maxResults", "99999999999999999999")],
        vec![("maxResults", "-1")],
        vec![("pageToken", "é")],
        vec![("pageToken", "cABfMQ")],
        vec![("syncToken", "%%%")],
        vec![
            ("timeMin", "9999-12-31T23:59:59Z"),
            ("singleEvents", "true"),
        ],
        vec![
            ("timeMin", "0000-01-01T00:00:00Z"),
            ("timeMax", "9999-12-31T23:59:59Z"),
        ],
        vec![
            ("originalStart", "x"),
            ("destination", "é"),
            ("text", "at 99:99pm"),
        ],
        vec![("privateExtendedProperty", "noequals")],
        vec![("newDataOwner", ""), ("useAdminAccess", "true")],
    ]
}

#[test]
fn garbage_never_panics() {
    let doc: Value = serde_json::from_str(DISCOVERY_JSON).unwrap();
    let mut e = Emu::new();
    // Some data for the routes to chew on, including a recurring event far in the future.
    let ev = e.insert(json!({"id": "garbage01", "summary": "g",
        "start": {"dateTime": "2026-01-01T10:00:00Z", "timeZone": "UTC"},
        "end": {"dateTime": "2026-01-01T11:00:00Z", "timeZone": "UTC"},
        "recurrence": ["RRULE:FREQ=DAILY"]}));
    assert_eq!(ev["id"], "garbage01");
    let bodies = bodies();
    let queries = queries();
    let mut calls = 0;
    for res in doc["resources"].as_object().unwrap().values() {
        for m in res["methods"].as_object().unwrap().values() {
            let method = m["httpMethod"].as_str().unwrap();
            for cal in ["primary", "%C3%A9%00", "x%40y"] {
                for ev in ["garbage01", "garbage01_20260102T100000Z", "%FF"] {
                    let path = format!(
                        "/{}",
                        m["path"]
                            .as_str()
                            .unwrap()
                            .replace("{calendarId}", cal)
                            .replace("{eventId}", ev)
                            .replace("{ruleId}", "user%3A")
                            .replace("{setting}", ev)
                    );
                    for (i, body) in bodies.iter().enumerate() {
                        let q = &queries[i % queries.len()];
                        let mut r = e.req(method, &path).raw(body);
                        for (k, v) in q {
                            r = r.q(k, v);
                        }
                        let resp = r.send();
                        calls += 1;
                        assert!(resp.status < 500, "{method} {path} {resp:?}");
                        if resp.status >= 400 {
                            let code = &resp.body.as_ref().unwrap()["error"]["code"];
                            assert_eq!(code, resp.status);
                        }
                    }
                }
            }
        }
    }
    assert!(calls > 10_000);
}
