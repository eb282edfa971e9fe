//! events/acl/calendarList/settings .watch, notifications and channels.stop.

#[path = "calendar_helpers.rs"]
mod helpers;

use gcal_emulator::calendar::Notification;
use helpers::*;
use serde_json::{Value, json};

fn header<'a>(n: &'a Notification, name: &str) -> Option<&'a str> {
    n.headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn channel(id: &str) -> Value {
    json!({"id": id, "type": "web_hook", "address": "https://hooks.example.com/cal", "token": "tok-1"})
}

#[test]
fn events_watch_answers_and_notifies() {
    let mut e = Emu::new();
    let r = e.post("/calendars/primary/events/watch", channel("chan-1"));
    assert_eq!(r.status, 200, "{:?}", r.body);
    let ch = r.body.unwrap();
    assert_eq!(ch["kind"], "api#channel");
    assert_eq!(ch["id"], "chan-1");
    assert_eq!(ch["token"], "tok-1");
    let rid = ch["resourceId"].as_str().unwrap().to_string();
    assert!(!rid.is_empty());
    assert!(
        ch["resourceUri"]
            .as_str()
            .unwrap()
            .contains("/calendars/primary/events")
    );
    // Default lifetime: a week from "now" (2026-01-01T00:00:00Z).
    assert_eq!(ch["expiration"], "1767830400000");
    assert_eq!(r.notifications.len(), 1);
    let sync = &r.notifications[0];
    assert_eq!(sync.address, "https://hooks.example.com/cal");
    assert_eq!(header(sync, "X-Goog-Channel-ID"), Some("chan-1"));
    assert_eq!(header(sync, "X-Goog-Channel-Token"), Some("tok-1"));
    assert_eq!(
        header(sync, "X-Goog-Channel-Expiration"),
        Some("Thu, 08 Jan 2026 00:00:00 GMT")
    );
    assert_eq!(header(sync, "X-Goog-Message-Number"), Some("1"));
    assert_eq!(header(sync, "X-Goog-Resource-ID"), Some(rid.as_str()));
    assert_eq!(header(sync, "X-Goog-Resource-State"), Some("sync"));
    assert_eq!(
        header(sync, "X-Goog-Resource-URI"),
        ch["resourceUri"].as_str()
    );
    // Changes notify "exists" with increasing numbers; reads notify nothing.
    let ev = e.post(
        "/calendars/primary/events",
        timed("x", "2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z"),
    );
    assert_eq!(ev.notifications.len(), 1);
    assert_eq!(
        header(&ev.notifications[0], "X-Goog-Resource-State"),
        Some("exists")
    );
    assert_eq!(
        header(&ev.notifications[0], "X-Goog-Message-Number"),
        Some("2")
    );
    assert!(e.get("/calendars/primary/events").notifications.is_empty());
    let id = ev.body.unwrap()["id"].as_str().unwrap().to_string();
    let del = e
        .req("DELETE", &format!("/calendars/primary/events/{id}"))
        .send();
    assert_eq!(
        header(&del.notifications[0], "X-Goog-Message-Number"),
        Some("3")
    );
    // Another calendar's changes do not reach this channel.
    let r = e
        .req("POST", "/calendars/primary/events")
        .user(BOB)
        .json(timed("y", "2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z"))
        .send();
    assert!(r.notifications.is_empty());
    // A second watch on the same collection has the same resourceId.
    let r2 = e.post("/calendars/primary/events/watch", channel("chan-2"));
    assert_eq!(r2.body.unwrap()["resourceId"], rid.as_str());
    // Failed writes notify nothing.
    let bad = e.post("/calendars/primary/events", json!({"summary": "no times"}));
    assert!(bad.status == 400 && bad.notifications.is_empty());
    // channels.stop
    let r = e.post("/channels/stop", json!({"id": "chan-1", "resourceId": rid}));
    assert_eq!(r.status, 204);
    expect_err(
        &e.post("/channels/stop", json!({"id": "chan-1", "resourceId": rid})),
        404,
        "notFound",
    );
    expect_err(
        &e.post(
            "/channels/stop",
            json!({"id": "chan-2", "resourceId": "other"}),
        ),
        404,
        "notFound",
    );
    let ev = e.post(
        "/calendars/primary/events",
        timed("z", "2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z"),
    );
    assert_eq!(ev.notifications.len(), 1);
    assert_eq!(
        header(&ev.notifications[0], "X-Goog-Channel-ID"),
        Some("chan-2")
    );
}

#[test]
fn watch_validation() {
    let mut e = Emu::new();
    let p = "/calendars/primary/events/watch";
    let mut c = channel("c1");
    c.as_object_mut().unwrap().remove("id");
    expect_err(&e.post(p, c), 400, "required");
    expect_err(&e.post(p, channel(&"x".repeat(65))), 400, "invalid");
    let mut c = channel("c1");
    c["type"] = json!("carrier_pigeon");
    expect_err(&e.post(p, c), 400, "invalid");
    let mut c = channel("c1");
    c.as_object_mut().unwrap().remove("address");
    expect_err(&e.post(p, c), 400, "required");
    let mut c = channel("c1");
    c["address"] = json!("http://hooks.example.com/cal");
    expect_err(&e.post(p, c), 400, "push.webhookUrlNotHttps");
    for (i, ok) in [
        "http://127.0.0.1:9000/hook",
        "http://localhost/x",
        "http://[::1]:8080/",
    ]
    .iter()
    .enumerate()
    {
        let mut c = channel(&format!("loop{i}"));
        c["address"] = json!(ok);
        c["type"] = json!("webhook");
        assert_eq!(e.post(p, c).status, 200, "{ok}");
    }
    assert_eq!(e.post(p, channel("dup")).status, 200);
    expect_err(&e.post(p, channel("dup")), 400, "channelIdNotUnique");
    let mut c = channel("past");
    c["expiration"] = json!("1000");
    expect_err(&e.post(p, c), 400, "invalid");
    expect_err(
        &e.post("/calendars/nobody%40x/events/watch", channel("c9")),
        404,
        "notFound",
    );
}

#[test]
fn expired_channels_stop_notifying() {
    let mut e = Emu::new();
    let mut c = channel("short");
    c["params"] = json!({"ttl": "60"});
    c.as_object_mut().unwrap().remove("token");
    let r = e.post("/calendars/primary/events/watch", c);
    let ch = r.body.unwrap();
    assert_eq!(ch["expiration"], "1767225660000");
    assert!(ch.get("token").is_none());
    assert!(header(&r.notifications[0], "X-Goog-Channel-Token").is_none());
    let mut c = channel("explicit");
    c["expiration"] = json!("1767229200000");
    let r = e.post("/calendars/primary/events/watch", c);
    assert_eq!(r.body.unwrap()["expiration"], "1767229200000");
    e.now = at(120);
    let ev = e.post(
        "/calendars/primary/events",
        timed("x", "2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z"),
    );
    let chans: Vec<_> = ev
        .notifications
        .iter()
        .map(|n| header(n, "X-Goog-Channel-ID").unwrap())
        .collect();
    assert_eq!(chans, ["explicit"]);
}

#[test]
fn acl_calendar_list_and_settings_watch() {
    let mut e = Emu::new();
    let acl = e.post("/calendars/primary/acl/watch", channel("acl-1"));
    assert_eq!(acl.status, 200);
    assert!(
        acl.body.unwrap()["resourceUri"]
            .as_str()
            .unwrap()
            .contains("/acl")
    );
    let cl = e
        .req("POST", "/users/me/calendarList/watch")
        .user(BOB)
        .json(channel("cl-bob"))
        .send();
    assert_eq!(cl.status, 200);
    let st = e.post("/users/me/settings/watch", channel("st-1"));
    assert_eq!(st.status, 200);
    assert_eq!(
        header(&st.notifications[0], "X-Goog-Resource-State"),
        Some("sync")
    );
    // Sharing with Bob changes the ACL and Bob's calendar list.
    let r = e.post(
        "/calendars/primary/acl",
        json!({"role": "reader", "scope": {"type": "user", "value": BOB}}),
    );
    let mut chans: Vec<_> = r
        .notifications
        .iter()
        .map(|n| header(n, "X-Goog-Channel-ID").unwrap())
        .collect();
    chans.sort();
    assert_eq!(chans, ["acl-1", "cl-bob"]);
    assert!(
        r.notifications
            .iter()
            .all(|n| header(n, "X-Goog-Resource-State") == Some("exists"))
    );
    // Deleting a watched calendar says not_exists.
    let cal = e
        .post("/calendars", json!({"summary": "Temp"}))
        .body
        .unwrap();
    let cal_path = format!("/calendars/{}", enc(cal["id"].as_str().unwrap()));
    let w = e.post(&format!("{cal_path}/events/watch"), channel("temp-1"));
    assert_eq!(w.status, 200);
    let del = e.req("DELETE", &cal_path).send();
    let n = del
        .notifications
        .iter()
        .find(|n| header(n, "X-Goog-Channel-ID") == Some("temp-1"))
        .unwrap();
    assert_eq!(header(n, "X-Goog-Resource-State"), Some("not_exists"));
}
