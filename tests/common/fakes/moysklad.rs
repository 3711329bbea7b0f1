//! A fake MoySklad JSON API 1.2 (providers.md §3) that refuses what the real API refuses: a
//! request without `Accept-Encoding: gzip`, a foreign `Accept`, a wrong token, an invalid or
//! duplicate webhook. Every body it sends is gzip-compressed, as the real API's are.

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::Response;
use axum::Router;
use base64::Engine;
use flate2::write::GzEncoder;
use flate2::Compression;
use serde_json::{json, Map, Value};

use super::{serve, Running};

/// Where the API lives on its host (`https://api.moysklad.ru/api/remap/1.2`).
const API_PATH: &str = "/api/remap/1.2";
/// The only media type the API speaks; an `Accept` header, when sent, must name exactly it.
const JSON_UTF8: &str = "application/json;charset=utf-8";
/// The account every webhook of this fake belongs to (`accountId` in the API's answers).
const ACCOUNT_ID: &str = "8b6c3f1e-6d2a-11ee-0a80-0c5d00000001";
/// `(entityType, action)` may have at most this many urls.
const MAX_URLS_PER_KIND: usize = 5;
/// A webhook `url` may be at most this long.
const MAX_URL_CHARS: usize = 255;
/// The window `X-Lognex-Retry-TimeInterval` names: 45 requests per 3 s.
const RATE_WINDOW_MS: &str = "3000";
// Codes providers.md does not list (it names the webhook codes only): a foreign `Accept`,
// a body that is not a JSON object or has a field of the wrong type, a required field left
// out (3000 is MoySklad's "Ошибка сохранения объекта").
const FOREIGN_ACCEPT: u32 = 1062;
const MALFORMED_BODY: u32 = 2000;
const MISSING_FIELD: u32 = 3000;

/// Entity types a webhook can watch (`async` is the type of finished asynchronous tasks).
const ENTITY_TYPES: &[&str] = &[
    "product",
    "service",
    "bundle",
    "variant",
    "counterparty",
    "customerorder",
    "demand",
    "supply",
    "purchaseorder",
    "invoiceout",
    "invoicein",
    "paymentin",
    "paymentout",
    "cashin",
    "cashout",
    "move",
    "inventory",
    "loss",
    "enter",
    "retaildemand",
    "salesreturn",
    "processing",
    "productfolder",
    "store",
    "employee",
    "organization",
    "contract",
    "async",
];
const ACTIONS: &[&str] = &["CREATE", "UPDATE", "DELETE", "PROCESSED"];
const DIFF_TYPES: &[&str] = &["NONE", "FIELDS"];
const REPORT_TYPES: &[&str] = &["all", "bystore"];

/// One request the fake received, refused or not.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    /// Header names are lower-cased.
    pub headers: Vec<(String, String)>,
}

/// A running fake MoySklad API; dropping it stops the server.
pub struct FakeMoysklad {
    running: Running,
    account: Arc<Mutex<Account>>,
}

impl FakeMoysklad {
    /// Starts the fake; it accepts `Authorization: Bearer <token>`.
    pub fn start(token: &str) -> FakeMoysklad {
        let account = Arc::new(Mutex::new(Account {
            token: token.to_owned(),
            ..Account::default()
        }));
        let running = serve(
            Router::new().fallback(handle).with_state(account.clone()),
            None,
        );
        account.lock().unwrap().api_url = format!("{}{API_PATH}", running.base());
        FakeMoysklad { running, account }
    }

    /// Lets `POST /security/token` with Basic `login:password` obtain the token.
    pub fn with_login(self, login: &str, password: &str) -> FakeMoysklad {
        let credentials =
            base64::engine::general_purpose::STANDARD.encode(format!("{login}:{password}"));
        self.account().basic = Some(format!("Basic {credentials}"));
        self
    }

    /// `http://127.0.0.1:PORT/api/remap/1.2`
    pub fn api_url(&self) -> String {
        format!("{}{API_PATH}", self.running.base())
    }

    /// `http://127.0.0.1:PORT`
    pub fn origin(&self) -> String {
        self.running.base()
    }

    /// The entity webhooks, as `GET /entity/webhook` lists them.
    pub fn webhooks(&self) -> Vec<Value> {
        self.account().webhooks.clone()
    }

    /// The stock webhooks, as `GET /entity/webhookstock` lists them.
    pub fn stock_webhooks(&self) -> Vec<Value> {
        self.account().stock_webhooks.clone()
    }

    /// Subscribes `url` as `POST /entity/webhook` would; returns the webhook's id. Panics on
    /// what the API would refuse, so a test cannot start from a state the API never reaches.
    pub fn add_webhook(&self, entity_type: &str, action: &str, url: &str) -> String {
        let fields = json!({"entityType": entity_type, "action": action, "url": url});
        let webhook = self
            .account()
            .subscribe(Kind::Webhook, fields.as_object().unwrap())
            .unwrap_or_else(|refusal| panic!("MoySklad would refuse this webhook: {refusal:?}"));
        webhook["id"].as_str().unwrap().to_owned()
    }

    /// Makes `GET {api_url}{path}` answer `object`, e.g. `/entity/product/<uuid>`.
    pub fn add_object(&self, path: &str, object: Value) {
        let path = format!("/{}", path.trim_start_matches('/'));
        self.account().objects.insert(path, object);
    }

    /// The next `requests` requests get 429 with `X-Lognex-Retry-After: <retry_after_ms>`.
    pub fn throttle_next(&self, requests: usize, retry_after_ms: u64) {
        let mut account = self.account();
        account.throttled = requests;
        account.retry_after_ms = retry_after_ms;
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<Seen> {
        self.account().requests.clone()
    }

    fn account(&self) -> MutexGuard<'_, Account> {
        self.account.lock().unwrap()
    }
}

/// The MoySklad account behind the API: its credentials, webhooks and objects.
#[derive(Default)]
struct Account {
    token: String,
    /// The whole `Authorization` value `POST /security/token` accepts, once a login is set.
    basic: Option<String>,
    api_url: String,
    webhooks: Vec<Value>,
    stock_webhooks: Vec<Value>,
    objects: HashMap<String, Value>,
    throttled: usize,
    retry_after_ms: u64,
    requests: Vec<Seen>,
}

async fn handle(
    State(account): State<Arc<Mutex<Account>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut account = account.lock().unwrap();
    account.requests.push(Seen {
        method: method.to_string(),
        path: uri.path().to_owned(),
        headers: headers
            .iter()
            .map(|(name, value)| {
                let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                (name.as_str().to_owned(), value)
            })
            .collect(),
    });
    match uri.path().strip_prefix(API_PATH) {
        Some(route) => account.answer(method.as_str(), route, &headers, &body),
        None => empty(StatusCode::NOT_FOUND),
    }
}

impl Account {
    /// The checks run in the API's order: encoding, media type, rate limit, credentials.
    fn answer(&mut self, method: &str, route: &str, headers: &HeaderMap, body: &Bytes) -> Response {
        // providers.md §3: without `Accept-Encoding: gzip` the API answers 415, empty.
        if !values(headers, header::ACCEPT_ENCODING)
            .any(|v| v.to_ascii_lowercase().contains("gzip"))
        {
            return empty(StatusCode::UNSUPPORTED_MEDIA_TYPE);
        }
        // providers.md §3: an `Accept` that is sent must be the API's own type.
        if values(headers, header::ACCEPT).any(|accept| !names_json_utf8(&accept)) {
            return Refusal::new(
                StatusCode::NOT_ACCEPTABLE,
                FOREIGN_ACCEPT,
                format!("Неподдерживаемое значение заголовка Accept: ожидается '{JSON_UTF8}'"),
            )
            .into_response();
        }
        if self.throttled > 0 {
            self.throttled -= 1;
            return self.throttle();
        }
        if let Err(refusal) = self.authenticate(method, route, headers) {
            return refusal.into_response();
        }
        self.route(method, route, headers, body)
            .unwrap_or_else(Refusal::into_response)
    }

    /// providers.md §3: 429 carries `X-Lognex-Retry-After` (ms to wait) and
    /// `X-Lognex-Retry-TimeInterval` (the limit's window).
    fn throttle(&self) -> Response {
        let mut response = Refusal::new(
            StatusCode::TOO_MANY_REQUESTS,
            1049,
            "Превышено ограничение на количество запросов в единицу времени",
        )
        .into_response();
        let headers = response.headers_mut();
        headers.insert(
            "x-lognex-retry-after",
            HeaderValue::from(self.retry_after_ms),
        );
        headers.insert(
            "x-lognex-retry-timeinterval",
            HeaderValue::from_static(RATE_WINDOW_MS),
        );
        response
    }

    /// Bearer token everywhere, except the token exchange itself, which takes Basic login:password.
    fn authenticate(&self, method: &str, route: &str, headers: &HeaderMap) -> Result<(), Refusal> {
        let expected = if (method, route) == ("POST", "/security/token") {
            self.basic.clone()
        } else {
            Some(format!("Bearer {}", self.token))
        };
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        match expected {
            Some(expected) if given == Some(expected.as_str()) => Ok(()),
            _ => Err(Refusal::new(
                StatusCode::UNAUTHORIZED,
                1056,
                "Ошибка аутентификации: Неправильный пароль или имя пользователя или ключ авторизации",
            )),
        }
    }

    fn route(
        &mut self,
        method: &str,
        route: &str,
        headers: &HeaderMap,
        body: &Bytes,
    ) -> Result<Response, Refusal> {
        let segments: Vec<&str> = route.trim_start_matches('/').split('/').collect();
        let kind = match segments.as_slice() {
            ["entity", collection, ..] => Kind::from_collection(collection),
            _ => None,
        };
        match (method, segments.as_slice(), kind) {
            ("POST", ["security", "token"], _) => Ok(json_reply(
                StatusCode::CREATED,
                &json!({"access_token": self.token}),
            )),
            ("GET", [_, _], Some(kind)) => Ok(self.list(kind)),
            ("POST", [_, _], Some(kind)) => {
                let webhook = self.subscribe(kind, &json_object(headers, body)?)?;
                Ok(json_reply(StatusCode::OK, &webhook))
            }
            ("GET", [_, _, id], Some(kind)) => {
                let webhook = self.find(kind, id)?;
                Ok(json_reply(StatusCode::OK, webhook))
            }
            ("PUT", [_, _, id], Some(kind)) => {
                let webhook = self.change(kind, id, &json_object(headers, body)?)?;
                Ok(json_reply(StatusCode::OK, &webhook))
            }
            ("DELETE", [_, _, id], Some(kind)) => {
                self.find(kind, id)?;
                self.rows_mut(kind).retain(|webhook| webhook["id"] != *id);
                Ok(empty(StatusCode::OK))
            }
            ("GET", _, _) => match self.objects.get(route) {
                Some(object) => Ok(json_reply(StatusCode::OK, object)),
                None => Err(Refusal::not_found(segments.last().unwrap_or(&""))),
            },
            _ => Err(Refusal::new(
                StatusCode::NOT_FOUND,
                1005,
                format!("Неизвестный тип: '{}'", route.trim_start_matches('/')),
            )),
        }
    }

    fn list(&self, kind: Kind) -> Response {
        let api = &self.api_url;
        let name = kind.name();
        let rows = self.rows(kind);
        json_reply(
            StatusCode::OK,
            &json!({
                "context": {"employee": {"meta": {
                    "href": format!("{api}/context/employee"),
                    "metadataHref": format!("{api}/entity/employee/metadata"),
                    "type": "employee",
                    "mediaType": "application/json",
                }}},
                "meta": {
                    "href": format!("{api}/entity/{name}"),
                    "type": name,
                    "mediaType": "application/json",
                    "size": rows.len(),
                    "limit": 1000,
                    "offset": 0,
                },
                "rows": rows,
            }),
        )
    }

    fn subscribe(&mut self, kind: Kind, fields: &Map<String, Value>) -> Result<Value, Refusal> {
        let checked = kind.check(fields, &self.others(kind, None))?;
        let webhook = self.render(kind, &uuid::Uuid::new_v4().to_string(), checked);
        self.rows_mut(kind).push(webhook.clone());
        Ok(webhook)
    }

    /// providers.md §3: PUT is partial; the result must pass the same checks as a new one.
    fn change(
        &mut self,
        kind: Kind,
        id: &str,
        changes: &Map<String, Value>,
    ) -> Result<Value, Refusal> {
        let mut merged = self
            .find(kind, id)?
            .as_object()
            .cloned()
            .unwrap_or_default();
        // diffType goes with UPDATE only, so leaving UPDATE drops the stored one.
        if changes
            .get("action")
            .is_some_and(|action| action != "UPDATE")
        {
            merged.remove("diffType");
        }
        for field in kind.editable() {
            if let Some(value) = changes.get(*field) {
                merged.insert((*field).to_owned(), value.clone());
            }
        }
        let checked = kind.check(&merged, &self.others(kind, Some(id)))?;
        let webhook = self.render(kind, id, checked);
        let rows = self.rows_mut(kind);
        if let Some(slot) = rows.iter_mut().find(|row| row["id"] == id) {
            *slot = webhook.clone();
        }
        Ok(webhook)
    }

    fn render(&self, kind: Kind, id: &str, fields: Map<String, Value>) -> Value {
        let mut webhook = Map::new();
        webhook.insert(
            "meta".to_owned(),
            json!({
                "href": format!("{}/entity/{}/{id}", self.api_url, kind.name()),
                "type": kind.name(),
                "mediaType": "application/json",
            }),
        );
        webhook.insert("id".to_owned(), json!(id));
        webhook.insert("accountId".to_owned(), json!(ACCOUNT_ID));
        webhook.extend(fields);
        Value::Object(webhook)
    }

    fn find(&self, kind: Kind, id: &str) -> Result<&Value, Refusal> {
        self.rows(kind)
            .iter()
            .find(|webhook| webhook["id"] == id)
            .ok_or_else(|| Refusal::not_found(id))
    }

    /// The webhooks a new or changed one must not collide with.
    fn others(&self, kind: Kind, except: Option<&str>) -> Vec<&Value> {
        self.rows(kind)
            .iter()
            .filter(|webhook| except.is_none_or(|id| webhook["id"] != id))
            .collect()
    }

    fn rows(&self, kind: Kind) -> &Vec<Value> {
        match kind {
            Kind::Webhook => &self.webhooks,
            Kind::WebhookStock => &self.stock_webhooks,
        }
    }

    fn rows_mut(&mut self, kind: Kind) -> &mut Vec<Value> {
        match kind {
            Kind::Webhook => &mut self.webhooks,
            Kind::WebhookStock => &mut self.stock_webhooks,
        }
    }
}

/// The two webhook collections: on entities (`webhook`) and on stock (`webhookstock`).
#[derive(Clone, Copy)]
enum Kind {
    Webhook,
    WebhookStock,
}

impl Kind {
    fn from_collection(collection: &str) -> Option<Kind> {
        match collection {
            "webhook" => Some(Kind::Webhook),
            "webhookstock" => Some(Kind::WebhookStock),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Webhook => "webhook",
            Kind::WebhookStock => "webhookstock",
        }
    }

    /// The fields a PUT may change.
    fn editable(self) -> &'static [&'static str] {
        match self {
            Kind::Webhook => &["entityType", "url", "action", "enabled", "diffType"],
            Kind::WebhookStock => &["url", "enabled", "stockType", "reportType"],
        }
    }

    /// The stored fields (after meta, id and accountId), in the API's order.
    fn check(
        self,
        fields: &Map<String, Value>,
        others: &[&Value],
    ) -> Result<Map<String, Value>, Refusal> {
        match self {
            Kind::Webhook => check_webhook(fields, others),
            Kind::WebhookStock => check_stock_webhook(fields),
        }
    }
}

/// The webhook rules of providers.md §3, each refused with its own code.
fn check_webhook(
    fields: &Map<String, Value>,
    others: &[&Value],
) -> Result<Map<String, Value>, Refusal> {
    let entity_type = required(fields, "entityType")?;
    let url = required(fields, "url")?;
    let action = required(fields, "action")?;
    let enabled = enabled(fields)?;
    let diff_type = optional(fields, "diffType")?;
    if !ENTITY_TYPES.contains(&entity_type) {
        return Err(Refusal::bad(
            30000,
            format!("Тип сущности '{entity_type}' не поддерживается вебхуками"),
        )
        .at("entityType"));
    }
    if !ACTIONS.contains(&action) {
        return Err(
            Refusal::bad(30002, format!("Неизвестное действие вебхука: '{action}'")).at("action"),
        );
    }
    // PROCESSED exists for asynchronous tasks only, and they have no other action.
    if (action == "PROCESSED") != (entity_type == "async") {
        return Err(Refusal::bad(
            30008,
            format!("Действие '{action}' не поддерживается для типа сущности '{entity_type}'"),
        )
        .at("action"));
    }
    let diff_type = match (action, diff_type) {
        ("UPDATE", None) => Some("NONE"),
        ("UPDATE", Some(diff_type)) if DIFF_TYPES.contains(&diff_type) => Some(diff_type),
        (_, None) => None,
        (_, Some(diff_type)) => {
            return Err(Refusal::bad(
                30009,
                format!("Значение diffType '{diff_type}' недопустимо: diffType NONE или FIELDS указывается только для действия UPDATE"),
            )
            .at("diffType"))
        }
    };
    check_url(url)?;
    let same_kind: Vec<&Value> = others
        .iter()
        .copied()
        .filter(|other| other["entityType"] == entity_type && other["action"] == action)
        .collect();
    if same_kind.iter().any(|other| other["url"] == url) {
        return Err(Refusal::new(
            StatusCode::PRECONDITION_FAILED,
            30003,
            "Вебхук на данный тип сущности и действие с таким url уже существует",
        ));
    }
    if same_kind.len() >= MAX_URLS_PER_KIND {
        return Err(Refusal::new(
            StatusCode::PRECONDITION_FAILED,
            30007,
            format!("Превышено максимальное количество вебхуков ({MAX_URLS_PER_KIND}) на данный тип сущности и действие"),
        ));
    }
    let mut checked = Map::new();
    checked.insert("entityType".to_owned(), json!(entity_type));
    checked.insert("url".to_owned(), json!(url));
    checked.insert("method".to_owned(), json!("POST"));
    checked.insert("enabled".to_owned(), json!(enabled));
    checked.insert("action".to_owned(), json!(action));
    if let Some(diff_type) = diff_type {
        checked.insert("diffType".to_owned(), json!(diff_type));
    }
    Ok(checked)
}

/// providers.md §3: a stock webhook is `{url, stockType: "stock", reportType: all|bystore}`.
fn check_stock_webhook(fields: &Map<String, Value>) -> Result<Map<String, Value>, Refusal> {
    let url = required(fields, "url")?;
    let stock_type = required(fields, "stockType")?;
    let report_type = required(fields, "reportType")?;
    let enabled = enabled(fields)?;
    if stock_type != "stock" {
        return Err(Refusal::bad(
            30000,
            format!("Неподдерживаемый тип остатков: '{stock_type}'"),
        )
        .at("stockType"));
    }
    if !REPORT_TYPES.contains(&report_type) {
        return Err(Refusal::bad(
            30000,
            format!("Неподдерживаемый тип отчёта: '{report_type}'"),
        )
        .at("reportType"));
    }
    check_url(url)?;
    let mut checked = Map::new();
    checked.insert("url".to_owned(), json!(url));
    checked.insert("enabled".to_owned(), json!(enabled));
    checked.insert("stockType".to_owned(), json!(stock_type));
    checked.insert("reportType".to_owned(), json!(report_type));
    Ok(checked)
}

/// providers.md §3: 30005 for a url that is not http(s), 30010 past 255 characters.
fn check_url(url: &str) -> Result<(), Refusal> {
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(Refusal::bad(30005, format!("Некорректный url вебхука: '{url}'")).at("url"));
    }
    if url.chars().count() > MAX_URL_CHARS {
        return Err(Refusal::bad(
            30010,
            format!("Длина url вебхука превышает {MAX_URL_CHARS} символов"),
        )
        .at("url"));
    }
    Ok(())
}

fn required<'a>(fields: &'a Map<String, Value>, name: &'static str) -> Result<&'a str, Refusal> {
    optional(fields, name)?.ok_or_else(|| {
        Refusal::bad(
            MISSING_FIELD,
            format!(
                "Ошибка сохранения объекта: поле '{name}' не может быть пустым или отсутствовать"
            ),
        )
        .at(name)
    })
}

fn optional<'a>(
    fields: &'a Map<String, Value>,
    name: &'static str,
) -> Result<Option<&'a str>, Refusal> {
    match fields.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(_) => Err(wrong_type(name, "строкой")),
    }
}

fn enabled(fields: &Map<String, Value>) -> Result<bool, Refusal> {
    match fields.get("enabled") {
        None | Some(Value::Null) => Ok(true),
        Some(Value::Bool(enabled)) => Ok(*enabled),
        Some(_) => Err(wrong_type("enabled", "логическим")),
    }
}

fn wrong_type(name: &'static str, expected: &str) -> Refusal {
    Refusal::bad(
        MALFORMED_BODY,
        format!("Ошибка формата JSON: значение поля '{name}' должно быть {expected}"),
    )
    .at(name)
}

/// A body the API can read: `Content-Type: application/json` and a JSON object.
fn json_object(headers: &HeaderMap, body: &Bytes) -> Result<Map<String, Value>, Refusal> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("application/json"));
    match serde_json::from_slice(body) {
        Ok(Value::Object(fields)) if is_json => Ok(fields),
        _ => Err(Refusal::bad(
            MALFORMED_BODY,
            "Ошибка формата JSON: тело запроса должно быть JSON-объектом с Content-Type application/json",
        )),
    }
}

/// Every value of a header, as text.
fn values(headers: &HeaderMap, name: header::HeaderName) -> impl Iterator<Item = String> + '_ {
    headers
        .get_all(name)
        .into_iter()
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
}

/// Case and spaces do not matter (`application/json; charset=UTF-8` is the same type).
fn names_json_utf8(accept: &str) -> bool {
    let accept: String = accept.chars().filter(|c| !c.is_whitespace()).collect();
    accept.eq_ignore_ascii_case(JSON_UTF8)
}

/// An answer in the API's error shape: `{"errors": [{error, parameter?, code, moreInfo}]}`.
#[derive(Debug)]
struct Refusal {
    status: StatusCode,
    code: u32,
    error: String,
    parameter: Option<&'static str>,
}

impl Refusal {
    fn new(status: StatusCode, code: u32, error: impl Into<String>) -> Refusal {
        Refusal {
            status,
            code,
            error: error.into(),
            parameter: None,
        }
    }

    fn bad(code: u32, error: impl Into<String>) -> Refusal {
        Refusal::new(StatusCode::BAD_REQUEST, code, error)
    }

    fn not_found(id: &str) -> Refusal {
        Refusal::new(
            StatusCode::NOT_FOUND,
            1021,
            format!("Объект с ID {id} не найден"),
        )
    }

    /// Names the field at fault.
    fn at(mut self, parameter: &'static str) -> Refusal {
        self.parameter = Some(parameter);
        self
    }

    fn into_response(self) -> Response {
        let mut error = Map::new();
        error.insert("error".to_owned(), json!(self.error));
        if let Some(parameter) = self.parameter {
            error.insert("parameter".to_owned(), json!(parameter));
        }
        error.insert("code".to_owned(), json!(self.code));
        error.insert(
            "moreInfo".to_owned(),
            json!(format!(
                "https://dev.moysklad.ru/doc/api/remap/1.2/#error_{}",
                self.code
            )),
        );
        json_reply(self.status, &json!({"errors": [error]}))
    }
}

/// providers.md §3: responses are gzip-compressed.
fn json_reply(status: StatusCode, value: &Value) -> Response {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder
        .write_all(&serde_json::to_vec(value).unwrap())
        .expect("gzip into memory");
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, JSON_UTF8)
        .header(header::CONTENT_ENCODING, "gzip")
        .body(Body::from(encoder.finish().expect("gzip into memory")))
        .unwrap()
}

fn empty(status: StatusCode) -> Response {
    Response::builder()
        .status(status)
        .body(Body::empty())
        .unwrap()
}
