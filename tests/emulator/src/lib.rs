//! An offline emulator of Google's OAuth2 and Calendar v3 servers.
pub mod calendar;
