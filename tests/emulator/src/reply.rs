//! A complete answer before it is turned into an HTTP response.

use std::borrow::Cow;

use bytes::Bytes;
use serde_json::Value;

pub const JSON: &str = "application/json; charset=UTF-8";

/// A header name or value: fixed text is borrowed, so most answers allocate none for headers.
pub type Text = Cow<'static, str>;

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(Text, Text)>,
    pub body: Bytes,
}

impl Reply {
    pub fn json(status: u16, value: &Value) -> Self {
        let mut body = serde_json::to_vec_pretty(value).unwrap_or_default();
        body.push(b'\n');
        Reply {
            status,
            headers: vec![("Content-Type".into(), JSON.into())],
            body: Bytes::from(body),
        }
    }

    pub fn empty(status: u16) -> Self {
        Reply {
            status,
            headers: Vec::new(),
            body: Bytes::new(),
        }
    }

    pub fn text(status: u16, content_type: &'static str, text: String) -> Self {
        Reply {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: Bytes::from(text),
        }
    }

    pub fn redirect(location: String) -> Self {
        Reply {
            status: 302,
            headers: vec![
                ("Location".into(), location.into()),
                ("Content-Type".into(), "text/html; charset=UTF-8".into()),
            ],
            body: Bytes::from_static(b"<html><body>Moved</body></html>\n"),
        }
    }

    pub fn with_header(mut self, name: &'static str, value: String) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}
