//! The `qgcal` subcommands against the in-process emulator: argument errors and output shapes.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn qgcal(args: &[&str]) -> Output {
    qgcal_with_stdin(args, "")
}

fn qgcal_with_stdin(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_qgcal"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run qgcal");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().expect("qgcal output")
}

fn stdout_json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "stdout {}\nstderr {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is one JSON value")
}

fn json_lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn help_names_every_subcommand_and_the_token_file_choice() {
    let out = qgcal(&["--help"]);
    let help = String::from_utf8_lossy(&out.stdout);
    for cmd in [
        "consent ",
        "consent-complete",
        "token",
        "refresh",
        "revoke",
        "call",
        "list",
        "sync",
        "batch",
        "emulator",
    ] {
        assert!(help.contains(cmd), "{cmd} missing from\n{help}");
    }
    assert!(help.contains("never writes tokens"));
    let out = qgcal(&["call", "--help"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("--body <FILE|->"));
}

#[test]
fn usage_errors_exit_2_naming_the_problem() {
    let out = qgcal(&["call"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("METHOD"), "{}", stderr(&out));
    let out = qgcal(&["--emulator", "call", "events.list", "calendarId"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not key=value"), "{}", stderr(&out));
    let out = qgcal(&["--emulator", "list", "events.list", "q=a", "q=b"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("given twice"));
    let out = qgcal_with_stdin(&["--emulator", "batch", "-"], "not json");
    assert_eq!(out.status.code(), Some(2));
    let out = qgcal(&["--emulator", "batch", "--chunk-size", "0", "-"]);
    assert_eq!(out.status.code(), Some(2));
    let out = qgcal(&["--config", "/nonexistent/qgcal.json", "token"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("/nonexistent/qgcal.json"));
    let out = qgcal(&["emulator", "--addr", "not-an-address"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn library_errors_show_kind_reason_and_what_to_do() {
    let out = qgcal(&["--emulator", "call", "events.lst", "calendarId=primary"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("UNKNOWN_METHOD") && err.contains("events.list"),
        "{err}"
    );
    let out = qgcal(&[
        "--emulator",
        "call",
        "events.get",
        "calendarId=primary",
        "eventId=nope",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("HTTP 404, notFound") && err.contains("what to do"),
        "{err}"
    );
    // No token at all: the library asks for consent, and so does the message.
    let out = qgcal(&["--client-id", "x", "--client-secret", "y", "token"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("CONSENT_REQUIRED") && err.contains("qgcal consent"),
        "{err}"
    );
}

#[test]
fn consent_prints_the_qorus_connection_fields_and_stores_the_token() {
    let dir = std::env::temp_dir().join(format!("qgcal-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("token.json");
    let out = qgcal(&[
        "--emulator",
        "consent",
        "--token-file",
        file.to_str().unwrap(),
    ]);
    let token = stdout_json(&out);
    assert!(token["token"].as_str().unwrap().starts_with("ya29."));
    assert!(
        token["oauth2_refresh_token"]
            .as_str()
            .unwrap()
            .starts_with("1//")
    );
    let expiry = token["oauth2_token_expiry"].as_str().unwrap();
    assert!(expiry.len() == 20 && expiry.ends_with('Z'), "{expiry}");
    assert_eq!(token["token_json"]["token_type"], "Bearer");
    let stored: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(stored, token["token_json"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the token file is private");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn external_consent_prints_url_and_session_and_complete_checks_it() {
    let out = qgcal(&[
        "--emulator",
        "consent",
        "--external",
        "https://app.example.com/oauth",
    ]);
    let started = stdout_json(&out);
    assert!(started["url"].as_str().unwrap().contains("code_challenge="));
    assert_eq!(
        started["session"]["redirect_uri"],
        "https://app.example.com/oauth"
    );
    // A callback whose state is not the session's is refused before any exchange.
    let out = qgcal_with_stdin(
        &[
            "--emulator",
            "consent-complete",
            "--session",
            "-",
            "https://app.example.com/oauth?code=c&state=wrong",
        ],
        &started.to_string(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).starts_with("qgcal: "));
}

#[test]
fn token_refresh_and_revoke_answer_json() {
    let token = stdout_json(&qgcal(&["--emulator", "token"]));
    assert!(token["token"].is_string() && token["oauth2_token_expiry"].is_string());
    let refreshed = stdout_json(&qgcal(&["--emulator", "refresh"]));
    assert!(refreshed["token"].is_string());
    let revoked = stdout_json(&qgcal(&["--emulator", "revoke"]));
    assert_eq!(revoked, serde_json::json!({"revoked": true}));
}

#[test]
fn call_with_a_body_from_stdin_answers_the_resource() {
    let body = r#"{"summary": "from stdin", "start": {"date": "2030-01-01"}, "end": {"date": "2030-01-02"}}"#;
    let out = qgcal_with_stdin(
        &[
            "--emulator",
            "call",
            "events.insert",
            "calendarId=primary",
            "--body",
            "-",
        ],
        body,
    );
    let event = stdout_json(&out);
    assert_eq!(event["summary"], "from stdin");
    assert_eq!(event["kind"], "calendar#event");
}

#[test]
fn list_sync_and_batch_print_json_lines() {
    let out = qgcal(&["--emulator", "list", "calendarList.list", "maxResults=1"]);
    let items = json_lines(&out);
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["kind"], "calendar#calendarListEntry");

    let out = qgcal(&["--emulator", "sync", "events.list", "calendarId=primary"]);
    let lines = json_lines(&out);
    let last = lines.last().unwrap();
    assert!(last["next_sync_token"].is_string() && last["full_resync"] == false);

    let out = qgcal(&[
        "--emulator",
        "sync",
        "events.list",
        "calendarId=primary",
        "--sync-token",
        "bogus",
    ]);
    assert_eq!(out.status.code(), Some(1));

    let calls: String = (0..3)
        .map(|i| {
            format!(
                "{{\"method\":\"events.insert\",\"params\":{{\"calendarId\":\"primary\"}},\"body\":{{\"summary\":\"b{i}\",\"start\":{{\"date\":\"2030-01-01\"}},\"end\":{{\"date\":\"2030-01-02\"}}}}}}\n"
            )
        })
        .collect();
    let out = qgcal_with_stdin(&["--emulator", "batch", "--chunk-size", "2", "-"], &calls);
    assert!(out.status.success(), "{}", stderr(&out));
    let results = json_lines(&out);
    assert_eq!(results.len(), 3);
    assert!(results.iter().all(|r| r["status"] == 200));
    assert_eq!(results[2]["body"]["summary"], "b2");
}

#[test]
fn the_emulator_command_prints_its_urls_and_serves() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_qgcal"))
        .args(["emulator"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    let urls: Value = serde_json::from_str(&line).unwrap();
    assert!(
        urls["base_url"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:")
    );
    assert!(urls["token_url"].as_str().unwrap().ends_with("/token"));
}
