//! Requests that can never be sent (a header value with CR, LF or NUL; a URL too long for HTTP) are
//! refused at once as invalid arguments, with no request and no retry; huge names and values are
//! shortened in messages and cost no edit-distance search.

mod support;

use support::clients::client_for;

use gcal_emulator::Emulator;
use qorus_gcal::calendar::call::CallOptions;
use qorus_gcal::http::send::{Outgoing, send};
use qorus_gcal::{Client, ErrorKind, runtime};
use serde_json::json;

const TEN_MB: usize = 10 << 20;

/// Nothing but the admin API reached the emulator.
fn assert_nothing_sent(emulator: &Emulator, what: &str) {
    let sent: Vec<_> = emulator
        .admin()
        .requests()
        .into_iter()
        .map(|r| r.path)
        .collect();
    assert!(sent.is_empty(), "{what}: sent {sent:?}");
}

#[test]
fn header_values_with_cr_lf_or_nul_are_refused_before_any_request() {
    let emulator = Emulator::start();
    let client = client_for(&emulator);
    let cases = [
        (
            "if_match",
            CallOptions {
                if_match: Some("\"e1\"\r\nX-Injected: 1".into()),
                ..CallOptions::default()
            },
        ),
        (
            "if_none_match",
            CallOptions {
                if_none_match: Some("\"e1\"\0".into()),
                ..CallOptions::default()
            },
        ),
        (
            "if_match",
            CallOptions {
                if_match: Some("\"e1\"\n".into()),
                ..CallOptions::default()
            },
        ),
    ];
    for (option, options) in cases {
        emulator.admin().clear_requests();
        let err = support::clients::call_with(&client, "colors.get", json!({}), None, options)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{option}: {err:?}");
        assert!(err.message().contains(option), "{err}");
        assert_nothing_sent(&emulator, option);
    }
    // From JSON, as the C API gives them.
    let err = CallOptions::from_json(Some(r#"{"if_match": "a\r\nb"}"#)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(err.message().contains("if_match"), "{err}");
}

#[test]
fn fields_and_quota_user_with_line_breaks_travel_percent_encoded_never_as_headers() {
    let emulator = Emulator::start();
    let client = client_for(&emulator);
    emulator.admin().clear_requests();
    let options = CallOptions {
        fields: Some("kind\r\nX-Injected: 1".into()),
        quota_user: Some("u\r\nX-Other: 2".into()),
        ..CallOptions::default()
    };
    let _ = support::clients::call_with(&client, "colors.get", json!({}), None, options);
    let sent = emulator.admin().requests();
    assert_eq!(sent.len(), 1, "one request, no retry");
    assert!(
        sent[0].query.contains("%0D%0AX-Injected"),
        "{}",
        sent[0].query
    );
    assert!(!sent[0].headers.contains_key("x-injected"));
    assert!(!sent[0].headers.contains_key("x-other"));
}

#[test]
fn an_access_token_that_cannot_be_sent_is_refused_at_client_creation() {
    let secret = "ya29.unsendable-0x5ec7e7";
    for bad in [format!("{secret}\r\nX-Injected: 1"), format!("{secret}\0")] {
        let config = json!({"token": {"access_token": bad}}).to_string();
        let err = Client::from_json(&config).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err:?}");
        assert!(err.message().contains("token.access_token"), "{err}");
        assert!(!format!("{err} {err:?}").contains(secret), "{err:?}");
    }
}

#[test]
fn requests_too_large_to_build_are_refused_at_once() {
    let emulator = Emulator::start();
    let client = client_for(&emulator);
    let huge = "c".repeat(TEN_MB);
    let cases = [
        (
            "events.get",
            json!({"calendarId": huge, "eventId": "e1"}),
            CallOptions::default(),
            "calendarId",
        ),
        (
            "colors.get",
            json!({}),
            CallOptions {
                fields: Some(huge.clone()),
                ..CallOptions::default()
            },
            "fields",
        ),
        (
            "events.list",
            json!({"calendarId": "primary", "syncToken": huge}),
            CallOptions::default(),
            "syncToken",
        ),
    ];
    for (method, params, options, param) in cases {
        emulator.admin().clear_requests();
        let err = support::clients::call_with(&client, method, params, None, options).unwrap_err();
        assert_eq!(
            err.kind(),
            ErrorKind::InvalidArgument,
            "{method}: {}",
            &err.message()[..200.min(err.message().len())]
        );
        assert!(err.message().contains(param), "{method}: {}", err.message());
        assert!(
            err.message().len() < 512,
            "{method}: a {} byte message",
            err.message().len()
        );
        assert_nothing_sent(&emulator, method);
    }
    // Through sync, which takes the token separately.
    emulator.admin().clear_requests();
    let c = client.clone();
    let token = huge.clone();
    let err = runtime::block_on(async move {
        c.sync(
            "events.list",
            &json!({"calendarId": "primary"}),
            Some(&token),
            false,
        )
        .await
    })
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(err.message().len() < 512);
    assert_nothing_sent(&emulator, "sync");
}

#[test]
fn a_request_reqwest_cannot_build_is_an_invalid_argument_and_never_retried() {
    let emulator = Emulator::start();
    let client = client_for(&emulator);
    let url = url::Url::parse(&format!("{}colors", emulator.urls().api_base_url)).unwrap();
    let mut outgoing = Outgoing::new(reqwest::Method::GET, url);
    outgoing.headers.push(("x-bad", "a\nb".into()));
    outgoing.idempotent = true;
    emulator.admin().clear_requests();
    let c = client.clone();
    let err = runtime::block_on(async move { send(&c, &outgoing).await }).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err:?}");
    assert!(!err.message().contains("after"), "not retried: {err}");
    assert_nothing_sent(&emulator, "a header reqwest refuses");
}

#[test]
fn an_unknown_method_of_ten_megabytes_is_answered_briefly() {
    let emulator = Emulator::start();
    let client = client_for(&emulator);
    // A dot and a real verb made the old search suggest methods after comparing all ten megabytes.
    let name = format!("{}.list", "x".repeat(TEN_MB));
    let err = support::clients::call_with(&client, &name, json!({}), None, CallOptions::default())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnknownMethod);
    let message = err.message();
    assert!(message.len() < 300, "a {} byte message", message.len());
    assert!(
        message.contains(&format!("({} bytes)", name.len())),
        "{message}"
    );
    assert!(!message.contains("did you mean"), "{message}");
    // Plausible names still get their suggestion.
    let err = support::clients::call_with(
        &client,
        "events.lsit",
        json!({}),
        None,
        CallOptions::default(),
    )
    .unwrap_err();
    assert!(err.message().contains("did you mean events.list"), "{err}");
}

#[test]
fn huge_parameter_names_and_values_are_shortened_in_messages() {
    let emulator = Emulator::start();
    let client = client_for(&emulator);
    let huge = "z".repeat(1 << 20);
    let cases = [
        json!({"calendarId": "primary", huge.clone(): 1}),
        json!({"calendarId": "primary", "orderBy": huge}),
        json!({"calendarId": "primary", "timeMin": huge}),
        json!({"calendarId": "primary", "maxResults": huge}),
        json!({"calendarId": "primary", "showDeleted": huge}),
        json!({"calendarId": "primary", "eventTypes": [huge]}),
    ];
    for params in cases {
        let err = support::clients::call_with(
            &client,
            "events.list",
            params,
            None,
            CallOptions::default(),
        )
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
        assert!(
            err.message().len() < 1024,
            "a {} byte message: {}",
            err.message().len(),
            &err.message()[..300]
        );
        assert!(err.message().contains("bytes)"), "{}", err.message());
    }
}
