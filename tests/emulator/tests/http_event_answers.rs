//! Event answers over HTTP: the text answered for a stored event (shared, written once per
//! version) always shows the current version.

use gcal_emulator::Emulator;
use gcal_emulator::testing::{get, request, send_json};
use serde_json::{Value, json};

#[test]
fn gets_follow_every_change() {
    let emu = Emulator::start();
    let token = emu.admin().access_token(&[]);
    let events = format!("{}calendars/primary/events", emu.urls().api_base_url);
    let body = json!({"id": "cachetest1", "summary": "one",
        "start": {"dateTime": "2030-01-15T10:00:00Z"}, "end": {"dateTime": "2030-01-15T11:00:00Z"}});
    let inserted = send_json("POST", &events, Some(&token), &body).unwrap();
    assert_eq!(inserted.status, 200);
    let url = format!("{events}/cachetest1");

    let first = get(&url, Some(&token)).unwrap();
    let again = get(&url, Some(&token)).unwrap();
    assert_eq!(first.body, inserted.body);
    assert_eq!(again.body, first.body);
    assert_eq!(again.header("etag"), inserted.header("etag"));
    // Pretty text as serde_json writes it, then a line break.
    let mut pretty = serde_json::to_vec_pretty(&first.json()).unwrap();
    pretty.push(b'\n');
    assert_eq!(first.body, pretty);
    let compact = get(&format!("{url}?prettyPrint=false"), Some(&token)).unwrap();
    let mut want = serde_json::to_vec(&first.json()).unwrap();
    want.push(b'\n');
    assert_eq!(compact.body, want);

    let patched = send_json("PATCH", &url, Some(&token), &json!({"summary": "two"})).unwrap();
    assert_eq!(patched.status, 200);
    let after = get(&url, Some(&token)).unwrap();
    assert_eq!(after.json()["summary"], "two");
    assert_eq!(after.body, patched.body);
    assert_ne!(after.header("etag"), first.header("etag"));

    let deleted = request(
        "DELETE",
        &url,
        &[("Authorization", &format!("Bearer {token}"))],
        b"",
    )
    .unwrap();
    assert_eq!(deleted.status, 204);
    let gone = get(&url, Some(&token)).unwrap();
    assert_eq!(gone.json()["status"], "cancelled");
    assert_ne!(gone.header("etag"), after.header("etag"));
    assert_eq!(
        gone.json()["etag"],
        Value::from(gone.header("etag").unwrap())
    );
}
