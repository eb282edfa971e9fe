//! qorus-gcal: Google Calendar access for Qore and the Qorus Integration Engine.
//!
//! The Rust core (`config`, `oauth`, `calendar`, `http`, `observe`, `runtime`) knows nothing of C; [`ffi`] is the
//! thin C ABI over it, described by the generated header `include/qorus_gcal.h`.

pub mod blocking;
pub mod calendar;
pub mod client;
pub mod config;
pub mod error;
pub mod http;
pub mod oauth;
pub mod observe;
pub mod runtime;
pub mod secret;

pub mod ffi;

/// Internal parsers for the fuzz targets in `tests/fuzz/` (the `fuzzing` feature only; not an API).
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzz_api;

pub use blocking::BlockingClient;
pub use client::Client;
pub use config::Config;
pub use error::{Error, ErrorKind, Result};

/// The library's version, as in Cargo.toml.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
