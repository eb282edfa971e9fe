//! The one-shot commands: demo, consent, tokens, call, emulator.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use qorus_gcal::calendar::call::CallOptions;
use qorus_gcal::oauth::consent::{ExternalOptions, LocalOptions, Session};
use qorus_gcal::oauth::token::Token;
use qorus_gcal::{Client, Error, ErrorKind, runtime};
use serde_json::{Value, json};

use crate::Global;
use crate::report::{CliResult, Failure, other, usage};
use crate::setup::{self, TokenUse, read_text, write_token};
use crate::timefmt::rfc3339_utc;

#[derive(Args, Debug)]
pub struct ConsentArgs {
    /// Use the external-redirect flow: print the consent URL and the session JSON to keep (privately)
    /// for `qgcal consent-complete`, instead of waiting on a local loopback server
    #[arg(long, value_name = "REDIRECT_URI")]
    pub external: Option<String>,
    /// With --external: go through this relay (the redirect URI registered at Google), which sends the
    /// browser on to REDIRECT_URI (see `qgcal relay`)
    #[arg(long, value_name = "RELAY_URL", requires = "external")]
    pub relay: Option<String>,
    /// A scope to ask for (repeatable; default: the config's, else full Calendar access)
    #[arg(long = "scope", value_name = "SCOPE")]
    pub scopes: Vec<String>,
    /// Suggest this Google account on the consent page
    #[arg(long, value_name = "EMAIL")]
    pub login_hint: Option<String>,
    /// Local flow: the loopback port to listen on (default: a free one)
    #[arg(long)]
    pub port: Option<u16>,
    /// Local flow: how long to wait for the browser, in seconds
    #[arg(long, default_value_t = 300, value_name = "SECS")]
    pub timeout: u64,
}

#[derive(Args, Debug)]
pub struct CompleteArgs {
    /// The session JSON printed by `qgcal consent --external` (a file, or - for stdin)
    #[arg(long, value_name = "FILE|-")]
    pub session: PathBuf,
    /// The URL the browser came back to (or just its query string)
    pub callback_url: String,
}

#[derive(Args, Debug)]
pub struct CallArgs {
    /// A Calendar v3 method id, e.g. events.get (see Google's discovery document)
    pub method: String,
    /// Path and query parameters, e.g. calendarId=primary maxResults=10
    #[arg(value_name = "KEY=VALUE")]
    pub params: Vec<String>,
    /// The JSON request body (a file, or - for stdin)
    #[arg(long, value_name = "FILE|-")]
    pub body: Option<PathBuf>,
    /// Only change the resource if its ETag is still this one
    #[arg(long, value_name = "ETAG")]
    pub if_match: Option<String>,
    /// Answer NOT_MODIFIED if the resource's ETag is still this one
    #[arg(long, value_name = "ETAG")]
    pub if_none_match: Option<String>,
    /// A partial response, e.g. 'items(id,summary)'
    #[arg(long)]
    pub fields: Option<String>,
}

#[derive(Args, Debug)]
pub struct EmulatorArgs {
    /// The address to listen on (port 0: a free one)
    #[arg(long, default_value = "127.0.0.1:0")]
    pub addr: SocketAddr,
}

pub fn demo(global: &Global) -> CliResult {
    if global.emulator || global.config.is_some() || global.token_file.is_some() {
        return Err(usage(
            "demo takes only --client-id and --client-secret (it uses the emulator without them)",
        ));
    }
    let google = match (&global.client_id, &global.client_secret) {
        (Some(id), Some(secret)) => Some(crate::demo::Google {
            client_id: id.clone(),
            client_secret: secret.clone(),
        }),
        (None, None) => None,
        _ => {
            return Err(usage(
                "demo: give both --client-id and --client-secret, or neither",
            ));
        }
    };
    crate::demo::run(google).map_err(|e| {
        eprintln!("\nqgcal demo failed");
        Failure::Library(e)
    })
}

pub fn config_errors() -> CliResult {
    println!("qorus-gcal {}", qorus_gcal::VERSION);
    let client = Client::from_json("{}")?;
    println!(
        "created a client with Google's endpoints (API base {})",
        client.config().endpoints.api_base_url
    );
    println!("\nbad configurations are answered with a kind and a message naming the problem:");
    let bad = [
        r#"{"client_id": "x", "tokn": {}}"#,
        r#"{"timeouts": {"connect_ms": "fast"}}"#,
        r#"{"endpoints": {"token_url": "http://example.com/token"}}"#,
        r#"{"scopes": [}"#,
    ];
    for json in bad {
        match Client::from_json(json) {
            Ok(_) => return Err(other(format!("{json} was accepted but must not be"))),
            Err(e) => println!("  {json}\n    -> {:?}: {e}", e.kind()),
        }
    }
    Ok(())
}

pub fn emulator(args: &EmulatorArgs) -> CliResult {
    let emu = gcal_emulator::Emulator::start_on(args.addr)
        .map_err(|e| other(format!("cannot listen on {}: {e}", args.addr)))?;
    println!("{}", json!(emu.urls()));
    eprintln!(
        "qgcal: emulator serving (client {} / {}, user {}); Ctrl-C stops it",
        gcal_emulator::DEFAULT_CLIENT_ID,
        gcal_emulator::DEFAULT_CLIENT_SECRET,
        gcal_emulator::DEFAULT_USER
    );
    loop {
        std::thread::park();
    }
}

/// The token as a Qorus connection takes it, plus the library's own stored-token JSON.
pub fn connection_json(token: &Token) -> Value {
    let secret =
        |s: &Option<qorus_gcal::secret::Secret>| s.as_ref().map(|s| s.expose().to_string());
    json!({
        "token": secret(&token.access_token),
        "oauth2_refresh_token": secret(&token.refresh_token),
        "oauth2_token_expiry": token.expires_at.map(rfc3339_utc),
        "scope": token.scope,
        "token_json": serde_json::from_str::<Value>(&token.to_json()).unwrap_or_default(),
    })
}

fn print_json(value: &Value) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).unwrap_or_default()
    );
}

fn store(global: &Global, token: &Token) -> CliResult {
    if let Some(path) = &global.token_file {
        write_token(path, token)
            .map_err(|e| other(format!("cannot write {}: {e}", path.display())))?;
        eprintln!("qgcal: token stored in {}", path.display());
    }
    Ok(())
}

pub fn consent(global: &Global, args: &ConsentArgs) -> CliResult {
    let setup = setup::client(global, TokenUse::Fresh)?;
    let scopes = (!args.scopes.is_empty()).then(|| args.scopes.clone());
    if let Some(redirect_uri) = &args.external {
        if args.port.is_some() {
            return Err(usage(
                "--port is for the local flow; leave it out with --external",
            ));
        }
        let options = ExternalOptions {
            redirect_uri: redirect_uri.clone(),
            relay_url: args.relay.clone(),
            login_hint: args.login_hint.clone(),
            scopes,
            include_granted_scopes: None,
            state: None,
        };
        let (url, session) = setup.client.consent_start_external(&options)?;
        let session: Value = serde_json::from_str(&session.to_json()).unwrap_or_default();
        print_json(&json!({"url": url.as_str(), "session": session}));
        eprintln!(
            "qgcal: open the URL; keep the session private and finish with\n  qgcal consent-complete --session FILE CALLBACK_URL"
        );
        return Ok(());
    }
    let options = LocalOptions {
        port: args.port,
        login_hint: args.login_hint.clone(),
        scopes,
        ..Default::default()
    };
    let (waiting, url) = setup.client.consent_start_local(options)?;
    eprintln!("qgcal: consent URL: {url}");
    if setup.emulator.is_some() {
        eprintln!("qgcal: playing the browser against the emulator");
        play_browser(url.as_str())?;
    } else {
        eprintln!(
            "qgcal: open it in your browser (trying xdg-open); waiting up to {} s",
            args.timeout
        );
        let _ = std::process::Command::new("xdg-open")
            .arg(url.as_str())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
    }
    let token = waiting.wait(Some(Duration::from_secs(args.timeout)))?;
    store(global, &token)?;
    print_json(&connection_json(&token));
    Ok(())
}

pub fn consent_complete(global: &Global, args: &CompleteArgs) -> CliResult {
    let text = read_text(&args.session)?;
    // Accept the whole output of `qgcal consent --external` as well as the bare session.
    let session_json = match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(mut map)) if map.contains_key("session") => {
            map.remove("session").unwrap_or_default().to_string()
        }
        Ok(_) => text,
        Err(e) => return Err(usage(format!("the session is not JSON: {e}"))),
    };
    let session = Session::from_json(&session_json)?;
    let setup = setup::client(global, TokenUse::Fresh)?;
    let token = setup
        .client
        .consent_complete(&session, &args.callback_url)?;
    store(global, &token)?;
    print_json(&connection_json(&token));
    Ok(())
}

pub fn token(global: &Global, force_refresh: bool) -> CliResult {
    let setup = setup::client(global, TokenUse::Stored)?;
    let token = if force_refresh {
        setup.client.refresh()?
    } else {
        setup.client.token()?
    };
    print_json(&connection_json(&token));
    Ok(())
}

pub fn revoke(global: &Global) -> CliResult {
    let setup = setup::client(global, TokenUse::Stored)?;
    setup.client.revoke()?;
    print_json(&json!({"revoked": true}));
    if let Some(path) = &global.token_file {
        eprintln!(
            "qgcal: the token in {} no longer works; consent again with `qgcal consent`",
            path.display()
        );
    }
    Ok(())
}

pub fn call(global: &Global, args: &CallArgs) -> CliResult {
    let params = crate::params::parse(&args.method, &args.params)?;
    let body = match &args.body {
        Some(path) => Some(
            serde_json::from_str::<Value>(&read_text(path)?)
                .map_err(|e| usage(format!("the body is not JSON: {e}")))?,
        ),
        None => None,
    };
    let options = CallOptions {
        if_match: args.if_match.clone(),
        if_none_match: args.if_none_match.clone(),
        fields: args.fields.clone(),
        ..Default::default()
    };
    let setup = setup::client(global, TokenUse::Stored)?;
    let answer = setup
        .client
        .call(&args.method, &params, body.as_ref(), &options)?;
    print_json(&answer);
    Ok(())
}

/// Follows the emulator's consent redirect back to the local listener, as a browser would.
fn play_browser(url: &str) -> qorus_gcal::Result<()> {
    let url = url.to_string();
    let net = |e: reqwest::Error| Error::new(ErrorKind::Network, e.to_string());
    runtime::block_on(async move {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()
            .map_err(|e| Error::new(ErrorKind::Internal, e.to_string()))?;
        let page = http.get(&url).send().await.map_err(net)?;
        let location = page
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .ok_or_else(|| Error::new(ErrorKind::Http, "the consent page did not redirect"))?
            .to_string();
        http.get(&location).send().await.map_err(net)?;
        Ok(())
    })
}
