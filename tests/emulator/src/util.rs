//! Small helpers: query/form decoding, random tokens, loopback checks.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngExt;

/// Decodes `a=b&c=d` (form or query), `+` as space, repeated keys kept in order.
pub fn parse_pairs(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode_component(k), decode_component(v))
        })
        .collect()
}

pub fn decode_component(s: &str) -> String {
    let s = s.replace('+', " ");
    percent_encoding::percent_decode_str(&s)
        .decode_utf8_lossy()
        .into_owned()
}

pub fn encode_component(s: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(s, SET).to_string()
}

pub fn first<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// A random URL-safe token with the given prefix (32 random bytes).
pub fn random_token(prefix: &str) -> String {
    let bytes: [u8; 32] = rand::rng().random();
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// True for `http://127.0.0.1[:port]/...`, `http://[::1][:port]/...`, `http://localhost[:port]/...`.
pub fn is_loopback_redirect(uri: &str) -> bool {
    let Some(rest) = uri.strip_prefix("http://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = if let Some(h) = authority.strip_prefix('[') {
        match h.split_once(']') {
            Some((h, port)) => {
                if !valid_port(port) {
                    return false;
                }
                return h == "::1";
            }
            None => return false,
        }
    } else {
        let (h, port) = match authority.split_once(':') {
            Some((h, p)) => (h, format!(":{p}")),
            None => (authority, String::new()),
        };
        if !valid_port(&port) {
            return false;
        }
        h
    };
    host == "127.0.0.1" || host.eq_ignore_ascii_case("localhost")
}

fn valid_port(port: &str) -> bool {
    match port.strip_prefix(':') {
        None => port.is_empty(),
        Some(p) => !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()),
    }
}

/// Host and port of a loopback URL (`http://` or `https://`) for push delivery, with the path.
pub fn loopback_target(address: &str) -> Option<(String, u16, String)> {
    let rest = address
        .strip_prefix("http://")
        .or_else(|| address.strip_prefix("https://"))?;
    let default_port = if address.starts_with("https") {
        443
    } else {
        80
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let (host, port) = if let Some(h) = authority.strip_prefix('[') {
        let (h, p) = h.split_once(']')?;
        (h.to_string(), p)
    } else {
        match authority.find(':') {
            Some(i) => (authority[..i].to_string(), &authority[i..]),
            None => (authority.to_string(), ""),
        }
    };
    let port = match port.strip_prefix(':') {
        Some(p) => p.parse().ok()?,
        None if port.is_empty() => default_port,
        None => return None,
    };
    let host = match host.to_ascii_lowercase().as_str() {
        "127.0.0.1" => "127.0.0.1".to_string(),
        "localhost" => "127.0.0.1".to_string(),
        "::1" => "::1".to_string(),
        _ => return None,
    };
    Some((host, port, path.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_redirects() {
        assert!(is_loopback_redirect("http://127.0.0.1:8080/cb"));
        assert!(is_loopback_redirect("http://localhost:1/"));
        assert!(is_loopback_redirect("http://[::1]:9/x"));
        assert!(is_loopback_redirect("http://127.0.0.1"));
        assert!(!is_loopback_redirect("https://127.0.0.1:8080/cb"));
        assert!(!is_loopback_redirect("http://127.0.0.1.evil.com/cb"));
        assert!(!is_loopback_redirect("http://example.com/cb"));
        assert!(!is_loopback_redirect("http://127.0.0.1:abc/"));
    }

    #[test]
    fn pairs_decode() {
        let p = parse_pairs("a=b+c&d=%40&e");
        assert_eq!(p[0], ("a".into(), "b c".into()));
        assert_eq!(p[1], ("d".into(), "@".into()));
        assert_eq!(p[2], ("e".into(), "".into()));
    }

    #[test]
    fn loopback_targets() {
        assert_eq!(
            loopback_target("https://localhost:99/h?x"),
            Some(("127.0.0.1".into(), 99, "/h?x".into()))
        );
        assert_eq!(loopback_target("https://example.com/h"), None);
    }
}
