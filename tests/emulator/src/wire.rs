//! What happened on the wire: connections, TLS handshakes, HTTP/2 connections and bytes each way,
//! counted at the socket (so with TLS, the encrypted bytes).

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

#[derive(Default)]
pub struct Wire {
    accepted: AtomicU64,
    closed: AtomicU64,
    tls_handshakes: AtomicU64,
    http2: AtomicU64,
    bytes_in: AtomicU64,
    bytes_out: AtomicU64,
}

/// A snapshot of [`Wire`]'s counters since the emulator started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionStats {
    /// TCP connections accepted.
    pub accepted: u64,
    /// Of those, still open.
    pub open: u64,
    /// TLS handshakes completed.
    pub tls_handshakes: u64,
    /// Connections that chose HTTP/2 by ALPN.
    pub http2: u64,
    pub bytes_received: u64,
    pub bytes_sent: u64,
}

impl Wire {
    pub fn snapshot(&self) -> ConnectionStats {
        let accepted = self.accepted.load(Ordering::Relaxed);
        ConnectionStats {
            accepted,
            open: accepted.saturating_sub(self.closed.load(Ordering::Relaxed)),
            tls_handshakes: self.tls_handshakes.load(Ordering::Relaxed),
            http2: self.http2.load(Ordering::Relaxed),
            bytes_received: self.bytes_in.load(Ordering::Relaxed),
            bytes_sent: self.bytes_out.load(Ordering::Relaxed),
        }
    }

    pub fn handshake_done(&self, http2: bool) {
        self.tls_handshakes.fetch_add(1, Ordering::Relaxed);
        if http2 {
            self.http2.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// A socket that counts its bytes into a [`Wire`]; counted as accepted when made, closed when dropped.
pub struct Counted<S> {
    inner: S,
    wire: Arc<Wire>,
}

impl<S> Counted<S> {
    pub fn new(inner: S, wire: Arc<Wire>) -> Self {
        wire.accepted.fetch_add(1, Ordering::Relaxed);
        Counted { inner, wire }
    }
}

impl<S> Drop for Counted<S> {
    fn drop(&mut self) {
        self.wire.closed.fetch_add(1, Ordering::Relaxed);
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Counted<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.inner).poll_read(cx, buf);
        let n = buf.filled().len() - before;
        self.wire.bytes_in.fetch_add(n as u64, Ordering::Relaxed);
        result
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Counted<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = result {
            self.wire.bytes_out.fetch_add(n as u64, Ordering::Relaxed);
        }
        result
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if let Poll::Ready(Ok(n)) = result {
            self.wire.bytes_out.fetch_add(n as u64, Ordering::Relaxed);
        }
        result
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
