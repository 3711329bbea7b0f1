//! GREEN-API's instance settings: read them, and point the instance's webhooks at hookscope.
//!
//! Calls are `{apiUrl}/waInstance{idInstance}/{method}/{apiTokenInstance}`: the token is in the
//! path and there is no auth header. `setSettings` restarts the instance and the change takes
//! effect within about five minutes. Flags are the strings "yes"/"no", never booleans.

use serde_json::{Map, Value};

use crate::config::{GreenApiConfig, Secret};
use crate::http::{self, Advice, ApiError, Setting, Unread, Unset};

const SERVICE: &str = "GREEN-API";

/// A notification a webhook can carry: a switch of `setSettings`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Notification {
    Incoming,
    OutgoingStatus,
    OutgoingFromPhone,
    OutgoingFromApi,
    State,
    IncomingCalls,
    Polls,
    Edited,
    Deleted,
    Blocks,
}

impl Notification {
    /// In the order GREEN-API's console lists them.
    pub const ALL: [Notification; 10] = [
        Notification::Incoming,
        Notification::OutgoingStatus,
        Notification::OutgoingFromPhone,
        Notification::OutgoingFromApi,
        Notification::State,
        Notification::IncomingCalls,
        Notification::Polls,
        Notification::Edited,
        Notification::Deleted,
        Notification::Blocks,
    ];

    /// Its `setSettings` field.
    pub fn field(self) -> &'static str {
        match self {
            Notification::Incoming => "incomingWebhook",
            Notification::OutgoingStatus => "outgoingWebhook",
            Notification::OutgoingFromPhone => "outgoingMessageWebhook",
            Notification::OutgoingFromApi => "outgoingAPIMessageWebhook",
            Notification::State => "stateWebhook",
            Notification::IncomingCalls => "incomingCallWebhook",
            Notification::Polls => "pollMessageWebhook",
            Notification::Edited => "editedMessageWebhook",
            Notification::Deleted => "deletedMessageWebhook",
            Notification::Blocks => "incomingBlockWebhook",
        }
    }

    pub fn from_field(field: &str) -> Option<Notification> {
        Notification::ALL.into_iter().find(|n| n.field() == field)
    }

    /// Connect turns on incoming messages, outgoing ones (statuses, from the phone, from the
    /// API), instance state and incoming calls; the rest stay as the user chooses.
    pub fn on_by_default(self) -> bool {
        !matches!(
            self,
            Notification::Polls
                | Notification::Edited
                | Notification::Deleted
                | Notification::Blocks
        )
    }

    /// The notifications Connect turns on when the user changed nothing.
    pub fn defaults() -> Vec<Notification> {
        Notification::ALL
            .into_iter()
            .filter(|n| n.on_by_default())
            .collect()
    }
}

/// The `setSettings` body that changes only `webhookUrl`; `""` turns webhooks off.
pub fn webhook_url_only(url: &str) -> Map<String, Value> {
    let mut settings = Map::new();
    settings.insert("webhookUrl".into(), url.into());
    settings
}

/// The `setSettings` body that points webhooks at `url` with `token`, turning on exactly the
/// notifications in `on` (the others off, so what the user sees checked is what is sent).
pub fn webhook_settings(url: &str, token: &str, on: &[Notification]) -> Map<String, Value> {
    let mut settings = Map::new();
    settings.insert("webhookUrl".into(), url.into());
    settings.insert("webhookUrlToken".into(), token.into());
    for notification in Notification::ALL {
        let value = if on.contains(&notification) {
            "yes"
        } else {
            "no"
        };
        settings.insert(notification.field().into(), value.into());
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
        let id = http::required(&config.id_instance, Setting::GreenApiId)?;
        if !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ApiError::NotConfigured(Unset::NotDigits { id: id.into() }));
        }
        http::required(config.api_token_instance.expose(), Setting::GreenApiToken)?;
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
    /// Points the instance's webhooks at `url`, with the token it is to send and exactly the
    /// notifications in `on`.
    pub async fn connect(
        &self,
        url: &str,
        token: &str,
        on: &[Notification],
    ) -> Result<(), ApiError> {
        self.set_settings(&webhook_settings(url, token, on)).await
    }

    /// Turns the instance's webhooks off (an empty `webhookUrl`).
    pub async fn disconnect(&self) -> Result<(), ApiError> {
        self.set_settings(&webhook_url_only("")).await
    }

    pub async fn set_settings(&self, changes: &Map<String, Value>) -> Result<(), ApiError> {
        let request = self.http.post(self.url("setSettings")).json(changes);
        let reply = http::send(SERVICE, request).await?;
        self.check(&reply)?;
        let answer: Value = reply.json()?;
        if answer.get("saveSettings") == Some(&Value::Bool(true)) {
            Ok(())
        } else {
            Err(reply.unreadable(Unread::NotSaved))
        }
    }

    fn check(&self, reply: &http::Reply) -> Result<(), ApiError> {
        let status = reply.status;
        if status.is_success() {
            return Ok(());
        }
        let message = match status.as_u16() {
            401 | 403 => {
                let advice = Advice::GreenCredentials {
                    id: self.id.clone(),
                };
                return Err(ApiError::refused(SERVICE, status, "").advised(advice));
            }
            404 => {
                let refused = ApiError::refused(SERVICE, status, reply.text_clipped());
                return Err(refused.advised(Advice::GreenApiUrl));
            }
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
        let body = webhook_settings(
            "https://t.example/green-api",
            "tok",
            &Notification::defaults(),
        );
        assert_eq!(body["webhookUrl"], "https://t.example/green-api");
        assert_eq!(body["webhookUrlToken"], "tok");
        assert_eq!(body["incomingWebhook"], "yes");
        assert_eq!(body["incomingCallWebhook"], "yes");
        assert_eq!(body["pollMessageWebhook"], "no");
        assert_eq!(body.len(), 2 + Notification::ALL.len());
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
