//! Rows 3 and 9: Google's own Python client (google-api-python-client + google-auth) against the same
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

/// The virtualenv's Python with Google's client installed (made and installed on first use).
fn python() -> Result<PathBuf, String> {
    if std::env::var("QGCAL_BENCH_SKIP_PYTHON").is_ok_and(|v| !v.is_empty() && v != "0") {
        return Err("QGCAL_BENCH_SKIP_PYTHON is set".into());
    }
    let venv = venv_dir();
    let python = venv.join("bin/python");
    if !python.exists() {
        eprintln!("   creating a Python virtualenv in {}", venv.display());
        run_quiet(
            Command::new("python3").args(["-m", "venv"]).arg(&venv),
            "python3 -m venv (is Python 3 with venv installed?)",
        )?;
    }
    let probe = "import googleapiclient, google.oauth2.credentials, google_auth_httplib2, httplib2";
    if run_quiet(Command::new(&python).args(["-c", probe]), "import").is_err() {
        eprintln!("   installing google-api-python-client and google-auth from PyPI");
        run_quiet(
            Command::new(&python).args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "google-api-python-client",
                "google-auth",
                "google-auth-httplib2",
            ]),
            "pip install google-api-python-client google-auth google-auth-httplib2",
        )?;
    }
    Ok(python)
}

/// Runs `script` with `args` in the virtualenv and answers what it printed.
fn run_script(name: &str, script: &str, args: &[&str]) -> Result<String, String> {
    let python = python()?;
    let path = venv_dir().join(name);
    std::fs::write(&path, script).map_err(|e| format!("write the script: {e}"))?;
    run_quiet(
        Command::new(&python).arg(&path).args(args),
        "the Python client",
    )
}

/// events.get per second through Google's client, one thread.
pub fn run(t: &Target, event_id: &str) -> Result<f64, String> {
    eprintln!("3. Google's Python client");
    let out = run_script(
        "qgcal_bench.py",
        SCRIPT,
        &[
            &t.urls.api_base_url,
            &t.access_token,
            event_id,
            &CALLS.to_string(),
        ],
    )?;
    out.parse::<f64>()
        .map_err(|_| format!("the Python client printed {out:?}"))
}

/// Row 9 in Python: one `events.list` per user, `threads` threads taking users from a shared list.
/// `per_user_service` builds the service for each user (as Google's samples do, one service per set of
/// credentials); otherwise each thread builds one service before the clock starts and each user gets an
/// authorized `httplib2.Http` of its own for `execute(http=...)`. httplib2 speaks HTTP/1.1 and keeps a
/// connection per `Http` object, so each user costs a handshake either way. Answers the seconds taken.
const USERS_SCRIPT: &str = r#"
import json, sys, threading, time
import httplib2, google_auth_httplib2
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build
api, ca, tokens_file, threads, mode = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
tokens = json.load(open(tokens_file))
lock = threading.Lock()
todo = list(tokens)
def make(http):
    return build("calendar", "v3", http=http, static_discovery=True, cache_discovery=False,
                 client_options={"api_endpoint": api})
def authorized(token):
    return google_auth_httplib2.AuthorizedHttp(Credentials(token=token), http=httplib2.Http(ca_certs=ca))
def work(service):
    while True:
        with lock:
            if not todo:
                return
            token = todo.pop()
        if service is None:
            make(authorized(token)).events().list(calendarId="primary").execute()
        else:
            service.events().list(calendarId="primary").execute(http=authorized(token))
services = [None if mode == "per-user" else make(httplib2.Http(ca_certs=ca)) for _ in range(threads)]
workers = [threading.Thread(target=work, args=(s,)) for s in services]
start = time.perf_counter()
for w in workers:
    w.start()
for w in workers:
    w.join()
print(time.perf_counter() - start)
"#;

pub fn run_users(
    api: &str,
    ca_file: &str,
    tokens_file: &str,
    threads: usize,
    per_user_service: bool,
) -> Result<f64, String> {
    let mode = if per_user_service {
        "per-user"
    } else {
        "per-thread"
    };
    let out = run_script(
        "qgcal_bench_users.py",
        USERS_SCRIPT,
        &[api, ca_file, tokens_file, &threads.to_string(), mode],
    )?;
    out.parse::<f64>()
        .map_err(|_| format!("the Python client printed {out:?}"))
}
