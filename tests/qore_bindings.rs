//! Runs the Qore bindings' own test suite (`qore-bindings/run-tests`: builds the `qorus_gcal` module and
//! runs its QUnit tests against the emulator) when `qore` is on PATH; otherwise says so in one line.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The `qore` executable found on PATH, if any.
fn qore_on_path() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("qore"))
        .find(|candidate| candidate.is_file())
}

#[test]
fn qore_bindings_suite() {
    if qore_on_path().is_none() {
        // Written past libtest's capture so the skip shows in every run's output.
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: Qore tests: qore is not installed (see qore-bindings/README.md)"
        );
        return;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("qore-bindings/run-tests");
    // run-tests uses its own cargo target dir, so the build it starts never waits on this test's.
    let output = Command::new("bash")
        .arg(&script)
        .output()
        .expect("run qore-bindings/run-tests");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "qore-bindings/run-tests failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    assert!(stdout.contains("Qore test files passed"), "{stdout}");
    let _ = writeln!(
        std::io::stderr(),
        "{}",
        stdout.lines().last().unwrap_or_default()
    );
}
