//! The revoke and device-code endpoints.

use gcal_emulator::testing::{get, post_form, request};
use gcal_emulator::{Emulator, MintToken};

const CAL: &str = "https://www.googleapis.com/auth/calendar";

fn mint(emu: &Emulator) -> (String, String) {
    let t = emu
        .admin()
        .mint_token(MintToken {
            offline: true,
            ..Default::default()
        })
        .unwrap();
    (
        t["access_token"].as_str().unwrap().into(),
        t["refresh_token"].as_str().unwrap().into(),
    )
}

fn colors(emu: &Emulator, token: &str) -> u16 {
    get(&format!("{}colors", emu.urls().api_base_url), Some(token))
        .unwrap()
        .status
}

fn refresh(emu: &Emulator, rt: &str) -> u16 {
    post_form(
        &emu.urls().token_url,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", rt),
            ("client_id", "emulator-client"),
            ("client_secret", "emulator-secret"),
        ],
    )
    .unwrap()
    .status
}

#[test]
fn revoking_an_access_token_kills_the_whole_grant() {
    let emu = Emulator::start();
    let (access, rt) = mint(&emu);
    assert_eq!(colors(&emu, &access), 200);
    let r = post_form(&emu.urls().revoke_url, &[("token", &access)]).unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), serde_json::json!({}));
    assert_eq!(colors(&emu, &access), 401);
    assert_eq!(refresh(&emu, &rt), 400);
    let again = post_form(&emu.urls().revoke_url, &[("token", &access)]).unwrap();
    assert_eq!(again.status, 400);
    assert_eq!(again.json()["error"], "invalid_token");
}

#[test]
fn revoking_a_refresh_token_by_query_parameter() {
    let emu = Emulator::start();
    let (access, rt) = mint(&emu);
    let url = format!("{}?token={rt}", emu.urls().revoke_url);
    let r = request(
        "POST",
        &url,
        &[("Content-Type", "application/x-www-form-urlencoded")],
        b"",
    )
    .unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(colors(&emu, &access), 401);
    assert_eq!(refresh(&emu, &rt), 400);
}

#[test]
fn revoke_errors() {
    let emu = Emulator::start();
    let r = post_form(&emu.urls().revoke_url, &[("token", "nonsense")]).unwrap();
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"], "invalid_token");
    assert_eq!(r.json()["error_description"], "Token expired or revoked");
    let r = post_form(&emu.urls().revoke_url, &[]).unwrap();
    assert_eq!(r.status, 400);
}

#[test]
fn admin_revocation_by_user_and_client() {
    let emu = Emulator::start();
    let admin = emu.admin();
    admin.add_client(gcal_emulator::ClientConfig::new("c2", "s2"));
    let (a1, _) = mint(&emu);
    let t2 = admin
        .mint_token(MintToken {
            client_id: "c2".into(),
            user: "bob@example.com".into(),
            ..Default::default()
        })
        .unwrap();
    let a2 = t2["access_token"].as_str().unwrap();
    let n = admin.revoke_grants(gcal_emulator::RevokeFilter {
        client_id: Some("c2".into()),
        user: None,
    });
    assert_eq!(n, 1);
    assert_eq!(colors(&emu, a2), 401);
    assert_eq!(colors(&emu, &a1), 200);
    let n = admin.revoke_grants(gcal_emulator::RevokeFilter {
        user: Some("user@example.com".into()),
        client_id: None,
    });
    assert_eq!(n, 1);
    assert_eq!(colors(&emu, &a1), 401);
    assert!(
        admin
            .mint_token(MintToken {
                client_id: "ghost".into(),
                ..Default::default()
            })
            .is_none()
    );
}

#[test]
fn device_flow_refuses_calendar_scopes() {
    let emu = Emulator::start();
    let url = &emu.urls().device_url;
    let r = post_form(url, &[("client_id", "emulator-client"), ("scope", CAL)]).unwrap();
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"], "invalid_scope");
    let r = post_form(
        url,
        &[("client_id", "emulator-client"), ("scope", "openid email")],
    )
    .unwrap();
    assert_eq!(r.status, 200);
    let j = r.json();
    assert!(j["device_code"].is_string() && j["user_code"].is_string());
    assert!(j["verification_url"].is_string());
    let r = post_form(url, &[("client_id", "ghost"), ("scope", "email")]).unwrap();
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["error"], "invalid_client");
}
