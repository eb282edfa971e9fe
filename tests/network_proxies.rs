//! Through real proxies (tinyproxy for HTTP CONNECT, microsocks for SOCKS5) to the emulator over TLS:
//! API and token requests go through the proxy (its log shows them), `no_proxy` bypasses it, and wrong
//! credentials, a dead proxy and a refused tunnel each get their own status. No password in any message.

mod support;

use gcal_emulator::{Emulator, MintToken};
use qorus_gcal::calendar::call::CallOptions;
use qorus_gcal::oauth::grant::now_unix;
use qorus_gcal::{BlockingClient, Error, ErrorKind};
use serde_json::{Value, json};
use support::proxies::{Proxy, available, dead_port};

const USER: &str = "alice";
const PASSWORD: &str = "pr0xy-s3cret";

/// A TLS emulator whose token endpoint is named `localhost` and API `127.0.0.1`: two hosts, so the
/// proxy's log tells token requests from API requests.
fn emulator() -> Emulator {
    Emulator::start_tls()
}

/// A config for `emu` with a stale access token (the first call must refresh), trusting its CA, merged
/// with `extra`.
fn config(emu: &Emulator, extra: Value) -> String {
    let minted = emu
        .admin()
        .mint_token(MintToken {
            offline: true,
            ..MintToken::default()
        })
        .unwrap();
    let mut urls = emu.urls().clone();
    urls.token_url = urls.token_url.replace("127.0.0.1", "localhost");
    let mut base = json!({
        "token": {"access_token": minted["access_token"], "refresh_token": minted["refresh_token"],
                  "expires_at": now_unix() - 10},
        "ca_certificates": emu.ca_pem().unwrap(),
    });
    if let (Some(b), Some(e)) = (base.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    support::emulator_config(&urls, base)
}

fn colors(config: &str) -> qorus_gcal::Result<Value> {
    let client = BlockingClient::from_json(config)?;
    client.call("colors.get", &Value::Null, None, &CallOptions::default())
}

fn port_of(emu: &Emulator) -> u16 {
    emu.urls()
        .base_url
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

fn assert_kind(result: qorus_gcal::Result<Value>, kind: ErrorKind, needle: &str) -> Error {
    let err = result.expect_err("the call must fail");
    assert_eq!(err.kind(), kind, "{err}");
    assert!(err.message().contains(needle), "{needle:?} missing: {err}");
    assert!(!err.message().contains(PASSWORD), "password in {err}");
    assert!(!format!("{err:?}").contains(PASSWORD));
    err
}

#[test]
fn an_http_proxy_carries_api_and_token_requests() {
    if !available("tinyproxy", "an_http_proxy_carries_api_and_token_requests") {
        return;
    }
    let proxy = Proxy::tinyproxy(Some((USER, PASSWORD)), &[]);
    let emu = emulator();
    let port = port_of(&emu);
    // Credentials as separate keys.
    let answer = colors(&config(
        &emu,
        json!({"proxy": format!("http://{}", proxy.address()),
               "proxy_username": USER, "proxy_password": PASSWORD}),
    ))
    .expect("colors.get through the proxy");
    assert_eq!(answer["kind"], "calendar#colors");
    assert!(
        proxy.log_contains(&format!("CONNECT localhost:{port}")),
        "the token request went through the proxy:\n{}",
        proxy.log()
    );
    assert!(
        proxy.log_contains(&format!("CONNECT 127.0.0.1:{port}")),
        "the API request went through the proxy:\n{}",
        proxy.log()
    );
    assert_eq!(support::count_requests(&emu, "token"), 1);

    // Credentials in the URL, percent-encoded as URLs need.
    let emu = emulator();
    let url = format!(
        "http://{USER}:{}@{}",
        PASSWORD.replace('-', "%2D"),
        proxy.address()
    );
    colors(&config(&emu, json!({"proxy": url}))).expect("credentials in the proxy URL");
    assert!(proxy.log_contains(&format!("CONNECT 127.0.0.1:{}", port_of(&emu))));
}

#[test]
fn no_proxy_goes_directly() {
    if !available("tinyproxy", "no_proxy_goes_directly") {
        return;
    }
    let proxy = Proxy::tinyproxy(None, &[]);
    let emu = emulator();
    let port = port_of(&emu);
    // The token host bypasses the proxy by name; the API host still goes through it.
    colors(&config(
        &emu,
        json!({"proxy": format!("http://{}", proxy.address()), "no_proxy": "localhost"}),
    ))
    .unwrap();
    assert!(proxy.log_contains(&format!("CONNECT 127.0.0.1:{port}")));
    assert!(
        !proxy.log().contains(&format!("CONNECT localhost:{port}")),
        "the token request bypassed the proxy:\n{}",
        proxy.log()
    );

    // A CIDR as an array entry: the API host bypasses it now.
    let emu = emulator();
    let port = port_of(&emu);
    colors(&config(
        &emu,
        json!({"proxy": format!("http://{}", proxy.address()), "no_proxy": ["127.0.0.0/8"]}),
    ))
    .unwrap();
    assert!(proxy.log_contains(&format!("CONNECT localhost:{port}")));
    assert!(!proxy.log().contains(&format!("CONNECT 127.0.0.1:{port}")));
}

#[test]
fn wrong_or_missing_proxy_credentials_say_so() {
    if !available("tinyproxy", "wrong_or_missing_proxy_credentials_say_so") {
        return;
    }
    let proxy = Proxy::tinyproxy(Some((USER, PASSWORD)), &[]);
    let emu = emulator();
    let err = assert_kind(
        colors(&config(
            &emu,
            json!({"proxy": format!("http://{}", proxy.address()),
                   "proxy_username": USER, "proxy_password": "wrong"}),
        )),
        ErrorKind::ProxyAuthRequired,
        // tinyproxy answers wrong credentials with 401, which reqwest hides: the library asks again.
        "refused the credentials (CONNECT answered HTTP 401",
    );
    assert!(err.message().contains("proxy_password"), "{err}");
    assert_kind(
        colors(&config(
            &emu,
            json!({"proxy": format!("http://{USER}:{PASSWORD}x@{}", proxy.address())}),
        )),
        ErrorKind::ProxyAuthRequired,
        "credentials",
    );
    assert_kind(
        colors(&config(
            &emu,
            json!({"proxy": format!("http://{}", proxy.address())}),
        )),
        ErrorKind::ProxyAuthRequired,
        "the proxy wants credentials",
    );
    assert_eq!(
        support::count_requests(&emu, "token"),
        0,
        "nothing reached the server"
    );
}

#[test]
fn a_proxy_that_refuses_the_tunnel_is_a_proxy_error() {
    if !available(
        "tinyproxy",
        "a_proxy_that_refuses_the_tunnel_is_a_proxy_error",
    ) {
        return;
    }
    // CONNECT allowed to port 443 only.
    let proxy = Proxy::tinyproxy(None, &[443]);
    let emu = emulator();
    assert_kind(
        colors(&config(
            &emu,
            json!({"proxy": format!("http://{}", proxy.address())}),
        )),
        ErrorKind::ProxyError,
        "refused to open a tunnel to the server: CONNECT answered HTTP 403",
    );
}

#[test]
fn a_dead_proxy_is_a_proxy_error() {
    let emu = emulator();
    for scheme in ["http", "socks5h"] {
        assert_kind(
            colors(&config(
                &emu,
                json!({"proxy": format!("{scheme}://127.0.0.1:{}", dead_port()),
                       "retry": {"max_attempts": 2, "base_delay_ms": 1, "max_delay_ms": 2}}),
            )),
            ErrorKind::ProxyError,
            "cannot reach the",
        );
    }
}

#[test]
fn a_socks5_proxy_carries_requests_and_checks_credentials() {
    if !available(
        "microsocks",
        "a_socks5_proxy_carries_requests_and_checks_credentials",
    ) {
        return;
    }
    let proxy = Proxy::microsocks(Some((USER, PASSWORD)));
    for scheme in ["socks5h", "socks5"] {
        let emu = emulator();
        let port = port_of(&emu);
        colors(&config(
            &emu,
            json!({"proxy": format!("{scheme}://{USER}:{PASSWORD}@{}", proxy.address())}),
        ))
        .unwrap_or_else(|e| panic!("through {scheme}: {e}"));
        // socks5h hands the name to the proxy; socks5 resolves it here first.
        let token_host = if scheme == "socks5h" {
            "localhost"
        } else {
            "127.0.0.1"
        };
        assert!(
            proxy.log_contains(&format!("connected to {token_host}:{port}")),
            "{scheme}: {}",
            proxy.log()
        );
        assert!(proxy.log_contains(&format!("connected to 127.0.0.1:{port}")));
    }
    let emu = emulator();
    assert_kind(
        colors(&config(
            &emu,
            json!({"proxy": format!("socks5h://{}", proxy.address()),
                   "proxy_username": USER, "proxy_password": "wrong"}),
        )),
        ErrorKind::ProxyAuthRequired,
        "SOCKS proxy refused the credentials",
    );
    assert_kind(
        colors(&config(
            &emu,
            json!({"proxy": format!("socks5h://{}", proxy.address())}),
        )),
        ErrorKind::ProxyAuthRequired,
        "SOCKS proxy",
    );
}

/// `"proxy": "system"` reads HTTPS_PROXY and NO_PROXY. The environment belongs to the whole process, so
/// the client runs in a child process of this test binary with the variables set.
#[test]
fn the_system_proxy_comes_from_the_environment() {
    if let Ok(config) = std::env::var("QGCAL_TEST_SYSTEM_PROXY_CONFIG") {
        colors(&config).expect("through the environment's proxy");
        return;
    }
    if !available("tinyproxy", "the_system_proxy_comes_from_the_environment") {
        return;
    }
    let proxy = Proxy::tinyproxy(Some((USER, PASSWORD)), &[]);
    let emu = emulator();
    let port = port_of(&emu);
    let child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "the_system_proxy_comes_from_the_environment",
            "--nocapture",
        ])
        .env(
            "QGCAL_TEST_SYSTEM_PROXY_CONFIG",
            config(&emu, json!({"proxy": "system"})),
        )
        .env(
            "HTTPS_PROXY",
            format!("{USER}:{PASSWORD}@{}", proxy.address()),
        )
        .env("NO_PROXY", "localhost")
        .output()
        .unwrap();
    support::assert_success(&child, "the child with HTTPS_PROXY set");
    assert!(proxy.log_contains(&format!("CONNECT 127.0.0.1:{port}")));
    assert!(!proxy.log().contains(&format!("CONNECT localhost:{port}")));
}
