//! The library's errors and findings in the user's language: a provider API's failure, a
//! filter's mistake, why a tunnel was not found, a capture's reason, what re-pointing did. In
//! English they read as the library writes them; in Russian they are written here.

use super::{Counted, Language};
use crate::capture::Reason;
use crate::capture::ResponseAction;
use crate::config::{ConfigError, Kept, Place};
use crate::engine::EngineError;
use crate::filter::{FilterError, FIELDS};
use crate::http::{fields_text, refusal_text, Advice, ApiError, Mistake, Setting, Unread, Unset};
use crate::providers::{Field, FieldValue};
use crate::repoint::Repointed;
use crate::responses::Breach;
use crate::store::StoreError;
use crate::tunnel::quick::{Program, StartError};
use crate::tunnel::{Missed, NgrokMiss, NotFound, Source};

impl Language {
    /// Where the settings' tokens are kept, and what is amiss with them.
    pub fn tokens_kept(self, kept: &Kept) -> String {
        let t = self.texts();
        let mut said = match &kept.place {
            Place::Keyring => t.tokens_in_keyring.to_string(),
            Place::File { why: None } => t.tokens_in_file.to_string(),
            Place::File { why: Some(why) } => t.tokens_no_keyring.replace("{why}", why),
        };
        for (keys, text) in [
            (&kept.not_moved, t.tokens_not_moved),
            (&kept.unread, t.tokens_unread),
        ] {
            if !keys.is_empty() {
                said.push(' ');
                said.push_str(&text.replace("{keys}", &keys.join(", ")));
            }
        }
        said
    }

    /// The settings file could not be read or written, in this language.
    pub fn config_error(self, error: &ConfigError) -> String {
        if self == Language::English {
            return error.to_string();
        }
        match error {
            ConfigError::Read { path, source } => format!(
                "Не удалось прочитать файл настроек {}: {source}. Проверьте, что он есть и доступен для чтения.",
                path.display()
            ),
            ConfigError::Write { path, source } => format!(
                "Не удалось записать файл настроек {}: {source}. Проверьте, что его папка доступна для записи.",
                path.display()
            ),
            ConfigError::Invalid { path, message } => format!(
                "В файле настроек {} ошибка; исправьте её или удалите файл, чтобы начать с настроек по умолчанию.\n{message}",
                path.display()
            ),
            ConfigError::DataDir { path, source } => format!(
                "Не удалось сделать папку данных {} доступной только владельцу: {source}. В ней сохранённые токены; проверьте, кому она принадлежит, или выберите другую через --data-dir.",
                path.display()
            ),
            ConfigError::NoConfigDir => {
                "Не найдена папка настроек этого пользователя; укажите файл через --config.".into()
            }
        }
    }

    /// The capture store's failure, in this language.
    pub fn store_error(self, error: &StoreError) -> String {
        if self == Language::English {
            return error.to_string();
        }
        match error {
            StoreError::Open { path, source } => format!(
                "Не удалось открыть хранилище {}: {source}. Проверьте, что папка доступна для записи, или выберите другую через --data-dir.",
                path.display()
            ),
            StoreError::Folder { path, source } => format!(
                "Не удалось создать папку {} для хранилища: {source}. Выберите папку, доступную для записи, через --data-dir.",
                path.display()
            ),
            StoreError::InUse { path, pid } => format!(
                "Другой hookscope{} уже пишет в {}; остановите его или укажите этому другую папку через --data-dir.",
                pid.map(|p| format!(" (процесс {p})")).unwrap_or_default(),
                path.display()
            ),
            StoreError::NewerSchema { path, version } => format!(
                "Хранилище {} записано более новым hookscope (схема {version}); обновите hookscope или выберите другую папку через --data-dir.",
                path.display()
            ),
            StoreError::Lock { path, source } => format!(
                "Не удалось открыть файл блокировки {}: {source}. Проверьте, что папка доступна для записи.",
                path.display()
            ),
            StoreError::Private { path, source } => format!(
                "Не удалось сделать {} доступным только владельцу: {source}. В нём сохранённые токены; проверьте, кому принадлежит папка.",
                path.display()
            ),
            StoreError::Missing { path } => format!(
                "Хранилища в {} пока нет; запустите приложение или `hookscope serve`, чтобы оно появилось.",
                path.display()
            ),
            StoreError::Damaged { path, detail } => format!(
                "Хранилище {} повреждено ({detail}). Ничего не изменено: сохраните то, что читается, экспортом, и отложите повреждённый файл — начнётся новое хранилище.",
                path.display()
            ),
            StoreError::SetAside { path, source } => format!(
                "Не удалось отложить {}: {source}. Проверьте, что папка доступна для записи.",
                path.display()
            ),
            StoreError::Sqlite(e) => format!("Хранилище дало сбой: {e}"),
            StoreError::Write(e) => format!("Запрос не удалось сохранить: {e}"),
            StoreError::Closed => "Хранилище закрыто.".into(),
        }
    }

    /// Why the listener did not start, in this language.
    pub fn engine_error(self, error: &EngineError) -> String {
        match error {
            EngineError::PortInUse { addr } => self
                .texts()
                .port_in_use
                .replace("{port}", &addr.port().to_string())
                .replace("{ip}", &addr.ip().to_string()),
            EngineError::Bind { .. } if self == Language::English => error.to_string(),
            EngineError::Bind { addr, source } => {
                format!("Не удалось слушать {addr}: {source}. Выберите другой адрес здесь.")
            }
            EngineError::Store(e) => self.store_error(e),
        }
    }
    /// What re-pointing did at a provider, in this language.
    pub fn repointed(self, done: &Repointed) -> String {
        if self == Language::English {
            return done.to_string();
        }
        match done {
            Repointed::GreenMoved { url } => format!(
                "URL вебхука теперь {url}; GREEN-API применит его примерно за 5 минут."
            ),
            Repointed::GreenElsewhere { current, old } => {
                format!("URL вебхука «{current}» не под {old}: оставлен как есть.")
            }
            Repointed::Moysklad {
                moved,
                deleted,
                old,
                new,
            } => {
                let mut said = Vec::new();
                if !moved.is_empty() {
                    let count = self.count(moved.len(), Counted::Webhook);
                    said.push(format!("{count} теперь на {new}: {}.", moved.join(", ")));
                }
                if !deleted.is_empty() {
                    let count = self.count(deleted.len(), Counted::Webhook);
                    said.push(format!(
                        "удалено старых: {count} — такие уже были на {new}: {}.",
                        deleted.join(", ")
                    ));
                }
                if said.is_empty() {
                    said.push(format!("ни один вебхук не указывает на {old}."));
                }
                said.join(" ")
            }
            Repointed::ReestrByHand { url } => format!(
                "у Реестра нет API для этого: вставьте {url} в кабинете Реестра (Настройки API > ключ доступа > Вебхуки) и нажмите «подтвердить»."
            ),
        }
    }

    /// A provider API's failure, in this language. The provider's own message, and a setting's
    /// explanation, stay as they were written.
    pub fn api_error(self, error: &ApiError) -> String {
        if self == Language::English {
            return error.to_string();
        }
        match error {
            ApiError::NotConfigured(unset) => russian_unset(unset),
            ApiError::Input(mistake) => russian_mistake(mistake),
            ApiError::Unreachable {
                service,
                origin,
                detail,
            } => format!(
                "Не удалось связаться с {service} по адресу {origin} ({detail}). Проверьте адрес API в настройках и подключение к сети."
            ),
            ApiError::Timeout { service } => format!(
                "{service} не ответил за {} секунд. Повторите попытку или проверьте адрес API в настройках.",
                crate::http::TIMEOUT.as_secs()
            ),
            ApiError::Refused {
                service,
                status,
                message,
                advice,
                fields,
            } => {
                let said = refusal_text(message, advice.as_ref().map(russian_advice));
                let fields = fields_text(fields);
                format!("{service} отклонил запрос (HTTP {status}): {said}{fields}")
            }
            ApiError::Unreadable {
                service,
                status,
                detail,
                body,
            } => format!(
                "{service} ответил HTTP {status}, но hookscope не смог прочитать ответ ({}): {body}",
                russian_unreadable(detail)
            ),
            ApiError::Host { service, said } => {
                format!("Командный хост не выполнил запрос к {service}: {said}")
            }
        }
    }

    /// Why a quick tunnel did not start.
    pub fn tunnel_start_error(self, error: &StartError) -> String {
        if self == Language::English {
            return error.to_string();
        }
        match error {
            StartError::NotInstalled { program } => format!(
                "{program} здесь не установлен (его нет в PATH). Установите его ({}) или запустите туннель сами — hookscope его найдёт.",
                match program {
                    Program::Cloudflared => "https://developers.cloudflare.com/cloudflare-one/connections/connect-networks/downloads/, для быстрого туннеля учётная запись не нужна",
                    Program::Ngrok => "https://ngrok.com/download, затем один раз `ngrok config add-authtoken TOKEN`",
                }
            ),
            StartError::Spawn { program, source } => {
                format!("{program} не удалось запустить: {source}.")
            }
            StartError::Stopped { program, said } => {
                format!("{program} завершился, не дав публичного URL; последнее, что он сказал: {said}")
            }
            StartError::NoUrl { program, said } => format!(
                "{program} не дал публичного URL за 30 с и был остановлен; последнее, что он сказал: {said}"
            ),
        }
    }

    /// Where a public URL came from.
    pub fn tunnel_source(self, source: &Source) -> String {
        match (self, source) {
            (Language::English, source) => source.to_string(),
            (Language::Russian, Source::Started { program }) => {
                format!(
                    "быстрый туннель {program}, запущенный hookscope (остановится вместе с ним)"
                )
            }
            (Language::Russian, Source::Typed) => {
                "введён в настройках ([tunnel] public_url)".into()
            }
            (Language::Russian, Source::Ngrok { api }) => format!("агент ngrok на {api}"),
            (Language::Russian, Source::Cloudflared { metrics }) => {
                format!("быстрый туннель cloudflared (метрики на {metrics})")
            }
        }
    }

    /// A filter's mistake in this language.
    pub fn filter_error(self, error: &FilterError) -> String {
        if self == Language::English {
            return error.to_string();
        }
        match error {
            FilterError::UnclosedQuote => "Кавычка в фильтре не закрыта: добавьте закрывающую \".".into(),
            FilterError::NoHeaderName => {
                "После header. нужно имя заголовка, например header.user-agent:MoySklad.".into()
            }
            FilterError::NoValue { field, example } => {
                format!("У {field}: нет значения; например, {example}.")
            }
            FilterError::UnknownField { field, closest } => format!(
                "Поля фильтра «{field}:» нет.{} Используйте одно из {FIELDS} или возьмите слово в кавычки, чтобы искать его как текст.",
                closest.map(|c| format!(" Может быть, «{c}:»?")).unwrap_or_default()
            ),
            FilterError::UnknownProvider { value } => format!(
                "Провайдера «{value}» нет; используйте reestr, green-api, moysklad или generic."
            ),
            FilterError::NotAStatus { value } => format!(
                "status:{value} — не статус; пишите status:200, status:>=400, status:<300 или status:4xx."
            ),
            FilterError::NotYesOrNo { field, value } => {
                format!("{field}: принимает yes или no, а не «{value}».")
            }
            FilterError::NotATime { field, value } => format!(
                "{field}:{value} — не время; пишите время вида 2026-11-20T10:00:00Z, дату вида 2026-11-20 или возраст вида 30s, 10m, 2h, 1d."
            ),
        }
    }
}

impl Language {
    /// An overview field's name.
    pub fn field(self, field: Field) -> &'static str {
        if self == Language::English {
            return field.label();
        }
        match field {
            Field::Type => "Тип",
            Field::AccessKey => "Ключ доступа",
            Field::Order => "Заказ",
            Field::Service => "Услуга",
            Field::Object => "Объект",
            Field::SecretKey => "Секретный ключ",
            Field::Instance => "Инстанс",
            Field::Messenger => "Мессенджер",
            Field::Time => "Время",
            Field::Sender => "Отправитель",
            Field::Chat => "Чат",
            Field::ChatType => "Тип чата",
            Field::SenderType => "Тип отправителя",
            Field::Phone => "Телефон",
            Field::MessageId => "Id сообщения",
            Field::MessageType => "Тип сообщения",
            Field::Text => "Текст",
            Field::Buttons => "Кнопки",
            Field::ButtonPressed => "Нажатая кнопка",
            Field::File => "Файл",
            Field::FileType => "Тип файла",
            Field::DownloadUrl => "Ссылка на файл",
            Field::Status => "Статус",
            Field::State => "Состояние",
            Field::Description => "Описание",
            Field::RequestId => "Id запроса",
            Field::ChangedBy => "Кто изменил",
            Field::Moment => "Когда",
            Field::StockType => "Тип остатков",
            Field::ReportType => "Тип отчёта",
            Field::ReportUrl => "Ссылка на отчёт",
            Field::Event => "Событие",
            Field::UpdatedFields => "Изменённые поля",
            Field::Href => "Ссылка",
        }
    }

    /// Why a capture was refused or answered short.
    pub fn reason(self, reason: &Reason) -> String {
        if self == Language::English {
            return reason.to_string();
        }
        let kept = |kib: &Option<u64>| match kib {
            Some(kib) => format!(" (первые {kib} КиБ сохранены)"),
            None => String::new(),
        };
        match reason {
            Reason::TooLarge { size, limit } => format!(
                "тело в {size} байт больше предела {limit} байт ([listener] max_body_bytes)"
            ),
            Reason::Busy { budget_mib } => format!(
                "принимаемые сейчас тела уже заняли отведённые им {budget_mib} МиБ ([listener] max_in_flight_bytes); отправьте запрос снова через несколько секунд"
            ),
            Reason::SlowBody {
                seconds,
                seen,
                kept_kib,
            } => format!(
                "тело не пришло за {seconds} с; получено {seen} байт{}",
                kept(kept_kib)
            ),
            Reason::BrokenBody { error, kept_kib } => {
                format!("тело оборвалось: {error}{}", kept(kept_kib))
            }
            Reason::EmptyBody => "тело пустое, а этот провайдер всегда присылает JSON".into(),
            Reason::NotJson { error } => format!("тело — не корректный JSON ({error})"),
            Reason::TokenMissing => {
                "нет заголовка Authorization, а в [green_api] задан webhook_url_token".into()
            }
            Reason::TokenWrong => {
                "токен вебхука не совпадает с [green_api] webhook_url_token".into()
            }
            Reason::SecretMissing => "нет secret_key, а в [reestr] задан secret_key".into(),
            Reason::SecretWrong => "secret_key не совпадает с [reestr] secret_key".into(),
            Reason::NoConfirmString => "строка подтверждения не задана, поэтому подтверждение не удалось: скопируйте её из кабинета Реестра в [reestr] confirm_string и нажмите «Подтвердить» ещё раз".into(),
            Reason::Rule { number, action } => {
                let what = match action {
                    ResponseAction::Answer => "ответил",
                    ResponseAction::Fail => "нарочно отказал",
                    ResponseAction::Delay => "задержал ответ",
                    ResponseAction::HangUp => "оборвал соединение без ответа",
                };
                format!("{what}: правило ответа {number} ([[respond]] в настройках)")
            }
            Reason::Text { text } => text.clone(),
        }
    }

    /// Why no tunnel was found: what was asked and what each answered.
    pub fn tunnel_not_found(self, missing: &NotFound) -> String {
        if self == Language::English {
            return missing.to_string();
        }
        let port = missing.port;
        let tried: Vec<String> = missing
            .tried
            .iter()
            .map(|missed| match missed {
                Missed::Ngrok { api, why } => {
                    let said = match why {
                        NgrokMiss::NotRunning => "не запущен".to_string(),
                        NgrokMiss::NoAnswer { detail } => format!("не ответил ({detail})"),
                        NgrokMiss::Status { status } => format!("ответил HTTP {status}"),
                        NgrokMiss::NotJson => "ответил не своим JSON".to_string(),
                        NgrokMiss::NoHttpsTunnel => "не держит ни одного https-туннеля".to_string(),
                        NgrokMiss::OtherPorts { addrs, port } => format!(
                            "ведёт только на {}, а не на порт {port}",
                            addrs.join(", ")
                        ),
                    };
                    format!("агент ngrok на {api} {said}")
                }
                Missed::MetricsAddress { metrics } => format!(
                    "адрес метрик cloudflared «{metrics}» — не host:port и не host:first-last ([tunnel] cloudflared_metrics)"
                ),
                Missed::NamedTunnel { at } => format!(
                    "cloudflared на {at} держит именованный туннель, чей URL знаете только вы: впишите его как публичный URL"
                ),
                Missed::NoQuickTunnel { metrics } => {
                    format!("на {metrics} не отвечает ни один быстрый туннель cloudflared")
                }
            })
            .collect();
        format!(
            "Туннель к порту {port} не найден: {}. Запустите его, например `cloudflared tunnel --url http://127.0.0.1:{port}` или `ngrok http {port}`, или впишите его https-адрес как публичный URL.",
            tried.join("; ")
        )
    }

    /// What a response rule breaks of a provider's contract.
    pub fn breach(self, breach: Breach) -> String {
        if self == Language::English {
            return breach.to_string();
        }
        match breach {
            Breach::ReestrConfirm => "подтверждение Реестра с таким ответом не пройдёт: Реестру нужен 200 со строкой подтверждения",
            Breach::MoyskladDeadline => "МойСклад ждёт 1,5 с: ответ позже считается недоставкой и не повторяется (журнал изменений от 15.03.2022), так что событие теряется",
            Breach::MoyskladRetries => "после неверного ответа МойСклад сразу сделает ещё три попытки, а потом бросит событие навсегда",
            Breach::GreenApiHolds => "GREEN-API будет присылать его каждые 60 с и держать все следующие уведомления за ним до суток",
        }
        .into()
    }

    /// An overview field's value.
    pub fn field_value(self, value: &FieldValue) -> String {
        match (self, value) {
            (_, FieldValue::Text(text)) => text.clone(),
            (Language::English, FieldValue::Present(true)) => "present".into(),
            (Language::English, FieldValue::Present(false)) => "absent".into(),
            (Language::Russian, FieldValue::Present(true)) => "есть".into(),
            (Language::Russian, FieldValue::Present(false)) => "нет".into(),
        }
    }
}

fn russian_advice(advice: &Advice) -> String {
    match advice {
        Advice::KonturKey => "apiKey не принят. Проверьте apiKey в панели событий Росреестра (и что он для этого стенда: боевого или тестового).".into(),
        Advice::KonturOrganisation => "у этого apiKey нет доступа к организации. Проверьте orgId (portal.orgid) в панели событий Росреестра.".into(),
        Advice::GreenCredentials { id } => format!("idInstance {id} и этот apiTokenInstance не подходят ни к одному инстансу. Скопируйте оба заново из консоли GREEN-API; если консоль показывает свой хост API (например, https://1101.api.green-api.com), укажите его и как адрес API."),
        Advice::GreenApiUrl => "по этому адресу API такого метода нет. Проверьте адрес API в панели GREEN-API: инстанс MAX (typeInstance v3) доступен по https://api.green-api.com/v3, инстансы WhatsApp и Telegram — по https://api.green-api.com (или по хосту, который показывает их консоль).".into(),
        Advice::ReestrToken => "Проверьте токен доступа в панели Реестра.".into(),
        Advice::ReestrOrder => "Проверьте номер заказа.".into(),
        Advice::MoyskladToken => "проверьте токен в панели МоегоСклада или войдите заново".into(),
        Advice::MoyskladTooMany => "слишком много запросов: подождите несколько секунд и повторите".into(),
    }
}

fn russian_unreadable(detail: &Unread) -> String {
    match detail {
        Unread::NotJson(error) if error.is_empty() => "это не JSON".into(),
        Unread::NotJson(error) => format!("это не JSON: {error}"),
        Unread::Missing(what) => format!("в нём нет {what}"),
        Unread::NotSaved => "saveSettings не равно true".into(),
    }
}

fn russian_unset(unset: &Unset) -> String {
    match unset {
        Unset::Missing(setting) => {
            let (name, hint) = russian_setting(*setting);
            format!("{name} не задан: {hint}")
        }
        Unset::NotDigits { id } => format!(
            "idInstance GREEN-API «{id}» должен состоять только из цифр, например 1101000001: {}",
            russian_setting(Setting::GreenApiId).1
        ),
        Unset::ApiUrl { service, url } => {
            format!("Адрес API {service} «{url}» — не http(s)-адрес: исправьте его в настройках.")
        }
    }
}

/// A setting's name and where to find it, in Russian.
fn russian_setting(setting: Setting) -> (&'static str, &'static str) {
    let green_api =
        "скопируйте его из консоли GREEN-API в панель GREEN-API (или в [green_api] в настройках).";
    let kontur = "скопируйте его из настроек интеграции Контур.Реестро в панель Контур.Реестро (Провайдеры > Росреестр · Контур) или в [kontur] в настройках.";
    match setting {
        Setting::GreenApiId => ("idInstance GREEN-API", green_api),
        Setting::GreenApiToken => ("apiTokenInstance GREEN-API", green_api),
        Setting::MoyskladToken => (
            "Токен МоегоСклада",
            "создайте его в МоёмСкладе (Настройки > Токены) или войдите из панели МоегоСклада, либо задайте [moysklad] token в настройках.",
        ),
        Setting::ReestrAccessToken => (
            "Токен доступа Реестра",
            "скопируйте его из кабинета Реестра (настройки API) в панель Реестра или задайте [reestr] access_token в настройках.",
        ),
        Setting::ReestrOrderId => (
            "Id заказа",
            "укажите object_id уведомления payment или service_done.",
        ),
        Setting::KonturApiKey => ("apiKey Контура", kontur),
        Setting::KonturOrgId => ("orgId Контура", kontur),
    }
}

fn russian_mistake(mistake: &Mistake) -> String {
    match mistake {
        Mistake::PageSize { count, max } => {
            format!("На странице от 1 до {max} событий, а запрошено {count}.")
        }
        Mistake::NoAction { actions } => format!(
            "Выберите, на что срабатывает вебхук: {} (--action).",
            actions.join(", ")
        ),
        Mistake::ReportType { action } => format!(
            "Действие вебхука остатков — это тип отчёта, all или bystore, а не «{action}»."
        ),
        Mistake::ForeignHref { href, api_url } => format!(
            "Ссылка события {href} не ведёт в API МоегоСклада {api_url}, а токен hookscope отправляет только туда. Проверьте адрес API в панели МоегоСклада."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tunnel_detection_is_told_in_russian() {
        let missing = NotFound {
            port: 8787,
            tried: vec![
                Missed::Ngrok {
                    api: "http://127.0.0.1:4040".into(),
                    why: NgrokMiss::NotRunning,
                },
                Missed::NoQuickTunnel {
                    metrics: "127.0.0.1:20241-20245".into(),
                },
            ],
        };
        let said = Language::Russian.tunnel_not_found(&missing);
        assert!(said.starts_with("Туннель к порту 8787 не найден: агент ngrok на http://127.0.0.1:4040 не запущен; на 127.0.0.1:20241-20245 не отвечает"), "{said}");
        assert!(Language::English
            .tunnel_not_found(&missing)
            .contains("the ngrok agent at http://127.0.0.1:4040 is not running"));
    }

    #[test]
    fn settings_and_reasons_are_said_in_russian() {
        let unset = ApiError::NotConfigured(Unset::Missing(Setting::MoyskladToken));
        assert!(Language::Russian
            .api_error(&unset)
            .starts_with("Токен МоегоСклада не задан: создайте"));
        assert_eq!(Language::English.api_error(&unset), unset.to_string());
        let page = ApiError::Input(Mistake::PageSize { count: 0, max: 100 });
        assert_eq!(
            Language::Russian.api_error(&page),
            "На странице от 1 до 100 событий, а запрошено 0."
        );
        let slow = Reason::SlowBody {
            seconds: 30,
            seen: 70_000,
            kept_kib: Some(64),
        };
        assert_eq!(
            Language::Russian.reason(&slow),
            "тело не пришло за 30 с; получено 70000 байт (первые 64 КиБ сохранены)"
        );
    }

    #[test]
    fn filter_mistakes_read_in_russian() {
        let error = crate::filter::Filter::parse("provder:x").unwrap_err();
        let text = Language::Russian.filter_error(&error);
        assert!(text.contains("«provder:»"), "{text}");
    }

    #[test]
    fn store_and_settings_failures_are_said_in_russian() {
        let path = std::path::PathBuf::from("/data/captures.sqlite");
        let in_use = StoreError::InUse {
            path: path.clone(),
            pid: Some(42),
        };
        assert!(Language::Russian
            .store_error(&in_use)
            .starts_with("Другой hookscope (процесс 42) уже пишет в /data/captures.sqlite"));
        assert_eq!(Language::English.store_error(&in_use), in_use.to_string());
        let write = ConfigError::Write {
            path: "/cfg/config.toml".into(),
            source: std::io::Error::from(std::io::ErrorKind::PermissionDenied),
        };
        assert!(Language::Russian
            .config_error(&write)
            .starts_with("Не удалось записать файл настроек /cfg/config.toml"));
        let damaged = EngineError::Store(StoreError::Damaged {
            path,
            detail: "page 7".into(),
        });
        assert!(Language::Russian
            .engine_error(&damaged)
            .contains("повреждено (page 7)"));
    }

    #[test]
    fn a_providers_refusal_and_an_unreadable_answer_are_advised_in_russian() {
        let key = ApiError::refused("Kontur.Reestro", reqwest::StatusCode::UNAUTHORIZED, "")
            .advised(Advice::KonturKey);
        assert_eq!(
            Language::Russian.api_error(&key),
            "Kontur.Reestro отклонил запрос (HTTP 401): apiKey не принят. Проверьте apiKey в панели событий Росреестра (и что он для этого стенда: боевого или тестового)."
        );
        let unreadable = ApiError::Unreadable {
            service: "МойСклад",
            status: 200,
            detail: Unread::Missing("rows"),
            body: "{}".into(),
        };
        assert!(Language::Russian
            .api_error(&unreadable)
            .contains("не смог прочитать ответ (в нём нет rows)"));
    }
}
