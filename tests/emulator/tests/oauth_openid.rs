//! OpenID Connect: ID tokens for `openid` grants, the JWK set and the discovery document.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gcal_emulator::Emulator;
use gcal_emulator::testing::{form, get, post_form, query_params};
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::signature::Verifier;
use rsa::{BigUint, RsaPublicKey};
use serde_json::Value;
use sha2::Sha256;

const REDIRECT: &str = "http://127.0.0.1:7777/cb";

fn code(emu: &Emulator, scope: &str) -> String {
    let p = [
        ("client_id", "emulator-client"),
        ("redirect_uri", REDIRECT),
        ("response_type", "code"),
        ("scope", scope),
        ("nonce", "n-0S6_WzA2Mj"),
        ("access_type", "offline"),
    ];
    let r = get(&format!("{}?{}", emu.urls().auth_url, form(&p)), None).unwrap();
    query_params(r.header("location").unwrap())
        .into_iter()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
}

fn exchange(emu: &Emulator, code: &str) -> Value {
    post_form(
        &emu.urls().token_url,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("client_id", "emulator-client"),
            ("client_secret", "emulator-secret"),
        ],
    )
    .unwrap()
    .json()
}

fn b64_json(part: &str) -> Value {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

#[test]
fn openid_grants_carry_a_verifiable_id_token() {
    let emu = Emulator::start();
    let answer = exchange(
        &emu,
        &code(
            &emu,
            "openid email https://www.googleapis.com/auth/calendar",
        ),
    );
    let id_token = answer["id_token"].as_str().expect("id_token");
    let parts: Vec<&str> = id_token.split('.').collect();
    assert_eq!(parts.len(), 3);
    let header = b64_json(parts[0]);
    let claims = b64_json(parts[1]);
    assert_eq!(header["alg"], "RS256");
    assert_eq!(claims["iss"], "https://accounts.google.com");
    assert_eq!(claims["aud"], "emulator-client");
    assert_eq!(claims["email"], "user@example.com");
    assert_eq!(claims["nonce"], "n-0S6_WzA2Mj");
    assert!(claims["exp"].as_u64() > claims["iat"].as_u64());

    let jwks = get(&format!("{}/oauth2/v3/certs", emu.urls().base_url), None)
        .unwrap()
        .json();
    let jwk = &jwks["keys"][0];
    assert_eq!(jwk["kid"], header["kid"]);
    let n = BigUint::from_bytes_be(&URL_SAFE_NO_PAD.decode(jwk["n"].as_str().unwrap()).unwrap());
    let e = BigUint::from_bytes_be(&URL_SAFE_NO_PAD.decode(jwk["e"].as_str().unwrap()).unwrap());
    let key = VerifyingKey::<Sha256>::new(RsaPublicKey::new(n, e).unwrap());
    let sig = Signature::try_from(URL_SAFE_NO_PAD.decode(parts[2]).unwrap().as_slice()).unwrap();
    let input = format!("{}.{}", parts[0], parts[1]);
    assert!(key.verify(input.as_bytes(), &sig).is_ok());
    assert!(key.verify(b"tampered", &sig).is_err());

    // Refresh answers a new ID token with the same subject.
    let refreshed = post_form(
        &emu.urls().token_url,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", answer["refresh_token"].as_str().unwrap()),
            ("client_id", "emulator-client"),
            ("client_secret", "emulator-secret"),
        ],
    )
    .unwrap()
    .json();
    let again = b64_json(
        refreshed["id_token"]
            .as_str()
            .unwrap()
            .split('.')
            .nth(1)
            .unwrap(),
    );
    assert_eq!(again["sub"], claims["sub"]);
}

#[test]
fn no_openid_no_id_token_and_discovery() {
    let emu = Emulator::start();
    let answer = exchange(
        &emu,
        &code(&emu, "https://www.googleapis.com/auth/calendar"),
    );
    assert!(answer.get("id_token").is_none());
    let d = get(
        &format!("{}/.well-known/openid-configuration", emu.urls().base_url),
        None,
    )
    .unwrap()
    .json();
    assert_eq!(d["token_endpoint"], emu.urls().token_url.as_str());
    assert_eq!(d["authorization_endpoint"], emu.urls().auth_url.as_str());
    assert!(
        d["jwks_uri"]
            .as_str()
            .unwrap()
            .ends_with("/oauth2/v3/certs")
    );
}

#[test]
fn userinfo_and_tokeninfo() {
    let emu = Emulator::start();
    let token = emu.admin().access_token(&[]);
    let base = &emu.urls().base_url;
    let info = get(&format!("{base}/oauth2/v3/userinfo"), Some(&token)).unwrap();
    assert_eq!(info.status, 200);
    assert_eq!(info.json()["email"], "user@example.com");
    assert_eq!(
        get(&format!("{base}/oauth2/v3/userinfo"), None)
            .unwrap()
            .status,
        401
    );

    let t = get(&format!("{base}/tokeninfo?access_token={token}"), None)
        .unwrap()
        .json();
    assert_eq!(t["aud"], "emulator-client");
    assert_eq!(t["scope"], "https://www.googleapis.com/auth/calendar");
    assert!(t["expires_in"].as_str().unwrap().parse::<u64>().unwrap() <= 3599);
    emu.admin().expire_access_tokens();
    let r = get(&format!("{base}/tokeninfo?access_token={token}"), None).unwrap();
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"], "invalid_token");
}
