//! The consent relay's allow-list (`qgcal_relay::AllowList::parse` and `check`): fuzzed patterns and a
//! fuzzed return address. A list never permits an address outside every pattern's host (no open
//! redirect), a permitted address is a plain https (or loopback http) URL without credentials, query or
//! fragment, and the normalized form it answers is permitted again as it is.
//!
//! Input: NUL-separated fields; the last is the address, the others the patterns.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qgcal_relay::AllowList;
use url::Url;

fn loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.octets()[0] == 127,
        Some(url::Host::Ipv6(ip)) => ip == std::net::Ipv6Addr::LOCALHOST,
        Some(url::Host::Domain(d)) => d == "localhost",
        None => false,
    }
}

fuzz_target!(|data: &[u8]| {
    let fields: Vec<&[u8]> = data.split(|&b| b == 0).collect();
    let Some((address, patterns)) = fields.split_last() else {
        return;
    };
    let Ok(patterns) = patterns
        .iter()
        .take(8)
        .map(|p| std::str::from_utf8(p))
        .collect::<Result<Vec<&str>, _>>()
    else {
        return;
    };
    let address = String::from_utf8_lossy(address);
    let list = match AllowList::parse(patterns.iter().copied()) {
        Ok(list) => list,
        Err(why) => {
            assert!(why.starts_with("allow pattern ") || why.starts_with("no allow pattern"));
            return;
        }
    };
    assert_eq!(list.len(), patterns.len());
    // A host no pattern names is never permitted: a wildcard host alone is refused. (Patterns that may
    // spell that host some other way, percent-encoded or in Unicode, are left out of this check.)
    let may_name = |p: &&str| p.to_ascii_lowercase().contains("invalid") || p.contains('%') || !p.is_ascii();
    if !patterns.iter().any(may_name) {
        assert!(list.check("https://evil.invalid/qorus/cb").is_none(), "{patterns:?}");
    }
    if let Some(url) = list.check(&address) {
        match url.scheme() {
            "https" => {}
            "http" => assert!(loopback(&url), "plain http to {url}"),
            other => panic!("scheme {other} permitted"),
        }
        assert!(url.username().is_empty() && url.password().is_none(), "{url}");
        assert!(url.query().is_none() && url.fragment().is_none(), "{url}");
        let again = list.check(url.as_str());
        assert_eq!(again.as_ref(), Some(&url), "the normalized form is not permitted again");
    }
});
