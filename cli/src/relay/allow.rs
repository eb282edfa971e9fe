//! The relay's allow-list: the only return addresses it forwards browsers to.
//!
//! A pattern is `scheme://host[:port]/path`:
//! - `https`, or `http` only with a loopback host (`127.0.0.1`, `[::1]`, `localhost`);
//! - the host is exact, or `*.` and a domain of at least two labels (`*.example.com` matches
//!   `a.example.com` and `a.b.example.com`, not `example.com`); `*` alone is refused, since it would make
//!   the relay an open redirect;
//! - no port means the scheme's default port; `:*` means any port;
//! - in the path, `*` matches any run of characters (`/qorus/*` matches `/qorus/oauth2/callback`).
//!
//! Addresses are matched in the form `url` normalizes them to (dot segments resolved, host lower-cased,
//! IPv4 in dotted form), which is also the form the relay forwards to; an address with an encoded slash
//! or backslash in its path matches nothing, so a server that decodes them cannot be walked out of the
//! allowed path.

use qorus_gcal::oauth::relay_state;
use url::{Host, Url};

/// The patterns a relay forwards to.
#[derive(Clone, Debug)]
pub struct AllowList {
    patterns: Vec<Pattern>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Pattern {
    https: bool,
    host: HostPattern,
    port: PortPattern,
    path: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum HostPattern {
    /// Normalized as `url` writes hosts.
    Exact(String),
    /// `*.example.com`, kept as `.example.com`.
    Subdomains(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum PortPattern {
    Default,
    Any,
    Exact(u16),
}

impl AllowList {
    /// Parses the patterns; the first bad one is named in the error.
    pub fn parse<'a>(patterns: impl IntoIterator<Item = &'a str>) -> Result<AllowList, String> {
        let patterns = patterns
            .into_iter()
            .map(|p| Pattern::parse(p.trim()).map_err(|why| format!("allow pattern {p:?}: {why}")))
            .collect::<Result<Vec<_>, _>>()?;
        if patterns.is_empty() {
            return Err("no allow pattern: the relay would refuse every consent".into());
        }
        Ok(AllowList { patterns })
    }

    /// How many patterns there are.
    pub fn len(&self) -> usize {
        self.patterns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Checks a return address (as a state carries it): answers the URL to forward to when it is a
    /// plain https (or loopback http) address that some pattern matches.
    pub fn check(&self, return_url: &str) -> Option<Url> {
        let url = relay_state::check_address(return_url, "the return address").ok()?;
        self.permits(&url).then_some(url)
    }

    /// Whether a parsed URL matches a pattern.
    pub fn permits(&self, url: &Url) -> bool {
        let path = url.path();
        let lower = path.to_ascii_lowercase();
        if lower.contains("%2f") || lower.contains("%5c") || path.contains('\\') {
            return false;
        }
        self.patterns.iter().any(|p| p.matches(url))
    }
}

impl Pattern {
    fn parse(pattern: &str) -> Result<Pattern, String> {
        let (scheme, rest) = pattern
            .split_once("://")
            .ok_or("it must start with https:// (or http:// for loopback)")?;
        let https = match scheme {
            "https" => true,
            "http" => false,
            _ => return Err("the scheme must be https (or http for loopback)".into()),
        };
        let (authority, path) = rest.split_at(rest.find('/').ok_or("it needs a path, e.g. /*")?);
        if path.contains(['?', '#']) {
            return Err("a pattern has no query or fragment".into());
        }
        if path.contains(['\\', ' ']) || path.to_ascii_lowercase().contains("%2f") {
            return Err("the path has characters a return address never has".into());
        }
        if authority.contains('@') {
            return Err("a pattern has no user name or password".into());
        }
        let (host, port) = split_port(authority)?;
        let host = if let Some(domain) = host.strip_prefix("*.") {
            let normalized = match Host::parse(domain) {
                Ok(Host::Domain(d)) => d,
                _ => return Err(format!("{domain:?} after `*.` is not a domain name")),
            };
            if normalized.split('.').filter(|l| !l.is_empty()).count() < 2 {
                return Err(
                    "`*.` needs a domain of at least two labels, e.g. *.example.com".into(),
                );
            }
            HostPattern::Subdomains(format!(".{normalized}"))
        } else if host.contains('*') {
            return Err(
                "the host is exact, or `*.` followed by a domain (`*` alone would allow any host)"
                    .into(),
            );
        } else {
            let parsed = Host::parse(host).map_err(|e| format!("bad host: {e}"))?;
            HostPattern::Exact(parsed.to_string())
        };
        if !https {
            let loopback = match &host {
                HostPattern::Exact(h) => {
                    Url::parse(&format!("http://{h}/")).is_ok_and(|u| relay_state::is_loopback(&u))
                }
                HostPattern::Subdomains(_) => false,
            };
            if !loopback {
                return Err("plain http is allowed only to a loopback host; use https".into());
            }
        }
        Ok(Pattern {
            https,
            host,
            port,
            path: path.to_string(),
        })
    }

    fn matches(&self, url: &Url) -> bool {
        let scheme_ok = match url.scheme() {
            "https" => self.https,
            "http" => !self.https,
            _ => false,
        };
        let host_ok = match (&self.host, url.host_str()) {
            (HostPattern::Exact(h), Some(host)) => h == host,
            (HostPattern::Subdomains(suffix), Some(host)) => {
                matches!(url.host(), Some(Host::Domain(_)))
                    && host.len() > suffix.len()
                    && host.ends_with(suffix.as_str())
            }
            (_, None) => false,
        };
        let port_ok = match self.port {
            PortPattern::Default => url.port().is_none(),
            PortPattern::Any => true,
            // `url` drops a port equal to the scheme's default.
            PortPattern::Exact(p) => url.port_or_known_default() == Some(p),
        };
        scheme_ok && host_ok && port_ok && glob(&self.path, url.path())
    }
}

/// Splits `host[:port]` (IPv6 in brackets) into the host and the port pattern.
fn split_port(authority: &str) -> Result<(&str, PortPattern), String> {
    let colon = match authority.rfind(':') {
        Some(i) if !authority[i..].contains(']') => Some(i),
        _ => None,
    };
    let Some(i) = colon else {
        return Ok((authority, PortPattern::Default));
    };
    let (host, port) = (&authority[..i], &authority[i + 1..]);
    let port = match port {
        "*" => PortPattern::Any,
        p => PortPattern::Exact(
            p.parse()
                .map_err(|_| format!("the port {p:?} is not a number or `*`"))?,
        ),
    };
    Ok((host, port))
}

/// `*` matches any run of characters (including none); everything else matches itself.
fn glob(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti) = (0, 0);
    // Where the last `*` was, and where in the text it started matching.
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&b| b == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(patterns: &[&str]) -> AllowList {
        AllowList::parse(patterns.iter().copied()).unwrap()
    }

    #[test]
    fn subdomain_patterns_match_only_below_the_domain_and_the_path() {
        let allow = list(&["https://*.example.com/qorus/*"]);
        for ok in [
            "https://a.example.com/qorus/oauth2/callback",
            "https://a.b.example.com/qorus/",
            "https://A.Example.COM/qorus/cb",
            "https://a.example.com:443/qorus/cb",
            "https://a.example.com/x/../qorus/cb",
        ] {
            assert!(allow.check(ok).is_some(), "{ok}");
        }
        for bad in [
            "https://example.com/qorus/cb",
            "https://evilexample.com/qorus/cb",
            "https://a.example.com.evil.net/qorus/cb",
            "https://a.example.com./qorus/cb",
            "https://a.example.com/other/cb",
            "https://a.example.com/qorus",
            "https://a.example.com/qorus/../admin",
            "https://a.example.com/qorus/..%2Fadmin",
            "https://a.example.com/qorus/%2e%2e/admin",
            "https://a.example.com:8443/qorus/cb",
            "http://a.example.com/qorus/cb",
            "https://user@a.example.com/qorus/cb",
            "https://a.example.com/qorus/cb?x=1",
            "https://a.example.com/qorus/cb#x",
            "javascript://a.example.com/qorus/",
            "not a url",
        ] {
            assert!(allow.check(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn exact_hosts_ports_and_loopback() {
        let allow = list(&[
            "https://qorus.example.org:8443/cb",
            "http://127.0.0.1:*/qorus/*",
            "http://[::1]:8011/cb",
            "https://10.0.0.5/cb",
        ]);
        for ok in [
            "https://qorus.example.org:8443/cb",
            "http://127.0.0.1:39999/qorus/oauth2/callback",
            "http://[::1]:8011/cb",
            "https://10.0.0.5/cb",
            "https://0x0a.0.0.5/cb",
        ] {
            assert!(allow.check(ok).is_some(), "{ok}");
        }
        for bad in [
            "https://qorus.example.org/cb",
            "https://qorus.example.org:8443/cb/more",
            "http://127.0.0.2:39999/qorus/cb",
            "https://127.0.0.1:39999/qorus/cb",
            "http://[::1]:8012/cb",
            "https://10.0.0.6/cb",
        ] {
            assert!(allow.check(bad).is_none(), "{bad}");
        }
        // What is forwarded is the normalized address.
        assert_eq!(
            allow.check("https://0x0a.0.0.5/cb").unwrap().as_str(),
            "https://10.0.0.5/cb"
        );
    }

    #[test]
    fn patterns_that_would_open_the_relay_are_refused() {
        for (bad, why) in [
            ("https://*/qorus/*", "`*` alone"),
            ("https://*.com/*", "two labels"),
            ("https://a*.example.com/*", "exact"),
            ("http://qorus.example.com/*", "loopback"),
            ("http://*.example.com/*", "loopback"),
            ("ftp://example.com/*", "scheme"),
            ("example.com/*", "https://"),
            ("https://example.com", "path"),
            ("https://example.com/cb?x=*", "query"),
            ("https://u@example.com/*", "user name"),
            ("https://example.com:http/*", "port"),
            ("https://exa mple.com/*", "bad host"),
        ] {
            let err = AllowList::parse([bad]).unwrap_err();
            assert!(err.contains(why), "{bad}: {err}");
            assert!(err.contains(bad), "the error names the pattern: {err}");
        }
        assert!(
            AllowList::parse([])
                .unwrap_err()
                .contains("no allow pattern")
        );
    }

    #[test]
    fn glob_matches_stars_anywhere() {
        assert!(glob("/a/*", "/a/"));
        assert!(glob("/a/*/cb", "/a/x/y/cb"));
        assert!(glob("*", ""));
        assert!(glob("/a*b*c", "/aXbYbZc"));
        assert!(!glob("/a*b*c", "/aXbYbZ"));
        assert!(!glob("/a/cb", "/a/cb2"));
        assert!(glob("/a/cb", "/a/cb"));
    }
}
