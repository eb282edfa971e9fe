//! Building the client a command runs with: config file, client flags, stored token, or the emulator.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use gcal_emulator::{Emulator, MintToken};
use qorus_gcal::BlockingClient;
use qorus_gcal::oauth::token::Token;
use serde_json::{Map, Value, json};

use crate::Global;
use crate::report::{CliResult, other, usage};

/// A ready client, and the emulator it talks to when `--emulator` was given (kept alive here).
pub struct Setup {
    pub client: BlockingClient,
    pub emulator: Option<Emulator>,
}

/// Whether the command starts from a token (calls) or obtains one (consent).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum TokenUse {
    Stored,
    Fresh,
}

pub fn client(global: &Global, token_use: TokenUse) -> CliResult<Setup> {
    let mut config = match &global.config {
        Some(path) => match serde_json::from_str::<Value>(&read_text(path)?) {
            Ok(Value::Object(map)) => map,
            Ok(_) => {
                return Err(usage(format!(
                    "{}: the config must be a JSON object",
                    path.display()
                )));
            }
            Err(e) => return Err(usage(format!("{}: not JSON: {e}", path.display()))),
        },
        None => Map::new(),
    };
    if let Some(id) = &global.client_id {
        config.insert("client_id".into(), json!(id));
    }
    if let Some(secret) = &global.client_secret {
        config.insert("client_secret".into(), json!(secret));
    }
    let emulator = global.emulator.then(Emulator::start);
    if let Some(emu) = &emulator {
        let urls = emu.urls();
        config.insert("client_id".into(), json!(gcal_emulator::DEFAULT_CLIENT_ID));
        config.insert(
            "client_secret".into(),
            json!(gcal_emulator::DEFAULT_CLIENT_SECRET),
        );
        config.insert(
            "endpoints".into(),
            json!({"auth_url": urls.auth_url, "token_url": urls.token_url, "revoke_url": urls.revoke_url,
                   "api_base_url": urls.api_base_url, "batch_url": urls.batch_url}),
        );
        config.remove("token");
        if token_use == TokenUse::Stored {
            config.insert("token".into(), emulator_token(emu));
        }
    } else if token_use == TokenUse::Stored
        && let Some(path) = &global.token_file
        && path.exists()
    {
        let text = read_text(path)?;
        let token: Value = serde_json::from_str(&text)
            .map_err(|e| usage(format!("{}: not token JSON: {e}", path.display())))?;
        config.insert("token".into(), token);
    }
    let client = BlockingClient::from_json(&Value::Object(config).to_string())?;
    if let Some(path) = &global.token_file {
        let path = path.clone();
        client
            .client()
            .set_token_callback(Some(Arc::new(move |t: &Token| {
                if let Err(e) = write_token(&path, t) {
                    eprintln!("qgcal: could not store the new token: {e}");
                }
            })));
    }
    Ok(Setup { client, emulator })
}

/// A fresh offline grant from the emulator, in the library's stored-token shape.
fn emulator_token(emu: &Emulator) -> Value {
    let answer = emu
        .admin()
        .mint_token(MintToken {
            offline: true,
            ..MintToken::default()
        })
        .unwrap_or_default();
    let now = qorus_gcal::oauth::grant::now_unix();
    json!({
        "access_token": answer["access_token"],
        "refresh_token": answer["refresh_token"],
        "expires_at": now + answer["expires_in"].as_i64().unwrap_or(3599),
        "scope": answer["scope"],
        "token_type": "Bearer",
    })
}

/// Reads a file, or stdin for `-`.
pub fn read_text(path: &Path) -> CliResult<String> {
    if path == Path::new("-") {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .map_err(|e| other(format!("cannot read stdin: {e}")))?;
        return Ok(text);
    }
    std::fs::read_to_string(path).map_err(|e| usage(format!("cannot read {}: {e}", path.display())))
}

/// Replaces the token file atomically, readable by its owner only.
pub fn write_token(path: &Path, token: &Token) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&tmp)?;
    file.write_all(token.to_json().as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)
}
