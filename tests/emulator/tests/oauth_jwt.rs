//! Service accounts: key files and the jwt-bearer grant with RS256 checks.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gcal_emulator::testing::{HttpResponse, get, post_form};
use gcal_emulator::{Emulator, ServiceAccountOptions};
use rsa::RsaPrivateKey;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{SignatureEncoding, Signer};
use serde_json::{Value, json};
use sha2::Sha256;

const GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const CAL: &str = "https://www.googleapis.com/auth/calendar";

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn sign(key_pem: &str, claims: &Value) -> String {
    let key = RsaPrivateKey::from_pkcs8_pem(key_pem).unwrap();
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT"}"#);
    let body = URL_SAFE_NO_PAD.encode(claims.to_string());
    let input = format!("{header}.{body}");
    let sig = SigningKey::<Sha256>::new(key).sign(input.as_bytes());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig.to_bytes()))
}

fn claims(key: &Value, aud: &str) -> Value {
    let t = now();
    json!({"iss": key["client_email"], "scope": CAL, "aud": aud, "iat": t, "exp": t + 3600})
}

fn exchange(emu: &Emulator, assertion: &str) -> HttpResponse {
    post_form(
        &emu.urls().token_url,
        &[("grant_type", GRANT), ("assertion", assertion)],
    )
    .unwrap()
}

fn primary_id(emu: &Emulator, token: &str) -> Value {
    get(
        &format!("{}calendars/primary", emu.urls().api_base_url),
        Some(token),
    )
    .unwrap()
    .json()["id"]
        .clone()
}

/// One emulator, one key; each case edits the claims (signing is slow in debug builds, so few keys).
#[test]
fn jwt_bearer_grant() {
    let emu = Emulator::start();
    let admin = emu.admin();
    let key = admin.add_service_account(ServiceAccountOptions::default());
    for field in [
        "type",
        "project_id",
        "private_key_id",
        "private_key",
        "client_email",
        "client_id",
        "token_uri",
        "auth_uri",
    ] {
        assert!(key[field].is_string(), "{field}");
    }
    assert_eq!(key["type"], "service_account");
    assert_eq!(key["token_uri"], emu.urls().token_url.as_str());
    let pem = key["private_key"].as_str().unwrap();
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
    let email = key["client_email"].as_str().unwrap().to_string();

    // Success: acts as the service account itself, no refresh token.
    let r = exchange(&emu, &sign(pem, &claims(&key, &emu.urls().token_url)));
    assert_eq!(r.status, 200, "{}", r.text());
    let j = r.json();
    assert!(j.get("refresh_token").is_none());
    assert_eq!(j["token_type"], "Bearer");
    assert_eq!(
        primary_id(&emu, j["access_token"].as_str().unwrap()),
        email.as_str()
    );

    // Google's own audience is accepted too.
    let r = exchange(
        &emu,
        &sign(pem, &claims(&key, "https://oauth2.googleapis.com/token")),
    );
    assert_eq!(r.status, 200);

    let expect = |c: Value, status: u16, error: &str| {
        let r = exchange(&emu, &sign(pem, &c));
        assert_eq!(r.status, status, "{c} {}", r.text());
        assert_eq!(r.json()["error"], error, "{c}");
        r
    };
    let mut c = claims(&key, "https://elsewhere.example.com/token");
    expect(c.clone(), 400, "invalid_grant");
    c = claims(&key, &emu.urls().token_url);
    c["exp"] = json!(now() + 7200);
    expect(c.clone(), 400, "invalid_grant");
    c = claims(&key, &emu.urls().token_url);
    c["iat"] = json!(now() + 1000);
    c["exp"] = json!(now() + 1200);
    expect(c.clone(), 400, "invalid_grant");
    c = claims(&key, &emu.urls().token_url);
    c["iat"] = json!(now() - 7200);
    c["exp"] = json!(now() - 3600);
    expect(c.clone(), 400, "invalid_grant");
    c = claims(&key, &emu.urls().token_url);
    c.as_object_mut().unwrap().remove("scope");
    expect(c.clone(), 400, "invalid_scope");
    c = claims(&key, &emu.urls().token_url);
    c["sub"] = json!("boss@example.com");
    expect(c, 401, "unauthorized_client");

    // A signature by another key.
    let other = admin.add_service_account(ServiceAccountOptions::default());
    let forged = sign(
        other["private_key"].as_str().unwrap(),
        &claims(&key, &emu.urls().token_url),
    );
    let r = exchange(&emu, &forged);
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error_description"], "Invalid JWT Signature.");

    // Garbage assertions and unknown issuers.
    assert_eq!(exchange(&emu, "not.a.jwt").json()["error"], "invalid_grant");
    assert_eq!(exchange(&emu, "").json()["error"], "invalid_request");
    let mut stranger = claims(&key, &emu.urls().token_url);
    stranger["iss"] = json!("nobody@x.iam.gserviceaccount.com");
    assert_eq!(
        exchange(&emu, &sign(pem, &stranger)).json()["error"],
        "invalid_grant"
    );
}

#[test]
fn domain_wide_delegation_acts_as_the_subject() {
    let emu = Emulator::start();
    let key = emu.admin().add_service_account(ServiceAccountOptions {
        allow_subject: true,
        name: Some("robot".into()),
        ..Default::default()
    });
    assert!(key["client_email"].as_str().unwrap().starts_with("robot@"));
    let mut c = claims(&key, &emu.urls().token_url);
    c["sub"] = json!("new.person@example.com");
    let r = exchange(&emu, &sign(key["private_key"].as_str().unwrap(), &c));
    assert_eq!(r.status, 200, "{}", r.text());
    let token = r.json()["access_token"].as_str().unwrap().to_string();
    assert_eq!(primary_id(&emu, &token), "new.person@example.com");
}
