//! Calendar calls through the Rust API against the emulator: effects, errors, retries, ETags, paging,
//! sync, and validation that happens before any request.

mod support;

use support::clients::{call, call_with, minted_config};

use gcal_emulator::{DropWhen, Emulator, Fault};
use qorus_gcal::calendar::call::CallOptions;
use qorus_gcal::calendar::pager::Pager;
use qorus_gcal::oauth::grant::now_unix;
use qorus_gcal::{Client, ErrorKind, runtime};
use serde_json::{Value, json};

const USER: &str = "user@example.com";

fn client_for(emulator: &Emulator, scopes: &[&str]) -> Client {
    Client::from_json(&minted_config(emulator, scopes, Some(now_unix() + 3000))).unwrap()
}

fn event(summary: &str, day: u32) -> Value {
    json!({"summary": summary,
           "start": {"dateTime": format!("2030-01-{day:02}T10:00:00Z")},
           "end": {"dateTime": format!("2030-01-{day:02}T11:00:00Z")}})
}

/// Inserts events straight into the emulator's store (no HTTP), for bulk set-up.
fn seed_events(emulator: &Emulator, n: usize) {
    for i in 0..n {
        let (status, _) = emulator.admin().call(
            USER,
            "POST",
            "/calendars/primary/events",
            &[],
            Some(&event(&format!("seeded {i}"), (i % 28 + 1) as u32)),
        );
        assert_eq!(status, 200);
    }
}

#[test]
fn an_event_round_trip_with_the_calendar_prefix_and_without() {
    let emulator = Emulator::start();
    let client = client_for(&emulator, &[]);
    let created = call(
        &client,
        "calendar.events.insert",
        json!({"calendarId": "primary"}),
        Some(event("Planning", 3)),
    )
    .unwrap();
    let id = created["id"].as_str().unwrap().to_string();
    assert!(
        id.chars().all(|c| matches!(c, '0'..='9' | 'a'..='v')),
        "generated base32hex id {id}"
    );

    let got = call(
        &client,
        "events.get",
        json!({"calendarId": "primary", "eventId": id}),
        None,
    )
    .unwrap();
    assert_eq!(got["summary"], "Planning");
    let patched = call(
        &client,
        "events.patch",
        json!({"calendarId": "primary", "eventId": id}),
        Some(json!({"summary": "Planning v2"})),
    )
    .unwrap();
    assert_eq!(patched["summary"], "Planning v2");
    let deleted = call(
        &client,
        "events.delete",
        json!({"calendarId": "primary", "eventId": id}),
        None,
    )
    .unwrap();
    assert_eq!(deleted, json!({}), "an empty answer is {{}}");
    let err = call(
        &client,
        "events.get",
        json!({"calendarId": "primary", "eventId": "nosuchevent1"}),
        None,
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Http);
    assert_eq!(err.http_status(), 404);
    assert_eq!(err.reason(), Some("notFound"));
}

#[test]
fn calendar_ids_with_at_and_hash_are_percent_encoded() {
    let emulator = Emulator::start();
    let client = client_for(&emulator, &[]);
    let cal = call(
        &client,
        "calendars.insert",
        json!({}),
        Some(json!({"summary": "Team #1"})),
    )
    .unwrap();
    let id = cal["id"].as_str().unwrap().to_string();
    assert!(id.contains('@'));
    let got = call(&client, "calendars.get", json!({"calendarId": id}), None).unwrap();
    assert_eq!(got["summary"], "Team #1");
    let entry = call(
        &client,
        "calendarList.get",
        json!({"calendarId": USER}),
        None,
    )
    .unwrap();
    assert_eq!(entry["id"], USER);
}

#[test]
fn bad_calls_are_refused_before_any_request() {
    let emulator = Emulator::start();
    let client = client_for(&emulator, &[]);
    emulator.admin().clear_requests();
    let cases: Vec<(&str, Value, Option<Value>, ErrorKind, &str)> = vec![
        (
            "events.lisst",
            json!({}),
            None,
            ErrorKind::UnknownMethod,
            "events.lisst",
        ),
        (
            "events.list",
            json!({}),
            None,
            ErrorKind::InvalidArgument,
            "calendarId",
        ),
        (
            "events.list",
            json!({"calendarId": "primary", "maxResult": 5}),
            None,
            ErrorKind::InvalidArgument,
            "maxResult",
        ),
        (
            "events.list",
            json!({"calendarId": "primary", "maxResults": "many"}),
            None,
            ErrorKind::InvalidArgument,
            "maxResults",
        ),
        (
            "events.list",
            json!({"calendarId": "primary", "orderBy": "random"}),
            None,
            ErrorKind::InvalidArgument,
            "orderBy",
        ),
        (
            "events.list",
            json!({"calendarId": "primary", "orderBy": "startTime"}),
            None,
            ErrorKind::InvalidArgument,
            "singleEvents",
        ),
        (
            "events.list",
            json!({"calendarId": "primary", "syncToken": "x", "q": "y"}),
            None,
            ErrorKind::InvalidArgument,
            "q",
        ),
        (
            "events.list",
            json!({"calendarId": "primary", "timeMin": "yesterday"}),
            None,
            ErrorKind::InvalidArgument,
            "timeMin",
        ),
        (
            "events.list",
            json!({"calendarId": 7}),
            None,
            ErrorKind::InvalidArgument,
            "calendarId",
        ),
        (
            "events.insert",
            json!({"calendarId": "primary"}),
            None,
            ErrorKind::InvalidArgument,
            "body",
        ),
        (
            "events.get",
            json!({"calendarId": "primary", "eventId": "a"}),
            Some(json!({"x": 1})),
            ErrorKind::InvalidArgument,
            "body",
        ),
        (
            "calendars.transferOwnership",
            json!({"calendarId": "primary"}),
            None,
            ErrorKind::InvalidArgument,
            "newDataOwner",
        ),
    ];
    for (method, params, body, kind, needle) in cases {
        let err = call(&client, method, params.clone(), body).unwrap_err();
        assert_eq!(err.kind(), kind, "{method} {params}: {err}");
        assert!(
            err.message().contains(needle),
            "{method} {params}: {:?} lacks {needle}",
            err.message()
        );
    }
    assert_eq!(
        emulator.admin().requests().len(),
        0,
        "nothing reached the emulator"
    );
}

#[test]
fn rate_limits_and_server_errors_are_retried_to_success() {
    let emulator = Emulator::start();
    let client = client_for(&emulator, &[]);
    emulator
        .admin()
        .add_fault(Fault::status("calendarList.list", 429).times(2));
    emulator.admin().add_fault(Fault {
        reason: Some("rateLimitExceeded".into()),
        ..Fault::status("calendarList.list", 403).times(1)
    });
    emulator
        .admin()
        .add_fault(Fault::status("calendarList.list", 503).times(1));
    emulator.admin().clear_requests();
    let list = call(&client, "calendarList.list", json!({}), None).unwrap();
    assert_eq!(list["items"][0]["id"], USER);
    assert_eq!(support::count_requests(&emulator, "calendarList.list"), 5);
}

#[test]
fn a_non_retryable_error_is_not_repeated_and_retries_give_up() {
    let emulator = Emulator::start();
    let client = client_for(&emulator, &[]);
    emulator.admin().add_fault(Fault {
        reason: Some("forbidden".into()),
        ..Fault::status("colors.get", 403).times(1)
    });
    emulator.admin().clear_requests();
    let err = call(&client, "colors.get", json!({}), None).unwrap_err();
    assert_eq!((err.http_status(), err.reason()), (403, Some("forbidden")));
    assert_eq!(support::count_requests(&emulator, "colors.get"), 1);

    emulator
        .admin()
        .add_fault(Fault::status("colors.get", 503).times(100));
    emulator.admin().clear_requests();
    let options = CallOptions {
        max_attempts: Some(3),
        ..Default::default()
    };
    let err = call_with(&client, "colors.get", json!({}), None, options).unwrap_err();
    assert_eq!(err.http_status(), 503);
    assert!(err.message().contains("after 3 attempts"), "{err}");
    assert_eq!(support::count_requests(&emulator, "colors.get"), 3);
}

#[test]
fn an_insert_whose_answer_is_lost_yields_exactly_one_event() {
    let emulator = Emulator::start();
    let client = client_for(&emulator, &[]);
    emulator.admin().add_fault(Fault {
        method: Some("events.insert".into()),
        drop: Some(DropWhen::After),
        times: Some(1),
        ..Default::default()
    });
    let created = call(
        &client,
        "events.insert",
        json!({"calendarId": "primary"}),
        Some(event("Once", 5)),
    )
    .unwrap();
    assert_eq!(created["summary"], "Once");
    assert_eq!(
        support::count_events(&client),
        1,
        "the retried insert made no duplicate"
    );
    assert!(support::count_requests(&emulator, "events.insert") >= 2);
}

#[test]
fn without_a_generated_id_an_insert_is_not_retried_after_a_lost_answer_and_its_outcome_is_unknown()
{
    let emulator = Emulator::start();
    let client = client_for(&emulator, &[]);
    emulator.admin().add_fault(Fault {
        method: Some("events.insert".into()),
        drop: Some(DropWhen::After),
        times: Some(1),
        ..Default::default()
    });
    let options = CallOptions {
        generate_id: Some(false),
        ..Default::default()
    };
    let err = call_with(
        &client,
        "events.insert",
        json!({"calendarId": "primary"}),
        Some(event("Maybe", 6)),
        options,
    )
    .unwrap_err();
    // The insert happened, but nothing the API offers can tell: never a plain network error.
    assert_eq!(err.kind(), ErrorKind::OutcomeUnknown, "{err:?}");
    assert_eq!(
        support::count_requests(&emulator, "events.insert"),
        1,
        "a plain POST is never repeated"
    );
}

#[test]
fn two_writers_with_if_match_one_wins_one_gets_precondition_failed() {
    let emulator = Emulator::start();
    let client = client_for(&emulator, &[]);
    let created = call(
        &client,
        "events.insert",
        json!({"calendarId": "primary"}),
        Some(event("Shared", 7)),
    )
    .unwrap();
    let params = json!({"calendarId": "primary", "eventId": created["id"]});
    let etag = created["etag"].as_str().unwrap().to_string();
    let guarded = || CallOptions {
        if_match: Some(etag.clone()),
        ..Default::default()
    };

    let first = call_with(
        &client,
        "events.patch",
        params.clone(),
        Some(json!({"summary": "A"})),
        guarded(),
    );
    let second = call_with(
        &client,
        "events.patch",
        params.clone(),
        Some(json!({"summary": "B"})),
        guarded(),
    );
    assert!(first.is_ok());
    let err = second.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PreconditionFailed);
    assert_eq!(err.http_status(), 412);
    let now = call(&client, "events.get", params.clone(), None).unwrap();
    assert_eq!(now["summary"], "A", "nothing was silently overwritten");

    let cached = CallOptions {
        if_none_match: Some(now["etag"].as_str().unwrap().into()),
        ..Default::default()
    };
    let err = call_with(&client, "events.get", params, None, cached).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotModified);
}

#[test]
fn an_unexpected_401_refreshes_once_and_succeeds() {
    let emulator = Emulator::start();
    let client = client_for(&emulator, &[]);
    emulator.admin().expire_access_tokens();
    emulator.admin().clear_requests();
    assert!(call(&client, "colors.get", json!({}), None).is_ok());
    assert_eq!(support::count_requests(&emulator, "token"), 1);
    assert_eq!(support::count_requests(&emulator, "colors.get"), 2);
}

#[test]
fn a_revoked_grant_on_a_call_answers_consent_required() {
    let emulator = Emulator::start();
    let client = client_for(&emulator, &[]);
    emulator.admin().revoke_grants(Default::default());
    let err = call(&client, "colors.get", json!({}), None).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConsentRequired);
    assert!(err.message().contains("consent again"), "{err}");
}

#[test]
fn a_read_only_grant_gets_a_clear_error_on_the_first_write() {
    let emulator = Emulator::start();
    let client = client_for(
        &emulator,
        &["https://www.googleapis.com/auth/calendar.readonly"],
    );
    assert!(
        call(
            &client,
            "events.list",
            json!({"calendarId": "primary"}),
            None
        )
        .is_ok()
    );
    let err = call(
        &client,
        "events.insert",
        json!({"calendarId": "primary"}),
        Some(event("No", 8)),
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InsufficientScope);
    assert!(err.message().contains("calendar.readonly"), "{err}");
}

#[test]
fn paging_ten_thousand_events_fifty_at_a_time() {
    let emulator = Emulator::start();
    seed_events(&emulator, 10_000);
    let client = client_for(&emulator, &[]);
    emulator.admin().clear_requests();
    let mut pager = Pager::new(
        client.clone(),
        "events.list",
        &json!({"calendarId": "primary", "maxResults": 50}),
    )
    .unwrap();
    let (pages, ids) = runtime::block_on(async move {
        let mut pages = 0;
        let mut ids = std::collections::HashSet::new();
        while let Some(page) = pager.next_page().await? {
            pages += 1;
            assert!(page.items.len() <= 50);
            for item in page.items {
                ids.insert(item["id"].as_str().unwrap().to_string());
            }
        }
        Ok((pages, ids))
    })
    .unwrap();
    assert_eq!(ids.len(), 10_000, "every event exactly once");
    assert_eq!(pages, 200);
    assert_eq!(support::count_requests(&emulator, "events.list"), 200);
}

#[test]
fn short_and_empty_pages_do_not_end_the_listing() {
    let emulator = Emulator::start();
    seed_events(&emulator, 30);
    let client = client_for(&emulator, &[]);
    emulator.admin().add_fault(Fault {
        page_limit: Some(0),
        ..Fault {
            method: Some("events.list".into()),
            ..Default::default()
        }
        .times(1)
    });
    emulator.admin().add_fault(Fault {
        page_limit: Some(3),
        ..Fault {
            method: Some("events.list".into()),
            ..Default::default()
        }
        .times(2)
    });
    assert_eq!(support::count_events(&client), 30);
    let c = client.clone();
    let first_five = runtime::block_on(async move {
        c.list_all(
            "events.list",
            &json!({"calendarId": "primary", "maxResults": 4}),
            5,
        )
        .await
    })
    .unwrap();
    assert_eq!(first_five.len(), 5);
}

#[test]
fn sync_sees_inserts_updates_and_deletes_then_handles_expiry() {
    let emulator = Emulator::start();
    seed_events(&emulator, 5);
    let client = client_for(&emulator, &[]);
    let sync = |token: Option<String>, resync: bool| {
        let c = client.clone();
        runtime::block_on(async move {
            c.sync(
                "events.list",
                &json!({"calendarId": "primary", "maxResults": 2}),
                token.as_deref(),
                resync,
            )
            .await
        })
    };
    let full = sync(None, false).unwrap();
    assert_eq!(full.items.len(), 5);
    let token = full.next_sync_token.clone().expect("a sync token");

    let added = call(
        &client,
        "events.insert",
        json!({"calendarId": "primary"}),
        Some(event("New", 9)),
    )
    .unwrap();
    let victim = full.items[0]["id"].as_str().unwrap();
    call(
        &client,
        "events.delete",
        json!({"calendarId": "primary", "eventId": victim}),
        None,
    )
    .unwrap();
    let changed = full.items[1]["id"].as_str().unwrap();
    call(
        &client,
        "events.patch",
        json!({"calendarId": "primary", "eventId": changed}),
        Some(json!({"summary": "Changed"})),
    )
    .unwrap();

    let delta = sync(Some(token.clone()), false).unwrap();
    let by_id = |id: &str| delta.items.iter().find(|e| e["id"] == id).cloned();
    assert_eq!(delta.items.len(), 3, "{:?}", delta.items);
    assert_eq!(
        by_id(added["id"].as_str().unwrap()).unwrap()["summary"],
        "New"
    );
    assert_eq!(by_id(victim).unwrap()["status"], "cancelled");
    assert_eq!(by_id(changed).unwrap()["summary"], "Changed");
    assert!(delta.next_sync_token.is_some());

    emulator.admin().expire_sync_tokens();
    let err = sync(Some(token.clone()), false).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SyncTokenExpired);
    assert_eq!(err.http_status(), 410);
    let redone = sync(Some(token), true).unwrap();
    assert!(redone.full_resync);
    assert_eq!(redone.items.len(), 5, "four seeded left plus the new one");

    let c = client.clone();
    let err = runtime::block_on(async move {
        c.sync(
            "events.list",
            &json!({"calendarId": "primary", "q": "x"}),
            Some("tok"),
            false,
        )
        .await
    })
    .unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::InvalidArgument,
        "forbidden with a sync token: {err}"
    );
}

/// The page answer without its sync token, which each listing may mint afresh.
fn without_sync_token(mut page: Value) -> (Value, bool) {
    let had = page
        .as_object_mut()
        .and_then(|p| p.remove("next_sync_token"))
        .is_some_and(|t| t.is_string());
    (page, had)
}

#[test]
fn the_text_paths_answer_what_the_value_paths_answer() {
    let emulator = Emulator::start();
    seed_events(&emulator, 23);
    let client = client_for(&emulator, &[]);
    let params = json!({"calendarId": "primary", "maxResults": 5});
    // An empty first page on the text side's listing: the pager keeps going all the same.
    emulator.admin().add_fault(
        Fault {
            method: Some("events.list".into()),
            page_limit: Some(0),
            ..Default::default()
        }
        .times(1),
    );
    let (values, texts) = {
        let (c, p) = (client.clone(), params.clone());
        runtime::block_on(async move {
            let mut text_pager = Pager::new(c.clone(), "events.list", &p)?;
            let mut texts = Vec::new();
            while let Some(page) = text_pager.next_page_text(usize::MAX).await? {
                texts.push(serde_json::from_str::<Value>(&page.to_json_text()).unwrap());
            }
            let mut value_pager = Pager::new(c, "events.list", &p)?;
            let mut values = Vec::new();
            while let Some(page) = value_pager.next_page().await? {
                values.push(page.to_json());
            }
            Ok((values, texts))
        })
        .unwrap()
    };
    let items = |pages: &[Value]| -> Vec<Value> {
        pages
            .iter()
            .flat_map(|p| p["items"].as_array().unwrap().clone())
            .collect()
    };
    assert_eq!(items(&texts), items(&values), "the same 23 events in order");
    assert_eq!(items(&texts).len(), 23);
    assert_eq!(
        texts[0],
        json!({"items": [], "more": true}),
        "the empty page"
    );
    assert_eq!(texts.len(), values.len() + 1);
    for (i, (text, value)) in texts[1..].iter().zip(&values).enumerate() {
        let (text, text_token) = without_sync_token(text.clone());
        let (value, value_token) = without_sync_token(value.clone());
        assert_eq!(text, value, "page {i}");
        assert_eq!(
            text_token,
            i == values.len() - 1,
            "only the last page has the sync token"
        );
        assert_eq!(value_token, text_token);
    }

    for max in [0, 7] {
        let (c, p) = (client.clone(), params.clone());
        let (text, value) = runtime::block_on(async move {
            Ok((
                c.list_all_text("events.list", &p, max).await?,
                c.list_all("events.list", &p, max).await?,
            ))
        })
        .unwrap();
        let text: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(text, Value::Array(value), "list_all, max_items {max}");
        assert_eq!(
            text.as_array().unwrap().len(),
            if max == 0 { 23 } else { 7 }
        );
    }

    let sync = |token: Option<String>, resync: bool| {
        let (c, p) = (client.clone(), params.clone());
        runtime::block_on(async move {
            let text = c
                .sync_text("events.list", &p, token.as_deref(), resync)
                .await?;
            let value = c.sync("events.list", &p, token.as_deref(), resync).await?;
            Ok((
                serde_json::from_str::<Value>(&text).unwrap(),
                value.to_json(),
            ))
        })
    };
    let (text, value) = sync(None, false).unwrap();
    let token = text["next_sync_token"]
        .as_str()
        .expect("a token")
        .to_string();
    assert_eq!(text["items"], value["items"]);
    assert_eq!(text["full_resync"], false);
    emulator.admin().expire_sync_tokens();
    let err = sync(Some(token.clone()), false).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SyncTokenExpired);
    let (text, value) = sync(Some(token), true).unwrap();
    assert_eq!(text["full_resync"], true);
    assert_eq!(text["items"], value["items"]);
    assert_eq!(text["items"].as_array().unwrap().len(), 23);
    assert!(text["next_sync_token"].is_string());
}
