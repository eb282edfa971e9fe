//! The C-ABI rows: tests/bench/c_abi_bench.c, compiled here with the system C compiler, loads the
//! library's cdylib with dlopen and calls events.get through `qgcal_call`.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::setup::{Target, config};

pub struct CBench {
    exe: PathBuf,
    cdylib: PathBuf,
}

fn repo_root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// Compiles the C program; `Err` says why the C rows are skipped.
pub fn build() -> Result<CBench, String> {
    let deps = std::env::current_exe()
        .map_err(|e| e.to_string())?
        .parent()
        .map(Path::to_path_buf)
        .ok_or("no bench directory")?;
    let cdylib = match std::env::var_os("QGCAL_BENCH_CDYLIB") {
        // Another build of the library (an earlier commit, say), for A/B comparisons.
        Some(chosen) => Some(PathBuf::from(chosen))
            .filter(|p| p.exists())
            .ok_or("QGCAL_BENCH_CDYLIB names no file".to_string())?,
        None => [
            deps.join("libqorus_gcal.so"),
            deps.join("../libqorus_gcal.so"),
        ]
        .into_iter()
        .find(|p| p.exists())
        .ok_or_else(|| format!("libqorus_gcal.so not found next to {}", deps.display()))?,
    };
    let exe = deps.join("c_abi_bench");
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let out = Command::new(&cc)
        .args(["-std=c11", "-O2", "-Wall", "-Wextra", "-I"])
        .arg(repo_root().join("include"))
        .arg(repo_root().join("tests/bench/c_abi_bench.c"))
        .arg("-o")
        .arg(&exe)
        .args(["-ldl", "-pthread"])
        .output()
        .map_err(|e| format!("no C compiler `{cc}`: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "compiling c_abi_bench.c failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(CBench { exe, cdylib })
}

impl CBench {
    /// The C program with these arguments, ready to run.
    pub fn command(&self, t: &Target, event_id: &str, args: &[&str]) -> Command {
        let mut command = Command::new(&self.exe);
        command
            .arg(&self.cdylib)
            .args(args)
            .env("QGCAL_BENCH_CONFIG", config(t, false))
            .env("QGCAL_BENCH_EVENT", event_id);
        command
    }

    pub fn run(&self, t: &Target, event_id: &str, args: &[&str]) -> Value {
        let out = self
            .command(t, event_id, args)
            .output()
            .expect("run c_abi_bench");
        assert!(
            out.status.success(),
            "c_abi_bench {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("c_abi_bench JSON")
    }
}
