//! The fake Reestr API keeps the contract of providers.md §1: `GET order.get` with `v=1.0`, the
//! shop's `access_token` and a known order `id`, everything else refused.

use reqwest::header::{ALLOW, CONTENT_TYPE};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

use crate::common::fakes::reestr::FakeReestr;

const TOKEN: &str = "c5a1f0e2b7d94e3a";
const ORDER_ID: &str = "1024";

/// A shop holding one order, described in Russian as Reestr describes its services.
fn shop() -> FakeReestr {
    let fake = FakeReestr::start(TOKEN);
    fake.add_order(ORDER_ID, order());
    fake
}

fn order() -> Value {
    json!({"id": ORDER_ID, "status": "Выполнен", "service": "Выписка из ЕГРН об объекте недвижимости"})
}

/// `GET order.get?<query>`: the status and the JSON body.
async fn order_get(fake: &FakeReestr, query: &str) -> (StatusCode, Value) {
    let response = reqwest::get(format!("{}/order.get?{query}", fake.api_url()))
        .await
        .unwrap();
    (response.status(), response.json().await.unwrap())
}

fn refusal(code: &str, message: &str) -> Value {
    json!({"error": {"code": code, "message": message}})
}

#[tokio::test]
async fn a_missing_or_wrong_access_token_gets_401() {
    let fake = shop();
    for query in [
        format!("id={ORDER_ID}&access_token=guess&v=1.0"),
        format!("id={ORDER_ID}&v=1.0"),
    ] {
        assert_eq!(
            order_get(&fake, &query).await,
            (
                StatusCode::UNAUTHORIZED,
                refusal("auth", "Неверный access_token")
            )
        );
    }
}

#[tokio::test]
async fn other_versions_methods_and_paths_are_refused() {
    let fake = shop();
    let query = format!("id={ORDER_ID}&access_token={TOKEN}&v=2.0");
    assert_eq!(
        order_get(&fake, &query).await,
        (
            StatusCode::BAD_REQUEST,
            refusal("version", "Неподдерживаемая версия API: 2.0")
        )
    );
    let client = Client::new();
    let posted = client
        .post(format!(
            "{}/order.get?{}",
            fake.api_url(),
            query.replace("2.0", "1.0")
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(posted.headers()[ALLOW], "GET");
    let elsewhere = client
        .get(format!(
            "{}/order.list?access_token={TOKEN}&v=1.0",
            fake.api_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(elsewhere.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_unknown_order_gets_404_and_a_missing_id_400() {
    let fake = shop();
    assert_eq!(
        order_get(&fake, &format!("id=999&access_token={TOKEN}&v=1.0")).await,
        (
            StatusCode::NOT_FOUND,
            refusal("not_found", "Заказ 999 не найден")
        )
    );
    assert_eq!(
        order_get(&fake, &format!("access_token={TOKEN}&v=1.0")).await,
        (
            StatusCode::BAD_REQUEST,
            refusal("params", "Не указан параметр id")
        )
    );
}

#[tokio::test]
async fn a_known_order_is_answered_inside_response() {
    let fake = shop();
    let query = format!("id={ORDER_ID}&access_token={TOKEN}&v=1.0");
    let response = reqwest::get(format!("{}/order.get?{query}", fake.api_url()))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[CONTENT_TYPE],
        "application/json; charset=utf-8"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, json!({"response": order()}));
    assert_eq!(body["response"]["status"], "Выполнен");
    assert_eq!(
        fake.requests(),
        vec![format!("/api/method/order.get?{query}")]
    );
}
