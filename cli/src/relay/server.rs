//! The relay's HTTP/1.1 server (hyper): bounded connections and request heads, the security headers,
//! one log line per redirect, and a graceful stop.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Request, Response, StatusCode, header};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use super::{Answer, Relay};

/// Connections served at once; more wait in the listen queue.
const MAX_CONNECTIONS: usize = 1024;
/// A request head must arrive within this (slow clients cannot hold connections open).
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// A request head may not be larger (the query alone is limited to `MAX_QUERY_LEN`; the rest is room
/// for a browser's headers). hyper answers 431 beyond it.
const MAX_HEAD: usize = 64 * 1024;
/// How long a stop waits for requests in flight.
const DRAIN: Duration = Duration::from_secs(10);

/// Serves until `shutdown` completes, then stops accepting, lets requests in flight finish (closing
/// idle keep-alive connections at once) and returns.
pub async fn serve(listener: TcpListener, relay: Arc<Relay>, shutdown: impl Future<Output = ()>) {
    let graceful = GracefulShutdown::new();
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    tokio::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            _ = &mut shutdown => break,
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
        };
        let stream = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => {
                    // Out of descriptors or similar: back off briefly instead of spinning.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
        };
        let relay = relay.clone();
        let service = service_fn(move |req| {
            let response = respond(&relay, &req);
            async move { Ok::<_, Infallible>(response) }
        });
        let connection = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_TIMEOUT)
            .max_buf_size(MAX_HEAD)
            .serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(DRAIN, graceful.shutdown())
        .await
        .is_err()
    {
        eprintln!(
            "qgcal relay: requests still in flight after {} s; stopping anyway",
            DRAIN.as_secs()
        );
    }
}

fn respond(relay: &Relay, req: &Request<Incoming>) -> Response<Full<Bytes>> {
    let answer = relay.answer(req.method().as_str(), req.uri().path(), req.uri().query());
    if let Some(line) = &answer.log {
        eprintln!("qgcal relay: {line}");
    }
    to_response(answer)
}

fn to_response(answer: Answer) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(answer.body)));
    *response.status_mut() = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::BAD_REQUEST);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(answer.content_type),
    );
    // Nothing here may be cached, and the next page must not learn the relay URL (with the code).
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'"),
    );
    if answer.status == 405 {
        headers.insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
    }
    if let Some(location) = answer.location {
        // A URL that `url` wrote is always a valid header value.
        match HeaderValue::try_from(location) {
            Ok(value) => {
                headers.insert(header::LOCATION, value);
            }
            Err(_) => *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
    response
}
