//! Builds the C programs under tests/c against the generated header and the cdylib, runs them, and runs
//! them again under valgrind.

mod support;

use std::process::Command;

fn run_c_program(name: &str) {
    run_c_program_with(name, &|| Vec::new());
}

/// Runs a C program (as C, as C++, and as C under valgrind), each run with a fresh environment from
/// `env` (the emulator-backed tests need a fresh emulator per run).
fn run_c_program_with(name: &str, env: &dyn Fn() -> Vec<(String, String)>) {
    for as_cpp in [false, true] {
        let exe = support::compile_c(name, as_cpp);
        let vars = env();
        let output = Command::new(&exe)
            .envs(vars.iter().map(|(k, v)| (k, v)))
            .output()
            .expect("run C program");
        support::assert_success(&output, &format!("running {}", exe.display()));
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(stdout.contains("checks passed"), "{stdout}");
    }
    let exe = support::compile_c(name, false);
    if support::valgrind_available() {
        let vars = env();
        let pairs: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let output = support::run_under_valgrind(&exe, &pairs);
        support::assert_success(&output, &format!("{name} under valgrind"));
    } else {
        support::notice(&format!(
            "SKIPPED: valgrind is not installed, so {name} ran without the leak check"
        ));
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

#[test]
fn call_errors() {
    run_c_program("call_errors");
}

#[test]
fn schema() {
    run_c_program("schema");
}

// The emulator runs in this test process; each run of the C program gets a fresh one.
thread_local! {
    static EMULATORS: std::cell::RefCell<Vec<gcal_emulator::Emulator>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn fresh_emulator_config(with_token: bool) -> Vec<(String, String)> {
    let emulator = gcal_emulator::Emulator::start();
    let extra = if with_token {
        let minted = emulator
            .admin()
            .mint_token(gcal_emulator::MintToken {
                offline: true,
                ..Default::default()
            })
            .unwrap();
        serde_json::json!({"token": {"access_token": minted["access_token"], "refresh_token": minted["refresh_token"]}})
    } else {
        serde_json::json!({})
    };
    let config = support::emulator_config(emulator.urls(), extra);
    EMULATORS.with(|e| e.borrow_mut().push(emulator));
    vec![("QGCAL_TEST_CONFIG".to_string(), config)]
}

#[test]
fn consent() {
    run_c_program_with("consent", &|| fresh_emulator_config(false));
}

#[test]
fn all_methods() {
    run_c_program_with("all_methods", &|| fresh_emulator_config(true));
}

#[test]
fn paging() {
    run_c_program_with("paging", &|| fresh_emulator_config(true));
}

/// The shared pool seen from C: the program counts its own sockets, and each emulator counts the
/// connections it accepted (1,000 clients one after another, then 16 threads over TLS + HTTP/2).
#[test]
fn pool() {
    let valgrind = support::valgrind_available();
    if !valgrind {
        support::notice("SKIPPED: valgrind is not installed, so pool ran without the leak check");
    }
    for (as_cpp, under_valgrind) in [(false, false), (true, false), (false, true)] {
        if under_valgrind && !valgrind {
            continue;
        }
        let plain = gcal_emulator::Emulator::start();
        let tls = gcal_emulator::Emulator::start_tls();
        let config = |emulator: &gcal_emulator::Emulator| {
            let token = emulator.admin().access_token(&[]);
            let mut extra = serde_json::json!({"token": {"access_token": token}});
            if let Some(pem) = emulator.ca_pem() {
                extra["ca_certificates"] = pem.into();
            }
            support::emulator_config(emulator.urls(), extra)
        };
        let tls_port = tls.urls().base_url.rsplit(':').next().unwrap().to_string();
        // The C run counts 1,000 clients; the C++ run (the header's C++ compatibility) and the valgrind
        // run (leaks) make do with 100, which saves a minute.
        let clients = if as_cpp || under_valgrind {
            "100"
        } else {
            "1000"
        };
        let vars = [
            ("QGCAL_TEST_CONFIG".to_string(), config(&plain)),
            ("QGCAL_TEST_TLS_CONFIG".to_string(), config(&tls)),
            ("QGCAL_TEST_TLS_PORT".to_string(), tls_port),
            ("QGCAL_TEST_CLIENTS".to_string(), clients.to_string()),
        ];
        let exe = support::compile_c("pool", as_cpp);
        let output = if under_valgrind {
            let pairs: Vec<(&str, &str)> =
                vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            support::run_under_valgrind(&exe, &pairs)
        } else {
            Command::new(&exe)
                .envs(vars.iter().map(|(k, v)| (k, v)))
                .output()
                .expect("run the pool program")
        };
        support::assert_success(
            &output,
            &format!("pool (C++: {as_cpp}, valgrind: {under_valgrind})"),
        );
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            under_valgrind || stdout.contains("checks passed"),
            "{stdout}"
        );
        let plain_stats = plain.admin().connection_stats();
        assert!(plain_stats.accepted <= 4, "1,000 clients: {plain_stats:?}");
        let tls_stats = tls.admin().connection_stats();
        assert_eq!(
            (
                tls_stats.accepted,
                tls_stats.tls_handshakes,
                tls_stats.http2
            ),
            (1, 1, 1),
            "16 threads over TLS: {tls_stats:?}"
        );
        assert_eq!(tls_stats.open, 0, "closed by qgcal_shutdown: {tls_stats:?}");
    }
}

#[test]
fn input_checks() {
    run_c_program("input_checks");
}

#[test]
fn outcome_unknown() {
    run_c_program_with("outcome_unknown", &|| {
        let vars = fresh_emulator_config(true);
        EMULATORS.with(|e| {
            let emulators = e.borrow();
            let admin = emulators.last().expect("just started").admin();
            for method in ["calendars.insert", "calendars.delete"] {
                admin.add_fault(gcal_emulator::Fault {
                    method: Some(method.into()),
                    drop: Some(gcal_emulator::DropWhen::After),
                    ..Default::default()
                });
            }
        });
        vars
    });
}

#[test]
fn logging() {
    run_c_program_with("logging", &|| fresh_emulator_config(true));
}

#[test]
fn list_each() {
    run_c_program_with("list_each", &|| fresh_emulator_config(true));
}
