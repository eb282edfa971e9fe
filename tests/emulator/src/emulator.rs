//! Starting and stopping an emulator in-process.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::oneshot;

use crate::admin::Admin;
use crate::state::Shared;
use crate::tls::Tls;
use crate::urls::Urls;

/// A running emulator on its own thread and tokio runtime; dropping it shuts it down.
pub struct Emulator {
    urls: Urls,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
    /// With TLS: the CA's PEM, and the directory holding its file (removed with the emulator).
    ca: Option<(String, PathBuf)>,
}

/// How to start an emulator; the default is plain HTTP on a free loopback port, answering at once.
#[derive(Clone, Debug)]
pub struct Options {
    pub addr: SocketAddr,
    /// HTTPS with a CA made at start (HTTP/2 or HTTP/1.1 by ALPN) instead of plain HTTP/1.1.
    pub tls: bool,
    /// A round trip to a distant server: added before every answer on Google's paths (not the admin
    /// API), and before serving a new connection (once for TCP's handshake, once more for TLS's).
    pub latency: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            tls: false,
            latency: Duration::ZERO,
        }
    }
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

    /// Starts with HTTPS on a free loopback port; trust [`Emulator::ca_pem`] to reach it.
    pub fn start_tls() -> Emulator {
        Emulator::start_with(Options {
            tls: true,
            ..Options::default()
        })
        .expect("start the emulator with TLS on 127.0.0.1:0")
    }

    /// Starts on the given address (port 0 picks a free one).
    pub fn start_on(addr: SocketAddr) -> std::io::Result<Emulator> {
        Emulator::start_with(Options {
            addr,
            ..Options::default()
        })
    }

    pub fn start_with(options: Options) -> std::io::Result<Emulator> {
        let listener = std::net::TcpListener::bind(options.addr)?;
        listener.set_nonblocking(true)?;
        let local = listener.local_addr()?;
        let (tls, ca) = if options.tls {
            let dir = std::env::temp_dir().join(format!(
                "gcal-emulator-{}-{}",
                std::process::id(),
                local.port()
            ));
            let tls = Tls::generate(&dir)?;
            let ca = (tls.ca_pem.clone(), dir);
            (Some(tls), Some(ca))
        } else {
            (None, None)
        };
        let mut urls = Urls::for_addr_scheme(local, if options.tls { "https" } else { "http" });
        urls.ca_file = tls.as_ref().map(|t| t.ca_file.display().to_string());
        let acceptor = tls.map(|t| t.acceptor);
        let (push_tx, push_rx) = tokio::sync::mpsc::unbounded_channel();
        let shared = Arc::new(Shared::new(urls.clone(), push_tx));
        shared.set_latency(options.latency);
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
                    crate::server::serve(listener, server_shared, acceptor, stopped).await;
                });
                // Open connections and pending deliveries end with the runtime.
                runtime.shutdown_timeout(Duration::from_millis(200));
            })?;
        Ok(Emulator {
            urls,
            shared,
            stop: Some(stop),
            thread: Some(thread),
            ca,
        })
    }

    pub fn urls(&self) -> &Urls {
        &self.urls
    }

    /// With TLS, the PEM of the CA that signed the server's certificate.
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca.as_ref().map(|(pem, _)| pem.as_str())
    }

    /// With TLS, the file holding [`Emulator::ca_pem`] (also `urls().ca_file`).
    pub fn ca_file(&self) -> Option<PathBuf> {
        self.urls.ca_file.as_ref().map(PathBuf::from)
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
        if let Some((_, dir)) = self.ca.take() {
            remove_ca_dir(&dir);
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

fn remove_ca_dir(dir: &Path) {
    let _ = std::fs::remove_file(dir.join("ca.pem"));
    let _ = std::fs::remove_dir(dir);
}
