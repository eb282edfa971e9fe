//! Builds the C programs under tests/c against the generated header and the cdylib, runs them, and runs
//! them again under valgrind and built with clang's AddressSanitizer, LeakSanitizer and
//! UndefinedBehaviorSanitizer.

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
    run_sanitized(name, env);
}

/// Runs a C program built with `-fsanitize=address,undefined` (leak detection on), when clang is here.
fn run_sanitized(name: &str, env: &dyn Fn() -> Vec<(String, String)>) {
    if !support::clang_available() {
        support::notice(&format!(
            "SKIPPED: {}, so {name} ran without AddressSanitizer and UBSan",
            support::sanitizers_missing_reason()
        ));
        return;
    }
    let exe = support::compile_c_with(name, support::Flavour::Sanitized, support::Link::Library);
    let vars = env();
    let pairs: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let output = support::run_sanitized(&exe, &pairs);
    support::assert_success(&output, &format!("{name} with the sanitizers"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("checks passed"), "{stdout}");
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

/// Every export with bad input, each case in a forked child; it reads the header to check that every
/// export and parameter has its cases.
#[test]
fn bad_input() {
    let header = support::repo_root().join("include/qorus_gcal.h");
    run_c_program_with("bad_input", &|| {
        vec![("QGCAL_HEADER".to_string(), header.display().to_string())]
    });
}

/// An emulator for tests/c/concurrency.c: access tokens that live 3 s, a refresh token per client, and a
/// calendar whose calls the emulator holds for 10 s (for shutdown with calls in flight).
fn concurrency_env(
    threads: usize,
    calls: usize,
) -> (gcal_emulator::Emulator, Vec<(String, String)>) {
    let emulator = gcal_emulator::Emulator::start();
    let admin = emulator.admin();
    admin.set_access_token_lifetime(3);
    let tokens: Vec<String> = (0..=threads)
        .map(|_| {
            let minted = admin
                .mint_token(gcal_emulator::MintToken {
                    offline: true,
                    ..Default::default()
                })
                .unwrap();
            minted["refresh_token"].as_str().unwrap().to_string()
        })
        .collect();
    admin.add_fault(gcal_emulator::Fault {
        path_prefix: Some("/calendar/v3/calendars/slow-calendar".into()),
        delay_ms: Some(10_000),
        times: Some(1000),
        ..Default::default()
    });
    let config = support::emulator_config(emulator.urls(), serde_json::json!({}));
    let env = vec![
        ("QGCAL_TEST_CONFIG".to_string(), config),
        ("QGCAL_TEST_REFRESH_TOKENS".to_string(), tokens.join(",")),
        (
            "QGCAL_SLOW_CALENDAR".to_string(),
            "slow-calendar".to_string(),
        ),
        ("QGCAL_CONC_THREADS".to_string(), threads.to_string()),
        ("QGCAL_CONC_CALLS".to_string(), calls.to_string()),
    ];
    (emulator, env)
}

/// Checks a concurrency run: it passed, and it saw one token callback per token request.
fn check_concurrency_run(
    output: &std::process::Output,
    emulator: &gcal_emulator::Emulator,
    what: &str,
) -> String {
    support::assert_success(output, what);
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(stdout.contains("checks passed"), "{stdout}");
    let refreshes: usize = stdout
        .lines()
        .find_map(|l| l.strip_prefix("refreshes: "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no refresh count in {stdout}"));
    let token_requests = support::count_requests(emulator, "token");
    assert_eq!(
        refreshes, token_requests,
        "{what}: {refreshes} token callbacks for {token_requests} token requests"
    );
    stdout
}

/// 16 host threads x 2,000 mixed calls on shared and separate clients with tokens refreshed throughout,
/// then fork() after use and qgcal_shutdown with calls in flight (tests/c/concurrency.c). The full size
/// runs natively and with the sanitizers; the C++ build and valgrind (some 30 times slower) run 4 x 100.
#[test]
fn concurrency() {
    let runs: [(&str, support::Flavour, usize, usize); 4] = [
        ("native", support::Flavour::C, 16, 2000),
        ("C++", support::Flavour::Cpp, 4, 100),
        ("valgrind", support::Flavour::C, 4, 100),
        ("sanitizers", support::Flavour::Sanitized, 16, 2000),
    ];
    for (what, flavour, threads, calls) in runs {
        let (emulator, env) = concurrency_env(threads, calls);
        let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let output = match what {
            "valgrind" if !support::valgrind_available() => {
                support::notice(
                    "SKIPPED: valgrind is not installed, so concurrency ran without the leak check",
                );
                continue;
            }
            "valgrind" => {
                let exe = support::compile_c_with("concurrency", flavour, support::Link::Library);
                support::run_under_valgrind(&exe, &pairs)
            }
            "sanitizers" if !support::clang_available() => {
                support::notice(&format!(
                    "SKIPPED: {}, so concurrency ran without AddressSanitizer and UBSan",
                    support::sanitizers_missing_reason()
                ));
                continue;
            }
            "sanitizers" => {
                let exe = support::compile_c_with("concurrency", flavour, support::Link::Library);
                support::run_sanitized(&exe, &pairs)
            }
            _ => {
                let exe = support::compile_c_with("concurrency", flavour, support::Link::Library);
                Command::new(&exe)
                    .envs(pairs.iter().copied())
                    .output()
                    .expect("run concurrency")
            }
        };
        let stdout = check_concurrency_run(&output, &emulator, &format!("concurrency ({what})"));
        let summary = stdout.lines().next().unwrap_or_default();
        let refreshes = stdout
            .lines()
            .find(|l| l.starts_with("refreshes: "))
            .unwrap_or_default();
        support::notice(&format!(
            "concurrency ({what}): {summary}; token {refreshes}"
        ));
    }
}

/// dlopen, calls, dlclose, dlopen again, calls again (tests/c/dlopen.c), as C, under valgrind and with
/// the sanitizers.
#[test]
fn dlopen() {
    let cdylib = support::cdylib_path().display().to_string();
    let env = || {
        let mut env = fresh_emulator_config(true);
        env.push(("QGCAL_CDYLIB".to_string(), cdylib.clone()));
        env
    };
    let exe = support::compile_c_with("dlopen", support::Flavour::C, support::Link::Dlopen);
    let vars = env();
    let output = Command::new(&exe)
        .envs(vars.iter().map(|(k, v)| (k, v)))
        .output()
        .expect("run dlopen");
    support::assert_success(&output, "dlopen");
    assert!(String::from_utf8_lossy(&output.stdout).contains("checks passed"));
    if support::valgrind_available() {
        let vars = env();
        let pairs: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        support::assert_success(
            &support::run_under_valgrind(&exe, &pairs),
            "dlopen under valgrind",
        );
    } else {
        support::notice("SKIPPED: valgrind is not installed, so dlopen ran without the leak check");
    }
    if support::clang_available() {
        let exe =
            support::compile_c_with("dlopen", support::Flavour::Sanitized, support::Link::Dlopen);
        let vars = env();
        let pairs: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let output = support::run_sanitized(&exe, &pairs);
        support::assert_success(&output, "dlopen with the sanitizers");
    } else {
        support::notice(&format!(
            "SKIPPED: {}, so dlopen ran without AddressSanitizer and UBSan",
            support::sanitizers_missing_reason()
        ));
    }
}

/// The shared pool seen from C: the program counts its own sockets, and each emulator counts the
/// connections it accepted (1,000 clients one after another, then 16 threads over TLS + HTTP/2).
#[test]
fn pool() {
    let valgrind = support::valgrind_available();
    if !valgrind {
        support::notice("SKIPPED: valgrind is not installed, so pool ran without the leak check");
    }
    let clang = support::clang_available();
    if !clang {
        support::notice(&format!(
            "SKIPPED: {}, so pool ran without AddressSanitizer and UBSan",
            support::sanitizers_missing_reason()
        ));
    }
    let runs = [
        (false, false, false),
        (true, false, false),
        (false, true, false),
        (false, false, true),
    ];
    for (as_cpp, under_valgrind, sanitized) in runs {
        if (under_valgrind && !valgrind) || (sanitized && !clang) {
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
        // The C run counts 1,000 clients; the C++ run (the header's C++ compatibility), the valgrind
        // run and the sanitized one (leaks, heap misuse) make do with 100, which saves a minute.
        let clients = if as_cpp || under_valgrind || sanitized {
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
        let exe = if sanitized {
            support::compile_c_with("pool", support::Flavour::Sanitized, support::Link::Library)
        } else {
            support::compile_c("pool", as_cpp)
        };
        let pairs: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let output = if under_valgrind {
            support::run_under_valgrind(&exe, &pairs)
        } else if sanitized {
            support::run_sanitized(&exe, &pairs)
        } else {
            Command::new(&exe)
                .envs(vars.iter().map(|(k, v)| (k, v)))
                .output()
                .expect("run the pool program")
        };
        support::assert_success(
            &output,
            &format!("pool (C++: {as_cpp}, valgrind: {under_valgrind}, sanitizers: {sanitized})"),
        );
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            under_valgrind || stdout.contains("checks passed"),
            "{stdout}"
        );
        let plain_stats = plain.admin().connection_stats();
        assert!(plain_stats.accepted <= 4, "1,000 clients: {plain_stats:?}");
        let tls_stats = tls.admin().connection_stats_once_closed();
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
