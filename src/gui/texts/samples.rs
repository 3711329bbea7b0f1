//! The built-in samples' descriptions in Russian; `samples.rs` holds them in English, as the
//! CLI prints them.

use super::Language;
use crate::samples::Sample;

impl Language {
    /// What a built-in sample sends, in this language.
    pub fn sample_about(self, sample: &Sample) -> &'static str {
        match self {
            Language::English => sample.about,
            Language::Russian => russian(sample.name).unwrap_or(sample.about),
        }
    }
}

fn russian(name: &str) -> Option<&'static str> {
    Some(match name {
        "reestr-confirm" => "подтверждение адреса; в ответ [reestr] confirm_string",
        "reestr-payment" => "пришла оплата заказа",
        "reestr-service-done" => "услуга по заказу оказана",
        "reestr-unknown-type" => "тип, которого hookscope не знает; всё равно сохранён, ответ OK",
        "reestr-redelivery" => "service_done отправлен дважды",
        "reestr-wrong-secret" => "оплата с неверным secret_key; 403, если секрет задан",
        "green-api-incoming-text" => "входящее текстовое сообщение",
        "green-api-incoming-extended-text" => "входящий текст со ссылкой (кириллица)",
        "green-api-incoming-image" => "входящее изображение с подписью",
        "green-api-incoming-document" => "входящий документ PDF",
        "green-api-incoming-location" => "входящая геолокация",
        "green-api-incoming-contact" => "входящая карточка контакта",
        "green-api-incoming-reaction" => "входящая реакция",
        "green-api-incoming-quoted" => "входящий ответ с цитатой",
        "green-api-incoming-poll" => "входящий опрос",
        "green-api-outgoing-message" => "сообщение отправлено с телефона",
        "green-api-outgoing-api-message" => "сообщение отправлено через API",
        "green-api-outgoing-status" => "статус отправленного сообщения (доставлено)",
        "green-api-state-changed" => "состояние инстанса изменилось (авторизован)",
        "green-api-status-changed" => "статус инстанса изменился (в сети)",
        "green-api-incoming-call" => "входящий звонок (offer)",
        "green-api-outgoing-call" => "исходящий звонок (pickUp)",
        "green-api-device-info" => "сведения о телефоне (устаревшее уведомление)",
        "green-api-incoming-block" => "чат заблокировал инстанс",
        "green-api-quota-exceeded" => "превышена квота тарифа (без timestamp)",
        "green-api-edited-message" => "сообщение изменено",
        "green-api-max-text" => "текст из MAX (typeInstance v3), тот же формат вебхука",
        "green-api-telegram-text" => {
            "текст в супергруппе Telegram: числовые id чатов, chatType и senderType"
        }
        "green-api-interactive-buttons" => {
            "сообщение с интерактивными кнопками, отправленное через API"
        }
        "green-api-interactive-buttons-reply" => "входящее сообщение с кнопками ответа",
        "green-api-button-clicked" => "клиент нажал кнопку (interactiveButtonsResponse)",
        "green-api-deleted-message" => "сообщение удалено",
        "green-api-redelivery" => "входящий текст отправлен дважды",
        "green-api-wrong-token" => "входящий текст с неверным токеном; 401, если токен задан",
        "moysklad-product-update" => "изменены цены товара (diffType FIELDS)",
        "moysklad-order-create" => "создан заказ покупателя",
        "moysklad-counterparty-delete" => "удалён контрагент",
        "moysklad-several-events" => "три события в одной доставке",
        "moysklad-async-processed" => "асинхронная задача завершена",
        "moysklad-stock" => "изменились остатки (вебхук на остатки)",
        "moysklad-redelivery" => "изменение товара повторено с тем же requestId",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::samples::SAMPLES;

    #[test]
    fn every_sample_is_described_in_russian() {
        let missing: Vec<_> = SAMPLES
            .iter()
            .filter(|s| russian(s.name).is_none())
            .map(|s| s.name)
            .collect();
        assert!(missing.is_empty(), "no Russian description: {missing:?}");
    }
}
