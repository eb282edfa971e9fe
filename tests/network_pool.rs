//! One connection pool per process for each network setting: clients made one after another reuse one
//! connection, threads with clients of their own share one HTTP/2 connection, settings that do not
//! concern the connection (User-Agent, request timeout) do not split the pool. And what goes on the
//! wire: gzip and compact JSON, asked for as Google requires.

mod support;

use std::sync::{Arc, Barrier};

use gcal_emulator::Emulator;
use qorus_gcal::BlockingClient;
use qorus_gcal::calendar::call::CallOptions;
use serde_json::{Value, json};

fn config(emu: &Emulator, extra: Value) -> String {
    let token = emu.admin().access_token(&[]);
    let mut base = json!({"token": {"access_token": token}});
    if let Some(pem) = emu.ca_pem() {
        base["ca_certificates"] = pem.into();
    }
    if let (Some(b), Some(e)) = (base.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    support::emulator_config(emu.urls(), base)
}

fn colors(client: &BlockingClient) {
    client
        .call("colors.get", &Value::Null, None, &CallOptions::default())
        .expect("colors.get");
}

#[test]
fn clients_made_one_after_another_reuse_one_connection() {
    let emu = Emulator::start();
    let config = config(&emu, json!({}));
    for _ in 0..200 {
        let client = BlockingClient::from_json(&config).unwrap();
        colors(&client);
        drop(client);
    }
    let stats = emu.admin().connection_stats();
    // Almost always one: hyper hands a connection back to the pool on a task of its own once the answer
    // is read, so on a loaded machine the next client may get there first and open another.
    assert!(
        (1..=4).contains(&stats.accepted),
        "200 clients, (nearly) one connection: {stats:?}"
    );
    assert_eq!(support::count_requests(&emu, "colors.get"), 200);
}

#[test]
fn user_agent_and_request_timeout_do_not_split_the_pool_but_connect_timeout_does() {
    let emu = Emulator::start();
    for extra in [
        json!({"user_agent": "one/1"}),
        json!({"user_agent": "two/2", "timeouts": {"request_ms": 7000}}),
    ] {
        colors(&BlockingClient::from_json(&config(&emu, extra)).unwrap());
    }
    assert_eq!(emu.admin().connection_stats().accepted, 1);
    let own = json!({"timeouts": {"connect_ms": 4321}});
    colors(&BlockingClient::from_json(&config(&emu, own)).unwrap());
    assert_eq!(emu.admin().connection_stats().accepted, 2);
    let agents: Vec<String> = emu
        .admin()
        .requests()
        .iter()
        .map(|r| r.headers["user-agent"].clone())
        .collect();
    assert_eq!(
        agents[0], "one/1 (gzip)",
        "each client keeps its own User-Agent"
    );
    assert_eq!(agents[1], "two/2 (gzip)");
}

#[test]
fn threads_with_clients_of_their_own_share_one_http2_connection() {
    const THREADS: usize = 16;
    let emu = Emulator::start_tls();
    let config = config(&emu, json!({}));
    // A first call opens the connection: a cold burst of 16 could start several handshakes at once.
    colors(&BlockingClient::from_json(&config).unwrap());
    let barrier = Arc::new(Barrier::new(THREADS));
    let threads: Vec<_> = (0..THREADS)
        .map(|_| {
            let (config, barrier) = (config.clone(), barrier.clone());
            std::thread::spawn(move || {
                let client = BlockingClient::from_json(&config).unwrap();
                barrier.wait();
                for _ in 0..10 {
                    colors(&client);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let stats = emu.admin().connection_stats();
    assert_eq!(stats.accepted, 1, "{stats:?}");
    assert_eq!((stats.tls_handshakes, stats.http2), (1, 1), "{stats:?}");
    assert_eq!(
        support::count_requests(&emu, "colors.get"),
        1 + THREADS * 10
    );
}

#[test]
fn answers_come_gzipped_and_compact_as_google_requires() {
    let emu = Emulator::start();
    for i in 0..300 {
        let (status, _) = emu.admin().call(
            gcal_emulator::DEFAULT_USER,
            "POST",
            "/calendars/primary/events",
            &[],
            Some(
                &json!({"summary": format!("event {i} with a summary long enough to matter"),
                         "description": "the same words again and again, as real events have them",
                         "start": {"dateTime": "2030-01-15T10:00:00Z"},
                         "end": {"dateTime": "2030-01-15T11:00:00Z"}}),
            ),
        );
        assert_eq!(status, 200);
    }
    let client =
        BlockingClient::from_json(&config(&emu, json!({"user_agent": "my-host/2.0"}))).unwrap();
    let params = json!({"calendarId": "primary", "maxResults": 2500});
    let before = emu.admin().connection_stats().bytes_sent;
    let events = client
        .call("events.list", &params, None, &CallOptions::default())
        .unwrap();
    let library_bytes = emu.admin().connection_stats().bytes_sent - before;
    assert_eq!(events["items"].as_array().unwrap().len(), 300);
    let logged = emu.admin().requests().pop().unwrap();
    assert_eq!(logged.headers["user-agent"], "my-host/2.0 (gzip)");
    assert!(
        logged.headers["accept-encoding"].contains("gzip"),
        "{logged:?}"
    );
    assert!(
        logged.query.contains("prettyPrint=false"),
        "{}",
        logged.query
    );

    // The same list as asked before: no gzip, pretty JSON.
    let token = emu.admin().access_token(&[]);
    let before = emu.admin().connection_stats().bytes_sent;
    let url = format!(
        "{}calendars/primary/events?maxResults=2500",
        emu.urls().api_base_url
    );
    let old = gcal_emulator::testing::get(&url, Some(&token)).unwrap();
    let old_bytes = emu.admin().connection_stats().bytes_sent - before;
    assert_eq!(old.json()["items"], events["items"]);
    support::notice(&format!(
        "events.list of 300 events: {library_bytes} bytes on the wire with gzip and prettyPrint=false, \
         {old_bytes} without"
    ));
    assert!(
        library_bytes * 5 < old_bytes,
        "{library_bytes} bytes with gzip, {old_bytes} without"
    );
}
