//! Pre-generated RSA-2048 keys handed to service accounts round-robin (key generation is slow in debug builds).

use rsa::RsaPrivateKey;
use rsa::pkcs8::DecodePrivateKey;

const PEMS: &[&str] = &[
    include_str!("../../keys/sa-key-1.pem"),
    include_str!("../../keys/sa-key-2.pem"),
    include_str!("../../keys/sa-key-3.pem"),
    include_str!("../../keys/sa-key-4.pem"),
    include_str!("../../keys/sa-key-5.pem"),
    include_str!("../../keys/sa-key-6.pem"),
    include_str!("../../keys/sa-key-7.pem"),
    include_str!("../../keys/sa-key-8.pem"),
];

/// The PEM and parsed key number `n` (modulo the pool size).
pub fn key(n: usize) -> (&'static str, RsaPrivateKey) {
    let pem = PEMS[n % PEMS.len()];
    let key = RsaPrivateKey::from_pkcs8_pem(pem).expect("bundled key parses");
    (pem, key)
}
