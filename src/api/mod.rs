//! hookscope's API for scripts, tests and assistants: the captures as they arrive, over HTTP
//! on a listener of its own (never the webhook port, which the tunnel exposes), served by the
//! engine for `serve` and the app alike. `hookscope wait` and `hookscope mcp` are its clients
//! ([`client`]).
//!
//! Every request needs `Authorization: Bearer <token>` ([`token`]), loopback included: other
//! local users and web pages exist. A `Host` other than the API's own address or `localhost`
//! is refused (DNS rebinding), and no CORS headers are sent, so a page cannot read answers.
//!
//! * `GET /api/v1/status`
//! * `GET /api/v1/captures?filter=&after=&before=&limit=` — newest first, or oldest first
//!   after a cursor; `GET /api/v1/captures/{id}`, `…/{id}/body` (the exact bytes),
//!   `…/{id}/timeline`
//! * `GET /api/v1/events?filter=&after=` — Server-Sent Events ([`stream`])
//! * `GET /api/v1/wait?filter=&after=&timeout=` — the first match, or 408
//! * `POST /api/v1/captures/{id}/replay`, `POST /api/v1/samples/{name}`
//! * `/api/v1/providers/{green-api|moysklad|reestr|kontur}/…` — the host's provider accounts,
//!   lent to those attached ([`providers`])
//!
//! A capture is what `hookscope captures --json` prints, with the configured secrets masked
//! as in exports unless `?unmasked=1`: whoever holds the token can read the settings file's
//! folder anyway, so that is for the token's holder to ask, never the default.

pub mod client;
mod feed;
pub mod providers;
mod stream;
pub mod token;
pub mod users;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Extension, Path, Query, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::Router;
use serde_json::{json, Value};
use tokio::sync::watch;

use crate::capture::{Capture, Provider};
use crate::config::Config;
use crate::export::Masker;
use crate::filter::Filter;
use crate::forward::replay::{self, Edits};
use crate::store::{Store, StoreReader};
pub use feed::CaptureFeed;
pub use stream::parse_duration;
pub use token::{Announced, Token};
use users::Users;

/// Which API this is: raised when a client of an older one could no longer understand it
/// (`attach` refuses a host whose API is newer than its own).
pub const API_VERSION: u32 = 1;
/// The most captures one list answer holds.
pub const MOST: usize = 1000;
/// The longest a `wait` may be asked to wait.
pub const LONGEST_WAIT: Duration = Duration::from_secs(300);
/// The largest body a POST may carry.
const LARGEST_POST: usize = 1 << 20;

/// What every API handler shares.
#[derive(Clone)]
pub struct Api {
    pub store: Store,
    pub config: watch::Receiver<Arc<Config>>,
    /// The webhook listener's address, for `status` and samples.
    pub listener: SocketAddr,
    /// This API's own address, for the `Host` check.
    pub addr: SocketAddr,
    pub token: Token,
    /// The team host's users and their tokens, as the users file says now.
    pub users: watch::Receiver<Arc<Users>>,
    pub started_at: time::OffsetDateTime,
    /// Every commit's captures with their JSON, for the event stream and the long poll.
    pub feed: CaptureFeed,
}

/// A refusal, as JSON: `{"error": "a sentence"}`, marked [`REFUSAL`] so that a provider
/// client reaching a host's lent account tells it from the provider's own answer.
pub struct Refusal(StatusCode, String);

/// The header on every refusal of the API.
pub const REFUSAL: &str = "x-hookscope-refusal";

impl Refusal {
    fn new(status: StatusCode, sentence: impl Into<String>) -> Refusal {
        Refusal(status, sentence.into())
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let marked = [(REFUSAL, "1")];
        (self.0, marked, axum::Json(json!({ "error": self.1 }))).into_response()
    }
}

impl From<crate::store::StoreError> for Refusal {
    fn from(e: crate::store::StoreError) -> Refusal {
        Refusal::new(StatusCode::SERVICE_UNAVAILABLE, e.to_string())
    }
}

type Reply = Result<Response, Refusal>;

pub fn router(api: Api) -> Router {
    Router::new()
        .route("/api/v1/status", get(status))
        .route("/api/v1/captures", get(list))
        .route("/api/v1/captures/{id}", get(one))
        .route("/api/v1/captures/{id}/body", get(body))
        .route("/api/v1/captures/{id}/timeline", get(timeline))
        .route("/api/v1/captures/{id}/replay", post(replay))
        .route("/api/v1/events", get(stream::events))
        .route("/api/v1/wait", get(stream::wait))
        .route("/api/v1/samples/{name}", post(sample))
        .route("/api/v1/providers/{provider}/{*rest}", any(providers::lend))
        .fallback(|| async {
            Refusal::new(
                StatusCode::NOT_FOUND,
                "There is no such API address; the API is under /api/v1 (see the README).",
            )
        })
        .layer(middleware::from_fn_with_state(api.clone(), guard))
        .with_state(api)
}

/// Who a request comes from, by its token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Caller {
    /// The owner's token (`api-token`): everything.
    Owner,
    /// A team host's user, by name: reading and following captures, not sending requests out.
    User(String),
}

impl Caller {
    /// Refuses what only the host's owner may ask for.
    fn owner_only(&self, what: &str) -> Result<(), Refusal> {
        match self {
            Caller::Owner => Ok(()),
            Caller::User(name) => Err(Refusal::new(
                StatusCode::FORBIDDEN,
                format!("{what} is for the host's owner only; {name}'s token cannot ask for it. Ask on the host, or from there with its own token."),
            )),
        }
    }
}

/// Refuses a request with a foreign `Host` or without a token, before any handler runs, and
/// says who made it to the handlers ([`Caller`]).
async fn guard(State(api): State<Api>, mut request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| request.uri().authority().map(|a| a.as_str()))
        .unwrap_or("");
    if !own_host(host, api.addr, &api.config.borrow().api.hosts) {
        let sentence = format!(
            "The Host {host:?} is not this API's address; call it as http://{} or http://localhost:{}.",
            api.addr,
            api.addr.port()
        );
        return Refusal::new(StatusCode::FORBIDDEN, sentence).into_response();
    }
    let offered = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::to_string)
        .or_else(|| providers::presented(&request))
        .unwrap_or_default();
    let offered = offered.trim();
    let caller = match api.token.accepts(offered) {
        true => Caller::Owner,
        false => match api.users.borrow().who(offered) {
            Some(name) => Caller::User(name.to_string()),
            None => {
                let sentence = format!(
                    "This API needs Authorization: Bearer <token>: the owner's token is in {}, and a team host's user gets one from `hookscope api token add NAME` on the host.",
                    api.token.file.display()
                );
                return Refusal::new(StatusCode::UNAUTHORIZED, sentence).into_response();
            }
        },
    };
    request.extensions_mut().insert(caller);
    next.run(request).await
}

/// Whether `host` (a `Host` header) names the API at `addr`: its own address (any address
/// when it listens on all of them) or `localhost`, with its port when a port is given; or one
/// of the names in `[api] hosts`, with any port (a proxy in front may listen on another).
fn own_host(host: &str, addr: SocketAddr, also: &[String]) -> bool {
    let (name, port) = match host.rsplit_once(':') {
        Some((name, port)) if !port.contains(']') => (name, Some(port)),
        _ => (host, None),
    };
    let name = name.trim_start_matches('[').trim_end_matches(']');
    if also.iter().any(|h| h.eq_ignore_ascii_case(name)) {
        return true;
    }
    let port_ok = port.is_none_or(|p| p.parse::<u16>() == Ok(addr.port()));
    let ip_ok = match name.parse::<std::net::IpAddr>() {
        Ok(ip) => ip == addr.ip() || addr.ip().is_unspecified(),
        Err(_) => false,
    };
    port_ok && (ip_ok || name.eq_ignore_ascii_case("localhost"))
}

/// Query parameters; unknown ones are ignored.
type Params = Query<HashMap<String, String>>;

fn param<T: std::str::FromStr>(params: &Params, name: &str) -> Result<Option<T>, Refusal> {
    params
        .get(name)
        .filter(|v| !v.is_empty())
        .map(|v| {
            v.parse().map_err(|_| {
                Refusal::new(
                    StatusCode::BAD_REQUEST,
                    format!("{name}={v:?} is not a valid {name}."),
                )
            })
        })
        .transpose()
}

fn filter(params: &Params) -> Result<Filter, Refusal> {
    let query = params.get("filter").map_or("", String::as_str);
    Filter::parse(query).map_err(|e| {
        Refusal::new(
            StatusCode::BAD_REQUEST,
            format!("The filter has a mistake: {e}"),
        )
    })
}

/// Whether the request asks for the secrets unmasked (`?unmasked=1`).
fn unmasked(params: &Params) -> bool {
    params
        .get("unmasked")
        .is_some_and(|v| v == "1" || v == "true")
}

impl Api {
    /// What masks the secrets in this request's answer: those of the settings, or none when it
    /// says `unmasked=1`. Made once a request, not once a capture.
    fn masker(&self, params: &Params) -> Masker {
        match unmasked(params) {
            true => Masker::default(),
            false => Masker::new(&self.config.borrow()),
        }
    }

    /// Runs `read` on a reader of its own, off the async threads.
    async fn read<T: Send + 'static>(
        &self,
        read: impl FnOnce(&StoreReader) -> Result<T, crate::store::StoreError> + Send + 'static,
    ) -> Result<T, Refusal> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || read(&store.reader()?))
            .await
            .map_err(|e| Refusal::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
            .map_err(Refusal::from)
    }

    async fn capture(&self, id: i64) -> Result<Capture, Refusal> {
        self.read(move |r| r.get(id)).await?.ok_or_else(|| {
            Refusal::new(
                StatusCode::NOT_FOUND,
                format!(
                    "There is no capture #{id}: it never was, or retention or a delete removed it."
                ),
            )
        })
    }
}

async fn status(State(api): State<Api>) -> Reply {
    let (count, newest, bytes) = api
        .read(|r| Ok((r.count()?, r.newest_id()?, r.used_bytes()?)))
        .await?;
    let config = api.config.borrow().clone();
    let base = format!("http://{}", api.listener);
    let webhooks: serde_json::Map<String, Value> =
        [Provider::Reestr, Provider::GreenApi, Provider::Moysklad]
            .into_iter()
            .map(|p| (p.name().to_string(), json!(p.webhook_url(&base))))
            .collect();
    let public = Some(config.tunnel.public_url.as_str()).filter(|u| !u.is_empty());
    // The host's own answers and faults, for those attached to it to see.
    let responses: Vec<Value> = (1..)
        .zip(&config.respond)
        .filter(|(_, rule)| rule.enabled)
        .map(|(n, rule)| json!({ "rule": n, "as": rule }))
        .collect();
    Ok(axum::Json(json!({
        "version": env!("CARGO_PKG_VERSION"),
        "api_version": API_VERSION,
        "listener": base,
        "webhook_urls": webhooks,
        "public_url": public,
        "api": format!("http://{}/api/v1", api.addr),
        "captures": count,
        "newest_id": newest,
        "store_bytes": bytes,
        "store": api.store.path().display().to_string(),
        "responses": responses,
        "started_at": crate::capture::format_rfc3339(api.started_at),
    }))
    .into_response())
}

async fn list(State(api): State<Api>, params: Params) -> Reply {
    let filter = filter(&params)?;
    let after: Option<i64> = param(&params, "after")?;
    let before: Option<i64> = param(&params, "before")?;
    let limit = param::<usize>(&params, "limit")?.unwrap_or(50).min(MOST);
    let page = api
        .read(move |r| r.page(&filter, after, before, limit))
        .await?;
    let masker = api.masker(&params);
    let shown: Vec<Value> = page.iter().map(|c| feed::shown(&masker, c)).collect();
    Ok(axum::Json(json!({ "captures": shown })).into_response())
}

async fn one(State(api): State<Api>, Path(id): Path<i64>, params: Params) -> Reply {
    let capture = api.capture(id).await?;
    Ok(axum::Json(feed::shown(&api.masker(&params), &capture)).into_response())
}

/// The body's exact bytes with the captured `Content-Type` (masked unless `unmasked=1`).
async fn body(State(api): State<Api>, Path(id): Path<i64>, params: Params) -> Reply {
    let capture = api.masker(&params).capture(&api.capture(id).await?);
    let kind = capture
        .request
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        .and_then(|(_, v)| v.as_str().map(str::to_string))
        .unwrap_or_else(|| "application/octet-stream".into());
    let mut response = capture.request.body.into_response();
    if let Ok(kind) = header::HeaderValue::from_str(&kind) {
        response.headers_mut().insert(header::CONTENT_TYPE, kind);
    }
    Ok(response)
}

async fn timeline(State(api): State<Api>, Path(id): Path<i64>) -> Reply {
    api.capture(id).await?;
    let arrivals = api.read(move |r| r.timeline(id)).await?;
    let shown: Vec<Value> = arrivals
        .iter()
        .map(|a| {
            json!({
                "id": a.id,
                "received_at": crate::capture::format_rfc3339(a.received_at),
                "status": a.status,
                "elapsed_ms": a.elapsed_ms,
                "reason": a.reason.as_ref().map(ToString::to_string),
            })
        })
        .collect();
    Ok(axum::Json(json!({ "arrivals": shown })).into_response())
}

/// A POST's JSON body, at most [`LARGEST_POST`] bytes; empty reads as `{}`.
async fn posted(request: Request) -> Result<Value, Refusal> {
    let limited = axum::body::to_bytes(request.into_body(), LARGEST_POST)
        .await
        .map_err(|_| {
            Refusal::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("The request body is over {LARGEST_POST} bytes."),
            )
        })?;
    if limited.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    serde_json::from_slice(&limited).map_err(|e| {
        Refusal::new(
            StatusCode::BAD_REQUEST,
            format!("The request body is not JSON: {e}"),
        )
    })
}

/// `{"to": URL, "method", "path", "query", "headers": {name: value}, "body": text}`: sends the
/// capture again as the CLI's `replay` does, and records the attempt with it. Without `to`, it
/// goes to hookscope's own listener.
/// The owner's only: the host would send requests wherever a user asks.
async fn replay(
    State(api): State<Api>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
    request: Request,
) -> Reply {
    caller.owner_only("Replay")?;
    let asked = posted(request).await?;
    let original = api.capture(id).await?;
    let text = |name: &str| asked.get(name).and_then(Value::as_str).map(str::to_string);
    let to = text("to").unwrap_or_else(|| format!("http://{}", api.listener));
    crate::forward::check_target(&to)
        .map_err(|e| Refusal::new(StatusCode::BAD_REQUEST, e.to_string()))?;
    let headers = match asked.get("headers") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(n, v)| {
                (
                    n.clone(),
                    v.as_str().map_or_else(|| v.to_string(), str::to_string),
                )
            })
            .collect(),
        Some(_) => {
            return Err(Refusal::new(
                StatusCode::BAD_REQUEST,
                "headers must be an object of names and values, like {\"X-Test\": \"1\"}.",
            ))
        }
    };
    let edits = Edits {
        method: text("method"),
        path: text("path"),
        query: text("query"),
        headers,
        replace_headers: false,
        body: text("body").map(String::into_bytes),
    };
    edits
        .check()
        .map_err(|e| Refusal::new(StatusCode::BAD_REQUEST, e.to_string()))?;
    let attempt = replay::replay_one(&crate::forward::client(), &original, &to, &edits).await;
    let url = replay::replay_url(&edits.apply(&original), &to);
    let outcome = match &attempt.outcome {
        crate::store::Outcome::Answered { status, .. } => json!({ "status": status }),
        crate::store::Outcome::Failed(error) => json!({ "error": error }),
    };
    let elapsed_ms = attempt.elapsed_ms;
    let edited = edits.changes_something();
    let delivery = api.store.record_replay(id, &to, edited, attempt).await?;
    Ok(axum::Json(json!({
        "capture": id,
        "url": url,
        "delivery": delivery,
        "edited": edited,
        "elapsed_ms": elapsed_ms,
        "outcome": outcome,
    }))
    .into_response())
}

/// Sends a built-in sample to this hookscope's listener.
async fn sample(State(api): State<Api>, Path(name): Path<String>) -> Reply {
    let Some(sample) = crate::samples::find(&name) else {
        let names: Vec<&str> = crate::samples::SAMPLES.iter().map(|s| s.name).collect();
        return Err(Refusal::new(
            StatusCode::NOT_FOUND,
            format!(
                "There is no sample {name:?}; there are {}.",
                names.join(", ")
            ),
        ));
    };
    let config = api.config.borrow().clone();
    let sent = crate::samples::send(sample, &config, &format!("http://{}", api.listener))
        .await
        .map_err(|e| Refusal::new(StatusCode::BAD_GATEWAY, e.to_string()))?;
    let sent: Vec<Value> = sent
        .iter()
        .map(|s| json!({ "url": s.url, "status": s.status, "capture": s.capture }))
        .collect();
    Ok(axum::Json(json!({ "sample": name, "sent": sent })).into_response())
}

/// Serves `router` on `listener` until `shutdown` completes.
pub async fn run(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) {
    let (stopping, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = axum::serve(listener, router).with_graceful_shutdown(async move {
        shutdown.await;
        let _ = stopping.send(());
    });
    // Event streams and long polls never end by themselves: once asked to stop, requests get
    // a moment to finish, and then every connection is dropped.
    tokio::select! {
        _ = server => {}
        _ = async {
            let _ = stopped.await;
            tokio::time::sleep(STOP_GRACE).await;
        } => {}
    }
}

/// How long requests may go on after the API is asked to stop.
const STOP_GRACE: Duration = Duration::from_secs(1);

#[cfg(test)]
mod tests {
    use super::own_host;

    #[test]
    fn only_its_own_address_or_localhost_is_a_host() {
        let addr = "127.0.0.1:8788".parse().unwrap();
        let own = |host| own_host(host, addr, &[]);
        assert!(own("127.0.0.1:8788"));
        assert!(own("localhost:8788"));
        assert!(own("LOCALHOST"));
        assert!(own("127.0.0.1"));
        assert!(!own("127.0.0.1:9999"));
        assert!(!own("evil.example:8788"));
        assert!(!own("localhost.evil.example:8788"));
        assert!(!own("10.0.0.5:8788"));
        assert!(!own(""));
        let v6 = "[::1]:8788".parse().unwrap();
        assert!(own_host("[::1]:8788", v6, &[]));
        assert!(!own_host("[::2]:8788", v6, &[]));
    }

    #[test]
    fn a_host_on_every_address_answers_to_its_addresses_and_the_names_it_is_given() {
        let addr = "0.0.0.0:8788".parse().unwrap();
        let names = ["api.team.example".to_string()];
        let own = |host| own_host(host, addr, &names);
        assert!(own("10.0.0.5:8788"));
        assert!(own("api.team.example"));
        assert!(own("API.team.example:443"));
        assert!(!own("10.0.0.5:9999"));
        assert!(!own("evil.example:8788"));
        assert!(!own("team.example"));
    }
}
