//! The `gcal-emulator` binary: one JSON line, serves, exits 0 on SIGTERM/SIGINT.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use gcal_emulator::testing::get;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_gcal-emulator");

fn start(args: &[&str]) -> (Child, Value) {
    let mut child = Command::new(BIN)
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    (child, serde_json::from_str(&line).expect("one JSON line"))
}

fn signal(child: &Child, sig: &str) {
    let ok = Command::new("kill")
        .args([sig, &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok);
}

#[test]
fn prints_urls_serves_and_exits_cleanly_on_sigterm() {
    let (mut child, urls) = start(&["--addr", "127.0.0.1:0"]);
    for key in [
        "base_url",
        "auth_url",
        "token_url",
        "revoke_url",
        "api_base_url",
        "batch_url",
        "device_url",
    ] {
        assert!(
            urls[key].as_str().unwrap().starts_with("http://127.0.0.1:"),
            "{key}"
        );
    }
    let api = urls["api_base_url"].as_str().unwrap();
    assert_eq!(get(&format!("{api}colors"), None).unwrap().status, 401);
    signal(&child, "-TERM");
    assert_eq!(child.wait().unwrap().code(), Some(0));
}

#[test]
fn exits_cleanly_on_sigint_and_applies_flags() {
    let (mut child, urls) = start(&[
        "--token-lifetime",
        "60",
        "--client",
        "cli-id:cli-secret",
        "--user",
        "x@example.com",
    ]);
    let base = urls["base_url"].as_str().unwrap();
    let r = gcal_emulator::testing::post_json(
        &format!("{base}/__emulator/tokens"),
        None,
        &serde_json::json!({"client_id": "cli-id", "user": "x@example.com"}),
    )
    .unwrap();
    assert_eq!(r.json()["expires_in"], 60);
    signal(&child, "-INT");
    assert_eq!(child.wait().unwrap().code(), Some(0));
}

#[test]
fn help_and_bad_arguments() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("--addr"));
    let out = Command::new(BIN).arg("--bogus").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}
