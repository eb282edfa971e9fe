//! The consent endpoint `/o/oauth2/v2/auth`: validation, PKCE and the emulated user's decisions.

use gcal_emulator::testing::{HttpResponse, form, get, post_form, query_params};
use gcal_emulator::{ClientConfig, Consent, Emulator};

const CAL: &str = "https://www.googleapis.com/auth/calendar";
const CAL_RO: &str = "https://www.googleapis.com/auth/calendar.readonly";
const REDIRECT: &str = "http://127.0.0.1:5555/callback";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

fn consent(emu: &Emulator, pairs: &[(&str, &str)]) -> HttpResponse {
    get(&format!("{}?{}", emu.urls().auth_url, form(pairs)), None).unwrap()
}

fn base<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut p = vec![
        ("client_id", "emulator-client"),
        ("redirect_uri", REDIRECT),
        ("response_type", "code"),
        ("scope", CAL),
        ("state", "st-1"),
    ];
    for (k, v) in extra {
        p.retain(|(pk, _)| pk != k);
        p.push((k, v));
    }
    p
}

fn param(r: &HttpResponse, name: &str) -> Option<String> {
    let loc = r.header("location")?;
    query_params(loc)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

#[test]
fn approve_redirects_with_code_state_and_scope() {
    let emu = Emulator::start();
    let r = consent(
        &emu,
        &base(&[
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ]),
    );
    assert_eq!(r.status, 302);
    assert!(r.header("location").unwrap().starts_with(REDIRECT));
    assert!(param(&r, "code").unwrap().len() > 10);
    assert_eq!(param(&r, "state").as_deref(), Some("st-1"));
    assert_eq!(param(&r, "scope").as_deref(), Some(CAL));
}

#[test]
fn unknown_client_is_an_error_page_without_redirect() {
    let emu = Emulator::start();
    let r = consent(&emu, &base(&[("client_id", "nobody")]));
    assert_eq!(r.status, 401);
    assert!(r.header("location").is_none());
    assert!(r.text().contains("invalid_client"));
}

#[test]
fn redirect_uri_must_be_loopback_or_registered() {
    let emu = Emulator::start();
    for bad in [
        "https://example.com/cb",
        "https://127.0.0.1:5555/cb",
        "http://127.0.0.1.evil.com/cb",
        "",
    ] {
        let r = consent(&emu, &base(&[("redirect_uri", bad)]));
        assert_eq!(r.status, 400, "{bad}");
        assert!(r.header("location").is_none());
        assert!(r.text().contains("redirect_uri_mismatch"));
    }
    for ok in [
        "http://localhost:1234/x",
        "http://[::1]:80/",
        "http://127.0.0.1/",
    ] {
        assert_eq!(
            consent(&emu, &base(&[("redirect_uri", ok)])).status,
            302,
            "{ok}"
        );
    }
    let mut web = ClientConfig::new("web", "web-secret");
    web.redirect_uris = vec!["https://app.example.com/oauth".into()];
    emu.admin().add_client(web);
    let r = consent(
        &emu,
        &base(&[
            ("client_id", "web"),
            ("redirect_uri", "https://app.example.com/oauth"),
        ]),
    );
    assert_eq!(r.status, 302);
    let r = consent(
        &emu,
        &base(&[
            ("client_id", "web"),
            ("redirect_uri", "https://app.example.com/oauth2"),
        ]),
    );
    assert_eq!(r.status, 400);
}

#[test]
fn response_type_other_than_code_redirects_with_error() {
    let emu = Emulator::start();
    let r = consent(&emu, &base(&[("response_type", "token")]));
    assert_eq!(r.status, 302);
    assert_eq!(
        param(&r, "error").as_deref(),
        Some("unsupported_response_type")
    );
    assert_eq!(param(&r, "state").as_deref(), Some("st-1"));
    assert!(param(&r, "code").is_none());
}

#[test]
fn missing_or_unknown_scope_is_invalid_scope() {
    let emu = Emulator::start();
    for scope in ["", "https://www.googleapis.com/auth/drive", "openid bogus"] {
        let r = consent(&emu, &base(&[("scope", scope)]));
        assert_eq!(
            param(&r, "error").as_deref(),
            Some("invalid_scope"),
            "{scope:?}"
        );
    }
    let r = consent(&emu, &base(&[("scope", "openid email profile")]));
    assert!(param(&r, "code").is_some());
}

#[test]
fn bad_pkce_parameters_are_invalid_request() {
    let emu = Emulator::start();
    let cases: &[&[(&str, &str)]] = &[
        &[
            ("code_challenge", "short"),
            ("code_challenge_method", "S256"),
        ],
        &[
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S512"),
        ],
        &[("code_challenge_method", "S256")],
        &[(
            "code_challenge",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c!",
        )],
    ];
    for case in cases {
        let r = consent(&emu, &base(case));
        assert_eq!(
            param(&r, "error").as_deref(),
            Some("invalid_request"),
            "{case:?}"
        );
    }
    let plain = "a".repeat(43);
    let r = consent(
        &emu,
        &base(&[
            ("code_challenge", &plain),
            ("code_challenge_method", "plain"),
        ]),
    );
    assert!(param(&r, "code").is_some());
}

#[test]
fn deny_and_partial_decisions() {
    let emu = Emulator::start();
    let admin = emu.admin();
    assert!(admin.set_consent("emulator-client", Consent::Deny));
    let r = consent(&emu, &base(&[]));
    assert_eq!(param(&r, "error").as_deref(), Some("access_denied"));
    assert_eq!(param(&r, "state").as_deref(), Some("st-1"));

    admin.set_consent("emulator-client", Consent::Partial(vec![CAL_RO.into()]));
    let both = format!("{CAL} {CAL_RO}");
    let r = consent(&emu, &base(&[("scope", &both)]));
    assert_eq!(param(&r, "scope").as_deref(), Some(CAL_RO));
    assert!(!admin.set_consent("nobody", Consent::Deny));
}

#[test]
fn queued_decision_applies_to_the_next_request_only() {
    let emu = Emulator::start();
    assert!(emu.admin().queue_consent("emulator-client", Consent::Deny));
    let r = consent(&emu, &base(&[]));
    assert_eq!(param(&r, "error").as_deref(), Some("access_denied"));
    let r = consent(&emu, &base(&[]));
    assert!(param(&r, "code").is_some());
}

#[test]
fn interactive_mode_shows_a_page_to_browsers() {
    let emu = Emulator::start();
    emu.admin()
        .set_consent("emulator-client", Consent::Interactive);
    let url = format!("{}?{}", emu.urls().auth_url, form(&base(&[])));
    let page =
        gcal_emulator::testing::request("GET", &url, &[("Accept", "text/html")], b"").unwrap();
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains("Allow"));
    let id_start = html.find("name=\"id\" value=\"").unwrap() + 17;
    let id = &html[id_start..id_start + html[id_start..].find('"').unwrap()];
    let decision_url = format!("{}/o/oauth2/v2/auth/decision", emu.urls().base_url);
    let r = post_form(&decision_url, &[("id", id), ("decision", "allow")]).unwrap();
    assert_eq!(r.status, 302);
    assert!(param(&r, "code").is_some());
    // Answered once only.
    let again = post_form(&decision_url, &[("id", id), ("decision", "allow")]).unwrap();
    assert_eq!(again.status, 400);
    // A non-browser client gets the automatic redirect.
    assert_eq!(consent(&emu, &base(&[])).status, 302);
}

#[test]
fn login_hint_picks_a_known_user() {
    let emu = Emulator::start();
    emu.admin().add_user("alice@example.com");
    let r = consent(&emu, &base(&[("login_hint", "alice@example.com")]));
    let code = param(&r, "code").unwrap();
    let t = post_form(
        &emu.urls().token_url,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("client_id", "emulator-client"),
            ("client_secret", "emulator-secret"),
        ],
    )
    .unwrap();
    let token = t.json()["access_token"].as_str().unwrap().to_string();
    let url = format!("{}calendars/primary", emu.urls().api_base_url);
    let cal = get(&url, Some(&token)).unwrap();
    assert_eq!(cal.json()["id"], "alice@example.com");
}

#[test]
fn include_granted_scopes_adds_what_the_client_holds() {
    let emu = Emulator::start();
    emu.admin()
        .mint_token(gcal_emulator::MintToken {
            scopes: vec![CAL_RO.into()],
            ..Default::default()
        })
        .unwrap();
    let r = consent(
        &emu,
        &base(&[("scope", "openid"), ("include_granted_scopes", "true")]),
    );
    assert_eq!(
        param(&r, "scope").as_deref(),
        Some(format!("openid {CAL_RO}").as_str())
    );
    let r = consent(&emu, &base(&[("scope", "openid")]));
    assert_eq!(param(&r, "scope").as_deref(), Some("openid"));
}
