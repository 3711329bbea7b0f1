//! Provider rules: which service sent a request, whether it is genuine, and the answer that
//! service requires. Facts and their sources are in each provider's module.

pub mod generic;
pub mod green_api;
mod json;
pub mod kontur;
pub mod moysklad;
pub mod reestr;

use json::Json;

use crate::capture::{Answer, Capture, Incoming, Judgement, Provider, Reason, Verdict};
use crate::config::{Config, Malformed};

/// Routing by path prefix; MoySklad is also recognised by its User-Agent on any path, because
/// users often register a secret path for it (its webhooks carry no signature).
pub fn provider_for(request: &Incoming) -> Provider {
    let routed = [Provider::Reestr, Provider::GreenApi, Provider::Moysklad]
        .into_iter()
        .find(|p| request.path.starts_with(p.path()));
    match routed {
        Some(provider) => provider,
        None if moysklad::is_touch_agent(request) => Provider::Moysklad,
        None => Provider::Generic,
    }
}

/// Decides the answer for a request whose body arrived whole.
pub fn judge(request: &Incoming, config: &Config) -> Judgement {
    let mut judgement = match provider_for(request) {
        Provider::Reestr => reestr::judge(request, &config.reestr),
        Provider::GreenApi => green_api::judge(request, &config.green_api),
        Provider::Moysklad => moysklad::judge(request),
        Provider::Generic => generic::judge(request, &config.generic),
    };
    let malformed = matches!(
        judgement.reason,
        Some(Reason::NotJson { .. } | Reason::EmptyBody)
    );
    if malformed && config.listener.malformed == Malformed::Acknowledge {
        // A resend cannot fix a body, and GREEN-API would hold every later notification
        // behind this one for a day: take it, flagged by its reason.
        judgement.verdict = Verdict::Ok;
        judgement.answer = acknowledgement(judgement.provider);
    }
    judgement
}

/// The answer that tells a provider its delivery arrived.
pub fn acknowledgement(provider: Provider) -> Answer {
    match provider {
        Provider::Reestr => Answer::text(200, "OK"),
        Provider::GreenApi | Provider::Generic => Answer::empty(200),
        // MoySklad takes 200 or 204; 204 says there is nothing more to read.
        Provider::Moysklad => Answer::empty(204),
    }
}

/// The fields a person wants first from a capture, decoded by its provider's rules:
/// `(label, value)` pairs in reading order. Empty when the body is not JSON.
/// A field of a capture's overview, decoded from its provider's payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Type,
    AccessKey,
    Order,
    Service,
    Object,
    SecretKey,
    Instance,
    /// GREEN-API's `typeInstance`: WhatsApp, MAX or Telegram.
    Messenger,
    Time,
    Sender,
    Chat,
    ChatType,
    SenderType,
    Phone,
    MessageId,
    MessageType,
    Text,
    Buttons,
    ButtonPressed,
    File,
    FileType,
    DownloadUrl,
    Status,
    State,
    Description,
    RequestId,
    ChangedBy,
    Moment,
    StockType,
    ReportType,
    ReportUrl,
    Event,
    UpdatedFields,
    Href,
}

impl Field {
    /// Its name in English.
    pub fn label(self) -> &'static str {
        match self {
            Field::Type => "Type",
            Field::AccessKey => "Access key",
            Field::Order => "Order",
            Field::Service => "Service",
            Field::Object => "Object",
            Field::SecretKey => "Secret key",
            Field::Instance => "Instance",
            Field::Messenger => "Messenger",
            Field::Time => "Time",
            Field::Sender => "Sender",
            Field::Chat => "Chat",
            Field::ChatType => "Chat type",
            Field::SenderType => "Sender type",
            Field::Phone => "Phone",
            Field::MessageId => "Message id",
            Field::MessageType => "Message type",
            Field::Text => "Text",
            Field::Buttons => "Buttons",
            Field::ButtonPressed => "Button pressed",
            Field::File => "File",
            Field::FileType => "File type",
            Field::DownloadUrl => "Download URL",
            Field::Status => "Status",
            Field::State => "State",
            Field::Description => "Description",
            Field::RequestId => "Request id",
            Field::ChangedBy => "Changed by",
            Field::Moment => "Moment",
            Field::StockType => "Stock type",
            Field::ReportType => "Report type",
            Field::ReportUrl => "Report URL",
            Field::Event => "Event",
            Field::UpdatedFields => "Updated fields",
            Field::Href => "Href",
        }
    }
}

/// An overview field's value: text from the payload, or whether a secret was there (never
/// the secret itself: captures are shown and exported).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldValue {
    Text(String),
    Present(bool),
}

impl From<String> for FieldValue {
    fn from(text: String) -> FieldValue {
        FieldValue::Text(text)
    }
}

/// The provider-decoded fields of a capture, for the detail pane; empty ones are left out.
pub fn overview(capture: &Capture) -> Vec<(Field, FieldValue)> {
    let Ok(body) = Json::parse(&capture.request.body) else {
        return Vec::new();
    };
    let text = |fields: Vec<(Field, String)>| -> Vec<(Field, FieldValue)> {
        fields.into_iter().map(|(f, v)| (f, v.into())).collect()
    };
    let mut fields = match capture.judgement.provider {
        Provider::Reestr => reestr::overview(&body),
        Provider::GreenApi => text(green_api::overview(&body)),
        Provider::Moysklad => text(moysklad::overview(&body, &capture.request)),
        Provider::Generic => Vec::new(),
    };
    fields.retain(|(_, value)| *value != FieldValue::Text(String::new()));
    fields
}

/// Decides the answer for a request refused before its body was read whole.
pub fn refuse(request: &Incoming, status: u16, reason: Reason) -> Judgement {
    Judgement {
        provider: provider_for(request),
        event: String::new(),
        summary: format!("{} {} refused: {reason}", request.method, request.path),
        verdict: Verdict::Rejected,
        answer: Answer::text(status, format!("{reason}\n")),
        reason: Some(reason),
        redelivery_key: None,
    }
}

/// Parses a provider's JSON body, or says in a capture why it could not.
fn parse_body(request: &Incoming, provider: Provider) -> Result<Json<'_>, Box<Judgement>> {
    Json::parse(&request.body).map_err(|e| {
        let reason = if request.body.is_empty() {
            Reason::EmptyBody
        } else {
            Reason::NotJson {
                error: e.to_string(),
            }
        };
        Box::new(Judgement {
            provider,
            event: String::new(),
            summary: format!("malformed JSON, {} bytes", request.body.len()),
            verdict: Verdict::Rejected,
            // As `[listener] malformed = "refuse"` has it; `judge` acknowledges it otherwise.
            answer: Answer::text(
                400,
                format!("hookscope could not read this request: {reason}.\n"),
            ),
            reason: Some(reason),
            redelivery_key: None,
        })
    })
}

/// The value at a JSON pointer as text ("" when absent), for overview fields.
fn at(value: &Json, pointer: &str) -> String {
    match value.pointer(pointer) {
        Some(Json::String(s)) => s.to_string(),
        Some(Json::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// A field as text, whether the sender wrote it as a string or a number.
fn text_field(value: &Json, key: &str) -> Option<String> {
    match value.get(key)? {
        Json::String(s) => Some(s.to_string()),
        Json::Number(n) => Some(n.to_string()),
        Json::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::capture::Incoming;

    pub(crate) fn request(path: &str, headers: &[(&str, &str)], body: &str) -> Incoming {
        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        Incoming {
            received_at: time::OffsetDateTime::now_utc(),
            remote_addr: "127.0.0.1:5000".into(),
            method: "POST".into(),
            path: path.into(),
            query: query.into(),
            headers: headers.iter().map(|&(n, v)| (n.into(), v.into())).collect(),
            body: body.as_bytes().to_vec(),
            size: body.len() as u64,
        }
    }

    #[test]
    fn routes_by_prefix_and_moysklad_agent() {
        let ua = [(
            "user-agent",
            "MoySklad webhook touch agent 2.0 (/https://www.moysklad.ru)",
        )];
        assert_eq!(provider_for(&request("/reestr", &[], "")), Provider::Reestr);
        assert_eq!(
            provider_for(&request("/reestr/key1", &[], "")),
            Provider::Reestr
        );
        assert_eq!(
            provider_for(&request("/green-api", &[], "")),
            Provider::GreenApi
        );
        assert_eq!(
            provider_for(&request("/moysklad/s3cr3t", &[], "")),
            Provider::Moysklad
        );
        assert_eq!(
            provider_for(&request("/hooks/x", &ua, "")),
            Provider::Moysklad
        );
        assert_eq!(provider_for(&request("/", &[], "")), Provider::Generic);
    }

    /// The overview with English labels and values, for comparing.
    fn overview_of(path: &str, body: &str) -> Vec<(&'static str, String)> {
        let incoming = request(path, &[], body);
        let judgement = judge(&incoming, &Config::default());
        overview(&Capture::new(incoming, judgement))
            .into_iter()
            .map(|(field, value)| {
                let value = match value {
                    FieldValue::Text(text) => text,
                    FieldValue::Present(true) => "present".into(),
                    FieldValue::Present(false) => "absent".into(),
                };
                (field.label(), value)
            })
            .collect()
    }

    /// GREEN-API's MAX and Telegram instances and its button messages, as its 2026 docs show
    /// them: the messenger, Telegram's chat and sender types, the buttons and the one pressed.
    #[test]
    fn overview_decodes_max_telegram_and_buttons() {
        let has = |overview: &[(&str, String)], label: &str, value: &str| {
            assert!(
                overview.contains(&(label, value.to_string())),
                "{label}: {value} not in {overview:?}"
            );
        };
        let max = overview_of(
            "/green-api",
            include_str!("../../assets/samples/green-api-max-text.json"),
        );
        has(&max, "Messenger", "MAX");
        has(
            &max,
            "Text",
            "Добрый день! Пишу из MAX: можно забрать заказ завтра?",
        );
        let telegram = overview_of(
            "/green-api",
            include_str!("../../assets/samples/green-api-telegram-text.json"),
        );
        has(&telegram, "Messenger", "Telegram");
        has(&telegram, "Chat", "Поддержка магазина (-1002000000001)");
        has(&telegram, "Chat type", "supergroup");
        has(&telegram, "Sender type", "user");
        has(&telegram, "Phone", "79161234567");
        let offered = overview_of(
            "/green-api",
            include_str!("../../assets/samples/green-api-interactive-buttons.json"),
        );
        has(&offered, "Text", "Когда удобно получить заказ?");
        has(&offered, "Buttons", "Сегодня · Завтра · Открыть заказ");
        let reply = overview_of(
            "/green-api",
            include_str!("../../assets/samples/green-api-interactive-buttons-reply.json"),
        );
        has(&reply, "Text", "Выберите время доставки");
        has(&reply, "Buttons", "Утром · Вечером");
        let pressed = overview_of(
            "/green-api",
            include_str!("../../assets/samples/green-api-button-clicked.json"),
        );
        has(&pressed, "Button pressed", "Завтра");
        has(&pressed, "Message type", "interactiveButtonsResponse");
    }

    #[test]
    fn overview_decodes_each_provider() {
        let green = overview_of(
            "/green-api",
            include_str!("../../assets/samples/green-api-incoming-image.json"),
        );
        assert!(
            green.contains(&("Sender", "Иван (79161234567@c.us)".into())),
            "{green:?}"
        );
        assert!(green.contains(&("Text", "Фото чека".into())), "{green:?}");
        assert!(
            green.contains(&("File type", "image/jpeg".into())),
            "{green:?}"
        );
        let several = overview_of(
            "/moysklad?requestId=r1",
            include_str!("../../assets/samples/moysklad-several-events.json"),
        );
        assert_eq!(
            several
                .iter()
                .filter(|(label, _)| *label == "Event")
                .count(),
            3
        );
        assert!(several.contains(&("Request id", "r1".into())));
        assert!(
            several.contains(&("Updated fields", "name, salePrices".into())),
            "{several:?}"
        );
        let reestr = overview_of(
            "/reestr",
            include_str!("../../assets/samples/reestr-service-done.json"),
        );
        assert_eq!(
            reestr,
            vec![
                ("Type", "service_done".into()),
                ("Order", "880213".into()),
                ("Service", "5521".into()),
                ("Secret key", "present".into())
            ]
        );
        assert!(overview_of("/x", "not json").is_empty());
    }

    #[test]
    fn malformed_json_is_acknowledged_by_default_and_refused_when_asked() {
        let mut config = Config::default();
        for (path, status) in [("/reestr", 200), ("/green-api", 200), ("/moysklad", 204)] {
            let j = judge(&request(path, &[], "{\"type\": "), &config);
            assert_eq!(j.answer, acknowledgement(j.provider), "{path}");
            assert_eq!((j.answer.status, j.verdict), (status, Verdict::Ok));
            assert!(
                matches!(j.reason, Some(Reason::NotJson { .. })),
                "{:?}",
                j.reason
            );
        }
        config.listener.malformed = Malformed::Refuse;
        for path in ["/reestr", "/green-api", "/moysklad"] {
            let j = judge(&request(path, &[], ""), &config);
            assert_eq!(j.answer.status, 400, "{path}");
            assert_eq!(j.verdict, Verdict::Rejected);
            assert_eq!(j.reason, Some(Reason::EmptyBody));
        }
    }
}
