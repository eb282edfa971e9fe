//! A log record as the host receives it: level, target, message, the client it concerns, and the
//! event's other fields as a JSON object.

use std::fmt::{self, Write};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};
use tracing::field::{Field, Visit};

/// How much to log. The numbers are the C API's `QGCAL_LOG_*` constants: a threshold delivers its own
/// level and every more severe one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum LogLevel {
    Off = 0,
    Error = 1,
    Warn = 2,
    Info = 3,
    Debug = 4,
    Trace = 5,
}

impl LogLevel {
    pub fn from_number(n: i32) -> Option<LogLevel> {
        Some(match n {
            0 => LogLevel::Off,
            1 => LogLevel::Error,
            2 => LogLevel::Warn,
            3 => LogLevel::Info,
            4 => LogLevel::Debug,
            5 => LogLevel::Trace,
            _ => return None,
        })
    }

    pub(crate) fn of(level: &tracing::Level) -> LogLevel {
        match *level {
            tracing::Level::ERROR => LogLevel::Error,
            tracing::Level::WARN => LogLevel::Warn,
            tracing::Level::INFO => LogLevel::Info,
            tracing::Level::DEBUG => LogLevel::Debug,
            tracing::Level::TRACE => LogLevel::Trace,
        }
    }

    pub(crate) fn filter(self) -> tracing::level_filters::LevelFilter {
        use tracing::level_filters::LevelFilter;
        match self {
            LogLevel::Off => LevelFilter::OFF,
            LogLevel::Error => LevelFilter::ERROR,
            LogLevel::Warn => LevelFilter::WARN,
            LogLevel::Info => LevelFilter::INFO,
            LogLevel::Debug => LevelFilter::DEBUG,
            LogLevel::Trace => LevelFilter::TRACE,
        }
    }

    /// `"error"`, `"warn"`, `"info"`, `"debug"`, `"trace"` (or `"off"`).
    pub fn name(self) -> &'static str {
        match self {
            LogLevel::Off => "off",
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
            LogLevel::Trace => "trace",
        }
    }
}

/// One log record.
#[derive(Clone, Debug, PartialEq)]
pub struct LogRecord {
    pub level: LogLevel,
    /// Where in the library it comes from, e.g. `qorus_gcal::http::send`.
    pub target: &'static str,
    pub message: String,
    /// The client it concerns (see `Client::id`), or 0 for the library as a whole.
    pub client: u64,
    /// Unix milliseconds.
    pub timestamp_ms: i64,
    /// Every other field of the event: `method`, `http_status`, `attempt`, `duration_ms`, ...
    pub fields: Map<String, Value>,
}

/// The field that names the client an event concerns.
pub(crate) const CLIENT_FIELD: &str = "client";

/// Field names whose values are never kept, whatever an event puts in them: a second line of defence
/// behind instrumentation that logs no secret in the first place.
const REDACTED_FIELDS: &[&str] = &[
    "access_token",
    "refresh_token",
    "token",
    "id_token",
    "client_secret",
    "private_key",
    "assertion",
    "code",
    "code_verifier",
    "state",
    "authorization",
    "password",
    "secret",
];
pub(crate) const REDACTED: &str = "[redacted]";

impl LogRecord {
    pub(crate) fn from_event(event: &tracing::Event<'_>, client: u64) -> LogRecord {
        let meta = event.metadata();
        let mut visitor = Collect::default();
        event.record(&mut visitor);
        LogRecord {
            level: LogLevel::of(meta.level()),
            target: meta.target(),
            message: visitor.message,
            client,
            timestamp_ms: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as i64),
            fields: visitor.fields,
        }
    }

    /// The fields as one JSON object's text.
    pub fn fields_json(&self) -> String {
        serde_json::to_string(&self.fields).unwrap_or_else(|_| "{}".to_string())
    }

    /// The whole record as JSON: `{"level", "target", "message", "client", "timestamp_ms", "fields"}`.
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "level": self.level.name(),
            "target": self.target,
            "message": self.message,
            "client": self.client,
            "timestamp_ms": self.timestamp_ms,
            "fields": self.fields,
        })
    }
}

/// Reads only the `client` field, to decide where a record goes before building it.
#[derive(Default)]
pub(crate) struct ClientOf(pub u64);

impl Visit for ClientOf {
    fn record_u64(&mut self, field: &Field, value: u64) {
        if field.name() == CLIENT_FIELD {
            self.0 = value;
        }
    }

    fn record_debug(&mut self, _: &Field, _: &dyn fmt::Debug) {}
}

#[derive(Default)]
struct Collect {
    message: String,
    fields: Map<String, Value>,
}

impl Collect {
    fn put(&mut self, field: &Field, value: Value) {
        let name = field.name();
        if name == CLIENT_FIELD {
            return;
        }
        let value = if REDACTED_FIELDS.contains(&name) {
            Value::String(REDACTED.to_string())
        } else {
            value
        };
        self.fields.insert(name.to_string(), value);
    }
}

impl Visit for Collect {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            self.put(field, Value::String(format!("{value:?}")));
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            self.put(field, Value::String(value.to_string()));
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field, value.into());
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field, value.into());
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.put(field, value.into());
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.put(
            field,
            serde_json::Number::from_f64(value).map_or(Value::Null, Value::Number),
        );
    }
}
