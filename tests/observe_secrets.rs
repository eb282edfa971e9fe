//! A whole run logged at trace level through the C ABI's log callback — consent both ways, refreshes
//! (forced, on expiry, after a 401, after a token-endpoint 503), a service account, a bring-your-own
//! token, calls with paging and sync, a batch, retried faults, errors, revocation and shutdown — and
//! not one of the secrets the run used appears in any record. One test in its own binary: the log
//! callback and the shutdown are process-wide.

mod support;

use support::clients::record_tokens;

use std::collections::BTreeSet;
use std::ffi::{CStr, c_void};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use gcal_emulator::{ClientConfig, Emulator, Fault, MintToken, ServiceAccountOptions};
use qorus_gcal::calendar::batch::{BatchCall, BatchOptions};
use qorus_gcal::calendar::call::CallOptions;
use qorus_gcal::ffi::{QGCAL_LOG_TRACE, qgcal_log_record, qgcal_set_log_callback, qgcal_status};
use qorus_gcal::oauth::consent::{ExternalOptions, LocalOptions};
use qorus_gcal::oauth::token::Token;
use qorus_gcal::{BlockingClient, ErrorKind, runtime};
use serde_json::{Value, json};
use support::browser;

static RECORDS: Mutex<Vec<String>> = Mutex::new(Vec::new());
static DROPS: AtomicUsize = AtomicUsize::new(0);

/// Keeps every record as one line: level, client, target, message and fields.
unsafe extern "C" fn capture(_: *mut c_void, record: *const qgcal_log_record) {
    // SAFETY: the library passes a valid record whose strings live through the call.
    let line = unsafe {
        let r = &*record;
        let text = |p| CStr::from_ptr(p).to_string_lossy().into_owned();
        format!(
            "{} client={} {} | {} | {}",
            r.level,
            r.client_id,
            text(r.target),
            text(r.message),
            text(r.fields_json)
        )
    };
    RECORDS.lock().unwrap().push(line);
}

unsafe extern "C" fn dropped(_: *mut c_void) {
    DROPS.fetch_add(1, Ordering::SeqCst);
}

const RELAY: &str = "https://relay.example.com/oauth/callback";
const CLIENT_ID: &str = "observe-test.apps.example";
const CLIENT_SECRET: &str = "observe-client-secret-9d1c44f2";

/// Every secret the run handled, gathered as it goes.
#[derive(Default)]
struct Secrets(BTreeSet<String>);

impl Secrets {
    fn add(&mut self, what: impl Into<String>) {
        let what = what.into();
        assert!(what.len() >= 6, "too short to search for: {what:?}");
        self.0.insert(what);
    }

    fn add_token(&mut self, token: &Token) {
        if let Some(a) = &token.access_token {
            self.add(a.expose());
        }
        if let Some(r) = &token.refresh_token {
            self.add(r.expose());
        }
    }
}

fn query_param(url: &str, name: &str) -> String {
    let url = url::Url::parse(url).unwrap();
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("no {name} in {url}"))
}

fn call(client: &BlockingClient, method: &str, params: Value, body: Option<Value>) -> Value {
    client
        .call(method, &params, body.as_ref(), &CallOptions::default())
        .unwrap_or_else(|e| panic!("{method}: {e}"))
}

#[test]
fn a_whole_run_at_trace_level_logs_no_secret() {
    let status = unsafe {
        qgcal_set_log_callback(
            QGCAL_LOG_TRACE,
            Some(capture),
            std::ptr::null_mut(),
            Some(dropped),
            std::ptr::null_mut(),
        )
    };
    assert_eq!(status, qgcal_status::QGCAL_OK);

    let emulator = Emulator::start();
    let admin = emulator.admin();
    let mut registered = ClientConfig::new(CLIENT_ID, CLIENT_SECRET);
    registered.redirect_uris = vec![RELAY.into()];
    admin.add_client(registered);
    let mut secrets = Secrets::default();
    secrets.add(CLIENT_SECRET);

    let config = support::emulator_config(
        emulator.urls(),
        json!({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}),
    );
    let client = BlockingClient::from_json(&config).unwrap();
    let tokens = record_tokens(client.client());

    // Consent by the local listener: the code and state travel through the browser's redirect.
    let (consent, url) = client.consent_start_local(LocalOptions::default()).unwrap();
    let (location, back) = browser::consent(url.as_str());
    assert_eq!(back.expect("the listener answered").status, 200);
    secrets.add(query_param(&location, "code"));
    secrets.add(query_param(&location, "state"));
    secrets.add_token(&consent.wait(Some(Duration::from_secs(10))).unwrap());

    // Consent by an external redirect: the session holds the PKCE verifier.
    let options = ExternalOptions::from_json(&json!({"redirect_uri": RELAY}).to_string()).unwrap();
    let (url, session) = client.consent_start_external(&options).unwrap();
    secrets.add(session.code_verifier.expose());
    secrets.add(session.state.expose());
    let (callback, _) = browser::consent(url.as_str());
    secrets.add(query_param(&callback, "code"));
    secrets.add_token(&client.consent_complete(&session, &callback).unwrap());

    // Calls: writes, reads, a page at a time, a sync, a batch with a failing call, an error.
    for n in 0..3 {
        call(
            &client,
            "events.insert",
            json!({"calendarId": "primary"}),
            Some(json!({"summary": format!("observe {n}"),
                "start": {"dateTime": "2030-01-01T10:00:00Z"}, "end": {"dateTime": "2030-01-01T11:00:00Z"}})),
        );
    }
    let page = call(
        &client,
        "events.list",
        json!({"calendarId": "primary", "maxResults": 1}),
        None,
    );
    let page_token = page["nextPageToken"].as_str().expect("a second page");
    secrets.add(page_token);
    call(
        &client,
        "events.list",
        json!({"calendarId": "primary", "maxResults": 1, "pageToken": page_token}),
        None,
    );
    let synced = client
        .sync("events.list", &json!({"calendarId": "primary"}), None, true)
        .unwrap();
    let sync_token = synced.next_sync_token.expect("a sync token");
    secrets.add(sync_token.as_str());
    client
        .sync(
            "events.list",
            &json!({"calendarId": "primary"}),
            Some(&sync_token),
            true,
        )
        .unwrap();
    let batch: Vec<BatchCall> = serde_json::from_value(json!([
        {"method": "calendarList.list", "params": {}},
        {"method": "events.get", "params": {"calendarId": "primary", "eventId": "missing000"}},
        {"method": "events.list", "params": {"calendarId": "primary"}},
    ]))
    .unwrap();
    client.batch(&batch, &BatchOptions::chunks_of(2)).unwrap();
    let missing = client.call(
        "events.get",
        &json!({"calendarId": "primary", "eventId": "missing111"}),
        None,
        &CallOptions::default(),
    );
    assert_eq!(missing.unwrap_err().http_status(), 404);

    // Faults retried: a 503, a 429, then the token endpoint failing once during a forced refresh.
    admin.add_fault(Fault {
        retry_after: Some(0),
        ..Fault::status("calendarList.list", 503)
    });
    admin.add_fault(Fault {
        retry_after: Some(0),
        ..Fault::status("calendarList.list", 429)
    });
    call(&client, "calendarList.list", json!({}), None);
    admin.add_fault(Fault::status("token", 503));
    secrets.add_token(&client.refresh().unwrap());
    // An expired token: the API answers 401 and the library refreshes once.
    admin.expire_access_tokens();
    call(&client, "calendarList.list", json!({}), None);

    // A service account, whose private key signs the assertions.
    let key = admin.add_service_account(ServiceAccountOptions::default());
    let pem = key["private_key"].as_str().unwrap().to_string();
    for line in pem
        .lines()
        .filter(|l| !l.starts_with("-----") && l.len() >= 16)
    {
        secrets.add(line);
    }
    let sa_config = support::emulator_config(
        emulator.urls(),
        json!({"client_id": null, "client_secret": null, "service_account": key}),
    );
    let sa = BlockingClient::from_json(&sa_config).unwrap();
    let sa_tokens = record_tokens(sa.client());
    call(&sa, "calendarList.list", json!({}), None);
    secrets.add_token(&sa.refresh().unwrap());

    // A bring-your-own token, and one the API refuses.
    let minted = admin
        .mint_token(MintToken {
            client_id: CLIENT_ID.into(),
            ..MintToken::default()
        })
        .unwrap();
    let byo_token = minted["access_token"].as_str().unwrap().to_string();
    secrets.add(byo_token.as_str());
    let byo = BlockingClient::from_json(&support::emulator_config(
        emulator.urls(),
        json!({"token": {"access_token": byo_token}}),
    ))
    .unwrap();
    call(&byo, "calendarList.list", json!({}), None);
    admin.expire_access_tokens();
    let refused = byo
        .call(
            "calendarList.list",
            &json!({}),
            None,
            &CallOptions::default(),
        )
        .unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::ConsentRequired);

    // Revocation, then shutdown.
    client.revoke().unwrap();
    for token in tokens
        .lock()
        .unwrap()
        .iter()
        .chain(sa_tokens.lock().unwrap().iter())
    {
        secrets.add_token(token);
    }
    drop((client, sa, byo));
    runtime::shutdown().unwrap();

    let records = RECORDS.lock().unwrap().clone();
    // QGCAL_TEST_PRINT_RECORDS=1 shows what a whole run logs (with --nocapture).
    if std::env::var_os("QGCAL_TEST_PRINT_RECORDS").is_some() {
        for r in &records {
            eprintln!("{r}");
        }
    }
    // The run was logged: each kind of step shows up, so an empty or broken log fails here.
    for expected in [
        "client created",
        "the library's runtime started",
        "consent started",
        "\"mode\":\"local\"",
        "\"mode\":\"external\"",
        "\"grant\":\"authorization_code\"",
        "\"grant\":\"refresh_token\"",
        "\"grant\":\"service_account\"",
        "\"why\":\"refused by the API (HTTP 401)\"",
        "token obtained",
        "\"cause\":\"5xx\"",
        "\"cause\":\"429\"",
        "\"cause\":\"401_refresh\"",
        "OAuth request failed; retrying",
        "\"http_status\":404",
        "batch chunk answered",
        "sending HTTP request",
        "response headers",
        "authorization: [redacted]",
        "token revoked",
        "shutting down",
        "the library's runtime stopped",
    ] {
        assert!(
            records.iter().any(|r| r.contains(expected)),
            "no record contains {expected:?}; {} records",
            records.len()
        );
    }
    assert!(
        secrets.0.len() >= 20,
        "only {} secrets gathered",
        secrets.0.len()
    );
    let mut leaks = Vec::new();
    for record in &records {
        for secret in &secrets.0 {
            if record.contains(secret.as_str()) {
                leaks.push(format!("{secret:?} in: {record}"));
            }
        }
        // Shapes of the emulator's tokens and codes, and of any JWT (the signed assertions).
        for shape in [
            "ya29.",
            "1//emu-",
            "4/emu-",
            "eyJ",
            "Bearer ey",
            "Bearer ya29",
        ] {
            if record.contains(shape) {
                leaks.push(format!("{shape:?} in: {record}"));
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "{} leaks in {} records:\n{}",
        leaks.len(),
        records.len(),
        leaks.join("\n")
    );

    // The callback is dropped once when removed.
    let status = unsafe {
        qgcal_set_log_callback(
            QGCAL_LOG_TRACE,
            None,
            std::ptr::null_mut(),
            None,
            std::ptr::null_mut(),
        )
    };
    assert_eq!(status, qgcal_status::QGCAL_OK);
    assert_eq!(DROPS.load(Ordering::SeqCst), 1);
}
