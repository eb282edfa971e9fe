//! Batches against the emulator: 1,000 inserts in 20 requests, per-call results in order, invalid
//! calls answered without being sent, transient failures retried.

mod support;

use support::clients::client_for;

use gcal_emulator::{DropWhen, Emulator, Fault};
use qorus_gcal::calendar::batch::{BatchCall, BatchCallJson, BatchOptions};
use qorus_gcal::{Client, runtime};
use serde_json::{Value, json};

fn insert(i: usize) -> BatchCall {
    BatchCall {
        method: "events.insert".into(),
        params: json!({"calendarId": "primary"}),
        body: Some(json!({"summary": format!("batch {i}"),
                          "start": {"date": "2030-02-01"}, "end": {"date": "2030-02-02"}})),
    }
}

fn run(client: &Client, calls: Vec<BatchCall>, chunk: usize) -> Vec<Value> {
    runtime::block_on(client.batch(&calls, &BatchOptions::chunks_of(chunk))).unwrap()
}

#[test]
fn a_thousand_inserts_make_a_thousand_events_in_twenty_requests() {
    let emulator = Emulator::start();
    let client = client_for(&emulator);
    emulator.admin().clear_requests();
    let results = run(&client, (0..1000).map(insert).collect(), 50);
    assert_eq!(results.len(), 1000);
    for (i, r) in results.iter().enumerate() {
        assert_eq!(r["status"], 200, "{r}");
        assert_eq!(
            r["body"]["summary"],
            format!("batch {i}"),
            "results stay in order"
        );
    }
    let batches = support::count_requests(&emulator, "batch");
    assert_eq!(batches, 20);
    let c = client.clone();
    let all = runtime::block_on(async move {
        c.list_all(
            "events.list",
            &json!({"calendarId": "primary", "maxResults": 2500}),
            0,
        )
        .await
    })
    .unwrap();
    assert_eq!(all.len(), 1000);
}

#[test]
fn invalid_calls_are_answered_in_place_without_being_sent() {
    let emulator = Emulator::start();
    let client = client_for(&emulator);
    let calls = vec![
        insert(0),
        BatchCall {
            method: "events.nope".into(),
            params: json!({}),
            body: None,
        },
        BatchCall {
            method: "events.get".into(),
            params: json!({"calendarId": "primary", "eventId": "missing00"}),
            body: None,
        },
        BatchCall {
            method: "colors.get".into(),
            params: Value::Null,
            body: None,
        },
    ];
    let results = run(&client, calls, 50);
    assert_eq!(results[0]["status"], 200);
    assert_eq!(results[1]["status"], 0);
    assert_eq!(results[1]["error"]["kind"], "UNKNOWN_METHOD");
    assert_eq!(results[2]["status"], 404);
    assert_eq!(results[2]["error"]["reason"], "notFound");
    assert!(results[3]["body"]["event"].is_object());
    let inner: usize = emulator
        .admin()
        .requests()
        .iter()
        .filter(|r| r.in_batch)
        .count();
    assert_eq!(inner, 3, "the unknown method never left the library");
}

#[test]
fn a_chunk_of_only_invalid_calls_sends_no_request() {
    let emulator = Emulator::start();
    let client = client_for(&emulator);
    emulator.admin().clear_requests();
    let nope = || BatchCall {
        method: "events.nope".into(),
        params: json!({}),
        body: None,
    };
    // Chunks of two: [insert, nope], [nope, nope], [insert].
    let calls = vec![insert(0), nope(), nope(), nope(), insert(4)];
    let results = run(&client, calls, 2);
    let statuses: Vec<&Value> = results.iter().map(|r| &r["status"]).collect();
    assert_eq!(statuses, [200, 0, 0, 0, 200]);
    assert_eq!(results[4]["body"]["summary"], "batch 4");
    let batches = support::count_requests(&emulator, "batch");
    assert_eq!(batches, 2, "the chunk with nothing valid was never sent");
}

#[test]
fn transient_failures_inside_a_batch_are_retried() {
    let emulator = Emulator::start();
    let client = client_for(&emulator);
    emulator
        .admin()
        .add_fault(Fault::status("events.insert", 503).times(3));
    let results = run(&client, (0..10).map(insert).collect(), 5);
    assert!(results.iter().all(|r| r["status"] == 200), "{results:?}");
    assert_eq!(
        support::count_events(&client),
        10,
        "no duplicates from the retries"
    );
}

#[test]
fn chunk_sizes_and_concurrency_out_of_range_are_refused() {
    let emulator = Emulator::start();
    let client = client_for(&emulator);
    emulator.admin().clear_requests();
    for bad in [0, 1001] {
        let options = BatchOptions::chunks_of(bad);
        let err = runtime::block_on(client.batch(&[insert(0)], &options)).unwrap_err();
        assert!(err.message().contains("chunk size"), "{err}");
    }
    for bad in [0, 17] {
        let options = BatchOptions {
            concurrency: bad,
            ..BatchOptions::default()
        };
        let err = runtime::block_on(client.batch_text(&[insert(0)], &options)).unwrap_err();
        assert!(err.message().contains("concurrency"), "{err}");
    }
    assert!(emulator.admin().requests().is_empty(), "nothing was sent");
}

#[test]
fn chunks_in_flight_side_by_side_keep_every_result_in_its_place() {
    let emulator = Emulator::start();
    let client = client_for(&emulator);
    emulator.admin().clear_requests();
    let mut calls: Vec<BatchCall> = (0..95).map(insert).collect();
    calls[40].method = "events.nope".into();
    let options = BatchOptions {
        chunk_size: 7,
        concurrency: 4,
    };
    let results = runtime::block_on(client.batch(&calls, &options)).unwrap();
    assert_eq!(results.len(), 95);
    for (i, r) in results.iter().enumerate() {
        if i == 40 {
            assert_eq!(r["error"]["kind"], "UNKNOWN_METHOD", "{r}");
        } else {
            assert_eq!(r["body"]["summary"], format!("batch {i}"), "{r}");
        }
    }
    let batches = support::count_requests(&emulator, "batch");
    assert_eq!(batches, 94_usize.div_ceil(7));
}

#[test]
fn batch_text_is_the_same_results_as_compact_json() {
    let emulator = Emulator::start();
    let client = client_for(&emulator);
    let mut calls: Vec<BatchCall> = (0..5).map(insert).collect();
    calls.push(BatchCall {
        method: "events.get".into(),
        params: json!({"calendarId": "primary", "eventId": "missing00"}),
        body: None,
    });
    let text = runtime::block_on(client.batch_text(&calls, &BatchOptions::chunks_of(2))).unwrap();
    assert!(
        !text.contains('\n') && !text.contains("\": "),
        "compact: {text}"
    );
    let results: Vec<Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(results.len(), 6);
    for (i, r) in results.iter().take(5).enumerate() {
        assert_eq!(r["status"], 200);
        assert_eq!(r["body"]["summary"], format!("batch {i}"));
        assert!(r["body"]["id"].is_string());
    }
    assert_eq!(results[5]["status"], 404);
    assert_eq!(results[5]["error"]["kind"], "HTTP_ERROR");
    assert_eq!(results[5]["error"]["reason"], "notFound");
}

#[test]
fn calls_given_as_json_text_answer_as_calls_given_as_values() {
    // Spacing in a body, an id of the caller's, escapes in a method name, and calls refused in place.
    let text = r#"[
        {"method": "events.insert", "params": {"calendarId": "primary"},
         "body": { "summary" : "spaced", "start": {"date": "2030-02-01"}, "end": {"date": "2030-02-02"} }},
        {"method": "events.insert", "params": {"calendarId": "primary"},
         "body": {"id": "caller0001", "summary": "own", "start": {"date": "2030-02-01"}, "end": {"date": "2030-02-02"}}},
        {"method": "events.\u0069nsert", "params": {"calendarId": "primary"},
         "body": {"summary": "escaped", "start": {"date": "2030-02-01"}, "end": {"date": "2030-02-02"}}},
        {"method": "events.insert", "params": {"calendarId": "primary"}, "body": [1]},
        {"method": "events.insert", "params": "primary", "body": {}},
        {"method": "events.list", "params": {"calendarId": "primary"}, "body": {}},
        {"method": "events.get", "params": {"calendarId": "primary"}},
        {"method": "colors.get"},
        {"method": "colors.get", "params": null, "body": null}
    ]"#;
    let as_values: Vec<BatchCall> = serde_json::from_str(text).unwrap();
    let as_text: Vec<BatchCallJson<'_>> = serde_json::from_str(text).unwrap();
    let options = BatchOptions::chunks_of(4);
    let emulator = Emulator::start();
    let from_values = run(&client_for(&emulator), as_values, 4);
    let other = Emulator::start();
    let answer = runtime::block_on(client_for(&other).batch_json(&as_text, &options)).unwrap();
    let from_text: Vec<Value> = serde_json::from_str(&answer).unwrap();

    let statuses: Vec<&Value> = from_text.iter().map(|r| &r["status"]).collect();
    assert_eq!(statuses, [200, 200, 200, 0, 0, 0, 0, 200, 200]);
    for (i, (t, v)) in from_text.iter().zip(&from_values).enumerate() {
        assert_eq!(t["status"], v["status"], "call {i}");
        assert_eq!(t["error"], v["error"], "call {i}");
        assert_eq!(t["body"]["summary"], v["body"]["summary"], "call {i}");
    }
    assert_eq!(from_text[0]["body"]["summary"], "spaced");
    let generated = from_text[0]["body"]["id"].as_str().unwrap();
    assert!(
        generated.len() >= 5,
        "an insert without an id gets one: {generated}"
    );
    assert_eq!(from_text[1]["body"]["id"], "caller0001");
    assert_eq!(from_text[2]["body"]["summary"], "escaped");
    assert!(
        from_text[3]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("must be a JSON object, not an array")
    );
    assert!(from_text[7]["body"]["event"].is_object());
}

#[test]
fn a_batch_whose_answer_is_lost_yields_exactly_one_event_per_insert() {
    // The first insert is stored, then the connection drops: the whole batch is sent again and that
    // insert answers 409 for its own generated id, which the batch turns into the stored event.
    let text = r#"[{"method": "events.insert", "params": {"calendarId": "primary"},
                    "body": {"summary": "lost", "start": {"date": "2030-02-01"}, "end": {"date": "2030-02-02"}}},
                   {"method": "events.insert", "params": {"calendarId": "primary"},
                    "body": {"summary": "kept", "start": {"date": "2030-02-01"}, "end": {"date": "2030-02-02"}}}]"#;
    let as_values: Vec<BatchCall> = serde_json::from_str(text).unwrap();
    let as_text: Vec<BatchCallJson<'_>> = serde_json::from_str(text).unwrap();
    for json_form in [false, true] {
        let emulator = Emulator::start();
        let client = client_for(&emulator);
        emulator.admin().add_fault(Fault {
            method: Some("events.insert".into()),
            drop: Some(DropWhen::After),
            times: Some(1),
            ..Default::default()
        });
        let results: Vec<Value> = if json_form {
            let answer = runtime::block_on(client.batch_json(&as_text, &BatchOptions::default()));
            serde_json::from_str(&answer.unwrap()).unwrap()
        } else {
            run(&client, as_values.clone(), 50)
        };
        let summaries: Vec<&Value> = results.iter().map(|r| &r["body"]["summary"]).collect();
        assert_eq!(
            summaries,
            ["lost", "kept"],
            "json form {json_form}: {results:?}"
        );
        assert_eq!(
            support::count_events(&client),
            2,
            "json form {json_form}: no duplicates"
        );
        let gets = support::count_requests(&emulator, "events.get");
        assert_eq!(
            gets, 1,
            "json form {json_form}: the lost insert was fetched"
        );
    }
}
