//! Local-server consent: a one-shot listener on 127.0.0.1 that the browser returns to. Everything stays
//! on the machine: the code arrives here and is exchanged here.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};
use url::Url;

use futures_util::future::BoxFuture;

use super::consent::{self, Callback, LocalOptions, Session};
use crate::config::{Config, Token};
use crate::error::{Error, ErrorKind, Result};

const DEFAULT_CALLBACK_PATH: &str = "/oauth2/callback";
const MAX_REQUEST_HEAD: usize = 16 * 1024;
const REQUEST_READ_TIMEOUT: Duration = Duration::from_secs(10);
const LISTENER_CLOSE_WAIT: Duration = Duration::from_secs(2);

/// Exchanges the code the browser brought (code, PKCE verifier, redirect URI) for a token, keeping it:
/// the client's job, handed in so that this module needs no client.
pub type Exchange = Arc<
    dyn Fn(String, crate::secret::Secret, String) -> BoxFuture<'static, Result<Token>>
        + Send
        + Sync,
>;

/// A consent waiting for the browser. Dropping it (or cancelling) closes the listener.
pub struct LocalConsent {
    shared: Arc<Shared>,
}

struct Shared {
    outcome: Mutex<Option<Result<Token>>>,
    done: Notify,
    stop: watch::Sender<bool>,
    /// Set once the listener is gone, so a finished wait means the port is closed.
    closed: watch::Sender<bool>,
    exchanging: AtomicBool,
    /// The client's id, for log records.
    client: u64,
}

impl Shared {
    /// Records the first outcome, closes the listener, wakes the waiters. Later outcomes are ignored.
    fn finish(&self, result: Result<Token>) {
        {
            let mut outcome = self.outcome.lock().unwrap_or_else(|p| p.into_inner());
            if outcome.is_none() {
                *outcome = Some(result);
            }
        }
        // send_replace stores the value even before the listener task has subscribed.
        self.stop.send_replace(true);
        self.done.notify_waiters();
    }

    fn outcome(&self) -> Option<Result<Token>> {
        self.outcome
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

impl LocalConsent {
    /// Binds the listener and builds the consent URL for the host to open.
    pub async fn start(
        config: &Config,
        client_id: u64,
        exchange: Exchange,
        options: LocalOptions,
    ) -> Result<(LocalConsent, Url)> {
        let path = options
            .callback_path
            .clone()
            .unwrap_or_else(|| DEFAULT_CALLBACK_PATH.to_string());
        if !path.starts_with('/') || path.contains(['?', '#', ' ']) {
            return Err(Error::invalid_argument(
                "consent option `callback_path` must be a plain path starting with `/`",
            ));
        }
        let listener = TcpListener::bind(("127.0.0.1", options.port.unwrap_or(0)))
            .await
            .map_err(|e| {
                Error::new(
                    ErrorKind::Network,
                    format!("cannot listen on 127.0.0.1 for the consent callback: {e}"),
                )
            })?;
        let port = listener
            .local_addr()
            .map_err(|e| Error::internal(format!("listener has no address: {e}")))?
            .port();
        let redirect_uri = format!("http://127.0.0.1:{port}{path}");
        let (url, session) = consent::begin(config, &redirect_uri, &options.common())?;
        tracing::info!(
            client = client_id,
            mode = "local",
            port,
            path = path.as_str(),
            "consent started"
        );
        let (stop, _) = watch::channel(false);
        let (closed, _) = watch::channel(false);
        let shared = Arc::new(Shared {
            outcome: Mutex::new(None),
            done: Notify::new(),
            stop,
            closed,
            exchanging: AtomicBool::new(false),
            client: client_id,
        });
        let listener_shared = shared.clone();
        tokio::spawn(serve(
            listener,
            listener_shared,
            Arc::new(session),
            exchange,
            path,
        ));
        Ok((LocalConsent { shared }, url))
    }

    /// Waits for the browser to come back and the code to be exchanged. `None` waits without limit.
    /// A timeout closes the listener.
    pub async fn wait(&self, timeout: Option<Duration>) -> Result<Token> {
        let notified = self.shared.done.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        if let Some(outcome) = self.shared.outcome() {
            self.listener_closed().await;
            return outcome;
        }
        match timeout {
            Some(limit) => {
                if tokio::time::timeout(limit, notified).await.is_err() {
                    self.shared.finish(Err(Error::new(
                        ErrorKind::Timeout,
                        format!(
                            "no answer from the browser within {} ms: consent was not completed",
                            limit.as_millis()
                        ),
                    )));
                }
            }
            None => notified.await,
        }
        self.listener_closed().await;
        self.shared
            .outcome()
            .unwrap_or_else(|| Err(Error::internal("consent finished without an outcome")))
    }

    /// Waits (briefly: the listener task only has to notice the stop) until the port is closed.
    async fn listener_closed(&self) {
        let mut closed = self.shared.closed.subscribe();
        let _ = tokio::time::timeout(LISTENER_CLOSE_WAIT, closed.wait_for(|c| *c)).await;
    }

    /// Stops waiting: the listener closes and waiters get the cancelled kind.
    pub fn cancel(&self) {
        self.shared.finish(Err(Error::new(
            ErrorKind::Cancelled,
            "consent was cancelled by the host",
        )));
    }
}

impl Drop for LocalConsent {
    fn drop(&mut self) {
        self.cancel();
    }
}

async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    session: Arc<Session>,
    exchange: Exchange,
    path: String,
) {
    let mut stop = shared.stop.subscribe();
    let path = Arc::new(path);
    loop {
        tokio::select! {
            _ = stop.wait_for(|stopped| *stopped) => break,
            accepted = listener.accept() => {
                // It listens on 127.0.0.1 only; refusing other peers as well costs nothing.
                if let Ok((stream, peer)) = accepted
                    && peer_allowed(peer.ip())
                {
                    // One task per connection: a browser's idle pre-connection must not hold up the real one.
                    tokio::spawn(answer(stream, shared.clone(), session.clone(), exchange.clone(), path.clone()));
                }
            }
        }
    }
    drop(listener);
    shared.closed.send_replace(true);
    tracing::debug!(client = shared.client, "consent listener closed");
}

async fn answer(
    mut stream: TcpStream,
    shared: Arc<Shared>,
    session: Arc<Session>,
    exchange: Exchange,
    path: Arc<String>,
) {
    let Ok(Some(target)) = tokio::time::timeout(REQUEST_READ_TIMEOUT, read_target(&mut stream))
        .await
        .unwrap_or(Ok(None))
    else {
        let _ = respond(
            &mut stream,
            400,
            "Bad request",
            "This is not a request this page understands.",
        )
        .await;
        return;
    };
    let (request_path, query) = target.split_once('?').unwrap_or((&target, ""));
    if request_path != path.as_str() {
        tracing::debug!(
            client = shared.client,
            http_status = 404u16,
            "consent listener: a request for another path"
        );
        let _ = respond(&mut stream, 404, "Not found", "Nothing here.").await;
        return;
    }
    if shared.outcome().is_some() {
        let _ = respond(
            &mut stream,
            409,
            "Already done",
            "This sign-in has already finished. You may close this window.",
        )
        .await;
        return;
    }
    let (status, title, text) = match consent::read_callback(&session, query) {
        // A wrong or missing state is someone else's request: refuse it and keep waiting.
        Err(e) if e.kind() == ErrorKind::InvalidArgument => {
            tracing::warn!(
                client = shared.client,
                http_status = 400u16,
                "consent listener: refused a request whose state does not belong to this sign-in"
            );
            (
                400,
                "Not this sign-in",
                "This link does not belong to the sign-in in progress.",
            )
        }
        Err(e) => {
            tracing::warn!(
                client = shared.client,
                mode = "local",
                error_kind = e.kind().name(),
                reason = e.reason(),
                error = e.message(),
                "consent failed"
            );
            shared.finish(Err(e));
            (
                400,
                "Sign-in failed",
                "Google refused the sign-in. You may close this window.",
            )
        }
        Ok(Callback::Denied) => {
            tracing::info!(
                client = shared.client,
                mode = "local",
                "consent denied by the user"
            );
            shared.finish(Err(Error::new(
                ErrorKind::ConsentDenied,
                "the user denied consent on Google's page",
            )
            .with_reason("access_denied")));
            (
                200,
                "Consent denied",
                "You denied access. You may close this window.",
            )
        }
        Ok(Callback::Code(code)) => {
            if shared.exchanging.swap(true, Ordering::AcqRel) {
                (
                    409,
                    "Already done",
                    "This sign-in is already being completed. You may close this window.",
                )
            } else {
                let result = exchange(
                    code,
                    session.code_verifier.clone(),
                    session.redirect_uri.clone(),
                )
                .await;
                let ok = result.is_ok();
                shared.finish(result);
                if ok {
                    (
                        200,
                        "Signed in",
                        "Access granted. You may close this window.",
                    )
                } else {
                    (
                        500,
                        "Sign-in failed",
                        "The sign-in could not be completed. You may close this window.",
                    )
                }
            }
        }
    };
    let _ = respond(&mut stream, status, title, text).await;
}

/// Only this machine may deliver the code: a loopback address (IPv4-mapped ones too).
fn peer_allowed(ip: std::net::IpAddr) -> bool {
    match ip {
        std::net::IpAddr::V4(v4) => v4.is_loopback(),
        std::net::IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

/// Reads the request head and returns the request target of a GET.
async fn read_target(stream: &mut TcpStream) -> std::io::Result<Option<String>> {
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).await?;
        if n == 0 || head.len() + n > MAX_REQUEST_HEAD {
            return Ok(None);
        }
        head.extend_from_slice(&buf[..n]);
    }
    Ok(request_target(&head))
}

/// The request target of a request head if it is a GET (`GET /cb?code=... HTTP/1.1`).
pub(crate) fn request_target(head: &[u8]) -> Option<String> {
    let line = head.split(|&b| b == b'\n').next().unwrap_or_default();
    let line = String::from_utf8_lossy(line);
    let mut parts = line.split_whitespace();
    match (parts.next(), parts.next()) {
        (Some("GET"), Some(target)) => Some(target.to_string()),
        _ => None,
    }
}

async fn respond(
    stream: &mut TcpStream,
    status: u16,
    title: &str,
    text: &str,
) -> std::io::Result<()> {
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body style=\"font-family:sans-serif;margin:3em\"><h1>{title}</h1><p>{text}</p></body></html>"
    );
    let head = format!(
        "HTTP/1.1 {status} {title}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body.as_bytes()).await?;
    stream.shutdown().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_peers_are_answered() {
        for ok in [
            "127.0.0.1",
            "127.0.0.2",
            "127.255.255.254",
            "::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(peer_allowed(ok.parse().unwrap()), "{ok}");
        }
        for refused in [
            "192.0.2.2",
            "10.0.0.1",
            "0.0.0.0",
            "fd00::2",
            "::ffff:10.0.0.1",
            "::",
            "fe80::1",
        ] {
            assert!(!peer_allowed(refused.parse().unwrap()), "{refused}");
        }
    }

    #[test]
    fn the_request_line_gives_the_target_of_a_get_only() {
        assert_eq!(
            request_target(b"GET /cb?code=a&state=b HTTP/1.1\r\nHost: x\r\n\r\n").as_deref(),
            Some("/cb?code=a&state=b")
        );
        assert_eq!(request_target(b"POST /cb HTTP/1.1\r\n\r\n"), None);
        assert_eq!(request_target(b"get /cb HTTP/1.1\r\n\r\n"), None);
        assert_eq!(request_target(b"GET\r\n\r\n"), None);
        assert_eq!(request_target(b""), None);
    }
}
