//! How a failed command is told to the user: what happened, Google's words, and what to do next.

use std::process::ExitCode;

use qorus_gcal::{Error, ErrorKind};

/// Why a command failed.
#[derive(Debug)]
pub enum Failure {
    /// The command line or an input file is wrong (exit 2).
    Usage(String),
    /// The library answered an error (exit 1).
    Library(Error),
    /// Anything else: files, the terminal (exit 1).
    Other(String),
}

pub type CliResult<T = ()> = Result<T, Failure>;

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Library(e)
    }
}

pub fn usage(message: impl Into<String>) -> Failure {
    Failure::Usage(message.into())
}

pub fn other(message: impl Into<String>) -> Failure {
    Failure::Other(message.into())
}

impl Failure {
    pub fn report(self) -> ExitCode {
        match self {
            Failure::Usage(m) => {
                eprintln!("qgcal: {m}\n(see `qgcal --help`)");
                ExitCode::from(2)
            }
            Failure::Other(m) => {
                eprintln!("qgcal: {m}");
                ExitCode::FAILURE
            }
            Failure::Library(e) => {
                eprintln!("{}", describe(&e));
                ExitCode::FAILURE
            }
        }
    }
}

/// `qgcal: CONSENT_REQUIRED (HTTP 400, invalid_grant): message` and a line saying what to do.
pub fn describe(e: &Error) -> String {
    let mut details = Vec::new();
    if e.http_status() != 0 {
        details.push(format!("HTTP {}", e.http_status()));
    }
    if let Some(reason) = e.reason() {
        details.push(reason.to_string());
    }
    let details = if details.is_empty() {
        String::new()
    } else {
        format!(" ({})", details.join(", "))
    };
    let mut text = format!("qgcal: {}{details}: {}", e.kind().name(), e.message());
    if let Some(hint) = hint(e.kind()).or_else(|| http_hint(e.http_status())) {
        text.push_str("\nwhat to do: ");
        text.push_str(hint);
    }
    text
}

fn hint(kind: ErrorKind) -> Option<&'static str> {
    Some(match kind {
        ErrorKind::ConsentRequired => {
            "consent again with `qgcal consent` (and store the new token)"
        }
        ErrorKind::ConsentDenied => {
            "the user refused access; run `qgcal consent` again and approve it"
        }
        ErrorKind::AuthFailed => {
            "check the OAuth client id and secret (--client-id/--client-secret or --config)"
        }
        ErrorKind::InsufficientScope => {
            "consent again with `qgcal consent` asking for a scope that allows this call"
        }
        ErrorKind::InvalidArgument | ErrorKind::InvalidJson | ErrorKind::UnknownMethod => {
            "fix the arguments; parameters go as key=value, the body as JSON"
        }
        ErrorKind::PreconditionFailed => {
            "the resource changed meanwhile: get it again and retry with its new ETag"
        }
        ErrorKind::SyncTokenExpired => {
            "sync fully again (without --sync-token), or pass --full-resync-on-expiry"
        }
        ErrorKind::Network | ErrorKind::Timeout => {
            "check the network and the endpoints, then try again"
        }
        _ => return None,
    })
}

fn http_hint(status: u16) -> Option<&'static str> {
    Some(match status {
        401 => "the token was refused: `qgcal refresh`, or consent again with `qgcal consent`",
        403 | 429 => {
            "Google refused or rate-limited the call: check the account's access, wait and retry"
        }
        404 => {
            "check the ids (calendarId, eventId...): the resource does not exist or is not visible to this account"
        }
        409 => "the id is already taken: choose another id or update the existing resource",
        500..=599 => "Google had a problem: retry later",
        _ => return None,
    })
}
