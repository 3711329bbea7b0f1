//! The embedded HTTP listener: accepts any method on any path, captures the request, commits
//! it, and only then answers the way the provider requires.

mod body;
mod idle;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::AtomicUsize;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tower::ServiceExt;

pub use body::BodyBudget;
use body::{read_body, BodyRead, Held, KEPT_OF_UNFINISHED};
use idle::{Answering, IdleTimeout};

use crate::capture::DeliveryState;
use crate::capture::{self, Answer, Capture, Incoming, Judgement, Provider, Reason};
use crate::config::Config;
use crate::forward::{self, outbox::Outbox};
use crate::providers;
use crate::responses::{Effect, Responder};
use crate::store::{Committed, Next, Outbound, Routes, Store, StoreError};

/// File descriptors kept back from connections: the store, its index, the app's own.
const RESERVED_FILES: u64 = 256;
/// In-flight requests get this long to finish after a shutdown signal.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);
/// Answers a delay rule may hold back at once; past this, one is answered without its delay,
/// so that a long delay reachable through the tunnel cannot pin every connection slot.
pub const DELAYED_AT_ONCE: usize = 256;

/// What every request handler shares.
#[derive(Clone)]
pub struct Hub {
    pub store: Store,
    pub config: watch::Receiver<Arc<Config>>,
    /// The forward rules of `config`, parsed.
    pub routes: watch::Receiver<Routes>,
    /// The response rules of `config`, with their counts.
    pub responder: watch::Receiver<Responder>,
    pub bodies: BodyBudget,
    /// For pass-through deliveries.
    pub http: reqwest::Client,
    /// Told when deliveries wait.
    pub outbox: Outbox,
    /// Answers being held back by a delay rule ([`DELAYED_AT_ONCE`]).
    pub delayed: Arc<Semaphore>,
    /// Told of each pass-through request answered by hookscope because its queue was busy.
    pub fell_back: Arc<watch::Sender<forward::FellBack>>,
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
                    let Ok(response) = router.oneshot(request).await;
                    drop(answer);
                    if response.extensions().get::<HangUp>().is_some() {
                        return Err(HungUp);
                    }
                    Ok(response)
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

/// Says that only the start of an unfinished body was kept, when that is so.
/// Marks a response that must not be sent: the connection is closed instead.
#[derive(Clone, Copy)]
struct HangUp;

/// The error that makes hyper close a connection without answering.
#[derive(Debug, thiserror::Error)]
#[error("hung up on purpose by a response rule")]
struct HungUp;

/// Sends a committed capture to its pass-through target and returns the target's answer for
/// the provider, or `None` (the rule's answer) when the target is down or misses the
/// provider's deadline; the delivery then stays in the outbox.
async fn pass_through(
    hub: &Hub,
    config: &Config,
    capture: &Capture,
    delivery: &Outbound,
) -> Option<Answer> {
    let deadline = config.pass_through.deadline(capture.judgement.provider);
    let limit = config.listener.max_body_bytes as usize;
    let (attempt, answered) = forward::send(
        &hub.http,
        capture,
        (
            &forward::url_for(capture, &delivery.target),
            delivery.keep_host,
        ),
        // The first attempt: the delivery was created with this capture.
        (Some(&hub.store), 0),
        deadline,
        limit,
    )
    .await;
    let next = match &answered {
        // An answer is the answer, 2xx or not: the provider decides what to resend.
        Some(answered) if (200..300).contains(&answered.status) => {
            Next::Done(DeliveryState::Delivered)
        }
        Some(_) => Next::Done(DeliveryState::Failed),
        None => Next::RetryAt(attempt.at + forward::backoff(0)),
    };
    // The outbox is woken once the attempt is committed: woken before, it read the delivery
    // as still held for this attempt and left the queue behind it waiting until the hold
    // ran out (the deadline and a second).
    let (store, outbox, id) = (hub.store.clone(), hub.outbox.clone(), delivery.id);
    tokio::spawn(async move {
        if store.record_attempt(id, attempt, next).await.is_ok() {
            outbox.wake();
        }
    });
    answered.map(|a| a.as_answer())
}

/// How much of an unfinished body is kept, when not all of it.
fn kept_kib(seen: u64) -> Option<u64> {
    (seen > KEPT_OF_UNFINISHED as u64).then_some(KEPT_OF_UNFINISHED as u64 / 1024)
}

/// Takes one request: reads its body, judges it, lets the response rules have their say,
/// commits it with its deliveries, and only then answers.
async fn capture(
    State(hub): State<Hub>,
    ConnectInfo(remote): ConnectInfo<SocketAddr>,
    request: Request,
) -> Response {
    let started = Instant::now();
    let config = hub.config.borrow().clone();
    let (parts, body) = request.into_parts();
    let mut incoming = incoming(&parts, remote);
    let declared = parts
        .headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    let limit = config.listener.max_body_bytes;
    let timeout = Duration::from_secs(config.listener.read_timeout_secs);
    // Held until the capture is committed, when the body is on disk.
    let mut held = Held::default();
    let read = read_body(body, declared, limit, timeout, &hub.bodies, &mut held).await;
    // What is left of a body not read whole would be taken for the next request.
    let close = !matches!(read, BodyRead::Whole(_));
    let judgement = judge(&mut incoming, read, &config, timeout);
    let mut capture = Capture::new(incoming, judgement);
    // Requests refused before their body was whole are not the rules' to answer.
    let effect = if close {
        Effect::default()
    } else {
        hub.responder.borrow().apply(&mut capture)
    };
    let by_rule = capture
        .judgement
        .reason
        .as_ref()
        .is_some_and(|r| matches!(r, Reason::Rule { .. }));
    let answer = capture.judgement.answer.clone();
    let routes = routes_for(&hub, &parts.headers);
    // Kept only when a pass-through may need to send it on.
    let kept = routes
        .list
        .iter()
        .any(|r| r.pass_through)
        .then(|| capture.clone());
    let provider = capture.judgement.provider;
    let committed = hub.store.commit_and_route(capture, &routes).await;
    // A delayed answer keeps its body's share of the in-flight budget until it is sent, so
    // delays cannot let more bodies in than `max_in_flight_bytes`.
    let slot = if effect.delay.is_zero() || committed.is_err() {
        None
    } else {
        hub.delayed.clone().try_acquire_owned().ok()
    };
    let held_back = match slot {
        Some(slot) => Some((slot, held)),
        None => {
            drop(held);
            None
        }
    };
    let committed = match committed {
        Ok(committed) => committed,
        Err(e) => return not_saved(e),
    };
    let passed = match by_rule {
        // A response rule answers instead of a pass-through target.
        true => None,
        false => deliver_inline(&hub, &config, &committed, kept, provider).await,
    };
    if !committed.deliveries.is_empty() {
        hub.outbox.wake();
    }
    // Only a real delay: tokio's timer rounds every deadline up to its next millisecond, so
    // even a zero sleep held each answer back by up to 1 ms (a third of the rate).
    if let Some(held_back) = held_back {
        tokio::time::sleep(effect.delay).await;
        drop(held_back);
    }
    let answer = passed.clone().unwrap_or(answer);
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    hub.store.record_answer(committed.id, elapsed_ms, passed);
    respond(answer, committed.id, effect.hang_up, close)
}

/// The request as captured so far: everything but its body.
fn incoming(parts: &axum::http::request::Parts, remote: SocketAddr) -> Incoming {
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
    Incoming {
        received_at: time::OffsetDateTime::now_utc(),
        remote_addr: remote.to_string(),
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().unwrap_or_default().to_owned(),
        headers,
        body: Vec::new(),
        size: 0,
    }
}

/// Puts what was read of the body into the capture and judges it: by its provider's rules
/// when the body came whole, refused with the reason otherwise.
fn judge(incoming: &mut Incoming, read: BodyRead, config: &Config, timeout: Duration) -> Judgement {
    let limit = config.listener.max_body_bytes;
    match read {
        BodyRead::Whole(bytes) => {
            incoming.size = bytes.len() as u64;
            incoming.body = bytes;
            providers::judge(incoming, config)
        }
        BodyRead::TooLarge { seen } => {
            incoming.size = seen;
            let reason = Reason::TooLarge { size: seen, limit };
            providers::refuse(incoming, 413, reason)
        }
        BodyRead::OverBudget { seen } => {
            incoming.size = seen;
            let reason = Reason::Busy {
                budget_mib: config.listener.max_in_flight_bytes >> 20,
            };
            let mut judgement = providers::refuse(incoming, 503, reason);
            judgement
                .answer
                .headers
                .push(("retry-after".into(), "5".into()));
            judgement
        }
        BodyRead::TimedOut { kept, seen } => {
            let reason = Reason::SlowBody {
                seconds: timeout.as_secs(),
                seen,
                kept_kib: kept_kib(seen),
            };
            (incoming.size, incoming.body) = (seen, kept);
            providers::refuse(incoming, 408, reason)
        }
        BodyRead::Broken { kept, seen, error } => {
            let reason = Reason::BrokenBody {
                error: error.to_string(),
                kept_kib: kept_kib(seen),
            };
            (incoming.size, incoming.body) = (seen, kept);
            providers::refuse(incoming, 400, reason)
        }
    }
}

/// The forward rules for this request: none for a forward of this hookscope's that came back
/// to it, which is kept but never forwarded again.
fn routes_for(hub: &Hub, headers: &axum::http::HeaderMap) -> Routes {
    let came_back = forward::came_back(
        hub.store.name(),
        headers
            .get_all(forward::FORWARDED_BY)
            .iter()
            .map(HeaderValue::as_bytes),
    );
    match came_back {
        true => Routes::default(),
        false => hub.routes.borrow().clone(),
    }
}

/// The pass-through target's answer, when a pass-through delivery was created to be tried
/// at once. A pass-through rule that matched while an earlier delivery of its queue still
/// waits gets hookscope's answer instead, and the delivery waits behind that one: said, not
/// silent.
async fn deliver_inline(
    hub: &Hub,
    config: &Config,
    committed: &Committed,
    kept: Option<Capture>,
    provider: Provider,
) -> Option<Answer> {
    let inline = committed.deliveries.iter().find(|d| d.inline);
    match (inline, kept) {
        (Some(delivery), Some(mut capture)) => {
            capture.id = committed.id;
            pass_through(hub, config, &capture, delivery).await
        }
        (None, _) => {
            if let Some(queued) = committed.deliveries.iter().find(|d| d.pass_through) {
                hub.fell_back.send_modify(|f| {
                    f.count += 1;
                    f.last = Some((queued.target.clone(), provider));
                });
            }
            None
        }
        (Some(_), None) => None,
    }
}

/// The answer as sent: the capture's id among its headers, the connection closed after a body
/// that was not read whole, or no answer at all when a rule hangs up.
fn respond(answer: Answer, id: i64, hang_up: bool, close: bool) -> Response {
    let mut sent = axum::http::HeaderMap::new();
    for (name, value) in answer.sent_headers(id) {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            sent.insert(name, value);
        }
    }
    // A plain body: its type is among the headers sent, as the detail pane shows them.
    let mut response = (
        StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK),
        axum::body::Body::from(answer.body),
    )
        .into_response();
    if hang_up {
        response.extensions_mut().insert(HangUp);
    }
    let headers = response.headers_mut();
    headers.extend(sent);
    if close {
        headers.insert(
            axum::http::header::CONNECTION,
            HeaderValue::from_static("close"),
        );
    }
    response
}

/// Not acknowledged, so the provider will send it again: nothing is lost. The writer says why
/// once, not once a request (`Change::NotSaved`).
fn not_saved(e: StoreError) -> Response {
    tracing::debug!("{e}");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        format!("hookscope could not save this request, so it is not acknowledged; send it again. ({e})\n"),
    )
        .into_response()
}
