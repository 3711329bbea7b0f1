//! The fake Kontur.Reestro feed refuses what the events API refuses (no or foreign
//! credentials, another organisation, a bad `count` or `afterEventId`) and pages the way it
//! does: `lastEventId` is the cursor, and it is absent when nothing new is there.

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::fakes::kontur::FakeReestro;

const API_KEY: &str = "0b0e8c1a-5d2f-4e7b-9a61-3c4d5e6f7a8b";
const ORG_ID: &str = "a7c3e1f0-2b4d-4f6a-8c9e-1d2b3c4d5e6f";

fn reestro_auth(api_key: &str, org_id: &str) -> String {
    format!("ReestroAuth apiKey={api_key}&portal.orgid={org_id}")
}

/// `GET …/events?{query}` with the given `Authorization` header (none when `None`).
async fn events(
    fake: &FakeReestro,
    query: &str,
    authorization: Option<&str>,
) -> (StatusCode, Value) {
    let url = format!("{}/realty/rosreestr/v2/events?{query}", fake.api_url());
    let mut request = reqwest::Client::new().get(url);
    if let Some(authorization) = authorization {
        request = request.header("authorization", authorization);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

async fn page(fake: &FakeReestro, query: &str) -> (StatusCode, Value) {
    events(fake, query, Some(&reestro_auth(API_KEY, ORG_ID))).await
}

#[tokio::test]
async fn only_the_reestro_auth_header_of_the_key_and_its_organisation_is_let_in() {
    let fake = FakeReestro::start(API_KEY, ORG_ID, 3);
    let other = "11111111-2222-4333-8444-555555555555";
    for refused in [
        None,
        Some(format!("Bearer {API_KEY}")),
        Some(format!("ReestroAuth apiKey={API_KEY}")),
        Some(reestro_auth(other, ORG_ID)),
    ] {
        let (status, _) = events(&fake, "", refused.as_deref()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{refused:?}");
    }
    let (status, body) = events(&fake, "", Some(&reestro_auth(API_KEY, other))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["code"], "forbidden");
    assert!(body["message"].as_str().unwrap().contains(other));
    assert_eq!(fake.requests(), 5, "refusals are answered requests too");
}

#[tokio::test]
async fn count_outside_1_to_100_is_a_validation_error() {
    let fake = FakeReestro::start(API_KEY, ORG_ID, 3);
    for query in ["count=0", "count=101", "count=x", "count=-1"] {
        let (status, body) = page(&fake, query).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(body["code"], "validation");
        assert_eq!(body["errors"][0]["code"], "WrongFieldValue");
        assert_eq!(body["errors"][0]["target"], "count", "{query}");
    }
    assert_eq!(page(&fake, "count=100").await.0, StatusCode::OK);
}

#[tokio::test]
async fn after_event_id_must_be_a_known_guid() {
    let fake = FakeReestro::start(API_KEY, ORG_ID, 3);
    let (status, body) = page(&fake, "afterEventId=nope").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let expected = json!({
        "code": "validation",
        "message": "Validation failed",
        "target": "request",
        "errors": [{
            "code": "WrongFieldValue",
            "message": "afterEventId should be guid",
            "target": "afterEventId",
        }],
    });
    assert_eq!(body, expected);
    let unknown = "6f1a3c2e-0000-4000-8000-0000000000ff";
    let (status, body) = page(&fake, &format!("afterEventId={unknown}")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errors"][0]["target"], "afterEventId");
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains(unknown));
}

#[tokio::test]
async fn paging_by_last_event_id_reads_every_event_once_and_then_keeps_the_cursor() {
    let fake = FakeReestro::start(API_KEY, ORG_ID, 250);
    let mut cursor: Option<String> = None;
    let mut sizes = Vec::new();
    let mut seen = HashSet::new();
    loop {
        let after = cursor.as_ref().map(|id| format!("&afterEventId={id}"));
        let (status, body) = page(&fake, &format!("count=100{}", after.unwrap_or_default())).await;
        assert_eq!(status, StatusCode::OK);
        let events = body["events"].as_array().unwrap();
        sizes.push(events.len());
        for event in events {
            assert!(seen.insert(event["eventId"].as_str().unwrap().to_owned()));
        }
        let Some(last) = body.get("lastEventId") else {
            assert!(
                events.is_empty(),
                "lastEventId is absent only on an empty page"
            );
            break;
        };
        assert_eq!(last, &events.last().unwrap()["eventId"]);
        cursor = Some(last.as_str().unwrap().to_owned());
    }
    assert_eq!(sizes, [100, 100, 50, 0]);
    assert_eq!(cursor.as_deref(), Some(fake.event_id(249).as_str()));

    fake.push_events(5);
    let (_, body) = page(&fake, &format!("afterEventId={}", cursor.unwrap())).await;
    let events = body["events"].as_array().unwrap();
    let ids: Vec<&str> = events
        .iter()
        .map(|e| e["eventId"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        (250..255).map(|i| fake.event_id(i)).collect::<Vec<_>>()
    );
    assert_eq!(fake.requests(), 5);
}

#[tokio::test]
async fn events_have_the_documented_fields_and_requirement_for_their_state() {
    let fake = FakeReestro::start(API_KEY, ORG_ID, 40);
    let (_, body) = page(&fake, "").await;
    let events = body["events"].as_array().unwrap();
    assert_eq!(events.len(), 30, "count defaults to 30");
    assert_eq!(events[0]["eventId"], fake.event_id(0));
    let mut dates = Vec::new();
    for event in events {
        let date = event["eventDate"].as_str().unwrap();
        dates.push(
            time::OffsetDateTime::parse(date, &time::format_description::well_known::Rfc3339)
                .unwrap(),
        );
        for field in ["docflowId", "externalId", "docflowType"] {
            assert!(event[field].is_string(), "{field}: {event}");
        }
        // Provider facts: which requirement service puts a docflow in which state.
        let service = match event["docflowState"].as_str().unwrap() {
            "WaitingServicePayment" => "PaymentService",
            "AwaitingGovFeePayment" => "GovFee",
            "WaitingSignStatements" => "SignStatements",
            "ValidationError" => "Error",
            _ => "RosreestrResponse",
        };
        if let Some(requirement) = event.get("requirement") {
            assert_eq!(requirement["service"], service, "{event}");
            assert!(requirement["message"].is_string());
        }
    }
    assert!(
        dates.windows(2).all(|pair| pair[0] < pair[1]),
        "eventDate increases"
    );
    assert!(events
        .iter()
        .any(|event| event.get("requirement").is_none()));
}
