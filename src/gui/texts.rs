//! Every label of the app in English and Russian.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Language {
    English,
    Russian,
}

impl Language {
    /// Russian when the system locale says so (`LC_ALL`, `LC_MESSAGES`, `LANG`), else English.
    pub fn from_system() -> Language {
        let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|name| std::env::var(name).ok())
            .find(|value| !value.is_empty())
            .unwrap_or_default();
        if locale.to_ascii_lowercase().starts_with("ru") {
            Language::Russian
        } else {
            Language::English
        }
    }

    pub fn texts(self) -> &'static Texts {
        match self {
            Language::English => &EN,
            Language::Russian => &RU,
        }
    }
}

macro_rules! texts {
    ($($key:ident: $en:literal, $ru:literal;)*) => {
        pub struct Texts { $(pub $key: &'static str,)* }
        pub const EN: Texts = Texts { $($key: $en,)* };
        pub const RU: Texts = Texts { $($key: $ru,)* };
    };
}

texts! {
    listening_on: "Listening on", "Слушаю";
    not_listening: "Not listening", "Не слушаю";
    port_in_use: "Port {port} on {ip} is in use by another program: stop it, or try another address here.", "Порт {port} на {ip} занят другой программой: остановите её или попробуйте другой адрес здесь.";
    start: "Start", "Запустить";
    address: "Address", "Адрес";
    public_url: "Public URL", "Публичный URL";
    public_url_hint: "https://… from your tunnel", "https://… вашего туннеля";
    copy: "Copy", "Копировать";
    copied: "Copied", "Скопировано";
    total: "total", "всего";
    on_disk: "on disk", "на диске";
    export_refused: "Not exported: the filter has a mistake ({error}). Fix or clear it, then export again.", "Не экспортировано: в фильтре ошибка ({error}). Исправьте или очистите фильтр и повторите экспорт.";
    set_store_aside: "Set the damaged store aside and start a fresh one", "Отложить повреждённое хранилище и начать новое";
    store_set_aside: "The damaged store was moved to {path}; a fresh one has started.", "Повреждённое хранилище перемещено в {path}; начато новое.";
    store_limit_hint: "The store and its limit ([listener] max_store_bytes, in Settings): past it the oldest unpinned captures are removed.", "Хранилище и его предел ([listener] max_store_bytes, в настройках): сверх него удаляются самые старые незакреплённые запросы.";
    store_limit: "Store limit, MiB", "Предел хранилища, МиБ";
    per_second: "/s", "/с";
    rejected: "rejected", "отклонено";
    repeats: "repeats", "повторов";
    filter_hint: "Filter: provider:green-api status:>=400 -repeat:yes \"text\"", "Фильтр: provider:green-api status:>=400 -repeat:yes \"текст\"";
    clear_filter: "Clear filter", "Сбросить фильтр";
    filtering: "Filtering…", "Фильтрую…";
    all: "All", "Все";
    follow: "Follow", "Следить";
    paused: "Paused", "Пауза";
    new_rows: "new", "новых";
    loading: "Loading captures…", "Загружаю запросы…";
    empty: "No captures yet. Send a webhook to one of the URLs above, or run `hookscope send-sample --list`.", "Запросов пока нет. Отправьте вебхук на один из адресов выше или запустите `hookscope send-sample --list`.";
    no_match: "No capture matches this filter.", "Ни один запрос не подходит под фильтр.";
    col_time: "Time, UTC", "Время, UTC";
    col_provider: "Provider", "Провайдер";
    col_method: "Method", "Метод";
    col_path: "Path", "Путь";
    col_event: "Event", "Событие";
    col_summary: "Summary", "Описание";
    col_status: "Status", "Статус";
    col_size: "Size", "Размер";
    col_flags: "Flags", "Отметки";
    tab_overview: "Overview", "Обзор";
    tab_headers: "Headers", "Заголовки";
    tab_query: "Query", "Параметры";
    tab_body: "Body", "Тело";
    tab_response: "Response", "Ответ";
    view_tree: "Tree", "Дерево";
    view_pretty: "Pretty", "Форматированный";
    view_raw: "Raw", "Как есть";
    view_hex: "Hex", "Hex";
    search_json: "Search in JSON", "Поиск в JSON";
    expand_all: "Expand all", "Развернуть всё";
    collapse_all: "Collapse all", "Свернуть всё";
    empty_body: "The body is empty.", "Тело пустое.";
    no_query: "No query string.", "Нет параметров запроса.";
    select_capture: "Select a capture to see it here.", "Выберите запрос, чтобы увидеть его здесь.";
    verdict: "Verdict", "Вердикт";
    verdict_ok: "accepted", "принят";
    verdict_rejected: "rejected", "отклонён";
    reason: "Reason", "Причина";
    repeat_of: "Repeat of", "Повтор";
    repeated_by: "Repeated by", "Повторы";
    received: "Received", "Получен";
    from: "From", "От";
    answered: "Answered", "Ответ";
    in_ms: "in", "за";
    note: "Note", "Заметка";
    copy_curl: "Copy as cURL", "Копировать как cURL";
    copy_body: "Copy body", "Копировать тело";
    pin: "Pin", "Закрепить";
    unpin: "Unpin", "Открепить";
    add_note: "Note…", "Заметка…";
    save: "Save", "Сохранить";
    cancel: "Cancel", "Отмена";
    delete: "Delete", "Удалить";
    clear_all: "Clear all", "Очистить всё";
    clear_all_question: "Delete every capture? Pinned ones too. This cannot be undone.", "Удалить все запросы, включая закреплённые? Отменить будет нельзя.";
    export: "Export…", "Экспорт…";
    import: "Import…", "Импорт…";
    settings: "Settings", "Настройки";
    max_body: "Body limit, MiB", "Предел тела, МиБ";
    retention: "Keep newest captures", "Хранить последних запросов";
    generic_status: "Default answer status", "Статус ответа по умолчанию";
    generic_body: "Default answer body", "Тело ответа по умолчанию";
    theme: "Theme", "Тема";
    theme_dark: "Dark", "Тёмная";
    theme_light: "Light", "Светлая";
    theme_system: "System", "Системная";
    language: "Language", "Язык";
    apply: "Apply", "Применить";
    settings_saved: "Settings saved.", "Настройки сохранены.";
    repeat_flag: "repeat", "повтор";
    rejected_flag: "rejected", "отклонён";
    pinned_flag: "pinned", "закреплён";
    providers: "Providers", "Провайдеры";
    detect: "Detect", "Найти";
    detect_hint: "Find the tunnel (ngrok, cloudflared) in front of the listener", "Найти туннель (ngrok, cloudflared) перед слушателем";
    found_at: "from", "из";
    url_changed: "The public URL changed from {old} to {new}. Providers still pointing at the old one will not reach you.", "Публичный URL сменился: был {old}, стал {new}. Провайдеры, настроенные на старый, до вас не дойдут.";
    reregister: "Re-register providers", "Перенастроить провайдеров";
    reregistered: "Moved to {new}; what each provider said is below.", "Перенесено на {new}; что ответил каждый провайдер — ниже.";
    dismiss: "Dismiss", "Скрыть";
    show_secret: "Show", "Показать";
    api_url: "API URL", "Адрес API";
    webhook_url: "Webhook URL", "URL вебхука";
    no_public_url: "No public URL yet: start a tunnel (ngrok, cloudflared) or type its URL in the top bar.", "Публичного URL пока нет: запустите туннель (ngrok, cloudflared) или впишите его адрес вверху.";
    working: "Working…", "Выполняю…";
    green_token: "apiTokenInstance", "apiTokenInstance";
    green_webhook_token: "Webhook token", "Токен вебхука";
    generate: "Generate", "Создать";
    notifications: "Notifications", "Уведомления";
    load_settings: "Load settings", "Загрузить настройки";
    connect: "Connect", "Подключить";
    disconnect: "Disconnect", "Отключить";
    green_applies: "GREEN-API saved the settings. The instance restarts; changes apply within about 5 minutes.", "GREEN-API сохранил настройки. Инстанс перезапустится, изменения вступят в силу примерно через 5 минут.";
    current_settings: "Current settings", "Текущие настройки";
    sw_incoming: "Incoming messages", "Входящие сообщения";
    sw_outgoing_status: "Statuses of sent messages", "Статусы отправленных сообщений";
    sw_outgoing_phone: "Messages sent from the phone", "Сообщения, отправленные с телефона";
    sw_outgoing_api: "Messages sent through the API", "Сообщения, отправленные через API";
    sw_state: "Instance state", "Состояние инстанса";
    sw_calls: "Incoming calls", "Входящие звонки";
    sw_polls: "Polls", "Опросы";
    sw_edited: "Edited messages", "Изменённые сообщения";
    sw_deleted: "Deleted messages", "Удалённые сообщения";
    sw_blocks: "Blocks", "Блокировки";
    token: "Token", "Токен";
    login: "Login", "Логин";
    password: "Password", "Пароль";
    get_token: "Get token", "Получить токен";
    refresh: "Refresh", "Обновить";
    entity_type: "Entity type", "Тип сущности";
    action: "Action", "Действие";
    report_type: "Report", "Отчёт";
    diff_type: "diffType", "diffType";
    enabled: "Enabled", "Включён";
    enable: "Enable", "Включить";
    disable: "Disable", "Выключить";
    repoint: "Re-point", "Перенаправить";
    this_tunnel: "this tunnel", "этот туннель";
    old_tunnel: "an older tunnel", "старый туннель";
    twin_here: "and also at this tunnel: delete this one", "и уже на этом туннеле: удалите эту";
    create: "Create", "Создать";
    no_webhooks: "No webhooks. Create one below.", "Вебхуков нет. Создайте ниже.";
    confirm_string: "Confirmation string", "Строка подтверждения";
    secret_key: "Secret key", "Секретный ключ";
    access_token: "Access token", "Токен доступа";
    paste_in_cabinet: "Paste into the Reestr cabinet (API settings > access key > Webhooks) and press confirm:", "Вставьте в кабинете Реестра (Настройки API > ключ доступа > Вебхуки) и нажмите «подтвердить»:";
    confirm_waiting: "Waiting for Reestr's confirm request…", "Жду запрос подтверждения от Реестра…";
    confirm_done: "Confirmed at {time}.", "Подтверждено {time}.";
    confirm_no_string: "A confirm arrived at {time}, but no confirmation string is set, so it failed. Paste the string from the cabinet above and press confirm again.", "Запрос подтверждения пришёл {time}, но строка подтверждения не задана, поэтому подтверждение не прошло. Вставьте строку из кабинета выше и нажмите «подтвердить» ещё раз.";
    confirm_failed: "A confirm arrived at {time} and was refused: {reason}", "Запрос подтверждения пришёл {time} и был отклонён: {reason}";
    stand: "Stand", "Стенд";
    production: "Production", "Боевой";
    test_stand: "Test stand", "Тестовый";
    api_key: "apiKey", "apiKey";
    org_id: "orgId", "orgId";
    page_size: "Page size", "На странице";
    from_start: "From start", "С начала";
    back: "Back", "Назад";
    next: "Next", "Дальше";
    every_seconds: "every, s", "каждые, с";
    state_filter: "State", "Состояние";
    type_filter: "Type", "Тип";
    col_date: "Date", "Дата";
    col_docflow: "Docflow id", "Id документооборота";
    col_external: "External id", "Внешний id";
    col_requirement: "Requirement", "Требование";
    no_events: "No events on this page.", "На этой странице событий нет.";
    load_object: "Load object", "Загрузить объект";
    load_order: "Load order", "Загрузить заказ";
    automatically: "automatically", "автоматически";
}

/// The provider overview's field names (see `providers::overview`) in the chosen language.
pub fn field_label(language: Language, label: &'static str) -> &'static str {
    if language == Language::English {
        return label;
    }
    match label {
        "Type" => "Тип",
        "Access key" => "Ключ доступа",
        "Order" => "Заказ",
        "Service" => "Услуга",
        "Object" => "Объект",
        "Secret key" => "Секретный ключ",
        "Instance" => "Инстанс",
        "Time" => "Время",
        "Sender" => "Отправитель",
        "Chat" => "Чат",
        "Message id" => "Id сообщения",
        "Message type" => "Тип сообщения",
        "Text" => "Текст",
        "File" => "Файл",
        "File type" => "Тип файла",
        "Download URL" => "Ссылка на файл",
        "Status" => "Статус",
        "State" => "Состояние",
        "Description" => "Описание",
        "Request id" => "Id запроса",
        "Changed by" => "Кто изменил",
        "Moment" => "Когда",
        "Stock type" => "Тип остатков",
        "Report type" => "Тип отчёта",
        "Report URL" => "Ссылка на отчёт",
        "Event" => "Событие",
        "Updated fields" => "Изменённые поля",
        "Href" => "Ссылка",
        "present" => "есть",
        "absent" => "нет",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_is_chosen_from_the_locale() {
        // Both tables are complete by construction (the macro); check one translated label.
        assert_eq!(Language::Russian.texts().settings, "Настройки");
        assert_eq!(Language::English.texts().settings, "Settings");
    }
}
