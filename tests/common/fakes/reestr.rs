//! A fake Reestr API (providers.md §1): `GET {api}/order.get?id=…&access_token=…&v=1.0`,
//! refusing other methods, versions, tokens and unknown orders.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::State;
use axum::http::{header, Method, StatusCode, Uri};
use axum::response::Response;
use axum::Router;
use serde_json::{json, Value};

use super::{serve, Running};

/// Where the methods live on the service's own host (`https://reestr.net/api/method`).
const API_PATH: &str = "/api/method";
/// The only API version the follow-up call names.
const VERSION: &str = "1.0";

/// A running fake Reestr API; dropping it stops the server.
pub struct FakeReestr {
    running: Running,
    shop: Arc<Mutex<Shop>>,
}

impl FakeReestr {
    /// Starts the fake; it accepts `access_token=<access_token>`.
    pub fn start(access_token: &str) -> FakeReestr {
        let shop = Arc::new(Mutex::new(Shop {
            access_token: access_token.to_owned(),
            orders: HashMap::new(),
            requests: Vec::new(),
        }));
        let running = serve(
            Router::new().fallback(handle).with_state(shop.clone()),
            None,
        );
        FakeReestr { running, shop }
    }

    /// `http://127.0.0.1:PORT/api/method`
    pub fn api_url(&self) -> String {
        format!("{}{API_PATH}", self.running.base())
    }

    /// Makes `order.get?id=<id>` answer `{"response": order}`.
    pub fn add_order(&self, id: &str, order: Value) {
        self.shop().orders.insert(id.to_owned(), order);
    }

    /// The path and query of every request received so far, oldest first.
    pub fn requests(&self) -> Vec<String> {
        self.shop().requests.clone()
    }

    fn shop(&self) -> MutexGuard<'_, Shop> {
        self.shop.lock().unwrap()
    }
}

/// The Reestr account behind the API: its access token and orders.
struct Shop {
    access_token: String,
    orders: HashMap<String, Value>,
    requests: Vec<String>,
}

async fn handle(State(shop): State<Arc<Mutex<Shop>>>, method: Method, uri: Uri) -> Response {
    let mut shop = shop.lock().unwrap();
    let seen = uri
        .path_and_query()
        .map_or(uri.path(), |target| target.as_str());
    shop.requests.push(seen.to_owned());
    shop.answer(&method, &uri)
}

impl Shop {
    /// Checked in this order: path, method, `v`, `access_token`, `id`, the order itself.
    fn answer(&self, method: &Method, uri: &Uri) -> Response {
        if uri.path() != format!("{API_PATH}/order.get") {
            return plain(StatusCode::NOT_FOUND);
        }
        if method != Method::GET {
            let mut refused = plain(StatusCode::METHOD_NOT_ALLOWED);
            refused
                .headers_mut()
                .insert(header::ALLOW, header::HeaderValue::from_static("GET"));
            return refused;
        }
        let params = query_params(uri);
        let param = |name: &str| {
            params
                .get(name)
                .map(String::as_str)
                .filter(|v| !v.is_empty())
        };
        let version = param("v").unwrap_or_default();
        if version != VERSION {
            return error(
                StatusCode::BAD_REQUEST,
                "version",
                &format!("Неподдерживаемая версия API: {version}"),
            );
        }
        if param("access_token") != Some(self.access_token.as_str()) {
            return error(StatusCode::UNAUTHORIZED, "auth", "Неверный access_token");
        }
        let Some(id) = param("id") else {
            return error(StatusCode::BAD_REQUEST, "params", "Не указан параметр id");
        };
        match self.orders.get(id) {
            Some(order) => reply(StatusCode::OK, &json!({"response": order})),
            None => error(
                StatusCode::NOT_FOUND,
                "not_found",
                &format!("Заказ {id} не найден"),
            ),
        }
    }
}

/// The query's parameters, percent-decoded; the first of a repeated name wins.
fn query_params(uri: &Uri) -> HashMap<String, String> {
    let mut params = HashMap::new();
    if let Ok(url) = reqwest::Url::parse(&format!("http://reestr{uri}")) {
        for (name, value) in url.query_pairs() {
            params
                .entry(name.into_owned())
                .or_insert(value.into_owned());
        }
    }
    params
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    reply(
        status,
        &json!({"error": {"code": code, "message": message}}),
    )
}

fn reply(status: StatusCode, value: &Value) -> Response {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
        .body(serde_json::to_vec(value).unwrap().into())
        .unwrap()
}

fn plain(status: StatusCode) -> Response {
    Response::builder()
        .status(status)
        .body(Default::default())
        .unwrap()
}
