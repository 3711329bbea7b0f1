//! MoySklad JSON API 1.2: webhook subscriptions (entity and stock), tokens, and re-reading the
//! objects a delivery names.
//!
//! Every request must send `Accept-Encoding: gzip` (else 415 with an empty body) and, when it
//! sends `Accept`, exactly `application/json;charset=utf-8`; the shared client asks for gzip
//! and decodes it. 429 answers carry `X-Lognex-Retry-After` in milliseconds. Errors are
//! `{"errors": [{"error", "code", "parameter"?, "moreInfo"?}]}` with Russian text.

use std::time::Duration;

use base64::Engine as _;
use reqwest::Method;
use serde_json::{json, Value};

use crate::config::{MoyskladConfig, Secret};
use crate::http::{self, Advice, ApiError, FieldError, Mistake, Reply, Setting, Unread};
use crate::tunnel;

const SERVICE: &str = "MoySklad";
const ACCEPT: &str = "application/json;charset=utf-8";
/// Where the JSON API's objects live under MoySklad's API URL; an href names one after it.
const REMAP: &str = "/api/remap/1.2";
/// 429s waited out before giving up (the limit is 45 requests per 3 s per account).
const RETRIES: usize = 3;
/// The longest single wait a 429 may ask for before hookscope gives up instead.
const LONGEST_WAIT: Duration = Duration::from_secs(10);

/// Entity types offered in the create form; any other may be typed.
pub const COMMON_ENTITY_TYPES: &[&str] = &[
    "customerorder",
    "demand",
    "product",
    "counterparty",
    "invoiceout",
    "paymentin",
    "supply",
    "move",
    "stock",
];

pub const ACTIONS: &[&str] = &["CREATE", "UPDATE", "DELETE", "PROCESSED"];

/// A stock webhook's "action": whether its report covers all stores or each store.
pub const REPORT_TYPES: &[&str] = &["all", "bystore"];

/// Where a webhook points, from where hookscope is now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Whereabouts {
    /// At hookscope's public URL.
    ThisTunnel,
    /// At another quick tunnel, most likely an older one of the user's: `moved` is its URL at
    /// this tunnel; `twin` when that kind is registered there already (MoySklad refuses a
    /// second one, so this one can only be deleted).
    OlderTunnel {
        moved: String,
        twin: bool,
    },
    Elsewhere,
}

/// A webhook subscription; stock webhooks show `stock` as their entity type and their
/// `reportType` as the action.
#[derive(Clone, Debug, PartialEq)]
pub struct Webhook {
    pub id: String,
    pub entity_type: String,
    pub action: String,
    pub diff_type: String,
    pub url: String,
    pub enabled: bool,
    /// The object as MoySklad sent it, extra fields included.
    pub raw: Value,
}

impl Webhook {
    fn from_json(raw: Value, stock: bool) -> Webhook {
        let text = |field: &str| raw[field].as_str().unwrap_or_default().to_string();
        Webhook {
            id: text("id"),
            entity_type: if stock {
                "stock".into()
            } else {
                text("entityType")
            },
            action: if stock {
                text("reportType")
            } else {
                text("action")
            },
            diff_type: text("diffType"),
            url: text("url"),
            enabled: raw["enabled"].as_bool().unwrap_or(true),
            raw,
        }
    }

    /// Whether `among` already holds a webhook of this kind at `url`: MoySklad refuses a
    /// second one (30003), so this one cannot be moved there.
    pub fn has_twin_at(&self, url: &str, among: &[Webhook]) -> bool {
        among
            .iter()
            .any(|w| w.url == url && w.entity_type == self.entity_type && w.action == self.action)
    }

    /// Where this webhook points, seen from hookscope's `public` URL (if any) now.
    pub fn whereabouts(&self, public: Option<&str>, all: &[Webhook]) -> Whereabouts {
        let Some(public) = public else {
            return Whereabouts::Elsewhere;
        };
        if self.url.starts_with(public) {
            return Whereabouts::ThisTunnel;
        }
        let old = self.url.split('/').take(3).collect::<Vec<_>>().join("/");
        match tunnel::moved(&self.url, &old, public) {
            Some(url) if old != public && tunnel::is_quick_tunnel(&old) => {
                Whereabouts::OlderTunnel {
                    twin: self.has_twin_at(&url, all),
                    moved: url,
                }
            }
            _ => Whereabouts::Elsewhere,
        }
    }

    /// "customerorder CREATE → https://…", how a person names this webhook.
    pub fn name(&self) -> String {
        format!("{} {} → {}", self.entity_type, self.action, self.url)
    }

    pub fn is_stock(&self) -> bool {
        self.raw["meta"]["type"] == "webhookstock" || self.raw.get("stockType").is_some()
    }

    fn path(&self) -> String {
        let collection = if self.is_stock() {
            "webhookstock"
        } else {
            "webhook"
        };
        format!("/entity/{collection}/{}", self.id)
    }
}

/// What the create form or `moysklad webhooks create` asks for.
#[derive(Clone, Debug, Default)]
pub struct NewWebhook {
    /// `stock` makes a stock webhook (`reportType: all`).
    pub entity_type: String,
    pub action: String,
    /// `FIELDS` (or `NONE`), only with UPDATE.
    pub diff_type: Option<String>,
    pub url: String,
}

/// A MoySklad account, reached with a token.
pub struct Account {
    http: reqwest::Client,
    api_url: String,
    token: Secret,
}

/// Trades a login and password for a token (`POST /security/token` with Basic auth).
pub async fn obtain_token(api_url: &str, login: &str, password: &str) -> Result<Secret, ApiError> {
    let api_url = http::base_url(api_url, SERVICE)?;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{login}:{password}"));
    let request = http::client()
        .post(format!("{api_url}/security/token"))
        .header("accept", ACCEPT)
        .header("authorization", format!("Basic {basic}"));
    let reply = send_waiting(request).await?;
    if reply.status == reqwest::StatusCode::UNAUTHORIZED {
        return Err(ApiError::refused(
            SERVICE,
            reply.status,
            format!(
                "the login {login} and this password were not accepted. Check both (the login looks like admin@company) and try again."
            ),
        ));
    }
    check(&reply)?;
    let answer: Value = reply.json()?;
    match answer["access_token"].as_str() {
        Some(token) if !token.is_empty() => Ok(Secret::new(token)),
        _ => Err(reply.unreadable(Unread::Missing("access_token"))),
    }
}

impl Account {
    pub fn new(config: &MoyskladConfig) -> Result<Account, ApiError> {
        http::required(config.token.expose(), Setting::MoyskladToken)?;
        Ok(Account {
            http: http::client(),
            api_url: http::base_url(&config.api_url, SERVICE)?,
            token: config.token.clone(),
        })
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Reply, ApiError> {
        let url = if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{path}", self.api_url)
        };
        let mut request = self
            .http
            .request(method, url)
            .header("accept", ACCEPT)
            .bearer_auth(self.token.expose());
        if let Some(body) = body {
            request = request.json(&body);
        }
        let reply = send_waiting(request).await?;
        check(&reply)?;
        Ok(reply)
    }

    /// Entity webhooks, then stock webhooks.
    pub async fn webhooks(&self) -> Result<Vec<Webhook>, ApiError> {
        let mut all = Vec::new();
        for (collection, stock) in [("webhook", false), ("webhookstock", true)] {
            let reply = self
                .call(Method::GET, &format!("/entity/{collection}"), None)
                .await?;
            let list: Value = reply.json()?;
            let Some(rows) = list["rows"].as_array() else {
                return Err(reply.unreadable(Unread::Missing("rows")));
            };
            all.extend(
                rows.iter()
                    .cloned()
                    .map(|raw| Webhook::from_json(raw, stock)),
            );
        }
        Ok(all)
    }

    pub async fn create(&self, new: &NewWebhook) -> Result<Webhook, ApiError> {
        let stock = new.entity_type == "stock";
        let body = if stock {
            json!({"url": new.url, "stockType": "stock", "reportType": report_type(&new.action)?})
        } else {
            if new.action.trim().is_empty() {
                return Err(ApiError::Input(Mistake::NoAction { actions: ACTIONS }));
            }
            let mut body = json!({
                "url": new.url,
                "action": new.action.to_uppercase(),
                "entityType": new.entity_type,
            });
            if let Some(diff) = new.diff_type.as_deref().filter(|d| !d.is_empty()) {
                body["diffType"] = diff.to_uppercase().into();
            }
            body
        };
        let collection = if stock { "webhookstock" } else { "webhook" };
        let reply = self
            .call(Method::POST, &format!("/entity/{collection}"), Some(body))
            .await?;
        Ok(Webhook::from_json(reply.json()?, stock))
    }

    /// Finds a webhook by id among entity and then stock webhooks.
    pub async fn webhook(&self, id: &str) -> Result<Webhook, ApiError> {
        let id = id.trim();
        match self
            .call(Method::GET, &format!("/entity/webhook/{id}"), None)
            .await
        {
            Ok(reply) => Ok(Webhook::from_json(reply.json()?, false)),
            Err(e) if e.status() == Some(404) => {
                let reply = self
                    .call(Method::GET, &format!("/entity/webhookstock/{id}"), None)
                    .await?;
                Ok(Webhook::from_json(reply.json()?, true))
            }
            Err(e) => Err(e),
        }
    }

    /// A partial update (`PUT`), e.g. `{"enabled": false}` or `{"url": …}`.
    pub async fn update(&self, webhook: &Webhook, changes: Value) -> Result<Webhook, ApiError> {
        let reply = self
            .call(Method::PUT, &webhook.path(), Some(changes))
            .await?;
        Ok(Webhook::from_json(reply.json()?, webhook.is_stock()))
    }

    pub async fn delete(&self, webhook: &Webhook) -> Result<(), ApiError> {
        self.call(Method::DELETE, &webhook.path(), None)
            .await
            .map(drop)
    }

    /// Reads the object a delivery's event names by its `meta.href`. The token goes only to
    /// the configured API: a delivery has no signature, so its href cannot be trusted. Through
    /// a team host's lent account the href's path goes to the host, which asks its own API.
    pub async fn load(&self, href: &str) -> Result<Value, ApiError> {
        let lent = format!("{}moysklad", crate::api::providers::PREFIX);
        let through_host = match href.split_once(REMAP) {
            Some((_, path)) if self.api_url.ends_with(&lent) => format!("{}{path}", self.api_url),
            _ => href.to_string(),
        };
        let href = through_host.as_str();
        let inside = href
            .strip_prefix(&self.api_url)
            .is_some_and(|rest| rest.starts_with('/'));
        if !inside {
            return Err(ApiError::Input(Mistake::ForeignHref {
                href: href.into(),
                api_url: self.api_url.clone(),
            }));
        }
        self.call(Method::GET, href, None).await?.json()
    }
}

/// A stock webhook's action is its report type: `all` (the default) or `bystore`.
fn report_type(action: &str) -> Result<&'static str, ApiError> {
    let action = action.trim().to_lowercase();
    if action.is_empty() {
        return Ok(REPORT_TYPES[0]);
    }
    REPORT_TYPES
        .iter()
        .find(|kind| **kind == action)
        .copied()
        .ok_or(ApiError::Input(Mistake::ReportType { action }))
}

/// Sends a request, waiting out 429s as `X-Lognex-Retry-After` says.
async fn send_waiting(request: reqwest::RequestBuilder) -> Result<Reply, ApiError> {
    for _ in 0..RETRIES {
        let attempt = request
            .try_clone()
            .expect("API requests have in-memory bodies");
        let reply = http::send(SERVICE, attempt).await?;
        if reply.status != reqwest::StatusCode::TOO_MANY_REQUESTS {
            return Ok(reply);
        }
        match retry_after(&reply) {
            Some(wait) if wait <= LONGEST_WAIT => tokio::time::sleep(wait).await,
            _ => return Ok(reply),
        }
    }
    http::send(SERVICE, request).await
}

fn retry_after(reply: &Reply) -> Option<Duration> {
    let ms: u64 = reply
        .headers
        .get("x-lognex-retry-after")?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_millis(ms))
}

/// MoySklad's error list as a sentence: its (Russian) text and code, and what to do in English
/// for the webhook codes.
fn check(reply: &Reply) -> Result<(), ApiError> {
    let status = reply.status;
    if status.is_success() {
        return Ok(());
    }
    let errors: Vec<Value> = serde_json::from_slice::<Value>(&reply.body)
        .ok()
        .and_then(|v| v["errors"].as_array().cloned())
        .unwrap_or_default();
    // An error that names a parameter is listed under it; the others make the sentence.
    let (with_field, general): (Vec<&Value>, Vec<&Value>) =
        errors.iter().partition(|e| e["parameter"].is_string());
    let mut message: Vec<String> = general.into_iter().map(explain).collect();
    let fields: Vec<FieldError> = with_field
        .into_iter()
        .map(|e| FieldError {
            field: e["parameter"].as_str().unwrap_or_default().to_string(),
            message: explain(e),
        })
        .collect();
    if message.is_empty() && !fields.is_empty() {
        message.push(match fields.len() {
            1 => "this field was not accepted".into(),
            _ => "these fields were not accepted".into(),
        });
    }
    if message.is_empty() {
        message.push(match status.as_u16() {
            415 => "the request did not ask for gzip, which MoySklad requires".into(),
            _ => reply.text_clipped(),
        });
    }
    let advice = match status {
        reqwest::StatusCode::TOO_MANY_REQUESTS => Some(Advice::MoyskladTooMany),
        reqwest::StatusCode::UNAUTHORIZED => Some(Advice::MoyskladToken),
        _ => None,
    };
    Err(ApiError::Refused {
        service: SERVICE,
        status: status.as_u16(),
        message: message.join("; "),
        advice,
        fields,
    })
}

/// One MoySklad error: its own text and code, and what the code means when it is a webhook's.
fn explain(error: &Value) -> String {
    let code = error["code"].as_i64().unwrap_or_default();
    let text = error["error"].as_str().unwrap_or_default();
    match hint(code) {
        Some(hint) => format!("{text} (code {code}: {hint})"),
        None => format!("{text} (code {code})"),
    }
}

/// What the webhook error codes mean and what to do about them.
fn hint(code: i64) -> Option<&'static str> {
    Some(match code {
        30000 => "this entity type has no webhooks",
        30002 => "the action must be CREATE, UPDATE, DELETE or PROCESSED",
        30003 => "such a webhook already exists; enable it instead of creating another",
        30004 => "webhooks need an administrator's token",
        30005 => "the URL is not valid",
        30006 => "the account's tariff has no webhooks",
        30007 => "at most 5 URLs per entity type and action; delete one first",
        30008 => "this action is not available for this entity type (PROCESSED is for async only)",
        30009 => "diffType is allowed only with UPDATE",
        30010 => "the URL is longer than 255 characters",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn webhook(kind: &str, url: &str) -> Webhook {
        Webhook::from_json(
            serde_json::json!({"id": url, "entityType": kind, "action": "CREATE", "url": url}),
            false,
        )
    }

    #[test]
    fn whereabouts_tell_this_tunnel_an_older_one_and_elsewhere() {
        let here = "https://new-words.trycloudflare.com";
        let all = [
            webhook(
                "customerorder",
                "https://new-words.trycloudflare.com/moysklad",
            ),
            webhook("product", "https://old-words.trycloudflare.com/moysklad"),
            webhook(
                "customerorder",
                "https://old-words.trycloudflare.com/moysklad",
            ),
            webhook("supply", "https://hooks.example.com/moysklad"),
        ];
        let at = |w: &Webhook| w.whereabouts(Some(here), &all);
        assert_eq!(at(&all[0]), Whereabouts::ThisTunnel);
        assert_eq!(
            at(&all[1]),
            Whereabouts::OlderTunnel {
                moved: "https://new-words.trycloudflare.com/moysklad".into(),
                twin: false
            }
        );
        assert!(matches!(
            at(&all[2]),
            Whereabouts::OlderTunnel { twin: true, .. }
        ));
        assert_eq!(at(&all[3]), Whereabouts::Elsewhere);
        assert_eq!(all[0].whereabouts(None, &all), Whereabouts::Elsewhere);
    }

    fn reply(status: u16, body: &str) -> Reply {
        Reply {
            service: SERVICE,
            status: reqwest::StatusCode::from_u16(status).unwrap(),
            headers: Default::default(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn errors_keep_the_russian_text_and_the_code() {
        let body = r#"{"errors":[{"error":"Вебхук на данный тип сущности и действие с таким url уже существует","code":30003}]}"#;
        let text = check(&reply(412, body)).unwrap_err().to_string();
        assert!(text.contains("HTTP 412"), "{text}");
        assert!(text.contains("уже существует"), "{text}");
        assert!(
            text.contains("code 30003: such a webhook already exists"),
            "{text}"
        );
    }

    #[test]
    fn stock_webhooks_read_as_stock() {
        let raw = json!({"id": "s1", "url": "https://x/moysklad", "stockType": "stock", "reportType": "bystore", "enabled": false});
        let webhook = Webhook::from_json(raw, true);
        assert_eq!(
            (webhook.entity_type.as_str(), webhook.action.as_str()),
            ("stock", "bystore")
        );
        assert!(webhook.is_stock() && !webhook.enabled);
        assert_eq!(webhook.path(), "/entity/webhookstock/s1");
    }
}
