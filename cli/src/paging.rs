//! The long-running commands: list and sync (every page) and batch, with a progress bar on a terminal.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use qorus_gcal::calendar::batch::{BatchCall, BatchOptions};
use qorus_gcal::calendar::pager::{Page, Pager};
use qorus_gcal::{BlockingClient, ErrorKind, runtime};
use serde_json::{Value, json};

use crate::Global;
use crate::report::{CliResult, other, usage};
use crate::setup::{self, TokenUse, read_text};

#[derive(Args, Debug)]
pub struct ListArgs {
    /// A list method, e.g. events.list or calendarList.list
    pub method: String,
    /// Parameters, e.g. calendarId=primary maxResults=2500 (pageToken is set by qgcal)
    #[arg(value_name = "KEY=VALUE")]
    pub params: Vec<String>,
    /// Stop after this many items (0: all)
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub max_items: usize,
}

#[derive(Args, Debug)]
pub struct SyncArgs {
    /// A method with sync tokens: events.list, calendarList.list, acl.list or settings.list
    pub method: String,
    /// Parameters, e.g. calendarId=primary
    #[arg(value_name = "KEY=VALUE")]
    pub params: Vec<String>,
    /// The next_sync_token of the previous sync (none: a full sync)
    #[arg(long, value_name = "TOKEN")]
    pub sync_token: Option<String>,
    /// When the sync token has expired, sync fully instead of failing (the last line says full_resync)
    #[arg(long)]
    pub full_resync_on_expiry: bool,
}

#[derive(Args, Debug)]
pub struct BatchArgs {
    /// Calls as a JSON array or JSON lines of {"method", "params", "body"} (a file, or - for stdin)
    #[arg(value_name = "FILE|-")]
    pub calls: PathBuf,
    /// Calls per HTTP request (Google allows up to 1000; 50 is its advice)
    #[arg(long, default_value_t = 50, value_name = "N")]
    pub chunk_size: usize,
}

/// A bar on stderr while stdout is a terminal; hidden when the output is piped or redirected.
fn progress(len: Option<u64>, what: &str) -> ProgressBar {
    if !std::io::stdout().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = match len {
        Some(n) => ProgressBar::new(n).with_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} {msg} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        ),
        None => ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template("{spinner} {pos} {msg} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        ),
    };
    bar.set_message(what.to_string());
    bar
}

/// Writes lines of JSON without tearing the bar.
fn emit(bar: &ProgressBar, lines: &[Value]) -> CliResult {
    bar.suspend(|| {
        let mut out = std::io::stdout().lock();
        for line in lines {
            writeln!(out, "{line}")?;
        }
        out.flush()
    })
    .map_err(|e| other(format!("cannot write the output: {e}")))
}

fn next_page(pager: Pager) -> qorus_gcal::Result<(Pager, Option<Page>)> {
    let mut pager = pager;
    runtime::block_on(async move {
        let page = pager.next_page().await?;
        Ok((pager, page))
    })
}

/// Walks every page, printing items; answers the sync token of the last page.
fn walk(
    client: &BlockingClient,
    method: &str,
    params: &Value,
    max_items: usize,
    bar: &ProgressBar,
) -> qorus_gcal::Result<Option<String>> {
    let mut pager = Pager::new(client.client().clone(), method, params)?;
    let mut seen = 0usize;
    loop {
        let (next, page) = next_page(pager)?;
        pager = next;
        let Some(mut page) = page else {
            return Ok(None);
        };
        if max_items > 0 && seen + page.items.len() >= max_items {
            page.items.truncate(max_items - seen);
            page.more = false;
        }
        seen += page.items.len();
        bar.inc(page.items.len() as u64);
        if emit(bar, &page.items).is_err() {
            // stdout closed (e.g. piped into `head`): stop quietly.
            return Ok(None);
        }
        if !page.more {
            return Ok(page.next_sync_token);
        }
    }
}

pub fn list(global: &Global, args: &ListArgs) -> CliResult {
    let params = crate::params::parse(&args.method, &args.params)?;
    let setup = setup::client(global, TokenUse::Stored)?;
    let bar = progress(None, "items");
    let result = walk(&setup.client, &args.method, &params, args.max_items, &bar);
    bar.finish_and_clear();
    result?;
    Ok(())
}

pub fn sync(global: &Global, args: &SyncArgs) -> CliResult {
    let mut params = crate::params::parse(&args.method, &args.params)?;
    if params.get("syncToken").is_some() {
        return Err(usage("give the sync token with --sync-token"));
    }
    let setup = setup::client(global, TokenUse::Stored)?;
    let bar = progress(None, "changes");
    let full = params.clone();
    if let Some(token) = &args.sync_token {
        params["syncToken"] = json!(token);
    }
    let mut full_resync = false;
    let mut result = walk(&setup.client, &args.method, &params, 0, &bar);
    if args.full_resync_on_expiry
        && args.sync_token.is_some()
        && matches!(&result, Err(e) if e.kind() == ErrorKind::SyncTokenExpired)
    {
        full_resync = true;
        result = walk(&setup.client, &args.method, &full, 0, &bar);
    }
    bar.finish_and_clear();
    let token = result?;
    emit(
        &bar,
        &[json!({"next_sync_token": token, "full_resync": full_resync})],
    )
}

fn read_calls(path: &std::path::Path) -> CliResult<Vec<BatchCall>> {
    let text = read_text(path)?;
    let bad = |e: serde_json::Error| usage(format!("calls: {e}"));
    if text.trim_start().starts_with('[') {
        return serde_json::from_str(&text).map_err(bad);
    }
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).map_err(bad))
        .collect()
}

pub fn batch(global: &Global, args: &BatchArgs) -> CliResult {
    if args.chunk_size == 0 || args.chunk_size > 1000 {
        return Err(usage("--chunk-size must be 1..=1000"));
    }
    let calls = read_calls(&args.calls)?;
    let setup = setup::client(global, TokenUse::Stored)?;
    let bar = progress(Some(calls.len() as u64), "calls");
    let mut failed = 0usize;
    for chunk in calls.chunks(args.chunk_size) {
        let results = match setup
            .client
            .batch(chunk, &BatchOptions::chunks_of(args.chunk_size))
        {
            Ok(r) => r,
            Err(e) => {
                bar.finish_and_clear();
                return Err(e.into());
            }
        };
        failed += results.iter().filter(|r| r.get("error").is_some()).count();
        bar.inc(chunk.len() as u64);
        emit(&bar, &results)?;
    }
    bar.finish_and_clear();
    if failed > 0 {
        return Err(other(format!(
            "{failed} of {} calls failed (see their \"error\" lines)",
            calls.len()
        )));
    }
    Ok(())
}
