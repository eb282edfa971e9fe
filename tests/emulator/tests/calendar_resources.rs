//! calendars.*, calendarList.*, acl.*, settings.*, colors.get, freebusy.query and access control.

#[path = "calendar_helpers.rs"]
mod helpers;

use helpers::*;
use serde_json::{Value, json};

fn new_calendar(e: &mut Emu, summary: &str) -> String {
    let r = e.post(
        "/calendars",
        json!({"summary": summary, "timeZone": "Europe/Paris"}),
    );
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body.unwrap()["id"].as_str().unwrap().to_string()
}

#[test]
fn add_user_creates_primary_calendar() {
    let mut e = Emu::new();
    assert!(e.cals.has_user(USER));
    assert!(!e.cals.has_user("nobody@example.com"));
    e.cals.add_user(USER); // idempotent
    let cal = e.get("/calendars/primary").body.unwrap();
    assert_eq!(cal["kind"], "calendar#calendar");
    assert_eq!(cal["id"], USER);
    assert_eq!(cal["timeZone"], "UTC");
    let (list, _) = e.list_all("/users/me/calendarList", &[]);
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["primary"], true);
    assert_eq!(list[0]["accessRole"], "owner");
    assert_eq!(list[0]["kind"], "calendar#calendarListEntry");
    let (acl, _) = e.list_all("/calendars/primary/acl", &[]);
    assert_eq!(acl[0]["id"], format!("user:{USER}"));
    assert_eq!(acl[0]["role"], "owner");
}

#[test]
fn calendars_insert_get_patch_update_delete() {
    let mut e = Emu::new();
    let id = new_calendar(&mut e, "Team");
    assert!(id.ends_with("@group.calendar.google.com"));
    let path = format!("/calendars/{}", enc(&id));
    let cal = e.get(&path).body.unwrap();
    assert_eq!(cal["summary"], "Team");
    assert_eq!(cal["timeZone"], "Europe/Paris");
    assert_eq!(cal["dataOwner"], USER);
    let entry = e
        .get(&format!("/users/me/calendarList/{}", enc(&id)))
        .body
        .unwrap();
    assert_eq!(entry["accessRole"], "owner");
    let r = e
        .req("PATCH", &path)
        .json(json!({"description": "d"}))
        .send();
    let p = r.body.unwrap();
    assert_eq!(
        (p["summary"].as_str(), p["description"].as_str()),
        (Some("Team"), Some("d"))
    );
    assert_ne!(p["etag"], cal["etag"]);
    let r = e
        .req("PUT", &path)
        .json(json!({"summary": "Renamed"}))
        .send();
    let u = r.body.unwrap();
    assert_eq!(u["summary"], "Renamed");
    assert!(u.get("description").is_none());
    expect_err(&e.req("PUT", &path).json(json!({})).send(), 400, "required");
    expect_err(&e.post("/calendars", json!({})), 400, "required");
    expect_err(
        &e.req("PATCH", &path)
            .json(json!({"timeZone": "Nowhere/City"}))
            .send(),
        400,
        "invalid",
    );
    expect_err(
        &e.req("PATCH", &path)
            .if_match("\"1\"")
            .json(json!({}))
            .send(),
        412,
        "conditionNotMet",
    );
    assert_eq!(e.req("DELETE", &path).send().status, 204);
    expect_err(&e.get(&path), 404, "notFound");
    let (list, _) = e.list_all("/users/me/calendarList", &[]);
    assert_eq!(list.len(), 1);
    // The primary calendar cannot be deleted.
    expect_err(
        &e.req("DELETE", "/calendars/primary").send(),
        400,
        "badRequest",
    );
}

#[test]
fn clear_only_on_primary() {
    let mut e = Emu::new();
    e.insert(timed("x", "2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z"));
    e.insert(timed("y", "2026-01-01T12:00:00Z", "2026-01-01T13:00:00Z"));
    assert_eq!(e.req("POST", "/calendars/primary/clear").send().status, 204);
    assert!(e.list_all("/calendars/primary/events", &[]).0.is_empty());
    assert_eq!(
        e.list_all("/calendars/primary/events", &[("showDeleted", "true")])
            .0
            .len(),
        2
    );
    let id = new_calendar(&mut e, "Side");
    let r = e
        .req("POST", &format!("/calendars/{}/clear", enc(&id)))
        .send();
    assert_eq!(r.status, 400);
}

#[test]
fn transfer_ownership() {
    let mut e = Emu::new();
    let id = new_calendar(&mut e, "Handover");
    let path = format!("/calendars/{}/transferOwnership", enc(&id));
    let r = e.req("POST", &path).q("useAdminAccess", "true").send();
    expect_err(&r, 400, "required");
    let r = e.req("POST", &path).q("newDataOwner", BOB).send();
    expect_err(&r, 400, "required");
    let r = e
        .req("POST", &path)
        .q("newDataOwner", BOB)
        .q("useAdminAccess", "false")
        .send();
    assert_eq!(r.status, 400);
    let r = e
        .req("POST", &path)
        .q("newDataOwner", BOB)
        .q("useAdminAccess", "true")
        .send();
    assert_eq!(r.status, 204, "{:?}", r.body);
    let cal = e
        .req("GET", &format!("/calendars/{}", enc(&id)))
        .user(BOB)
        .send();
    assert_eq!(cal.body.unwrap()["dataOwner"], BOB);
    let entry = e
        .req("GET", &format!("/users/me/calendarList/{}", enc(&id)))
        .user(BOB)
        .send();
    assert_eq!(entry.body.unwrap()["accessRole"], "owner");
    let mine = e
        .get(&format!("/users/me/calendarList/{}", enc(&id)))
        .body
        .unwrap();
    assert_eq!(mine["accessRole"], "writer");
}

#[test]
fn calendar_list_methods() {
    let mut e = Emu::new();
    let id = new_calendar(&mut e, "Shared");
    let entry_path = format!("/users/me/calendarList/{}", enc(&id));
    let r = e
        .req("PATCH", &entry_path)
        .json(json!({"summaryOverride": "Mine", "colorId": "3"}))
        .send();
    let p = r.body.unwrap();
    assert_eq!(p["summaryOverride"], "Mine");
    assert_eq!(p["colorId"], "3");
    assert_eq!(p["summary"], "Shared");
    expect_err(
        &e.req("PATCH", &entry_path)
            .json(json!({"colorId": "99"}))
            .send(),
        400,
        "invalid",
    );
    let r = e
        .req("PUT", &entry_path)
        .json(json!({"hidden": true}))
        .send();
    let u = r.body.unwrap();
    assert_eq!(u["hidden"], true);
    assert!(u.get("summaryOverride").is_none());
    let (list, _) = e.list_all("/users/me/calendarList", &[]);
    assert_eq!(list.len(), 1);
    let (list, _) = e.list_all("/users/me/calendarList", &[("showHidden", "true")]);
    assert_eq!(list.len(), 2);
    assert_eq!(e.req("DELETE", &entry_path).send().status, 204);
    expect_err(&e.get(&entry_path), 404, "notFound");
    let (list, _) = e.list_all(
        "/users/me/calendarList",
        &[("showDeleted", "true"), ("showHidden", "true")],
    );
    assert!(list.iter().any(|l| l["deleted"] == true));
    // Insert puts it back.
    let r = e.post("/users/me/calendarList", json!({"id": id}));
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body.unwrap()["id"], id.as_str());
    expect_err(
        &e.post("/users/me/calendarList", json!({})),
        400,
        "required",
    );
    expect_err(
        &e.post("/users/me/calendarList", json!({"id": "x@y"})),
        404,
        "notFound",
    );
    expect_err(
        &e.req("DELETE", "/users/me/calendarList/primary").send(),
        400,
        "badRequest",
    );
    let (list, _) = e.list_all("/users/me/calendarList", &[("minAccessRole", "owner")]);
    assert_eq!(list.len(), 2);
}

#[test]
fn acl_methods_and_their_effect_on_access() {
    let mut e = Emu::new();
    let id = new_calendar(&mut e, "Project");
    let base = format!("/calendars/{}", enc(&id));
    // Bob cannot see it yet.
    expect_err(&e.req("GET", &base).user(BOB).send(), 404, "notFound");
    expect_err(
        &e.req("GET", &format!("{base}/events")).user(BOB).send(),
        404,
        "notFound",
    );
    let r = e.post(
        &format!("{base}/acl"),
        json!({"role": "reader", "scope": {"type": "user", "value": BOB}}),
    );
    assert_eq!(r.status, 200);
    let rule = r.body.unwrap();
    assert_eq!(rule["id"], format!("user:{BOB}"));
    assert_eq!(rule["kind"], "calendar#aclRule");
    // Bob now reads it and finds it in his list, but cannot write.
    assert_eq!(e.req("GET", &base).user(BOB).send().status, 200);
    let (bl, _) = {
        let r = e.req("GET", "/users/me/calendarList").user(BOB).send();
        (r.body.unwrap()["items"].as_array().unwrap().clone(), ())
    };
    assert!(
        bl.iter()
            .any(|c| c["id"] == id.as_str() && c["accessRole"] == "reader")
    );
    let body = timed("x", "2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z");
    let r = e
        .req("POST", &format!("{base}/events"))
        .user(BOB)
        .json(body.clone())
        .send();
    expect_err(&r, 403, "requiredAccessLevel");
    expect_err(
        &e.req("GET", &format!("{base}/acl")).user(BOB).send(),
        403,
        "requiredAccessLevel",
    );
    let rule_path = format!("{base}/acl/user%3A{}", enc(BOB));
    let r = e
        .req("PATCH", &rule_path)
        .json(json!({"role": "writer"}))
        .send();
    assert_eq!(r.body.unwrap()["role"], "writer");
    let r = e
        .req("POST", &format!("{base}/events"))
        .user(BOB)
        .json(body)
        .send();
    assert_eq!(r.status, 200);
    let r = e
        .req("PUT", &rule_path)
        .json(json!({"role": "freeBusyReader", "scope": {"type": "user", "value": BOB}}))
        .send();
    assert_eq!(r.body.unwrap()["role"], "freeBusyReader");
    let got = e.get(&rule_path).body.unwrap();
    assert_eq!(got["role"], "freeBusyReader");
    expect_err(
        &e.req("PUT", &rule_path).json(json!({})).send(),
        400,
        "required",
    );
    expect_err(
        &e.post(
            &format!("{base}/acl"),
            json!({"role": "boss", "scope": {"type": "user", "value": "x@y"}}),
        ),
        400,
        "invalid",
    );
    expect_err(
        &e.post(&format!("{base}/acl"), json!({"role": "reader"})),
        400,
        "required",
    );
    expect_err(
        &e.req("DELETE", &rule_path).if_match("\"0\"").send(),
        412,
        "conditionNotMet",
    );
    assert_eq!(e.req("DELETE", &rule_path).send().status, 204);
    expect_err(&e.get(&rule_path), 404, "notFound");
    expect_err(&e.req("GET", &base).user(BOB).send(), 404, "notFound");
    // A public (default) rule lets everyone read.
    let r = e.post(
        &format!("{base}/acl"),
        json!({"role": "reader", "scope": {"type": "default"}}),
    );
    assert_eq!(r.body.unwrap()["id"], "default");
    assert_eq!(
        e.req("GET", &format!("{base}/events"))
            .user(BOB)
            .send()
            .status,
        200
    );
    let (acl, _) = e.list_all(&format!("{base}/acl"), &[]);
    assert_eq!(acl.len(), 2);
    let (acl, _) = e.list_all(&format!("{base}/acl"), &[("showDeleted", "true")]);
    assert_eq!(acl.len(), 3);
}

#[test]
fn settings_and_colors() {
    let mut e = Emu::new();
    let (items, last) = e.list_all("/users/me/settings", &[]);
    let names: Vec<&str> = items.iter().map(|i| i["id"].as_str().unwrap()).collect();
    for want in [
        "timezone",
        "locale",
        "weekStart",
        "format24HourTime",
        "dateFieldOrder",
        "hideWeekends",
        "defaultEventLength",
        "autoAddHangouts",
        "hideInvitations",
        "remindOnRespondedEventsOnly",
        "showDeclinedEvents",
        "useKeyboardShortcuts",
    ] {
        assert!(names.contains(&want), "{want}");
    }
    assert_eq!(last["kind"], "calendar#settings");
    let tz = e.get("/users/me/settings/timezone").body.unwrap();
    assert_eq!(
        tz,
        json!({"kind": "calendar#setting", "etag": tz["etag"], "id": "timezone", "value": "UTC"})
    );
    expect_err(&e.get("/users/me/settings/nosuch"), 404, "notFound");
    let (page, _) = e.list_all("/users/me/settings", &[("maxResults", "5")]);
    assert_eq!(page.len(), items.len());
    let c = e.get("/colors").body.unwrap();
    assert_eq!(c["kind"], "calendar#colors");
    assert_eq!(c["calendar"].as_object().unwrap().len(), 24);
    assert_eq!(c["event"].as_object().unwrap().len(), 11);
    assert_eq!(c["event"]["11"]["background"], "#dc2127");
    assert!(c["calendar"]["1"]["foreground"].is_string());
}

#[test]
fn freebusy_query() {
    let mut e = Emu::new();
    e.insert(timed("a", "2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z"));
    e.insert(timed("b", "2026-01-01T10:30:00Z", "2026-01-01T12:00:00Z"));
    let mut free = timed("free", "2026-01-01T14:00:00Z", "2026-01-01T15:00:00Z");
    free["transparency"] = json!("transparent");
    e.insert(free);
    let gone = e.insert(timed(
        "gone",
        "2026-01-01T16:00:00Z",
        "2026-01-01T17:00:00Z",
    ));
    e.req(
        "DELETE",
        &format!("/calendars/primary/events/{}", gone["id"].as_str().unwrap()),
    )
    .send();
    e.insert(
        json!({"summary": "daily", "recurrence": ["RRULE:FREQ=DAILY;COUNT=5"],
        "start": {"dateTime": "2025-12-31T20:00:00Z", "timeZone": "UTC"},
        "end": {"dateTime": "2025-12-31T21:00:00Z", "timeZone": "UTC"}}),
    );
    let r = e.post(
        "/freeBusy",
        json!({"timeMin": "2026-01-01T00:00:00Z", "timeMax": "2026-01-01T20:30:00Z",
            "items": [{"id": "primary"}, {"id": "stranger@example.com"}]}),
    );
    assert_eq!(r.status, 200, "{:?}", r.body);
    let b = r.body.unwrap();
    assert_eq!(b["kind"], "calendar#freeBusy");
    assert_eq!(b["timeMin"], "2026-01-01T00:00:00Z");
    assert_eq!(
        b["calendars"]["primary"]["busy"],
        json!([
            {"start": "2026-01-01T10:00:00Z", "end": "2026-01-01T12:00:00Z"},
            {"start": "2026-01-01T20:00:00Z", "end": "2026-01-01T20:30:00Z"}
        ])
    );
    assert_eq!(
        b["calendars"]["stranger@example.com"]["errors"],
        json!([{"domain": "global", "reason": "notFound"}])
    );
    expect_err(
        &e.post("/freeBusy", json!({"timeMin": "2026-01-01T00:00:00Z"})),
        400,
        "required",
    );
    let r = e.post(
        "/freeBusy",
        json!({"timeMin": "2026-01-02T00:00:00Z", "timeMax": "2026-01-01T00:00:00Z", "items": []}),
    );
    expect_err(&r, 400, "timeRangeEmpty");
}

#[test]
fn freebusy_reader_and_bob_calendars() {
    let mut e = Emu::new();
    let r = e.post(
        "/calendars/primary/acl",
        json!({"role": "freeBusyReader", "scope": {"type": "user", "value": BOB}}),
    );
    assert_eq!(r.status, 200);
    e.insert(timed("a", "2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z"));
    let r = e
        .req("POST", "/freeBusy")
        .user(BOB)
        .json(
            json!({"timeMin": "2026-01-01T00:00:00Z", "timeMax": "2026-01-02T00:00:00Z",
            "items": [{"id": USER}]}),
        )
        .send();
    let b: Value = r.body.unwrap();
    assert_eq!(b["calendars"][USER]["busy"].as_array().unwrap().len(), 1);
}

#[test]
fn free_busy_readers_see_times_only_and_max_attendees_trims() {
    let mut e = Emu::new();
    let mut body = timed("Secret", "2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z");
    body["attendees"] = json!([{"email": "a@x.com"}, {"email": "b@x.com"}, {"email": "c@x.com"}]);
    let ev = e.insert(body);
    let path = format!("/calendars/primary/events/{}", ev["id"].as_str().unwrap());
    let r = e
        .req("GET", &path)
        .q("maxAttendees", "2")
        .send()
        .body
        .unwrap();
    assert_eq!(r["attendees"].as_array().unwrap().len(), 2);
    assert_eq!(r["attendeesOmitted"], true);
    e.post(
        "/calendars/primary/acl",
        json!({"role": "freeBusyReader", "scope": {"type": "user", "value": BOB}}),
    );
    let r = e
        .req("GET", &format!("/calendars/{}/events", enc(USER)))
        .user(BOB)
        .send();
    let b = r.body.unwrap();
    assert_eq!(b["accessRole"], "freeBusyReader");
    let item = &b["items"][0];
    assert_eq!(item["start"]["dateTime"], "2026-01-01T10:00:00Z");
    assert!(item.get("summary").is_none() && item.get("attendees").is_none());
}

#[test]
fn calendars_is_send() {
    fn assert_send<T: Send>() {}
    assert_send::<gcal_emulator::calendar::Calendars>();
    let e = Emu::new();
    let handle = std::thread::spawn(move || e.cals.has_user(USER));
    assert!(handle.join().unwrap());
}
