//! Recurring events: events.instances, singleEvents expansion, instance ids.

#[path = "calendar_helpers.rs"]
mod helpers;

use helpers::*;
use serde_json::{Value, json};

const P: &str = "/calendars/primary/events";

fn recurring(start: Value, end: Value, rules: &[&str]) -> Value {
    json!({"summary": "series", "start": start, "end": end, "recurrence": rules})
}

fn zoned(t: &str, tz: &str) -> Value {
    json!({"dateTime": t, "timeZone": tz})
}

fn instances(e: &mut Emu, id: &str, q: &[(&str, &str)]) -> Vec<Value> {
    e.list_all(&format!("{P}/{id}/instances"), q).0
}

fn starts(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|i| {
            i["start"]["dateTime"]
                .as_str()
                .or(i["start"]["date"].as_str())
                .unwrap()
                .to_string()
        })
        .collect()
}

#[test]
fn daily_count() {
    let mut e = Emu::new();
    let ev = e.insert(recurring(
        zoned("2026-01-05T09:00:00+01:00", "Europe/Berlin"),
        zoned("2026-01-05T10:00:00+01:00", "Europe/Berlin"),
        &["RRULE:FREQ=DAILY;COUNT=3"],
    ));
    let id = ev["id"].as_str().unwrap();
    let items = instances(&mut e, id, &[]);
    assert_eq!(
        starts(&items),
        [
            "2026-01-05T09:00:00+01:00",
            "2026-01-06T09:00:00+01:00",
            "2026-01-07T09:00:00+01:00"
        ]
    );
    let first = &items[0];
    assert_eq!(first["id"], format!("{id}_20260105T080000Z"));
    assert_eq!(first["recurringEventId"], id);
    assert_eq!(first["originalStartTime"], first["start"]);
    assert_eq!(first["end"]["dateTime"], "2026-01-05T10:00:00+01:00");
    assert!(first.get("recurrence").is_none());
    // An instance can be fetched by its id.
    let got = e.get(&format!("{P}/{id}_20260106T080000Z"));
    assert_eq!(got.status, 200);
    assert_eq!(
        got.body.unwrap()["start"]["dateTime"],
        "2026-01-06T09:00:00+01:00"
    );
    expect_err(
        &e.get(&format!("{P}/{id}_20260109T080000Z")),
        404,
        "notFound",
    );
}

#[test]
fn weekly_byday_until_keeps_wall_clock_across_dst() {
    let mut e = Emu::new();
    let ev = e.insert(recurring(
        zoned("2026-03-23T09:00:00", "Europe/Berlin"),
        zoned("2026-03-23T09:30:00", "Europe/Berlin"),
        &["RRULE:FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20260401T235959Z"],
    ));
    let items = instances(&mut e, ev["id"].as_str().unwrap(), &[]);
    assert_eq!(
        starts(&items),
        [
            "2026-03-23T09:00:00+01:00",
            "2026-03-25T09:00:00+01:00",
            "2026-03-30T09:00:00+02:00",
            "2026-04-01T09:00:00+02:00"
        ]
    );
}

#[test]
fn all_day_instances_keep_their_dates() {
    let mut e = Emu::new();
    let ev = e.insert(recurring(
        json!({"date": "2026-02-27"}),
        json!({"date": "2026-02-28"}),
        &["RRULE:FREQ=DAILY;INTERVAL=2;UNTIL=20260305"],
    ));
    let id = ev["id"].as_str().unwrap();
    let items = instances(&mut e, id, &[]);
    assert_eq!(
        starts(&items),
        ["2026-02-27", "2026-03-01", "2026-03-03", "2026-03-05"]
    );
    assert_eq!(items[0]["id"], format!("{id}_20260227"));
    assert_eq!(items[0]["end"], json!({"date": "2026-02-28"}));
}

#[test]
fn exdate_monthly_and_yearly() {
    let mut e = Emu::new();
    let ev = e.insert(recurring(
        zoned("2026-01-10T12:00:00Z", "UTC"),
        zoned("2026-01-10T13:00:00Z", "UTC"),
        &["RRULE:FREQ=DAILY;COUNT=4", "EXDATE:20260111T120000Z"],
    ));
    let items = instances(&mut e, ev["id"].as_str().unwrap(), &[]);
    assert_eq!(items.len(), 3);
    let ev = e.insert(recurring(
        zoned("2026-01-31T12:00:00Z", "UTC"),
        zoned("2026-01-31T13:00:00Z", "UTC"),
        &["RRULE:FREQ=MONTHLY;COUNT=3"],
    ));
    let items = instances(&mut e, ev["id"].as_str().unwrap(), &[]);
    // Months without a 31st are skipped, as RFC 5545 says.
    assert_eq!(
        starts(&items),
        [
            "2026-01-31T12:00:00+00:00",
            "2026-03-31T12:00:00+00:00",
            "2026-05-31T12:00:00+00:00"
        ]
    );
    let ev = e.insert(recurring(
        zoned("2026-01-01T12:00:00Z", "UTC"),
        zoned("2026-01-01T13:00:00Z", "UTC"),
        &["RRULE:FREQ=MONTHLY;BYDAY=-1FR;COUNT=2"],
    ));
    let items = instances(&mut e, ev["id"].as_str().unwrap(), &[]);
    assert_eq!(
        starts(&items),
        ["2026-01-30T12:00:00+00:00", "2026-02-27T12:00:00+00:00"]
    );
    let ev = e.insert(recurring(
        json!({"date": "2026-05-04"}),
        json!({"date": "2026-05-05"}),
        &["RRULE:FREQ=YEARLY;COUNT=2"],
    ));
    let items = instances(&mut e, ev["id"].as_str().unwrap(), &[]);
    assert_eq!(starts(&items), ["2026-05-04", "2027-05-04"]);
}

#[test]
fn instances_window_and_paging() {
    let mut e = Emu::new();
    let ev = e.insert(recurring(
        zoned("2026-01-01T08:00:00Z", "UTC"),
        zoned("2026-01-01T09:00:00Z", "UTC"),
        &["RRULE:FREQ=DAILY"],
    ));
    let id = ev["id"].as_str().unwrap();
    let q = [
        ("timeMin", "2026-02-01T00:00:00Z"),
        ("timeMax", "2026-03-01T00:00:00Z"),
    ];
    let items = instances(&mut e, id, &q);
    assert_eq!(items.len(), 28);
    assert_eq!(items[0]["start"]["dateTime"], "2026-02-01T08:00:00+00:00");
    let paged = instances(&mut e, id, &[q[0], q[1], ("maxResults", "5")]);
    assert_eq!(ids(&paged), ids(&items));
    // Unbounded rules stop at a horizon instead of running forever.
    let all = instances(&mut e, id, &[("maxResults", "2500")]);
    assert!(all.len() > 365 && all.len() < 1500, "{}", all.len());
    let one = instances(&mut e, id, &[("originalStart", "2026-01-03T08:00:00Z")]);
    assert_eq!(ids(&one), [format!("{id}_20260103T080000Z")]);
    expect_err(&e.get(&format!("{P}/nosuch1/instances")), 404, "notFound");
}

#[test]
fn single_events_expands_in_lists() {
    let mut e = Emu::new();
    e.insert(timed(
        "single",
        "2026-01-02T12:00:00Z",
        "2026-01-02T13:00:00Z",
    ));
    e.insert(recurring(
        zoned("2026-01-01T08:00:00Z", "UTC"),
        zoned("2026-01-01T09:00:00Z", "UTC"),
        &["RRULE:FREQ=DAILY;COUNT=3"],
    ));
    let (items, _) = e.list_all(P, &[]);
    assert_eq!(items.len(), 2);
    assert!(items.iter().any(|i| i["recurrence"].is_array()));
    let (items, _) = e.list_all(
        P,
        &[
            ("singleEvents", "true"),
            ("orderBy", "startTime"),
            ("maxResults", "2"),
        ],
    );
    assert_eq!(
        starts(&items),
        [
            "2026-01-01T08:00:00+00:00",
            "2026-01-02T08:00:00+00:00",
            "2026-01-02T12:00:00Z",
            "2026-01-03T08:00:00+00:00"
        ]
    );
    let (items, _) = e.list_all(
        P,
        &[
            ("singleEvents", "true"),
            ("timeMin", "2026-01-02T10:00:00Z"),
            ("timeMax", "2026-01-05T00:00:00Z"),
        ],
    );
    assert_eq!(items.len(), 2);
    // A recurring series outside the window is not listed as a master either.
    let (items, _) = e.list_all(P, &[("timeMin", "2026-02-01T00:00:00Z")]);
    assert!(items.is_empty());
}

#[test]
fn recurring_event_in_sync_and_delete() {
    let mut e = Emu::new();
    let (_, last) = e.list_all(P, &[]);
    let tok = last["nextSyncToken"].as_str().unwrap().to_string();
    let ev = e.insert(recurring(
        zoned("2026-01-01T08:00:00Z", "UTC"),
        zoned("2026-01-01T09:00:00Z", "UTC"),
        &["RRULE:FREQ=WEEKLY;COUNT=2"],
    ));
    let (changes, _) = e.list_all(P, &[("syncToken", &tok)]);
    assert_eq!(ids(&changes), [ev["id"].as_str().unwrap()]);
    let path = format!("{P}/{}", ev["id"].as_str().unwrap());
    assert_eq!(e.req("DELETE", &path).send().status, 204);
    let (items, _) = e.list_all(P, &[("singleEvents", "true")]);
    assert!(items.is_empty());
}

#[test]
fn single_instances_can_be_changed_and_cancelled() {
    let mut e = Emu::new();
    let ev = e.insert(recurring(
        zoned("2026-01-01T08:00:00Z", "UTC"),
        zoned("2026-01-01T09:00:00Z", "UTC"),
        &["RRULE:FREQ=DAILY;COUNT=4"],
    ));
    let id = ev["id"].as_str().unwrap().to_string();
    let second = format!("{P}/{id}_20260102T080000Z");
    let third = format!("{P}/{id}_20260103T080000Z");
    let r = e
        .req("PATCH", &second)
        .json(json!({"summary": "moved"}))
        .send();
    assert_eq!(r.status, 200, "{:?}", r.body);
    let p = r.body.unwrap();
    assert_eq!(p["summary"], "moved");
    assert_eq!(p["recurringEventId"], id.as_str());
    assert_eq!(p["id"], format!("{id}_20260102T080000Z"));
    assert_eq!(e.get(&second).body.unwrap()["summary"], "moved");
    let r = e
        .req("PATCH", &third)
        .if_match("\"1\"")
        .json(json!({}))
        .send();
    expect_err(&r, 412, "conditionNotMet");
    assert_eq!(e.req("DELETE", &third).send().status, 204);
    expect_err(&e.req("DELETE", &third).send(), 410, "deleted");
    assert_eq!(e.get(&third).body.unwrap()["status"], "cancelled");
    let items = instances(&mut e, &id, &[]);
    let names: Vec<&str> = items
        .iter()
        .map(|i| i["summary"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["series", "moved", "series"]);
    let (listed, _) = e.list_all(P, &[("singleEvents", "true")]);
    assert_eq!(listed.len(), 3);
    let with_deleted = instances(&mut e, &id, &[("showDeleted", "true")]);
    assert_eq!(with_deleted.len(), 4);
    assert_eq!(with_deleted[2]["status"], "cancelled");
    // The series keeps its exceptions when the master changes.
    let r = e
        .req("PATCH", &format!("{P}/{id}"))
        .json(json!({"description": "d"}))
        .send();
    assert_eq!(r.status, 200);
    assert_eq!(instances(&mut e, &id, &[]).len(), 3);
    let r = e
        .req("PATCH", &format!("{P}/{id}_20270101T080000Z"))
        .json(json!({}))
        .send();
    expect_err(&r, 404, "notFound");
    // Cancelled occurrences are free time.
    let fb = e.post(
        "/freeBusy",
        json!({"timeMin": "2026-01-03T00:00:00Z", "timeMax": "2026-01-04T00:00:00Z",
            "items": [{"id": "primary"}]}),
    );
    assert_eq!(fb.body.unwrap()["calendars"]["primary"]["busy"], json!([]));
}
