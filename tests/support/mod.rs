//! Shared by the integration tests: where the built library lives, and how to build and run C programs
//! against it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// target/<profile>, found from the test executable (target/<profile>/deps/<test>).
pub fn target_profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    exe.parent()
        .and_then(Path::parent)
        .expect("test exe lives in target/<profile>/deps")
        .to_path_buf()
}

/// The cdylib, built first if needed: `cargo test` builds the library only as an rlib for the tests, so
/// the C programs' library comes from a `cargo build` of the same profile into the same target dir
/// (cargo does not hold its lock while tests run). Once per test process.
pub fn cdylib_path() -> PathBuf {
    static BUILT: std::sync::OnceLock<Result<PathBuf, String>> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let profile_dir = target_profile_dir();
            let target_dir = profile_dir.parent().expect("target dir").to_path_buf();
            let mut build = Command::new(env!("CARGO"));
            build
                .args(["build", "-p", "qorus-gcal", "--lib", "--quiet"])
                .env("CARGO_TARGET_DIR", &target_dir)
                .current_dir(repo_root());
            if profile_dir.file_name().is_some_and(|n| n == "release") {
                build.arg("--release");
            }
            let output = build
                .output()
                .map_err(|e| format!("cannot run cargo: {e}"))?;
            if !output.status.success() {
                return Err(format!(
                    "cargo build of the cdylib failed:\n{}",
                    String::from_utf8_lossy(&output.stderr)
                ));
            }
            let path = profile_dir.join("libqorus_gcal.so");
            if path.exists() {
                Ok(path)
            } else {
                Err(format!("cargo build did not produce {}", path.display()))
            }
        })
        .clone()
        .unwrap_or_else(|e| panic!("{e}"))
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Compiles tests/c/<name>.c (as C, or as C++ to prove the header's C++ compatibility) against include/
/// and the cdylib, with an rpath so it runs in place.
pub fn compile_c(name: &str, as_cpp: bool) -> PathBuf {
    let flavour = if as_cpp { Flavour::Cpp } else { Flavour::C };
    compile_c_with(name, flavour, Link::Library)
}

/// How a C program is built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavour {
    /// `cc`, C11.
    C,
    /// `c++`, the C source compiled as C++17.
    Cpp,
    /// `clang -fsanitize=address,undefined`, C11 (see [`clang_available`]).
    Sanitized,
}

/// What a C program links.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Link {
    /// `-lqorus_gcal`, found through an rpath.
    Library,
    /// Only `-ldl`: the program `dlopen`s the cdylib itself (its path in `QGCAL_CDYLIB`).
    Dlopen,
}

/// Compiles tests/c/<name>.c into target/<profile>/c-harness/.
pub fn compile_c_with(name: &str, flavour: Flavour, link: Link) -> PathBuf {
    let lib_dir = target_profile_dir();
    cdylib_path();
    let out_dir = lib_dir.join("c-harness");
    std::fs::create_dir_all(&out_dir).expect("create c-harness dir");
    let source = repo_root().join("tests/c").join(format!("{name}.c"));
    let (compiler, lang_flags, suffix): (String, &[&str], &str) = match flavour {
        Flavour::Cpp => (
            std::env::var("CXX").unwrap_or_else(|_| "c++".into()),
            &["-x", "c++", "-std=c++17"],
            "-cpp",
        ),
        Flavour::C => (
            std::env::var("CC").unwrap_or_else(|_| "cc".into()),
            &["-std=c11", "-pedantic"],
            "",
        ),
        Flavour::Sanitized => (
            clang(),
            &[
                "-std=c11",
                "-pedantic",
                "-fsanitize=address,undefined",
                "-fno-sanitize-recover=all",
                "-fno-omit-frame-pointer",
            ],
            "-asan",
        ),
    };
    let exe = out_dir.join(format!("{name}{suffix}"));
    let mut command = Command::new(&compiler);
    command
        .args(lang_flags)
        .args(["-Wall", "-Wextra", "-Werror", "-g", "-O1"])
        .arg("-I")
        .arg(repo_root().join("include"))
        .arg("-I")
        .arg(repo_root().join("tests/c"))
        .arg(&source)
        .arg("-o")
        .arg(&exe);
    match link {
        Link::Library => command
            .arg("-L")
            .arg(&lib_dir)
            .arg(format!("-Wl,-rpath,{}", lib_dir.display()))
            .args(["-lqorus_gcal", "-pthread"]),
        Link::Dlopen => command.args(["-ldl", "-pthread"]),
    };
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run the C compiler `{compiler}`: {e}"));
    assert_success(&output, &format!("compiling {}", source.display()));
    exe
}

/// The clang that builds the sanitized programs: `QGCAL_CLANG`, else `clang`.
fn clang() -> String {
    std::env::var("QGCAL_CLANG").unwrap_or_else(|_| "clang".into())
}

/// Whether clang and its sanitizer runtimes are here (a test program actually links with
/// `-fsanitize=address,undefined`). When they are not, the caller says so loudly; CI sets
/// QGCAL_REQUIRE_SANITIZERS=1 so that they fail there instead. Checked once per test process.
pub fn clang_available() -> bool {
    static FOUND: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    let found = FOUND.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("qgcal-asan-probe-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let source = dir.join("probe.c");
        std::fs::write(&source, "int main(void) { return 0; }\n").map_err(|e| e.to_string())?;
        let result = Command::new(clang())
            .args(["-fsanitize=address,undefined", "-o"])
            .arg(dir.join("probe"))
            .arg(&source)
            .output();
        let _ = std::fs::remove_dir_all(&dir);
        match result {
            Ok(out) if out.status.success() => Ok(()),
            Ok(out) => Err(format!(
                "{} cannot link with -fsanitize=address,undefined: {}",
                clang(),
                String::from_utf8_lossy(&out.stderr).trim()
            )),
            Err(e) => Err(format!("{} is not installed ({e})", clang())),
        }
    });
    match found {
        Ok(()) => true,
        Err(why) if std::env::var_os("QGCAL_REQUIRE_SANITIZERS").is_some() => {
            panic!("QGCAL_REQUIRE_SANITIZERS is set but {why}")
        }
        Err(_) => false,
    }
}

/// Why the sanitizer runs are skipped, for the SKIPPED line.
pub fn sanitizers_missing_reason() -> String {
    format!(
        "clang with the sanitizer runtimes is not installed (apt-get install clang libclang-rt-dev; `{}` tried)",
        clang()
    )
}

/// Runs a program built with [`Flavour::Sanitized`]: any AddressSanitizer, LeakSanitizer or
/// UndefinedBehaviorSanitizer report fails the run (exit code 1 and the report on stderr). Leak
/// detection is on; tests/c/lsan.supp lists the leaks that are the Rust runtime's by design.
pub fn run_sanitized(exe: &Path, envs: &[(&str, &str)]) -> Output {
    let suppressions = repo_root().join("tests/c/lsan.supp");
    Command::new(exe)
        .env(
            "ASAN_OPTIONS",
            "detect_leaks=1:halt_on_error=1:exitcode=1:abort_on_error=0:detect_stack_use_after_return=1:\
             strict_string_checks=1:check_initialization_order=1:allow_user_segv_handler=1",
        )
        .env(
            "LSAN_OPTIONS",
            format!(
                "suppressions={}:print_suppressions=0:exitcode=1",
                suppressions.display()
            ),
        )
        .env("UBSAN_OPTIONS", "halt_on_error=1:print_stacktrace=1:exitcode=1")
        .envs(envs.iter().copied())
        .output()
        .expect("run sanitized program")
}

pub fn assert_success(output: &Output, what: &str) {
    assert!(
        output.status.success(),
        "{what} failed ({})\n--- stdout\n{}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Whether valgrind is here. When it is not, the caller says so loudly; CI sets QGCAL_REQUIRE_VALGRIND=1
/// so that a missing valgrind fails there instead.
pub fn valgrind_available() -> bool {
    let found = Command::new("valgrind").arg("--version").output().is_ok();
    if !found && std::env::var_os("QGCAL_REQUIRE_VALGRIND").is_some() {
        panic!("QGCAL_REQUIRE_VALGRIND is set but valgrind is not installed");
    }
    found
}

/// Runs a program under valgrind: any definite or indirect leak or memory error fails.
pub fn run_under_valgrind(exe: &Path, envs: &[(&str, &str)]) -> Output {
    Command::new("valgrind")
        .args([
            "--error-exitcode=1",
            "--leak-check=full",
            "--errors-for-leak-kinds=definite,indirect",
            "--show-leak-kinds=definite,indirect",
            "--quiet",
        ])
        .arg(exe)
        .envs(envs.iter().copied())
        .output()
        .expect("run valgrind")
}

pub mod browser;
pub mod clients;
pub mod proxies;

/// A client config pointing every endpoint at the emulator, with the emulator's default OAuth client,
/// merged with `extra` (a JSON object's members).
pub fn emulator_config(urls: &gcal_emulator::Urls, extra: serde_json::Value) -> String {
    let mut config = serde_json::json!({
        "client_id": gcal_emulator::DEFAULT_CLIENT_ID,
        "client_secret": gcal_emulator::DEFAULT_CLIENT_SECRET,
        "endpoints": {
            "auth_url": urls.auth_url,
            "token_url": urls.token_url,
            "revoke_url": urls.revoke_url,
            "api_base_url": urls.api_base_url,
            "batch_url": urls.batch_url,
        },
        "retry": {"base_delay_ms": 1, "max_delay_ms": 20},
    });
    if let (Some(base), Some(extra)) = (config.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            base.insert(k.clone(), v.clone());
        }
    }
    config.to_string()
}

/// How many requests the emulator logged for a method id (`token`, `events.list`, ...).
pub fn count_requests(emulator: &gcal_emulator::Emulator, method_id: &str) -> usize {
    emulator
        .admin()
        .requests()
        .iter()
        .filter(|r| r.method_id.as_deref() == Some(method_id))
        .count()
}

/// Prints a line that shows even when the test passes (libtest captures `println!`, not direct writes),
/// for skips and other facts a reader of the test output must see.
pub fn notice(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Events in the primary calendar, all pages.
pub fn count_events(client: &qorus_gcal::Client) -> usize {
    let c = client.clone();
    qorus_gcal::runtime::block_on(async move {
        c.list_all(
            "events.list",
            &serde_json::json!({"calendarId": "primary"}),
            0,
        )
        .await
    })
    .unwrap()
    .len()
}

/// Google's discovery document for Calendar v3, as committed beside the emulator (a copy of
/// `../shared/google/calendar-v3-discovery.json`).
pub fn discovery_path() -> PathBuf {
    let path = repo_root().join("tests/emulator/data/calendar-v3-discovery.json");
    assert!(path.is_file(), "{} is committed", path.display());
    path
}

/// Runs a generator (`python3 SCRIPT DISCOVERY -o TMP`) and asserts its output is the committed file
/// (both paths relative to the repository). Without python3 it says so and compares nothing.
pub fn assert_generated_file_fresh(script: &str, committed: &str) {
    let root = repo_root();
    let out = std::env::temp_dir().join(format!(
        "qgcal-generated-{}-{}",
        std::process::id(),
        Path::new(committed).file_name().unwrap().to_string_lossy()
    ));
    let run = Command::new("python3")
        .arg(root.join(script))
        .arg(discovery_path())
        .arg("-o")
        .arg(&out)
        .status();
    match run {
        Err(e) => {
            notice(&format!(
                "SKIPPED: python3 is not available ({e}); {script}'s output not compared with {committed}"
            ));
            return;
        }
        Ok(status) => assert!(status.success(), "{script} failed: {status}"),
    }
    let generated = std::fs::read_to_string(&out).expect("generator output");
    let _ = std::fs::remove_file(&out);
    let committed_text = std::fs::read_to_string(root.join(committed)).unwrap();
    assert!(
        generated == committed_text,
        "{committed} is stale: run `python3 {script}`"
    );
}
