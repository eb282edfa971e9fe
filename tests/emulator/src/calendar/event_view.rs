//! A stored event answered without copying it: the answer shares the event's map and
//! `etag` is added while serializing.

use super::store::{Event, etag};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};
use std::sync::Arc;

#[derive(Clone, Debug)]
pub(crate) struct EventView {
    data: Arc<Map<String, Value>>,
    etag: String,
}

impl EventView {
    pub fn new(ev: &Event) -> Self {
        EventView {
            data: ev.data.clone(),
            etag: etag(ev.seq),
        }
    }

    pub fn etag(&self) -> &str {
        &self.etag
    }

    /// The same resource as a `Value` (a copy), for callers that change or filter it.
    pub fn to_value(&self) -> Value {
        let mut m = Map::clone(&self.data);
        m.insert("etag".into(), self.etag.clone().into());
        Value::Object(m)
    }
}

/// Serializes exactly as `to_value()` would: `Map` iterates in key order, so `etag`
/// goes where inserting it would have put it.
impl Serialize for EventView {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let has = self.data.contains_key("etag");
        let mut map = s.serialize_map(Some(self.data.len() + usize::from(!has)))?;
        let mut pending = true;
        for (k, v) in self.data.iter() {
            if pending && k.as_str() >= "etag" {
                map.serialize_entry("etag", &self.etag)?;
                pending = false;
                if k == "etag" {
                    continue;
                }
            }
            map.serialize_entry(k, v)?;
        }
        if pending {
            map.serialize_entry("etag", &self.etag)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn view(data: Value) -> EventView {
        let Value::Object(m) = data else {
            unreachable!()
        };
        EventView {
            data: Arc::new(m),
            etag: "\"7\"".into(),
        }
    }

    #[test]
    fn serializes_like_the_value() {
        for data in [
            json!({"a": 1, "end": {"x": [1, 2]}, "id": "x", "zz": null}),
            json!({"etag": "old", "kind": "k"}),
            json!({"a": "b"}),
            json!({"z": "b"}),
            json!({}),
        ] {
            let v = view(data);
            let want = v.to_value();
            assert_eq!(
                serde_json::to_vec_pretty(&v).unwrap(),
                serde_json::to_vec_pretty(&want).unwrap()
            );
            assert_eq!(
                serde_json::to_vec(&v).unwrap(),
                serde_json::to_vec(&want).unwrap()
            );
        }
    }
}
