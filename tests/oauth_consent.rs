//! Consent against the emulator: local server and external redirect, denial, partial scopes, timeout,
//! cancel, stray requests to the listener.

mod support;

use support::clients::record_tokens;

use std::sync::Arc;
use std::time::Duration;

use gcal_emulator::{ClientConfig, Consent, DEFAULT_CLIENT_ID, Emulator};
use qorus_gcal::oauth::consent::{ExternalOptions, LocalOptions, Session};
use qorus_gcal::oauth::token::Token;
use qorus_gcal::{Client, ErrorKind, runtime};
use serde_json::json;
use support::browser;

fn client(emulator: &Emulator) -> Client {
    Client::from_json(&support::emulator_config(emulator.urls(), json!({}))).unwrap()
}

fn start_local(
    client: &Client,
    options: LocalOptions,
) -> (Arc<qorus_gcal::oauth::loopback::LocalConsent>, String) {
    let c = client.clone();
    let (consent, url) =
        runtime::block_on(async move { c.consent_start_local(options).await }).unwrap();
    (Arc::new(consent), url.to_string())
}

fn wait(
    consent: &Arc<qorus_gcal::oauth::loopback::LocalConsent>,
    ms: u64,
) -> qorus_gcal::Result<Token> {
    let consent = consent.clone();
    runtime::block_on(async move { consent.wait(Some(Duration::from_millis(ms))).await })
}

#[test]
fn local_server_consent_gets_a_token_and_tells_the_host_once() {
    let emulator = Emulator::start();
    let client = client(&emulator);
    let seen = record_tokens(&client);
    let (consent, url) = start_local(&client, LocalOptions::default());
    assert!(url.starts_with(&emulator.urls().auth_url), "{url}");

    let (location, back) = browser::consent(&url);
    assert!(location.starts_with("http://127.0.0.1:"), "{location}");
    let back = back.unwrap();
    assert_eq!(back.status, 200, "{}", back.body);
    assert!(back.body.contains("You may close this window"));

    let token = wait(&consent, 10_000).unwrap();
    assert!(token.access_token.is_some() && token.refresh_token.is_some());
    assert!(token.expires_at.unwrap() > qorus_gcal::oauth::grant::now_unix() + 3000);
    assert_eq!(
        token.scope.as_deref(),
        Some("https://www.googleapis.com/auth/calendar")
    );
    assert_eq!(
        seen.lock().unwrap().len(),
        1,
        "callback fires once per new token"
    );
    assert_eq!(seen.lock().unwrap()[0], token);

    // The client now holds the token: the current token is the same, no new request.
    let c = client.clone();
    let current = runtime::block_on(async move { c.token().await }).unwrap();
    assert_eq!(current, token);
    assert_eq!(seen.lock().unwrap().len(), 1);

    // The listener closed after success: a second browser hit finds nobody.
    assert!(
        browser::get(&location).is_err(),
        "listener still open after success"
    );
    // Waiting again answers the same outcome.
    assert_eq!(wait(&consent, 100).unwrap(), token);
}

#[test]
fn denied_consent_answers_consent_denied() {
    let emulator = Emulator::start();
    emulator
        .admin()
        .queue_consent(DEFAULT_CLIENT_ID, Consent::Deny);
    let client = client(&emulator);
    let (consent, url) = start_local(&client, LocalOptions::default());
    let (_, back) = browser::consent(&url);
    assert!(back.unwrap().body.contains("denied"));
    let err = wait(&consent, 10_000).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConsentDenied);
    assert_eq!(err.reason(), Some("access_denied"));
}

#[test]
fn partial_consent_is_visible_in_the_token_scope() {
    let emulator = Emulator::start();
    let readonly = "https://www.googleapis.com/auth/calendar.readonly";
    emulator
        .admin()
        .queue_consent(DEFAULT_CLIENT_ID, Consent::Partial(vec![readonly.into()]));
    let client = client(&emulator);
    let options = LocalOptions {
        scopes: Some(vec![
            "https://www.googleapis.com/auth/calendar".into(),
            readonly.into(),
        ]),
        ..Default::default()
    };
    let (consent, url) = start_local(&client, options);
    browser::consent(&url);
    let token = wait(&consent, 10_000).unwrap();
    assert_eq!(token.scope.as_deref(), Some(readonly));
}

#[test]
fn a_wait_times_out_and_closes_the_listener() {
    let emulator = Emulator::start();
    let client = client(&emulator);
    let (consent, url) = start_local(&client, LocalOptions::default());
    let err = wait(&consent, 50).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    // The code can no longer be delivered.
    let page = browser::get(&url).unwrap();
    let location = page.location.unwrap();
    assert!(
        browser::get(&location).is_err(),
        "listener open after timeout"
    );
}

#[test]
fn cancel_from_another_thread_releases_the_waiter() {
    let emulator = Emulator::start();
    let client = client(&emulator);
    let (consent, _url) = start_local(&client, LocalOptions::default());
    let waiter = {
        let consent = consent.clone();
        std::thread::spawn(move || runtime::block_on(async move { consent.wait(None).await }))
    };
    std::thread::sleep(Duration::from_millis(50));
    consent.cancel();
    assert_eq!(
        waiter.join().unwrap().unwrap_err().kind(),
        ErrorKind::Cancelled
    );
}

#[test]
fn the_listener_ignores_strangers_and_wrong_state_then_succeeds() {
    let emulator = Emulator::start();
    let client = client(&emulator);
    let (consent, url) = start_local(
        &client,
        LocalOptions {
            callback_path: Some("/cb".into()),
            ..Default::default()
        },
    );
    let page = browser::get(&url).unwrap();
    let location = page.location.unwrap();
    let base = location.split("/cb").next().unwrap().to_string();

    assert_eq!(
        browser::get(&format!("{base}/favicon.ico")).unwrap().status,
        404
    );
    let forged = browser::get(&format!("{base}/cb?code=stolen&state=forged")).unwrap();
    assert_eq!(forged.status, 400);
    assert!(forged.body.contains("does not belong"));
    assert_eq!(browser::get(&format!("{base}/cb")).unwrap().status, 400);

    // Still waiting: the real callback goes through.
    let ok = browser::get(&location).unwrap();
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert!(wait(&consent, 10_000).is_ok());
}

#[test]
fn a_fixed_port_and_login_hint_are_honoured() {
    let emulator = Emulator::start();
    let client = client(&emulator);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (consent, url) = start_local(
        &client,
        LocalOptions {
            port: Some(port),
            login_hint: Some("user@example.com".into()),
            ..Default::default()
        },
    );
    assert!(url.contains(&format!("127.0.0.1%3A{port}")), "{url}");
    assert!(url.contains("login_hint=user%40example.com"), "{url}");
    consent.cancel();
}

const RELAY: &str = "https://relay.example.com/oauth/callback";

fn external_emulator() -> Emulator {
    let emulator = Emulator::start();
    let mut registered = ClientConfig::new(DEFAULT_CLIENT_ID, gcal_emulator::DEFAULT_CLIENT_SECRET);
    registered.redirect_uris = vec![RELAY.into()];
    emulator.admin().add_client(registered);
    emulator
}

fn start_external(client: &Client) -> (String, Session) {
    let options = ExternalOptions::from_json(&json!({"redirect_uri": RELAY}).to_string()).unwrap();
    let (url, session) = client.consent_start_external(&options).unwrap();
    // The host keeps the session as JSON; round-trip it as a host would.
    (
        url.to_string(),
        Session::from_json(&session.to_json()).unwrap(),
    )
}

fn complete(client: &Client, session: Session, callback: String) -> qorus_gcal::Result<Token> {
    let c = client.clone();
    runtime::block_on(async move { c.consent_complete(&session, &callback).await })
}

#[test]
fn external_redirect_consent_with_a_stored_session() {
    let emulator = external_emulator();
    let client = client(&emulator);
    let seen = record_tokens(&client);
    let (url, session) = start_external(&client);
    let (callback, _) = browser::consent(&url);
    assert!(callback.starts_with(RELAY), "{callback}");
    assert!(
        !callback.contains(session.code_verifier.expose()),
        "the relay never sees the verifier"
    );

    let token = complete(&client, session, callback).unwrap();
    assert!(token.refresh_token.is_some());
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[test]
fn external_completion_refuses_wrong_state_other_clients_and_old_sessions() {
    let emulator = external_emulator();
    let client = client(&emulator);

    let (url, session) = start_external(&client);
    let (callback, _) = browser::consent(&url);
    let forged = callback.replace("state=", "state=x");
    let err = complete(&client, session.clone(), forged).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(err.message().contains("does not match"), "{err}");

    let mut foreign = session.clone();
    foreign.client_id = "someone-else".into();
    let err = complete(&client, foreign, callback.clone()).unwrap_err();
    assert!(err.message().contains("another OAuth client"), "{err}");

    let mut old = session.clone();
    old.created_at -= 3600;
    let err = complete(&client, old, callback.clone()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConsentRequired);

    // The genuine callback still completes, once; the code is single-use.
    assert!(complete(&client, session.clone(), callback.clone()).is_ok());
    let err = complete(&client, session, callback).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConsentRequired);
    assert_eq!(err.reason(), Some("invalid_grant"));
}

#[test]
fn a_host_given_state_comes_back_and_completes_with_pkce() {
    let emulator = external_emulator();
    let client = client(&emulator);
    // As a host's redirect handler would route by it (Qorus hands one in AuthCodeInfo.state).
    let state = "qorus/conn=my calendar&n=1";
    let options =
        ExternalOptions::from_json(&json!({"redirect_uri": RELAY, "state": state}).to_string())
            .unwrap();
    let (url, session) = client.consent_start_external(&options).unwrap();
    assert!(url.as_str().contains("code_challenge="), "{url}");
    let (callback, _) = browser::consent(url.as_str());
    let back: String = url::Url::parse(&callback)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    assert_eq!(back, state);
    let token = complete(&client, session, callback).unwrap();
    assert!(token.refresh_token.is_some());
}

#[test]
fn external_denial_answers_consent_denied() {
    let emulator = external_emulator();
    emulator
        .admin()
        .queue_consent(DEFAULT_CLIENT_ID, Consent::Deny);
    let client = client(&emulator);
    let (url, session) = start_external(&client);
    let (callback, _) = browser::consent(&url);
    assert_eq!(
        complete(&client, session, callback).unwrap_err().kind(),
        ErrorKind::ConsentDenied
    );
}

#[test]
fn consent_without_a_client_id_is_refused_up_front() {
    let client = Client::from_json("{}").unwrap();
    let options = ExternalOptions::from_json(&json!({"redirect_uri": RELAY}).to_string()).unwrap();
    let err = client.consent_start_external(&options).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(err.message().contains("client_id"));
    let err =
        ExternalOptions::from_json(r#"{"redirect_uri": "x", "redirect_url": "x"}"#).unwrap_err();
    assert!(err.message().contains("redirect_url"), "{err}");
    let err = LocalOptions::from_json(Some(r#"{"prot": 8080}"#)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(err.message().contains("prot"), "{err}");
}
