//! Google Calendar v3: the method table (generated from the discovery document) and request
//! preparation, which validates everything before any network traffic.

pub mod batch;
pub mod body;
pub mod call;
pub mod methods;
mod methods_table;
pub mod notification;
pub mod pager;
pub mod request;
pub mod schemas;
pub mod writes;

pub use body::Body;
pub use methods::{Location, MethodSpec, ParamSpec, ParamType, lookup, methods_json};
pub use request::{PreparedRequest, prepare, prepare_with_body};
