//! HTTPS like Google's: a CA made at start, a certificate for the loopback names signed by it, and
//! HTTP/2 or HTTP/1.1 chosen by ALPN. The CA's PEM goes to a file for clients to trust.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::{self, pki_types};

/// The server side of TLS, and the CA a client must trust to reach it.
pub struct Tls {
    pub acceptor: TlsAcceptor,
    pub ca_pem: String,
    pub ca_file: PathBuf,
}

fn io_error(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

impl Tls {
    /// A fresh CA and server certificate (for `127.0.0.1`, `::1` and `localhost`); the CA's PEM is
    /// written to `dir/ca.pem`.
    pub fn generate(dir: &Path) -> std::io::Result<Tls> {
        let ca_key = KeyPair::generate().map_err(io_error)?;
        let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(io_error)?;
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(DnType::CommonName, "gcal-emulator test CA");
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca_cert = ca.self_signed(&ca_key).map_err(io_error)?;
        let issuer = Issuer::new(ca, ca_key);

        let server_key = KeyPair::generate().map_err(io_error)?;
        let names = ["127.0.0.1", "::1", "localhost"].map(String::from).to_vec();
        let mut server = CertificateParams::new(names).map_err(io_error)?;
        server
            .distinguished_name
            .push(DnType::CommonName, "gcal-emulator");
        server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        server.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        let server_cert = server.signed_by(&server_key, &issuer).map_err(io_error)?;

        let key = pki_types::PrivateKeyDer::Pkcs8(pki_types::PrivatePkcs8KeyDer::from(
            server_key.serialize_der(),
        ));
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(io_error)?
            .with_no_client_auth()
            .with_single_cert(vec![server_cert.der().clone()], key)
            .map_err(io_error)?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];

        std::fs::create_dir_all(dir)?;
        let ca_file = dir.join("ca.pem");
        let ca_pem = ca_cert.pem();
        std::fs::write(&ca_file, &ca_pem)?;
        Ok(Tls {
            acceptor: TlsAcceptor::from(Arc::new(config)),
            ca_pem,
            ca_file,
        })
    }
}
