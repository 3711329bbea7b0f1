//! The embedded HTTP listener: accepts any method on any path, captures the request, commits
//! it, and only then answers the way the provider requires.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use http_body_util::BodyExt;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tower::ServiceExt;

use crate::capture::{self, Capture, Incoming};
use crate::config::Config;
use crate::providers;
use crate::store::Store;

/// File descriptors kept back from connections: the store, its index, the app's own.
const RESERVED_FILES: u64 = 256;
/// In-flight requests get this long to finish after a shutdown signal.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// What every request handler shares.
#[derive(Clone)]
pub struct Hub {
    pub store: Store,
    pub config: watch::Receiver<Arc<Config>>,
}

pub fn router(hub: Hub) -> Router {
    Router::new().fallback(capture).with_state(hub)
}

/// Serves `listener` until `shutdown` completes, then lets in-flight requests finish.
///
/// A connection that sends nothing for `read_timeout` while no request of its own is being
/// answered is closed, in every phase (the HTTP/1-or-2 sniff, headers, keep-alive, an HTTP/2
/// preface and silence), and headers must be whole within it (slowloris). Behind a tunnel every
/// connection comes from the same agent, so what protects the slots is time, not addresses.
pub async fn run(
    listener: TcpListener,
    router: Router,
    read_timeout: Duration,
    shutdown: impl Future<Output = ()>,
) {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(read_timeout);
    let graceful = GracefulShutdown::new();
    let slots = Arc::new(Semaphore::new(connection_slots()));
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            accepted = accept(&listener, &slots) => accepted,
            () = &mut shutdown => break,
        };
        let Some((stream, remote, slot)) = accepted else {
            continue;
        };
        let router = router.clone();
        let answering = Arc::new(AtomicUsize::new(0));
        let io = IdleTimeout::new(stream, read_timeout, answering.clone());
        let service =
            hyper::service::service_fn(move |mut request: Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(ConnectInfo(remote));
                let answer = Answering::start(&answering);
                let router = router.clone();
                async move {
                    let response = router.oneshot(request).await;
                    drop(answer);
                    response
                }
            });
        let connection = builder
            .serve_connection_with_upgrades(TokioIo::new(io), service)
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("some requests were still running {DRAIN_TIMEOUT:?} after shutdown; they were cut off unacknowledged");
    }
}

/// As many connections as the process may open files, after raising its soft limit to the
/// hard one: idle and slow clients then cannot take every slot before the read timeout frees
/// them. Beyond the slots, connections wait in the kernel's backlog.
fn connection_slots() -> usize {
    #[cfg(unix)]
    {
        use rustix::process::{getrlimit, setrlimit, Resource};
        let mut files = getrlimit(Resource::Nofile);
        if files.current != files.maximum {
            files.current = files.maximum;
            let _ = setrlimit(Resource::Nofile, files);
        }
        let open_files = getrlimit(Resource::Nofile).current.unwrap_or(1 << 20);
        open_files.saturating_sub(RESERVED_FILES).clamp(64, 1 << 16) as usize
    }
    #[cfg(not(unix))]
    {
        let _ = RESERVED_FILES;
        1024
    }
}

/// Counts the requests of one connection being answered; the idle timeout waits for them.
struct Answering(Arc<AtomicUsize>);

impl Answering {
    fn start(count: &Arc<AtomicUsize>) -> Answering {
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
struct IdleTimeout<S> {
    io: S,
    idle: Duration,
    answering: Arc<AtomicUsize>,
    deadline: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl<S> IdleTimeout<S> {
    fn new(io: S, idle: Duration, answering: Arc<AtomicUsize>) -> Self {
        IdleTimeout {
            io,
            idle,
            answering,
            deadline: None,
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
            this.deadline = None;
            return read;
        }
        let idle = this.idle;
        let deadline = this
            .deadline
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(idle)));
        match deadline.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!("nothing came for {idle:?}"),
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

async fn accept(
    listener: &TcpListener,
    slots: &Arc<Semaphore>,
) -> Option<(
    tokio::net::TcpStream,
    SocketAddr,
    tokio::sync::OwnedSemaphorePermit,
)> {
    let slot = slots.clone().acquire_owned().await.ok()?;
    match listener.accept().await {
        Ok((stream, remote)) => {
            let _ = stream.set_nodelay(true);
            Some((stream, remote, slot))
        }
        Err(e) => {
            // Out of file descriptors and the like: wait a moment rather than spin or die.
            tracing::warn!("could not accept a connection: {e}");
            tokio::time::sleep(Duration::from_millis(50)).await;
            None
        }
    }
}

/// How reading a request body ended.
enum BodyRead {
    Whole(Vec<u8>),
    TooLarge { seen: u64 },
    TimedOut(Vec<u8>),
    Broken(Vec<u8>, String),
}

/// A body still arriving after `timeout` is captured as far as it got.
async fn read_body(body: Body, declared: Option<u64>, limit: u64, timeout: Duration) -> BodyRead {
    if let Some(size) = declared.filter(|&size| size > limit) {
        return BodyRead::TooLarge { seen: size };
    }
    let mut body = body;
    let mut bytes = Vec::with_capacity(declared.unwrap_or(0) as usize);
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        match tokio::time::timeout_at(deadline, body.frame()).await {
            Err(_) => return BodyRead::TimedOut(bytes),
            Ok(None) => return BodyRead::Whole(bytes),
            Ok(Some(Err(e))) => return BodyRead::Broken(bytes, e.to_string()),
            Ok(Some(Ok(frame))) => {
                if let Ok(data) = frame.into_data() {
                    if bytes.len() as u64 + data.len() as u64 > limit {
                        return BodyRead::TooLarge {
                            seen: bytes.len() as u64 + data.len() as u64,
                        };
                    }
                    bytes.extend_from_slice(&data);
                }
            }
        }
    }
}

async fn capture(
    State(hub): State<Hub>,
    ConnectInfo(remote): ConnectInfo<SocketAddr>,
    request: Request,
) -> Response {
    let started = Instant::now();
    let config = hub.config.borrow().clone();
    let (parts, body) = request.into_parts();
    let headers = parts
        .headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                capture::HeaderValue::from_bytes(value.as_bytes()),
            )
        })
        .collect();
    let declared = parts
        .headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    let mut incoming = Incoming {
        received_at: time::OffsetDateTime::now_utc(),
        remote_addr: remote.to_string(),
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().unwrap_or_default().to_owned(),
        headers,
        body: Vec::new(),
        size: 0,
    };
    let limit = config.listener.max_body_bytes;
    let timeout = Duration::from_secs(config.listener.read_timeout_secs);
    let judgement = match read_body(body, declared, limit, timeout).await {
        BodyRead::Whole(bytes) => {
            incoming.size = bytes.len() as u64;
            incoming.body = bytes;
            providers::judge(&incoming, &config)
        }
        BodyRead::TooLarge { seen } => {
            incoming.size = seen;
            let reason = format!(
                "the body of {seen} bytes is over the {limit}-byte limit ([listener] max_body_bytes)"
            );
            providers::refuse(&incoming, 413, reason)
        }
        BodyRead::TimedOut(bytes) => {
            incoming.size = bytes.len() as u64;
            incoming.body = bytes;
            let reason = format!(
                "the body did not arrive within {} s; {} bytes came",
                timeout.as_secs(),
                incoming.size
            );
            providers::refuse(&incoming, 408, reason)
        }
        BodyRead::Broken(bytes, error) => {
            incoming.size = bytes.len() as u64;
            incoming.body = bytes;
            providers::refuse(&incoming, 400, format!("the body broke off: {error}"))
        }
    };
    let answer = judgement.answer.clone();
    match hub.store.commit(Capture::new(incoming, judgement)).await {
        Ok(committed) => {
            hub.store
                .record_elapsed(committed.id, started.elapsed().as_secs_f64() * 1000.0);
            let mut response = (
                StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK),
                answer.body,
            )
                .into_response();
            let headers = response.headers_mut();
            for (name, value) in &answer.headers {
                if let (Ok(name), Ok(value)) = (
                    HeaderName::from_bytes(name.as_bytes()),
                    HeaderValue::from_str(value),
                ) {
                    headers.insert(name, value);
                }
            }
            headers.insert("x-hookscope-capture", HeaderValue::from(committed.id));
            response
        }
        Err(e) => {
            // Not acknowledged, so the provider will send it again: nothing is lost.
            tracing::error!("{e}");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                format!("hookscope could not save this request, so it is not acknowledged; send it again. ({e})\n"),
            )
                .into_response()
        }
    }
}
