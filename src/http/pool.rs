//! One connection pool per process for each set of network settings (proxy, trusted roots, connect
//! timeout): every client with those settings shares it, so 1,000 clients for 1,000 users hold the
//! sockets of one, and over HTTP/2 all their calls share one connection per host. User-Agent and request
//! timeouts are set per request, so they never split a pool.
//!
//! A pool outlives the clients that used it (the next client with the same settings finds its
//! connections warm); reqwest closes connections idle for [`IDLE_TIMEOUT`]. `qgcal_shutdown` drops every
//! pool (see [`close_all`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Once};
use std::time::Duration;

use rustls::pki_types::CertificateDer;

use super::proxy::Route;
use super::tls;
use crate::config::Network;
use crate::error::{Error, Result};

const IDLE_TIMEOUT: Duration = Duration::from_secs(90);
/// Above this many pools, those no client holds any more are dropped when another is made.
const KEEP_UNUSED: usize = 16;

#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    route: Route,
    roots: Vec<CertificateDer<'static>>,
    roots_only: bool,
    connect_timeout: Duration,
}

/// A reqwest client (one connection pool) and the route it sends by.
pub struct Pool {
    pub(super) client: reqwest::Client,
    route: Route,
}

impl Pool {
    pub fn route(&self) -> &Route {
        &self.route
    }
}

static POOLS: Mutex<Option<HashMap<Key, Arc<Pool>>>> = Mutex::new(None);

fn lock() -> std::sync::MutexGuard<'static, Option<HashMap<Key, Arc<Pool>>>> {
    // Every change of the map is a single insert or removal: a panic elsewhere leaves it consistent.
    POOLS.lock().unwrap_or_else(|p| p.into_inner())
}

/// The pool for these settings, made on first use.
pub fn shared(network: &Network, connect_timeout: Duration) -> Result<Arc<Pool>> {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| crate::runtime::at_shutdown(close_all));
    let key = Key {
        route: Route::resolve(network)?,
        roots: network.ca_certificates.clone(),
        roots_only: network.ca_only,
        connect_timeout,
    };
    let mut pools = lock();
    let map = pools.get_or_insert_with(HashMap::new);
    if let Some(pool) = map.get(&key) {
        return Ok(pool.clone());
    }
    let pool = Arc::new(build(&key)?);
    if map.len() >= KEEP_UNUSED {
        map.retain(|_, p| Arc::strong_count(p) > 1);
    }
    map.insert(key, pool.clone());
    Ok(pool)
}

/// Drops every pool, closing the connections no request holds. Runs at `qgcal_shutdown`, after the
/// runtime (whose tasks drive the connections) has stopped.
pub fn close_all() {
    let pools = lock().take();
    drop(pools);
}

fn build(key: &Key) -> Result<Pool> {
    let builder = reqwest::Client::builder()
        .tls_backend_preconfigured(tls::config_for(&key.roots, key.roots_only)?)
        .connect_timeout(key.connect_timeout)
        .pool_idle_timeout(IDLE_TIMEOUT)
        .https_only(false)
        .gzip(true)
        .redirect(reqwest::redirect::Policy::none());
    // Never the environment's proxy unless the config says "system" (resolved into the route).
    let builder = match key.route.to_reqwest()? {
        Some(proxy) => builder.proxy(proxy),
        None => builder.no_proxy(),
    };
    let client = builder
        .build()
        .map_err(|e| Error::internal(format!("cannot build the HTTP client: {e}")))?;
    Ok(Pool {
        client,
        route: key.route.clone(),
    })
}
