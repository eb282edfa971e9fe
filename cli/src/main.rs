//! `qgcal`: the command-line face of qorus-gcal.

mod demo;

use std::process::ExitCode;

use qorus_gcal::Client;

const USAGE: &str = "usage: qgcal <command>

commands:
  demo [--client-id ID --client-secret SECRET]
             consent, token, calendars, events, sync, ETags, batch and revoke, step by step;
             offline against the bundled emulator unless given your own OAuth client
  config-errors
             show how bad configurations are reported
  version    print the library version
  help       print this help";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("demo") => run_demo(&args[1..]),
        Some("config-errors") => config_errors(),
        Some("version") | Some("--version") => {
            println!("qgcal {}", qorus_gcal::VERSION);
            ExitCode::SUCCESS
        }
        Some("help") | Some("--help") | Some("-h") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Some(other) => {
            eprintln!("qgcal: unknown command `{other}`\n\n{USAGE}");
            ExitCode::from(2)
        }
        None => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn config_errors() -> ExitCode {
    println!("qorus-gcal {}", qorus_gcal::VERSION);
    match Client::from_json("{}") {
        Ok(client) => println!(
            "created a client with Google's endpoints (API base {})",
            client.config().endpoints.api_base_url
        ),
        Err(e) => {
            eprintln!("qgcal: cannot create a client: {e}");
            return ExitCode::FAILURE;
        }
    }
    println!("\nbad configurations are answered with a kind and a message naming the problem:");
    let bad = [
        r#"{"client_id": "x", "tokn": {}}"#,
        r#"{"timeouts": {"connect_ms": "fast"}}"#,
        r#"{"endpoints": {"token_url": "http://example.com/token"}}"#,
        r#"{"scopes": [}"#,
    ];
    for json in bad {
        match Client::from_json(json) {
            Ok(_) => {
                eprintln!("qgcal: {json} was accepted but must not be");
                return ExitCode::FAILURE;
            }
            Err(e) => println!("  {json}\n    -> {:?}: {e}", e.kind()),
        }
    }
    ExitCode::SUCCESS
}

fn run_demo(args: &[String]) -> ExitCode {
    let mut client_id = None;
    let mut client_secret = None;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--client-id" => client_id = rest.next().cloned(),
            "--client-secret" => client_secret = rest.next().cloned(),
            other => {
                eprintln!("qgcal demo: unknown argument `{other}`\n\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let google = match (client_id, client_secret) {
        (Some(client_id), Some(client_secret)) => Some(demo::Google {
            client_id,
            client_secret,
        }),
        (None, None) => None,
        _ => {
            eprintln!("qgcal demo: give both --client-id and --client-secret, or neither");
            return ExitCode::from(2);
        }
    };
    match demo::run(google) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nqgcal demo failed: {:?}: {e}", e.kind());
            if e.kind() == qorus_gcal::ErrorKind::ConsentRequired {
                eprintln!("what to do: consent again (run the demo again and approve access)");
            }
            ExitCode::FAILURE
        }
    }
}
