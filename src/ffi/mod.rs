//! The C ABI: a thin layer that only converts and guards. Every export runs inside [`guard`]'s macros,
//! so no panic crosses into the host; the Rust core never sees a raw pointer.
#![allow(non_camel_case_types)]

#[macro_use]
mod guard;
mod batch;
mod call;
mod client;
mod consent;
mod error;
mod host_fn;
mod library;
mod log;
mod schema;
mod stats;
mod status;
mod stream;
mod strings;
mod token;

pub use batch::*;
pub use call::*;
pub use client::*;
pub use consent::*;
pub use error::*;
pub use host_fn::qgcal_drop_callback;
pub use library::*;
pub use log::*;
pub use schema::*;
pub use stats::*;
pub use status::*;
pub use stream::*;
pub use strings::qgcal_string_free;
pub use token::*;
