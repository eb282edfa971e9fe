//! Consent through `qgcal relay`, end to end against the emulator: the consent page redirects to the
//! relay, the relay sends the browser on to the instance, the instance completes the consent.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use gcal_emulator::testing::request;
use gcal_emulator::{Consent, DEFAULT_CLIENT_ID};
use qorus_gcal::ErrorKind;
use qorus_gcal::oauth::relay_state::RelayState;
use qorus_gcal::oauth::token::Token;
use support::{Instance, Relay, follow, param};

const WAIT: Duration = Duration::from_secs(10);

fn record_tokens(client: &qorus_gcal::BlockingClient) -> Arc<Mutex<Vec<Token>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    client
        .client()
        .set_token_callback(Some(Arc::new(move |t: &Token| {
            sink.lock().unwrap().push(t.clone())
        })));
    seen
}

#[test]
fn consent_goes_through_the_relay_to_the_instance_and_gets_a_token() {
    let relay = Relay::start(0);
    let emulator = support::emulator(&relay.url());
    let client = support::client(&emulator);
    let seen = record_tokens(&client);
    let instance = Instance::start();
    let (url, session) = support::start(&client, &instance.callback_url(), &relay.url());
    assert_eq!(param(&url, "redirect_uri").unwrap(), relay.url());
    assert_eq!(param(&url, "code_challenge_method").unwrap(), "S256");

    let hops = follow(&url);
    assert_eq!(hops.len(), 3, "consent page -> relay -> instance");
    assert_eq!(hops[0].answer.status, 302);
    assert!(hops[1].url.starts_with(&relay.url()), "{}", hops[1].url);
    assert_eq!(hops[1].answer.status, 303);
    assert_eq!(hops[2].answer.status, 200);
    assert!(hops[2].answer.text().contains(support::INSTANCE_PAGE));
    assert_eq!(
        hops[1].answer.header("referrer-policy"),
        Some("no-referrer")
    );

    let arrival = instance
        .next_arrival(WAIT)
        .expect("the browser reached the instance");
    assert!(arrival.starts_with(&instance.callback_url()), "{arrival}");
    let code = param(&arrival, "code").unwrap();
    let state = param(&arrival, "state").unwrap();
    assert_eq!(
        param(&hops[1].url, "code").unwrap(),
        code,
        "the code passes unchanged"
    );
    assert_eq!(state, session.state.expose(), "and so does the state");
    assert!(!arrival.contains(session.code_verifier.expose()));

    let token = client.consent_complete(&session, &arrival).unwrap();
    assert!(token.access_token.is_some() && token.refresh_token.is_some());
    assert_eq!(seen.lock().unwrap().len(), 1);

    let (status, log) = relay.stop();
    assert!(status.success(), "a stopped relay exits 0: {status}\n{log}");
    assert!(
        log.contains("qgcal relay: server=127.0.0.1 forwarded=code"),
        "{log}"
    );
    // Past its start-up line (the operator's own configuration), the relay logs nothing of the consent.
    let log: String = log.lines().skip(1).collect::<Vec<_>>().join("\n");
    assert!(!log.contains("listening"), "{log}");
    for private in [
        code.as_str(),
        state.as_str(),
        session.state.expose(),
        "/qorus/",
        &instance.port.to_string(),
    ] {
        assert!(!log.contains(private), "the log holds {private:?}:\n{log}");
    }
}

#[test]
fn denial_and_other_errors_are_forwarded_to_the_instance() {
    let relay = Relay::start(0);
    let emulator = support::emulator(&relay.url());
    let client = support::client(&emulator);
    let instance = Instance::start();

    emulator
        .admin()
        .queue_consent(DEFAULT_CLIENT_ID, Consent::Deny);
    let (url, session) = support::start(&client, &instance.callback_url(), &relay.url());
    let hops = follow(&url);
    assert_eq!(hops.last().unwrap().answer.status, 200);
    let arrival = instance.next_arrival(WAIT).unwrap();
    assert_eq!(param(&arrival, "error").unwrap(), "access_denied");
    let err = client.consent_complete(&session, &arrival).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConsentDenied);

    // Any error the OAuth server answers reaches the instance, which reports it.
    let options = qorus_gcal::oauth::consent::ExternalOptions::from_json(
        &serde_json::json!({
            "redirect_uri": instance.callback_url(),
            "relay_url": relay.url(),
            "scopes": ["https://www.googleapis.com/auth/not-a-scope"],
        })
        .to_string(),
    )
    .unwrap();
    let (url, session) = client.consent_start_external(&options).unwrap();
    follow(url.as_str());
    let arrival = instance.next_arrival(WAIT).unwrap();
    let err = client.consent_complete(&session, &arrival).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AuthFailed);
    assert_eq!(err.reason(), Some("invalid_scope"));

    let (_, log) = relay.stop();
    assert!(log.contains("forwarded=error:access_denied"), "{log}");
    assert!(log.contains("forwarded=error:invalid_scope"), "{log}");
}

#[test]
fn the_relay_refuses_a_state_naming_an_address_off_its_allow_list() {
    let relay = Relay::start(0);
    let emulator = support::emulator(&relay.url());
    let client = support::client(&emulator);
    let instance = Instance::start();

    // A consent whose return address the relay does not allow: the browser stops at the relay.
    let off_list = instance.url("/elsewhere/callback");
    let (url, _) = support::start(&client, &off_list, &relay.url());
    let hops = follow(&url);
    assert_eq!(hops.len(), 2, "consent page -> relay, no further");
    let refused = &hops[1].answer;
    assert_eq!(refused.status, 400);
    assert_eq!(refused.header("location"), None);
    assert!(refused.text().contains("does not forward"));
    assert!(!refused.text().contains("elsewhere"), "nothing echoed");

    // A state written by hand for someone else's server, with a stolen-looking code.
    let foreign = RelayState {
        nonce: "AAAAAAAAAAAAAAAAAAAAAA".into(),
        return_url: "https://evil.example.net/qorus/collect".into(),
        server: "accounts.google.com".into(),
    }
    .encode();
    let answer = request(
        "GET",
        &format!("{}?code=4/abc&state={foreign}", relay.url()),
        &[],
        b"",
    )
    .unwrap();
    assert_eq!(answer.status, 400);
    assert_eq!(answer.header("location"), None);
    assert!(!answer.text().contains("evil"));
    assert!(
        instance.next_arrival(Duration::from_millis(200)).is_none(),
        "nothing reached the instance"
    );

    let (_, log) = relay.stop();
    assert!(
        log.contains("server=127.0.0.1 refused=not-allowed"),
        "{log}"
    );
    assert!(
        log.contains("server=accounts.google.com refused=not-allowed"),
        "{log}"
    );
    assert!(!log.contains("evil") && !log.contains("elsewhere"), "{log}");
}

#[test]
fn the_instance_refuses_a_tampered_state() {
    let relay = Relay::start(0);
    let emulator = support::emulator(&relay.url());
    let client = support::client(&emulator);
    let instance = Instance::start();
    let (url, session) = support::start(&client, &instance.callback_url(), &relay.url());

    // Stop at the relay's door with Google's answer, and alter its state on the way.
    let to_relay = support::consent_page(&url);
    let state = param(&to_relay, "state").unwrap();
    let genuine = RelayState::decode(&state).unwrap();
    let other_nonce = RelayState {
        nonce: "BBBBBBBBBBBBBBBBBBBBBB".into(),
        ..genuine.clone()
    };
    let other_address = RelayState {
        return_url: instance.url("/qorus/other"),
        ..genuine
    };
    for (altered, why) in [
        (other_nonce, "does not match"),
        (other_address, "another return address"),
    ] {
        let tampered = to_relay.replace(&state, &altered.encode());
        let hops = follow(&tampered);
        assert_eq!(hops[0].answer.status, 303, "the relay cannot tell");
        let arrival = instance.next_arrival(WAIT).unwrap();
        let err = client.consent_complete(&session, &arrival).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
        assert!(err.message().contains(why), "{err}");
    }
    // The genuine answer still completes: nothing was exchanged for the altered ones.
    follow(&to_relay);
    let arrival = instance.next_arrival(WAIT).unwrap();
    assert!(client.consent_complete(&session, &arrival).is_ok());
}

#[test]
fn a_relay_restarted_between_start_and_redirect_still_forwards() {
    let first = Relay::start(0);
    let port = first.port();
    let relay_url = first.url();
    let emulator = support::emulator(&relay_url);
    let client = support::client(&emulator);
    let instance = Instance::start();
    let (url, session) = support::start(&client, &instance.callback_url(), &relay_url);

    let (status, log) = first.stop();
    assert!(status.success(), "{status}\n{log}");
    assert!(log.contains("qgcal relay: stopped"), "{log}");

    // Google answers while no relay runs; the browser's next step would fail...
    let to_relay = support::consent_page(&url);
    assert!(request("GET", &to_relay, &[], b"").is_err());

    // ...until another copy (configured from the environment) serves the same URL: it needs nothing
    // from the first.
    let second = Relay::start_from_env(port);
    assert_eq!(second.url(), relay_url);
    let hops = follow(&to_relay);
    assert_eq!(hops.last().unwrap().answer.status, 200);
    let arrival = instance.next_arrival(WAIT).unwrap();
    assert!(client.consent_complete(&session, &arrival).is_ok());
}

#[test]
fn the_relay_answers_health_checks_and_limits_sizes() {
    let relay = Relay::start(0);
    let base = format!("http://{}", relay.addr);
    let health = request("GET", &format!("{base}/healthz"), &[], b"").unwrap();
    assert_eq!((health.status, health.text().as_str()), (200, "ok\n"));
    assert_eq!(
        request("GET", &format!("{base}/"), &[], b"")
            .unwrap()
            .status,
        404
    );
    let post = request("POST", &relay.url(), &[], b"").unwrap();
    assert_eq!(post.status, 405);
    assert_eq!(post.header("allow"), Some("GET, HEAD"));

    let long_query = format!("{}?code=c&state=s&pad={}", relay.url(), "a".repeat(5000));
    let answer = request("GET", &long_query, &[], b"").unwrap();
    assert_eq!(answer.status, 400);
    assert!(answer.text().contains("too large"));
    let huge_head = format!("{}?code=c&state={}", relay.url(), "a".repeat(100_000));
    let answer = request("GET", &huge_head, &[], b"");
    assert!(
        answer
            .as_ref()
            .map_or(true, |a| a.status == 431 || a.status == 414),
        "{:?}",
        answer.map(|a| a.status)
    );
    let (status, log) = relay.stop();
    assert!(status.success());
    assert!(log.contains("server=- refused=too-large"), "{log}");
}

#[test]
fn relay_configuration_errors_exit_2_and_say_why() {
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_qgcal"))
            .args(args)
            .env_remove("QGCAL_RELAY_ALLOW")
            .output()
            .unwrap()
    };
    let out = run(&["relay", "--addr", "127.0.0.1:0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--allow"));
    let out = run(&["relay", "--allow", "https://*/qorus/*"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`*` alone"));
    let out = run(&["relay", "--allow", "http://qorus.example.com/*"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("loopback"));
    let out = run(&["relay", "--allow", support::ALLOW, "--client-id", "x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("never sees a client"));
}
