//! `key=value` arguments as the JSON parameters the library takes, typed by the method table so
//! `maxResults=10` is a number and `eventId=123` stays a string.

use qorus_gcal::calendar::methods::{ParamType, lookup};
use serde_json::{Map, Value};

use crate::report::{CliResult, usage};

pub fn parse(method: &str, pairs: &[String]) -> CliResult<Value> {
    let spec = lookup(method);
    let mut params = Map::new();
    for pair in pairs {
        let Some((key, text)) = pair.split_once('=') else {
            return Err(usage(format!(
                "parameter `{pair}` is not key=value (e.g. calendarId=primary)"
            )));
        };
        if key.is_empty() {
            return Err(usage(format!("parameter `{pair}` has no name")));
        }
        let param = spec.and_then(|s| s.param(key));
        // Unknown names and methods are left to the library, which names them in its error.
        let value = match param.map(|p| p.ty) {
            Some(ParamType::Integer) => text
                .parse::<i64>()
                .map(Value::from)
                .unwrap_or_else(|_| Value::String(text.into())),
            Some(ParamType::Boolean) if text == "true" || text == "false" => {
                Value::Bool(text == "true")
            }
            _ => Value::String(text.into()),
        };
        match params.get_mut(key) {
            Some(Value::Array(values)) => values.push(value),
            Some(first) if param.is_some_and(|p| p.repeated) => {
                *first = Value::Array(vec![first.take(), value]);
            }
            Some(_) => return Err(usage(format!("parameter `{key}` is given twice"))),
            None => {
                params.insert(key.to_string(), value);
            }
        }
    }
    Ok(Value::Object(params))
}

#[cfg(test)]
mod tests {
    use super::parse;
    use serde_json::json;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn values_take_the_type_of_the_parameter() {
        let p = parse(
            "events.list",
            &args(&[
                "calendarId=primary",
                "maxResults=10",
                "singleEvents=true",
                "q=123",
            ]),
        )
        .unwrap();
        assert_eq!(
            p,
            json!({"calendarId": "primary", "maxResults": 10, "singleEvents": true, "q": "123"})
        );
    }

    #[test]
    fn repeated_parameters_collect_and_others_refuse_twice() {
        let p = parse(
            "events.list",
            &args(&["eventTypes=default", "eventTypes=focusTime"]),
        )
        .unwrap();
        assert_eq!(p["eventTypes"], json!(["default", "focusTime"]));
        assert!(parse("events.list", &args(&["q=a", "q=b"])).is_err());
        assert!(parse("events.list", &args(&["novalue"])).is_err());
    }
}
