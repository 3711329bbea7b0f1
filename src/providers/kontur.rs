//! Kontur.Reestro's feed of Rosreestr document-flow events. Kontur sends no webhooks: the feed
//! is read page by page with a cursor.
//!
//! `GET {api}/realty/rosreestr/v2/events?afterEventId=<guid>&count=<1..100>` with
//! `Authorization: ReestroAuth apiKey=<guid>&portal.orgid=<guid>`. Each page names its
//! `lastEventId`, the next page's `afterEventId`; when it comes back null or absent the old
//! cursor stays. Events stay readable for three months.

use serde::Deserialize;
use serde_json::Value;

use crate::config::KonturConfig;
use crate::http::{self, Advice, ApiError, FieldError, Mistake, Setting, Unread};

const SERVICE: &str = "Kontur.Reestro";
pub const PRODUCTION: &str = "https://api.kontur.ru";
pub const TEST_STAND: &str = "https://api.testkontur.ru";
pub const DEFAULT_COUNT: u8 = 30;
pub const MAX_COUNT: u8 = 100;

/// A document-flow event. Every field is optional on the wire; extra fields stay in `raw`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Event {
    pub event_id: String,
    pub event_date: String,
    pub docflow_id: String,
    pub external_id: String,
    pub docflow_state: String,
    pub docflow_type: String,
    pub requirement: Option<Requirement>,
    #[serde(skip)]
    pub raw: Value,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Requirement {
    pub service: String,
    pub message: String,
}

/// One page of the feed and the cursor after it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Page {
    pub events: Vec<Event>,
    /// Where the next page starts: the page's `lastEventId`, or the cursor it was asked with
    /// when the page named none.
    pub cursor: Option<String>,
}

/// The feed of one organisation, as configured in `[kontur]`.
pub struct Feed {
    http: reqwest::Client,
    api_url: String,
    authorization: String,
}

impl Feed {
    pub fn new(config: &KonturConfig) -> Result<Feed, ApiError> {
        let key = http::required(config.api_key.expose(), Setting::KonturApiKey)?;
        let org = http::required(&config.org_id, Setting::KonturOrgId)?;
        Ok(Feed {
            http: http::client(),
            api_url: http::base_url(&config.api_url, SERVICE)?,
            authorization: format!("ReestroAuth apiKey={key}&portal.orgid={org}"),
        })
    }

    /// The events after `after` (from the start when `None`), at most `count` (1–100).
    pub async fn page(&self, after: Option<&str>, count: u8) -> Result<Page, ApiError> {
        if !(1..=MAX_COUNT).contains(&count) {
            return Err(ApiError::Input(Mistake::PageSize {
                count,
                max: MAX_COUNT,
            }));
        }
        let after = after.map(str::trim).filter(|a| !a.is_empty());
        let mut query = vec![("count", count.to_string())];
        if let Some(after) = after {
            query.push(("afterEventId", after.to_string()));
        }
        let request = self
            .http
            .get(format!("{}/realty/rosreestr/v2/events", self.api_url))
            .header("authorization", &self.authorization)
            .header("accept", "application/json")
            .query(&query);
        let reply = http::send(SERVICE, request).await?;
        if !reply.status.is_success() {
            return Err(refusal(&reply));
        }
        let body: Value = reply.json()?;
        let Some(events) = body["events"].as_array() else {
            return Err(reply.unreadable(Unread::Missing("events")));
        };
        let events: Vec<Event> = events
            .iter()
            .map(|raw| {
                // A field of an unexpected type must not lose the event: keep it raw.
                let mut event: Event = serde_json::from_value(raw.clone()).unwrap_or_default();
                event.raw = raw.clone();
                event
            })
            .collect();
        let cursor = next_cursor(body["lastEventId"].as_str(), &events, after);
        Ok(Page { events, cursor })
    }
}

/// 400s name the faulty fields; 401 and 403 get a sentence each.
/// Where the next page starts: `lastEventId`; when it is null or absent, the last event's id
/// (so paging moves on even then), and with no events the old cursor.
fn next_cursor(last: Option<&str>, events: &[Event], after: Option<&str>) -> Option<String> {
    let last_event = events.last().map(|e| e.event_id.as_str());
    [last, last_event, after]
        .into_iter()
        .flatten()
        .find(|id| !id.is_empty())
        .map(str::to_string)
}

fn refusal(reply: &http::Reply) -> ApiError {
    let body: Value = serde_json::from_slice(&reply.body).unwrap_or_default();
    let said = body["message"].as_str().unwrap_or_default();
    let (message, advice) = match reply.status.as_u16() {
        401 => (String::new(), Some(Advice::KonturKey)),
        403 => (String::new(), Some(Advice::KonturOrganisation)),
        _ if !said.is_empty() => (said.to_string(), None),
        _ => (reply.text_clipped(), None),
    };
    let fields = body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| FieldError {
            field: e["target"].as_str().unwrap_or("request").to_string(),
            message: e["message"].as_str().unwrap_or_default().to_string(),
        })
        .collect();
    ApiError::Refused {
        service: SERVICE,
        status: reply.status.as_u16(),
        message,
        advice,
        fields,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_decode_tolerantly() {
        let raw = serde_json::json!({
            "eventId": "e1", "docflowState": "Rejected", "unknown": 1,
            "requirement": {"service": "RosreestrResponse", "message": "Отказ"}
        });
        let event: Event = serde_json::from_value(raw).unwrap();
        assert_eq!(event.docflow_state, "Rejected");
        assert_eq!(event.requirement.unwrap().message, "Отказ");
        assert_eq!(event.external_id, "");
    }

    #[test]
    fn the_cursor_moves_on_even_without_last_event_id() {
        let events = [Event {
            event_id: "e7".into(),
            ..Default::default()
        }];
        assert_eq!(
            next_cursor(Some("e9"), &events, Some("e1")).as_deref(),
            Some("e9")
        );
        assert_eq!(
            next_cursor(None, &events, Some("e1")).as_deref(),
            Some("e7")
        );
        assert_eq!(
            next_cursor(Some(""), &[], Some("e1")).as_deref(),
            Some("e1")
        );
        assert_eq!(next_cursor(None, &[], None), None);
    }

    #[tokio::test]
    async fn a_count_outside_1_to_100_is_not_sent() {
        let config = KonturConfig {
            api_key: crate::config::Secret::new("k"),
            org_id: "o".into(),
            ..Default::default()
        };
        let err = Feed::new(&config).unwrap().page(None, 0).await.unwrap_err();
        assert!(err.to_string().contains("1 to 100"), "{err}");
    }
}
