//! The fake MoySklad API keeps the contract of providers.md §3: gzip or 415, its own `Accept`
//! or 406, the Bearer token or 401, and each webhook rule with its own error code.

use std::io::Read;

use reqwest::header::{ACCEPT, ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_TYPE};
use reqwest::{Client, Method, RequestBuilder, StatusCode};
use serde_json::{json, Value};

use crate::common::fakes::moysklad::FakeMoysklad;

const TOKEN: &str = "0f2b5e0c9d8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c";
const JSON_UTF8: &str = "application/json;charset=utf-8";
const HOOK: &str = "https://hooks.example/moysklad/k8Jq2";

/// A request as a well-behaved client builds it: the API's own `Accept`, and (reqwest's gzip
/// feature) `Accept-Encoding: gzip` with the answer decoded.
fn request(fake: &FakeMoysklad, method: Method, path: &str) -> RequestBuilder {
    Client::new()
        .request(method, format!("{}{path}", fake.api_url()))
        .header(ACCEPT, JSON_UTF8)
}

/// The status and the JSON body (`null` when empty).
async fn send(request: RequestBuilder) -> (StatusCode, Value) {
    let response = request.send().await.unwrap();
    let status = response.status();
    let body = response.bytes().await.unwrap();
    if body.is_empty() {
        (status, Value::Null)
    } else {
        (status, serde_json::from_slice(&body).unwrap())
    }
}

async fn call(
    fake: &FakeMoysklad,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = request(fake, method, path).bearer_auth(TOKEN);
    if let Some(body) = body {
        request = request.json(&body);
    }
    send(request).await
}

async fn subscribe(
    fake: &FakeMoysklad,
    entity_type: &str,
    action: &str,
    url: &str,
) -> (StatusCode, Value) {
    let webhook = json!({"url": url, "action": action, "entityType": entity_type});
    call(fake, Method::POST, "/entity/webhook", Some(webhook)).await
}

/// The API's error shape, with Russian text and the code's documentation link.
fn assert_error(body: &Value, code: u32) {
    let error = &body["errors"][0];
    assert_eq!(error["code"], code, "{body}");
    let text = error["error"].as_str().unwrap();
    assert!(
        text.chars().any(|c| matches!(c, 'А'..='я')),
        "not Russian: {text}"
    );
    let more_info = error["moreInfo"].as_str().unwrap();
    assert!(
        more_info.ends_with(&format!("#error_{code}")),
        "{more_info}"
    );
}

#[tokio::test]
async fn gzip_is_required_and_every_body_is_gzipped() {
    let fake = FakeMoysklad::start(TOKEN);
    let plain = Client::builder().no_gzip().build().unwrap();
    let url = format!("{}/entity/webhook", fake.api_url());
    assert_eq!(fake.api_url(), format!("{}/api/remap/1.2", fake.origin()));

    let refused = plain
        .get(&url)
        .bearer_auth(TOKEN)
        .header(ACCEPT, JSON_UTF8)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(refused.bytes().await.unwrap().is_empty());

    let answered = plain
        .get(&url)
        .bearer_auth(TOKEN)
        .header(ACCEPT, JSON_UTF8)
        .header(ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(answered.status(), StatusCode::OK);
    assert_eq!(answered.headers()[CONTENT_ENCODING], "gzip");
    assert_eq!(answered.headers()[CONTENT_TYPE], JSON_UTF8);
    let mut text = String::new();
    let gzipped = answered.bytes().await.unwrap();
    flate2::read::GzDecoder::new(&gzipped[..])
        .read_to_string(&mut text)
        .unwrap();
    let list: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(list["meta"]["type"], "webhook");
    assert_eq!(list["meta"]["size"], 0);
    assert_eq!(list["rows"], json!([]));

    let seen = fake.requests();
    assert_eq!(seen.len(), 2);
    assert_eq!(
        (seen[1].method.as_str(), seen[1].path.as_str()),
        ("GET", "/api/remap/1.2/entity/webhook")
    );
    assert!(seen[1]
        .headers
        .contains(&("accept-encoding".to_owned(), "gzip".to_owned())));
}

#[tokio::test]
async fn refuses_a_foreign_accept_and_a_wrong_token() {
    let fake = FakeMoysklad::start(TOKEN);
    let list = || Client::new().get(format!("{}/entity/webhook", fake.api_url()));

    let (status, body) = send(list().bearer_auth(TOKEN).header(ACCEPT, "*/*")).await;
    assert_eq!(status, StatusCode::NOT_ACCEPTABLE);
    assert!(body["errors"][0]["error"]
        .as_str()
        .unwrap()
        .contains("заголовка Accept"));
    let spelled_otherwise = list()
        .bearer_auth(TOKEN)
        .header(ACCEPT, "Application/JSON; charset=UTF-8");
    assert_eq!(send(spelled_otherwise).await.0, StatusCode::OK);

    let webhooks = || request(&fake, Method::GET, "/entity/webhook");
    for refused in [webhooks().bearer_auth("someone-else"), webhooks()] {
        let (status, body) = send(refused).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_error(&body, 1056);
    }
}

#[tokio::test]
async fn a_duplicate_webhook_gets_412_code_30003() {
    let fake = FakeMoysklad::start(TOKEN);
    let (status, webhook) = subscribe(&fake, "product", "CREATE", HOOK).await;
    assert_eq!(status, StatusCode::OK);
    let id = webhook["id"].as_str().unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok());
    assert_eq!(
        webhook["meta"]["href"],
        format!("{}/entity/webhook/{id}", fake.api_url())
    );
    assert_eq!(webhook["method"], "POST");
    assert_eq!(webhook["enabled"], true);
    assert!(webhook["accountId"].is_string() && webhook.get("diffType").is_none());

    let (status, body) = subscribe(&fake, "product", "CREATE", HOOK).await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    assert_error(&body, 30003);
    assert!(body["errors"][0]["error"]
        .as_str()
        .unwrap()
        .contains("уже существует"));
    assert_eq!(fake.webhooks(), vec![webhook]);
}

#[tokio::test]
async fn a_sixth_url_for_one_entity_type_and_action_gets_30007() {
    let fake = FakeMoysklad::start(TOKEN);
    for n in 0..5 {
        fake.add_webhook("customerorder", "UPDATE", &format!("{HOOK}/{n}"));
    }
    let (status, body) = subscribe(&fake, "customerorder", "UPDATE", &format!("{HOOK}/5")).await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    assert_error(&body, 30007);

    let (status, other_action) =
        subscribe(&fake, "customerorder", "CREATE", &format!("{HOOK}/5")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(fake.webhooks().len(), 6);
    assert_eq!(fake.webhooks()[0]["diffType"], "NONE");
    assert!(other_action.get("diffType").is_none());
}

#[tokio::test]
async fn each_webhook_rule_is_refused_with_its_own_code() {
    let fake = FakeMoysklad::start(TOKEN);
    let long_url = format!("https://hooks.example/{}", "a".repeat(240));
    let cases = [
        (
            json!({"url": HOOK, "action": "PROCESSED", "entityType": "product"}),
            30008,
        ),
        (
            json!({"url": HOOK, "action": "CREATE", "entityType": "async"}),
            30008,
        ),
        (
            json!({"url": HOOK, "action": "CREATE", "entityType": "product", "diffType": "FIELDS"}),
            30009,
        ),
        (
            json!({"url": HOOK, "action": "UPDATE", "entityType": "product", "diffType": "ALL"}),
            30009,
        ),
        (
            json!({"url": HOOK, "action": "CREATE", "entityType": "unicorn"}),
            30000,
        ),
        (
            json!({"url": HOOK, "action": "TOUCH", "entityType": "product"}),
            30002,
        ),
        (
            json!({"url": "ftp://hooks.example", "action": "CREATE", "entityType": "product"}),
            30005,
        ),
        (
            json!({"url": long_url, "action": "CREATE", "entityType": "product"}),
            30010,
        ),
    ];
    for (webhook, code) in cases {
        let (status, body) = call(&fake, Method::POST, "/entity/webhook", Some(webhook)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_error(&body, code);
    }
    let untyped = request(&fake, Method::POST, "/entity/webhook")
        .bearer_auth(TOKEN)
        .body(json!({"url": HOOK, "action": "CREATE", "entityType": "product"}).to_string());
    assert_eq!(send(untyped).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(
        subscribe(&fake, "async", "PROCESSED", HOOK).await.0,
        StatusCode::OK
    );
    assert_eq!(fake.webhooks().len(), 1);
}

#[tokio::test]
async fn put_changes_only_the_fields_given_and_delete_removes() {
    let fake = FakeMoysklad::start(TOKEN);
    let id = fake.add_webhook("demand", "UPDATE", HOOK);
    let path = format!("/entity/webhook/{id}");

    let (status, changed) = call(&fake, Method::PUT, &path, Some(json!({"enabled": false}))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (changed["url"].as_str(), changed["diffType"].as_str()),
        (Some(HOOK), Some("NONE"))
    );
    let (_, shown) = call(&fake, Method::GET, &path, None).await;
    assert_eq!(shown["enabled"], false);
    assert_eq!(shown, changed);
    let (status, body) = call(
        &fake,
        Method::PUT,
        &path,
        Some(json!({"action": "PROCESSED"})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, 30008);

    assert_eq!(
        call(&fake, Method::DELETE, &path, None).await,
        (StatusCode::OK, Value::Null)
    );
    let (status, body) = call(&fake, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, 1021);
    assert!(body["errors"][0]["error"].as_str().unwrap().contains(&id));
    assert!(fake.webhooks().is_empty());
}

#[tokio::test]
async fn stock_webhooks_are_created_and_listed() {
    let fake = FakeMoysklad::start(TOKEN);
    let stock = json!({"url": HOOK, "stockType": "stock", "reportType": "bystore"});
    let (status, created) = call(&fake, Method::POST, "/entity/webhookstock", Some(stock)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(created["meta"]["type"], "webhookstock");
    assert_eq!(
        (created["enabled"].as_bool(), created["reportType"].as_str()),
        (Some(true), Some("bystore"))
    );

    let (_, list) = call(&fake, Method::GET, "/entity/webhookstock", None).await;
    assert_eq!(list["meta"]["size"], 1);
    assert_eq!(list["rows"], json!([created]));
    let daily = json!({"url": HOOK, "stockType": "stock", "reportType": "daily"});
    let (status, body) = call(&fake, Method::POST, "/entity/webhookstock", Some(daily)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, 30000);
    assert_eq!(fake.stock_webhooks(), vec![created]);
}

#[tokio::test]
async fn throttled_requests_get_429_with_retry_after() {
    let fake = FakeMoysklad::start(TOKEN);
    fake.throttle_next(1, 1200);
    let throttled = request(&fake, Method::GET, "/entity/webhook")
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(throttled.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(throttled.headers()["x-lognex-retry-after"], "1200");
    assert_eq!(throttled.headers()["x-lognex-retry-timeinterval"], "3000");
    assert_error(&throttled.json().await.unwrap(), 1049);
    assert_eq!(
        call(&fake, Method::GET, "/entity/webhook", None).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn security_token_takes_the_basic_login_only() {
    let fake = FakeMoysklad::start(TOKEN).with_login("admin@shop", "s3cret");
    let exchange = |password: &str| {
        request(&fake, Method::POST, "/security/token").basic_auth("admin@shop", Some(password))
    };
    assert_eq!(
        send(exchange("s3cret")).await,
        (StatusCode::CREATED, json!({"access_token": TOKEN}))
    );
    let (status, body) = send(exchange("guess")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_error(&body, 1056);
    assert_eq!(
        call(&fake, Method::POST, "/security/token", None).await.0,
        StatusCode::UNAUTHORIZED
    );

    let without_login = FakeMoysklad::start(TOKEN);
    let (status, _) = send(
        request(&without_login, Method::POST, "/security/token")
            .basic_auth("admin@shop", Some("s3cret")),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn serves_seeded_objects_and_refuses_the_rest() {
    let fake = FakeMoysklad::start(TOKEN);
    let product =
        json!({"id": "5e1c0b9a-1f2d-11ef-0a80-0a4b00000001", "name": "Кофе в зёрнах 1 кг"});
    fake.add_object(
        "/entity/product/5e1c0b9a-1f2d-11ef-0a80-0a4b00000001",
        product.clone(),
    );

    let seeded = "/entity/product/5e1c0b9a-1f2d-11ef-0a80-0a4b00000001?expand=images";
    assert_eq!(
        call(&fake, Method::GET, seeded, None).await,
        (StatusCode::OK, product)
    );
    let (status, body) = call(
        &fake,
        Method::GET,
        "/entity/product/00000000-0000-0000-0000-000000000000",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, 1021);
    let (status, body) = call(&fake, Method::POST, "/entity/unicorn", Some(json!({}))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, 1005);
}
