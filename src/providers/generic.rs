//! Requests no provider claims: answered with the configured default response.

use super::json::Json;

use super::text_field;
use crate::capture::{Answer, Incoming, Judgement, Provider, Verdict};
use crate::config::GenericConfig;

pub fn judge(request: &Incoming, config: &GenericConfig) -> Judgement {
    let json = Json::parse(&request.body).ok();
    // Many services name their event in one of these fields; show it when there is one.
    let event = json
        .as_ref()
        .and_then(|v| {
            [
                "event",
                "type",
                "eventType",
                "event_type",
                "action",
                "typeWebhook",
            ]
            .iter()
            .find_map(|key| text_field(v, key))
        })
        .unwrap_or_default();
    let content_type = request.header("content-type").unwrap_or("no content type");
    let summary = format!(
        "{} {} ({} bytes, {content_type})",
        request.method, request.path, request.size
    );
    Judgement {
        provider: Provider::Generic,
        event,
        summary,
        verdict: Verdict::Ok,
        reason: None,
        redelivery_key: None,
        answer: Answer {
            status: config.status,
            headers: config
                .headers
                .iter()
                .map(|(n, v)| (n.clone(), v.clone()))
                .collect(),
            body: config.body.clone().into_bytes(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::tests::request;

    #[test]
    fn answers_with_the_configured_response_and_names_the_event() {
        let config = GenericConfig {
            status: 202,
            body: "accepted".into(),
            ..GenericConfig::default()
        };
        let j = judge(
            &request(
                "/stripe",
                &[("content-type", "application/json")],
                r#"{"type":"charge.succeeded"}"#,
            ),
            &config,
        );
        assert_eq!(
            (j.answer.status, j.answer.body.as_slice()),
            (202, &b"accepted"[..])
        );
        assert_eq!(j.event, "charge.succeeded");
        assert_eq!(j.summary, "POST /stripe (27 bytes, application/json)");
    }
}
