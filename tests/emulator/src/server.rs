//! The HTTP server: one port for Google's paths and the admin API.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Request, Response};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::server::conn::{http1, http2};
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio_rustls::TlsAcceptor;

use crate::body::{RespBody, full, slow};
use crate::cal::Calendars;
use crate::errors::{fault_defaults, google_error, not_found, oauth_error};
use crate::faults::{DropWhen, Fault};
use crate::log::{Entry, Record};
use crate::oauth::{authorize, device, id_token, revoke, token, userinfo};
use crate::reply::Reply;
use crate::state::Shared;
use crate::util::parse_pairs;
use crate::wire::Counted;

/// Request bodies above this answer 413.
pub const MAX_BODY: usize = 1 << 20;
/// A client that has not finished its TLS handshake by then is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Google's front ends allow 100 concurrent streams per HTTP/2 connection.
const MAX_STREAMS: u32 = 100;

/// Closing the connection without an answer: hyper drops the socket when the service fails.
#[derive(Debug)]
pub struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by a fault")
    }
}

impl std::error::Error for Dropped {}

pub enum Outcome {
    Reply(Reply),
    Drop,
}

pub async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    tls: Option<TlsAcceptor>,
    mut shutdown: oneshot::Receiver<()>,
) {
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => {
                let Ok((stream, peer)) = accepted else {
                    // Out of descriptors or similar: back off briefly instead of spinning.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let stream = Counted::new(stream, shared.wire.clone());
                let (shared, tls) = (shared.clone(), tls.clone());
                tokio::spawn(async move {
                    // A distant server makes a new connection wait a round trip for TCP's handshake,
                    // and another for TLS's (1.3, no early data).
                    let latency = shared.latency();
                    if !latency.is_zero() {
                        tokio::time::sleep(latency).await;
                    }
                    let Some(acceptor) = tls else {
                        return serve_http1(stream, shared, peer).await;
                    };
                    if !latency.is_zero() {
                        tokio::time::sleep(latency).await;
                    }
                    let Ok(Ok(stream)) =
                        tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await
                    else {
                        return;
                    };
                    let h2 = stream.get_ref().1.alpn_protocol() == Some(b"h2");
                    shared.wire.handshake_done(h2);
                    if h2 {
                        serve_http2(stream, shared, peer).await
                    } else {
                        serve_http1(stream, shared, peer).await
                    }
                });
            }
        }
    }
}

async fn serve_http1<S>(io: S, shared: Arc<Shared>, peer: SocketAddr)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let svc = service_fn(move |req| handle(shared.clone(), peer, req));
    let _ = http1::Builder::new()
        .keep_alive(true)
        // One buffer, one write per answer: header and body leave in one segment.
        .writev(false)
        .serve_connection(TokioIo::new(io), svc)
        .await;
}

async fn serve_http2<S>(io: S, shared: Arc<Shared>, peer: SocketAddr)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let svc = service_fn(move |req| handle(shared.clone(), peer, req));
    let _ = http2::Builder::new(TokioExecutor::new())
        .max_concurrent_streams(MAX_STREAMS)
        .serve_connection(TokioIo::new(io), svc)
        .await;
}

/// Which of Google's endpoints a path is.
enum Endpoint<'a> {
    Auth,
    AuthDecision,
    Token,
    Revoke,
    Device,
    Batch,
    Certs,
    OpenIdConfiguration,
    UserInfo,
    TokenInfo,
    Api(&'a str),
    Unknown,
}

fn classify<'a>(method: &str, path: &'a str) -> Endpoint<'a> {
    let post = method == "POST";
    match path {
        "/o/oauth2/v2/auth" | "/o/oauth2/auth" if post || method == "GET" => Endpoint::Auth,
        "/o/oauth2/v2/auth/decision" if post => Endpoint::AuthDecision,
        "/token" | "/o/oauth2/token" | "/oauth2/v4/token" if post => Endpoint::Token,
        "/revoke" | "/o/oauth2/revoke" if post || method == "GET" => Endpoint::Revoke,
        "/device/code" if post => Endpoint::Device,
        "/batch/calendar/v3" | "/batch" if post => Endpoint::Batch,
        "/oauth2/v3/certs" if method == "GET" => Endpoint::Certs,
        "/oauth2/v3/userinfo" | "/v1/userinfo" if method == "GET" => Endpoint::UserInfo,
        "/tokeninfo" | "/oauth2/v3/tokeninfo" if post || method == "GET" => Endpoint::TokenInfo,
        "/.well-known/openid-configuration" if method == "GET" => Endpoint::OpenIdConfiguration,
        _ => match path.strip_prefix("/calendar/v3") {
            Some(rest) if rest.starts_with('/') => Endpoint::Api(rest),
            _ => Endpoint::Unknown,
        },
    }
}

impl Endpoint<'_> {
    fn method_id(&self, method: &str) -> Option<&'static str> {
        match self {
            Endpoint::Auth | Endpoint::AuthDecision => Some("auth"),
            Endpoint::Token => Some("token"),
            Endpoint::Revoke => Some("revoke"),
            Endpoint::Device => Some("device"),
            Endpoint::Batch => Some("batch"),
            Endpoint::Certs | Endpoint::OpenIdConfiguration => Some("certs"),
            Endpoint::UserInfo => Some("userinfo"),
            Endpoint::TokenInfo => Some("tokeninfo"),
            Endpoint::Api(p) => Calendars::route(method, p),
            Endpoint::Unknown => None,
        }
    }

    fn oauth_shaped(&self) -> bool {
        matches!(
            self,
            Endpoint::Token | Endpoint::Revoke | Endpoint::Device | Endpoint::TokenInfo
        )
    }
}

/// The error answered instead of the request when a fault carries a status.
pub fn fault_reply(f: &Fault, status: u16, oauth: bool) -> Reply {
    let (domain, reason, message) = fault_defaults(status);
    let reason = f.reason.as_deref().unwrap_or(reason);
    let message = f.message.as_deref().unwrap_or(message);
    let mut reply = if oauth {
        let error = match (f.reason.as_deref(), status) {
            (Some(r), _) => r,
            (None, 429) => "rate_limit_exceeded",
            (None, s) if s >= 500 => "internal_failure",
            (None, _) => "invalid_request",
        };
        Reply::json(status, &oauth_error(error, message))
    } else {
        Reply::json(status, &google_error(status, domain, reason, message))
    };
    let retry = f.retry_after.or(matches!(status, 429 | 503).then_some(1));
    if let Some(secs) = retry {
        reply = reply.with_header("Retry-After", secs.to_string());
    }
    reply
}

/// Delay, drop-before and status effects; `None` means go on and apply the request.
pub async fn before(f: Option<&Fault>, oauth: bool) -> Option<Outcome> {
    let f = f?;
    if let Some(ms) = f.delay_ms {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    if f.drop == Some(DropWhen::Before) {
        return Some(Outcome::Drop);
    }
    f.status.map(|s| Outcome::Reply(fault_reply(f, s, oauth)))
}

/// The admin API answers loopback peers only (IPv4-mapped loopback included).
fn admin_allowed(ip: std::net::IpAddr) -> bool {
    match ip {
        std::net::IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        v4 => v4.is_loopback(),
    }
}

fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get("accept")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"))
}

/// The whole body, or the answer to give instead (413 too large, 400 unreadable).
async fn read_body(headers: &HeaderMap, body: Incoming) -> Result<Bytes, Reply> {
    let declared = headers
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return Err(too_large());
    }
    match Limited::new(body, MAX_BODY).collect().await {
        Ok(c) => Ok(c.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(too_large()),
        Err(_) => Err(Reply::json(
            400,
            &google_error(
                400,
                "global",
                "badRequest",
                "The request body could not be read.",
            ),
        )
        .with_header("Connection", "close".into())),
    }
}

fn too_large() -> Reply {
    Reply::json(
        413,
        &google_error(
            413,
            "global",
            "uploadTooLarge",
            "Request body too large (limit 1 MiB).",
        ),
    )
    .with_header("Connection", "close".into())
}

async fn handle(
    shared: Arc<Shared>,
    peer: SocketAddr,
    req: Request<Incoming>,
) -> Result<Response<RespBody>, Dropped> {
    let (parts, body) = req.into_parts();
    let method = parts.method.as_str();
    let path = parts.uri.path();
    let query_raw = parts.uri.query().unwrap_or("");
    let body = read_body(&parts.headers, body).await;

    if path == "/__emulator" || path.starts_with("/__emulator/") {
        let reply = match body {
            _ if !admin_allowed(peer.ip()) => Reply::json(
                403,
                &google_error(
                    403,
                    "global",
                    "forbidden",
                    "The admin API answers loopback peers only.",
                ),
            ),
            Err(r) => r,
            Ok(b) => crate::admin::http::handle(&shared, method, path, query_raw, &b),
        };
        return Ok(respond(reply, None, false));
    }

    let latency = shared.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let gzip = wants_gzip(&parts.headers);
    let ep = classify(method, path);
    let method_id = ep.method_id(method);
    let fault = match body {
        Ok(_) => shared.take_fault(method_id, method, path),
        Err(_) => None,
    };
    let (outcome, body) = match body {
        Err(r) => (Outcome::Reply(r), Bytes::new()),
        Ok(b) => {
            let outcome = run(
                &shared,
                &ep,
                fault.as_ref(),
                Received {
                    method_id,
                    method,
                    path,
                    query_raw,
                    headers: &parts.headers,
                    body: &b,
                },
            )
            .await;
            (outcome, b)
        }
    };
    let status = match &outcome {
        Outcome::Reply(r) => r.status,
        Outcome::Drop => 0,
    };
    let entry = Entry::new(Record {
        method,
        path,
        query: query_raw,
        headers: &parts.headers,
        body: &body,
        method_id,
        status,
        fault: fault.as_ref().map(Fault::label),
        in_batch: false,
    });
    shared.log.lock().push(entry);
    match outcome {
        Outcome::Drop => Err(Dropped),
        Outcome::Reply(r) => Ok(respond(r, fault.as_ref(), gzip)),
    }
}

/// Google compresses only for clients that ask with `Accept-Encoding: gzip` and say "gzip" in their
/// User-Agent too.
fn wants_gzip(headers: &HeaderMap) -> bool {
    let has = |name: &str| {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.to_ascii_lowercase().contains("gzip"))
    };
    has("accept-encoding") && has("user-agent")
}

fn gzipped(body: &[u8]) -> Option<Bytes> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(body.len() / 4 + 64),
        flate2::Compression::default(),
    );
    encoder.write_all(body).ok()?;
    encoder.finish().ok().map(Bytes::from)
}

/// The parts of a received request the handlers need.
struct Received<'a> {
    method_id: Option<&'static str>,
    method: &'a str,
    path: &'a str,
    query_raw: &'a str,
    headers: &'a HeaderMap,
    body: &'a Bytes,
}

async fn run(
    shared: &Shared,
    ep: &Endpoint<'_>,
    fault: Option<&Fault>,
    r: Received<'_>,
) -> Outcome {
    let Received {
        method_id,
        method,
        path,
        query_raw,
        headers,
        body,
    } = r;
    if let Some(o) = before(fault, ep.oauth_shaped()).await {
        return o;
    }
    let page_limit = fault.and_then(|f| f.page_limit);
    let form = || parse_pairs(&String::from_utf8_lossy(body));
    let authorization = headers.get("authorization").and_then(|v| v.to_str().ok());
    let outcome = match ep {
        Endpoint::Auth => {
            let mut params = parse_pairs(query_raw);
            if method == "POST" {
                params.extend(form());
            }
            Outcome::Reply(authorize::authorize(shared, &params, wants_html(headers)))
        }
        Endpoint::AuthDecision => Outcome::Reply(authorize::decision(shared, &form())),
        Endpoint::Token => Outcome::Reply(token::token(shared, authorization, &form())),
        Endpoint::Revoke => {
            Outcome::Reply(revoke::revoke(shared, &form(), &parse_pairs(query_raw)))
        }
        Endpoint::Device => Outcome::Reply(device::device_code(shared, &form())),
        Endpoint::Batch => crate::batch::handle(shared, headers, body).await,
        Endpoint::Certs => Outcome::Reply(Reply::json(200, &id_token::jwks())),
        Endpoint::UserInfo => {
            Outcome::Reply(userinfo::userinfo(shared, headers, &parse_pairs(query_raw)))
        }
        Endpoint::TokenInfo => Outcome::Reply(userinfo::tokeninfo(
            shared,
            &parse_pairs(query_raw),
            &form(),
        )),
        Endpoint::OpenIdConfiguration => {
            Outcome::Reply(Reply::json(200, &id_token::discovery(&shared.urls)))
        }
        Endpoint::Api(api_path) => Outcome::Reply(crate::api::call(
            shared,
            crate::api::Call {
                method_id,
                method,
                api_path,
                query: &parse_pairs(query_raw),
                headers,
                outer_auth: None,
                body,
                page_limit,
            },
        )),
        Endpoint::Unknown => Outcome::Reply(Reply::json(404, &not_found(path))),
    };
    if fault.is_some_and(|f| f.drop == Some(DropWhen::After)) {
        return Outcome::Drop;
    }
    outcome
}

fn respond(reply: Reply, fault: Option<&Fault>, gzip: bool) -> Response<RespBody> {
    let mut builder = Response::builder().status(reply.status);
    for (k, v) in &reply.headers {
        builder = builder.header(k.as_ref(), v.as_ref());
    }
    let body = match fault.and_then(|f| f.slow_body.as_ref()) {
        Some(s) if !reply.body.is_empty() => {
            builder = builder.header("Content-Length", reply.body.len().to_string());
            slow(reply.body, s.chunk_bytes, Duration::from_millis(s.pause_ms))
        }
        _ if gzip && !reply.body.is_empty() => match gzipped(&reply.body) {
            Some(compressed) => {
                builder = builder
                    .header("Content-Encoding", "gzip")
                    .header("Vary", "Accept-Encoding");
                full(compressed)
            }
            None => full(reply.body),
        },
        _ => full(reply.body),
    };
    builder.body(body).unwrap_or_else(|_| {
        let mut r = Response::new(full(Bytes::from_static(b"{}")));
        *r.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
        r
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_is_loopback_only() {
        assert!(admin_allowed("127.0.0.1".parse().unwrap()));
        assert!(admin_allowed("::1".parse().unwrap()));
        assert!(admin_allowed("::ffff:127.0.0.1".parse().unwrap()));
        assert!(!admin_allowed("192.168.1.5".parse().unwrap()));
        assert!(!admin_allowed("::ffff:10.0.0.1".parse().unwrap()));
    }

    #[test]
    fn gzip_only_when_asked_both_ways() {
        let headers = |pairs: &[(&'static str, &'static str)]| {
            let mut h = HeaderMap::new();
            for (k, v) in pairs {
                h.append(*k, v.parse().unwrap());
            }
            h
        };
        assert!(wants_gzip(&headers(&[
            ("accept-encoding", "gzip, deflate"),
            ("user-agent", "app/1 (gzip)")
        ])));
        assert!(!wants_gzip(&headers(&[("accept-encoding", "gzip")])));
        assert!(!wants_gzip(&headers(&[("user-agent", "app/1 (gzip)")])));
        assert!(!wants_gzip(&headers(&[
            ("accept-encoding", "identity"),
            ("user-agent", "app/1 (gzip)")
        ])));
        let body = Bytes::from(vec![b'a'; 10_000]);
        let compressed = gzipped(&body).unwrap();
        assert!(compressed.len() < 200, "{}", compressed.len());
        let mut plain = Vec::new();
        std::io::Read::read_to_end(
            &mut flate2::read::GzDecoder::new(&compressed[..]),
            &mut plain,
        )
        .unwrap();
        assert_eq!(plain, body);
    }

    #[test]
    fn classifies_google_paths() {
        assert!(matches!(classify("POST", "/token"), Endpoint::Token));
        assert!(matches!(classify("GET", "/token"), Endpoint::Unknown));
        assert!(matches!(
            classify("GET", "/calendar/v3/colors"),
            Endpoint::Api("/colors")
        ));
        assert!(matches!(classify("GET", "/calendar/v3"), Endpoint::Unknown));
        assert!(matches!(
            classify("POST", "/batch/calendar/v3"),
            Endpoint::Batch
        ));
    }
}
