//! events.get/insert/import/quickAdd/patch/update/delete/move and their validation.

#[path = "calendar_helpers.rs"]
mod helpers;

use helpers::*;
use serde_json::{Value, json};

#[test]
fn insert_answers_the_full_resource() {
    let mut e = Emu::new();
    let ev = e.insert(json!({
        "summary": "Standup", "description": "daily", "location": "Room 1",
        "start": {"dateTime": "2026-01-05T10:00:00+01:00"},
        "end": {"dateTime": "2026-01-05T10:15:00+01:00"},
        "attendees": [{"email": "bob@example.com"}],
        "extendedProperties": {"private": {"k": "v"}},
    }));
    assert_eq!(ev["kind"], "calendar#event");
    let id = ev["id"].as_str().unwrap();
    assert!(id.len() >= 5 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'v')));
    assert_eq!(ev["status"], "confirmed");
    assert_eq!(ev["iCalUID"], format!("{id}@google.com"));
    assert_eq!(ev["sequence"], 0);
    assert_eq!(ev["eventType"], "default");
    assert_eq!(ev["reminders"], json!({"useDefault": true}));
    assert_eq!(ev["creator"], json!({"email": USER, "self": true}));
    assert_eq!(ev["organizer"], json!({"email": USER, "self": true}));
    assert_eq!(ev["created"], "2026-01-01T00:00:00.000Z");
    assert_eq!(ev["updated"], "2026-01-01T00:00:00.000Z");
    assert!(ev["htmlLink"].as_str().unwrap().starts_with("https://"));
    assert!(ev["etag"].as_str().unwrap().starts_with('"'));
    assert_eq!(ev["attendees"][0]["email"], "bob@example.com");
    assert_eq!(ev["attendees"][0]["responseStatus"], "needsAction");
    assert_eq!(ev["extendedProperties"]["private"]["k"], "v");
    let got = e.get(&format!("/calendars/primary/events/{id}"));
    assert_eq!(got.status, 200);
    assert_eq!(
        got.headers[0],
        ("ETag".to_string(), ev["etag"].as_str().unwrap().to_string())
    );
    assert_eq!(got.body.unwrap(), ev);
}

#[test]
fn client_values_for_defaults_stay_and_server_fields_are_replaced() {
    let mut e = Emu::new();
    let ev = e.insert(json!({
        "id": "abc12345", "summary": "s", "status": "tentative", "sequence": 3,
        "eventType": "default", "reminders": {"useDefault": false},
        "kind": "x", "etag": "x", "htmlLink": "x", "created": "x", "updated": "x",
        "creator": {"email": "x@y"}, "organizer": {"email": "x@y"}, "iCalUID": "u@x",
        "recurringEventId": "r", "location": null,
        "start": {"dateTime": "2026-01-05T10:00:00Z"},
        "end": {"dateTime": "2026-01-05T11:00:00Z"},
    }));
    let etag = ev["etag"].clone();
    assert_eq!(
        ev,
        json!({
            "kind": "calendar#event", "etag": etag, "id": "abc12345", "status": "tentative",
            "htmlLink": "https://www.google.com/calendar/event?eid=YWJjMTIzNDUgdXNlckBleGFtcGxlLmNvbQ",
            "created": "2026-01-01T00:00:00.000Z", "updated": "2026-01-01T00:00:00.000Z",
            "summary": "s", "creator": {"email": USER, "self": true},
            "organizer": {"email": USER, "self": true},
            "start": {"dateTime": "2026-01-05T10:00:00Z"},
            "end": {"dateTime": "2026-01-05T11:00:00Z"},
            "iCalUID": "u@x", "sequence": 3, "reminders": {"useDefault": false},
            "eventType": "default",
        })
    );
}

#[test]
fn all_day_dates_are_never_shifted() {
    let mut e = Emu::new();
    let ev = e.insert(json!({"summary": "Holiday",
        "start": {"date": "2026-03-01"}, "end": {"date": "2026-03-02"}}));
    assert_eq!(ev["start"], json!({"date": "2026-03-01"}));
    assert_eq!(ev["end"], json!({"date": "2026-03-02"}));
    let (items, _) = e.list_all(
        "/calendars/primary/events",
        &[
            ("timeMin", "2026-03-01T00:00:00-10:00"),
            ("timeMax", "2026-03-01T23:00:00-10:00"),
        ],
    );
    assert_eq!(items[0]["start"]["date"], "2026-03-01");
}

#[test]
fn time_validation() {
    let mut e = Emu::new();
    let p = "/calendars/primary/events";
    let r = e.post(
        p,
        json!({"summary": "x", "start": {"dateTime": "2026-01-01T10:00:00Z"}}),
    );
    expect_err(&r, 400, "required");
    assert_eq!(r.body.unwrap()["error"]["message"], "Missing end time.");
    expect_err(
        &e.post(p, json!({"end": {"date": "2026-01-01"}})),
        400,
        "required",
    );
    let r = e.post(
        p,
        timed("x", "2026-01-01T10:00:00Z", "2026-01-01T09:00:00Z"),
    );
    expect_err(&r, 400, "timeRangeEmpty");
    let r = e.post(
        p,
        json!({"start": {"date": "2026-01-02"}, "end": {"date": "2026-01-01"}}),
    );
    expect_err(&r, 400, "timeRangeEmpty");
    let r = e.post(p, timed("x", "2026-01-01T10:00:00", "2026-01-01T11:00:00"));
    expect_err(&r, 400, "invalid");
    let r = e.post(p, timed("x", "tomorrow", "2026-01-01T11:00:00Z"));
    expect_err(&r, 400, "invalid");
    // A wall-clock time with a timeZone is fine.
    let r = e.post(
        p,
        json!({
        "start": {"dateTime": "2026-07-01T10:00:00", "timeZone": "Europe/Berlin"},
        "end": {"dateTime": "2026-07-01T11:00:00", "timeZone": "Europe/Berlin"}}),
    );
    assert_eq!(r.status, 200, "{:?}", r.body);
    let ev = r.body.unwrap();
    assert_eq!(ev["start"]["dateTime"], "2026-07-01T10:00:00+02:00");
    assert_eq!(ev["start"]["timeZone"], "Europe/Berlin");
    let r = e.post(
        p,
        json!({
        "start": {"dateTime": "2026-07-01T10:00:00", "timeZone": "Mars/Olympus"},
        "end": {"dateTime": "2026-07-01T11:00:00", "timeZone": "Mars/Olympus"}}),
    );
    expect_err(&r, 400, "invalid");
    // Recurring events need a time zone.
    let mut body = timed("x", "2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z");
    body["recurrence"] = json!(["RRULE:FREQ=DAILY;COUNT=3"]);
    let r = e.post(p, body);
    expect_err(&r, 400, "invalid");
    assert_eq!(
        r.body.unwrap()["error"]["message"],
        "Missing time zone definition for start time."
    );
    let mut body = json!({"start": {"dateTime": "2026-01-01T10:00:00Z", "timeZone": "UTC"},
        "end": {"dateTime": "2026-01-01T11:00:00Z", "timeZone": "UTC"}});
    body["recurrence"] = json!(["RRULE:FREQ=SOMETIMES"]);
    expect_err(&e.post(p, body), 400, "invalid");
}

#[test]
fn client_chosen_ids() {
    let mut e = Emu::new();
    let p = "/calendars/primary/events";
    let mut body = timed("x", "2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z");
    for bad in [
        "abc",
        "UPPERCASE1",
        "has-dash1",
        "wxyz12345",
        &"a".repeat(1025),
    ] {
        body["id"] = json!(bad);
        expect_err(&e.post(p, body.clone()), 400, "invalid");
    }
    body["id"] = json!("abcde01234");
    let ev = e.insert(body.clone());
    assert_eq!(ev["id"], "abcde01234");
    let r = e.post(p, body.clone());
    expect_err(&r, 409, "duplicate");
    assert_eq!(
        r.body.unwrap()["error"]["message"],
        "The requested identifier already exists."
    );
    // Still a duplicate after deletion (the tombstone keeps the id).
    assert_eq!(
        e.req("DELETE", "/calendars/primary/events/abcde01234")
            .send()
            .status,
        204
    );
    expect_err(&e.post(p, body), 409, "duplicate");
}

#[test]
fn patch_merges_and_update_replaces() {
    let mut e = Emu::new();
    let mut body = timed("Orig", "2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z");
    body["description"] = json!("desc");
    body["extendedProperties"] = json!({"private": {"a": "1", "b": "2"}});
    let ev = e.insert(body);
    let path = format!("/calendars/primary/events/{}", ev["id"].as_str().unwrap());
    e.now = at(60);
    let r = e
        .req("PATCH", &path)
        .json(json!({"summary": "Patched", "extendedProperties": {"private": {"b": "3"}}}))
        .send();
    assert_eq!(r.status, 200);
    let p = r.body.unwrap();
    assert_eq!(p["summary"], "Patched");
    assert_eq!(p["description"], "desc");
    assert_eq!(
        p["extendedProperties"]["private"],
        json!({"a": "1", "b": "3"})
    );
    assert_eq!(p["created"], ev["created"]);
    assert_eq!(p["updated"], "2026-01-01T00:01:00.000Z");
    assert_ne!(p["etag"], ev["etag"]);
    let r = e
        .req("PUT", &path)
        .json(timed(
            "Updated",
            "2026-01-02T10:00:00Z",
            "2026-01-02T11:00:00Z",
        ))
        .send();
    assert_eq!(r.status, 200);
    let u = r.body.unwrap();
    assert_eq!(u["summary"], "Updated");
    assert!(u.get("description").is_none());
    assert_eq!(u["id"], ev["id"]);
    assert_eq!(u["iCalUID"], ev["iCalUID"]);
    // update needs the times again
    let r = e
        .req("PUT", &path)
        .json(json!({"summary": "no times"}))
        .send();
    expect_err(&r, 400, "required");
    let r = e
        .req("PATCH", "/calendars/primary/events/nosuch1")
        .json(json!({}))
        .send();
    expect_err(&r, 404, "notFound");
}

#[test]
fn etag_preconditions() {
    let mut e = Emu::new();
    let ev = e.insert(timed("x", "2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z"));
    let path = format!("/calendars/primary/events/{}", ev["id"].as_str().unwrap());
    let etag = ev["etag"].as_str().unwrap().to_string();
    let r = e.req("GET", &path).if_none_match(&etag).send();
    assert_eq!(r.status, 304);
    assert!(r.body.is_none());
    assert_eq!(
        e.req("GET", &path).if_none_match("\"1\"").send().status,
        200
    );
    let r = e
        .req("PATCH", &path)
        .if_match("\"12345\"")
        .json(json!({"summary": "y"}))
        .send();
    expect_err(&r, 412, "conditionNotMet");
    assert_eq!(r.body.unwrap()["error"]["message"], "Precondition Failed");
    let r = e
        .req("PATCH", &path)
        .if_match(&etag)
        .json(json!({"summary": "y"}))
        .send();
    assert_eq!(r.status, 200);
    // The old etag is now stale for update and delete.
    let r = e
        .req("PUT", &path)
        .if_match(&etag)
        .json(timed("z", "2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z"))
        .send();
    expect_err(&r, 412, "conditionNotMet");
    expect_err(
        &e.req("DELETE", &path).if_match(&etag).send(),
        412,
        "conditionNotMet",
    );
    assert_eq!(e.req("DELETE", &path).if_match("*").send().status, 204);
    // Other resources carry etags too.
    let cal = e.get("/calendars/primary").body.unwrap();
    let r = e
        .req("GET", "/calendars/primary")
        .if_none_match(cal["etag"].as_str().unwrap())
        .send();
    assert_eq!(r.status, 304);
}

#[test]
fn delete_keeps_a_tombstone() {
    let mut e = Emu::new();
    let ev = e.insert(timed("x", "2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z"));
    let path = format!("/calendars/primary/events/{}", ev["id"].as_str().unwrap());
    let r = e.req("DELETE", &path).send();
    assert_eq!(r.status, 204);
    assert!(r.body.is_none());
    assert_eq!(e.get(&path).body.unwrap()["status"], "cancelled");
    expect_err(&e.req("DELETE", &path).send(), 410, "deleted");
    let (items, _) = e.list_all("/calendars/primary/events", &[]);
    assert!(items.is_empty());
    let (items, _) = e.list_all("/calendars/primary/events", &[("showDeleted", "true")]);
    assert_eq!(items[0]["status"], "cancelled");
    expect_err(
        &e.req("DELETE", "/calendars/primary/events/nosuch1").send(),
        404,
        "notFound",
    );
}

#[test]
fn import_is_keyed_by_ical_uid() {
    let mut e = Emu::new();
    let p = "/calendars/primary/events/import";
    let body = json!({"summary": "Imported", "iCalUID": "abc-123@example.org",
        "organizer": {"email": "someone@example.org"},
        "start": {"date": "2026-02-01"}, "end": {"date": "2026-02-02"}});
    let r = e.post(p, body.clone());
    assert_eq!(r.status, 200, "{:?}", r.body);
    let a = r.body.unwrap();
    assert_eq!(a["iCalUID"], "abc-123@example.org");
    assert_eq!(a["organizer"]["email"], "someone@example.org");
    let mut again = body.clone();
    again["summary"] = json!("Imported twice");
    let b = e.post(p, again).body.unwrap();
    assert_eq!(b["id"], a["id"]);
    assert_eq!(b["summary"], "Imported twice");
    let (items, _) = e.list_all(
        "/calendars/primary/events",
        &[("iCalUID", "abc-123@example.org")],
    );
    assert_eq!(items.len(), 1);
    let mut no_uid = body;
    no_uid.as_object_mut().unwrap().remove("iCalUID");
    expect_err(&e.post(p, no_uid), 400, "required");
}

#[test]
fn quick_add_parses_simple_text() {
    let mut e = Emu::new();
    e.now = at(3600 * 5 + 1200); // 05:20
    let r = e
        .req("POST", "/calendars/primary/events/quickAdd")
        .q("text", "Lunch with Bob tomorrow at 1pm")
        .send();
    assert_eq!(r.status, 200);
    let ev = r.body.unwrap();
    assert_eq!(ev["summary"], "Lunch with Bob");
    assert_eq!(ev["start"]["dateTime"], "2026-01-02T13:00:00+00:00");
    assert_eq!(ev["end"]["dateTime"], "2026-01-02T14:00:00+00:00");
    let ev = e
        .req("POST", "/calendars/primary/events/quickAdd")
        .q("text", "Call the bank")
        .send()
        .body
        .unwrap();
    assert_eq!(ev["summary"], "Call the bank");
    assert_eq!(ev["start"]["dateTime"], "2026-01-01T06:00:00+00:00");
}

#[test]
fn move_between_calendars() {
    let mut e = Emu::new();
    let cal = e
        .post("/calendars", json!({"summary": "Team"}))
        .body
        .unwrap();
    let cal_id = cal["id"].as_str().unwrap().to_string();
    let ev = e.insert(timed("x", "2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z"));
    let id = ev["id"].as_str().unwrap();
    let r = e
        .req("POST", &format!("/calendars/primary/events/{id}/move"))
        .q("destination", &cal_id)
        .send();
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body.unwrap()["organizer"]["email"], cal_id.as_str());
    let moved = e.get(&format!("/calendars/{}/events/{id}", enc(&cal_id)));
    assert_eq!(moved.body.unwrap()["summary"], "x");
    assert_eq!(
        e.get(&format!("/calendars/primary/events/{id}"))
            .body
            .unwrap()["status"],
        "cancelled"
    );
    let r = e
        .req("POST", &format!("/calendars/primary/events/{id}/move"))
        .q("destination", &cal_id)
        .send();
    expect_err(&r, 404, "notFound");
    let r = e
        .req(
            "POST",
            &format!("/calendars/{}/events/{id}/move", enc(&cal_id)),
        )
        .q("destination", "nobody@example.com")
        .send();
    expect_err(&r, 404, "notFound");
}

#[test]
fn field_validation() {
    let mut e = Emu::new();
    let p = "/calendars/primary/events";
    let base = timed("x", "2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z");
    let with = |k: &str, v: serde_json::Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    expect_err(&e.post(p, with("status", json!("maybe"))), 400, "invalid");
    expect_err(
        &e.post(p, with("transparency", json!("foggy"))),
        400,
        "invalid",
    );
    expect_err(
        &e.post(p, with("visibility", json!("secret"))),
        400,
        "invalid",
    );
    expect_err(&e.post(p, with("colorId", json!("12"))), 400, "invalid");
    expect_err(
        &e.post(p, with("attendees", json!([{"displayName": "x"}]))),
        400,
        "required",
    );
    let r = e.post(
        p,
        with(
            "reminders",
            json!({"useDefault": true, "overrides": [{"method": "popup", "minutes": 5}]}),
        ),
    );
    expect_err(&r, 400, "cannotUseDefaultRemindersAndSpecifyOverride");
    let r = e.post(
        p,
        with(
            "reminders",
            json!({"useDefault": false, "overrides": [{"method": "sms", "minutes": 5}]}),
        ),
    );
    expect_err(&r, 400, "invalid");
    let ok = with(
        "reminders",
        json!({"useDefault": false, "overrides": [{"method": "popup", "minutes": 5}]}),
    );
    let ev = e.insert(ok);
    assert_eq!(ev["reminders"]["overrides"][0]["minutes"], 5);
    let ev = e.insert(with("colorId", json!("11")));
    assert_eq!(ev["colorId"], "11");
}

/// events.insert answers the first failing check: the calendar, then the id, then the event's
/// fields (made before the calendars lock, reported in this order all the same).
#[test]
fn insert_checks_calendar_then_id_then_fields() {
    let mut e = Emu::new();
    let good = timed("x", "2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z");
    let mut first = good.clone();
    first["id"] = json!("taken1");
    e.insert(first);
    let empty_range = |id: Value| {
        json!({"id": id, "start": {"dateTime": "2026-01-01T10:00:00Z"},
               "end": {"dateTime": "2026-01-01T09:00:00Z"}})
    };
    let r = e.post(
        "/calendars/nobody%40example.com/events",
        empty_range(json!("x")),
    );
    expect_err(&r, 404, "notFound");
    let r = e.post("/calendars/primary/events", empty_range(json!("BAD!")));
    expect_err(&r, 400, "invalid");
    let r = e.post("/calendars/primary/events", empty_range(json!("taken1")));
    expect_err(&r, 409, "duplicate");
    let r = e.post("/calendars/primary/events", empty_range(json!("fresh1")));
    expect_err(&r, 400, "timeRangeEmpty");
    let r = e.post("/calendars/primary/events", empty_range(Value::Null));
    expect_err(&r, 400, "timeRangeEmpty");
    let mut with_id = good;
    with_id["id"] = json!("fresh1");
    let r = e.post("/calendars/primary/events", with_id);
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body.unwrap()["id"], "fresh1");
}
