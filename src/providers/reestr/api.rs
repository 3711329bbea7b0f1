//! Reestr's API: `order.get`, to see the order a `payment` or `service_done` notification names.
//!
//! `GET {api}/order.get?id={order_id}&access_token={token}&v=1.0`. The answer's shape is not
//! documented beyond "JSON", so it is shown as it came; an `error` object, even in a 200, is
//! the service's refusal.

use serde_json::Value;

use crate::config::ReestrConfig;
use crate::http::{self, Advice, ApiError, Setting, Unread};

const SERVICE: &str = "Reestr";

/// The order, as Reestr sent it.
pub async fn order(config: &ReestrConfig, order_id: &str) -> Result<Value, ApiError> {
    let order_id = http::required(order_id, Setting::ReestrOrderId)?;
    let token = http::required(config.access_token.expose(), Setting::ReestrAccessToken)?;
    let api_url = http::base_url(&config.api_url, SERVICE)?;
    let request = http::client().get(format!("{api_url}/order.get")).query(&[
        ("id", order_id),
        ("access_token", token),
        ("v", "1.0"),
    ]);
    let reply = http::send(SERVICE, request).await?;
    let answer: Option<Value> = serde_json::from_slice(&reply.body).ok();
    let error = answer
        .as_ref()
        .and_then(|a| a.get("error"))
        .filter(|e| !e.is_null());
    if reply.status.is_success() && error.is_none() {
        return answer.ok_or_else(|| reply.unreadable(Unread::NotJson(String::new())));
    }
    let said = error
        .map(|e| match e.get("message").and_then(Value::as_str) {
            Some(message) => message.to_string(),
            None => e.to_string(),
        })
        .unwrap_or_else(|| reply.text_clipped());
    let refused = ApiError::refused(SERVICE, reply.status, said);
    Err(match reply.status.as_u16() {
        401 | 403 => refused.advised(Advice::ReestrToken),
        404 => refused.advised(Advice::ReestrOrder),
        _ => refused,
    })
}
