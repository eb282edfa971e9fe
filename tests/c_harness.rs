//! Builds the C programs under tests/c against the generated header and the cdylib, runs them, and runs
//! them again under valgrind.

mod support;

use std::process::Command;

fn run_c_program(name: &str) {
    for as_cpp in [false, true] {
        let exe = support::compile_c(name, as_cpp);
        let output = Command::new(&exe).output().expect("run C program");
        support::assert_success(&output, &format!("running {}", exe.display()));
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(stdout.contains("checks passed"), "{stdout}");
    }
    let exe = support::compile_c(name, false);
    if support::valgrind_available() {
        let output = support::run_under_valgrind(&exe, &[]);
        support::assert_success(&output, &format!("{name} under valgrind"));
    } else {
        println!("SKIPPED: valgrind is not installed, so {name} ran without the leak check");
    }
}

#[test]
fn basics() {
    run_c_program("basics");
}

#[test]
fn config_errors() {
    run_c_program("config_errors");
}

#[test]
fn threads() {
    run_c_program("threads");
}
