//! Security of the consent listener and the endpoints: the loopback listener is reachable from this
//! machine's loopback address only, answers nothing but its own path and state, and is closed once
//! consent is over; plain `http://` reaches no endpoint but a loopback one. (The peer check itself,
//! which a connection from another host could only meet on a misrouted 127.0.0.1, is unit-tested in
//! src/oauth/loopback.rs.)

mod support;

use std::io::{ErrorKind as IoErrorKind, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use gcal_emulator::{Consent, Emulator};
use qorus_gcal::oauth::consent::LocalOptions;
use qorus_gcal::oauth::loopback::LocalConsent;
use qorus_gcal::{Client, ErrorKind, runtime};
use serde_json::json;
use support::browser;

fn client(emulator: &Emulator) -> Client {
    Client::from_json(&support::emulator_config(emulator.urls(), json!({}))).unwrap()
}

/// Starts a local consent; answers it, the consent URL and the listener's port.
fn start(client: &Client, options: LocalOptions) -> (Arc<LocalConsent>, String, u16) {
    let c = client.clone();
    let (consent, url) =
        runtime::block_on(async move { c.consent_start_local(options).await }).unwrap();
    let redirect = url
        .query_pairs()
        .find(|(k, _)| k == "redirect_uri")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let port = url::Url::parse(&redirect).unwrap().port().unwrap();
    (Arc::new(consent), url.to_string(), port)
}

fn wait(consent: &Arc<LocalConsent>) -> qorus_gcal::Result<qorus_gcal::oauth::token::Token> {
    let consent = consent.clone();
    runtime::block_on(async move { consent.wait(Some(Duration::from_secs(20))).await })
}

/// A connection attempt to `addr`, which must be refused.
fn assert_refused(addr: SocketAddr, why: &str) {
    match TcpStream::connect_timeout(&addr, Duration::from_secs(5)) {
        Err(e) if e.kind() == IoErrorKind::ConnectionRefused => {}
        Err(e) => panic!("{addr} ({why}): expected a refusal, got {e}"),
        Ok(_) => panic!("{addr} ({why}): the consent listener accepted a connection"),
    }
}

/// This machine's addresses other than loopback ones (getifaddrs).
fn other_addresses() -> Vec<IpAddr> {
    let mut out = Vec::new();
    let mut list: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs fills `list`, which is walked read-only and freed with freeifaddrs.
    unsafe {
        if libc::getifaddrs(&mut list) != 0 {
            return out;
        }
        let mut cur = list;
        while !cur.is_null() {
            let addr = (*cur).ifa_addr;
            if !addr.is_null() {
                match i32::from((*addr).sa_family) {
                    libc::AF_INET => {
                        let sin = &*(addr as *const libc::sockaddr_in);
                        out.push(IpAddr::from(
                            u32::from_be(sin.sin_addr.s_addr).to_be_bytes(),
                        ));
                    }
                    libc::AF_INET6 => {
                        let sin6 = &*(addr as *const libc::sockaddr_in6);
                        // Link-local addresses need a scope to connect to: leave them out.
                        if sin6.sin6_scope_id == 0 {
                            out.push(IpAddr::from(sin6.sin6_addr.s6_addr));
                        }
                    }
                    _ => {}
                }
            }
            cur = (*cur).ifa_next;
        }
        libc::freeifaddrs(list);
    }
    out.retain(|ip| !ip.is_loopback());
    out
}

#[test]
fn the_listener_is_reachable_on_127_0_0_1_only() {
    let emulator = Emulator::start();
    let client = client(&emulator);
    let (consent, _url, port) = start(&client, LocalOptions::default());
    // Another loopback address and IPv6 loopback: not bound.
    assert_refused(
        SocketAddr::from(([127, 0, 0, 2], port)),
        "another loopback address",
    );
    assert_refused(
        SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, port)),
        "IPv6 loopback",
    );
    // The machine's own network addresses: what another host would connect to.
    let others = other_addresses();
    for ip in &others {
        assert_refused(
            SocketAddr::new(*ip, port),
            "a network address of this machine",
        );
    }
    if others.is_empty() {
        support::notice(
            "SKIPPED: this machine has no non-loopback address, so no connection to one was tried",
        );
    }
    // And 127.0.0.1 is answered.
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .write_all(b"GET /elsewhere HTTP/1.1\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 404"), "{answer}");
    consent.cancel();
}

/// Sends raw bytes to the listener and answers its status code (0 when it closed without one).
fn raw(port: u16, request: &[u8]) -> u16 {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    let _ = stream.write_all(request);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer)
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

#[test]
fn wrong_paths_methods_and_states_are_refused_and_the_real_callback_still_works() {
    let emulator = Emulator::start();
    let client = client(&emulator);
    let (consent, url, port) = start(
        &client,
        LocalOptions {
            callback_path: Some("/cb".into()),
            ..Default::default()
        },
    );
    let page = browser::get(&url).unwrap();
    let location = page.location.unwrap();
    let query = location.split_once('?').unwrap().1.to_string();
    let state = url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let base = format!("http://127.0.0.1:{port}");

    for path in [
        "/",
        "/cbx",
        "/cb/",
        "//cb",
        "/CB",
        "/cb/../cb",
        "/x/cb",
        "/%63b",
    ] {
        let answer = browser::get(&format!("{base}{path}?{query}")).unwrap();
        assert_eq!(answer.status, 404, "{path}: {}", answer.body);
    }
    let wrong_states = [
        "forged".to_string(),
        state[..state.len() - 1].to_string(),
        format!("{state}x"),
        state.to_uppercase(),
        String::new(),
    ];
    for wrong in &wrong_states {
        let answer = browser::get(&format!("{base}/cb?code=stolen&state={wrong}")).unwrap();
        assert_eq!(answer.status, 400, "state {wrong:?}: {}", answer.body);
    }
    // The first state is the one read: a right one after a wrong one does not count.
    let answer =
        browser::get(&format!("{base}/cb?code=stolen&state=forged&state={state}")).unwrap();
    assert_eq!(answer.status, 400, "{}", answer.body);
    // Not a GET, or no request at all, or a head past the limit.
    assert_eq!(
        raw(
            port,
            format!("POST /cb?{query} HTTP/1.1\r\nContent-Length: 0\r\n\r\n").as_bytes()
        ),
        400
    );
    assert_eq!(raw(port, b"\r\n\r\n"), 400);
    // (No blank line: the listener reads all of it, past its 16 KiB limit, before it answers.)
    let mut huge = format!("GET /cb?{query} HTTP/1.1\r\nX-Pad: ").into_bytes();
    huge.extend(std::iter::repeat_n(b'a', 17 * 1024));
    assert_eq!(raw(port, &huge), 400);

    // None of that consumed the consent: the browser's real callback still completes it.
    let ok = browser::get(&location).unwrap();
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert!(wait(&consent).is_ok());
    // Only one token request was made: the refused requests exchanged nothing.
    assert_eq!(support::count_requests(&emulator, "token"), 1);
}

#[test]
fn the_listener_closes_after_success_denial_and_cancel() {
    let emulator = Emulator::start();
    let client = client(&emulator);

    let (consent, url, port) = start(&client, LocalOptions::default());
    let (_, back) = browser::consent(&url);
    assert_eq!(back.unwrap().status, 200);
    assert!(wait(&consent).is_ok());
    assert_refused(SocketAddr::from(([127, 0, 0, 1], port)), "after success");

    emulator
        .admin()
        .set_consent(gcal_emulator::DEFAULT_CLIENT_ID, Consent::Deny);
    let (consent, url, port) = start(&client, LocalOptions::default());
    let (_, back) = browser::consent(&url);
    assert_eq!(back.unwrap().status, 200);
    assert_eq!(wait(&consent).unwrap_err().kind(), ErrorKind::ConsentDenied);
    assert_refused(SocketAddr::from(([127, 0, 0, 1], port)), "after denial");

    let (consent, _url, port) = start(&client, LocalOptions::default());
    consent.cancel();
    assert_eq!(wait(&consent).unwrap_err().kind(), ErrorKind::Cancelled);
    assert_refused(SocketAddr::from(([127, 0, 0, 1], port)), "after cancel");
}

#[test]
fn plain_http_reaches_loopback_endpoints_only_for_every_endpoint_key() {
    let keys = [
        "auth_url",
        "token_url",
        "revoke_url",
        "api_base_url",
        "batch_url",
    ];
    let refused = [
        "http://example.com/x",
        "http://accounts.google.com/o/oauth2/v2/auth",
        "http://192.0.2.2:8080/x",
        "http://10.0.0.1/x",
        "http://0.0.0.0:9/x",
        "http://[fd00::2]/x",
        "http://127.0.0.1.example.com/x",
        "http://localhost.example.com/x",
        "http://user@example.com/x",
    ];
    let accepted = [
        "http://127.0.0.1:9/x/",
        "http://127.8.9.10/x/",
        "http://localhost:9/x/",
        "http://LOCALHOST/x/",
        "http://[::1]:9/x/",
        "https://example.com/x/",
    ];
    for key in keys {
        for url in refused {
            let config = json!({"endpoints": {key: url}}).to_string();
            let err = Client::from_json(&config).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{key} = {url}");
            assert!(
                err.message().contains(&format!("endpoints.{key}"))
                    && err.message().contains("https"),
                "{key} = {url}: {err}"
            );
        }
        for url in accepted {
            let config = json!({"endpoints": {key: url}}).to_string();
            assert!(Client::from_json(&config).is_ok(), "{key} = {url}");
        }
        // Nor any other scheme.
        for url in [
            "ftp://example.com/x",
            "file:///etc/passwd",
            "ws://127.0.0.1/x",
        ] {
            let config = json!({"endpoints": {key: url}}).to_string();
            let err = Client::from_json(&config).unwrap_err();
            assert!(
                err.message().contains(&format!("endpoints.{key}")),
                "{key} = {url}: {err}"
            );
        }
    }
}
