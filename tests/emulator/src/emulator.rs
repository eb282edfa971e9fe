//! Starting and stopping an emulator in-process.

use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::oneshot;

use crate::admin::Admin;
use crate::state::Shared;
use crate::urls::Urls;

/// A running emulator on its own thread and tokio runtime; dropping it shuts it down.
pub struct Emulator {
    urls: Urls,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

/// Server threads: `GCAL_EMULATOR_THREADS` or 2 (enough for loopback tests; more only adds switching).
fn worker_threads() -> usize {
    std::env::var("GCAL_EMULATOR_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(2)
}

impl Emulator {
    /// Starts on `127.0.0.1` on a free port; returns once it is listening.
    /// Works from sync and async tests (the server never uses the caller's runtime).
    pub fn start() -> Emulator {
        Emulator::start_on(SocketAddr::from(([127, 0, 0, 1], 0))).expect("bind 127.0.0.1:0")
    }

    /// Starts on the given address (port 0 picks a free one).
    pub fn start_on(addr: SocketAddr) -> std::io::Result<Emulator> {
        let listener = std::net::TcpListener::bind(addr)?;
        listener.set_nonblocking(true)?;
        let urls = Urls::for_addr(listener.local_addr()?);
        let (push_tx, push_rx) = tokio::sync::mpsc::unbounded_channel();
        let shared = Arc::new(Shared::new(urls.clone(), push_tx));
        let (stop, stopped) = oneshot::channel();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(worker_threads())
            .thread_name("gcal-emulator")
            .enable_all()
            .build()?;
        let server_shared = shared.clone();
        let thread = std::thread::Builder::new()
            .name("gcal-emulator".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                        return;
                    };
                    tokio::spawn(crate::push::deliver_all(push_rx));
                    crate::server::serve(listener, server_shared, stopped).await;
                });
                // Open connections and pending deliveries end with the runtime.
                runtime.shutdown_timeout(Duration::from_millis(200));
            })?;
        Ok(Emulator {
            urls,
            shared,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    pub fn urls(&self) -> &Urls {
        &self.urls
    }

    /// Direct access to the state: clients, users, tokens, faults, the request log.
    pub fn admin(&self) -> Admin {
        Admin {
            shared: self.shared.clone(),
        }
    }

    /// Stops serving and waits for the server thread.
    pub fn shutdown(mut self) {
        self.stop_now();
    }

    fn stop_now(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("urls", &self.urls)
            .finish()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.stop_now();
    }
}
