//! An offline emulator of Google's OAuth2 and Calendar v3 servers.
//!
//! ```no_run
//! let emu = gcal_emulator::Emulator::start();
//! let token = emu.admin().access_token(&[]);
//! println!("{} {token}", emu.urls().api_base_url);
//! ```

mod admin;
mod api;
mod batch;
mod body;
mod cal;
pub mod calendar;
mod emulator;
mod errors;
mod faults;
mod fields;
/// The emulator's request readers, for the fuzz targets in `tests/fuzz/` (the `fuzzing` feature only).
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzz_api;
mod log;
mod oauth;
mod push;
mod reply;
mod server;
mod state;
pub mod testing;
mod tls;
mod urls;
mod util;
mod wire;

pub use admin::{
    Admin, ClientConfig, MintToken, RevokeFilter, ScheduledFault, ServiceAccountOptions,
};
pub use emulator::{Emulator, Options};
pub use faults::{DropWhen, Fault, SlowBody};
pub use log::LoggedRequest;
pub use oauth::Consent;
pub use oauth::store::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_USER};
pub use server::MAX_BODY;
pub use state::NotificationRecord;
pub use urls::Urls;
pub use wire::ConnectionStats;
