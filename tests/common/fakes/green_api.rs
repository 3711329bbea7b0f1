//! A fake GREEN-API instance: the settings methods at
//! `{apiUrl}/waInstance{idInstance}/{method}/{apiTokenInstance}`.
//!
//! Provider facts: the token is in the path and there is no auth header, so an `Authorization`
//! header proves nothing and is ignored; `getSettings` answers every field; `setSettings` takes
//! any non-empty subset of the settable fields, flags being the strings `"yes"`/`"no"`, and
//! answers `{"saveSettings": true}`; quota errors are HTTP 466 with an `invokeStatus` object.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use serde_json::{json, Map, Value};

use super::Running;

/// The `"yes"`/`"no"` flags of an instance with their initial values: webhooks about messages
/// on, everything else off, as a fresh instance is set up.
const FLAGS: [(&str, &str); 15] = [
    ("markIncomingMessagesReaded", "no"),
    ("markIncomingMessagesReadedOnReply", "no"),
    ("outgoingWebhook", "yes"),
    ("outgoingMessageWebhook", "yes"),
    ("outgoingAPIMessageWebhook", "yes"),
    ("incomingWebhook", "yes"),
    ("stateWebhook", "no"),
    ("deviceWebhook", "no"),
    ("statusInstanceChangedWebhook", "no"),
    ("incomingCallWebhook", "no"),
    ("pollMessageWebhook", "no"),
    ("editedMessageWebhook", "no"),
    ("deletedMessageWebhook", "no"),
    ("keepOnlineStatus", "no"),
    ("incomingBlockWebhook", "no"),
];

/// A running fake instance; dropping it stops the server.
pub struct FakeGreenApi {
    running: Running,
    instance: Arc<Instance>,
}

struct Instance {
    id_instance: String,
    api_token_instance: String,
    state: Mutex<InstanceState>,
}

struct InstanceState {
    settings: Map<String, Value>,
    set_settings_calls: Vec<Value>,
    quota_exceeded: bool,
}

impl FakeGreenApi {
    pub fn start(id_instance: &str, api_token_instance: &str) -> FakeGreenApi {
        FakeGreenApi::start_at("", id_instance, api_token_instance)
    }

    /// A MAX instance (`typeInstance` `"v3"`): the same methods under the API base's `/v3`,
    /// and nothing at the root.
    pub fn start_max(id_instance: &str, api_token_instance: &str) -> FakeGreenApi {
        FakeGreenApi::start_at("/v3", id_instance, api_token_instance)
    }

    fn start_at(base_path: &str, id_instance: &str, api_token_instance: &str) -> FakeGreenApi {
        let mut settings = json!({
            "wid": "79001234567@c.us",
            "countryInstance": "ru",
            "typeAccount": "trial",
            "webhookUrl": "",
            "webhookUrlToken": "",
            "delaySendMessagesMilliseconds": 5000,
        });
        for (flag, value) in FLAGS {
            settings[flag] = value.into();
        }
        let instance = Arc::new(Instance {
            id_instance: id_instance.to_owned(),
            api_token_instance: api_token_instance.to_owned(),
            state: Mutex::new(InstanceState {
                settings: settings.as_object().unwrap().clone(),
                set_settings_calls: Vec::new(),
                quota_exceeded: false,
            }),
        });
        let router = Router::new()
            .route(
                &format!("{base_path}/{{instance}}/{{method}}/{{token}}"),
                any(call),
            )
            .fallback(|| async { error(StatusCode::NOT_FOUND, "No such method") })
            .with_state(instance.clone());
        FakeGreenApi {
            running: super::serve(router, None),
            instance,
        }
    }

    /// The `apiUrl` to configure: `http://127.0.0.1:PORT`.
    pub fn api_url(&self) -> String {
        self.running.base()
    }

    /// The instance's current settings, as `getSettings` would answer them.
    pub fn settings(&self) -> Value {
        Value::Object(self.instance.state.lock().unwrap().settings.clone())
    }

    /// The bodies of the `setSettings` calls that were accepted, in order.
    pub fn set_settings_calls(&self) -> Vec<Value> {
        self.instance
            .state
            .lock()
            .unwrap()
            .set_settings_calls
            .clone()
    }

    /// While on, every call of this instance answers 466 as when the monthly quota is used up.
    pub fn exceed_quota(&self, on: bool) {
        self.instance.state.lock().unwrap().quota_exceeded = on;
    }
}

async fn call(
    State(instance): State<Arc<Instance>>,
    Path((wa_instance, method_name, token)): Path<(String, String, String)>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(id_instance) = wa_instance.strip_prefix("waInstance") else {
        return error(StatusCode::NOT_FOUND, "No such method");
    };
    if id_instance != instance.id_instance || token != instance.api_token_instance {
        return error(
            StatusCode::UNAUTHORIZED,
            "Wrong idInstance or apiTokenInstance",
        );
    }
    let mut state = instance.state.lock().unwrap();
    if state.quota_exceeded {
        // Facts: 466 with an `invokeStatus` object; the fields inside are (unconfirmed).
        return reply(
            StatusCode::from_u16(466).unwrap(),
            json!({"invokeStatus": {
                "method": method_name,
                "used": 101,
                "total": 100,
                "status": "QUOTE_ALLOWED_EXCEEDED",
                "description": "Monthly quota has been exceeded. To increase quota, switch to a paid plan",
            }}),
        );
    }
    let allowed = match method_name.as_str() {
        "getSettings" => Method::GET,
        "setSettings" => Method::POST,
        _ => return error(StatusCode::NOT_FOUND, "No such method"),
    };
    if method != allowed {
        let mut response = error(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed");
        response
            .headers_mut()
            .insert(header::ALLOW, allowed.as_str().parse().unwrap());
        return response;
    }
    if method == Method::GET {
        return reply(StatusCode::OK, Value::Object(state.settings.clone()));
    }
    match settable_subset(&headers, &body) {
        Ok(subset) => {
            state.set_settings_calls.push(Value::Object(subset.clone()));
            state.settings.extend(subset);
            reply(StatusCode::OK, json!({"saveSettings": true}))
        }
        Err(description) => error(StatusCode::BAD_REQUEST, &description),
    }
}

/// The settings a `setSettings` body asks for, or why it is refused. Nothing is applied unless
/// every field is valid.
fn settable_subset(headers: &HeaderMap, body: &[u8]) -> Result<Map<String, Value>, String> {
    let json_body = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"));
    if !json_body {
        return Err("Content-Type must be application/json".into());
    }
    let Ok(Value::Object(subset)) = serde_json::from_slice::<Value>(body) else {
        return Err("The body must be a JSON object of settings".into());
    };
    if subset.is_empty() {
        return Err("At least one setting is required".into());
    }
    for (key, value) in &subset {
        check_setting(key, value)?;
    }
    Ok(subset)
}

/// Why `value` cannot be given to the setting `key`, if it cannot: only the documented fields
/// are settable (`wid` and the other facts about the instance are not), and flags are strings.
fn check_setting(key: &str, value: &Value) -> Result<(), String> {
    let (valid, expected) = match key {
        "webhookUrl" => (
            value.as_str().is_some_and(|url| {
                url.is_empty() || url.starts_with("http://") || url.starts_with("https://")
            }),
            "empty or an http:// or https:// URL",
        ),
        "webhookUrlToken" => (value.is_string(), "a string"),
        "delaySendMessagesMilliseconds" => (value.is_u64(), "a non-negative integer"),
        flag if FLAGS.iter().any(|(name, _)| *name == flag) => (
            matches!(value.as_str(), Some("yes" | "no")),
            "\"yes\" or \"no\"",
        ),
        _ => return Err(format!("{key} is not a setting that can be set")),
    };
    if valid {
        Ok(())
    } else {
        Err(format!("{key} must be {expected}"))
    }
}

/// Every refusal has the same shape: the status's reason and what was wrong.
fn error(status: StatusCode, description: &str) -> Response {
    let reason = status.canonical_reason().unwrap_or("Error");
    reply(status, json!({"error": reason, "description": description}))
}

fn reply(status: StatusCode, body: Value) -> Response {
    let content_type = [(header::CONTENT_TYPE, "application/json")];
    (status, content_type, body.to_string()).into_response()
}
