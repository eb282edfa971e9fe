//! Request bodies: a JSON value, or JSON text already checked by the parser (the C API's, sent as it
//! came without being built into a tree and written out again).

use serde::de::{Deserializer, IgnoredAny};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

/// A request body as the caller gave it.
#[derive(Clone, Copy, Debug)]
pub enum Body<'a> {
    Value(&'a Value),
    /// Valid JSON text (a [`RawValue`] has been through the parser), without surrounding whitespace.
    Text(&'a RawValue),
}

impl Body<'_> {
    pub(crate) fn is_null(&self) -> bool {
        match self {
            Body::Value(v) => v.is_null(),
            Body::Text(t) => t.get() == "null",
        }
    }

    pub(crate) fn is_object(&self) -> bool {
        match self {
            Body::Value(v) => v.is_object(),
            Body::Text(t) => t.get().starts_with('{'),
        }
    }

    /// "an object", "an array", ... for messages.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Body::Value(v) => json_kind(v),
            Body::Text(t) => crate::config::kind_of_text(t.get()),
        }
    }

    /// True for an object with an `id` key (any value, null too).
    pub(crate) fn has_id(&self) -> bool {
        match self {
            Body::Value(v) => v.get("id").is_some(),
            Body::Text(t) if self.is_object() => {
                match serde_json::from_str::<IdProbe>(t.get()) {
                    Ok(probe) => probe.id,
                    // Only a duplicate `id` key fails the probe on an object: it has one all the same.
                    Err(_) => true,
                }
            }
            Body::Text(_) => false,
        }
    }

    /// The object's `id` when it is a string (a client-chosen id to read the resource back by).
    pub(crate) fn id(&self) -> Option<String> {
        match self {
            Body::Value(v) => v.get("id")?.as_str().map(str::to_string),
            Body::Text(t) if self.is_object() => serde_json::from_str::<IdValue>(t.get()).ok()?.id,
            Body::Text(_) => None,
        }
    }

    /// The JSON text to send.
    pub(crate) fn to_bytes(self) -> serde_json::Result<bytes::Bytes> {
        match self {
            Body::Value(v) => serde_json::to_vec(v).map(Into::into),
            Body::Text(t) => Ok(bytes::Bytes::copy_from_slice(t.get().as_bytes())),
        }
    }
}

pub(crate) fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Reads only whether an object has an `id` key, skipping every value.
#[derive(Deserialize)]
struct IdProbe {
    #[serde(default, deserialize_with = "present")]
    id: bool,
}

/// Reads only an object's string `id`, skipping every other value.
#[derive(Deserialize)]
struct IdValue {
    #[serde(default)]
    id: Option<String>,
}

fn present<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    IgnoredAny::deserialize(d).map(|_| true)
}

/// The JSON object text `body` with `"id"` added first; spliced into the text, which is cheaper than
/// copying the caller's object to add a key.
pub(crate) fn with_id(body: &[u8], id: &str) -> bytes::Bytes {
    debug_assert_eq!(body.first(), Some(&b'{'));
    let rest = &body[1..];
    let mut out = Vec::with_capacity(body.len() + id.len() + 8);
    out.extend_from_slice(b"{\"id\":");
    id.serialize(&mut serde_json::Serializer::new(&mut out))
        .expect("a string serializes");
    if rest.trim_ascii_start().starts_with(b"}") {
        out.push(b'}');
    } else {
        out.push(b',');
        out.extend_from_slice(rest);
    }
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn text(s: &str) -> Box<RawValue> {
        serde_json::from_str(s).unwrap()
    }

    #[test]
    fn with_id_puts_the_id_first_and_keeps_every_key() {
        let spliced = with_id(br#"{"summary":"a","end":{"date":"2030-01-02"}}"#, "abc123");
        let v: Value = serde_json::from_slice(&spliced).unwrap();
        assert_eq!(
            v,
            json!({"id": "abc123", "summary": "a", "end": {"date": "2030-01-02"}})
        );
        assert!(spliced.starts_with(br#"{"id":"abc123","#));
        assert_eq!(&with_id(b"{}", "x")[..], br#"{"id":"x"}"#);
        assert_eq!(&with_id(b"{ \n }", "x")[..], br#"{"id":"x"}"#);
        let spaced = with_id(b"{ \"a\" : 1 }", "x");
        assert_eq!(
            serde_json::from_slice::<Value>(&spaced).unwrap(),
            json!({"id": "x", "a": 1})
        );
    }

    #[test]
    fn text_and_value_bodies_agree() {
        for s in [
            r#"{"summary":"x"}"#,
            r#"{"id":"a"}"#,
            r#"{"id":null}"#,
            r#"{"x":{"id":1}}"#,
            r#"{"summary":"the \"id\" key","items":["id"]}"#,
            "[1]",
            r#""s""#,
            "true",
            "12",
            "-1",
            "null",
            "{}",
        ] {
            let raw = text(s);
            let value: Value = serde_json::from_str(s).unwrap();
            let (t, v) = (Body::Text(&raw), Body::Value(&value));
            assert_eq!(t.is_null(), v.is_null(), "{s}");
            assert_eq!(t.kind(), v.kind(), "{s}");
            assert_eq!(t.is_object(), v.is_object(), "{s}");
            assert_eq!(t.has_id(), v.has_id(), "{s}");
            assert_eq!(t.id(), v.id(), "{s}");
            let sent: Value = serde_json::from_slice(&t.to_bytes().unwrap()).unwrap();
            assert_eq!(sent, value, "{s}");
        }
    }

    #[test]
    fn a_duplicate_id_key_counts_as_an_id() {
        let raw = text(r#"{"id":"a","id":"b"}"#);
        assert!(Body::Text(&raw).has_id());
    }
}
