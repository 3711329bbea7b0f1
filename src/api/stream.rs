//! Captures as they are committed: the event stream (`/events`, Server-Sent Events) and the
//! long poll (`/wait`) follow the same [`Follow`].
//!
//! A follower subscribes to the [`CaptureFeed`] first and then reads what the store already holds
//! after its cursor, so a capture committed in between is in one or the other; ids only grow,
//! so one seen twice is skipped. A follower that falls behind the feed (a client that stops
//! reading: the feed is bounded and never waits for it) reads what it missed from the store:
//! nothing is missed, nothing comes twice, and nobody else slows down.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Extension, State};
use axum::http::header;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use futures_util::{FutureExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::sync::watch;

use super::feed::{self, CaptureFeed, Commit, Published};
use super::users::Users;
use super::{filter, param, unmasked, Api, Caller, Params, Refusal, Reply, LONGEST_WAIT};
use crate::capture::Capture;
use crate::export::Masker;
use crate::filter::Filter;
use crate::store::Change;

/// Captures read from the store at once while catching up.
const CATCH_UP: usize = 200;
/// The most bytes of events one write holds: a client far behind gets its catch-up in pieces.
const BATCH: usize = 64 * 1024;
/// How often an idle stream says it is alive.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// An event stream that has handed on all it had waits this long before it looks again, so
/// that what arrived meanwhile goes out in one write: under load, one write a client every
/// few milliseconds instead of one for each commit, at a few milliseconds of lateness.
const PACE: Duration = Duration::from_millis(5);

/// What a follower has yet to hand on.
enum Pending {
    Capture(Ready),
    Change(Change),
}

/// A matching capture: from the feed, with its event made already, or read from the store.
enum Ready {
    Published(Arc<Commit>, usize),
    Read(Box<Capture>),
}

impl Ready {
    fn capture(&self) -> &Capture {
        match self {
            Ready::Published(commit, at) => &commit.captures[*at],
            Ready::Read(capture) => capture,
        }
    }

    /// Its `capture` event, with the secrets of `masker` masked unless the request asked for
    /// them `unmasked`: the feed's, shared, or made for this one read from the store.
    fn event(&self, masker: &Masker, unmasked: bool) -> Bytes {
        match self {
            Ready::Published(commit, at) => commit.events[*at].event(self.capture(), unmasked),
            Ready::Read(capture) => feed::event(capture.id, &feed::shown(masker, capture)),
        }
    }

    /// Only its capture JSON.
    fn json(&self, masker: &Masker, unmasked: bool) -> Bytes {
        match self {
            Ready::Published(commit, at) => commit.events[*at].json(self.capture(), unmasked),
            Ready::Read(capture) => feed::shown(masker, capture).to_string().into(),
        }
    }
}

struct Follow {
    api: Api,
    filter: Arc<Filter>,
    /// The last capture handed on (or skipped): the cursor.
    after: i64,
    feed: broadcast::Receiver<Published>,
    changes: Option<broadcast::Receiver<Change>>,
    /// Read from the store or the feed, not handed on yet.
    ready: std::collections::VecDeque<Ready>,
    /// The store has been read up to the feed.
    caught_up: bool,
    /// An event stream: it follows changes too, and goes out at [`PACE`].
    streaming: bool,
}

impl Follow {
    /// Follows the captures after `after` (the newest now, when `None`), for an event stream
    /// when `streaming`, else for one wait.
    async fn start(
        api: &Api,
        filter: Filter,
        after: Option<i64>,
        streaming: bool,
    ) -> Result<Follow, Refusal> {
        let feed = CaptureFeed::subscribe(&api.feed);
        let changes = streaming.then(|| api.store.changes());
        let after = match after {
            Some(after) => after,
            None => api.read(|r| r.newest_id()).await?,
        };
        Ok(Follow {
            api: api.clone(),
            filter: Arc::new(filter),
            after,
            feed,
            changes,
            ready: Default::default(),
            caught_up: false,
            streaming,
        })
    }

    /// The next matching capture, or a change to one when following changes.
    async fn next(&mut self) -> Result<Pending, Refusal> {
        loop {
            if let Some(ready) = self.ready.pop_front() {
                return Ok(Pending::Capture(ready));
            }
            if !self.caught_up {
                self.catch_up().await?;
                continue;
            }
            if self.streaming && self.feed.is_empty() {
                tokio::time::sleep(PACE).await;
            }
            let received = match &mut self.changes {
                Some(changes) => tokio::select! {
                    published = self.feed.recv() => published,
                    change = changes.recv() => match change {
                        Ok(change @ (Change::Forwarded { .. } | Change::Answered { .. })) => {
                            return Ok(Pending::Change(change));
                        }
                        Err(RecvError::Closed) => {
                            self.changes = None;
                            continue;
                        }
                        // Other changes, or changes missed: they are not what a client
                        // resumes from, so going on is enough.
                        _ => continue,
                    },
                },
                None => self.feed.recv().await,
            };
            match received {
                Ok(Published::Commit(commit)) => {
                    for (at, capture) in commit.captures.iter().enumerate() {
                        if capture.id <= self.after {
                            continue;
                        }
                        self.after = capture.id;
                        if self.filter.matches(capture) {
                            self.ready.push_back(Ready::Published(commit.clone(), at));
                        }
                    }
                }
                // The feed fell behind the store, or this follower behind the feed: what was
                // missed is in the store.
                Ok(Published::Missed) | Err(RecvError::Lagged(_)) => self.caught_up = false,
                Err(RecvError::Closed) => {
                    return Err(Refusal::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "hookscope is stopping.",
                    ))
                }
            }
        }
    }

    /// Whether [`Follow::next`] may have something without reading the store: captures read
    /// already, or the feed's.
    fn has_ready(&self) -> bool {
        !self.ready.is_empty() || self.caught_up
    }

    /// Reads the matching captures after the cursor from the store, a page at a time, until
    /// a page comes back short.
    async fn catch_up(&mut self) -> Result<(), Refusal> {
        let (filter, after) = (self.filter.clone(), self.after);
        let page = self
            .api
            .read(move |r| r.page(&filter, Some(after), None, CATCH_UP))
            .await?;
        // A short page holds every match the store had: any later one is in the broadcast.
        self.caught_up = page.len() < CATCH_UP;
        if let Some(last) = page.last() {
            self.after = last.id;
        }
        self.ready
            .extend(page.into_iter().map(|c| Ready::Read(Box::new(c))));
        Ok(())
    }
}

/// Where a client resumes: `Last-Event-ID` (sent by a reconnecting `EventSource`), else
/// `?after=`.
fn resume_after(headers: &HeaderMap, params: &Params) -> Result<Option<i64>, Refusal> {
    match headers.get("last-event-id").and_then(|v| v.to_str().ok()) {
        Some(id) => id.trim().parse().map(Some).map_err(|_| {
            Refusal::new(
                StatusCode::BAD_REQUEST,
                format!("Last-Event-ID {id:?} is not a capture id."),
            )
        }),
        None => param(params, "after"),
    }
}

/// `GET /api/v1/events`: one `capture` event per committed capture matching `filter` (its id
/// the capture's), `delivery` events when a forward attempt or pass-through answer changes a
/// capture, and a keep-alive comment every 15 s.
/// A user's stream closes as soon as their token is revoked.
pub(super) async fn events(
    State(api): State<Api>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    params: Params,
) -> Reply {
    let filter = filter(&params)?;
    let after = resume_after(&headers, &params)?;
    let stream = EventStream {
        follow: Follow::start(&api, filter, after, true).await?,
        masker: api.masker(&params),
        unmasked: unmasked(&params),
    };
    let writes = futures_util::stream::unfold(stream, |mut stream| async move {
        let write = stream.next_write().await?;
        Some((Ok::<_, Infallible>(write), stream))
    });
    let writes = writes.take_until(revoked(api.users.clone(), caller));
    Ok((
        [
            (header::CONTENT_TYPE, "text/event-stream"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        Body::from_stream(writes),
    )
        .into_response())
}

/// An event stream's follower and how it shows captures.
struct EventStream {
    follow: Follow,
    masker: Masker,
    unmasked: bool,
}

impl EventStream {
    /// What goes out in the next write: every event ready now (up to [`BATCH`] bytes) in one
    /// piece, or a keep-alive comment after [`KEEP_ALIVE`] without any; `None` once the
    /// stream ends.
    async fn next_write(&mut self) -> Option<Bytes> {
        let first = match tokio::time::timeout(KEEP_ALIVE, self.follow.next()).await {
            Err(_) => return Some(Bytes::from_static(b": keep-alive\n\n")),
            Ok(next) => self.event(next.ok()?),
        };
        let mut batch: Option<Vec<u8>> = None;
        // What is ready without waiting goes out in the same write; a page still to be read
        // from the store is not, so that no read is started and dropped.
        while self.follow.has_ready() {
            let Some(Ok(next)) = self.follow.next().now_or_never() else {
                break;
            };
            let batch = batch.get_or_insert_with(|| first.to_vec());
            batch.extend_from_slice(&self.event(next));
            if batch.len() >= BATCH {
                break;
            }
        }
        Some(batch.map_or(first, Bytes::from))
    }

    fn event(&self, pending: Pending) -> Bytes {
        match pending {
            Pending::Capture(ready) => ready.event(&self.masker, self.unmasked),
            Pending::Change(change) => {
                format!("event: delivery\ndata: {}\n\n", change_json(&change)).into()
            }
        }
    }
}

fn change_json(change: &Change) -> Value {
    match change {
        Change::Forwarded { capture } => json!({ "capture": capture, "change": "forwarded" }),
        Change::Answered { capture, status } => {
            json!({ "capture": capture, "change": "answered", "status": status })
        }
        _ => json!({}),
    }
}

/// `GET /api/v1/wait?filter=&after=&timeout=30s`: the first capture after `after` (or after
/// now) that matches, or 408 once `timeout` has passed.
pub(super) async fn wait(
    State(api): State<Api>,
    Extension(caller): Extension<Caller>,
    params: Params,
) -> Reply {
    let filter = filter(&params)?;
    let after = param(&params, "after")?;
    let timeout = match params.get("timeout") {
        Some(text) => parse_duration(text).ok_or_else(|| {
            Refusal::new(
                StatusCode::BAD_REQUEST,
                format!("timeout={text:?} is not a duration; write it like 30s, 500ms or 2m."),
            )
        })?,
        None => Duration::from_secs(30),
    }
    .min(LONGEST_WAIT);
    let mut follow = Follow::start(&api, filter, after, false).await?;
    let waited = tokio::select! {
        waited = tokio::time::timeout(timeout, follow.next()) => waited,
        () = revoked(api.users.clone(), caller) => Ok(Err(Refusal::new(
            StatusCode::UNAUTHORIZED,
            "This token was revoked while it waited.",
        ))),
    };
    match waited {
        Ok(Ok(Pending::Capture(ready))) => Ok((
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            ready.json(&api.masker(&params), unmasked(&params)),
        )
            .into_response()),
        Ok(Ok(Pending::Change(_))) => unreachable!("a wait does not follow changes"),
        Ok(Err(refusal)) => Err(refusal),
        Err(_) => Err(Refusal::new(
            StatusCode::REQUEST_TIMEOUT,
            format!(
                "No capture matched within {}.",
                crate::forward::seconds_or_ms(timeout)
            ),
        )),
    }
}

/// Completes once `caller`'s token is revoked: never for the owner's.
async fn revoked(mut users: watch::Receiver<Arc<Users>>, caller: Caller) {
    let Caller::User(name) = caller else {
        return std::future::pending().await;
    };
    while users.borrow_and_update().has(&name) {
        if users.changed().await.is_err() {
            return std::future::pending().await;
        }
    }
}

/// `30s`, `500ms`, `2m`, `1h`, or a number of seconds.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let seconds = match unit.trim() {
        "" | "s" => number,
        "ms" => number / 1000.0,
        "m" | "min" => number * 60.0,
        "h" => number * 3600.0,
        _ => return None,
    };
    (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds))
}

#[cfg(test)]
mod tests {
    use super::parse_duration;
    use std::time::Duration;

    #[test]
    fn durations_in_the_units_people_write() {
        assert_eq!(parse_duration("30s"), Some(Duration::from_secs(30)));
        assert_eq!(parse_duration("30"), Some(Duration::from_secs(30)));
        assert_eq!(parse_duration("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Some(Duration::from_secs(120)));
        assert_eq!(parse_duration("1.5s"), Some(Duration::from_millis(1500)));
        assert_eq!(parse_duration("soon"), None);
        assert_eq!(parse_duration("5 weeks"), None);
    }
}
