//! Built-in sample webhooks, one for every provider event hookscope knows, plus confirm,
//! redelivery and wrong-token variants — for trying the listener without a real provider.

use serde_json::Value;

use crate::config::Config;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variant {
    /// Sent once, as the provider would, with the configured token or secret.
    Plain,
    /// Sent twice with the same redelivery key: the second is marked as a repeat.
    Redelivery,
    /// Sent with a token or secret that does not match the configured one.
    WrongToken,
}

pub struct Sample {
    pub name: &'static str,
    pub about: &'static str,
    /// The listener path, which picks the provider rules.
    pub path: &'static str,
    pub variant: Variant,
    body: &'static str,
}

macro_rules! sample {
    ($name:literal, $path:literal, $about:literal) => {
        sample!($name, $path, $about, $name, Plain)
    };
    ($name:literal, $path:literal, $about:literal, $file:literal, $variant:ident) => {
        Sample {
            name: $name,
            about: $about,
            path: $path,
            variant: Variant::$variant,
            body: include_str!(concat!("../assets/samples/", $file, ".json")),
        }
    };
}

pub const SAMPLES: &[Sample] = &[
    sample!(
        "reestr-confirm",
        "/reestr",
        "address confirmation; answered with [reestr] confirm_string"
    ),
    sample!(
        "reestr-payment",
        "/reestr",
        "a payment arrived for an order"
    ),
    sample!(
        "reestr-service-done",
        "/reestr",
        "a service of an order is done"
    ),
    sample!(
        "reestr-unknown-type",
        "/reestr",
        "a type hookscope does not know; still captured and answered OK"
    ),
    sample!(
        "reestr-redelivery",
        "/reestr",
        "service_done sent twice",
        "reestr-service-done",
        Redelivery
    ),
    sample!(
        "reestr-wrong-secret",
        "/reestr",
        "payment with a wrong secret_key; 403 when a secret is configured",
        "reestr-payment",
        WrongToken
    ),
    sample!(
        "green-api-incoming-text",
        "/green-api",
        "incoming text message"
    ),
    sample!(
        "green-api-incoming-extended-text",
        "/green-api",
        "incoming text with a link (Cyrillic)"
    ),
    sample!(
        "green-api-incoming-image",
        "/green-api",
        "incoming image with a caption"
    ),
    sample!(
        "green-api-incoming-document",
        "/green-api",
        "incoming PDF document"
    ),
    sample!(
        "green-api-incoming-location",
        "/green-api",
        "incoming location"
    ),
    sample!(
        "green-api-incoming-contact",
        "/green-api",
        "incoming contact card"
    ),
    sample!(
        "green-api-incoming-reaction",
        "/green-api",
        "incoming reaction"
    ),
    sample!(
        "green-api-incoming-quoted",
        "/green-api",
        "incoming reply quoting a message"
    ),
    sample!("green-api-incoming-poll", "/green-api", "incoming poll"),
    sample!(
        "green-api-outgoing-message",
        "/green-api",
        "message sent from the phone"
    ),
    sample!(
        "green-api-outgoing-api-message",
        "/green-api",
        "message sent through the API"
    ),
    sample!(
        "green-api-outgoing-status",
        "/green-api",
        "status of a sent message (delivered)"
    ),
    sample!(
        "green-api-state-changed",
        "/green-api",
        "instance state changed (authorized)"
    ),
    sample!(
        "green-api-status-changed",
        "/green-api",
        "instance status changed (online)"
    ),
    sample!(
        "green-api-incoming-call",
        "/green-api",
        "incoming call (offer)"
    ),
    sample!(
        "green-api-outgoing-call",
        "/green-api",
        "outgoing call (pickUp)"
    ),
    sample!(
        "green-api-device-info",
        "/green-api",
        "phone device info (deprecated notification)"
    ),
    sample!(
        "green-api-incoming-block",
        "/green-api",
        "a chat blocked the instance"
    ),
    sample!(
        "green-api-quota-exceeded",
        "/green-api",
        "plan quota exceeded (no timestamp)"
    ),
    sample!(
        "green-api-edited-message",
        "/green-api",
        "a message was edited"
    ),
    sample!(
        "green-api-max-text",
        "/green-api",
        "a text from MAX (typeInstance v3), the same webhook format"
    ),
    sample!(
        "green-api-telegram-text",
        "/green-api",
        "a text in a Telegram supergroup: numeric chat ids, chatType and senderType"
    ),
    sample!(
        "green-api-interactive-buttons",
        "/green-api",
        "a message with interactive buttons sent through the API"
    ),
    sample!(
        "green-api-interactive-buttons-reply",
        "/green-api",
        "an incoming message with interactive reply buttons"
    ),
    sample!(
        "green-api-button-clicked",
        "/green-api",
        "the customer pressed a button (interactiveButtonsResponse)"
    ),
    sample!(
        "green-api-deleted-message",
        "/green-api",
        "a message was deleted"
    ),
    sample!(
        "green-api-redelivery",
        "/green-api",
        "incoming text sent twice",
        "green-api-incoming-text",
        Redelivery
    ),
    sample!(
        "green-api-wrong-token",
        "/green-api",
        "incoming text with a wrong token; 401 when a token is configured",
        "green-api-incoming-text",
        WrongToken
    ),
    sample!(
        "moysklad-product-update",
        "/moysklad",
        "product prices updated (diffType FIELDS)"
    ),
    sample!(
        "moysklad-order-create",
        "/moysklad",
        "customer order created"
    ),
    sample!(
        "moysklad-counterparty-delete",
        "/moysklad",
        "counterparty deleted"
    ),
    sample!(
        "moysklad-several-events",
        "/moysklad",
        "three events in one delivery"
    ),
    sample!(
        "moysklad-async-processed",
        "/moysklad",
        "an asynchronous task finished"
    ),
    sample!(
        "moysklad-stock",
        "/moysklad",
        "stock changed (stock webhook)"
    ),
    sample!(
        "moysklad-redelivery",
        "/moysklad",
        "product update retried with the same requestId",
        "moysklad-product-update",
        Redelivery
    ),
];

const MOYSKLAD_AGENT: &str = "MoySklad webhook touch agent 2.0 (/https://www.moysklad.ru)";

pub fn find(name: &str) -> Option<&'static Sample> {
    SAMPLES.iter().find(|s| s.name == name)
}

/// One HTTP request of a sample.
#[derive(Clone, Debug)]
pub struct SampleRequest {
    /// Path and query, to append to the listener's base URL.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Sample {
    /// The requests this sample sends, with the configured token or secret where the provider
    /// would send one, and fresh message ids so separate sends are not taken for repeats.
    pub fn requests(&self, config: &Config) -> Vec<SampleRequest> {
        let mut headers = vec![("content-type".to_string(), "application/json".to_string())];
        let mut target = self.path.to_string();
        let mut body = self.body.trim_end().as_bytes().to_vec();
        let wrong = self.variant == Variant::WrongToken;
        let fresh_id = uuid::Uuid::new_v4().simple().to_string().to_uppercase()[..20].to_string();
        match self.path {
            "/green-api" => {
                let token = config.green_api.webhook_url_token.expose();
                if wrong {
                    headers.push(("authorization".into(), "Bearer wrong-token".into()));
                } else if !token.is_empty() {
                    headers.push(("authorization".into(), format!("Bearer {token}")));
                }
                body = rewrite(&body, |v| {
                    if v.get("idMessage").is_some() {
                        v["idMessage"] = Value::String(fresh_id.clone());
                    }
                });
            }
            "/reestr" => {
                let secret = config.reestr.secret_key.expose();
                if wrong || !secret.is_empty() {
                    let value = if wrong { "wrong-secret" } else { secret };
                    body = rewrite(&body, |v| v["secret_key"] = Value::String(value.into()));
                }
            }
            "/moysklad" => {
                headers.push(("user-agent".into(), MOYSKLAD_AGENT.into()));
                target = format!("{target}?requestId={}", uuid::Uuid::new_v4());
            }
            _ => {}
        }
        let request = SampleRequest {
            target,
            headers,
            body,
        };
        match self.variant {
            Variant::Redelivery => vec![request.clone(), request],
            Variant::Plain | Variant::WrongToken => vec![request],
        }
    }
}

/// What the listener answered to one request of a sample.
#[derive(Clone, Debug)]
pub struct Sent {
    pub url: String,
    pub status: u16,
    /// The capture's id, from the `x-hookscope-capture` header.
    pub capture: Option<i64>,
    pub body: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("Nothing is listening at {base}: start `hookscope serve` (or the app) first, or pass --to URL.")]
    NotListening { base: String },
    #[error("Could not post to {url}: {detail}")]
    Failed { url: String, detail: String },
}

/// Posts the sample's requests to the listener at `base`, in order.
pub async fn send(sample: &Sample, config: &Config, base: &str) -> Result<Vec<Sent>, SendError> {
    let client = reqwest::Client::new();
    let mut sent = Vec::new();
    for request in sample.requests(config) {
        let url = format!("{base}{}", request.target);
        let mut post = client.post(&url).body(request.body);
        for (name, value) in &request.headers {
            post = post.header(name, value);
        }
        let response = post.send().await.map_err(|e| {
            if e.is_connect() {
                SendError::NotListening { base: base.into() }
            } else {
                SendError::Failed {
                    url: url.clone(),
                    detail: e.to_string(),
                }
            }
        })?;
        let status = response.status().as_u16();
        let capture = response
            .headers()
            .get("x-hookscope-capture")
            .and_then(|v| v.to_str().ok())
            .and_then(|id| id.parse().ok());
        let body = response.text().await.unwrap_or_default();
        sent.push(Sent {
            url,
            status,
            capture,
            body,
        });
    }
    Ok(sent)
}

fn rewrite(body: &[u8], change: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut value: Value = serde_json::from_slice(body).expect("built-in samples are valid JSON");
    change(&mut value);
    serde_json::to_vec(&value).expect("JSON values always serialize")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::{Incoming, Verdict};
    use crate::config::Secret;
    use crate::providers;

    fn judge_all(config: &Config, sample: &Sample) -> Vec<crate::capture::Judgement> {
        sample
            .requests(config)
            .into_iter()
            .map(|r| {
                let (path, query) = r.target.split_once('?').unwrap_or((&r.target, ""));
                let incoming = Incoming {
                    received_at: time::OffsetDateTime::now_utc(),
                    remote_addr: "127.0.0.1:1".into(),
                    method: "POST".into(),
                    path: path.into(),
                    query: query.into(),
                    size: r.body.len() as u64,
                    headers: r.headers.into_iter().map(|(n, v)| (n, v.into())).collect(),
                    body: r.body,
                };
                providers::judge(&incoming, config)
            })
            .collect()
    }

    #[test]
    fn every_sample_is_accepted_except_wrong_tokens_when_secrets_are_set() {
        let mut config = Config::default();
        config.reestr.confirm_string = "873fd5a562".into();
        config.reestr.secret_key = Secret::new("s");
        config.green_api.webhook_url_token = Secret::new("t");
        for sample in SAMPLES {
            for j in judge_all(&config, sample) {
                let expected = if sample.variant == Variant::WrongToken {
                    Verdict::Rejected
                } else {
                    Verdict::Ok
                };
                assert_eq!(j.verdict, expected, "{}: {:?}", sample.name, j.reason);
                // "?" stands in for a field the rules could not find in the body.
                let unknown = j.summary.split([' ', ':']).any(|word| word == "?");
                assert!(
                    !j.summary.is_empty() && !unknown,
                    "{}: {}",
                    sample.name,
                    j.summary
                );
            }
        }
    }

    #[test]
    fn redelivery_variants_repeat_their_key_and_plain_sends_do_not() {
        let config = Config::default();
        for sample in SAMPLES.iter().filter(|s| s.variant == Variant::Redelivery) {
            let keys: Vec<_> = judge_all(&config, sample)
                .into_iter()
                .map(|j| j.redelivery_key)
                .collect();
            assert_eq!(keys.len(), 2);
            assert!(keys[0].is_some() && keys[0] == keys[1], "{}", sample.name);
        }
        let text = find("green-api-incoming-text").unwrap();
        assert_ne!(
            judge_all(&config, text)[0].redelivery_key,
            judge_all(&config, text)[0].redelivery_key
        );
    }
}
