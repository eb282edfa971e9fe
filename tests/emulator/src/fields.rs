//! Partial responses: the `fields` parameter (`items(id,summary),nextPageToken`, `a/b`).

use serde_json::{Map, Value};

/// Keeps only the selected fields; an unparsable selector leaves the value whole.
pub fn filter(value: &Value, fields: &str) -> Value {
    match parse(fields) {
        Some(sel) => apply(value, &sel),
        None => value.clone(),
    }
}

#[derive(Debug)]
struct Sel {
    name: String,
    sub: Vec<Sel>,
}

fn parse(s: &str) -> Option<Vec<Sel>> {
    let chars: Vec<char> = s.chars().filter(|c| !c.is_whitespace()).collect();
    let mut pos = 0;
    let sel = parse_list(&chars, &mut pos)?;
    (pos == chars.len()).then_some(sel)
}

fn parse_list(c: &[char], pos: &mut usize) -> Option<Vec<Sel>> {
    let mut out = Vec::new();
    loop {
        out.push(parse_one(c, pos)?);
        if *pos < c.len() && c[*pos] == ',' {
            *pos += 1;
        } else {
            return Some(out);
        }
    }
}

fn parse_one(c: &[char], pos: &mut usize) -> Option<Sel> {
    let start = *pos;
    while *pos < c.len() && !matches!(c[*pos], ',' | '(' | ')' | '/') {
        *pos += 1;
    }
    if *pos == start {
        return None;
    }
    let name: String = c[start..*pos].iter().collect();
    let sub = if *pos < c.len() && c[*pos] == '/' {
        *pos += 1;
        vec![parse_one(c, pos)?]
    } else if *pos < c.len() && c[*pos] == '(' {
        *pos += 1;
        let list = parse_list(c, pos)?;
        if *pos >= c.len() || c[*pos] != ')' {
            return None;
        }
        *pos += 1;
        list
    } else {
        Vec::new()
    };
    Some(Sel { name, sub })
}

fn apply(value: &Value, sel: &[Sel]) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.iter().map(|v| apply(v, sel)).collect()),
        Value::Object(obj) => {
            let mut out = Map::new();
            for s in sel {
                if s.name == "*" {
                    return value.clone();
                }
                if let Some(v) = obj.get(&s.name) {
                    let v = if s.sub.is_empty() {
                        v.clone()
                    } else {
                        apply(v, &s.sub)
                    };
                    match out.get_mut(&s.name) {
                        Some(Value::Object(existing)) if v.is_object() => {
                            if let Value::Object(m) = v {
                                existing.extend(m);
                            }
                        }
                        _ => {
                            out.insert(s.name.clone(), v);
                        }
                    }
                }
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn selects() {
        let v = json!({"kind": "k", "nextPageToken": "t", "items": [{"id": "1", "summary": "s", "x": 1}]});
        assert_eq!(
            filter(&v, "items(id,summary),nextPageToken"),
            json!({"nextPageToken": "t", "items": [{"id": "1", "summary": "s"}]})
        );
        assert_eq!(
            filter(&json!({"a": {"b": 1, "c": 2}}), "a/b"),
            json!({"a": {"b": 1}})
        );
        assert_eq!(filter(&v, "items("), v);
    }
}
