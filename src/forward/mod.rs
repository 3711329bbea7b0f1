//! Handing captures on to the app being written: forward rules become store routes, a
//! capture becomes the request its target gets, and one attempt becomes an [`Attempt`].
//!
//! The outbox (`outbox.rs`) delivers what waits; the listener tries a pass-through delivery
//! itself and answers with the target's answer; `replay.rs` sends captures again on request.

pub mod outbox;
pub mod replay;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use time::OffsetDateTime;

use crate::capture::{Answer, Capture, Provider};
use crate::config::{Config, ForwardMode, ForwardRule};
use crate::filter::{Filter, FilterError};
use crate::store::{Attempt, Outcome, Route, Routes, Store, KEPT_BODY};

/// How long an outbox attempt waits for the target.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(30);

/// Headers that belong to one connection, never passed on.
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "content-length",
];

/// Why a forward rule cannot be used as it is.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ForwardRuleError {
    #[error("The forward target \"{target}\" is not an http(s) URL; write it like http://localhost:3000/hooks.")]
    Target { target: String },
    #[error("The forward filter of {target} does not parse: {error}")]
    Filter { target: String, error: FilterError },
    #[error("The forward target {target} is hookscope's own listener ({listener}): every forward would be captured and forwarded again. Point it at your app's port instead.")]
    OwnListener {
        target: String,
        listener: SocketAddr,
    },
}

/// A rule's target checked to be an http(s) URL.
pub fn check_target(target: &str) -> Result<reqwest::Url, ForwardRuleError> {
    crate::config::http_url(target).ok_or_else(|| ForwardRuleError::Target {
        target: target.into(),
    })
}

/// A rule as a store route, or why it cannot be one; `listener` is the address hookscope
/// listens on, when known, which a rule may not forward to.
pub fn route(rule: &ForwardRule, listener: Option<SocketAddr>) -> Result<Route, ForwardRuleError> {
    let url = check_target(&rule.target)?;
    if let Some(listener) = listener.filter(|&l| is_listener(&url, l)) {
        return Err(ForwardRuleError::OwnListener {
            target: rule.target.trim().into(),
            listener,
        });
    }
    let target = rule.target.trim().to_string();
    let filter = Filter::parse(&rule.filter).map_err(|error| ForwardRuleError::Filter {
        target: target.clone(),
        error,
    })?;
    Ok(Route {
        filter,
        target,
        keep_host: rule.keep_host,
        pass_through: rule.mode == ForwardMode::PassThrough,
    })
}

/// Whether `url` reaches the listener at `listener`: its port, on a loopback address or the
/// listener's own. (Another of this machine's addresses is caught when the forward comes back:
/// see [`FORWARDED_BY`].)
fn is_listener(url: &reqwest::Url, listener: SocketAddr) -> bool {
    if url.port_or_known_default() != Some(listener.port()) {
        return false;
    }
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let Ok(ip) = host.trim_matches(['[', ']']).parse::<IpAddr>() else {
        return host == "localhost" || host.ends_with(".localhost");
    };
    ip.is_loopback() || ip.is_unspecified() || ip == listener.ip()
}

/// The routes of the enabled rules, and the problems of those that cannot be used (which
/// forward nothing). `listener` is the address hookscope listens on.
pub fn routes(config: &Config, listener: Option<SocketAddr>) -> (Routes, Vec<ForwardRuleError>) {
    let (mut list, mut problems) = (Vec::new(), Vec::new());
    for rule in config.forward.iter().filter(|r| r.enabled) {
        match route(rule, listener) {
            Ok(route) => list.push(route),
            Err(problem) => problems.push(problem),
        }
    }
    let routes = Routes {
        list: Arc::from(list),
        pass_through: config.pass_through.clone(),
    };
    (routes, problems)
}

/// Requests a pass-through rule matched that got hookscope's own answer instead of the app's,
/// because an earlier delivery of their queue (the same target and provider) was still waiting:
/// the app was answering it, or had not taken it. A queue is delivered in order, so they wait
/// in the outbox behind it. Counted since the engine started.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FellBack {
    pub count: u64,
    /// The target and provider of the latest one.
    pub last: Option<(String, Provider)>,
}

/// The client deliveries go through: no redirects followed and no bodies decompressed, so
/// that the target's answer is passed on as it came.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .user_agent(concat!("hookscope/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
        .no_gzip()
        .connect_timeout(Duration::from_secs(5))
        .build()
        .expect("the forwarding client's settings are valid")
}

/// The URL a capture goes to: the target's path, then what followed the provider's prefix,
/// then the capture's query.
pub fn url_for(capture: &Capture, target: &str) -> String {
    let r = &capture.request;
    let prefix = capture.judgement.provider.path();
    let rest = match capture.judgement.provider {
        Provider::Generic => r.path.as_str(),
        _ => r.path.strip_prefix(prefix).unwrap_or(&r.path),
    };
    let (base, target_query) = match target.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (target, None),
    };
    let mut url = match rest.trim_start_matches('/') {
        "" => base.to_string(),
        rest => format!("{}/{rest}", base.trim_end_matches('/')),
    };
    let queries: Vec<&str> = [target_query, Some(r.query.as_str())]
        .into_iter()
        .flatten()
        .filter(|q| !q.is_empty())
        .collect();
    if !queries.is_empty() {
        url.push('?');
        url.push_str(&queries.join("&"));
    }
    url
}

/// Names every store a forwarded request was forwarded from ([`Store::name`]),
/// comma-separated: a request that names this one came back to it (a rule pointed at its own
/// listener, or two hookscopes pointed at each other) and is captured, but not forwarded again.
pub const FORWARDED_BY: &str = "x-hookscope-forwarded-by";

/// On every forward attempt after the first, the attempt's number (`2` for the first resend):
/// an app that answered a pass-through too late, or whose answer was lost, gets the delivery
/// again from the outbox and can tell it is the same one. The first attempt carries none.
pub const ATTEMPT: &str = "x-hookscope-attempt";

/// Whether a request's [`FORWARDED_BY`] headers name the store `name`.
pub fn came_back<'a>(name: &str, forwarded_by: impl IntoIterator<Item = &'a [u8]>) -> bool {
    let me = name.as_bytes();
    forwarded_by
        .into_iter()
        .flat_map(|value| value.split(|&b| b == b','))
        .any(|name| name.trim_ascii() == me)
}

/// The request `url` gets for a capture: its method, headers and body bytes, with the
/// target's `Host` unless `keep_host`, `X-Hookscope-Capture` naming the capture, the store
/// it is forwarded `from`, if any, added to [`FORWARDED_BY`], and [`ATTEMPT`] when `earlier`
/// attempts were made.
fn request_for(
    http: &reqwest::Client,
    capture: &Capture,
    (url, keep_host): (&str, bool),
    from: Option<&str>,
    earlier: u32,
) -> reqwest::RequestBuilder {
    let r = &capture.request;
    let method = reqwest::Method::from_bytes(r.method.as_bytes()).unwrap_or(reqwest::Method::POST);
    let mut headers = HeaderMap::new();
    let mut through = Vec::new();
    for (name, value) in &r.headers {
        let lower = name.to_ascii_lowercase();
        if lower == FORWARDED_BY {
            through.push(String::from_utf8_lossy(value.as_bytes()).trim().to_string());
            continue;
        }
        // Only hookscope says which attempt this is, never the sender.
        if HOP_BY_HOP.contains(&lower.as_str())
            || (lower == "host" && !keep_host)
            || lower == ATTEMPT
        {
            continue;
        }
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_bytes(value.as_bytes()),
        ) {
            headers.append(name, value);
        }
    }
    headers.insert("x-hookscope-capture", HeaderValue::from(capture.id));
    if earlier > 0 {
        headers.insert(ATTEMPT, HeaderValue::from(earlier.saturating_add(1)));
    }
    through.extend(from.map(str::to_string));
    if let Ok(through) = HeaderValue::from_str(&through.join(", ")) {
        headers.insert(FORWARDED_BY, through);
    }
    http.request(method, url)
        .headers(headers)
        .body(r.body.clone())
}

/// What a target answered, whole (up to `limit` bytes of body).
#[derive(Clone, Debug)]
pub struct Answered {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answered {
    /// The answer for the provider, without this connection's own headers.
    pub fn as_answer(&self) -> Answer {
        Answer {
            status: self.status,
            headers: self
                .headers
                .iter()
                .filter(|(name, _)| !HOP_BY_HOP.contains(&name.to_ascii_lowercase().as_str()))
                .cloned()
                .collect(),
            body: self.body.clone(),
        }
    }
}

/// Sends a capture to `url` and waits at most `timeout`; the attempt says what happened,
/// with the answer kept whole (up to `limit` body bytes) for a pass-through. A forward names
/// the store it comes `from` and how many `earlier` attempts its delivery had (see
/// [`ATTEMPT`]); a replay names none.
pub async fn send(
    http: &reqwest::Client,
    capture: &Capture,
    (url, keep_host): (&str, bool),
    (from, earlier): (Option<&Store>, u32),
    timeout: Duration,
    limit: usize,
) -> (Attempt, Option<Answered>) {
    let at = OffsetDateTime::now_utc();
    let started = Instant::now();
    let from = from.map(Store::name);
    let request = request_for(http, capture, (url, keep_host), from, earlier);
    let result = tokio::time::timeout(timeout, async {
        let mut response = request.send().await?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| (n.to_string(), String::from_utf8_lossy(v.as_bytes()).into()))
            .collect();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await? {
            let room = limit.saturating_sub(body.len());
            body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        }
        Ok::<_, reqwest::Error>(Answered {
            status,
            headers,
            body,
        })
    })
    .await;
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    let (outcome, answered) = match result {
        Ok(Ok(answered)) => (
            Outcome::Answered {
                status: answered.status,
                headers: answered.headers.clone(),
                body: answered.body[..answered.body.len().min(KEPT_BODY)].to_vec(),
            },
            Some(answered),
        ),
        Ok(Err(e)) => (Outcome::Failed(failure(&e, url)), None),
        Err(_) => (
            Outcome::Failed(format!("no answer within {}", seconds_or_ms(timeout))),
            None,
        ),
    };
    let attempt = Attempt {
        at,
        elapsed_ms,
        outcome,
    };
    (attempt, answered)
}

pub fn seconds_or_ms(duration: Duration) -> String {
    if duration.subsec_millis() == 0 {
        format!("{} s", duration.as_secs())
    } else {
        format!("{} ms", duration.as_millis())
    }
}

/// A transport failure in words, with what to check.
fn failure(error: &reqwest::Error, url: &str) -> String {
    let cause = crate::http::root_cause(error);
    if error.is_connect() {
        format!("could not connect to {url} ({cause}); is the app running and listening there?")
    } else {
        format!("the request to {url} failed ({cause})")
    }
}

/// When to try again after `attempts` failed tries: 1 s, doubling, at most a minute.
pub fn backoff(attempts: u32) -> Duration {
    Duration::from_secs(1 << attempts.min(6)).min(Duration::from_secs(60))
}

/// How long the outbox keeps trying before it gives a delivery up (GREEN-API's own limit).
pub const GIVE_UP_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::{Incoming, Judgement};

    fn capture(provider: Provider, path: &str, query: &str) -> Capture {
        let request = Incoming {
            received_at: OffsetDateTime::UNIX_EPOCH,
            remote_addr: "127.0.0.1:1".into(),
            method: "POST".into(),
            path: path.into(),
            query: query.into(),
            headers: Vec::new(),
            body: Vec::new(),
            size: 0,
        };
        let judgement = Judgement {
            provider,
            event: String::new(),
            summary: String::new(),
            verdict: crate::capture::Verdict::Ok,
            reason: None,
            redelivery_key: None,
            answer: Answer::empty(200),
        };
        Capture::new(request, judgement)
    }

    #[test]
    fn the_path_after_the_provider_prefix_follows_the_targets_path() {
        let target = "http://localhost:3000/hooks";
        let cases = [
            (
                Provider::GreenApi,
                "/green-api",
                "",
                "http://localhost:3000/hooks",
            ),
            (
                Provider::GreenApi,
                "/green-api/s3cret",
                "",
                "http://localhost:3000/hooks/s3cret",
            ),
            (
                Provider::Moysklad,
                "/moysklad",
                "requestId=r1",
                "http://localhost:3000/hooks?requestId=r1",
            ),
            (
                Provider::Generic,
                "/a/b",
                "x=1",
                "http://localhost:3000/hooks/a/b?x=1",
            ),
            // MoySklad known by its User-Agent on another path keeps that path.
            (
                Provider::Moysklad,
                "/orders",
                "",
                "http://localhost:3000/hooks/orders",
            ),
        ];
        for (provider, path, query, expected) in cases {
            assert_eq!(url_for(&capture(provider, path, query), target), expected);
        }
        assert_eq!(
            url_for(
                &capture(Provider::Reestr, "/reestr", "a=1"),
                "http://h/x/?k=v"
            ),
            "http://h/x/?k=v&a=1"
        );
    }

    #[test]
    fn targets_must_be_http_urls() {
        assert!(check_target("http://localhost:3000/hooks").is_ok());
        assert!(check_target("https://example.com").is_ok());
        for bad in ["localhost:3000", "ftp://x", "", "http://"] {
            assert!(check_target(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn backoff_doubles_up_to_a_minute() {
        let waits: Vec<u64> = (0..8).map(|n| backoff(n).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 60, 60]);
    }
}
