//! TLS against the emulator's own CA: trusted when configured (as text, as a file, alone), refused with a
//! certificate error when not, and clear configuration errors for PEM that cannot be used.

mod support;

use gcal_emulator::{Emulator, Options};
use qorus_gcal::calendar::call::CallOptions;
use qorus_gcal::{BlockingClient, Client, ErrorKind};
use serde_json::{Value, json};

fn config(emu: &Emulator, extra: Value) -> String {
    let token = emu.admin().access_token(&[]);
    let mut base = json!({"token": {"access_token": token}});
    if let (Some(b), Some(e)) = (base.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    support::emulator_config(emu.urls(), base)
}

fn colors(config: &str) -> qorus_gcal::Result<Value> {
    BlockingClient::from_json(config)?.call(
        "colors.get",
        &Value::Null,
        None,
        &CallOptions::default(),
    )
}

#[test]
fn the_emulators_ca_is_trusted_when_configured() {
    let emu = Emulator::start_tls();
    assert!(emu.urls().api_base_url.starts_with("https://"));
    let pem = emu.ca_pem().unwrap();
    let answer = colors(&config(&emu, json!({"ca_certificates": pem}))).unwrap();
    assert_eq!(answer["kind"], "calendar#colors");
    let file = emu.ca_file().unwrap();
    assert_eq!(std::fs::read_to_string(&file).unwrap(), pem);
    colors(&config(&emu, json!({"ca_file": file}))).expect("the CA as a file");
    colors(&config(&emu, json!({"ca_file": file, "ca_only": true}))).expect("the CA alone");
    let stats = emu.admin().connection_stats();
    assert!(stats.tls_handshakes >= 1, "{stats:?}");
    assert_eq!(
        stats.http2, stats.tls_handshakes,
        "HTTP/2 chosen by ALPN: {stats:?}"
    );
}

#[test]
fn an_untrusted_certificate_is_a_tls_error() {
    let emu = Emulator::start_tls();
    let err = colors(&config(&emu, json!({}))).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TlsError, "{err}");
    assert!(err.message().contains("not trusted"), "{err}");
    assert!(err.message().contains("ca_certificates"), "{err}");

    // Trusting only another emulator's CA does not help, and the system's roots are not consulted.
    let other = Emulator::start_tls();
    let err = colors(&config(
        &emu,
        json!({"ca_certificates": other.ca_pem().unwrap(), "ca_only": true}),
    ))
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TlsError, "{err}");
    assert_eq!(
        support::count_requests(&emu, "colors.get"),
        0,
        "no request got through"
    );
}

#[test]
fn a_certificate_for_another_name_is_a_tls_error() {
    // The certificate names 127.0.0.1, ::1 and localhost; 127.0.0.2 is loopback too, but not named.
    let emu = Emulator::start_with(Options {
        addr: "127.0.0.2:0".parse().unwrap(),
        tls: true,
        ..Options::default()
    })
    .unwrap();
    let err = colors(&config(
        &emu,
        json!({"ca_certificates": emu.ca_pem().unwrap()}),
    ))
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TlsError, "{err}");
    assert!(
        err.message().contains("not valid for the host name"),
        "{err}"
    );
}

#[test]
fn https_to_a_plain_http_server_is_a_tls_error() {
    let emu = Emulator::start();
    let mut urls = emu.urls().clone();
    urls.api_base_url = urls.api_base_url.replace("http://", "https://");
    let token = emu.admin().access_token(&[]);
    let config = support::emulator_config(&urls, json!({"token": {"access_token": token}}));
    let err = colors(&config).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TlsError, "{err}");
    assert!(err.message().contains("does not speak TLS"), "{err}");
}

#[test]
fn unusable_pem_is_a_configuration_error() {
    let dir = std::env::temp_dir().join(format!("qgcal-tls-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let empty = dir.join("empty.pem");
    std::fs::write(&empty, "not a certificate\n").unwrap();
    let broken = "-----BEGIN CERTIFICATE-----\n!!!not base64!!!\n-----END CERTIFICATE-----\n";
    let not_a_cert = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    let missing = dir.join("missing.pem");
    let cases = [
        (
            json!({"ca_certificates": "hello"}),
            "`ca_certificates` holds no certificate",
        ),
        (
            json!({"ca_certificates": broken}),
            "`ca_certificates` is not valid PEM",
        ),
        (
            json!({"ca_certificates": not_a_cert}),
            "certificate 1 cannot be a trusted root",
        ),
        (json!({"ca_file": missing}), "`ca_file`: cannot read"),
        (json!({"ca_file": empty}), "holds no certificate"),
        (
            json!({"ca_only": true}),
            "`ca_only` needs `ca_certificates` or `ca_file`",
        ),
        (json!({"ca_only": "yes"}), "ca_only"),
        (json!({"ca_certificates": 5}), "ca_certificates"),
    ];
    for (config, needle) in cases {
        let err = Client::from_json(&config.to_string()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{config}: {err}");
        assert!(
            err.message().contains(needle),
            "{config}: {needle:?} not in {err}"
        );
    }
    let err = Client::from_json(&json!({"ca_file": missing}).to_string()).unwrap_err();
    assert!(
        err.message().contains("missing.pem"),
        "names the file: {err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
