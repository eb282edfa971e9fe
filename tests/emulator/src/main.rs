//! `gcal-emulator`: serve the emulator until SIGTERM/SIGINT.

use std::io::Write;
use std::time::Duration;

use gcal_emulator::{ClientConfig, Emulator, Options};

const HELP: &str = "gcal-emulator: an offline emulator of Google's OAuth2 and Calendar v3 servers

USAGE: gcal-emulator [OPTIONS]

OPTIONS:
  --addr ADDR                 listen address (default 127.0.0.1:0, a free port)
  --tls                       HTTPS (HTTP/2 or HTTP/1.1 by ALPN) with a CA made at start; the address
                              line's ca_file names the CA's PEM file, which clients must trust
  --latency-ms N              a distant server's round trip: N ms before every answer on Google's
                              paths, and before a new connection is served (twice with --tls)
  --token-lifetime SECS       access token lifetime (default 3599)
  --client ID:SECRET          register another OAuth client (repeatable)
  --user EMAIL                add a user with a primary calendar (repeatable)
  -h, --help                  this text

Prints one JSON line with base_url, auth_url, token_url, revoke_url, api_base_url, batch_url and
device_url (and ca_file with --tls), then serves until SIGTERM or SIGINT. Default client: emulator-client / emulator-secret;
default user: user@example.com. Admin API: {base_url}/__emulator/ (loopback only).";

fn fail(msg: &str) -> ! {
    eprintln!("gcal-emulator: {msg}\n\n{HELP}");
    std::process::exit(2);
}

fn main() {
    let mut options = Options::default();
    let mut lifetime = None;
    let mut clients = Vec::new();
    let mut users = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .unwrap_or_else(|| fail(&format!("{flag} needs a value")))
        };
        match flag.as_str() {
            "-h" | "--help" => {
                println!("{HELP}");
                return;
            }
            "--addr" => {
                options.addr = value()
                    .parse()
                    .unwrap_or_else(|_| fail("--addr wants HOST:PORT"))
            }
            "--tls" => options.tls = true,
            "--latency-ms" => {
                options.latency = Duration::from_millis(
                    value()
                        .parse::<u64>()
                        .unwrap_or_else(|_| fail("--latency-ms wants milliseconds")),
                )
            }
            "--token-lifetime" => {
                lifetime = Some(
                    value()
                        .parse::<u64>()
                        .unwrap_or_else(|_| fail("--token-lifetime wants seconds")),
                )
            }
            "--client" => {
                let v = value();
                let (id, secret) = v
                    .split_once(':')
                    .unwrap_or_else(|| fail("--client wants ID:SECRET"));
                clients.push(ClientConfig::new(id, secret));
            }
            "--user" => users.push(value()),
            other => fail(&format!("unknown argument {other}")),
        }
    }
    let addr = options.addr;
    let emulator = Emulator::start_with(options)
        .unwrap_or_else(|e| fail(&format!("cannot start on {addr}: {e}")));
    let admin = emulator.admin();
    if let Some(secs) = lifetime {
        admin.set_access_token_lifetime(secs);
    }
    for c in clients {
        admin.add_client(c);
    }
    for u in &users {
        admin.add_user(u);
    }
    let line = serde_json::to_string(emulator.urls()).expect("urls serialize");
    wait_for_signal(|| {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    });
    emulator.shutdown();
}

/// Installs the SIGTERM/SIGINT handlers, then announces readiness, then waits: a caller that signals as
/// soon as it reads the announcement must find the handlers in place.
fn wait_for_signal(announce: impl FnOnce()) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("signal runtime");
    rt.block_on(async {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
            let mut int = signal(SignalKind::interrupt()).expect("SIGINT handler");
            announce();
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
        }
        #[cfg(not(unix))]
        {
            let ctrl_c = tokio::signal::ctrl_c();
            announce();
            let _ = ctrl_c.await;
        }
    });
}
