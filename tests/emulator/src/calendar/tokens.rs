//! Opaque page and sync tokens.

use super::error::{ApiError, R, full_sync, invalid};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

pub(crate) fn b64_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len() * 4 / 3 + 3);
    b64_encode_into(&mut out, data);
    out
}

/// Appends the encoding of `data` to `out`: `ALPHABET` is base64url, without padding.
pub(crate) fn b64_encode_into(out: &mut String, data: &[u8]) {
    // Short input (ids, links) through a small buffer: `encode_string` zeroes a 1 KiB one.
    let mut buf = [0u8; 128];
    match URL_SAFE_NO_PAD.encode_slice(data, &mut buf) {
        Ok(n) => out.push_str(std::str::from_utf8(&buf[..n]).expect("base64 is ASCII")),
        Err(_) => URL_SAFE_NO_PAD.encode_string(data, out),
    }
}

pub(crate) fn b64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes() {
        let v = ALPHABET.iter().position(|&a| a == c)? as u32;
        acc = acc << 6 | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits & 0xff) as u8);
        }
    }
    Some(out)
}

/// Where a listing stopped: the snapshot sequence it started at, and the last key answered.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct PageToken {
    pub snap: u64,
    /// Mode of the listing, so a token cannot be replayed against another order.
    pub mode: String,
    pub num: i64,
    pub id: String,
    pub sub: String,
    /// Sequence of the sync token this listing answers, if any.
    pub since: Option<u64>,
    /// Sync-token epoch the listing started in (expiry also ends sync listings mid-way).
    pub epoch: u64,
}

impl PageToken {
    pub fn encode(&self) -> String {
        let raw = format!(
            "p\u{1}{}\u{1}{}\u{1}{}\u{1}{}\u{1}{}\u{1}{}\u{1}{}",
            self.epoch,
            self.snap,
            self.mode,
            self.num,
            self.id,
            self.sub,
            self.since.map(|s| s.to_string()).unwrap_or_default()
        );
        b64_encode(raw.as_bytes())
    }

    pub fn decode(s: &str, mode: &str) -> R<PageToken> {
        let bad = || invalid("Invalid page token.");
        let raw = String::from_utf8(b64_decode(s).ok_or_else(bad)?).map_err(|_| bad())?;
        let parts: Vec<&str> = raw.split('\u{1}').collect();
        if parts.len() != 8 || parts[0] != "p" || parts[3] != mode {
            return Err(bad());
        }
        Ok(PageToken {
            epoch: parts[1].parse().map_err(|_| bad())?,
            snap: parts[2].parse().map_err(|_| bad())?,
            mode: parts[3].to_string(),
            num: parts[4].parse().map_err(|_| bad())?,
            id: parts[5].to_string(),
            sub: parts[6].to_string(),
            since: match parts[7] {
                "" => None,
                v => Some(v.parse().map_err(|_| bad())?),
            },
        })
    }
}

pub(crate) fn sync_token(epoch: u64, seq: u64) -> String {
    b64_encode(format!("s\u{1}{epoch}\u{1}{seq}").as_bytes())
}

/// The sequence a sync token stands for, or 410 when it is expired or malformed.
pub(crate) fn parse_sync(s: &str, epoch: u64) -> Result<u64, ApiError> {
    let raw = b64_decode(s)
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(full_sync)?;
    let parts: Vec<&str> = raw.split('\u{1}').collect();
    if parts.len() != 3 || parts[0] != "s" || parts[1] != epoch.to_string() {
        return Err(full_sync());
    }
    parts[2].parse().map_err(|_| full_sync())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_with_the_token_alphabet() {
        assert_eq!(b64_encode(b""), "");
        assert_eq!(b64_encode(b"f"), "Zg");
        assert_eq!(b64_encode(b"fo"), "Zm8");
        assert_eq!(b64_encode(b"foo"), "Zm9v");
        assert_eq!(b64_encode(&[0xfb, 0xff, 0xbf]), "-_-_");
        for n in 0..64u8 {
            let data: Vec<u8> = (0..n).map(|i| i.wrapping_mul(37) ^ n).collect();
            let text = b64_encode(&data);
            assert!(text.bytes().all(|b| ALPHABET.contains(&b)));
            assert_eq!(b64_decode(&text), Some(data));
        }
        // Both sides of the small buffer, appended after what is there.
        for n in [0, 1, 95, 96, 97, 98, 99, 300] {
            let data: Vec<u8> = (0..n).map(|i| (i * 7) as u8).collect();
            let mut out = String::from("x:");
            b64_encode_into(&mut out, &data);
            assert_eq!(out, format!("x:{}", URL_SAFE_NO_PAD.encode(&data)), "{n}");
        }
    }
}
