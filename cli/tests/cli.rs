//! The `qgcal` command: the offline demo runs end to end, and argument errors are reported.

use std::process::Command;

fn qgcal(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_qgcal"))
        .args(args)
        .output()
        .expect("run qgcal")
}

#[test]
fn the_offline_demo_runs_every_step() {
    let out = qgcal(&["demo"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for step in [
        "1. Consent",
        "2. List calendars",
        "5. ETag-guarded",
        "6. Incremental sync",
        "7. A batch",
        "9. Revoke",
    ] {
        assert!(stdout.contains(step), "missing step {step:?} in\n{stdout}");
    }
    assert!(stdout.contains("stale ETag refused"));
    assert!(stdout.contains("demo finished: every step succeeded"));
}

#[test]
fn argument_errors_exit_with_2_and_say_why() {
    let out = qgcal(&["demo", "--client-id", "only-the-id"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("both --client-id and --client-secret"));
    let out = qgcal(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("frobnicate"));
    let out = qgcal(&["demo", "--bogus"]);
    assert_eq!(out.status.code(), Some(2));
    let out = qgcal(&["--help"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("demo"));
}

#[test]
fn config_errors_are_shown_with_their_kind() {
    let out = qgcal(&["config-errors"]);
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("InvalidArgument") && stdout.contains("InvalidJson"),
        "{stdout}"
    );
}
