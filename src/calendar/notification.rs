//! Push notifications: reading the `X-Goog-*` headers a host's webhook receives.

use serde_json::{Value, json};

use crate::error::{Error, Result, shown};

const STATES: &[&str] = &["sync", "exists", "not_exists"];

/// Turns webhook headers (a JSON object of name → value, names in any case, or an array of
/// `[name, value]` pairs) into `{channel_id, message_number, resource_id, resource_state, resource_uri,
/// channel_token, channel_expiration}`. Incomplete or malformed notifications are refused.
pub fn parse_notification(headers: &Value) -> Result<Value> {
    let pairs: Vec<(String, String)> = match headers {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| Ok((k.to_ascii_lowercase(), header_text(k, v)?)))
            .collect::<Result<_>>()?,
        Value::Array(items) => items
            .iter()
            .map(|item| match item.as_array().map(Vec::as_slice) {
                Some([Value::String(k), v]) => Ok((k.to_ascii_lowercase(), header_text(k, v)?)),
                _ => Err(Error::invalid_argument(
                    "notification headers as an array must hold [name, value] pairs",
                )),
            })
            .collect::<Result<_>>()?,
        _ => {
            return Err(Error::invalid_argument(
                "notification headers must be a JSON object of name → value",
            ));
        }
    };
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let required = |name: &str| {
        get(name).filter(|v| !v.is_empty()).ok_or_else(|| {
            Error::invalid_argument(format!("the notification lacks the `{name}` header"))
        })
    };
    let message_number: u64 = required("x-goog-message-number")?.parse().map_err(|_| {
        Error::invalid_argument("the notification's `x-goog-message-number` is not a number")
    })?;
    let state = required("x-goog-resource-state")?;
    if !STATES.contains(&state.as_str()) {
        return Err(Error::invalid_argument(format!(
            "the notification's resource state '{}' is not one of sync, exists, not_exists",
            shown(&state)
        )));
    }
    Ok(json!({
        "channel_id": required("x-goog-channel-id")?,
        "message_number": message_number,
        "resource_id": required("x-goog-resource-id")?,
        "resource_state": state,
        "resource_uri": required("x-goog-resource-uri")?,
        "channel_token": get("x-goog-channel-token"),
        "channel_expiration": get("x-goog-channel-expiration"),
    }))
}

fn header_text(name: &str, value: &Value) -> Result<String> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        _ => Err(Error::invalid_argument(format!(
            "notification header `{}` must be a string",
            shown(name)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full() -> Value {
        json!({"X-Goog-Channel-ID": "chan-1", "X-Goog-Message-Number": "3", "X-Goog-Resource-ID": "res",
               "X-Goog-Resource-State": "exists", "X-Goog-Resource-URI": "https://x/events",
               "X-Goog-Channel-Token": "tok"})
    }

    #[test]
    fn a_complete_notification_is_read_in_any_header_case() {
        let n = parse_notification(&full()).unwrap();
        assert_eq!(n["channel_id"], "chan-1");
        assert_eq!(n["message_number"], 3);
        assert_eq!(n["resource_state"], "exists");
        assert_eq!(n["channel_token"], "tok");
        assert_eq!(n["channel_expiration"], Value::Null);
        let pairs = json!([
            ["x-goog-channel-id", "c"],
            ["x-goog-message-number", 1],
            ["x-goog-resource-id", "r"],
            ["x-goog-resource-state", "sync"],
            ["x-goog-resource-uri", "u"]
        ]);
        assert_eq!(
            parse_notification(&pairs).unwrap()["resource_state"],
            "sync"
        );
    }

    #[test]
    fn incomplete_or_malformed_notifications_are_refused() {
        for missing in [
            "X-Goog-Channel-ID",
            "X-Goog-Message-Number",
            "X-Goog-Resource-ID",
            "X-Goog-Resource-State",
            "X-Goog-Resource-URI",
        ] {
            let mut h = full();
            h.as_object_mut().unwrap().remove(missing);
            let err = parse_notification(&h).unwrap_err();
            assert!(
                err.message().contains(&missing.to_ascii_lowercase()),
                "{err}"
            );
        }
        let mut h = full();
        h["X-Goog-Message-Number"] = json!("three");
        assert!(parse_notification(&h).is_err());
        h = full();
        h["X-Goog-Resource-State"] = json!("exploded");
        assert!(parse_notification(&h).is_err());
        assert!(parse_notification(&json!("nope")).is_err());
    }
}
