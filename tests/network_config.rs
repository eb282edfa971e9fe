//! The network keys of the config: proxy URLs and credentials, no_proxy, "system"; strict errors that
//! name the key, and no proxy credential in any message or Debug output.

use qorus_gcal::config::{Proxy, ProxyUrl};
use qorus_gcal::{Client, Config, ErrorKind};
use serde_json::json;

const PASSWORD: &str = "hunter2-proxy";

fn proxy_of(config: serde_json::Value) -> ProxyUrl {
    match Config::from_json(&config.to_string())
        .unwrap()
        .network
        .proxy
    {
        Proxy::Url(p) => p,
        other => panic!("not a proxy URL: {other:?}"),
    }
}

#[test]
fn by_default_nothing_goes_through_a_proxy() {
    let c = Config::from_json("{}").unwrap();
    assert_eq!(c.network.proxy, Proxy::Direct);
    assert!(c.network.no_proxy.is_empty() && c.network.ca_certificates.is_empty());
    assert!(!c.network.ca_only);
}

#[test]
fn proxy_urls_and_credentials() {
    for scheme in ["http", "https", "socks5", "socks5h"] {
        let p = proxy_of(json!({"proxy": format!("{scheme}://proxy.example.com:3128")}));
        // Special schemes (http, https) get a path of "/".
        assert_eq!(
            p.url.as_str().trim_end_matches('/'),
            format!("{scheme}://proxy.example.com:3128")
        );
        assert!(!p.has_credentials());
    }
    // In the URL (percent-decoded), or as keys; the URL keeps no credentials either way.
    let p = proxy_of(json!({"proxy": format!("http://me%40corp:{PASSWORD}%21@10.0.0.1:8080")}));
    assert_eq!(p.url.as_str(), "http://10.0.0.1:8080/");
    assert_eq!(p.username.as_ref().unwrap().expose(), "me@corp");
    assert_eq!(
        p.password.as_ref().unwrap().expose(),
        format!("{PASSWORD}!")
    );
    let p = proxy_of(
        json!({"proxy": "http://10.0.0.1:8080", "proxy_username": "me",
                            "proxy_password": PASSWORD}),
    );
    assert_eq!(p.username.as_ref().unwrap().expose(), "me");
    assert_eq!(p.password.as_ref().unwrap().expose(), PASSWORD);

    let c = Config::from_json(
        &json!({"proxy": "http://10.0.0.1:8080", "no_proxy": " intranet.example, .corp , 10.0.0.0/8,::1 "})
            .to_string(),
    )
    .unwrap();
    assert_eq!(
        c.network.no_proxy,
        ["intranet.example", ".corp", "10.0.0.0/8", "::1"]
    );
    let c = Config::from_json(&json!({"proxy": "system", "no_proxy": ["*"]}).to_string()).unwrap();
    assert_eq!(c.network.proxy, Proxy::System);
    assert_eq!(c.network.no_proxy, ["*"]);
}

#[test]
fn bad_network_keys_are_errors_naming_the_key_without_the_password() {
    let cases = [
        (json!({"proxy": ""}), "`proxy` must not be empty"),
        (
            json!({"proxy": format!("ftp://u:{PASSWORD}@h:21")}),
            "unsupported scheme `ftp`",
        ),
        (
            json!({"proxy": format!("http://u:{PASSWORD}@h:3128/path")}),
            "without a path",
        ),
        (
            json!({"proxy": format!("u:{PASSWORD}@h:3128")}),
            "config key `proxy`",
        ),
        (
            json!({"proxy": format!("http://u:{PASSWORD}@h:3128"), "proxy_password": PASSWORD}),
            "give them once",
        ),
        (
            json!({"proxy": "http://h:1", "proxy_password": PASSWORD}),
            "needs a user name",
        ),
        (json!({"proxy_username": "u"}), "need `proxy`"),
        (
            json!({"proxy": "system", "proxy_username": "u", "proxy_password": PASSWORD}),
            "explicit `proxy` URL",
        ),
        (
            json!({"no_proxy": "example.com"}),
            "`no_proxy` needs `proxy`",
        ),
        (
            json!({"proxy": "http://h:1", "no_proxy": "host:8080"}),
            "ports are not matched",
        ),
        (
            json!({"proxy": "http://h:1", "no_proxy": 5}),
            "comma-separated string or an array",
        ),
        (
            json!({"proxy": "http://h:1", "no_proxy": ["ok.example", 5]}),
            "array of strings",
        ),
        (json!({"proxy": 3128}), "proxy"),
    ];
    for (config, needle) in cases {
        let err = Client::from_json(&config.to_string()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{config}: {err}");
        assert!(
            err.message().contains(needle),
            "{config}: {needle:?} not in {err}"
        );
        assert!(!err.message().contains(PASSWORD), "password in {err}");
    }
}

#[test]
fn debug_output_never_shows_proxy_credentials() {
    let config = Config::from_json(
        &json!({"proxy": format!("socks5h://proxyman:{PASSWORD}@127.0.0.1:1080")}).to_string(),
    )
    .unwrap();
    let shown = format!("{config:?}");
    assert!(shown.contains("socks5h://127.0.0.1:1080"), "{shown}");
    assert!(
        !shown.contains(PASSWORD) && !shown.contains("proxyman"),
        "{shown}"
    );
    let client = Client::new(config).unwrap();
    let shown = format!("{client:?}");
    assert!(!shown.contains(PASSWORD), "{shown}");
}
