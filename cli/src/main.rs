//! `qgcal`: the command-line face of qorus-gcal.

use std::process::ExitCode;

use qorus_gcal::Client;

const USAGE: &str = "usage: qgcal <command>

commands:
  demo       show the library at work: version, a client, and how bad configs are reported
  version    print the library version
  help       print this help";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("demo") => demo(),
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

fn demo() -> ExitCode {
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
