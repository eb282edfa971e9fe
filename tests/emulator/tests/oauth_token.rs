//! The token endpoint: authorization_code with PKCE, refresh_token, client authentication and errors.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use gcal_emulator::testing::{HttpResponse, form, get, post_form, query_params, request};
use gcal_emulator::{ClientConfig, Emulator};
use serde_json::Value;
use sha2::{Digest, Sha256};

const CAL: &str = "https://www.googleapis.com/auth/calendar";
const REDIRECT: &str = "http://127.0.0.1:5555/callback";
const VERIFIER: &str = "dBjftJeZ4CVP-mJ0H2XhTmqrT9H1V5oYzZ1A5G7N0wQabc";

fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Runs consent and answers the code.
fn code(emu: &Emulator, extra: &[(&str, &str)]) -> String {
    let mut p = vec![
        ("client_id", "emulator-client"),
        ("redirect_uri", REDIRECT),
        ("response_type", "code"),
        ("scope", CAL),
    ];
    p.extend_from_slice(extra);
    let r = get(&format!("{}?{}", emu.urls().auth_url, form(&p)), None).unwrap();
    let loc = r.header("location").expect("redirect");
    query_params(loc)
        .into_iter()
        .find(|(k, _)| k == "code")
        .expect("code")
        .1
}

fn token(emu: &Emulator, pairs: &[(&str, &str)]) -> HttpResponse {
    post_form(&emu.urls().token_url, pairs).unwrap()
}

fn exchange(emu: &Emulator, code: &str, verifier: &str) -> HttpResponse {
    token(
        emu,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("client_id", "emulator-client"),
            ("client_secret", "emulator-secret"),
            ("code_verifier", verifier),
        ],
    )
}

fn api_status(emu: &Emulator, token: &str) -> u16 {
    get(&format!("{}colors", emu.urls().api_base_url), Some(token))
        .unwrap()
        .status
}

fn assert_error(r: &HttpResponse, status: u16, error: &str) {
    assert_eq!(r.status, status, "{}", r.text());
    assert_eq!(r.json()["error"], error, "{}", r.text());
}

fn s256_offline(emu: &Emulator) -> String {
    let ch = challenge(VERIFIER);
    code(
        emu,
        &[
            ("code_challenge", &ch),
            ("code_challenge_method", "S256"),
            ("access_type", "offline"),
        ],
    )
}

#[test]
fn code_exchange_with_s256_and_offline_gives_refresh_token() {
    let emu = Emulator::start();
    let r = exchange(&emu, &s256_offline(&emu), VERIFIER);
    assert_eq!(r.status, 200, "{}", r.text());
    let j = r.json();
    assert_eq!(j["token_type"], "Bearer");
    assert_eq!(j["expires_in"], 3599);
    assert_eq!(j["scope"], CAL);
    assert!(j["refresh_token"].is_string());
    assert_eq!(api_status(&emu, j["access_token"].as_str().unwrap()), 200);
}

#[test]
fn online_access_has_no_refresh_token_and_plain_pkce_works() {
    let emu = Emulator::start();
    let v = "x".repeat(50);
    let c = code(
        &emu,
        &[("code_challenge", &v), ("code_challenge_method", "plain")],
    );
    let r = exchange(&emu, &c, &v);
    assert_eq!(r.status, 200);
    assert!(r.json().get("refresh_token").is_none());
}

#[test]
fn wrong_or_missing_verifier_is_invalid_grant() {
    let emu = Emulator::start();
    let r = exchange(&emu, &s256_offline(&emu), &"y".repeat(43));
    assert_error(&r, 400, "invalid_grant");
    assert_eq!(r.json()["error_description"], "Invalid code verifier.");
    let c = s256_offline(&emu);
    let r = token(
        &emu,
        &[
            ("grant_type", "authorization_code"),
            ("code", &c),
            ("redirect_uri", REDIRECT),
            ("client_id", "emulator-client"),
            ("client_secret", "emulator-secret"),
        ],
    );
    assert_error(&r, 400, "invalid_grant");
}

#[test]
fn code_reuse_is_invalid_grant_and_revokes_what_it_issued() {
    let emu = Emulator::start();
    let c = s256_offline(&emu);
    let first = exchange(&emu, &c, VERIFIER).json();
    let access = first["access_token"].as_str().unwrap();
    assert_eq!(api_status(&emu, access), 200);
    assert_error(&exchange(&emu, &c, VERIFIER), 400, "invalid_grant");
    assert_eq!(api_status(&emu, access), 401);
    let refresh = first["refresh_token"].as_str().unwrap();
    let r = token(
        &emu,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh),
            ("client_id", "emulator-client"),
            ("client_secret", "emulator-secret"),
        ],
    );
    assert_error(&r, 400, "invalid_grant");
}

#[test]
fn unknown_code_and_redirect_mismatch() {
    let emu = Emulator::start();
    assert_error(
        &exchange(&emu, "4/nonsense", VERIFIER),
        400,
        "invalid_grant",
    );
    let c = s256_offline(&emu);
    let r = token(
        &emu,
        &[
            ("grant_type", "authorization_code"),
            ("code", &c),
            ("redirect_uri", "http://127.0.0.1:5556/callback"),
            ("client_id", "emulator-client"),
            ("client_secret", "emulator-secret"),
            ("code_verifier", VERIFIER),
        ],
    );
    assert_error(&r, 400, "redirect_uri_mismatch");
}

#[test]
fn client_authentication_by_form_or_basic() {
    let emu = Emulator::start();
    let bad = token(
        &emu,
        &[
            ("grant_type", "authorization_code"),
            ("code", "x"),
            ("redirect_uri", REDIRECT),
            ("client_id", "emulator-client"),
            ("client_secret", "wrong"),
        ],
    );
    assert_error(&bad, 401, "invalid_client");
    assert_eq!(bad.json()["error_description"], "Unauthorized");
    let unknown = token(
        &emu,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", "r"),
            ("client_id", "who"),
            ("client_secret", "s"),
        ],
    );
    assert_error(&unknown, 401, "invalid_client");

    let wrong_basic = format!("Basic {}", STANDARD.encode("emulator-client:nope"));
    let r = request(
        "POST",
        &emu.urls().token_url,
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Authorization", &wrong_basic),
        ],
        b"grant_type=refresh_token&refresh_token=x",
    )
    .unwrap();
    assert_error(&r, 401, "invalid_client");
    let no_client = token(
        &emu,
        &[("grant_type", "refresh_token"), ("refresh_token", "x")],
    );
    assert_error(&no_client, 400, "invalid_request");

    let c = s256_offline(&emu);
    let basic = format!(
        "Basic {}",
        STANDARD.encode("emulator-client:emulator-secret")
    );
    let body = form(&[
        ("grant_type", "authorization_code"),
        ("code", &c),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ]);
    let r = request(
        "POST",
        &emu.urls().token_url,
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Authorization", &basic),
        ],
        body.as_bytes(),
    )
    .unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
}

#[test]
fn missing_parameters_and_unknown_grant_type() {
    let emu = Emulator::start();
    assert_error(
        &token(&emu, &[("client_id", "emulator-client")]),
        400,
        "invalid_request",
    );
    assert_error(
        &token(&emu, &[("grant_type", "password")]),
        400,
        "unsupported_grant_type",
    );
    let r = token(
        &emu,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", "emulator-client"),
            ("client_secret", "emulator-secret"),
        ],
    );
    assert_error(&r, 400, "invalid_request");
    let r = token(
        &emu,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", "emulator-client"),
            ("client_secret", "emulator-secret"),
        ],
    );
    assert_error(&r, 400, "invalid_request");
}

fn refresh(emu: &Emulator, rt: &str, client: &str, secret: &str) -> HttpResponse {
    token(
        emu,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", rt),
            ("client_id", client),
            ("client_secret", secret),
        ],
    )
}

#[test]
fn refresh_gives_a_new_access_token_without_refresh_token() {
    let emu = Emulator::start();
    let first: Value = exchange(&emu, &s256_offline(&emu), VERIFIER).json();
    let rt = first["refresh_token"].as_str().unwrap();
    let r = refresh(&emu, rt, "emulator-client", "emulator-secret");
    assert_eq!(r.status, 200);
    let j = r.json();
    assert!(j.get("refresh_token").is_none());
    assert_ne!(j["access_token"], first["access_token"]);
    assert_eq!(j["scope"], CAL);
    assert_eq!(api_status(&emu, j["access_token"].as_str().unwrap()), 200);
}

#[test]
fn refresh_errors() {
    let emu = Emulator::start();
    let r = refresh(&emu, "1//unknown", "emulator-client", "emulator-secret");
    assert_error(&r, 400, "invalid_grant");
    assert_eq!(
        r.json()["error_description"],
        "Token has been expired or revoked."
    );

    emu.admin()
        .add_client(ClientConfig::new("other", "other-secret"));
    let first = exchange(&emu, &s256_offline(&emu), VERIFIER).json();
    let rt = first["refresh_token"].as_str().unwrap();
    assert_error(
        &refresh(&emu, rt, "other", "other-secret"),
        400,
        "unauthorized_client",
    );

    emu.admin().revoke_grants(Default::default());
    assert_error(
        &refresh(&emu, rt, "emulator-client", "emulator-secret"),
        400,
        "invalid_grant",
    );
}

#[test]
fn lifetime_and_expiry_of_access_tokens() {
    let emu = Emulator::start();
    let admin = emu.admin();
    admin.set_access_token_lifetime(120);
    let first = exchange(&emu, &s256_offline(&emu), VERIFIER).json();
    assert_eq!(first["expires_in"], 120);
    let access = first["access_token"].as_str().unwrap();
    admin.expire_access_tokens();
    let r = get(&format!("{}colors", emu.urls().api_base_url), Some(access)).unwrap();
    assert_eq!(r.status, 401);
    // The refresh token survives expiry.
    let rt = first["refresh_token"].as_str().unwrap();
    let fresh = refresh(&emu, rt, "emulator-client", "emulator-secret").json();
    assert_eq!(
        api_status(&emu, fresh["access_token"].as_str().unwrap()),
        200
    );
    // A zero lifetime issues tokens that are already expired.
    admin.set_access_token_lifetime(0);
    let dead = refresh(&emu, rt, "emulator-client", "emulator-secret").json();
    assert_eq!(
        api_status(&emu, dead["access_token"].as_str().unwrap()),
        401
    );
}

#[test]
fn device_code_grant_is_pending() {
    let emu = Emulator::start();
    let r = token(
        &emu,
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("device_code", "x"),
            ("client_id", "emulator-client"),
            ("client_secret", "emulator-secret"),
        ],
    );
    assert_error(&r, 428, "authorization_pending");
}

#[test]
fn expired_codes_are_invalid_grant() {
    let emu = Emulator::start();
    let c = s256_offline(&emu);
    emu.admin().expire_auth_codes();
    assert_error(&exchange(&emu, &c, VERIFIER), 400, "invalid_grant");
}

#[test]
fn second_offline_grant_without_prompt_consent_has_no_refresh_token() {
    let emu = Emulator::start();
    let first = exchange(&emu, &s256_offline(&emu), VERIFIER).json();
    assert!(first["refresh_token"].is_string());
    let again = exchange(&emu, &s256_offline(&emu), VERIFIER).json();
    assert!(again.get("refresh_token").is_none(), "{again}");
    let ch = challenge(VERIFIER);
    let with_prompt = code(
        &emu,
        &[
            ("code_challenge", &ch),
            ("code_challenge_method", "S256"),
            ("access_type", "offline"),
            ("prompt", "consent"),
        ],
    );
    assert!(exchange(&emu, &with_prompt, VERIFIER).json()["refresh_token"].is_string());
}

#[test]
fn more_than_100_refresh_tokens_revoke_the_oldest() {
    let emu = Emulator::start();
    let admin = emu.admin();
    let mint = || {
        admin
            .mint_token(gcal_emulator::MintToken {
                offline: true,
                ..Default::default()
            })
            .unwrap()["refresh_token"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let oldest = mint();
    let second = mint();
    for _ in 0..99 {
        mint();
    }
    assert_error(
        &refresh(&emu, &oldest, "emulator-client", "emulator-secret"),
        400,
        "invalid_grant",
    );
    assert_eq!(
        refresh(&emu, &second, "emulator-client", "emulator-secret").status,
        200
    );
}
