//! A stored event answered without copying it: the answer shares the event's map and
//! `etag` is added while writing it out.

use super::compact::Obj;
use super::json_out;
use super::store::{Event, etag};
use bytes::Bytes;
use serde_json::Value;
use std::sync::{Arc, OnceLock};

#[derive(Clone, Debug)]
pub(crate) struct EventView {
    data: Arc<Obj>,
    /// Always a string.
    etag: Value,
    /// The stored event's cache of its pretty answer, when it should be kept.
    cache: Option<Arc<OnceLock<Bytes>>>,
}

impl EventView {
    pub fn new(ev: &Event) -> Self {
        EventView {
            data: ev.data.clone(),
            etag: etag(ev.seq).into(),
            cache: None,
        }
    }

    /// Keeps the pretty answer with the event: gets repeat, inserts (answered once) do not.
    pub fn cached(mut self, ev: &Event) -> Self {
        self.cache = Some(ev.json.clone());
        self
    }

    pub fn etag(&self) -> &str {
        self.etag.as_str().unwrap_or("")
    }

    /// The answer body: JSON text as `to_value()` would be written, and a line break.
    pub fn to_json(&self, pretty: bool) -> Bytes {
        let make = || {
            let mut out = json_out::object_with(&self.data, "etag", &self.etag, pretty);
            out.push(b'\n');
            Bytes::from(out)
        };
        match &self.cache {
            Some(c) if pretty => c.get_or_init(make).clone(),
            _ => make(),
        }
    }

    /// The same resource as a `Value` (a copy), for callers that change or filter it.
    pub fn to_value(&self) -> Value {
        let mut m = self.data.to_map();
        m.insert("etag".into(), self.etag.clone());
        Value::Object(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn writes_like_the_value() {
        for data in [
            json!({"a": 1, "end": {"x": [1, 2]}, "id": "x", "zz": null}),
            json!({"etag": "old", "kind": "k"}),
            json!({"a": "b"}),
            json!({"z": "b"}),
            json!({}),
        ] {
            let Value::Object(m) = data else {
                unreachable!()
            };
            let v = EventView {
                data: Arc::new(Obj::from(m)),
                etag: "\"7\"".into(),
                cache: Some(Arc::default()),
            };
            let want = v.to_value();
            let mut pretty = serde_json::to_vec_pretty(&want).unwrap();
            pretty.push(b'\n');
            let mut compact = serde_json::to_vec(&want).unwrap();
            compact.push(b'\n');
            assert_eq!(v.to_json(true), pretty);
            assert_eq!(v.to_json(false), compact);
            assert_eq!(v.to_json(true), pretty, "from the cache");
        }
    }
}
