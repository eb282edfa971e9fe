//! Row 3: Google's own Python client (google-api-python-client + google-auth) against the same
//! emulator. A virtualenv is made under the target directory and the packages installed from PyPI;
//! when Python, venv or the packages are missing the row is skipped, saying why.

use std::path::PathBuf;
use std::process::Command;

use crate::setup::Target;

pub const CALLS: usize = 300;

const SCRIPT: &str = r#"
import sys, time
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build
api, token, event_id, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
svc = build("calendar", "v3", credentials=Credentials(token=token), static_discovery=True,
            cache_discovery=False, client_options={"api_endpoint": api})
get = lambda: svc.events().get(calendarId="primary", eventId=event_id).execute()
for _ in range(30):
    get()
start = time.perf_counter()
for _ in range(n):
    get()
print(n / (time.perf_counter() - start))
"#;

fn venv_dir() -> PathBuf {
    let dir = std::env::var("CARGO_TARGET_DIR")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../target").into());
    PathBuf::from(dir).join("bench-python-venv")
}

fn run_quiet(cmd: &mut Command, what: &str) -> Result<String, String> {
    let out = cmd.output().map_err(|e| format!("{what}: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let last = err.lines().last().unwrap_or("").trim().to_string();
        return Err(format!("{what} failed: {last}"));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// events.get per second through Google's client, one thread.
pub fn run(t: &Target, event_id: &str) -> Result<f64, String> {
    if std::env::var("QGCAL_BENCH_SKIP_PYTHON").is_ok_and(|v| !v.is_empty() && v != "0") {
        return Err("QGCAL_BENCH_SKIP_PYTHON is set".into());
    }
    let venv = venv_dir();
    let python = venv.join("bin/python");
    if !python.exists() {
        eprintln!("3. creating a Python virtualenv in {}", venv.display());
        run_quiet(
            Command::new("python3").args(["-m", "venv"]).arg(&venv),
            "python3 -m venv (is Python 3 with venv installed?)",
        )?;
    }
    let probe = "import googleapiclient, google.oauth2.credentials";
    if run_quiet(Command::new(&python).args(["-c", probe]), "import").is_err() {
        eprintln!("3. installing google-api-python-client and google-auth from PyPI");
        run_quiet(
            Command::new(&python).args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "google-api-python-client",
                "google-auth",
            ]),
            "pip install google-api-python-client google-auth",
        )?;
    }
    eprintln!("3. Google's Python client");
    let script = venv.join("qgcal_bench.py");
    std::fs::write(&script, SCRIPT).map_err(|e| format!("write the script: {e}"))?;
    let out = run_quiet(
        Command::new(&python)
            .arg(&script)
            .arg(&t.urls.api_base_url)
            .arg(&t.access_token)
            .arg(event_id)
            .arg(CALLS.to_string()),
        "the Python client",
    )?;
    out.parse::<f64>()
        .map_err(|_| format!("the Python client printed {out:?}"))
}
