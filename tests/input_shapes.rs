//! JSON of the wrong shape: no error message ever quotes a value that may be a secret, and an array is
//! never read as an object (serde's derived structs take arrays field by field unless told not to).

use qorus_gcal::calendar::batch::{BatchCallJson, BatchOptions};
use qorus_gcal::calendar::call::CallOptions;
use qorus_gcal::config::parse_json;
use qorus_gcal::oauth::consent::{ExternalOptions, LocalOptions, Session};
use qorus_gcal::{Client, Config, Error, ErrorKind};
use serde_json::json;

const SECRET: &str = "SECRET-0x5ec7e7";

/// Through client creation, which also checks the token and signs with the key.
fn config_error(config: &serde_json::Value) -> Error {
    Client::from_json(&config.to_string()).expect_err(&config.to_string())
}

fn assert_no_secret(what: &str, err: &Error) {
    let text = format!("{err} {err:?} {}", err.to_json());
    assert!(!text.contains(SECRET), "{what}: the secret shows in {text}");
    assert!(
        !text.contains("-----BEGIN"),
        "{what}: the key shows in {text}"
    );
}

fn key_file() -> serde_json::Value {
    json!({"type": "service_account", "client_email": "sa@example.iam.gserviceaccount.com",
           "private_key": format!("-----BEGIN PRIVATE KEY-----\n{SECRET}\n-----END PRIVATE KEY-----\n"),
           "private_key_id": "k1", "token_uri": "https://oauth2.googleapis.com/token"})
}

#[test]
fn no_shape_error_quotes_a_secret_for_any_secret_bearing_key() {
    let token = json!({"access_token": SECRET, "refresh_token": SECRET});
    let key = key_file();
    let cases: Vec<(&str, serde_json::Value, &str)> = vec![
        // The host's stored token or key file passed as text instead of an object.
        ("token", json!({"token": token.to_string()}), "token"),
        ("token", json!({"token": SECRET}), "token"),
        (
            "service_account",
            json!({"service_account": key.to_string()}),
            "service_account",
        ),
        // A secret where another type belongs.
        (
            "token.expires_at",
            json!({"token": {"access_token": "a", "expires_at": SECRET}}),
            "token.expires_at",
        ),
        (
            "token.scope",
            json!({"token": {"access_token": "a", "scope": [SECRET]}}),
            "token.scope",
        ),
        (
            "token.token_type",
            json!({"token": {"access_token": "a", "token_type": SECRET}}),
            "token.token_type",
        ),
        (
            "token.access_token",
            json!({"token": {"access_token": {"value": SECRET}}}),
            "token.access_token",
        ),
        (
            "client_secret",
            json!({"client_id": "c", "client_secret": [SECRET]}),
            "client_secret",
        ),
        (
            "service_account.type",
            json!({"service_account": {"type": SECRET, "client_email": "a@b",
            "private_key": key["private_key"]}}),
            "service_account.type",
        ),
        (
            "service_account.private_key_id",
            json!({"service_account": {"type": "service_account",
            "client_email": "a@b", "private_key": key["private_key"], "private_key_id": 7}}),
            "service_account.private_key_id",
        ),
        (
            "service_account.project_id",
            json!({"service_account": {"type": "service_account",
            "client_email": "a@b", "private_key": key["private_key"], "project_id": {"x": SECRET}}}),
            "service_account.project_id",
        ),
        // A secret pasted into the wrong key.
        (
            "refresh_skew_ms",
            json!({"refresh_skew_ms": SECRET}),
            "refresh_skew_ms",
        ),
        (
            "timeouts.connect_ms",
            json!({"timeouts": {"connect_ms": SECRET}}),
            "timeouts.connect_ms",
        ),
        (
            "retry.max_attempts",
            json!({"retry": {"max_attempts": SECRET}}),
            "retry.max_attempts",
        ),
        ("retry", json!({"retry": SECRET}), "retry"),
        ("endpoints", json!({"endpoints": SECRET}), "endpoints"),
        (
            "endpoints.token_url",
            json!({"endpoints": {"token_url": SECRET}}),
            "endpoints.token_url",
        ),
        (
            "endpoints.token_url",
            json!({"endpoints": {"token_url": format!("http://example.com/{SECRET}")}}),
            "endpoints.token_url",
        ),
        ("scopes", json!({"scopes": SECRET}), "scopes"),
        (
            "scopes",
            json!({"scopes": [format!("a {SECRET}")]}),
            "scopes",
        ),
        ("subject", json!({"subject": [SECRET]}), "subject"),
        ("client_id", json!({"client_id": [SECRET]}), "client_id"),
    ];
    for (what, config, key) in cases {
        let err = config_error(&config);
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{what}: {err}");
        assert!(err.message().contains(key), "{what}: {err}");
        assert_no_secret(what, &err);
    }
}

#[test]
fn shape_errors_name_the_expected_type_and_the_type_given() {
    let err = config_error(&json!({"token": "ya29.x"}));
    assert_eq!(
        err.message(),
        "config key `token`: invalid type: a string, expected an object"
    );
    let err = config_error(&json!({"timeouts": {"connect_ms": "fast"}}));
    assert_eq!(
        err.message(),
        "config key `timeouts.connect_ms`: invalid type: a string, expected u64"
    );
    // Numbers hold no secret and help: they stay.
    let err = config_error(&json!({"timeouts": {"connect_ms": -5}}));
    assert!(err.message().contains("-5"), "{err}");
}

#[test]
fn consent_sessions_and_options_never_quote_their_values() {
    let session = json!({"client_id": "c", "state": SECRET, "code_verifier": SECRET,
                         "redirect_uri": "http://127.0.0.1/cb", "scopes": ["s"], "created_at": SECRET});
    let err = Session::from_json(&session.to_string()).unwrap_err();
    assert!(err.message().contains("created_at"), "{err}");
    assert_no_secret("session.created_at", &err);
    let err = Session::from_json(&json!(session.to_string()).to_string()).unwrap_err();
    assert_no_secret("session as a string", &err);
    let mut bad_state = session.clone();
    bad_state["created_at"] = json!(1);
    bad_state["state"] = json!([SECRET]);
    let err = Session::from_json(&bad_state.to_string()).unwrap_err();
    assert_no_secret("session.state", &err);
    let err = CallOptions::from_json(Some(&json!({"timeout_ms": SECRET}).to_string())).unwrap_err();
    assert_no_secret("call options", &err);
    let err =
        parse_json::<BatchOptions>(&json!({"chunk_size": SECRET}).to_string(), "batch options")
            .unwrap_err();
    assert_no_secret("batch options", &err);
    let err = parse_json::<Vec<BatchCallJson<'_>>>(
        &json!([{"method": [SECRET]}]).to_string(),
        "requests_json",
    )
    .unwrap_err();
    assert_no_secret("batch call", &err);
}

#[test]
fn arrays_are_refused_wherever_an_object_is_documented() {
    let top = [
        (
            "config",
            Config::from_json("[null, null, null, null, null, null, null, null, null, null, null]")
                .map(|_| ()),
        ),
        ("config", Config::from_json("[]").map(|_| ())),
        (
            "call options",
            CallOptions::from_json(Some("[\"\\\"etag\\\"\"]")).map(|_| ()),
        ),
        (
            "call options",
            CallOptions::from_json(Some("[]")).map(|_| ()),
        ),
        (
            "batch options",
            parse_json::<BatchOptions>("[5, 2]", "batch options").map(|_| ()),
        ),
        (
            "consent options",
            LocalOptions::from_json(Some("[8080]")).map(|_| ()),
        ),
        (
            "consent options",
            LocalOptions::from_json(Some("[]")).map(|_| ()),
        ),
        (
            "consent options",
            ExternalOptions::from_json("[\"http://127.0.0.1/cb\"]").map(|_| ()),
        ),
        (
            "consent session",
            Session::from_json(
                "[\"c\", \"state\", \"verifier\", \"http://127.0.0.1/cb\", [\"s\"], 1]",
            )
            .map(|_| ()),
        ),
    ];
    for (what, result) in top {
        let err = result.expect_err(what);
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{what}: {err}");
        assert!(err.message().contains(what), "{what}: {err}");
        assert!(err.message().contains("object"), "{what}: {err}");
    }
    let nested = [
        (json!({"token": ["at", "rt", 0, "s", "Bearer"]}), "token"),
        (
            json!({"service_account": ["service_account", "a@b", "pem"]}),
            "service_account",
        ),
        (
            json!({"endpoints": ["http://127.0.0.1:1/auth"]}),
            "endpoints",
        ),
        (json!({"timeouts": [1000, 2000]}), "timeouts"),
        (json!({"retry": [3, 10, 100]}), "retry"),
    ];
    for (config, key) in nested {
        let err = config_error(&config);
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{config}: {err}");
        assert!(err.message().contains(&format!("`{key}`")), "{err}");
        assert!(err.message().contains("object"), "{err}");
    }
    // A batch call given as [method, params, body].
    let err =
        parse_json::<Vec<BatchCallJson<'_>>>(r#"[["colors.get", {}, null]]"#, "requests_json")
            .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err}");
    assert!(
        err.message().contains("[0]") && err.message().contains("object"),
        "{err}"
    );
    let err =
        serde_json::from_str::<Vec<qorus_gcal::calendar::batch::BatchCall>>(r#"[["colors.get"]]"#);
    assert!(err.is_err(), "the Rust batch call type refuses arrays too");
}
