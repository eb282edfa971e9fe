//! Response bodies: whole, or trickled in chunks for the slow-body fault.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::{Body, Frame};
use tokio::sync::mpsc;

pub type RespBody = BoxBody<Bytes, Infallible>;

pub fn full(bytes: Bytes) -> RespBody {
    Full::new(bytes).boxed()
}

struct ChannelBody {
    rx: mpsc::Receiver<Bytes>,
}

impl Body for ChannelBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.rx.poll_recv(cx).map(|o| o.map(|b| Ok(Frame::data(b))))
    }
}

/// Sends `bytes` in `chunk`-sized pieces with `pause` between them.
pub fn slow(bytes: Bytes, chunk: usize, pause: Duration) -> RespBody {
    let (tx, rx) = mpsc::channel(1);
    let chunk = chunk.max(1);
    tokio::spawn(async move {
        let mut offset = 0;
        while offset < bytes.len() {
            let end = (offset + chunk).min(bytes.len());
            if tx.send(bytes.slice(offset..end)).await.is_err() {
                return;
            }
            offset = end;
            if offset < bytes.len() {
                tokio::time::sleep(pause).await;
            }
        }
    });
    BoxBody::new(ChannelBody { rx })
}
