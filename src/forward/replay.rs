//! Replaying captures on request: to a forward target, any URL, or hookscope's own listener
//! (a redelivery), as they came or edited, at once or with their original gaps.

use std::time::Duration;

use crate::capture::{Capture, HeaderValue};
use crate::store::{Attempt, Store, StoreError, KEPT_BODY};

use super::{send, url_for};

/// How long a replay waits for its answer.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// What a replay changes in each capture before sending it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Edits {
    pub method: Option<String>,
    /// The whole path, replacing the capture's.
    pub path: Option<String>,
    pub query: Option<String>,
    /// Set, replacing every header of the same name (names compare in any case).
    pub headers: Vec<(String, String)>,
    /// `headers` are all the headers to send (the editor's list), not changes to them.
    pub replace_headers: bool,
    pub body: Option<Vec<u8>>,
}

/// An edit that could not be sent as it is; it would otherwise be dropped without a word.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("{method:?} is not an HTTP method; use a word of letters such as POST or PUT.")]
    Method { method: String },
    #[error("{name:?} is not a header name; use letters, digits and dashes, such as X-Test.")]
    HeaderName { name: String },
    #[error("The value of the header {name} cannot be sent: it holds a line break or another control character.")]
    HeaderValue { name: String },
}

impl Edits {
    /// Whether anything is changed: a replay with edits is marked as edited where it is recorded.
    pub fn changes_something(&self) -> bool {
        *self != Edits::default()
    }

    /// Refuses what the request could not carry, instead of sending without it.
    pub fn check(&self) -> Result<(), EditError> {
        if let Some(method) = &self.method {
            let method = method.trim();
            if method.is_empty() || reqwest::Method::from_bytes(method.as_bytes()).is_err() {
                return Err(EditError::Method {
                    method: method.into(),
                });
            }
        }
        for (name, value) in &self.headers {
            if reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
                return Err(EditError::HeaderName { name: name.clone() });
            }
            if reqwest::header::HeaderValue::from_str(value).is_err() {
                return Err(EditError::HeaderValue { name: name.clone() });
            }
        }
        Ok(())
    }

    /// The capture as it will be sent.
    pub fn apply(&self, capture: &Capture) -> Capture {
        let mut edited = capture.clone();
        let r = &mut edited.request;
        if let Some(method) = &self.method {
            r.method = method.trim().to_uppercase();
        }
        if let Some(path) = &self.path {
            r.path = path.clone();
        }
        if let Some(query) = &self.query {
            r.query = query.trim_start_matches('?').to_string();
        }
        if self.replace_headers {
            r.headers.clear();
        }
        for (name, value) in &self.headers {
            r.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
            r.headers
                .push((name.clone(), HeaderValue::from(value.as_str())));
        }
        if let Some(body) = &self.body {
            r.body = body.clone();
            r.size = body.len() as u64;
        }
        edited
    }
}

/// The gaps between replayed captures.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Timing {
    AtOnce,
    /// The original gaps divided by `speed` (2.0: twice as fast).
    Original {
        speed: f64,
    },
}

/// Where a replay goes: a URL with a path is a target like a forward rule's (the capture's
/// path after its provider prefix follows it); a bare origin such as hookscope's own
/// `http://127.0.0.1:8787` gets the capture's whole path, as a redelivery would.
pub fn replay_url(capture: &Capture, to: &str) -> String {
    let to = to.trim();
    let bare = reqwest::Url::parse(to).is_ok_and(|url| url.path() == "/" && url.query().is_none());
    if bare {
        let r = &capture.request;
        let query = if r.query.is_empty() {
            String::new()
        } else {
            format!("?{}", r.query)
        };
        format!("{}{}{query}", to.trim_end_matches('/'), r.path)
    } else {
        url_for(capture, to)
    }
}

/// Sends one capture, edited, with `X-Hookscope-Replay-Of` naming the original so that a
/// replay into hookscope links back to it.
pub async fn replay_one(
    http: &reqwest::Client,
    capture: &Capture,
    to: &str,
    edits: &Edits,
) -> Attempt {
    let mut edited = edits.apply(capture);
    edited.request.headers.retain(|(n, _)| {
        !n.eq_ignore_ascii_case("x-hookscope-replay-of")
            && !n.eq_ignore_ascii_case("x-hookscope-capture")
    });
    edited.request.headers.push((
        "x-hookscope-replay-of".into(),
        HeaderValue::from(capture.id.to_string()),
    ));
    let url = replay_url(&edited, to);
    send(http, &edited, (&url, false), (None, 0), TIMEOUT, KEPT_BODY)
        .await
        .0
}

/// Replays `captures` in the order given, waiting the gaps `timing` asks for, and records each
/// replay with its capture when a store is given; `said` hears of each as it happens. Returns
/// how many did not get a 2xx.
pub async fn sequence(
    store: Option<&Store>,
    captures: &[Capture],
    to: &str,
    edits: &Edits,
    timing: Timing,
    mut said: impl FnMut(&Capture, &Attempt),
) -> Result<usize, StoreError> {
    let http = super::client();
    let mut failed = 0;
    for (capture, gap) in captures.iter().zip(gaps(captures, timing)) {
        tokio::time::sleep(gap).await;
        let attempt = replay_one(&http, capture, to, edits).await;
        failed += usize::from(!attempt.outcome.is_success());
        said(capture, &attempt);
        if let Some(store) = store {
            store
                .record_replay(capture.id, to, edits.changes_something(), attempt)
                .await?;
        }
    }
    Ok(failed)
}

/// How long a sequence takes at `timing`, not counting the requests themselves.
pub fn duration(captures: &[Capture], timing: Timing) -> Duration {
    gaps(captures, timing).into_iter().sum()
}

/// How long to wait before each capture of a sequence (sorted by arrival), the first at once.
fn gaps(captures: &[Capture], timing: Timing) -> Vec<Duration> {
    let speed = match timing {
        Timing::AtOnce => return vec![Duration::ZERO; captures.len()],
        Timing::Original { speed } if speed > 0.0 => speed,
        Timing::Original { .. } => 1.0,
    };
    let mut previous = None;
    captures
        .iter()
        .map(|c| {
            let at = c.request.received_at;
            let gap = previous
                .map(|p: time::OffsetDateTime| (at - p).try_into().unwrap_or(Duration::ZERO))
                .unwrap_or(Duration::ZERO);
            previous = Some(at);
            gap.div_f64(speed)
        })
        .collect()
}

/// The capture a replay into hookscope became, read from its answer.
pub fn became(attempt: &Attempt) -> Option<i64> {
    match &attempt.outcome {
        crate::store::Outcome::Answered { headers, .. } => headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("x-hookscope-capture"))
            .and_then(|(_, v)| v.parse().ok()),
        crate::store::Outcome::Failed(_) => None,
    }
}

/// The capture a replay came from, read from its request.
pub fn replay_of(capture: &Capture) -> Option<i64> {
    capture
        .request
        .header("x-hookscope-replay-of")?
        .trim()
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::{Answer, Incoming, Judgement, Provider, Verdict};
    use time::macros::datetime;

    #[test]
    fn edits_a_request_cannot_carry_are_refused_not_dropped() {
        let edit = |method: Option<&str>, header: (&str, &str)| Edits {
            method: method.map(str::to_string),
            headers: vec![(header.0.into(), header.1.into())],
            ..Edits::default()
        };
        assert_eq!(edit(Some("put"), ("X-Test", "1")).check(), Ok(()));
        assert!(matches!(
            edit(Some("GE T"), ("X-Test", "1")).check(),
            Err(EditError::Method { .. })
        ));
        assert!(matches!(
            edit(None, ("X Test", "1")).check(),
            Err(EditError::HeaderName { .. })
        ));
        let said = edit(None, ("X-Test", "a\r\nInjected: 1"))
            .check()
            .unwrap_err();
        assert!(said.to_string().contains("line break"), "{said}");
    }

    fn capture(path: &str, at: time::OffsetDateTime) -> Capture {
        let request = Incoming {
            received_at: at,
            remote_addr: "127.0.0.1:1".into(),
            method: "POST".into(),
            path: path.into(),
            query: "requestId=r1".into(),
            headers: vec![("Content-Type".into(), HeaderValue::from("application/json"))],
            body: b"{}".to_vec(),
            size: 2,
        };
        let judgement = Judgement {
            provider: Provider::Moysklad,
            event: String::new(),
            summary: String::new(),
            verdict: Verdict::Ok,
            reason: None,
            redelivery_key: None,
            answer: Answer::empty(204),
        };
        Capture::new(request, judgement)
    }

    #[test]
    fn a_bare_origin_gets_the_whole_path_and_a_target_what_follows_the_prefix() {
        let c = capture("/moysklad/x", datetime!(2026-11-26 10:00 UTC));
        assert_eq!(
            replay_url(&c, "http://127.0.0.1:8787"),
            "http://127.0.0.1:8787/moysklad/x?requestId=r1"
        );
        assert_eq!(
            replay_url(&c, "http://localhost:3000/hooks"),
            "http://localhost:3000/hooks/x?requestId=r1"
        );
    }

    #[test]
    fn edits_replace_headers_by_name_and_the_body() {
        let c = capture("/moysklad", datetime!(2026-11-26 10:00 UTC));
        let edits = Edits {
            method: Some("put".into()),
            headers: vec![("content-type".into(), "text/plain".into())],
            body: Some(b"changed".to_vec()),
            ..Edits::default()
        };
        let e = edits.apply(&c);
        assert_eq!(e.request.method, "PUT");
        assert_eq!(e.request.headers.len(), 1);
        assert_eq!(e.request.header("Content-Type"), Some("text/plain"));
        assert_eq!(
            (e.request.body.as_slice(), e.request.size),
            (&b"changed"[..], 7)
        );
    }

    #[test]
    fn original_gaps_are_kept_and_scaled() {
        let list = [
            capture("/a", datetime!(2026-11-26 10:00:00 UTC)),
            capture("/b", datetime!(2026-11-26 10:00:02 UTC)),
            capture("/c", datetime!(2026-11-26 10:00:08 UTC)),
        ];
        let secs = |t| {
            gaps(&list, t)
                .iter()
                .map(Duration::as_secs_f64)
                .collect::<Vec<_>>()
        };
        assert_eq!(secs(Timing::Original { speed: 1.0 }), [0.0, 2.0, 6.0]);
        assert_eq!(secs(Timing::Original { speed: 2.0 }), [0.0, 1.0, 3.0]);
        assert_eq!(secs(Timing::AtOnce), [0.0, 0.0, 0.0]);
    }
}
