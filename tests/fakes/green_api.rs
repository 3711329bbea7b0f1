//! The fake GREEN-API refuses what the settings API refuses: a wrong instance or token in the
//! path, fields that are not settable, flags that are not `"yes"`/`"no"`, an empty body, and
//! every call once the quota is used up (466).

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::fakes::green_api::FakeGreenApi;

const ID_INSTANCE: &str = "1101000001";
const API_TOKEN_INSTANCE: &str = "d75b3a66374942c5b3c019c698abc2067e151558acbd412345";

fn fake() -> FakeGreenApi {
    FakeGreenApi::start(ID_INSTANCE, API_TOKEN_INSTANCE)
}

/// One call of `method` with the instance and token in the path, as GREEN-API wants them.
fn request(
    fake: &FakeGreenApi,
    verb: Method,
    id_instance: &str,
    method: &str,
    token: &str,
) -> reqwest::RequestBuilder {
    let url = format!(
        "{}/waInstance{id_instance}/{method}/{token}",
        fake.api_url()
    );
    reqwest::Client::new().request(verb, url)
}

async fn answer(request: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

async fn get_settings(fake: &FakeGreenApi) -> (StatusCode, Value) {
    let get = request(
        fake,
        Method::GET,
        ID_INSTANCE,
        "getSettings",
        API_TOKEN_INSTANCE,
    );
    answer(get).await
}

async fn set_settings(fake: &FakeGreenApi, body: Value) -> (StatusCode, Value) {
    let post = request(
        fake,
        Method::POST,
        ID_INSTANCE,
        "setSettings",
        API_TOKEN_INSTANCE,
    );
    answer(post.json(&body)).await
}

#[tokio::test]
async fn get_settings_answers_every_field_with_string_flags() {
    let fake = fake();
    let (status, settings) = get_settings(&fake).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(settings["wid"], "79001234567@c.us");
    assert_eq!(settings["webhookUrl"], "");
    assert_eq!(settings["webhookUrlToken"], "");
    assert_eq!(settings["delaySendMessagesMilliseconds"], 5000);
    let flags = settings.as_object().unwrap().iter().filter(|(key, _)| {
        !matches!(
            key.as_str(),
            "wid"
                | "countryInstance"
                | "typeAccount"
                | "webhookUrl"
                | "webhookUrlToken"
                | "delaySendMessagesMilliseconds"
        )
    });
    let flags: Vec<_> = flags.collect();
    assert_eq!(flags.len(), 15, "{settings}");
    for (flag, value) in flags {
        assert!(value == "yes" || value == "no", "{flag}: {value}");
    }
    assert_eq!(settings, fake.settings());
}

#[tokio::test]
async fn the_instance_and_token_in_the_path_authorise_not_a_header() {
    let fake = fake();
    let wrong_token = request(&fake, Method::GET, ID_INSTANCE, "getSettings", "0ther");
    let wrong_instance = request(
        &fake,
        Method::GET,
        "1101000002",
        "getSettings",
        API_TOKEN_INSTANCE,
    );
    for refused in [wrong_token.bearer_auth(API_TOKEN_INSTANCE), wrong_instance] {
        let (status, body) = answer(refused).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["error"], "Unauthorized");
    }
    let stray_header = request(
        &fake,
        Method::GET,
        ID_INSTANCE,
        "getSettings",
        API_TOKEN_INSTANCE,
    );
    let (status, _) = answer(stray_header.bearer_auth("anything")).await;
    assert_eq!(status, StatusCode::OK, "an Authorization header is ignored");
}

#[tokio::test]
async fn set_settings_refuses_what_is_not_a_settable_field_or_value() {
    let fake = fake();
    for (body, named) in [
        (json!({"incomingWebhook": true}), "incomingWebhook"),
        (json!({"stateWebhook": "on"}), "stateWebhook"),
        (json!({"webhookUrl": "ftp://example.com"}), "webhookUrl"),
        (
            json!({"delaySendMessagesMilliseconds": "5000"}),
            "delaySendMessagesMilliseconds",
        ),
        (
            json!({"delaySendMessagesMilliseconds": 1.5}),
            "delaySendMessagesMilliseconds",
        ),
        (
            json!({"outgoingWebhook": "no", "webhookSecret": "x"}),
            "webhookSecret",
        ),
        (json!({"wid": "79000000000@c.us"}), "wid"),
        (json!({}), ""),
        (json!([{"incomingWebhook": "yes"}]), ""),
    ] {
        let (status, answer) = set_settings(&fake, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let description = answer["description"].as_str().unwrap();
        assert!(description.contains(named), "{body}: {description}");
    }
    let text = request(
        &fake,
        Method::POST,
        ID_INSTANCE,
        "setSettings",
        API_TOKEN_INSTANCE,
    )
    .header("content-type", "text/plain")
    .body(r#"{"incomingWebhook":"yes"}"#);
    assert_eq!(answer(text).await.0, StatusCode::BAD_REQUEST);
    assert!(
        fake.set_settings_calls().is_empty(),
        "nothing refused is applied"
    );
    assert_eq!(fake.settings()["outgoingWebhook"], "yes");
}

#[tokio::test]
async fn set_settings_applies_a_subset_that_get_settings_then_shows() {
    let fake = fake();
    let subset = json!({
        "webhookUrl": "https://hook.example.com/green",
        "webhookUrlToken": "s3cret",
        "incomingCallWebhook": "yes",
        "delaySendMessagesMilliseconds": 1000,
    });
    let (status, body) = set_settings(&fake, subset.clone()).await;
    assert_eq!(
        (status, body),
        (StatusCode::OK, json!({"saveSettings": true}))
    );
    let (_, settings) = get_settings(&fake).await;
    for (key, value) in subset.as_object().unwrap() {
        assert_eq!(&settings[key], value, "{key}");
    }
    assert_eq!(
        settings["incomingWebhook"], "yes",
        "fields left out are kept"
    );
    assert_eq!(fake.set_settings_calls(), [subset]);
}

#[tokio::test]
async fn wrong_verbs_and_unknown_methods_are_refused() {
    let fake = fake();
    for (verb, method, expected) in [
        (Method::GET, "setSettings", StatusCode::METHOD_NOT_ALLOWED),
        (Method::POST, "getSettings", StatusCode::METHOD_NOT_ALLOWED),
        (Method::GET, "getSettingz", StatusCode::NOT_FOUND),
    ] {
        let call = request(&fake, verb, ID_INSTANCE, method, API_TOKEN_INSTANCE);
        assert_eq!(answer(call).await.0, expected, "{method}");
    }
}

#[tokio::test]
async fn every_call_answers_466_while_the_quota_is_exceeded() {
    let fake = fake();
    fake.exceed_quota(true);
    let (status, body) = set_settings(&fake, json!({"incomingWebhook": "no"})).await;
    assert_eq!(status.as_u16(), 466);
    assert_eq!(body["invokeStatus"]["method"], "setSettings");
    assert_eq!(body["invokeStatus"]["status"], "QUOTE_ALLOWED_EXCEEDED");
    assert_eq!(get_settings(&fake).await.0.as_u16(), 466);
    assert!(fake.set_settings_calls().is_empty());
    fake.exceed_quota(false);
    assert_eq!(get_settings(&fake).await.0, StatusCode::OK);
}
