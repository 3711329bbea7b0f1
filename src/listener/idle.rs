//! Connections that send nothing are closed: behind a tunnel every connection comes from the
//! same agent, so what keeps the listener's slots free is time, not addresses.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Counts the requests of one connection being answered; the idle timeout waits for them.
pub struct Answering(Arc<AtomicUsize>);

impl Answering {
    pub fn start(count: &Arc<AtomicUsize>) -> Answering {
        count.fetch_add(1, Ordering::Relaxed);
        Answering(count.clone())
    }
}

impl Drop for Answering {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A connection's reads fail with `TimedOut` once no byte has come for `idle` while none of
/// its requests is being answered.
pub struct IdleTimeout<S> {
    io: S,
    idle: Duration,
    answering: Arc<AtomicUsize>,
    /// Reset, not rebuilt, each time a read starts waiting: one timer per connection.
    deadline: Pin<Box<tokio::time::Sleep>>,
    waiting: bool,
}

impl<S> IdleTimeout<S> {
    pub fn new(io: S, idle: Duration, answering: Arc<AtomicUsize>) -> Self {
        IdleTimeout {
            io,
            idle,
            answering,
            deadline: Box::pin(tokio::time::sleep(idle)),
            waiting: false,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for IdleTimeout<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let read = Pin::new(&mut this.io).poll_read(cx, buf);
        if read.is_ready() || this.answering.load(Ordering::Relaxed) > 0 {
            this.waiting = false;
            return read;
        }
        if !this.waiting {
            this.waiting = true;
            let until = tokio::time::Instant::now() + this.idle;
            this.deadline.as_mut().reset(until);
        }
        match this.deadline.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!("nothing came for {:?}", this.idle),
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for IdleTimeout<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
}
