//! Answers as JSON text, written by serde_json straight into a presized buffer.

use super::compact::Obj;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

/// `v` as JSON text.
pub(crate) fn value(v: &Value, pretty: bool) -> Vec<u8> {
    write(v, pretty)
}

/// `m` with `key` set to `value`, as inserting it into a copy of `m` and writing that would, without
/// the copy.
pub(crate) fn object_with(m: &Obj, key: &str, value: &Value, pretty: bool) -> Vec<u8> {
    write(&With { m, key, value }, pretty)
}

struct With<'a> {
    m: &'a Obj,
    key: &'a str,
    value: &'a Value,
}

impl Serialize for With<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let len = self.m.len() + usize::from(!self.m.contains_key(self.key));
        let mut map = s.serialize_map(Some(len))?;
        let mut pending = true;
        for (k, v) in self.m.iter() {
            // `Obj` iterates in key order: `key` goes before the first key not below it.
            if pending && k >= self.key {
                map.serialize_entry(self.key, self.value)?;
                pending = false;
                if k == self.key {
                    continue;
                }
            }
            map.serialize_entry(k, v)?;
        }
        if pending {
            map.serialize_entry(self.key, self.value)?;
        }
        map.end()
    }
}

fn write<T: Serialize + ?Sized>(v: &T, pretty: bool) -> Vec<u8> {
    // Room for a typical resource: growing from a small buffer copies several times.
    let mut out = Vec::with_capacity(1024);
    let written = if pretty {
        serde_json::to_writer_pretty(&mut out, v)
    } else {
        serde_json::to_writer(&mut out, v)
    };
    // Values have string keys only, and memory does not fail to take bytes.
    written.expect("a JSON value always serializes");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn object_with_writes_what_inserting_would() {
        let Value::Object(m) = json!({"b": 1, "d": {"x": [true, null]}, "etag": "old"}) else {
            unreachable!()
        };
        for key in ["a", "b", "c", "etag", "z"] {
            let mut inserted = m.clone();
            inserted.insert(key.into(), json!("\"7\""));
            for pretty in [true, false] {
                assert_eq!(
                    object_with(&Obj::from(m.clone()), key, &json!("\"7\""), pretty),
                    value(&Value::Object(inserted.clone()), pretty),
                    "{key} {pretty}"
                );
            }
        }
        assert_eq!(value(&json!({"a": [1]}), false), br#"{"a":[1]}"#);
        assert_eq!(
            value(&json!({"a": [1]}), true),
            b"{\n  \"a\": [\n    1\n  ]\n}"
        );
    }
}
