//! `Retry-After` is honoured everywhere: batch parts and the token and revoke endpoints, as single calls
//! already do. The test config's own backoff is at most 20 ms, so a wait of a second or more can only
//! come from the server's `Retry-After: 1` (a lower bound: no timing target).

mod support;

use support::clients::client_with_token;

use std::time::{Duration, Instant};

use gcal_emulator::{Emulator, Fault, ServiceAccountOptions};
use qorus_gcal::calendar::batch::{BatchCall, BatchOptions};
use qorus_gcal::oauth::grant::now_unix;
use qorus_gcal::{Client, runtime};
use serde_json::json;

const ONE_SECOND: Duration = Duration::from_secs(1);

fn retry_after_one_second(method: &str, status: u16) -> Fault {
    Fault {
        retry_after: Some(1),
        ..Fault::status(method, status)
    }
}

#[test]
fn batch_parts_answered_429_or_503_wait_for_retry_after() {
    for status in [429, 503] {
        let emulator = Emulator::start();
        let client = client_with_token(&emulator, now_unix() + 3000);
        emulator
            .admin()
            .add_fault(retry_after_one_second("colors.get", status));
        let calls = vec![BatchCall {
            method: "colors.get".into(),
            params: json!({}),
            body: None,
        }];
        let started = Instant::now();
        let c = client.clone();
        let results =
            runtime::block_on(async move { c.batch(&calls, &BatchOptions::default()).await })
                .unwrap();
        let waited = started.elapsed();
        assert_eq!(results[0]["status"], 200, "{results:?}");
        assert_eq!(support::count_requests(&emulator, "colors.get"), 2);
        assert!(
            waited >= ONE_SECOND,
            "part answered {status} with Retry-After: 1 was resent after {waited:?}"
        );
    }
}

#[test]
fn the_token_endpoint_answering_503_waits_for_retry_after() {
    let emulator = Emulator::start();
    let client = client_with_token(&emulator, now_unix() - 10);
    emulator
        .admin()
        .add_fault(retry_after_one_second("token", 503));
    let started = Instant::now();
    let c = client.clone();
    runtime::block_on(async move { c.token().await }).unwrap();
    let waited = started.elapsed();
    assert_eq!(support::count_requests(&emulator, "token"), 2);
    assert!(waited >= ONE_SECOND, "refresh resent after {waited:?}");
}

#[test]
fn a_service_account_token_request_answered_429_or_503_waits_for_retry_after() {
    for status in [429, 503] {
        let emulator = Emulator::start();
        let key = emulator
            .admin()
            .add_service_account(ServiceAccountOptions::default());
        let extra = json!({"client_id": null, "client_secret": null, "service_account": key});
        let client = Client::from_json(&support::emulator_config(emulator.urls(), extra)).unwrap();
        emulator
            .admin()
            .add_fault(retry_after_one_second("token", status));
        let started = Instant::now();
        let c = client.clone();
        let token = runtime::block_on(async move { c.token().await });
        let waited = started.elapsed();
        assert!(token.is_ok(), "{status}: {token:?}");
        assert_eq!(support::count_requests(&emulator, "token"), 2, "{status}");
        assert!(
            waited >= ONE_SECOND,
            "{status}: assertion grant resent after {waited:?}"
        );
    }
}

#[test]
fn the_revoke_endpoint_answering_503_waits_for_retry_after() {
    let emulator = Emulator::start();
    let client = client_with_token(&emulator, now_unix() + 3000);
    emulator
        .admin()
        .add_fault(retry_after_one_second("revoke", 503));
    let started = Instant::now();
    let c = client.clone();
    runtime::block_on(async move { c.revoke().await }).unwrap();
    let waited = started.elapsed();
    assert_eq!(support::count_requests(&emulator, "revoke"), 2);
    assert!(waited >= ONE_SECOND, "revoke resent after {waited:?}");
}
