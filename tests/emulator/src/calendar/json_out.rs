//! JSON text byte for byte as serde_json writes it (compact, or pretty with two-space
//! indents), straight into a buffer: every answer is written this way, and serde's generic
//! serializer costs several times more per key.

use serde_json::{Map, Value};

/// `v` as JSON text.
pub(crate) fn value(v: &Value, pretty: bool) -> Vec<u8> {
    let mut w = Writer::new(pretty);
    w.value(v, 0);
    w.out
}

/// `m` with `key` set to `value`, as inserting it into a copy of `m` and writing that would.
pub(crate) fn object_with(
    m: &Map<String, Value>,
    key: &str,
    value: &Value,
    pretty: bool,
) -> Vec<u8> {
    let mut w = Writer::new(pretty);
    w.out.push(b'{');
    let mut first = true;
    let mut pending = true;
    for (k, v) in m {
        // `Map` iterates in key order: `key` goes before the first key not below it.
        if pending && k.as_str() >= key {
            w.entry(first, key, value, 0);
            first = false;
            pending = false;
            if k == key {
                continue;
            }
        }
        w.entry(first, k, v, 0);
        first = false;
    }
    if pending {
        w.entry(first, key, value, 0);
        first = false;
    }
    w.close(first, 0, b'}');
    w.out
}

struct Writer {
    out: Vec<u8>,
    pretty: bool,
}

impl Writer {
    fn new(pretty: bool) -> Self {
        // Room for a typical resource: growing from a small buffer copies several times.
        Writer {
            out: Vec::with_capacity(1024),
            pretty,
        }
    }

    fn value(&mut self, v: &Value, depth: usize) {
        match v {
            Value::Null => self.out.extend_from_slice(b"null"),
            Value::Bool(true) => self.out.extend_from_slice(b"true"),
            Value::Bool(false) => self.out.extend_from_slice(b"false"),
            // Numbers are rare in answers; serde_json's own formatting keeps them exact.
            Value::Number(n) => {
                let _ = serde_json::to_writer(&mut self.out, n);
            }
            Value::String(s) => self.string(s),
            Value::Array(items) => {
                self.out.push(b'[');
                for (i, item) in items.iter().enumerate() {
                    self.separator(i == 0, depth + 1);
                    self.value(item, depth + 1);
                }
                self.close(items.is_empty(), depth, b']');
            }
            Value::Object(m) => {
                self.out.push(b'{');
                for (i, (k, v)) in m.iter().enumerate() {
                    self.entry(i == 0, k, v, depth);
                }
                self.close(m.is_empty(), depth, b'}');
            }
        }
    }

    /// One `"key": value` of an object at `depth`.
    fn entry(&mut self, first: bool, k: &str, v: &Value, depth: usize) {
        self.separator(first, depth + 1);
        self.string(k);
        self.out
            .extend_from_slice(if self.pretty { b": " } else { b":" });
        self.value(v, depth + 1);
    }

    /// Before an entry: a comma unless first; pretty adds a line break and indent.
    fn separator(&mut self, first: bool, depth: usize) {
        // ",\n" and indents up to depth 16 in one copy.
        const SEP: &[u8; 34] = b",\n                                ";
        let from = usize::from(first);
        match (self.pretty, 2 + 2 * depth) {
            (false, _) => self.out.extend_from_slice(&SEP[from..1]),
            (true, end) if end <= SEP.len() => self.out.extend_from_slice(&SEP[from..end]),
            (true, _) => {
                self.out.extend_from_slice(&SEP[from..2]);
                self.indent(depth);
            }
        }
    }

    /// Pretty puts the closing bracket of a non-empty container on its own line.
    fn close(&mut self, empty: bool, depth: usize, bracket: u8) {
        if self.pretty && !empty {
            self.out.push(b'\n');
            self.indent(depth);
        }
        self.out.push(bracket);
    }

    fn indent(&mut self, depth: usize) {
        for _ in 0..depth {
            self.out.extend_from_slice(b"  ");
        }
    }

    /// serde_json escapes `"`, `\` and control characters only; `\u00XX` in lower case.
    fn string(&mut self, s: &str) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let bytes = s.as_bytes();
        // Most strings need no escape; a check without early exit stays a tight loop.
        let plain = !bytes.iter().fold(false, |esc, &b| {
            esc | (b < 0x20) | (b == b'"') | (b == b'\\')
        });
        self.out.reserve(bytes.len() + 2);
        self.out.push(b'"');
        if plain {
            self.out.extend_from_slice(bytes);
            self.out.push(b'"');
            return;
        }
        let mut start = 0;
        for (i, &b) in bytes.iter().enumerate() {
            let short = match b {
                b'"' => b'"',
                b'\\' => b'\\',
                0x08 => b'b',
                0x09 => b't',
                0x0a => b'n',
                0x0c => b'f',
                0x0d => b'r',
                0x00..=0x1f => b'u',
                _ => continue,
            };
            self.out.extend_from_slice(&bytes[start..i]);
            start = i + 1;
            if short == b'u' {
                let hex = [HEX[(b >> 4) as usize], HEX[(b & 0xf) as usize]];
                self.out.extend_from_slice(b"\\u00");
                self.out.extend_from_slice(&hex);
            } else {
                self.out.extend_from_slice(&[b'\\', short]);
            }
        }
        self.out.extend_from_slice(&bytes[start..]);
        self.out.push(b'"');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn same(v: &Value) {
        assert_eq!(value(v, true), serde_json::to_vec_pretty(v).unwrap(), "{v}");
        assert_eq!(value(v, false), serde_json::to_vec(v).unwrap(), "{v}");
    }

    #[test]
    fn matches_serde_json() {
        let all_bytes: String = (0u8..128).map(char::from).collect();
        for v in [
            json!(null),
            json!({}),
            json!([]),
            json!({"a": {}, "b": [], "c": [[]], "d": [{}], "e": {"f": {"g": []}}}),
            json!([
                1,
                -2,
                1.5,
                1e300,
                0.1,
                -0.0,
                u64::MAX,
                i64::MIN,
                true,
                false,
                null
            ]),
            json!({"s": all_bytes, "é": "ünïcödé ✓ 𝄞", "q": "\"\\/"}),
            json!([{"id": "x", "attendees": [{"email": "a@b", "self": true}]}, "tail"]),
        ] {
            same(&v);
        }
    }

    #[test]
    fn matches_serde_json_on_generated_values() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        fn random_value(next: &mut dyn FnMut() -> u64, depth: u32) -> Value {
            let pick = next() % if depth > 3 { 5 } else { 7 };
            match pick {
                0 => Value::Null,
                1 => Value::Bool(next() & 1 == 0),
                2 => json!(next() as i64 >> (next() % 60)),
                3 => json!(f64::from_bits(next() % (1u64 << 62)) / 3.0),
                4 => {
                    let len = next() % 6;
                    let s: String = (0..len)
                        .filter_map(|_| char::from_u32((next() % 0x2100) as u32))
                        .collect();
                    Value::String(s)
                }
                5 => Value::Array(
                    (0..next() % 4)
                        .map(|_| random_value(next, depth + 1))
                        .collect(),
                ),
                _ => Value::Object(
                    (0..next() % 4)
                        .map(|i| {
                            (
                                format!("k{}{i}", next() % 50),
                                random_value(next, depth + 1),
                            )
                        })
                        .collect(),
                ),
            }
        }
        for _ in 0..500 {
            same(&random_value(&mut next, 0));
        }
    }
}
