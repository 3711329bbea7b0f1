//! Reestr (Rosreestr extract shop) webhooks.
//!
//! One JSON notification per POST: `{type, object, object_id, secret_key?}`. `confirm` must be
//! answered with the confirmation string from the cabinet as the whole body; everything else
//! with 200 `OK` — after several errors in a row Reestr pauses delivery to the server.

pub mod api;

use super::json::Json;

use super::{at, parse_body, text_field, Field, FieldValue};
use crate::capture::{
    secrets_match, Answer, Capture, Incoming, Judgement, Provider, Reason, Verdict,
};
use crate::config::ReestrConfig;

pub fn judge(request: &Incoming, config: &ReestrConfig) -> Judgement {
    let body = match parse_body(request, Provider::Reestr) {
        Ok(body) => body,
        Err(refused) => return *refused,
    };
    let kind = text_field(&body, "type").unwrap_or_default();
    let object = text_field(&body, "object").unwrap_or_default();
    let object_id = text_field(&body, "object_id").unwrap_or_default();
    let is_confirm = kind == "confirm";

    let mut judgement = Judgement {
        provider: Provider::Reestr,
        summary: summary(&kind, &object, &object_id),
        redelivery_key: (!kind.is_empty()).then(|| format!("{kind}|{object}|{object_id}")),
        event: kind,
        verdict: Verdict::Ok,
        reason: None,
        answer: super::acknowledgement(Provider::Reestr),
    };

    if let Some(refusal) = check_secret(&body, config, is_confirm) {
        judgement.verdict = Verdict::Rejected;
        judgement.answer = Answer::text(403, format!("{refusal}\n"));
        judgement.reason = Some(refusal);
    } else if is_confirm {
        if config.confirm_string.is_empty() {
            // Answering anything else would fail the confirmation anyway; say how to fix it.
            judgement.answer = Answer::text(200, "");
            judgement.reason = Some(Reason::NoConfirmString);
        } else {
            judgement.answer = Answer::text(200, config.confirm_string.clone());
        }
    }
    judgement
}

/// `secret_key` is Reestr's only authenticity signal.
fn check_secret(body: &Json, config: &ReestrConfig, is_confirm: bool) -> Option<Reason> {
    if !config.secret_key.exists() {
        return None;
    }
    match text_field(body, "secret_key") {
        Some(given) if secrets_match(&given, config.secret_key.expose()) => None,
        Some(_) => Some(Reason::SecretWrong),
        // Reestr's own example of `confirm` carries no secret_key, so a confirm without one is
        // let through rather than making the address impossible to confirm.
        None if is_confirm => None,
        None => Some(Reason::SecretMissing),
    }
}

pub fn overview(body: &Json) -> Vec<(Field, FieldValue)> {
    let kind = at(body, "/type");
    let mut fields = vec![(Field::Type, kind.clone())];
    match kind.as_str() {
        "confirm" => fields.push((Field::AccessKey, at(body, "/object_id"))),
        "service_done" => {
            fields.push((Field::Order, at(body, "/object_id")));
            fields.push((Field::Service, at(body, "/object")));
        }
        _ => {
            fields.push((Field::Order, at(body, "/object_id")));
            fields.push((Field::Object, at(body, "/object")));
        }
    }
    let mut fields: Vec<_> = fields.into_iter().map(|(f, v)| (f, v.into())).collect();
    // Never the value itself: captures are shown and exported.
    let secret = body.get("secret_key").is_some();
    fields.push((Field::SecretKey, FieldValue::Present(secret)));
    fields
}

/// What a `confirm` capture means for the address's confirmation in the Reestr cabinet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Confirmation {
    /// Answered 200 with the configured confirmation string.
    Confirmed,
    /// Answered with an empty body because no confirmation string was configured.
    NoString,
    /// Refused (a wrong `secret_key`) or answered otherwise; the reason says why, when known.
    Failed(Option<Reason>),
}

/// What a `confirm` capture means for the address's confirmation.
pub fn confirmation(capture: &Capture) -> Confirmation {
    let j = &capture.judgement;
    if j.verdict == Verdict::Rejected || j.answer.status != 200 {
        Confirmation::Failed(j.reason.clone())
    } else if j.answer.body.is_empty() {
        Confirmation::NoString
    } else {
        Confirmation::Confirmed
    }
}

/// The order a `payment` or `service_done` notification names, for `order.get`.
pub fn order_id(capture: &Capture) -> Option<String> {
    let body = Json::parse(&capture.request.body).ok()?;
    matches!(
        text_field(&body, "type")?.as_str(),
        "payment" | "service_done"
    )
    .then(|| text_field(&body, "object_id"))
    .flatten()
    .filter(|id| !id.is_empty())
}

fn summary(kind: &str, object: &str, object_id: &str) -> String {
    match kind {
        "confirm" => format!("confirm address for access key {object_id}"),
        "payment" => format!("payment for order {object_id}"),
        "service_done" => format!("service {object} of order {object_id} done"),
        "" => "notification without a type".into(),
        // A type announced later (a cadastral value change, say) is still a notification.
        other => {
            let named: Vec<&str> = [object, object_id]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect();
            match named.is_empty() {
                true => format!("{other} (a new type, accepted)"),
                false => format!("{other} (a new type, accepted): {}", named.join(" ")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;
    use crate::providers::tests::request;

    fn config(confirm: &str, secret: &str) -> ReestrConfig {
        ReestrConfig {
            confirm_string: confirm.into(),
            secret_key: Secret::new(secret),
            ..ReestrConfig::default()
        }
    }

    #[test]
    fn confirm_is_answered_with_the_configured_string_only() {
        let body = r#"{"type":"confirm","object":"token","object_id":"3-567"}"#;
        let j = judge(&request("/reestr", &[], body), &config("873fd5a562", ""));
        assert_eq!(
            (j.answer.status, j.answer.body.as_slice()),
            (200, &b"873fd5a562"[..])
        );
        assert_eq!(j.verdict, Verdict::Ok);
        assert_eq!(j.event, "confirm");
    }

    #[test]
    fn confirm_without_a_configured_string_explains_the_fix() {
        let body = r#"{"type":"confirm","object":"token","object_id":"3-567"}"#;
        let j = judge(&request("/reestr", &[], body), &config("", ""));
        assert_eq!(j.reason, Some(Reason::NoConfirmString));
        assert!(j.reason_text().contains("[reestr] confirm_string"));
    }

    #[test]
    fn other_types_get_ok_and_a_readable_summary() {
        let body = r#"{"type":"service_done","object":5521,"object_id":"880213"}"#;
        let j = judge(&request("/reestr", &[], body), &config("x", ""));
        assert_eq!(
            (j.answer.status, j.answer.body.as_slice()),
            (200, &b"OK"[..])
        );
        assert_eq!(j.summary, "service 5521 of order 880213 done");
        assert_eq!(
            j.redelivery_key.as_deref(),
            Some("service_done|5521|880213")
        );
        let unknown = judge(
            &request("/reestr", &[], r#"{"type":"refund","x":1}"#),
            &config("", ""),
        );
        assert_eq!(
            (unknown.answer.status, unknown.answer.body.as_slice()),
            (200, &b"OK"[..])
        );
        assert_eq!(unknown.verdict, Verdict::Ok);
        assert_eq!(unknown.event, "refund");
        assert_eq!(unknown.summary, "refund (a new type, accepted)");
        let cadastral = judge(
            &request(
                "/reestr",
                &[],
                r#"{"type":"cadastral_value","object":"77:01:0001001:1010","object_id":"880300"}"#,
            ),
            &config("", ""),
        );
        assert_eq!(
            cadastral.summary,
            "cadastral_value (a new type, accepted): 77:01:0001001:1010 880300"
        );
    }

    #[test]
    fn secret_is_enforced_when_configured() {
        let cfg = config("c", "s3cret");
        let good = r#"{"type":"payment","object":"o","object_id":"1","secret_key":"s3cret"}"#;
        let bad = r#"{"type":"payment","object":"o","object_id":"1","secret_key":"guess"}"#;
        let missing = r#"{"type":"payment","object":"o","object_id":"1"}"#;
        assert_eq!(
            judge(&request("/reestr", &[], good), &cfg).answer.status,
            200
        );
        for (body, reason) in [(bad, Reason::SecretWrong), (missing, Reason::SecretMissing)] {
            let j = judge(&request("/reestr", &[], body), &cfg);
            assert_eq!(j.answer.status, 403);
            assert_eq!(j.verdict, Verdict::Rejected);
            assert_eq!(j.reason, Some(reason));
        }
        let forged_confirm =
            r#"{"type":"confirm","object":"token","object_id":"1","secret_key":"x"}"#;
        assert_eq!(
            judge(&request("/reestr", &[], forged_confirm), &cfg)
                .answer
                .status,
            403
        );
    }
}
