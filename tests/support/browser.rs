//! Plays the user's browser: plain HTTP/1.1 GETs over loopback, no redirects followed.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

pub struct Answer {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
}

/// GETs an `http://host:port/path?query` URL.
pub fn get(url: &str) -> std::io::Result<Answer> {
    let rest = url.strip_prefix("http://").expect("http URL");
    let (host_port, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    let mut stream = TcpStream::connect(host_port)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host_port}\r\nAccept: text/html\r\nConnection: close\r\n\r\n"
    )?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let location = head.lines().find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.eq_ignore_ascii_case("location")
            .then(|| value.trim().to_string())
    });
    Ok(Answer {
        status,
        location,
        body: body.to_string(),
    })
}

/// Opens the consent URL and follows the emulator's redirect back to the redirect URI (when it is
/// loopback), answering the consent page's 302 Location and what the listener said.
pub fn consent(auth_url: &str) -> (String, Option<Answer>) {
    let page = get(auth_url).expect("consent page");
    assert_eq!(
        page.status, 302,
        "consent page answered {}: {}",
        page.status, page.body
    );
    let location = page.location.expect("redirect location");
    let back = location
        .starts_with("http://127.0.0.1")
        .then(|| get(&location).expect("redirect target"));
    (location, back)
}
