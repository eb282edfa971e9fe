//! Discovery-driven behaviour: routing, parameter checks, scopes, error shape.

#[path = "calendar_helpers.rs"]
mod helpers;

use gcal_emulator::calendar::{Calendars, DISCOVERY_JSON};
use helpers::*;
use serde_json::{Value, json};

#[test]
fn embedded_discovery_equals_shared_copy() {
    let shared = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/google/calendar-v3-discovery.json"
    );
    match std::fs::read_to_string(shared) {
        Ok(text) => assert_eq!(
            text, DISCOVERY_JSON,
            "data/calendar-v3-discovery.json differs"
        ),
        Err(_) => println!("{shared} absent: comparison skipped"),
    }
    let doc: Value = serde_json::from_str(DISCOVERY_JSON).unwrap();
    assert_eq!(doc["id"], "calendar:v3");
}

/// Every method of the discovery document routes to its own id.
#[test]
fn all_38_methods_route() {
    let doc: Value = serde_json::from_str(DISCOVERY_JSON).unwrap();
    let mut seen = 0;
    for res in doc["resources"].as_object().unwrap().values() {
        for m in res["methods"].as_object().unwrap().values() {
            let path = m["path"]
                .as_str()
                .unwrap()
                .replace("{calendarId}", "a%40b.com")
                .replace("{eventId}", "abcde123")
                .replace("{ruleId}", "user%3Ax%40y")
                .replace("{setting}", "timezone");
            let id = m["id"].as_str().unwrap().strip_prefix("calendar.").unwrap();
            let got = Calendars::route(m["httpMethod"].as_str().unwrap(), &format!("/{path}"));
            assert_eq!(got, Some(id), "{path}");
            seen += 1;
        }
    }
    assert_eq!(seen, 38);
    assert_eq!(
        Calendars::route("GET", "/calendars/a%40b/events"),
        Some("events.list")
    );
    assert_eq!(
        Calendars::route("POST", "/calendars/a%40b/events/import"),
        Some("events.import")
    );
    assert_eq!(
        Calendars::route("GET", "/calendars/a%40b/events/import"),
        Some("events.get")
    );
    assert_eq!(Calendars::route("GET", "/nothing/here"), None);
    assert_eq!(Calendars::route("DELETE", "/colors"), None);
}

#[test]
fn unknown_route_is_404_in_google_shape() {
    let mut e = Emu::new();
    expect_err(&e.get("/no/such/thing"), 404, "notFound");
    expect_err(&e.req("DELETE", "/colors").send(), 404, "notFound");
}

#[test]
fn percent_encoded_ids_with_hash_and_at() {
    let mut e = Emu::new();
    let r = e.get(&format!("/calendars/{}", enc(USER)));
    assert_eq!(r.status, 200);
    assert_eq!(r.body.unwrap()["id"], USER);
    // A '#' in an id must be decoded, not treated as a fragment.
    expect_err(
        &e.get("/calendars/en.usa%23holiday%40group.v.calendar.google.com"),
        404,
        "notFound",
    );
}

#[test]
fn parameter_checks() {
    let mut e = Emu::new();
    let p = "/calendars/primary/events";
    let r = e.req("GET", p).q("maxResults", "ten").send();
    expect_err(&r, 400, "invalid");
    expect_err(&e.req("GET", p).q("maxResults", "0").send(), 400, "invalid");
    expect_err(
        &e.req("GET", p).q("showDeleted", "yes").send(),
        400,
        "invalid",
    );
    expect_err(
        &e.req("GET", p).q("timeMin", "2026-01-01T00:00:00").send(),
        400,
        "invalid",
    );
    expect_err(
        &e.req("GET", p).q("timeMin", "yesterday").send(),
        400,
        "invalid",
    );
    expect_err(
        &e.req("GET", p).q("orderBy", "summary").send(),
        400,
        "invalid",
    );
    expect_err(
        &e.req("GET", p).q("eventTypes", "party").send(),
        400,
        "invalid",
    );
    let r = e.req("GET", p).q("colour", "red").send();
    expect_err(&r, 400, "badRequest");
    assert!(
        r.body.unwrap()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("colour")
    );
    // Standard parameters are accepted and ignored.
    let r = e
        .req("GET", p)
        .q("alt", "json")
        .q("prettyPrint", "false")
        .q("fields", "items(id)")
        .q("quotaUser", "x")
        .q("key", "k")
        .q("access_token", "t")
        .send();
    assert_eq!(r.status, 200);
    // maxResults above the documented maximum is capped, not refused.
    assert_eq!(e.req("GET", p).q("maxResults", "100000").send().status, 200);
    assert_eq!(
        e.req("GET", "/users/me/calendarList")
            .q("maxResults", "999")
            .send()
            .status,
        200
    );
    // Required query parameters.
    let r = e.req("POST", "/calendars/primary/events/quickAdd").send();
    expect_err(&r, 400, "required");
    assert!(
        r.body.unwrap()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("text")
    );
    let r = e
        .req("POST", "/calendars/primary/events/abcdef/move")
        .send();
    expect_err(&r, 400, "required");
    // Minimum of conferenceDataVersion is 0, maximum 1.
    let body = timed("x", "2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z");
    let r = e
        .req("POST", p)
        .q("conferenceDataVersion", "2")
        .json(body)
        .send();
    expect_err(&r, 400, "invalid");
}

#[test]
fn order_by_start_time_needs_single_events() {
    let mut e = Emu::new();
    let p = "/calendars/primary/events";
    expect_err(
        &e.req("GET", p).q("orderBy", "startTime").send(),
        400,
        "badRequest",
    );
    let r = e
        .req("GET", p)
        .q("orderBy", "startTime")
        .q("singleEvents", "true")
        .send();
    assert_eq!(r.status, 200);
}

#[test]
fn sync_token_excludes_filters() {
    let mut e = Emu::new();
    let (_, last) = e.list_all("/calendars/primary/events", &[]);
    let tok = last["nextSyncToken"].as_str().unwrap().to_string();
    for (k, v) in [
        ("iCalUID", "x@google.com"),
        ("orderBy", "updated"),
        ("privateExtendedProperty", "a=b"),
        ("q", "x"),
        ("sharedExtendedProperty", "a=b"),
        ("timeMin", "2026-01-01T00:00:00Z"),
        ("timeMax", "2026-01-01T00:00:00Z"),
        ("updatedMin", "2026-01-01T00:00:00Z"),
    ] {
        let r = e
            .req("GET", "/calendars/primary/events")
            .q("syncToken", &tok)
            .q(k, v)
            .send();
        expect_err(&r, 400, "invalid");
    }
    let (_, last) = e.list_all("/users/me/calendarList", &[]);
    let tok = last["nextSyncToken"].as_str().unwrap().to_string();
    for (k, v) in [
        ("minAccessRole", "reader"),
        ("showOwnOrganizationOnly", "true"),
    ] {
        let r = e
            .req("GET", "/users/me/calendarList")
            .q("syncToken", &tok)
            .q(k, v)
            .send();
        expect_err(&r, 400, "invalid");
    }
}

#[test]
fn malformed_json_is_parse_error() {
    let mut e = Emu::new();
    let r = e
        .req("POST", "/calendars/primary/events")
        .raw(b"{not json")
        .send();
    expect_err(&r, 400, "parseError");
    let r = e.req("POST", "/calendars").raw(b"[1,2]").send();
    expect_err(&r, 400, "parseError");
}

#[test]
fn scopes_are_checked_per_method() {
    let mut e = Emu::new();
    let body = timed("x", "2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z");
    let r = e
        .req("POST", "/calendars/primary/events")
        .scopes(&[READONLY])
        .json(body.clone())
        .send();
    expect_err(&r, 403, "insufficientPermissions");
    assert_eq!(
        r.body.unwrap()["error"]["message"],
        "Request had insufficient authentication scopes."
    );
    let r = e
        .req("GET", "/calendars/primary/events")
        .scopes(&[READONLY])
        .send();
    assert_eq!(r.status, 200);
    let r = e
        .req("POST", "/calendars/primary/events")
        .scopes(&["https://www.googleapis.com/auth/calendar.events"])
        .json(body)
        .send();
    assert_eq!(r.status, 200);
    let r = e
        .req("GET", "/users/me/settings")
        .scopes(&["https://www.googleapis.com/auth/calendar.events"])
        .send();
    expect_err(&r, 403, "insufficientPermissions");
    let r = e.req("GET", "/colors").scopes(&[]).send();
    expect_err(&r, 403, "insufficientPermissions");
}

#[test]
fn error_body_shape() {
    let mut e = Emu::new();
    let r = e.get("/calendars/primary/events/nosuchevent");
    assert_eq!(r.status, 404);
    let b = r.body.unwrap();
    assert_eq!(
        b,
        json!({"error": {"code": 404, "message": "Not Found", "status": "NOT_FOUND",
            "errors": [{"domain": "global", "reason": "notFound", "message": "Not Found"}]}})
    );
}

/// A call failing several checks answers the first of them: scopes, then parameters, then the
/// body, and only then anything that needs the calendar (these checks run before the lock).
#[test]
fn checks_answer_in_order() {
    let mut e = Emu::new();
    let path = "/calendars/nobody%40example.com/events";
    let r = e
        .req("POST", path)
        .scopes(&[READONLY])
        .q("maxAttendees", "many")
        .raw(b"{not json")
        .send();
    expect_err(&r, 403, "insufficientPermissions");
    let r = e
        .req("POST", path)
        .q("maxAttendees", "many")
        .raw(b"{not json")
        .send();
    expect_err(&r, 400, "invalid");
    let r = e.req("POST", path).raw(b"{not json").send();
    expect_err(&r, 400, "parseError");
    let body = timed("x", "2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z");
    let r = e.req("POST", path).json(body).send();
    expect_err(&r, 404, "notFound");
}
