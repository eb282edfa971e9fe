//! Tokens against the emulator: single-flight refresh, kept refresh tokens, revoked grants, bad client
//! secrets, bring-your-own tokens, service accounts, revocation, retries, and no secret in any message.

mod support;

use support::clients::record_tokens;

use std::sync::Arc;

use gcal_emulator::{Emulator, Fault, MintToken, RevokeFilter, ServiceAccountOptions};
use qorus_gcal::oauth::grant::now_unix;
use qorus_gcal::oauth::token::Token;
use qorus_gcal::{Client, Error, ErrorKind, runtime};
use serde_json::{Value, json};

fn offline_token(emulator: &Emulator) -> Value {
    emulator
        .admin()
        .mint_token(MintToken {
            offline: true,
            ..MintToken::default()
        })
        .unwrap()
}

/// A client holding a minted grant whose access token the library believes expired.
fn client_with_stale_token(emulator: &Emulator, extra: Value) -> (Client, Value) {
    let minted = offline_token(emulator);
    let mut config = json!({
        "token": {
            "access_token": minted["access_token"],
            "refresh_token": minted["refresh_token"],
            "expires_at": now_unix() - 10,
            "scope": minted["scope"],
        }
    });
    if let (Some(c), Some(e)) = (config.as_object_mut(), extra.as_object()) {
        c.extend(e.clone());
    }
    let client = Client::from_json(&support::emulator_config(emulator.urls(), config)).unwrap();
    (client, minted)
}

fn token(client: &Client) -> qorus_gcal::Result<Token> {
    let c = client.clone();
    runtime::block_on(async move { c.token().await })
}

fn refresh(client: &Client) -> qorus_gcal::Result<Token> {
    let c = client.clone();
    runtime::block_on(async move { c.refresh().await })
}

fn assert_no_secret(error: &Error, secrets: &[&str]) {
    let text = format!("{error} {error:?}");
    for secret in secrets {
        assert!(
            !secret.is_empty() && !text.contains(secret),
            "secret leaked in {text}"
        );
    }
}

#[test]
fn thirty_two_threads_with_an_expired_token_cause_exactly_one_refresh() {
    let emulator = Emulator::start();
    let (client, minted) = client_with_stale_token(&emulator, json!({}));
    let seen = record_tokens(&client);
    emulator.admin().clear_requests();

    let threads: Vec<_> = (0..32)
        .map(|_| {
            let client = client.clone();
            std::thread::spawn(move || token(&client))
        })
        .collect();
    let tokens: Vec<Token> = threads
        .into_iter()
        .map(|t| t.join().unwrap().unwrap())
        .collect();

    assert_eq!(
        support::count_requests(&emulator, "token"),
        1,
        "one refresh for 32 callers"
    );
    let first = &tokens[0];
    assert!(
        tokens.iter().all(|t| t == first),
        "every caller got the one new token"
    );
    assert_ne!(
        first.access_token.as_ref().unwrap().expose(),
        minted["access_token"].as_str().unwrap()
    );
    assert_eq!(
        first.refresh_token.as_ref().unwrap().expose(),
        minted["refresh_token"].as_str().unwrap(),
        "a refresh answer without a refresh token keeps the old one"
    );
    assert!(first.expires_at.unwrap() > now_unix() + 3000);
    assert_eq!(
        seen.lock().unwrap().len(),
        1,
        "the host hears of the new token once"
    );
}

#[test]
fn a_valid_token_is_used_without_asking_the_server() {
    let emulator = Emulator::start();
    let minted = offline_token(&emulator);
    let config = json!({"token": {"access_token": minted["access_token"], "refresh_token": minted["refresh_token"],
                                  "expires_at": now_unix() + 3000}});
    let client = Client::from_json(&support::emulator_config(emulator.urls(), config)).unwrap();
    emulator.admin().clear_requests();
    let t = token(&client).unwrap();
    assert_eq!(
        t.access_token.unwrap().expose(),
        minted["access_token"].as_str().unwrap()
    );
    assert_eq!(support::count_requests(&emulator, "token"), 0);
    // Forcing a refresh asks once.
    refresh(&client).unwrap();
    assert_eq!(support::count_requests(&emulator, "token"), 1);
}

#[test]
fn a_token_within_the_refresh_skew_is_refreshed_early() {
    let emulator = Emulator::start();
    let minted = offline_token(&emulator);
    let config = json!({"refresh_skew_ms": 120000,
        "token": {"access_token": minted["access_token"], "refresh_token": minted["refresh_token"],
                  "expires_at": now_unix() + 90}});
    let client = Client::from_json(&support::emulator_config(emulator.urls(), config)).unwrap();
    emulator.admin().clear_requests();
    let t = token(&client).unwrap();
    assert_ne!(
        t.access_token.unwrap().expose(),
        minted["access_token"].as_str().unwrap()
    );
    assert_eq!(support::count_requests(&emulator, "token"), 1);
}

#[test]
fn a_revoked_grant_answers_consent_required_with_advice() {
    let emulator = Emulator::start();
    let (client, minted) = client_with_stale_token(&emulator, json!({}));
    emulator.admin().revoke_grants(RevokeFilter::default());
    let err = token(&client).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConsentRequired);
    assert_eq!(err.reason(), Some("invalid_grant"));
    assert_eq!(err.http_status(), 400);
    assert!(err.message().contains("consent again"), "{err}");
    assert_no_secret(
        &err,
        &[minted["refresh_token"].as_str().unwrap(), "emulator-secret"],
    );
}

#[test]
fn a_wrong_client_secret_answers_auth_failed() {
    let emulator = Emulator::start();
    let (client, _) =
        client_with_stale_token(&emulator, json!({"client_secret": "not-the-secret"}));
    let err = token(&client).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AuthFailed);
    assert_eq!(err.reason(), Some("invalid_client"));
    assert_eq!(err.http_status(), 401);
    assert!(err.message().contains("client_secret"), "{err}");
    assert_no_secret(&err, &["not-the-secret"]);
}

#[test]
fn server_errors_during_refresh_are_retried() {
    let emulator = Emulator::start();
    let (client, _) = client_with_stale_token(&emulator, json!({}));
    emulator
        .admin()
        .add_fault(Fault::status("token", 503).times(2));
    emulator.admin().clear_requests();
    assert!(token(&client).is_ok());
    assert_eq!(
        support::count_requests(&emulator, "token"),
        3,
        "two 503s, then success"
    );
}

#[test]
fn a_bring_your_own_access_token_works_until_it_expires() {
    let emulator = Emulator::start();
    let access = emulator.admin().access_token(&[]);
    let live = json!({"token": {"access_token": access, "expires_at": now_unix() + 3000}});
    let client = Client::from_json(&support::emulator_config(emulator.urls(), live)).unwrap();
    assert_eq!(
        token(&client).unwrap().access_token.unwrap().expose(),
        access
    );

    let dead = json!({"client_id": null, "client_secret": null,
                      "token": {"access_token": access, "expires_at": now_unix() - 1}});
    let client = Client::from_json(&support::emulator_config(emulator.urls(), dead)).unwrap();
    let err = token(&client).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConsentRequired);
    assert!(err.message().contains("no refresh token"), "{err}");
    assert_no_secret(&err, &[&access]);
}

#[test]
fn no_token_at_all_asks_for_consent() {
    let emulator = Emulator::start();
    let client = Client::from_json(&support::emulator_config(emulator.urls(), json!({}))).unwrap();
    let err = token(&client).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConsentRequired);
    assert!(err.message().contains("run consent"), "{err}");
}

fn service_account_client(
    emulator: &Emulator,
    key: &Value,
    subject: Option<&str>,
) -> qorus_gcal::Result<Client> {
    let mut extra = json!({"client_id": null, "client_secret": null, "service_account": key});
    if let Some(s) = subject {
        extra["subject"] = json!(s);
    }
    Client::from_json(&support::emulator_config(emulator.urls(), extra))
}

#[test]
fn a_service_account_gets_tokens_and_renews_them() {
    let emulator = Emulator::start();
    let key = emulator
        .admin()
        .add_service_account(ServiceAccountOptions::default());
    let client = service_account_client(&emulator, &key, None).unwrap();
    let seen = record_tokens(&client);
    let first = token(&client).unwrap();
    assert!(first.access_token.is_some());
    assert!(
        first.refresh_token.is_none(),
        "service accounts get no refresh token"
    );
    assert_eq!(
        first.scope.as_deref(),
        Some("https://www.googleapis.com/auth/calendar")
    );
    // Cached while valid; renewed on demand.
    assert_eq!(token(&client).unwrap(), first);
    let second = refresh(&client).unwrap();
    assert_ne!(second.access_token, first.access_token);
    assert_eq!(seen.lock().unwrap().len(), 2);
}

#[test]
fn a_service_account_impersonates_a_user_only_with_delegation() {
    let emulator = Emulator::start();
    let delegated = emulator.admin().add_service_account(ServiceAccountOptions {
        allow_subject: true,
        ..Default::default()
    });
    let client = service_account_client(&emulator, &delegated, Some("user@example.com")).unwrap();
    assert!(token(&client).is_ok());

    let plain = emulator
        .admin()
        .add_service_account(ServiceAccountOptions::default());
    let client = service_account_client(&emulator, &plain, Some("user@example.com")).unwrap();
    let err = token(&client).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AuthFailed);
    assert_eq!(err.reason(), Some("unauthorized_client"));
    assert!(err.message().contains("domain-wide delegation"), "{err}");
}

#[test]
fn a_damaged_service_account_key_is_refused_clearly() {
    let emulator = Emulator::start();
    let key = emulator
        .admin()
        .add_service_account(ServiceAccountOptions::default());
    let pem = key["private_key"].as_str().unwrap().to_string();

    let mut tampered = key.clone();
    let middle = pem.len() / 2;
    let mut bytes = pem.clone().into_bytes();
    bytes[middle] = if bytes[middle] == b'A' { b'B' } else { b'A' };
    tampered["private_key"] = json!(String::from_utf8(bytes).unwrap());
    let err = service_account_client(&emulator, &tampered, None)
        .map(|_| ())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(
        err.message().contains("service_account.private_key"),
        "{err}"
    );
    assert_no_secret(&err, &[&pem[40..80]]);

    let mut not_pem = key.clone();
    not_pem["private_key"] = json!("hello");
    let err = service_account_client(&emulator, &not_pem, None)
        .map(|_| ())
        .unwrap_err();
    assert!(err.message().contains("PEM"), "{err}");

    let mut wrong_type = key.clone();
    wrong_type["type"] = json!("authorized_user");
    let err = service_account_client(&emulator, &wrong_type, None)
        .map(|_| ())
        .unwrap_err();
    assert!(err.message().contains("service_account.type"), "{err}");

    let mut missing = key.clone();
    missing.as_object_mut().unwrap().remove("client_email");
    let err = service_account_client(&emulator, &missing, None)
        .map(|_| ())
        .unwrap_err();
    assert!(err.message().contains("client_email"), "{err}");
}

#[test]
fn revoke_kills_the_grant_and_forgets_the_token() {
    let emulator = Emulator::start();
    let (client, _) = client_with_stale_token(&emulator, json!({}));
    token(&client).unwrap();
    let colors = || {
        let options = qorus_gcal::calendar::call::CallOptions::default();
        runtime::block_on(client.call("colors.get", &Value::Null, None, &options))
    };
    colors().unwrap();
    let c = client.clone();
    runtime::block_on(async move { c.revoke().await }).unwrap();
    assert_eq!(support::count_requests(&emulator, "revoke"), 1);
    assert_eq!(
        token(&client).unwrap_err().kind(),
        ErrorKind::ConsentRequired
    );
    // Calls forget the token too: refused before anything is sent.
    assert_eq!(colors().unwrap_err().kind(), ErrorKind::ConsentRequired);
    assert_eq!(support::count_requests(&emulator, "colors.get"), 1);
    // Nothing left to revoke.
    let c = client.clone();
    let err = runtime::block_on(async move { c.revoke().await }).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConsentRequired);
}

#[test]
fn replacing_the_callback_drops_the_old_one() {
    let emulator = Emulator::start();
    let (client, _) = client_with_stale_token(&emulator, json!({}));
    let first = record_tokens(&client);
    let second = record_tokens(&client);
    refresh(&client).unwrap();
    assert_eq!(first.lock().unwrap().len(), 0);
    assert_eq!(second.lock().unwrap().len(), 1);
    assert_eq!(
        Arc::strong_count(&first),
        1,
        "the replaced callback was released"
    );
    client.set_token_callback(None);
    refresh(&client).unwrap();
    assert_eq!(second.lock().unwrap().len(), 1);
}

#[test]
fn thirty_two_threads_calling_the_api_with_an_expired_token_share_one_refresh() {
    let emulator = Emulator::start();
    let (client, _) = client_with_stale_token(&emulator, json!({}));
    emulator.admin().clear_requests();
    let threads: Vec<_> = (0..32)
        .map(|_| {
            let client = client.clone();
            std::thread::spawn(move || {
                runtime::block_on(async move {
                    client
                        .call("colors.get", &Value::Null, None, &Default::default())
                        .await
                })
            })
        })
        .collect();
    for t in threads {
        assert!(t.join().unwrap().is_ok());
    }
    assert_eq!(support::count_requests(&emulator, "token"), 1);
    assert_eq!(support::count_requests(&emulator, "colors.get"), 32);
}

#[test]
fn no_secret_shows_in_debug_output_of_clients_tokens_or_sessions() {
    let emulator = Emulator::start();
    let (client, minted) = client_with_stale_token(&emulator, json!({}));
    let fresh = token(&client).unwrap();
    let options = qorus_gcal::oauth::consent::ExternalOptions::from_json(
        r#"{"redirect_uri": "https://relay.example.com/cb"}"#,
    )
    .unwrap();
    let (_, session) = client.consent_start_external(&options).unwrap();
    let text = format!("{client:?} {fresh:?} {session:?} {:?}", client.config());
    for secret in [
        minted["access_token"].as_str().unwrap(),
        minted["refresh_token"].as_str().unwrap(),
        fresh.access_token.as_ref().unwrap().expose(),
        session.code_verifier.expose(),
        session.state.expose(),
        gcal_emulator::DEFAULT_CLIENT_SECRET,
    ] {
        assert!(!text.contains(secret), "a secret shows in Debug output");
    }
    let key = emulator
        .admin()
        .add_service_account(ServiceAccountOptions::default());
    let sa = service_account_client(&emulator, &key, None).unwrap();
    let pem = key["private_key"].as_str().unwrap();
    assert!(!format!("{sa:?}").contains(&pem[30..70]));
}
