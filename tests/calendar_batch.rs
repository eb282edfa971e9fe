//! Batches against the emulator: 1,000 inserts in 20 requests, per-call results in order, invalid
//! calls answered without being sent, transient failures retried.

mod support;

use gcal_emulator::{Emulator, Fault, MintToken};
use qorus_gcal::calendar::batch::BatchCall;
use qorus_gcal::oauth::grant::now_unix;
use qorus_gcal::{Client, runtime};
use serde_json::{Value, json};

fn client(emulator: &Emulator) -> Client {
    let minted = emulator
        .admin()
        .mint_token(MintToken {
            offline: true,
            ..MintToken::default()
        })
        .unwrap();
    let config = json!({"token": {"access_token": minted["access_token"], "refresh_token": minted["refresh_token"],
                                  "expires_at": now_unix() + 3000}});
    Client::from_json(&support::emulator_config(emulator.urls(), config)).unwrap()
}

fn insert(i: usize) -> BatchCall {
    BatchCall {
        method: "events.insert".into(),
        params: json!({"calendarId": "primary"}),
        body: Some(json!({"summary": format!("batch {i}"),
                          "start": {"date": "2030-02-01"}, "end": {"date": "2030-02-02"}})),
    }
}

fn run(client: &Client, calls: Vec<BatchCall>, chunk: usize) -> Vec<Value> {
    let c = client.clone();
    runtime::block_on(async move { c.batch(&calls, chunk).await }).unwrap()
}

#[test]
fn a_thousand_inserts_make_a_thousand_events_in_twenty_requests() {
    let emulator = Emulator::start();
    let client = client(&emulator);
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
    let batches = emulator
        .admin()
        .requests()
        .iter()
        .filter(|r| r.method_id.as_deref() == Some("batch"))
        .count();
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
    let client = client(&emulator);
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
fn transient_failures_inside_a_batch_are_retried() {
    let emulator = Emulator::start();
    let client = client(&emulator);
    emulator
        .admin()
        .add_fault(Fault::status("events.insert", 503).times(3));
    let results = run(&client, (0..10).map(insert).collect(), 5);
    assert!(results.iter().all(|r| r["status"] == 200), "{results:?}");
    let c = client.clone();
    let all = runtime::block_on(async move {
        c.list_all("events.list", &json!({"calendarId": "primary"}), 0)
            .await
    })
    .unwrap();
    assert_eq!(all.len(), 10, "no duplicates from the retries");
}

#[test]
fn chunk_sizes_outside_one_to_a_thousand_are_refused() {
    let emulator = Emulator::start();
    let client = client(&emulator);
    for bad in [0, 1001] {
        let c = client.clone();
        let err = runtime::block_on(async move { c.batch(&[insert(0)], bad).await }).unwrap_err();
        assert!(err.message().contains("chunk size"), "{err}");
    }
}
