//! MoySklad JSON API 1.2 webhook deliveries.
//!
//! MoySklad wants 200 or 204 within 1500 ms. After an invalid answer it tries three more times
//! back to back and then drops the event for good; no answer in time counts as not delivered
//! and is not resent at all. Retries keep the same `?requestId=`, the redelivery key. The body
//! is `{auditContext?, events: [...]}` — `events` may hold several items — or, for stock
//! webhooks, `{accountId, stockType, reportType, reportUrl}`.

pub mod api;

use super::json::Json;

use super::{at, parse_body, text_field, Field};
use crate::capture::{Incoming, Judgement, Provider, Verdict};

pub fn is_touch_agent(request: &Incoming) -> bool {
    request
        .header("user-agent")
        .is_some_and(|ua| ua.starts_with("MoySklad webhook"))
}

/// The `meta.href` of each event of a delivery, in order: what "Load object" reads back with
/// the API token (deliveries carry no signature, so the object is the trustworthy part).
pub fn hrefs(body: &[u8]) -> Vec<String> {
    let Ok(body) = Json::parse(body) else {
        return Vec::new();
    };
    body["events"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|event| event["meta"]["href"].as_str())
        .map(str::to_string)
        .collect()
}

pub fn judge(request: &Incoming) -> Judgement {
    let body = match parse_body(request, Provider::Moysklad) {
        Ok(body) => body,
        Err(refused) => return *refused,
    };
    let (event, summary) = describe(&body);
    Judgement {
        provider: Provider::Moysklad,
        event,
        summary,
        verdict: Verdict::Ok,
        reason: None,
        redelivery_key: request
            .query_param("requestId")
            .filter(|id| !id.is_empty())
            .map(str::to_owned),
        answer: super::acknowledgement(Provider::Moysklad),
    }
}

pub fn overview(body: &Json, request: &Incoming) -> Vec<(Field, String)> {
    let mut fields = vec![
        (
            Field::RequestId,
            request
                .query_param("requestId")
                .unwrap_or_default()
                .to_string(),
        ),
        (Field::ChangedBy, at(body, "/auditContext/uid")),
        (Field::Moment, at(body, "/auditContext/moment")),
        (Field::StockType, at(body, "/stockType")),
        (Field::ReportType, at(body, "/reportType")),
        (Field::ReportUrl, at(body, "/reportUrl")),
    ];
    for event in body
        .get("events")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        fields.push((Field::Event, event_name(event).replace(':', " ")));
        fields.push((
            Field::UpdatedFields,
            updated_fields(event)
                .trim_matches([' ', '(', ')'])
                .to_string(),
        ));
        fields.push((Field::Href, at(event, "/meta/href")));
    }
    fields
}

/// The event column (`entityType:ACTION` for each event) and a one-line summary.
fn describe(body: &Json) -> (String, String) {
    if let Some(events) = body.get("events").and_then(Json::as_array) {
        let event = events.iter().map(event_name).collect::<Vec<_>>().join(",");
        let summary = match events.as_slice() {
            [] => "delivery with no events".to_string(),
            [one] => {
                let id = one
                    .pointer("/meta/href")
                    .and_then(Json::as_str)
                    .and_then(|href| href.rsplit('/').next())
                    .unwrap_or_default();
                let name = event_name(one).replace(':', " ");
                let with_id = if id.is_empty() {
                    name
                } else {
                    format!("{name} {id}")
                };
                format!("{with_id}{}", updated_fields(one))
            }
            many => format!(
                "{} events: {}",
                many.len(),
                many.iter()
                    .map(|e| format!("{}{}", event_name(e).replace(':', " "), updated_fields(e)))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        };
        return (event, summary);
    }
    if body.get("stockType").is_some() || body.get("reportUrl").is_some() {
        let report = text_field(body, "reportType").unwrap_or_else(|| "?".into());
        return ("stock".into(), format!("stock changed (report: {report})"));
    }
    (String::new(), "delivery without events".into())
}

/// `entityType:ACTION`, with `?` for what the event does not say.
fn event_name(event: &Json) -> String {
    let entity = event
        .pointer("/meta/type")
        .and_then(Json::as_str)
        .unwrap_or("?");
    let action = text_field(event, "action").unwrap_or_else(|| "?".into());
    format!("{entity}:{action}")
}

/// ` (name, salePrices)` for an UPDATE with diffType FIELDS, else nothing.
fn updated_fields(event: &Json) -> String {
    let names: Vec<&str> = event
        .get("updatedFields")
        .and_then(Json::as_array)
        .map(|fields| fields.iter().filter_map(Json::as_str).collect())
        .unwrap_or_default();
    if names.is_empty() {
        String::new()
    } else {
        format!(" ({})", names.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::tests::request;

    #[test]
    fn several_events_are_all_listed() {
        let body = r#"{"events":[
            {"meta":{"type":"product","href":"https://api.moysklad.ru/api/remap/1.2/entity/product/p1"},"action":"UPDATE","accountId":"a","updatedFields":["salePrices","name"]},
            {"meta":{"type":"customerorder","href":"https://api.moysklad.ru/api/remap/1.2/entity/customerorder/o2"},"action":"CREATE","accountId":"a"}]}"#;
        let j = judge(&request("/moysklad?requestId=r-1", &[], body));
        assert_eq!(j.answer.status, 204);
        assert_eq!(j.event, "product:UPDATE,customerorder:CREATE");
        assert_eq!(
            j.summary,
            "2 events: product UPDATE (salePrices, name); customerorder CREATE"
        );
        let one = r#"{"events":[{"meta":{"type":"product","href":"https://x/entity/product/p1"},"action":"UPDATE","updatedFields":["name"]}]}"#;
        assert_eq!(
            judge(&request("/moysklad", &[], one)).summary,
            "product UPDATE p1 (name)"
        );
        assert_eq!(j.redelivery_key.as_deref(), Some("r-1"));
    }

    #[test]
    fn stock_deliveries_and_odd_shapes_are_still_acknowledged() {
        let stock = r#"{"accountId":"a","stockType":"stock","reportType":"bystore","reportUrl":"https://x"}"#;
        let j = judge(&request("/moysklad", &[], stock));
        assert_eq!((j.event.as_str(), j.answer.status), ("stock", 204));
        assert_eq!(j.redelivery_key, None);
        let odd = judge(&request(
            "/moysklad",
            &[],
            r#"{"events":[{"action":"DELETE"}],"extra":1}"#,
        ));
        assert_eq!((odd.event.as_str(), odd.answer.status), ("?:DELETE", 204));
    }
}
