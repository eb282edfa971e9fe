//! The calendar module's types, as the server uses them.

pub use crate::calendar::{ApiRequest, Calendars, Notification};
