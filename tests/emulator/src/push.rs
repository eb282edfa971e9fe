//! Delivers push notifications to loopback addresses: bodyless POSTs with the X-Goog-* headers.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc::UnboundedReceiver;

use crate::cal::Notification;
use crate::util::loopback_target;

const TIMEOUT: Duration = Duration::from_secs(3);

/// Runs until the sender side is gone; delivers in order, one at a time, ignoring failures.
pub async fn deliver_all(mut rx: UnboundedReceiver<Notification>) {
    while let Some(n) = rx.recv().await {
        let _ = tokio::time::timeout(TIMEOUT, deliver(&n)).await;
    }
}

async fn deliver(n: &Notification) -> std::io::Result<()> {
    let Some((host, port, path)) = loopback_target(&n.address) else {
        return Ok(());
    };
    let mut stream = if host.contains(':') {
        TcpStream::connect((
            host.parse::<std::net::Ipv6Addr>()
                .map_err(std::io::Error::other)?,
            port,
        ))
        .await?
    } else {
        TcpStream::connect((host.as_str(), port)).await?
    };
    let host_header = if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    let mut req = format!(
        "POST {path} HTTP/1.1\r\nHost: {host_header}\r\nContent-Length: 0\r\nUser-Agent: APIs-Google; (+https://developers.google.com/webmasters/APIs-Google.html)\r\nConnection: close\r\n"
    );
    for (k, v) in &n.headers {
        if !k.contains(['\r', '\n']) && !v.contains(['\r', '\n']) {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
    }
    req.push_str("\r\n");
    stream.write_all(req.as_bytes()).await?;
    let mut sink = [0u8; 1024];
    // Read the answer's start so the receiver sees a well-behaved client; content ignored.
    let _ = stream.read(&mut sink).await?;
    Ok(())
}
