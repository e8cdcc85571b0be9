//! A request body must keep arriving. actix-web gives up on unfinished headers (after five
//! seconds) but would wait for a body shorter than its `Content-Length` as long as the client
//! keeps the connection open; here every body read waits at most `body_timeout_seconds` for its
//! next bytes, then fails with a timed-out [`PayloadError`] that the extractors answer with 408.
//!
//! A read timeout rather than a deadline for the whole body: a large report upload over a slow
//! link keeps going as long as its bytes do.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::HttpMessage;
use futures::Stream;
use tokio::time::{Instant, Sleep};

/// The middleware: wraps the body of every request that has one.
pub async fn limit(
    timeout: Duration,
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if has_body(&req) {
        let inner = req.take_payload();
        let timed: Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>> =
            Box::pin(TimedPayload {
                inner,
                timeout,
                sleep: Box::pin(tokio::time::sleep(timeout)),
                timed_out: false,
            });
        req.set_payload(Payload::from(timed));
    }
    next.call(req).await
}

/// Whether a payload error is this module's timeout.
pub fn is_timeout(e: &PayloadError) -> bool {
    matches!(e, PayloadError::Io(io) if io.kind() == std::io::ErrorKind::TimedOut)
}

fn has_body(req: &ServiceRequest) -> bool {
    let headers = req.headers();
    let length = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    length.is_some_and(|n| n > 0) || headers.contains_key(header::TRANSFER_ENCODING)
}

struct TimedPayload {
    inner: Payload,
    timeout: Duration,
    /// Fires when no bytes came for `timeout`; reset by every chunk.
    sleep: Pin<Box<Sleep>>,
    timed_out: bool,
}

impl Stream for TimedPayload {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.timed_out {
            return Poll::Ready(None);
        }
        match Pin::new(&mut this.inner).poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                this.sleep.as_mut().reset(Instant::now() + this.timeout);
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Pending => match this.sleep.as_mut().poll(cx) {
                Poll::Ready(()) => {
                    this.timed_out = true;
                    Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        "the request body stopped arriving",
                    )))))
                }
                Poll::Pending => Poll::Pending,
            },
            done => done,
        }
    }
}
