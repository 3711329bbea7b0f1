//! GREEN-API's instance settings: read them, and point the instance's webhooks at hookscope.
//!
//! Calls are `{apiUrl}/waInstance{idInstance}/{method}/{apiTokenInstance}`: the token is in the
//! path and there is no auth header. `setSettings` restarts the instance and the change takes
//! effect within about five minutes. Flags are the strings "yes"/"no", never booleans.

use serde_json::{Map, Value};

use crate::config::{GreenApiConfig, Secret};
use crate::http::{self, ApiError};

const SERVICE: &str = "GREEN-API";

/// A notification switch of `setSettings`: its field, and whether Connect turns it on.
pub struct Switch {
    pub field: &'static str,
    pub on_by_default: bool,
}

/// The notifications a webhook can carry, in the order GREEN-API's console lists them.
/// Connect turns on incoming messages, outgoing ones (statuses, from the phone, from the
/// API), instance state and incoming calls; the rest stay as the user chooses.
pub const SWITCHES: &[Switch] = &[
    Switch {
        field: "incomingWebhook",
        on_by_default: true,
    },
    Switch {
        field: "outgoingWebhook",
        on_by_default: true,
    },
    Switch {
        field: "outgoingMessageWebhook",
        on_by_default: true,
    },
    Switch {
        field: "outgoingAPIMessageWebhook",
        on_by_default: true,
    },
    Switch {
        field: "stateWebhook",
        on_by_default: true,
    },
    Switch {
        field: "incomingCallWebhook",
        on_by_default: true,
    },
    Switch {
        field: "pollMessageWebhook",
        on_by_default: false,
    },
    Switch {
        field: "editedMessageWebhook",
        on_by_default: false,
    },
    Switch {
        field: "deletedMessageWebhook",
        on_by_default: false,
    },
    Switch {
        field: "incomingBlockWebhook",
        on_by_default: false,
    },
];

/// The switches Connect turns on when the user changed nothing.
pub fn default_switches() -> Vec<&'static str> {
    SWITCHES
        .iter()
        .filter(|s| s.on_by_default)
        .map(|s| s.field)
        .collect()
}

/// The `setSettings` body that changes only `webhookUrl`; `""` turns webhooks off.
pub fn webhook_url_only(url: &str) -> Map<String, Value> {
    let mut settings = Map::new();
    settings.insert("webhookUrl".into(), url.into());
    settings
}

/// The `setSettings` body that points webhooks at `url` with `token`, turning on exactly the
/// switches in `on` (the others off, so what the user sees checked is what is sent).
pub fn webhook_settings(url: &str, token: &str, on: &[&str]) -> Map<String, Value> {
    let mut settings = Map::new();
    settings.insert("webhookUrl".into(), url.into());
    settings.insert("webhookUrlToken".into(), token.into());
    for switch in SWITCHES {
        let value = if on.contains(&switch.field) {
            "yes"
        } else {
            "no"
        };
        settings.insert(switch.field.into(), value.into());
    }
    settings
}

/// Settings as `(field, value)` lines for people: the webhook token masked, flags as on/off.
pub fn describe(settings: &Map<String, Value>) -> Vec<(String, String)> {
    settings
        .iter()
        .map(|(field, value)| {
            let shown = match (field.as_str(), value) {
                ("webhookUrlToken", Value::String(t)) if t.is_empty() => "(none)".to_string(),
                ("webhookUrlToken", _) => "*** (set)".to_string(),
                ("webhookUrl", Value::String(u)) if u.is_empty() => "(off)".to_string(),
                (_, Value::String(s)) if s == "yes" => "on".to_string(),
                (_, Value::String(s)) if s == "no" => "off".to_string(),
                (_, Value::String(s)) => s.clone(),
                (_, other) => other.to_string(),
            };
            (field.clone(), shown)
        })
        .collect()
}

/// One GREEN-API instance, as configured in `[green_api]`.
pub struct Instance {
    http: reqwest::Client,
    api_url: String,
    id: String,
    token: Secret,
}

impl Instance {
    pub fn new(config: &GreenApiConfig) -> Result<Instance, ApiError> {
        let hint = "copy it from the GREEN-API console into the GREEN-API panel (or [green_api] in the settings).";
        let id = http::required(&config.id_instance, "GREEN-API's idInstance", hint)?;
        if !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ApiError::NotConfigured(format!(
                "GREEN-API's idInstance \"{id}\" should be digits only, e.g. 1101000001: {hint}"
            )));
        }
        http::required(
            config.api_token_instance.expose(),
            "GREEN-API's apiTokenInstance",
            hint,
        )?;
        Ok(Instance {
            http: http::client(),
            api_url: http::base_url(&config.api_url, SERVICE)?,
            id: id.to_string(),
            token: config.api_token_instance.clone(),
        })
    }

    fn url(&self, method: &str) -> String {
        format!(
            "{}/waInstance{}/{method}/{}",
            self.api_url,
            self.id,
            self.token.expose()
        )
    }

    /// `getSettings`: every setting of the instance, in GREEN-API's order.
    pub async fn settings(&self) -> Result<Map<String, Value>, ApiError> {
        let reply = http::send(SERVICE, self.http.get(self.url("getSettings"))).await?;
        self.check(&reply)?;
        reply.json()
    }

    /// `setSettings` with any non-empty subset of the settings.
    pub async fn set_settings(&self, changes: &Map<String, Value>) -> Result<(), ApiError> {
        let request = self.http.post(self.url("setSettings")).json(changes);
        let reply = http::send(SERVICE, request).await?;
        self.check(&reply)?;
        let answer: Value = reply.json()?;
        if answer.get("saveSettings") == Some(&Value::Bool(true)) {
            Ok(())
        } else {
            Err(reply.unreadable("saveSettings is not true"))
        }
    }

    fn check(&self, reply: &http::Reply) -> Result<(), ApiError> {
        let status = reply.status;
        if status.is_success() {
            return Ok(());
        }
        let message = match status.as_u16() {
            401 | 403 => format!(
                "idInstance {} and this apiTokenInstance do not match an instance. Copy both again from the GREEN-API console; a console that shows its own API host (e.g. https://1101.api.green-api.com) wants that host as the API URL too.",
                self.id
            ),
            // Quota errors carry an `invokeStatus` object with a description.
            466 => {
                let description = serde_json::from_slice::<Value>(&reply.body)
                    .ok()
                    .and_then(|v| {
                        v.pointer("/invokeStatus/description")
                            .and_then(Value::as_str)
                            .map(str::to_string)
                    })
                    .unwrap_or_else(|| reply.text_clipped());
                format!("the instance's quota is used up: {description}")
            }
            _ => reply.text_clipped(),
        };
        Err(ApiError::refused(SERVICE, status, message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_sends_exactly_the_chosen_switches_as_yes_and_no() {
        let body = webhook_settings("https://t.example/green-api", "tok", &default_switches());
        assert_eq!(body["webhookUrl"], "https://t.example/green-api");
        assert_eq!(body["webhookUrlToken"], "tok");
        assert_eq!(body["incomingWebhook"], "yes");
        assert_eq!(body["incomingCallWebhook"], "yes");
        assert_eq!(body["pollMessageWebhook"], "no");
        assert_eq!(body.len(), 2 + SWITCHES.len());
    }

    #[test]
    fn description_masks_the_webhook_token() {
        let settings: Map<String, Value> = serde_json::from_str(
            r#"{"webhookUrl":"","webhookUrlToken":"abc","incomingWebhook":"yes","delaySendMessagesMilliseconds":5000}"#,
        )
        .unwrap();
        let lines = describe(&settings);
        assert_eq!(lines[0].1, "(off)");
        assert_eq!(lines[1].1, "*** (set)");
        assert_eq!(lines[2].1, "on");
        assert_eq!(lines[3].1, "5000");
        assert!(!format!("{lines:?}").contains("abc"));
    }

    #[test]
    fn missing_or_odd_id_instance_is_explained() {
        let mut config = GreenApiConfig::default();
        let err = Instance::new(&config).err().unwrap().to_string();
        assert!(err.contains("idInstance is not set"), "{err}");
        config.id_instance = "wa-1".into();
        config.api_token_instance = Secret::new("t");
        let err = Instance::new(&config).err().unwrap().to_string();
        assert!(err.contains("digits only"), "{err}");
    }
}
