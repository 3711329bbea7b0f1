//! A fake Kontur.Reestro events feed: `GET /realty/rosreestr/v2/events?afterEventId=&count=`.
//!
//! Provider facts: the header `Authorization: ReestroAuth apiKey=<guid>&portal.orgid=<guid>`
//! authorises (401 without it, 403 for an organisation the key has no access to); `count` is
//! 1..=100 and defaults to 30; `afterEventId` is a GUID; a page is `{lastEventId, events}` and
//! `lastEventId` may be absent, in which case the client keeps its old cursor; 400 answers carry
//! `{code: "validation", message, target, errors: [{code: "WrongFieldValue", message, target}]}`.
//! Events are made up from their index, so tests can name any of them.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;

use super::Running;

/// Each `docflowState` with the `requirement` an event in that state carries. Facts: the
/// requirement's service decides the state (PaymentService → WaitingServicePayment, GovFee →
/// AwaitingGovFeePayment, SignStatements → WaitingSignStatements, RosreestrResponse → the
/// Rosreestr states, Error → ValidationError); `requirement` is optional, so `Processing`,
/// where Rosreestr has not answered yet, carries none.
const STATES: [(&str, Option<(&str, &str)>); 10] = [
    (
        "WaitingServicePayment",
        Some(("PaymentService", "Оплатите услугу")),
    ),
    (
        "AwaitingGovFeePayment",
        Some(("GovFee", "Оплатите госпошлину")),
    ),
    (
        "WaitingSignStatements",
        Some(("SignStatements", "Подпишите заявление")),
    ),
    (
        "Accepted",
        Some(("RosreestrResponse", "Запрос принят Росреестром")),
    ),
    ("Processing", None),
    ("Processed", Some(("RosreestrResponse", "Выписка получена"))),
    (
        "Suspend",
        Some(("RosreestrResponse", "Рассмотрение запроса приостановлено")),
    ),
    (
        "Rejected",
        Some(("RosreestrResponse", "Отказ в предоставлении сведений")),
    ),
    (
        "TimeOut",
        Some(("RosreestrResponse", "Росреестр не ответил в срок")),
    ),
    (
        "ValidationError",
        Some(("Error", "Ошибка проверки: неверный кадастровый номер")),
    ),
];

/// A running fake feed; dropping it stops the server.
pub struct FakeReestro {
    running: Running,
    feed: Arc<Feed>,
}

struct Feed {
    api_key: String,
    org_id: String,
    events: AtomicUsize,
    requests: AtomicUsize,
}

impl FakeReestro {
    /// A feed for one api key and organisation that already holds `events` events.
    pub fn start(api_key: &str, org_id: &str, events: usize) -> FakeReestro {
        let feed = Arc::new(Feed {
            api_key: api_key.to_owned(),
            org_id: org_id.to_owned(),
            events: AtomicUsize::new(events),
            requests: AtomicUsize::new(0),
        });
        let router = Router::new()
            .route("/realty/rosreestr/v2/events", get(events_page))
            .with_state(feed.clone());
        FakeReestro {
            running: super::serve(router, None),
            feed,
        }
    }

    /// The base URL to configure instead of `https://api.kontur.ru`: `http://127.0.0.1:PORT`.
    pub fn api_url(&self) -> String {
        self.running.base()
    }

    /// `n` more events appear at the end of the feed.
    pub fn push_events(&self, n: usize) {
        self.feed.events.fetch_add(n, Ordering::SeqCst);
    }

    /// The `eventId` of the `index`-th event (0-based).
    pub fn event_id(&self, index: usize) -> String {
        event_id(index)
    }

    /// How many events requests were answered, whatever their status.
    pub fn requests(&self) -> usize {
        self.feed.requests.load(Ordering::SeqCst)
    }
}

fn event_id(index: usize) -> String {
    format!("6f1a3c2e-0000-4000-8000-{index:012x}")
}

async fn events_page(
    State(feed): State<Arc<Feed>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    feed.requests.fetch_add(1, Ordering::SeqCst);
    let credentials = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("ReestroAuth apiKey="))
        .and_then(|value| value.split_once("&portal.orgid="));
    let Some((_, org_id)) = credentials.filter(|(api_key, _)| *api_key == feed.api_key) else {
        return reply(
            StatusCode::UNAUTHORIZED,
            json!({"code": "unauthorized", "message": "ReestroAuth apiKey and portal.orgid are required"}),
        );
    };
    if org_id != feed.org_id {
        let message = format!("No access to organization {org_id}");
        return reply(
            StatusCode::FORBIDDEN,
            json!({"code": "forbidden", "message": message}),
        );
    }
    page(&feed, query.as_deref().unwrap_or(""))
}

/// The page after `afterEventId` of at most `count` events, or the validation errors.
fn page(feed: &Feed, query: &str) -> Response {
    let total = feed.events.load(Ordering::SeqCst);
    let mut errors = Vec::new();
    let count = match param(query, "count") {
        None => 30,
        Some(count) => match count.parse::<usize>() {
            Ok(count) if (1..=100).contains(&count) => count,
            _ => {
                errors.push(field_error("count", "count should be between 1 and 100"));
                0
            }
        },
    };
    let start = match param(query, "afterEventId") {
        None => 0,
        Some(after) if !is_guid(after) => {
            errors.push(field_error("afterEventId", "afterEventId should be guid"));
            0
        }
        Some(after) => match (0..total).find(|&i| event_id(i).eq_ignore_ascii_case(after)) {
            Some(index) => index + 1,
            None => {
                errors.push(field_error(
                    "afterEventId",
                    &format!("event {after} not found"),
                ));
                0
            }
        },
    };
    if !errors.is_empty() {
        return reply(
            StatusCode::BAD_REQUEST,
            json!({
                "code": "validation",
                "message": "Validation failed",
                "target": "request",
                "errors": errors,
            }),
        );
    }
    let end = total.min(start + count);
    let events: Vec<Value> = (start..end).map(|i| event(i, &feed.org_id)).collect();
    let body = if events.is_empty() {
        // Facts: with nothing after the cursor `lastEventId` may be missing; the client must
        // keep the cursor it has.
        json!({"events": events})
    } else {
        json!({"lastEventId": event_id(end - 1), "events": events})
    };
    reply(StatusCode::OK, body)
}

/// The value of the query parameter `name`; ASP.NET binds parameter names in any case.
fn param<'q>(query: &'q str, name: &str) -> Option<&'q str> {
    query
        .split('&')
        .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value)
}

/// 8-4-4-4-12 hex digits.
fn is_guid(value: &str) -> bool {
    let groups: Vec<&str> = value.split('-').collect();
    groups.iter().map(|group| group.len()).eq([8, 4, 4, 4, 12])
        && groups
            .iter()
            .all(|group| group.chars().all(|c| c.is_ascii_hexdigit()))
}

fn field_error(target: &str, message: &str) -> Value {
    json!({"code": "WrongFieldValue", "message": message, "target": target})
}

/// The `index`-th event. `eventDate` carries Moscow's offset like the service's own dates, one
/// minute apart; `organizationId` stands for the fields the facts do not list, which clients
/// must tolerate.
fn event(index: usize, org_id: &str) -> Value {
    let (state, requirement) = STATES[index % STATES.len()];
    let date =
        time::macros::datetime!(2026-11-01 09:00:00 +03:00) + time::Duration::minutes(index as i64);
    let mut event = json!({
        "eventId": event_id(index),
        "eventDate": date.format(&Rfc3339).unwrap(),
        "docflowId": format!("d0cf1000-0000-4000-8000-{index:012x}"),
        "externalId": format!("ext-{index}"),
        "docflowState": state,
        // Facts: `ObjectExtract` is the usual type and other values exist.
        "docflowType": if index % 4 == 3 { "ObjectRightsExtract" } else { "ObjectExtract" },
    });
    if let Some((service, message)) = requirement {
        event["requirement"] = json!({"service": service, "message": message});
    }
    event["organizationId"] = org_id.into();
    event
}

fn reply(status: StatusCode, body: Value) -> Response {
    let json = [(header::CONTENT_TYPE, "application/json; charset=utf-8")];
    (status, json, body.to_string()).into_response()
}
