//! Writes whose answer was lost (the emulator applies the write, then drops the connection) and writes
//! refused by a rate limit: each outcome is exact where the API allows it, and `OUTCOME_UNKNOWN` (never a
//! plain network error) where it cannot be known.

mod support;

use support::clients::{call, call_with, client_for};

use gcal_emulator::{DropWhen, Emulator, Fault};
use qorus_gcal::calendar::batch::{BatchCall, BatchOptions};
use qorus_gcal::calendar::call::CallOptions;
use qorus_gcal::{Client, Error, ErrorKind, runtime};
use serde_json::{Value, json};

const USER: &str = "user@example.com";

/// Applies the next `method` request, then closes the connection without an answer.
fn lose_answer(emulator: &Emulator, method: &str) {
    emulator.admin().add_fault(Fault {
        method: Some(method.into()),
        drop: Some(DropWhen::After),
        times: Some(1),
        ..Fault::default()
    });
}

/// Straight into the emulator's store, no HTTP.
fn direct(emulator: &Emulator, method: &str, path: &str, body: Option<Value>) -> Value {
    let (status, body) = emulator
        .admin()
        .call(USER, method, path, &[], body.as_ref());
    assert!(
        (200..300).contains(&status),
        "{method} {path}: {status} {body:?}"
    );
    body.unwrap_or(Value::Null)
}

fn exists(emulator: &Emulator, path: &str) -> bool {
    let (status, _) = emulator.admin().call(USER, "GET", path, &[], None);
    status == 200
}

fn event(summary: &str) -> Value {
    json!({"summary": summary, "start": {"dateTime": "2030-01-05T10:00:00Z"},
           "end": {"dateTime": "2030-01-05T11:00:00Z"}})
}

fn new_calendar(emulator: &Emulator, summary: &str) -> String {
    let cal = direct(
        emulator,
        "POST",
        "/calendars",
        Some(json!({"summary": summary})),
    );
    cal["id"].as_str().unwrap().to_string()
}

fn assert_outcome_unknown(err: &Error, method: &str, check: &str) {
    assert_eq!(err.kind().name(), "OUTCOME_UNKNOWN", "{method}: {err:?}");
    let m = err.message();
    assert!(m.contains(method), "{method}: {m}");
    assert!(m.contains("may have been applied"), "{method}: {m}");
    assert!(
        m.contains(check),
        "{method}: the message says how to check ({check}): {m}"
    );
}

#[test]
fn deletes_whose_answer_was_lost_succeed_when_the_repeat_finds_the_resource_gone() {
    let emulator = Emulator::start();
    let client = client_for(&emulator);
    let ev = direct(
        &emulator,
        "POST",
        "/calendars/primary/events",
        Some(event("doomed")),
    );
    let ev_id = ev["id"].as_str().unwrap().to_string();
    let cal = new_calendar(&emulator, "doomed calendar");
    let listed = new_calendar(&emulator, "listed calendar");
    direct(
        &emulator,
        "POST",
        "/calendars/primary/acl",
        Some(json!({"role": "reader", "scope": {"type": "user", "value": "bob@example.com"}})),
    );
    let channel = direct(
        &emulator,
        "POST",
        "/calendars/primary/events/watch",
        Some(
            json!({"id": "chan-lost-1", "type": "web_hook", "address": "https://example.com/hook"}),
        ),
    );
    let cases = [
        (
            "events.delete",
            json!({"calendarId": "primary", "eventId": ev_id}),
            None,
        ),
        ("calendars.delete", json!({"calendarId": cal}), None),
        (
            "acl.delete",
            json!({"calendarId": "primary", "ruleId": "user:bob@example.com"}),
            None,
        ),
        ("calendarList.delete", json!({"calendarId": listed}), None),
        (
            "channels.stop",
            json!({}),
            Some(json!({"id": "chan-lost-1", "resourceId": channel["resourceId"]})),
        ),
    ];
    for (method, params, body) in cases {
        lose_answer(&emulator, method);
        emulator.admin().clear_requests();
        let answer = call(&client, method, params, body);
        assert_eq!(
            answer.as_ref().ok(),
            Some(&json!({})),
            "{method}: the repeat found it gone, so the lost delete succeeded: {answer:?}"
        );
        assert_eq!(support::count_requests(&emulator, method), 2, "{method}");
    }
    assert_eq!(support::count_events(&client), 0);
    assert!(!exists(&emulator, &format!("/calendars/{cal}")));
    assert!(!exists(
        &emulator,
        "/calendars/primary/acl/user:bob@example.com"
    ));
    assert!(!exists(
        &emulator,
        &format!("/users/me/calendarList/{listed}")
    ));
}

#[test]
fn a_delete_of_what_never_existed_still_answers_not_found() {
    let emulator = Emulator::start();
    let client = client_for(&emulator);
    let err = call(
        &client,
        "events.delete",
        json!({"calendarId": "primary", "eventId": "neverthere1"}),
        None,
    )
    .unwrap_err();
    assert_eq!((err.kind(), err.http_status()), (ErrorKind::Http, 404));
}

#[test]
fn writes_safe_to_repeat_are_repeated_after_a_lost_answer() {
    let emulator = Emulator::start();
    let client = client_for(&emulator);
    direct(
        &emulator,
        "POST",
        "/calendars/primary/events",
        Some(event("cleared")),
    );
    let cal = new_calendar(&emulator, "relisted");
    direct(
        &emulator,
        "DELETE",
        &format!("/users/me/calendarList/{cal}"),
        None,
    );
    let cases = [
        ("calendars.clear", json!({"calendarId": "primary"}), None),
        (
            "acl.insert",
            json!({"calendarId": "primary"}),
            Some(
                json!({"role": "writer", "scope": {"type": "user", "value": "carol@example.com"}}),
            ),
        ),
        (
            "acl.patch",
            json!({"calendarId": "primary", "ruleId": "user:carol@example.com"}),
            Some(json!({"role": "reader"})),
        ),
        (
            "calendarList.insert",
            json!({}),
            Some(json!({"id": cal, "colorId": "3"})),
        ),
        (
            "calendars.patch",
            json!({"calendarId": cal}),
            Some(json!({"description": "patched twice, same result"})),
        ),
    ];
    for (method, params, body) in cases {
        lose_answer(&emulator, method);
        emulator.admin().clear_requests();
        let answer = call(&client, method, params, body);
        assert!(answer.is_ok(), "{method}: {answer:?}");
        assert_eq!(support::count_requests(&emulator, method), 2, "{method}");
    }
    assert_eq!(support::count_events(&client), 0, "calendars.clear applied");
    let rule = direct(
        &emulator,
        "GET",
        "/calendars/primary/acl/user:carol@example.com",
        None,
    );
    assert_eq!(rule["role"], "reader");
    let entry = direct(
        &emulator,
        "GET",
        &format!("/users/me/calendarList/{cal}"),
        None,
    );
    assert_eq!(entry["colorId"], "3");
    // calendars.clear took that event too: patch a fresh one.
    let ev = direct(
        &emulator,
        "POST",
        "/calendars/primary/events",
        Some(event("patched")),
    );
    let ev_id = ev["id"].as_str().unwrap().to_string();
    lose_answer(&emulator, "events.patch");
    let patched = call(
        &client,
        "events.patch",
        json!({"calendarId": "primary", "eventId": ev_id}),
        Some(json!({"summary": "patched v2"})),
    )
    .unwrap();
    assert_eq!(patched["summary"], "patched v2");
}

#[test]
fn an_insert_with_the_callers_own_id_whose_answer_was_lost_answers_that_event() {
    let emulator = Emulator::start();
    let client = client_for(&emulator);
    lose_answer(&emulator, "events.insert");
    let mut body = event("mine");
    body["id"] = json!("callerchosen0123456789");
    let created = call(
        &client,
        "events.insert",
        json!({"calendarId": "primary"}),
        Some(body),
    )
    .unwrap();
    assert_eq!(created["id"], "callerchosen0123456789");
    assert_eq!(created["summary"], "mine");
    assert_eq!(support::count_events(&client), 1);
    // Without a lost answer, the same id already taken is the caller's conflict, not a success.
    let mut again = event("someone else's");
    again["id"] = json!("callerchosen0123456789");
    let err = call(
        &client,
        "events.insert",
        json!({"calendarId": "primary"}),
        Some(again),
    )
    .unwrap_err();
    assert_eq!((err.http_status(), err.reason()), (409, Some("duplicate")));
}

#[test]
fn a_move_whose_answer_was_lost_is_checked_at_the_destination() {
    let emulator = Emulator::start();
    let client = client_for(&emulator);
    let dest = new_calendar(&emulator, "destination");
    let ev = direct(
        &emulator,
        "POST",
        "/calendars/primary/events",
        Some(event("moving")),
    );
    let id = ev["id"].as_str().unwrap().to_string();
    lose_answer(&emulator, "events.move");
    let moved = call(
        &client,
        "events.move",
        json!({"calendarId": "primary", "eventId": id, "destination": dest}),
        None,
    )
    .unwrap();
    assert_eq!(moved["id"], id.as_str());
    assert_eq!(moved["summary"], "moving");
    assert!(exists(&emulator, &format!("/calendars/{dest}/events/{id}")));
}

#[test]
fn writes_that_cannot_be_repeated_answer_outcome_unknown_after_a_lost_answer() {
    let emulator = Emulator::start();
    let client = client_for(&emulator);
    let no_id = CallOptions {
        generate_id: Some(false),
        ..CallOptions::default()
    };
    let cases = [
        (
            "events.quickAdd",
            json!({"calendarId": "primary", "text": "Lunch tomorrow noon"}),
            None,
            CallOptions::default(),
            "events.list",
        ),
        (
            "calendars.insert",
            json!({}),
            Some(json!({"summary": "made once"})),
            CallOptions::default(),
            "calendarList.list",
        ),
        (
            "events.insert",
            json!({"calendarId": "primary"}),
            Some(event("no id")),
            no_id,
            "events.list",
        ),
        (
            "events.watch",
            json!({"calendarId": "primary"}),
            Some(
                json!({"id": "chan-unknown-1", "type": "web_hook", "address": "https://example.com/h"}),
            ),
            CallOptions::default(),
            "channels.stop",
        ),
    ];
    for (method, params, body, options, check) in cases {
        lose_answer(&emulator, method);
        emulator.admin().clear_requests();
        let err = call_with(&client, method, params, body, options).unwrap_err();
        assert_outcome_unknown(&err, method, check);
        assert_eq!(
            support::count_requests(&emulator, method),
            1,
            "{method} is never sent twice"
        );
    }
    // They did happen.
    assert_eq!(support::count_events(&client), 2);
}

#[test]
fn a_conditional_write_whose_answer_was_lost_answers_outcome_unknown_not_precondition_failed() {
    let emulator = Emulator::start();
    let client = client_for(&emulator);
    let ev = direct(
        &emulator,
        "POST",
        "/calendars/primary/events",
        Some(event("guarded")),
    );
    let options = CallOptions {
        if_match: ev["etag"].as_str().map(str::to_string),
        ..CallOptions::default()
    };
    lose_answer(&emulator, "events.patch");
    let err = call_with(
        &client,
        "events.patch",
        json!({"calendarId": "primary", "eventId": ev["id"]}),
        Some(json!({"summary": "guarded v2"})),
        options,
    )
    .unwrap_err();
    // The first attempt changed the ETag, so the repeat's 412 proves nothing either way.
    assert_outcome_unknown(&err, "events.patch", "events.get");
    assert_eq!(err.http_status(), 412);
}

#[test]
fn a_write_whose_every_answer_is_lost_answers_outcome_unknown() {
    let emulator = Emulator::start();
    let client = client_for(&emulator);
    let ev = direct(
        &emulator,
        "POST",
        "/calendars/primary/events",
        Some(event("flaky")),
    );
    emulator.admin().add_fault(Fault {
        method: Some("events.update".into()),
        drop: Some(DropWhen::After),
        times: Some(100),
        ..Fault::default()
    });
    emulator.admin().clear_requests();
    let options = CallOptions {
        max_attempts: Some(3),
        ..CallOptions::default()
    };
    let err = call_with(
        &client,
        "events.update",
        json!({"calendarId": "primary", "eventId": ev["id"]}),
        Some(event("flaky v2")),
        options,
    )
    .unwrap_err();
    assert_outcome_unknown(&err, "events.update", "events.get");
    assert_eq!(support::count_requests(&emulator, "events.update"), 3);
}

#[test]
fn a_read_whose_answer_is_lost_stays_a_network_error() {
    let emulator = Emulator::start();
    let client = client_for(&emulator);
    emulator.admin().add_fault(Fault {
        method: Some("colors.get".into()),
        drop: Some(DropWhen::After),
        times: Some(100),
        ..Fault::default()
    });
    let err = call(&client, "colors.get", json!({}), None).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network, "{err:?}");
}

#[test]
fn rate_limits_are_retried_for_every_write() {
    let emulator = Emulator::start();
    let client = client_for(&emulator);
    let dest = new_calendar(&emulator, "destination");
    let ev = direct(
        &emulator,
        "POST",
        "/calendars/primary/events",
        Some(event("moving")),
    );
    let no_id = CallOptions {
        generate_id: Some(false),
        ..CallOptions::default()
    };
    let cases = [
        (
            "events.quickAdd",
            json!({"calendarId": "primary", "text": "Tea at 4pm"}),
            None,
            CallOptions::default(),
        ),
        (
            "events.move",
            json!({"calendarId": "primary", "eventId": ev["id"], "destination": dest}),
            None,
            CallOptions::default(),
        ),
        (
            "calendars.insert",
            json!({}),
            Some(json!({"summary": "rate limited"})),
            CallOptions::default(),
        ),
        (
            "calendars.clear",
            json!({"calendarId": "primary"}),
            None,
            CallOptions::default(),
        ),
        (
            "acl.insert",
            json!({"calendarId": "primary"}),
            Some(json!({"role": "reader", "scope": {"type": "user", "value": "dan@example.com"}})),
            CallOptions::default(),
        ),
        (
            "events.insert",
            json!({"calendarId": "primary"}),
            Some(event("no id")),
            no_id,
        ),
    ];
    for (status, reason) in [(429, None), (403, Some("userRateLimitExceeded"))] {
        for (method, params, body, options) in cases.clone() {
            // A rate limit applied nothing: repeating is always safe.
            let mut params = params;
            if method == "events.move" && status == 403 {
                // Moved back for the second round.
                params["calendarId"] = json!(dest);
                params["destination"] = json!("primary");
            }
            emulator.admin().add_fault(Fault {
                retry_after: Some(0),
                reason: reason.map(str::to_string),
                ..Fault::status(method, status)
            });
            emulator.admin().clear_requests();
            let answer = call_with(&client, method, params, body, options);
            assert!(answer.is_ok(), "{method} after {status}: {answer:?}");
            assert_eq!(support::count_requests(&emulator, method), 2, "{method}");
        }
    }
}

fn batch(client: &Client, calls: Vec<BatchCall>, chunk: usize) -> Vec<Value> {
    let c = client.clone();
    runtime::block_on(async move {
        c.batch(
            &calls,
            &BatchOptions {
                chunk_size: chunk,
                concurrency: 1,
            },
        )
        .await
    })
    .unwrap()
}

fn batch_call(method: &str, params: Value, body: Option<Value>) -> BatchCall {
    BatchCall {
        method: method.into(),
        params,
        body,
    }
}

#[test]
fn a_batch_whose_answer_was_lost_answers_each_call_in_its_place() {
    let emulator = Emulator::start();
    let client = client_for(&emulator);
    lose_answer(&emulator, "events.quickAdd");
    let results = batch(
        &client,
        vec![
            batch_call(
                "events.insert",
                json!({"calendarId": "primary"}),
                Some(event("first chunk")),
            ),
            batch_call("colors.get", json!({}), None),
            batch_call(
                "events.quickAdd",
                json!({"calendarId": "primary", "text": "Dinner at 8pm"}),
                None,
            ),
            batch_call("colors.get", json!({}), None),
        ],
        2,
    );
    // The first chunk's calls happened and say so.
    assert_eq!(results[0]["status"], 200, "{results:?}");
    assert_eq!(results[0]["body"]["summary"], "first chunk");
    assert_eq!(results[1]["status"], 200, "{results:?}");
    // The second chunk's answer was lost: the write may have happened, the read simply failed.
    assert_eq!(results[2]["status"], 0, "{results:?}");
    assert_eq!(
        results[2]["error"]["kind"], "OUTCOME_UNKNOWN",
        "{results:?}"
    );
    let message = results[2]["error"]["message"].as_str().unwrap();
    assert!(message.contains("may have been applied"), "{message}");
    assert!(message.contains("events.quickAdd"), "{message}");
    assert_eq!(results[3]["error"]["kind"], "NETWORK_ERROR", "{results:?}");
    assert_eq!(support::count_events(&client), 2, "the quickAdd happened");
}

#[test]
fn a_batch_delete_whose_answer_was_lost_succeeds() {
    let emulator = Emulator::start();
    let client = client_for(&emulator);
    let ev = direct(
        &emulator,
        "POST",
        "/calendars/primary/events",
        Some(event("doomed")),
    );
    lose_answer(&emulator, "events.delete");
    let results = batch(
        &client,
        vec![batch_call(
            "events.delete",
            json!({"calendarId": "primary", "eventId": ev["id"]}),
            None,
        )],
        50,
    );
    assert_eq!(results[0]["status"], 204, "{results:?}");
    assert_eq!(results[0]["body"], json!({}));
    assert_eq!(support::count_requests(&emulator, "batch"), 2);
}

#[test]
fn rate_limited_batch_parts_are_retried_even_for_writes_that_cannot_be_repeated() {
    let emulator = Emulator::start();
    let client = client_for(&emulator);
    emulator.admin().add_fault(Fault {
        retry_after: Some(0),
        ..Fault::status("events.quickAdd", 429)
    });
    let results = batch(
        &client,
        vec![batch_call(
            "events.quickAdd",
            json!({"calendarId": "primary", "text": "Standup 9am"}),
            None,
        )],
        50,
    );
    assert_eq!(results[0]["status"], 200, "{results:?}");
    assert_eq!(support::count_requests(&emulator, "events.quickAdd"), 2);
    assert_eq!(support::count_events(&client), 1);
}

#[test]
fn an_insert_whose_every_answer_is_lost_names_the_id_to_read_it_back_by() {
    let emulator = Emulator::start();
    let client = client_for(&emulator);
    emulator.admin().add_fault(Fault {
        method: Some("events.insert".into()),
        drop: Some(DropWhen::After),
        times: Some(100),
        ..Fault::default()
    });
    let options = CallOptions {
        max_attempts: Some(2),
        ..CallOptions::default()
    };
    let err = call_with(
        &client,
        "events.insert",
        json!({"calendarId": "primary"}),
        Some(event("ours")),
        options,
    )
    .unwrap_err();
    assert_outcome_unknown(&err, "events.insert", "events.get");
    assert!(err.message().contains("safe"), "{err}");
    // The message names the generated id, which finds the one event made.
    let (_, items) = emulator
        .admin()
        .call(USER, "GET", "/calendars/primary/events", &[], None);
    let id = items.unwrap()["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(err.message().contains(&id), "{err}");
    assert_eq!(support::count_events(&client), 1);
}
