//! The admin API over HTTP under /__emulator/.

use gcal_emulator::Emulator;
use gcal_emulator::testing::{HttpResponse, get, post_form, post_json, request};
use serde_json::{Value, json};

fn admin_url(emu: &Emulator, route: &str) -> String {
    format!("{}/__emulator/{route}", emu.urls().base_url)
}

fn post(emu: &Emulator, route: &str, body: Value) -> HttpResponse {
    post_json(&admin_url(emu, route), None, &body).unwrap()
}

fn delete(emu: &Emulator, route: &str) -> HttpResponse {
    request("DELETE", &admin_url(emu, route), &[], b"").unwrap()
}

fn token(emu: &Emulator, body: Value) -> String {
    let r = post(emu, "tokens", body);
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["access_token"].as_str().unwrap().to_string()
}

fn colors(emu: &Emulator, t: &str) -> u16 {
    get(&format!("{}colors", emu.urls().api_base_url), Some(t))
        .unwrap()
        .status
}

#[test]
fn urls_clients_users_and_tokens() {
    let emu = Emulator::start();
    let urls = get(&admin_url(&emu, "urls"), None).unwrap().json();
    assert_eq!(urls["token_url"], emu.urls().token_url.as_str());
    assert_eq!(
        get(&format!("{}/__emulator/", emu.urls().base_url), None)
            .unwrap()
            .json(),
        urls
    );

    let r = post(
        &emu,
        "clients",
        json!({"client_id": "app", "client_secret": "app-secret", "redirect_uris": ["https://app.example.com/cb"], "consent": "deny"}),
    );
    assert_eq!(r.json()["client_id"], "app");
    assert_eq!(
        post(&emu, "users", json!({"email": "carol@example.com"})).status,
        200
    );

    let t = token(
        &emu,
        json!({"client_id": "app", "user": "carol@example.com", "offline": true}),
    );
    let cal = get(
        &format!("{}calendars/primary", emu.urls().api_base_url),
        Some(&t),
    )
    .unwrap();
    assert_eq!(cal.json()["id"], "carol@example.com");
    let r = post(&emu, "tokens", json!({"client_id": "ghost"}));
    assert_eq!(r.status, 404);

    let r = post(
        &emu,
        "tokens",
        json!({"scopes": ["https://www.googleapis.com/auth/calendar.readonly"], "offline": true}),
    );
    let j = r.json();
    assert_eq!(
        j["scope"],
        "https://www.googleapis.com/auth/calendar.readonly"
    );
    assert!(j["refresh_token"].is_string());
}

#[test]
fn lifetime_expiry_and_revocation() {
    let emu = Emulator::start();
    assert_eq!(
        post(&emu, "token_lifetime", json!({"seconds": 30})).status,
        200
    );
    let r = post(&emu, "tokens", json!({}));
    assert_eq!(r.json()["expires_in"], 30);
    let t = r.json()["access_token"].as_str().unwrap().to_string();
    assert_eq!(colors(&emu, &t), 200);
    assert_eq!(post(&emu, "expire_access_tokens", json!({})).status, 200);
    assert_eq!(colors(&emu, &t), 401);

    let t = token(&emu, json!({}));
    let r = post(&emu, "revoke", json!({"user": "user@example.com"}));
    assert!(r.json()["revoked"].as_u64().unwrap() >= 1);
    assert_eq!(colors(&emu, &t), 401);
    let t = token(&emu, json!({}));
    post(&emu, "revoke", json!({}));
    assert_eq!(colors(&emu, &t), 401);
}

#[test]
fn service_account_key_file() {
    let emu = Emulator::start();
    let r = post(
        &emu,
        "service_accounts",
        json!({"name": "bot", "project_id": "p1", "allow_subject": true}),
    );
    let key = r.json();
    assert_eq!(key["type"], "service_account");
    assert_eq!(key["client_email"], "bot@p1.iam.gserviceaccount.com");
    assert_eq!(key["project_id"], "p1");
    assert!(key["private_key"].as_str().unwrap().contains("PRIVATE KEY"));
    assert_eq!(key["token_uri"], emu.urls().token_url.as_str());
}

#[test]
fn consent_modes_over_http() {
    let emu = Emulator::start();
    let consent_url = format!(
        "{}?client_id=emulator-client&redirect_uri=http://127.0.0.1:9/cb&response_type=code&scope=https://www.googleapis.com/auth/calendar",
        emu.urls().auth_url
    );
    let loc = |r: HttpResponse| r.header("location").unwrap().to_string();
    post(
        &emu,
        "consent",
        json!({"client_id": "emulator-client", "consent": "deny"}),
    );
    assert!(loc(get(&consent_url, None).unwrap()).contains("error=access_denied"));
    post(
        &emu,
        "consent",
        json!({"client_id": "emulator-client", "consent": "approve"}),
    );
    post(
        &emu,
        "consent/queue",
        json!({"client_id": "emulator-client", "consent": {"partial": ["https://www.googleapis.com/auth/calendar"]}}),
    );
    assert!(loc(get(&consent_url, None).unwrap()).contains("code="));
    assert_eq!(
        post(
            &emu,
            "consent",
            json!({"client_id": "ghost", "consent": "deny"})
        )
        .status,
        404
    );
    assert_eq!(
        post(
            &emu,
            "consent",
            json!({"client_id": "emulator-client", "consent": "maybe"})
        )
        .status,
        400
    );
}

#[test]
fn faults_over_http() {
    let emu = Emulator::start();
    let t = token(&emu, json!({}));
    let r = post(
        &emu,
        "faults",
        json!({"method": "colors.get", "status": 503, "times": 2}),
    );
    assert!(r.json()["id"].as_u64().is_some());
    let listed = get(&admin_url(&emu, "faults"), None).unwrap().json();
    assert_eq!(listed["faults"][0]["remaining"], 2);
    assert_eq!(listed["faults"][0]["fault"]["status"], 503);
    assert_eq!(colors(&emu, &t), 503);
    assert_eq!(delete(&emu, "faults").status, 200);
    assert_eq!(colors(&emu, &t), 200);
    let id = post(
        &emu,
        "faults",
        json!({"method": "colors.get", "status": 500}),
    )
    .json()["id"]
        .as_u64()
        .unwrap();
    assert_eq!(delete(&emu, &format!("faults/{id}")).status, 200);
    assert_eq!(delete(&emu, &format!("faults/{id}")).status, 404);
    assert_eq!(colors(&emu, &t), 200);
    let r = post(&emu, "faults", json!({"drop": "sideways"}));
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"]["errors"][0]["reason"], "parseError");
}

#[test]
fn request_log_redacts_secrets() {
    let emu = Emulator::start();
    let t = token(&emu, json!({}));
    colors(&emu, &t);
    post_form(
        &emu.urls().token_url,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", "1//very-secret"),
            ("client_id", "emulator-client"),
            ("client_secret", "emulator-secret"),
        ],
    )
    .unwrap();
    let log = get(&admin_url(&emu, "requests"), None).unwrap().json();
    assert_eq!(log["total"], 2);
    let text = log.to_string();
    assert!(!text.contains(&t), "access token leaked");
    assert!(!text.contains("very-secret"));
    assert!(!text.contains("emulator-secret"));
    let first = &log["requests"][0];
    assert_eq!(first["method"], "GET");
    assert_eq!(first["path"], "/calendar/v3/colors");
    assert_eq!(first["method_id"], "colors.get");
    assert_eq!(first["status"], 200);
    assert_eq!(first["headers"]["authorization"], "[redacted]");
    let second = &log["requests"][1];
    assert_eq!(second["method_id"], "token");
    assert!(
        second["body"]
            .as_str()
            .unwrap()
            .contains("grant_type=refresh_token")
    );
    assert_eq!(delete(&emu, "requests").status, 200);
    let log = get(&admin_url(&emu, "requests"), None).unwrap().json();
    assert_eq!(log["requests"].as_array().unwrap().len(), 0);
    assert_eq!(log["total"], 2);
}

#[test]
fn sync_token_expiry_call_and_reset() {
    let emu = Emulator::start();
    let t = token(&emu, json!({}));
    let list = format!("{}calendars/primary/events", emu.urls().api_base_url);
    let sync = get(&list, Some(&t)).unwrap().json()["nextSyncToken"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        get(&format!("{list}?syncToken={sync}"), Some(&t))
            .unwrap()
            .status,
        200
    );
    assert_eq!(post(&emu, "expire_sync_tokens", json!({})).status, 200);
    let r = get(&format!("{list}?syncToken={sync}"), Some(&t)).unwrap();
    assert_eq!(r.status, 410);
    assert_eq!(r.json()["error"]["errors"][0]["reason"], "fullSyncRequired");

    let r = post(
        &emu,
        "call",
        json!({"method": "POST", "path": "/calendars/primary/events", "body": {"summary": "direct", "start": {"date": "2026-01-01"}, "end": {"date": "2026-01-02"}}}),
    );
    assert_eq!(r.json()["status"], 200);
    assert_eq!(r.json()["body"]["summary"], "direct");
    let notes = get(&admin_url(&emu, "notifications"), None).unwrap().json();
    assert!(notes["notifications"].is_array());
    assert_eq!(delete(&emu, "notifications").status, 200);

    post(
        &emu,
        "clients",
        json!({"client_id": "temp", "client_secret": "s"}),
    );
    assert_eq!(post(&emu, "reset", json!({})).status, 200);
    assert_eq!(colors(&emu, &t), 401, "tokens are gone after reset");
    assert_eq!(
        post(&emu, "tokens", json!({"client_id": "temp"})).status,
        404
    );
    let fresh = token(&emu, json!({}));
    let items = get(&list, Some(&fresh)).unwrap().json();
    assert_eq!(
        items["items"].as_array().unwrap().len(),
        0,
        "calendars are back to empty"
    );
    assert_eq!(
        get(&admin_url(&emu, "requests"), None).unwrap().json()["total"],
        2
    );
}

#[test]
fn bad_admin_requests() {
    let emu = Emulator::start();
    assert_eq!(get(&admin_url(&emu, "nothing"), None).unwrap().status, 404);
    let r = request("POST", &admin_url(&emu, "users"), &[], b"{not json").unwrap();
    assert_eq!(r.status, 400);
    assert_eq!(post(&emu, "users", json!({"mail": "x"})).status, 400);
}

#[test]
fn request_log_paging_and_strict_admin_json() {
    let emu = Emulator::start();
    let t = token(&emu, json!({}));
    for _ in 0..5 {
        colors(&emu, &t);
    }
    let log = get(&admin_url(&emu, "requests?since=3"), None)
        .unwrap()
        .json();
    let seqs: Vec<u64> = log["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(seqs, vec![4, 5]);
    let log = get(&admin_url(&emu, "requests?limit=1"), None)
        .unwrap()
        .json();
    assert_eq!(log["requests"][0]["seq"], 5);
    assert_eq!(emu.admin().requests_since(4).len(), 1);
    // A misspelt field is an error, not a silently ignored fault.
    assert_eq!(post(&emu, "faults", json!({"stauts": 500})).status, 400);
    let other = emu.admin().access_token_for("dave@example.com", &[]);
    let cal = get(
        &format!("{}calendars/primary", emu.urls().api_base_url),
        Some(&other),
    )
    .unwrap();
    assert_eq!(cal.json()["id"], "dave@example.com");
}
