//! `--config` and `--token-file` against an emulator outside the qgcal process: a stale stored token
//! is refreshed and written back, and after a revoke the command asks for consent.

use std::process::{Command, Output};

use gcal_emulator::{Emulator, MintToken};
use serde_json::{Value, json};

fn qgcal(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_qgcal"))
        .args(args)
        .output()
        .expect("run qgcal")
}

#[test]
fn a_stale_stored_token_is_refreshed_written_back_and_revoked() {
    let emu = Emulator::start();
    let urls = emu.urls();
    let dir = std::env::temp_dir().join(format!("qgcal-token-file-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("config.json");
    std::fs::write(
        &config,
        json!({
            "client_id": gcal_emulator::DEFAULT_CLIENT_ID,
            "client_secret": gcal_emulator::DEFAULT_CLIENT_SECRET,
            "endpoints": {"auth_url": urls.auth_url, "token_url": urls.token_url, "revoke_url": urls.revoke_url,
                          "api_base_url": urls.api_base_url, "batch_url": urls.batch_url},
        })
        .to_string(),
    )
    .unwrap();
    let grant = emu
        .admin()
        .mint_token(MintToken {
            offline: true,
            ..MintToken::default()
        })
        .unwrap();
    let token_file = dir.join("token.json");
    // Expired an hour ago: the first call must refresh.
    let stale = json!({"access_token": grant["access_token"], "refresh_token": grant["refresh_token"],
                       "expires_at": 1_000_000_000i64, "token_type": "Bearer"});
    std::fs::write(&token_file, stale.to_string()).unwrap();
    let (c, f) = (config.to_str().unwrap(), token_file.to_str().unwrap());

    let out = qgcal(&["--config", c, "--token-file", f, "call", "colors.get"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answer: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(answer["kind"], "calendar#colors");
    let stored: Value =
        serde_json::from_str(&std::fs::read_to_string(&token_file).unwrap()).unwrap();
    assert_ne!(
        stored["access_token"], stale["access_token"],
        "the refreshed token was stored"
    );
    assert_eq!(stored["refresh_token"], stale["refresh_token"]);
    assert!(stored["expires_at"].as_i64().unwrap() > 1_000_000_000);

    let out = qgcal(&["--config", c, "--token-file", f, "revoke"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = qgcal(&["--config", c, "--token-file", f, "refresh"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("CONSENT_REQUIRED") && err.contains("qgcal consent"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
