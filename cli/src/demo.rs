//! `qgcal demo`: the whole library at work, step by step. Offline against the bundled emulator by
//! default; against Google when given an OAuth client of your own.

use std::time::Duration;

use qorus_gcal::calendar::batch::{BatchCall, BatchOptions};
use qorus_gcal::calendar::call::CallOptions;
use qorus_gcal::oauth::consent::LocalOptions;
use qorus_gcal::{BlockingClient, Error, ErrorKind, runtime};
use serde_json::{Value, json};

pub struct Google {
    pub client_id: String,
    pub client_secret: String,
}

fn step(n: u32, text: &str) {
    println!("\n{n}. {text}");
}

fn call(
    client: &BlockingClient,
    method: &str,
    params: Value,
    body: Option<Value>,
    options: CallOptions,
) -> qorus_gcal::Result<Value> {
    client.call(method, &params, body.as_ref(), &options)
}

/// Shows the first characters of a secret, enough to tell tokens apart.
fn peek(secret: &str) -> String {
    format!("{}…", secret.chars().take(10).collect::<String>())
}

pub fn run(google: Option<Google>) -> Result<(), Error> {
    println!("qorus-gcal {} demo", qorus_gcal::VERSION);
    let emulator;
    let config = match &google {
        Some(g) => json!({"client_id": g.client_id, "client_secret": g.client_secret}),
        None => {
            emulator = gcal_emulator::Emulator::start();
            let urls = emulator.urls();
            println!(
                "(offline: the bundled Google emulator listens on {})",
                urls.base_url
            );
            json!({
                "client_id": gcal_emulator::DEFAULT_CLIENT_ID,
                "client_secret": gcal_emulator::DEFAULT_CLIENT_SECRET,
                "endpoints": {"auth_url": urls.auth_url, "token_url": urls.token_url, "revoke_url": urls.revoke_url,
                              "api_base_url": urls.api_base_url, "batch_url": urls.batch_url},
            })
        }
    };
    let client = BlockingClient::from_json(&config.to_string())?;
    client.client().set_token_callback(Some(std::sync::Arc::new(
        |t: &qorus_gcal::oauth::token::Token| {
            println!(
                "   [token callback] the host would now store a new token (expires_at {:?})",
                t.expires_at
            );
        },
    )));

    step(
        1,
        "Consent through a local loopback server (PKCE, random state)",
    );
    let (consent, url) = client.consent_start_local(LocalOptions::default())?;
    println!("   consent URL: {url}");
    match &google {
        Some(_) => {
            println!("   open it in your browser (trying xdg-open); waiting up to 5 minutes...");
            let _ = std::process::Command::new("xdg-open")
                .arg(url.as_str())
                .spawn();
        }
        None => {
            println!("   playing the browser against the emulator...");
            play_browser(url.as_str())?;
        }
    }
    let token = consent.wait(Some(Duration::from_secs(300)))?;
    println!(
        "   got a token: access {} refresh {} scope {}",
        peek(token.access_token.as_ref().map_or("", |t| t.expose())),
        peek(token.refresh_token.as_ref().map_or("", |t| t.expose())),
        token.scope.as_deref().unwrap_or("?")
    );

    step(2, "List calendars (calendarList.list, every page)");
    let calendars = client.list_all("calendarList.list", &json!({}), 0)?;
    for cal in &calendars {
        println!(
            "   - {} ({})",
            cal["summary"].as_str().unwrap_or("?"),
            cal["id"].as_str().unwrap_or("?")
        );
    }

    step(
        3,
        "Insert an event (with a generated id, so a retry can never duplicate it)",
    );
    let event = json!({"summary": "qorus-gcal demo", "start": {"dateTime": "2030-01-15T10:00:00Z"},
                       "end": {"dateTime": "2030-01-15T11:00:00Z"}});
    let created = call(
        &client,
        "events.insert",
        json!({"calendarId": "primary"}),
        Some(event),
        CallOptions::default(),
    )?;
    let id = created["id"].as_str().unwrap_or_default().to_string();
    println!("   created {id}");

    step(
        4,
        "Full sync of the primary calendar (events.list, every page)",
    );
    let full = client.sync("events.list", &json!({"calendarId": "primary"}), None, true)?;
    println!(
        "   {} events; sync token {}",
        full.items.len(),
        full.next_sync_token
            .as_deref()
            .map(peek)
            .unwrap_or_default()
    );

    step(
        5,
        "ETag-guarded update: the right ETag wins, a stale one is refused",
    );
    let etag = created["etag"].as_str().unwrap_or_default().to_string();
    let params = json!({"calendarId": "primary", "eventId": id});
    let guarded = |etag: &str| CallOptions {
        if_match: Some(etag.to_string()),
        ..Default::default()
    };
    let updated = call(
        &client,
        "events.patch",
        params.clone(),
        Some(json!({"summary": "qorus-gcal demo (updated)"})),
        guarded(&etag),
    )?;
    println!("   updated: {}", updated["summary"].as_str().unwrap_or("?"));
    match call(
        &client,
        "events.patch",
        params.clone(),
        Some(json!({"summary": "lost update"})),
        guarded(&etag),
    ) {
        Err(e) if e.kind() == ErrorKind::PreconditionFailed => {
            println!("   stale ETag refused: {e}")
        }
        Err(e) => return Err(e),
        Ok(_) => return Err(Error::new(ErrorKind::Internal, "a stale ETag was accepted")),
    }

    step(6, "Incremental sync: only what changed since step 4");
    let delta = client.sync(
        "events.list",
        &json!({"calendarId": "primary"}),
        full.next_sync_token.as_deref(),
        true,
    )?;
    for item in &delta.items {
        println!(
            "   changed: {} {}",
            item["id"].as_str().unwrap_or("?"),
            item["summary"].as_str().unwrap_or("(deleted)")
        );
    }

    step(7, "A batch of three inserts in one HTTP request");
    let calls: Vec<BatchCall> = (1..=3)
        .map(|i| BatchCall {
            method: "events.insert".into(),
            params: json!({"calendarId": "primary"}),
            body: Some(json!({"summary": format!("batch event {i}"), "start": {"date": "2030-01-16"}, "end": {"date": "2030-01-17"}})),
        })
        .collect();
    let results = client.batch(&calls, &BatchOptions::chunks_of(50))?;
    let mut ids = vec![id.clone()];
    for r in &results {
        println!(
            "   status {} {}",
            r["status"],
            r["body"]["id"].as_str().unwrap_or("?")
        );
        if let Some(i) = r["body"]["id"].as_str() {
            ids.push(i.to_string());
        }
    }

    step(8, "Clean up the demo events");
    for i in ids {
        call(
            &client,
            "events.delete",
            json!({"calendarId": "primary", "eventId": i}),
            None,
            CallOptions::default(),
        )?;
    }
    println!("   deleted");

    step(9, "Revoke the grant; the next call needs consent again");
    client.revoke()?;
    match call(
        &client,
        "colors.get",
        json!({}),
        None,
        CallOptions::default(),
    ) {
        Err(e) if e.kind() == ErrorKind::ConsentRequired => println!("   as expected: {e}"),
        Err(e) => return Err(e),
        Ok(_) => {
            return Err(Error::new(
                ErrorKind::Internal,
                "a call worked after revocation",
            ));
        }
    }
    println!("\ndemo finished: every step succeeded");
    Ok(())
}

/// Opens the consent URL and follows the emulator's redirect back to the local listener.
fn play_browser(url: &str) -> qorus_gcal::Result<()> {
    let url = url.to_string();
    runtime::block_on(async move {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()
            .map_err(|e| Error::new(ErrorKind::Internal, e.to_string()))?;
        let page = http
            .get(&url)
            .send()
            .await
            .map_err(|e| Error::new(ErrorKind::Network, e.to_string()))?;
        let location = page
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .ok_or_else(|| Error::new(ErrorKind::Http, "the consent page did not redirect"))?
            .to_string();
        let back = http
            .get(&location)
            .send()
            .await
            .map_err(|e| Error::new(ErrorKind::Network, e.to_string()))?;
        println!(
            "   the listener answered the browser: HTTP {}",
            back.status().as_u16()
        );
        Ok(())
    })
}
