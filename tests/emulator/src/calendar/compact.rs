//! Stored events as compact JSON: objects are key-sorted slices instead of serde_json's `Map`, a
//! B-tree whose every node takes some 640 bytes, even for a one-key object like `start`. An
//! event kept this way takes less than half the memory (the heap grows by less each insert),
//! and it serializes exactly as the `Value` it stands for.

use super::discovery::event_member_names;
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Map, Number, Value};

/// A JSON value as stored; `Value` without the tree.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    Number(Number),
    String(Box<str>),
    Array(Box<[Json]>),
    Object(Obj),
}

/// An object's members in key order (the order `Map` iterates in), each key once.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Obj(Box<[(Key, Json)]>);

/// A member's name. Names of the Event resource (the discovery document's) are static: most
/// members of a stored event then cost no allocation and nothing kept per event for the name.
#[derive(Clone, Debug)]
pub(crate) enum Key {
    Static(&'static str),
    Owned(Box<str>),
}

impl Key {
    pub fn as_str(&self) -> &str {
        match self {
            Key::Static(s) => s,
            Key::Owned(s) => s,
        }
    }

    fn event_member(name: &str) -> Option<&'static str> {
        let names = event_member_names();
        names.binary_search(&name).ok().map(|i| names[i])
    }
}

impl From<&str> for Key {
    fn from(name: &str) -> Key {
        Key::event_member(name).map_or_else(|| Key::Owned(name.into()), Key::Static)
    }
}

impl From<String> for Key {
    fn from(name: String) -> Key {
        Key::event_member(&name).map_or_else(|| Key::Owned(name.into_boxed_str()), Key::Static)
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Json {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Array(a) => Some(a),
            _ => None,
        }
    }

    /// A member of an object; `None` for other values, as `Value::get` answers.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(o) => o.get(key),
            _ => None,
        }
    }

    pub fn to_value(&self) -> Value {
        match self {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => Value::Number(n.clone()),
            Json::String(s) => Value::String(s.to_string()),
            Json::Array(a) => Value::Array(a.iter().map(Json::to_value).collect()),
            Json::Object(o) => Value::Object(o.to_map()),
        }
    }
}

impl From<Value> for Json {
    fn from(v: Value) -> Json {
        match v {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(b),
            Value::Number(n) => Json::Number(n),
            Value::String(s) => Json::String(s.into_boxed_str()),
            Value::Array(a) => Json::Array(a.into_iter().map(Json::from).collect()),
            Value::Object(m) => Json::Object(Obj::from(m)),
        }
    }
}

impl From<&str> for Json {
    fn from(s: &str) -> Json {
        Json::String(s.into())
    }
}

impl From<String> for Json {
    fn from(s: String) -> Json {
        Json::String(s.into_boxed_str())
    }
}

impl From<bool> for Json {
    fn from(b: bool) -> Json {
        Json::Bool(b)
    }
}

impl Obj {
    /// From members in any order; of repeated keys the last stays, as collecting a `Map` does.
    pub fn from_members(mut members: Vec<(Key, Json)>) -> Obj {
        members.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
        // Stable sort: of equal keys the last sent is the last in the run. `dedup_by` drops
        // the later of two equal keys, so its value moves into the one kept first.
        members.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            if same {
                std::mem::swap(&mut later.1, &mut kept.1);
            }
            same
        });
        Obj(members.into_boxed_slice())
    }

    pub fn get(&self, key: &str) -> Option<&Json> {
        self.find(key).ok().map(|i| &self.0[i].1)
    }

    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Json::as_str)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.find(key).is_ok()
    }

    /// Sets a member, as `Map::insert` does.
    pub fn insert(&mut self, key: &str, value: Json) {
        match self.find(key) {
            Ok(i) => self.0[i].1 = value,
            Err(i) => {
                let mut members = std::mem::take(&mut self.0).into_vec();
                members.insert(i, (key.into(), value));
                self.0 = members.into_boxed_slice();
            }
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Json)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn to_map(&self) -> Map<String, Value> {
        self.iter()
            .map(|(k, v)| (k.to_string(), v.to_value()))
            .collect()
    }

    fn find(&self, key: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(key))
    }
}

impl From<Map<String, Value>> for Obj {
    fn from(m: Map<String, Value>) -> Obj {
        // A `Map` iterates in key order, each key once: already as an `Obj` keeps them.
        Obj(m
            .into_iter()
            .map(|(k, v)| (Key::from(k), Json::from(v)))
            .collect())
    }
}

/// The same calls `Value`'s own `Serialize` makes, so the text is the same.
impl Serialize for Json {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Null => s.serialize_unit(),
            Json::Bool(b) => s.serialize_bool(*b),
            Json::Number(n) => n.serialize(s),
            Json::String(t) => s.serialize_str(t),
            Json::Array(a) => {
                let mut seq = s.serialize_seq(Some(a.len()))?;
                for v in a.iter() {
                    seq.serialize_element(v)?;
                }
                seq.end()
            }
            Json::Object(o) => o.serialize(s),
        }
    }
}

impl Serialize for Obj {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.len()))?;
        for (k, v) in self.iter() {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> Value {
        json!({
            "z": null, "a": [1, -2, 3.5, 1e300, "x\"\u{1}é", [], {}, [[true, false]]],
            "start": {"dateTime": "2030-01-15T10:00:00Z"}, "": {"b": {"c": {}}, "a": 0},
            "num": 18446744073709551615u64, "neg": -9223372036854775808i64, "s": "\\\n/"
        })
    }

    #[test]
    fn round_trips_and_writes_as_the_value() {
        let v = sample();
        let j = Json::from(v.clone());
        assert_eq!(j.to_value(), v);
        assert_eq!(
            serde_json::to_vec(&j).unwrap(),
            serde_json::to_vec(&v).unwrap()
        );
        assert_eq!(
            serde_json::to_vec_pretty(&j).unwrap(),
            serde_json::to_vec_pretty(&v).unwrap()
        );
        assert_eq!(
            j.get("start")
                .and_then(|s| s.get("dateTime"))
                .and_then(Json::as_str),
            Some("2030-01-15T10:00:00Z")
        );
        assert_eq!(j.get("missing"), None);
        assert_eq!(Json::from("x").get("a"), None);
    }

    #[test]
    fn members_as_a_map_keeps_them() {
        let Value::Object(m) = sample() else {
            unreachable!()
        };
        let members = |pairs: &[(&str, i32)]| {
            pairs
                .iter()
                .map(|(k, n)| (Key::from(*k), Json::from(json!(n))))
                .collect::<Vec<_>>()
        };
        let pairs = [("b", 1), ("a", 2), ("b", 3), ("c", 4), ("a", 5), ("a", 6)];
        let want: Map<String, Value> = pairs
            .iter()
            .map(|(k, n)| (k.to_string(), json!(n)))
            .collect();
        assert_eq!(Obj::from_members(members(&pairs)).to_map(), want);
        let mut o = Obj::from(m.clone());
        let mut want = m;
        for (k, v) in [
            ("m", json!(1)),
            ("a", json!("new")),
            ("zz", json!({"x": 1})),
            ("", json!(null)),
        ] {
            o.insert(k, Json::from(v.clone()));
            want.insert(k.to_string(), v);
            assert_eq!(o.to_map(), want);
            assert!(o.contains_key(k));
        }
        assert_eq!(o.len(), want.len());
        assert_eq!(o.get_str("a"), Some("new"));
    }

    #[test]
    fn event_member_names_are_static() {
        for name in [
            "start",
            "dateTime",
            "useDefault",
            "responseStatus",
            "summary",
            "email",
        ] {
            assert!(
                matches!(Key::from(name), Key::Static(s) if s == name),
                "{name}"
            );
            assert!(matches!(Key::from(name.to_string()), Key::Static(s) if s == name));
        }
        for name in ["", "x-custom", "Start", "startx"] {
            assert!(
                matches!(Key::from(name), Key::Owned(s) if &*s == name),
                "{name}"
            );
        }
        assert_eq!(Key::from("start"), Key::Owned("start".into()));
    }
}
