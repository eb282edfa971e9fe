//! `qgcal`: the command-line face of qorus-gcal.

mod commands;
mod demo;
mod paging;
mod params;
mod relay_command;
mod report;
mod setup;
mod timefmt;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

/// Google Calendar from a terminal, through the qorus-gcal library.
///
/// Every command takes the OAuth client from --config or --client-id/--client-secret, or runs against
/// an in-process Google emulator with --emulator (offline, nothing to set up). Output is JSON on stdout;
/// errors go to stderr with the status, Google's reason and what to do, and exit 1 (2 for usage errors).
#[derive(Parser, Debug)]
#[command(name = "qgcal", version = qorus_gcal::VERSION, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug, Clone, Default)]
#[command(next_help_heading = "Connection (every command)")]
pub struct Global {
    /// The library's JSON configuration (client_id, client_secret, scopes, token, endpoints, ...)
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Your OAuth client id (overrides the config file's)
    #[arg(long, global = true, value_name = "ID")]
    pub client_id: Option<String>,
    /// Your OAuth client secret (overrides the config file's)
    #[arg(long, global = true, value_name = "SECRET")]
    pub client_secret: Option<String>,
    /// Read the stored token JSON from FILE and write every new token back to it (mode 0600). The
    /// library itself never writes tokens; naming this file is your choice to keep one on disk.
    #[arg(long, global = true, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// Run against an in-process Google emulator (offline; a fresh user with a fresh token)
    #[arg(long, global = true)]
    pub emulator: bool,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Consent, token, calendars, events, sync, ETags, batch and revoke, step by step (offline
    /// against the bundled emulator unless given --client-id/--client-secret)
    Demo,
    /// Ask the user for access and print the token JSON for a Qorus connection
    /// (`token`, `oauth2_refresh_token`, `oauth2_token_expiry`)
    Consent(commands::ConsentArgs),
    /// Finish an external-redirect consent: exchange the code in CALLBACK_URL and print the token JSON
    ConsentComplete(commands::CompleteArgs),
    /// Print the current token JSON (refreshed first when it is about to expire)
    Token,
    /// Refresh the access token now and print the new token JSON
    Refresh,
    /// Revoke the grant (access and refresh token) at Google
    Revoke,
    /// Call any Calendar v3 method and print its JSON answer
    Call(commands::CallArgs),
    /// Follow every page of a list method and print one JSON item per line
    List(paging::ListArgs),
    /// Full or incremental sync: one JSON item per line, then {"next_sync_token", "full_resync"}
    Sync(paging::SyncArgs),
    /// Send many calls as batches (JSON array or JSON lines of {"method","params","body"}); one result per line
    Batch(paging::BatchArgs),
    /// Run the bundled Google emulator, print its URLs as one JSON line, serve until Ctrl-C
    Emulator(commands::EmulatorArgs),
    /// Run the consent relay: one public redirect URI that sends each browser on to the instance that
    /// started the consent (stateless; until SIGTERM or Ctrl-C)
    Relay(relay_command::RelayArgs),
    /// Show how bad configurations are reported
    ConfigErrors,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo => commands::demo(&cli.global),
        Command::ConfigErrors => commands::config_errors(),
        Command::Emulator(args) => commands::emulator(&args),
        Command::Relay(args) => relay_command::run(&cli.global, &args),
        Command::Consent(args) => commands::consent(&cli.global, &args),
        Command::ConsentComplete(args) => commands::consent_complete(&cli.global, &args),
        Command::Token => commands::token(&cli.global, false),
        Command::Refresh => commands::token(&cli.global, true),
        Command::Revoke => commands::revoke(&cli.global),
        Command::Call(args) => commands::call(&cli.global, &args),
        Command::List(args) => paging::list(&cli.global, &args),
        Command::Sync(args) => paging::sync(&cli.global, &args),
        Command::Batch(args) => paging::batch(&cli.global, &args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(),
    }
}
