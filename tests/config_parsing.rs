//! The JSON configuration: defaults, every key, strict errors that name the key, and no secret in any
//! message or Debug output.

use std::time::Duration;

use qorus_gcal::{Client, Config, ErrorKind};

#[test]
fn an_empty_config_takes_google_defaults_and_no_builtin_client() {
    let c = Config::from_json("{}").unwrap();
    assert_eq!(c.scopes, vec!["https://www.googleapis.com/auth/calendar"]);
    assert_eq!(
        c.endpoints.token_url.as_str(),
        "https://oauth2.googleapis.com/token"
    );
    assert_eq!(
        c.endpoints.auth_url.as_str(),
        "https://accounts.google.com/o/oauth2/v2/auth"
    );
    assert_eq!(
        c.endpoints.revoke_url.as_str(),
        "https://oauth2.googleapis.com/revoke"
    );
    assert_eq!(
        c.endpoints.api_base_url.as_str(),
        "https://www.googleapis.com/calendar/v3/"
    );
    assert_eq!(
        c.endpoints.batch_url.as_str(),
        "https://www.googleapis.com/batch/calendar/v3"
    );
    assert!(c.client_id.is_none() && c.client_secret.is_none());
    assert!(c.user_agent.starts_with("qorus-gcal/"));
}

#[test]
fn every_key_is_read() {
    let c = Config::from_json(
        r#"{
        "client_id": "cid", "client_secret": "csecret",
        "scopes": ["https://www.googleapis.com/auth/calendar.readonly"],
        "token": {"access_token": "at", "refresh_token": "rt", "expires_at": 1700000000,
                  "scope": "s", "token_type": "Bearer"},
        "endpoints": {"auth_url": "http://127.0.0.1:1/auth", "token_url": "http://127.0.0.1:1/token",
                      "revoke_url": "http://[::1]:1/revoke", "api_base_url": "http://localhost:1/calendar/v3",
                      "batch_url": "https://example.com/batch"},
        "timeouts": {"connect_ms": 1500, "request_ms": 2500},
        "retry": {"max_attempts": 3, "base_delay_ms": 10, "max_delay_ms": 100},
        "user_agent": "my-host/1.0",
        "refresh_skew_ms": 30000
    }"#,
    )
    .unwrap();
    assert_eq!(c.client_id.as_deref(), Some("cid"));
    assert_eq!(c.client_secret.as_ref().unwrap().expose(), "csecret");
    assert_eq!(
        c.scopes,
        vec!["https://www.googleapis.com/auth/calendar.readonly"]
    );
    let t = c.token.as_ref().unwrap();
    assert_eq!(t.access_token.as_ref().unwrap().expose(), "at");
    assert_eq!(t.refresh_token.as_ref().unwrap().expose(), "rt");
    assert_eq!(t.expires_at, Some(1_700_000_000));
    assert_eq!(
        c.endpoints.api_base_url.as_str(),
        "http://localhost:1/calendar/v3/",
        "slash added"
    );
    assert_eq!(c.endpoints.revoke_url.as_str(), "http://[::1]:1/revoke");
    assert_eq!(c.timeouts.connect, Duration::from_millis(1500));
    assert_eq!(c.timeouts.request, Duration::from_millis(2500));
    assert_eq!(c.retry.max_attempts, 3);
    assert_eq!(c.retry.base_delay, Duration::from_millis(10));
    assert_eq!(c.retry.max_delay, Duration::from_millis(100));
    assert_eq!(c.user_agent, "my-host/1.0");
    assert_eq!(c.refresh_skew, Duration::from_secs(30));
}

#[test]
fn errors_name_the_key_and_tell_json_from_shape() {
    let cases: &[(&str, ErrorKind, &str)] = &[
        ("{", ErrorKind::InvalidJson, "not valid JSON"),
        (r#"{"scopez": []}"#, ErrorKind::InvalidArgument, "scopez"),
        (
            r#"{"retry": {"max_attempts": 99}}"#,
            ErrorKind::InvalidArgument,
            "retry.max_attempts",
        ),
        (
            r#"{"retry": {"base_delay_ms": 10, "max_delay_ms": 5}}"#,
            ErrorKind::InvalidArgument,
            "base_delay_ms",
        ),
        (
            r#"{"timeouts": {"connect_ms": true}}"#,
            ErrorKind::InvalidArgument,
            "timeouts.connect_ms",
        ),
        (
            r#"{"subject": "a@b.c"}"#,
            ErrorKind::InvalidArgument,
            "service_account",
        ),
        (
            r#"{"client_secret": "s"}"#,
            ErrorKind::InvalidArgument,
            "client_id",
        ),
        (
            r#"{"client_id": " "}"#,
            ErrorKind::InvalidArgument,
            "client_id",
        ),
        (
            r#"{"scopes": ["a b"]}"#,
            ErrorKind::InvalidArgument,
            "scopes",
        ),
        (
            r#"{"endpoints": {"auth_url": "ftp://x/"}}"#,
            ErrorKind::InvalidArgument,
            "endpoints.auth_url",
        ),
        (
            r#"{"endpoints": {"batch_url": "http://10.0.0.1/b"}}"#,
            ErrorKind::InvalidArgument,
            "https",
        ),
        (
            r#"{"user_agent": ""}"#,
            ErrorKind::InvalidArgument,
            "user_agent",
        ),
        (
            r#"{"token": {"token_type": "Bearer"}}"#,
            ErrorKind::InvalidArgument,
            "token",
        ),
        (
            r#"{"token": {"access_token": "a", "token_type": "MAC"}}"#,
            ErrorKind::InvalidArgument,
            "token_type",
        ),
        (
            r#"{"service_account": {"type": "service_account"}}"#,
            ErrorKind::InvalidArgument,
            "service_account",
        ),
    ];
    for (json, kind, needle) in cases {
        let err = Client::from_json(json).expect_err(json);
        assert_eq!(err.kind(), *kind, "{json}: {err}");
        assert!(
            err.message().contains(needle),
            "{json}: message {:?} lacks {needle:?}",
            err.message()
        );
        assert_eq!(err.http_status(), 0);
    }
}

#[test]
fn secrets_never_show_in_debug_output() {
    let c = Config::from_json(
        r#"{"client_id": "cid", "client_secret": "SECRET-CS",
            "token": {"access_token": "SECRET-AT", "refresh_token": "SECRET-RT"},
            "service_account": {"type": "service_account", "client_email": "sa@x.iam.gserviceaccount.com",
                                "private_key": "SECRET-PK"}}"#,
    )
    .unwrap();
    let debug = format!("{c:?} {:#?}", c);
    for secret in ["SECRET-CS", "SECRET-AT", "SECRET-RT", "SECRET-PK"] {
        assert!(!debug.contains(secret), "{secret} leaked in Debug output");
    }
    assert!(debug.contains("[redacted]"));
    assert!(debug.contains("cid"), "non-secret values stay visible");
}

#[test]
fn errors_name_the_key_and_text_after_the_json_is_refused() {
    let e = Config::from_json(r#"{"timeouts": {"request_ms": "soon"}}"#).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert!(e.message().contains("`timeouts.request_ms`"), "{e}");
    let e = Config::from_json(r#"{"no_such_key": 1}"#).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert!(e.message().contains("no_such_key"), "{e}");
    for bad in ["{} x", "{}}", r#"{"client_id": "a"} {}"#, "{"] {
        let e = Config::from_json(bad).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidJson, "{bad}: {e}");
    }
    assert!(Config::from_json(" {} \n").is_ok());
}
