//! `qgcal relay`: runs the consent relay until SIGTERM or SIGINT.

use std::net::SocketAddr;
use std::sync::Arc;

use clap::Args;
use qgcal_relay::{AllowList, HEALTH_PATH, Relay};
use serde_json::json;

use crate::Global;
use crate::report::{CliResult, other, usage};

#[derive(Args, Debug)]
pub struct RelayArgs {
    /// The address to listen on (port 0: a free one)
    #[arg(long, env = "QGCAL_RELAY_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// A return address the relay may send browsers to, e.g. 'https://*.example.com/qorus/*'
    /// (repeatable, or comma-separated; https, or http only to loopback)
    #[arg(
        long = "allow",
        env = "QGCAL_RELAY_ALLOW",
        value_name = "PATTERN",
        value_delimiter = ',',
        required = true
    )]
    pub allow: Vec<String>,
    /// The path of the relay's redirect URI (register https://YOUR-RELAY-HOST/PATH at Google)
    #[arg(long, env = "QGCAL_RELAY_PATH", default_value = "/oauth2/callback")]
    pub path: String,
}

pub fn run(global: &Global, args: &RelayArgs) -> CliResult {
    if global.config.is_some()
        || global.client_id.is_some()
        || global.client_secret.is_some()
        || global.token_file.is_some()
        || global.emulator
    {
        return Err(usage(
            "relay takes no connection options: it never sees a client, a secret or a token",
        ));
    }
    let allow = AllowList::parse(args.allow.iter().map(String::as_str)).map_err(usage)?;
    if !args.path.starts_with('/') || args.path.contains(['?', '#']) || args.path == HEALTH_PATH {
        return Err(usage(format!(
            "--path must be a plain path starting with / other than {HEALTH_PATH}"
        )));
    }
    let relay = Arc::new(Relay {
        allow,
        callback_path: args.path.clone(),
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| other(format!("cannot start the runtime: {e}")))?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .map_err(|e| other(format!("cannot listen on {}: {e}", args.addr)))?;
        let addr = listener
            .local_addr()
            .map_err(|e| other(format!("the listener has no address: {e}")))?;
        let stop = stopped().map_err(|e| other(format!("cannot watch signals: {e}")))?;
        println!(
            "{}",
            json!({"addr": addr.to_string(), "callback_path": args.path, "health_path": HEALTH_PATH})
        );
        eprintln!(
            "qgcal relay: listening on {addr}, redirects at {}, forwarding to {} allowed pattern(s): {}",
            args.path,
            relay.allow.len(),
            args.allow.join(" ")
        );
        qgcal_relay::server::serve(listener, relay, stop).await;
        eprintln!("qgcal relay: stopped");
        Ok(())
    })
}

/// Completes on the first SIGTERM or SIGINT.
fn stopped() -> std::io::Result<impl Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
        eprintln!("qgcal relay: stopping (requests in flight may finish)");
    })
}
