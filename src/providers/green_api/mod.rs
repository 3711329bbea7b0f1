//! GREEN-API webhooks, one format for its three messengers: WhatsApp, MAX (`typeInstance`
//! `"v3"`) and Telegram (`"telegram"`: numeric chat ids without `@c.us`, `chatType` and
//! `senderType` in `senderData`).
//!
//! Any answer but HTTP 200 (or none within 180 s) makes GREEN-API wait 60 s and send the same
//! notification again, for up to 24 h, so everything genuine gets a plain 200. With
//! `webhookUrlToken` set, requests carry `Authorization: Bearer <token>`; GREEN-API's own
//! receivers also accept `Basic <token>` and a bare token, so hookscope does too.

pub mod api;

use super::json::Json;

use super::{at, parse_body, text_field, Field};
use crate::capture::{
    ellipsize, secrets_match, Answer, Incoming, Judgement, Provider, Reason, Verdict,
};
use crate::config::GreenApiConfig;

pub fn judge(request: &Incoming, config: &GreenApiConfig) -> Judgement {
    if let Some(refusal) = check_token(request, config) {
        return Judgement {
            provider: Provider::GreenApi,
            event: String::new(),
            summary: format!("refused: {refusal}"),
            verdict: Verdict::Rejected,
            answer: Answer::text(401, format!("{refusal}\n")),
            reason: Some(refusal),
            redelivery_key: None,
        };
    }
    let body = match parse_body(request, Provider::GreenApi) {
        Ok(body) => body,
        Err(refused) => return *refused,
    };
    let kind = text_field(&body, "typeWebhook").unwrap_or_default();
    Judgement {
        provider: Provider::GreenApi,
        summary: summary(&kind, &body),
        redelivery_key: redelivery_key(&kind, &body),
        event: kind,
        verdict: Verdict::Ok,
        reason: None,
        answer: super::acknowledgement(Provider::GreenApi),
    }
}

fn check_token(request: &Incoming, config: &GreenApiConfig) -> Option<Reason> {
    if !config.webhook_url_token.exists() {
        return None;
    }
    let Some(header) = request.header("authorization") else {
        return Some(Reason::TokenMissing);
    };
    let header = header.trim();
    let token = ["Bearer ", "Basic "]
        .iter()
        .find_map(|scheme| {
            header
                .get(..scheme.len())
                .filter(|s| s.eq_ignore_ascii_case(scheme))
                .map(|_| header[scheme.len()..].trim())
        })
        .unwrap_or(header);
    if secrets_match(token, config.webhook_url_token.expose()) {
        None
    } else {
        Some(Reason::TokenWrong)
    }
}

/// GREEN-API sends no delivery id: a repeat is the same `typeWebhook` + `idMessage`, plus the
/// `status` for status and call notifications (one call yields two with the same id).
fn redelivery_key(kind: &str, body: &Json) -> Option<String> {
    let id = text_field(body, "idMessage")?;
    match kind {
        "outgoingMessageStatus" | "incomingCall" | "outgoingCall" => {
            let status = text_field(body, "status").unwrap_or_default();
            Some(format!("{kind}|{id}|{status}"))
        }
        _ => Some(format!("{kind}|{id}")),
    }
}

pub fn overview(body: &Json) -> Vec<(Field, String)> {
    let time = body
        .get("timestamp")
        .and_then(Json::as_i64)
        .and_then(|t| time::OffsetDateTime::from_unix_timestamp(t).ok())
        .map(crate::capture::format_rfc3339)
        .unwrap_or_default();
    let sender = match (
        at(body, "/senderData/senderName"),
        at(body, "/senderData/sender"),
    ) {
        (name, id) if name.is_empty() => id,
        (name, id) => format!("{name} ({id})"),
    };
    let chat = match (
        at(body, "/senderData/chatName"),
        at(body, "/senderData/chatId"),
    ) {
        (name, id) if name.is_empty() => id,
        (name, id) => format!("{name} ({id})"),
    };
    let data = "/messageData";
    vec![
        (Field::Type, at(body, "/typeWebhook")),
        (Field::Instance, at(body, "/instanceData/idInstance")),
        (
            Field::Messenger,
            messenger(&at(body, "/instanceData/typeInstance")),
        ),
        (Field::Time, time),
        (Field::Sender, sender),
        (Field::SenderType, at(body, "/senderData/senderType")),
        (Field::Phone, at(body, "/senderData/senderPhoneNumber")),
        (
            Field::Chat,
            if chat.is_empty() {
                at(body, "/chatId")
            } else {
                chat
            },
        ),
        (Field::ChatType, at(body, "/senderData/chatType")),
        (Field::MessageId, at(body, "/idMessage")),
        (Field::MessageType, at(body, &format!("{data}/typeMessage"))),
        (Field::Text, raw_text(body)),
        (Field::Buttons, buttons(body)),
        (Field::ButtonPressed, first_text(body, PRESSED)),
        (
            Field::File,
            at(body, &format!("{data}/fileMessageData/fileName")),
        ),
        (
            Field::FileType,
            at(body, &format!("{data}/fileMessageData/mimeType")),
        ),
        (
            Field::DownloadUrl,
            at(body, &format!("{data}/fileMessageData/downloadUrl")),
        ),
        (Field::Status, at(body, "/status")),
        (Field::State, at(body, "/stateInstance")),
        (Field::Description, at(body, "/description")),
    ]
}

/// `typeInstance` as people call the messenger.
fn messenger(type_instance: &str) -> String {
    match type_instance {
        "whatsapp" => "WhatsApp".into(),
        "v3" => "MAX".into(),
        "telegram" => "Telegram".into(),
        other => other.into(),
    }
}

/// Where a message with buttons keeps its text: interactive buttons (`titleText`,
/// `contentText`), and the reply-button kind, which GREEN-API's docs show both with those
/// names and as `header`/`body`.
const BUTTONS_TEXT: &[&str] = &[
    "/messageData/interactiveButtons/contentText",
    "/messageData/interactiveButtons/titleText",
    "/messageData/interactiveButtonsReply/contentText",
    "/messageData/interactiveButtonsReply/body",
    "/messageData/interactiveButtonsReply/titleText",
    "/messageData/interactiveButtonsReply/header",
];

/// Where the text of a pressed button is, for each kind of button GREEN-API has had.
const PRESSED: &[&str] = &[
    "/messageData/interactiveButtonsResponse/selectedDisplayText",
    "/messageData/templateButtonReplyMessage/selectedDisplayText",
    "/messageData/buttonsResponseMessage/selectedButtonText",
];

/// The first of `paths` that holds text.
fn first_text(body: &Json, paths: &[&str]) -> String {
    paths
        .iter()
        .map(|p| at(body, p))
        .find(|t| !t.is_empty())
        .unwrap_or_default()
}

/// The full text of a message (not shortened), its caption, the text above its buttons or
/// the button pressed.
fn raw_text(body: &Json) -> String {
    let plain = [
        "/messageData/textMessageData/textMessage",
        "/messageData/extendedTextMessageData/text",
        "/messageData/fileMessageData/caption",
        "/messageData/editedMessageData/textMessage",
    ];
    let paths: Vec<&str> = plain
        .into_iter()
        .chain(BUTTONS_TEXT.iter().copied())
        .chain(PRESSED.iter().copied())
        .collect();
    first_text(body, &paths)
}

/// A message's buttons, by their text: `Today · Tomorrow`.
fn buttons(body: &Json) -> String {
    ["interactiveButtons", "interactiveButtonsReply"]
        .iter()
        .filter_map(|kind| {
            body.pointer(&format!("/messageData/{kind}/buttons"))?
                .as_array()
        })
        .flatten()
        .filter_map(|b| b.get("buttonText").and_then(Json::as_str))
        .collect::<Vec<_>>()
        .join(" · ")
}

fn phone(chat_id: &str) -> &str {
    chat_id.split('@').next().unwrap_or(chat_id)
}

fn summary(kind: &str, body: &Json) -> String {
    let sender = body
        .pointer("/senderData/sender")
        .and_then(Json::as_str)
        .map(phone);
    let chat = body
        .pointer("/senderData/chatId")
        .or_else(|| body.get("chatId"))
        .and_then(Json::as_str)
        .map(phone);
    let field = |key: &str| text_field(body, key).unwrap_or_default();
    match kind {
        "incomingMessageReceived" => format!(
            "{kind} from {}: {}",
            sender.or(chat).unwrap_or("?"),
            message_text(body)
        ),
        "outgoingMessageReceived" | "outgoingAPIMessageReceived" => {
            format!("{kind} to {}: {}", chat.unwrap_or("?"), message_text(body))
        }
        "outgoingMessageStatus" => format!(
            "{kind} {} to {}: {}",
            field("idMessage"),
            chat.unwrap_or("?"),
            field("status")
        ),
        "stateInstanceChanged" => format!("{kind}: {}", field("stateInstance")),
        "statusInstanceChanged" => format!("{kind}: {}", field("statusInstance")),
        "incomingCall" | "outgoingCall" => {
            format!(
                "{kind} {} {}: {}",
                if kind == "incomingCall" { "from" } else { "to" },
                phone(&field("from")),
                field("status")
            )
        }
        "deviceInfo" => {
            let device = |k: &str| {
                body.pointer(&format!("/deviceData/{k}"))
                    .map(|v| v.to_string().trim_matches('"').to_string())
                    .unwrap_or_default()
            };
            format!(
                "{kind}: {} {}, battery {}%",
                device("platform"),
                device("deviceModel"),
                device("battery")
            )
        }
        "quotaExceeded" => {
            let detail = body
                .pointer("/quotaData/description")
                .or_else(|| body.pointer("/quotaData/method"))
                .and_then(Json::as_str)
                .unwrap_or("quota exceeded");
            format!("{kind}: {}", ellipsize(detail, 80))
        }
        "editedMessage" => {
            let text = body
                .pointer("/messageData/editedMessageData/textMessage")
                .and_then(Json::as_str)
                .unwrap_or_default();
            format!(
                "{kind} from {}: now \"{}\"",
                sender.or(chat).unwrap_or("?"),
                ellipsize(text, 60)
            )
        }
        "" => "notification without typeWebhook".into(),
        other => match sender.or(chat) {
            Some(who) => format!("{other} from {who}"),
            None => other.to_string(),
        },
    }
}

/// The readable part of a message: its text, caption or file name, quoted and shortened.
fn message_text(body: &Json) -> String {
    let data = &body["messageData"];
    let kind = data["typeMessage"].as_str().unwrap_or("message");
    let first = |paths: &[&str]| {
        paths.iter().find_map(|p| {
            data.pointer(p)
                .and_then(Json::as_str)
                .filter(|s| !s.is_empty())
        })
    };
    let place;
    let text = match kind {
        "textMessage" => first(&["/textMessageData/textMessage"]),
        "locationMessage" => {
            // Its name and address, whichever it has.
            place = [
                "/locationMessageData/nameLocation",
                "/locationMessageData/address",
            ]
            .iter()
            .filter_map(|p| data.pointer(p).and_then(Json::as_str))
            .filter(|s| !s.trim().is_empty())
            .collect::<Vec<_>>()
            .join(", ");
            Some(place.as_str()).filter(|p| !p.is_empty())
        }
        "contactMessage" => first(&["/contactMessageData/displayName"]),
        "pollMessage" => first(&["/pollMessageData/name"]),
        "interactiveButtons" | "interactiveButtonsReply" => {
            place = first_text(body, BUTTONS_TEXT);
            Some(place.as_str()).filter(|p| !p.is_empty())
        }
        "interactiveButtonsResponse" | "templateButtonReplyMessage" | "buttonsResponseMessage" => {
            place = first_text(body, PRESSED);
            Some(place.as_str()).filter(|p| !p.is_empty())
        }
        _ => first(&[
            "/extendedTextMessageData/text",
            "/fileMessageData/caption",
            "/fileMessageData/fileName",
            "/textMessageData/textMessage",
        ]),
    };
    match (kind, text) {
        ("textMessage" | "extendedTextMessage", Some(text)) => {
            format!("\"{}\"", ellipsize(text, 60))
        }
        (kind, Some(text)) => format!("[{kind}] \"{}\"", ellipsize(text, 60)),
        (kind, None) => format!("[{kind}]"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;
    use crate::providers::tests::request;

    const TEXT: &str = r#"{"typeWebhook":"incomingMessageReceived","instanceData":{"idInstance":7103000001,"wid":"79990000001@c.us","typeInstance":"whatsapp"},"timestamp":1763800000,"idMessage":"3EB0A1","senderData":{"chatId":"79161234567@c.us","sender":"79161234567@c.us","chatName":"Иван","senderName":"Иван"},"messageData":{"typeMessage":"textMessage","textMessageData":{"textMessage":"Привет, заказ готов?"}}}"#;

    fn with_token(token: &str) -> GreenApiConfig {
        GreenApiConfig {
            webhook_url_token: Secret::new(token),
            ..GreenApiConfig::default()
        }
    }

    #[test]
    fn incoming_text_is_summarised_with_sender_and_text() {
        let j = judge(
            &request("/green-api", &[], TEXT),
            &GreenApiConfig::default(),
        );
        assert_eq!(j.answer.status, 200);
        assert_eq!(
            j.summary,
            "incomingMessageReceived from 79161234567: \"Привет, заказ готов?\""
        );
        assert_eq!(
            j.redelivery_key.as_deref(),
            Some("incomingMessageReceived|3EB0A1")
        );
    }

    #[test]
    fn token_is_accepted_as_bearer_basic_or_bare() {
        let cfg = with_token("wh-token");
        for header in [
            "Bearer wh-token",
            "bearer wh-token",
            "Basic wh-token",
            "wh-token",
        ] {
            let j = judge(
                &request("/green-api", &[("Authorization", header)], TEXT),
                &cfg,
            );
            assert_eq!(j.answer.status, 200, "{header}");
        }
        for (headers, reason) in [
            (vec![("Authorization", "Bearer nope")], Reason::TokenWrong),
            (vec![], Reason::TokenMissing),
        ] {
            let j = judge(&request("/green-api", &headers, TEXT), &cfg);
            assert_eq!(j.answer.status, 401);
            assert_eq!(j.verdict, Verdict::Rejected);
            assert!(j.reason_text().contains("webhook_url_token"));
            assert_eq!(j.reason, Some(reason));
        }
    }

    #[test]
    fn a_token_the_keyring_kept_back_refuses_every_delivery() {
        let text =
            "[green_api]\nwebhook_url_token = { keyring = \"green_api.webhook_url_token (c)\" }\n";
        let config = crate::config::Config::parse(text, std::path::Path::new("c")).unwrap();
        for headers in [vec![("Authorization", "Bearer ")], vec![]] {
            let j = judge(&request("/green-api", &headers, TEXT), &config.green_api);
            assert_eq!(j.answer.status, 401, "{headers:?}");
        }
    }

    #[test]
    fn status_and_call_keys_include_the_status() {
        let status = r#"{"typeWebhook":"outgoingMessageStatus","chatId":"79161234567@c.us","idMessage":"BAE5","status":"delivered"}"#;
        let j = judge(
            &request("/green-api", &[], status),
            &GreenApiConfig::default(),
        );
        assert_eq!(
            j.redelivery_key.as_deref(),
            Some("outgoingMessageStatus|BAE5|delivered")
        );
        assert_eq!(
            j.summary,
            "outgoingMessageStatus BAE5 to 79161234567: delivered"
        );
        let call = r#"{"typeWebhook":"incomingCall","from":"79161234567@c.us","idMessage":"C1","status":"offer"}"#;
        let j = judge(
            &request("/green-api", &[], call),
            &GreenApiConfig::default(),
        );
        assert_eq!(j.redelivery_key.as_deref(), Some("incomingCall|C1|offer"));
        assert_eq!(j.summary, "incomingCall from 79161234567: offer");
    }

    #[test]
    fn files_and_unknown_kinds_still_read_well() {
        let image = r#"{"typeWebhook":"incomingMessageReceived","senderData":{"sender":"7916@c.us"},"messageData":{"typeMessage":"imageMessage","fileMessageData":{"downloadUrl":"https://x","caption":"чек","fileName":"a.jpg"}}}"#;
        let j = judge(
            &request("/green-api", &[], image),
            &GreenApiConfig::default(),
        );
        assert_eq!(
            j.summary,
            "incomingMessageReceived from 7916: [imageMessage] \"чек\""
        );
        let state = r#"{"typeWebhook":"stateInstanceChanged","stateInstance":"authorized"}"#;
        let j = judge(
            &request("/green-api", &[], state),
            &GreenApiConfig::default(),
        );
        assert_eq!(j.summary, "stateInstanceChanged: authorized");
        assert_eq!(j.redelivery_key, None);
        let novel = r#"{"typeWebhook":"somethingNew","senderData":{"chatId":"1@g.us"}}"#;
        let j = judge(
            &request("/green-api", &[], novel),
            &GreenApiConfig::default(),
        );
        assert_eq!(
            (j.summary.as_str(), j.answer.status),
            ("somethingNew from 1", 200)
        );
    }

    /// The summary of a GREEN-API body judged with the default settings.
    fn summary(body: &str) -> String {
        judge(
            &request("/green-api", &[], body),
            &GreenApiConfig::default(),
        )
        .summary
    }

    #[test]
    fn telegram_ids_and_buttons_read_well_in_the_summary() {
        assert_eq!(
            summary(include_str!(
                "../../../assets/samples/green-api-telegram-text.json"
            )),
            "incomingMessageReceived from 10000000: \"Где мой заказ №1542?\""
        );
        assert_eq!(
            summary(include_str!(
                "../../../assets/samples/green-api-interactive-buttons.json"
            )),
            "outgoingAPIMessageReceived to 79161234567: [interactiveButtons] \"Когда удобно получить заказ?\""
        );
        assert_eq!(
            summary(include_str!(
                "../../../assets/samples/green-api-button-clicked.json"
            )),
            "incomingMessageReceived from 79161234567: [interactiveButtonsResponse] \"Завтра\""
        );
    }

    #[test]
    fn edits_locations_and_calls_say_what_changed_where_and_how() {
        assert_eq!(
            summary(include_str!(
                "../../../assets/samples/green-api-edited-message.json"
            )),
            "editedMessage from 79161234567: now \"Заказ №1543, не 1542\""
        );
        assert_eq!(
            summary(include_str!("../../../assets/samples/green-api-incoming-location.json")),
            "incomingMessageReceived from 79161234567: [locationMessage] \"Пункт выдачи, Москва, ул. Тверская, 1\""
        );
        assert_eq!(
            summary(include_str!(
                "../../../assets/samples/green-api-incoming-call.json"
            )),
            "incomingCall from 79161234567: offer"
        );
    }
}
