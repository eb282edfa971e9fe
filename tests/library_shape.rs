//! The shipped artefact: committed header up to date, only `qgcal_` symbols exported, `-z nodelete`,
//! no OpenSSL anywhere in the dependency tree.

mod support;

use std::process::Command;

const FRESH_HEADER: &str = include_str!(concat!(env!("OUT_DIR"), "/qorus_gcal.h"));

#[test]
fn committed_header_matches_a_fresh_generation() {
    let root = support::repo_root();
    let on_disk = std::fs::read_to_string(root.join("include/qorus_gcal.h")).expect("read header");
    assert_eq!(
        on_disk, FRESH_HEADER,
        "include/qorus_gcal.h differs from cbindgen's output"
    );
    // build.rs rewrites the file on disk, so compare with what git has committed too.
    let committed = Command::new("git")
        .args(["show", "HEAD:include/qorus_gcal.h"])
        .current_dir(&root)
        .output();
    match committed {
        Ok(out) if out.status.success() => assert!(
            out.stdout == FRESH_HEADER.as_bytes(),
            "the committed include/qorus_gcal.h is stale: build regenerated it; commit the new header"
        ),
        _ => support::notice(
            "SKIPPED the git comparison: not a git checkout (the on-disk header was checked)",
        ),
    }
}

#[test]
fn header_has_guard_version_macros_and_cpp_compat() {
    assert!(FRESH_HEADER.contains("#ifndef QORUS_GCAL_H"));
    assert!(FRESH_HEADER.contains("extern \"C\""));
    for (name, value) in [
        ("MAJOR", env!("CARGO_PKG_VERSION_MAJOR")),
        ("MINOR", env!("CARGO_PKG_VERSION_MINOR")),
        ("PATCH", env!("CARGO_PKG_VERSION_PATCH")),
    ] {
        let line = format!("#define QORUS_GCAL_VERSION_{name} {value}\n");
        assert!(FRESH_HEADER.contains(&line), "missing {line}");
    }
    // Macros carry our prefix, so none can clash with a host's.
    for line in FRESH_HEADER.lines().filter(|l| l.starts_with("#define ")) {
        let name = line.split_whitespace().nth(1).unwrap_or_default();
        assert!(
            name.starts_with("QGCAL_") || name.starts_with("QORUS_GCAL_"),
            "unprefixed macro: {line}"
        );
    }
    assert!(FRESH_HEADER.contains("#define QGCAL_BATCH_MAX_CHUNK 1000\n"));
    // Every exported function carries a doc comment right above it.
    let lines: Vec<&str> = FRESH_HEADER.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if line.contains(" qgcal_") && line.trim_end().ends_with(");") && !line.starts_with(' ') {
            let mut j = i;
            while j > 0 && !lines[j - 1].trim().is_empty() && !lines[j - 1].contains("*/") {
                j -= 1;
            }
            assert!(
                j > 0 && lines[j - 1].trim() == "*/",
                "no doc comment for: {line}"
            );
        }
    }
}

#[test]
fn cdylib_exports_only_prefixed_symbols_and_is_nodelete() {
    let lib = support::cdylib_path();
    let nm = Command::new("nm")
        .args(["-D", "--defined-only", "--format=posix"])
        .arg(&lib)
        .output()
        .expect("run nm (binutils)");
    support::assert_success(&nm, "nm");
    let symbols: Vec<String> = String::from_utf8_lossy(&nm.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect();
    for required in [
        "qgcal_version",
        "qgcal_client_new",
        "qgcal_client_free",
        "qgcal_string_free",
        "qgcal_shutdown",
        "qgcal_error_status",
        "qgcal_error_message",
        "qgcal_error_http_status",
        "qgcal_error_reason",
        "qgcal_error_free",
    ] {
        assert!(
            symbols.iter().any(|s| s == required),
            "{required} not exported"
        );
    }
    let foreign: Vec<&String> = symbols
        .iter()
        .filter(|s| !s.starts_with("qgcal_"))
        .collect();
    assert!(foreign.is_empty(), "unprefixed exports: {foreign:?}");

    let readelf = Command::new("readelf")
        .arg("-d")
        .arg(&lib)
        .output()
        .expect("run readelf");
    let dynamic = String::from_utf8_lossy(&readelf.stdout);
    assert!(
        dynamic.contains("NODELETE"),
        "not linked with -z nodelete:\n{dynamic}"
    );
}

#[test]
fn no_openssl_in_the_dependency_tree() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    for krate in ["openssl-sys", "openssl", "native-tls"] {
        let out = Command::new(&cargo)
            .args(["tree", "--offline", "--workspace", "-e", "all", "-i", krate])
            .current_dir(support::repo_root())
            .output()
            .expect("run cargo tree");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && stderr.contains("did not match any packages"),
            "{krate} is in the dependency tree:\n{}{stderr}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}
