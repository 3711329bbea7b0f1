//! Every label of the app in English and Russian.

use serde::{Deserialize, Serialize};

use crate::capture::Reason;
use crate::capture::ResponseAction;
use crate::filter::{FilterError, FIELDS};
use crate::http::{ApiError, Mistake, Setting, Unset};
use crate::providers::{Field, FieldValue};
use crate::repoint::Repointed;
use crate::responses::Breach;
use crate::tunnel::{Missed, NgrokMiss, NotFound, Source};

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
    total: "{n} total", "всего {n}";
    reading_older: "reading older: {n} left", "читаю более старые: ещё {n}";
    on_disk: "on disk", "на диске";
    export_refused: "Not exported: the filter has a mistake ({error}). Fix or clear it, then export again.", "Не экспортировано: в фильтре ошибка ({error}). Исправьте или очистите фильтр и повторите экспорт.";
    set_store_aside: "Set the damaged store aside and start a fresh one", "Отложить повреждённое хранилище и начать новое";
    store_set_aside: "The damaged store was moved to {path}; a fresh one has started.", "Повреждённое хранилище перемещено в {path}; начато новое.";
    not_saved: "A webhook could not be saved ({error}), so it was answered 503 and its provider will send it again.", "Вебхук не удалось сохранить ({error}), поэтому он получил ответ 503 и провайдер пришлёт его снова.";
    not_saved_full: "Free some disk space; saving resumes by itself.", "Освободите место на диске; сохранение возобновится само.";
    not_saved_locked: "Another program holds the store's write lock (an sqlite3 shell or a backup tool, say); close it and saving resumes by itself.", "Другая программа держит блокировку записи хранилища (например, оболочка sqlite3 или резервное копирование); закройте её, и сохранение возобновится само.";
    not_saved_disk: "The disk or file system refused the write: check that it has free space and is healthy, and that the data folder is writable.", "Диск или файловая система отказали в записи: проверьте, что на диске есть место и он исправен, а папка данных доступна для записи.";
    not_saved_other: "Check that the data folder is writable and has room.", "Проверьте, что папка данных доступна для записи и на диске есть место.";
    store_limit_hint: "The store and its limit ([listener] max_store_bytes, in Settings): past it the oldest unpinned captures are removed.", "Хранилище и его предел ([listener] max_store_bytes, в настройках): сверх него удаляются самые старые незакреплённые запросы.";
    store_limit: "Store limit, MiB", "Предел хранилища, МиБ";
    per_second: "/s", "/с";
    rejected: "{n} rejected", "отклонено: {n}";
    filter_hint: "Filter: provider:green-api status:>=400 -repeat:yes \"text\"", "Фильтр: provider:green-api status:>=400 -repeat:yes \"текст\"";
    clear_filter: "Clear filter", "Сбросить фильтр";
    filtering: "Filtering…", "Фильтрую…";
    all: "All", "Все";
    follow: "Follow", "Следить";
    paused: "Paused", "Пауза";
    loading: "Loading captures…", "Загружаю запросы…";
    empty: "No captures yet. Send a webhook to one of the URLs above, or try one from Send sample.", "Запросов пока нет. Отправьте вебхук на один из адресов выше или попробуйте пример из «Отправить пример».";
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
    malformed_flag: "The body is not valid JSON. It was acknowledged anyway, since a resend cannot fix it ([listener] malformed).", "Тело — некорректный JSON. Запрос всё равно подтверждён: повтор его не исправит ([listener] malformed).";
    responses: "Responses", "Ответы";
    responses_hint: "Answer, fail, delay or hang up on purpose, to watch how each provider retries", "Отвечать по-своему, отказывать, задерживать или обрывать нарочно, чтобы увидеть, как повторяет каждый провайдер";
    rule_number: "Rule {n}", "Правило {n}";
    path_pattern: "Path (* for any part)", "Путь (* — любая часть)";
    method_any: "Method (empty: any)", "Метод (пусто — любой)";
    do_answer: "Answer", "Ответить";
    do_fail: "Fail", "Отказать";
    do_delay: "Delay", "Задержать";
    do_hang_up: "Hang up", "Оборвать";
    status: "Status", "Статус";
    delay_ms: "Delay, ms", "Задержка, мс";
    times: "Only the next (0: all)", "Только следующие (0 — все)";
    percent: "Share, %", "Доля, %";
    fault_on: "⚡ rule {n}: {what}", "⚡ правило {n}: {what}";
    fault_left: "{n} left", "осталось {n}";
    tab_timeline: "Timeline", "Хронология";
    timeline_none: "This capture has no redelivery key, so the provider's resends of it cannot be told apart.", "У этого запроса нет ключа повтора, поэтому его повторы от провайдера не различить.";
    timeline_hint: "Every arrival of this notification, what hookscope answered and the gaps between them.", "Каждое получение этого уведомления, ответ hookscope и промежутки между ними.";
    no_answer: "no answer", "без ответа";
    replay_shown: "Replay shown…", "Повторить показанные…";
    replay_shown_hint: "Send what the table shows again, oldest first", "Отправить показанное в таблице ещё раз, от старых к новым";
    sequence_title: "Replay in sequence", "Повторить по порядку";
    sequence_count: "{n}, oldest first.", "{n}, от старых к новым.";
    keep_gaps: "Keep the original gaps", "Сохранить исходные промежутки";
    speed: "Speed ×", "Скорость ×";
    replaying: "Replaying {n} to {url}…", "Отправляю {n} на {url}…";
    replayed_all: "Replayed {n} to {url}: {ok} answered 2xx.", "Отправлено {n} на {url}: {ok} с ответом 2xx.";
    captured_as: "captured as", "получен как";
    replay_of: "Replay of", "Повтор запроса";
    col_forward: "Forwarded", "Переслан";
    tab_forward: "Forward", "Пересылка";
    forwarding: "Forwarding", "Пересылка";
    forwarding_hint: "Hand webhooks on to the app you are writing", "Передавать вебхуки приложению, которое вы пишете";
    forward_none: "No forward rule matched this capture.", "Ни одно правило пересылки не подошло к этому запросу.";
    forward_none_hint: "Add a rule under Forwarding in the top bar, or replay it below.", "Добавьте правило в «Пересылке» вверху или отправьте запрос повторно ниже.";
    state_waiting: "waiting", "ждёт";
    state_delivered: "delivered", "доставлен";
    state_skipped: "skipped", "пропущен";
    state_gave_up: "given up after a day", "брошен через сутки";
    state_failed: "not delivered", "не доставлен";
    kind_inspect: "outbox", "очередь";
    kind_pass_through: "pass-through", "сквозной";
    kind_replay: "replay", "повтор";
    next_try: "next try {time}", "следующая попытка {time}";
    no_attempts: "Not tried yet.", "Ещё не отправлялся.";
    retry_now: "Retry now", "Повторить сейчас";
    skip: "Skip", "Пропустить";
    replay: "Replay", "Отправить повторно";
    replay_to: "Replay to", "Куда";
    edit_and_replay: "Edit and replay…", "Изменить и отправить…";
    replay_into_hookscope: "Replay into hookscope", "Повторить в hookscope";
    replay_into_hint: "Send it to this listener again, as the provider would redeliver it", "Отправить его этому слушателю ещё раз, как провайдер прислал бы повтор";
    replayed: "Replayed #{id} to {url}: {outcome}.", "Запрос #{id} отправлен на {url}: {outcome}.";
    replay_unrecorded: "Replays need the listener running: start it first.", "Для повторной отправки нужен работающий слушатель: сначала запустите его.";
    edit_replay_title: "Edit and replay #{id}", "Изменить и отправить #{id}";
    method: "Method", "Метод";
    path: "Path", "Путь";
    query: "Query", "Параметры";
    headers_lines: "Headers (Name: value per line)", "Заголовки (Имя: значение в строке)";
    body: "Request body", "Тело запроса";
    json_ok: "✔ valid JSON", "✔ корректный JSON";
    json_bad: "✖ not valid JSON: {error}", "✖ некорректный JSON: {error}";
    header_bad: "✖ line {n} is not Name: value", "✖ строка {n} — не «Имя: значение»";
    send: "Send", "Отправить";
    target_url: "Target URL", "Адрес назначения";
    api_heading: "API for scripts and assistants", "API для скриптов и ассистентов";
    api_off: "Off ([api] enabled = false in the settings file).", "Выключен ([api] enabled = false в файле настроек).";
    api_hint: "Every request needs the token as Authorization: Bearer <token>; `hookscope wait` and `hookscope mcp` find both by themselves.", "Каждому запросу нужен токен: Authorization: Bearer <токен>; `hookscope wait` и `hookscope mcp` находят и адрес, и токен сами.";
    copy_api_token: "Copy token", "Копировать токен";
    copy_mcp_config: "Copy MCP settings", "Копировать настройки MCP";
    api_no_token: "There is no API token in the data folder yet: it is made when the API starts.", "В папке данных ещё нет токена API: он создаётся при запуске API.";
    own_listener: "{target} is hookscope's own listener ({listener}): every forward would be captured and forwarded again. Point it at your app's port instead.", "{target} — это собственный приёмник hookscope ({listener}): каждая пересылка снова попадала бы сюда и пересылалась бы опять. Укажите порт вашего приложения.";
    open_to_others: "⚠ reachable from other machines", "⚠ доступен с других компьютеров";
    open_to_others_hint: "hookscope listens on {ip}, which other machines can reach: anyone there can send requests that are captured, answered and forwarded to your app. A tunnel needs only 127.0.0.1.", "hookscope слушает {ip}, а этот адрес доступен с других компьютеров: любой оттуда может отправлять запросы, которые будут сохранены, получат ответ и будут переданы вашему приложению. Туннелю достаточно 127.0.0.1.";
    filter_rule: "Filter (empty: every capture)", "Фильтр (пусто — все запросы)";
    mode: "Mode", "Режим";
    mode_inspect: "Inspect: hookscope answers, the outbox delivers", "Инспекция: отвечает hookscope, доставляет очередь";
    mode_pass_through: "Pass-through: the provider gets your app's answer", "Сквозной: провайдер получает ответ вашего приложения";
    keep_host: "Keep Host", "Сохранять Host";
    rule_on: "On", "Вкл.";
    add_rule: "Add a rule", "Добавить правило";
    remove: "Remove", "Удалить";
    target_up: "{target}: delivering", "{target}: доставляется";
    target_down: "{target}: not taking deliveries, {n} waiting", "{target}: не принимает, ждут {n}";
    rules_invalid: "Fix the marked rules first.", "Сначала исправьте отмеченные правила.";
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
    found_at: "from", "источник:";
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
    ms: "ms", "мс";
    address_invalid: "Not an address: write an IP and a port, like 127.0.0.1:8787.", "Это не адрес: укажите IP и порт, например 127.0.0.1:8787.";
    yes_delete_all: "Yes, delete all", "Да, удалить все";
    send_sample: "Send sample", "Отправить пример";
    sample_sent: "Sent {name}: answered {status}, capture #{id}.", "Отправлен {name}: ответ {status}, запрос #{id}.";
    page: "Page {n}", "Страница {n}";
    cursor: "· cursor:", "· курсор:";
    feed_start: "the start of the feed", "начало ленты";
    click_to_copy: "Click to copy", "Нажмите, чтобы скопировать";
    tunnel_found: "Found {url}, from {source}.", "Найден {url}: {source}.";
    no_tunnel: "no tunnel found", "туннель не найден";
    yes_delete: "Yes, delete", "Да, удалить";
    yes_disable: "Yes, disable", "Да, выключить";
    yes_repoint: "Yes, re-point", "Да, перенаправить";
    yes_disconnect: "Yes, disconnect", "Да, отключить";
    yes_reregister: "Yes, move them", "Да, перенести";
    ask_sklad_delete: "Delete the MoySklad webhook {webhook}? MoySklad stops sending these events, and this cannot be undone.", "Удалить вебхук МоегоСклада {webhook}? МойСклад перестанет присылать эти события; отменить будет нельзя.";
    ask_sklad_disable: "Disable the MoySklad webhook {webhook}? MoySklad stops sending these events until it is enabled again.", "Выключить вебхук МоегоСклада {webhook}? МойСклад не будет присылать эти события, пока его снова не включат.";
    ask_sklad_repoint: "Re-point the MoySklad webhook {webhook} to {url}?", "Перенаправить вебхук МоегоСклада {webhook} на {url}?";
    ask_green_disconnect: "Disconnect GREEN-API instance {instance}? Its webhook URL is cleared and it stops sending notifications anywhere.", "Отключить инстанс GREEN-API {instance}? Его URL вебхука будет очищен, и он перестанет присылать уведомления.";
    ask_reregister: "Move every provider's webhooks from {old} to {new}?", "Перенести вебхуки всех провайдеров с {old} на {new}?";
    sklad_created: "Created the MoySklad webhook {webhook}.", "Создан вебхук МоегоСклада {webhook}.";
    sklad_enabled: "Enabled the MoySklad webhook {webhook}.", "Включён вебхук МоегоСклада {webhook}.";
    sklad_disabled: "Disabled the MoySklad webhook {webhook}.", "Выключен вебхук МоегоСклада {webhook}.";
    sklad_repointed: "Re-pointed the MoySklad webhook {webhook} to {url}.", "Вебхук МоегоСклада {webhook} перенаправлен на {url}.";
    sklad_deleted: "Deleted the MoySklad webhook {webhook}.", "Удалён вебхук МоегоСклада {webhook}.";
    green_connected: "GREEN-API instance {instance} now sends notifications to {url}. The instance restarts; changes apply within about 5 minutes.", "Инстанс GREEN-API {instance} теперь присылает уведомления на {url}. Инстанс перезапустится, изменения вступят в силу примерно через 5 минут.";
    green_disconnected: "GREEN-API instance {instance} no longer sends notifications: its webhook URL is cleared. Changes apply within about 5 minutes.", "Инстанс GREEN-API {instance} больше не присылает уведомления: URL вебхука очищен. Изменения вступят в силу примерно через 5 минут.";
    view_form: "Form", "Форма";
    json_invalid: "The body is not valid JSON: line {line}, column {column} ({error}).", "Тело — некорректный JSON: строка {line}, столбец {column} ({error}).";
    json_no_match: "Nothing in this body matches \"{search}\".", "В этом теле ничего не совпадает с «{search}».";
    json_matches: "{count} matching keys or values; only their branches are shown.", "Совпадений среди ключей и значений: {count}; показаны только их ветви.";
    filter_invalid: "The filter above has a mistake, so no rows are shown until it is fixed.", "В фильтре выше ошибка, поэтому строки не показаны, пока её не исправить.";
    export_now: "Export", "Экспортировать";
    import_now: "Import", "Импортировать";
    time_toggle: "Click to switch between local time and UTC", "Нажмите, чтобы переключить местное время и UTC";
    col_time_local: "Time, local", "Время, местное";
    confirm_flag: "Reestr confirm not confirmed: no confirmation string was set", "Подтверждение Реестра не прошло: строка подтверждения не была задана";
    confirm_unanswered: "Reestr confirm failed", "Подтверждение Реестра не прошло";
    confirm_again: "A confirm at {time} came before the confirmation string was set. Press confirm in the cabinet again.", "Запрос подтверждения пришёл {time}, до того как была задана строка подтверждения. Нажмите «подтвердить» в кабинете ещё раз.";
    export_title: "Export captures", "Экспорт запросов";
    import_title: "Import captures", "Импорт запросов";
    file: "File", "Файл";
    browse: "Browse…", "Обзор…";
    export_formats: "The format follows the extension: .har (HAR), .ndjson (one capture per line), .sh (cURL script). Tokens are masked.", "Формат — по расширению: .har (HAR), .ndjson (по запросу в строке), .sh (скрипт cURL). Токены скрываются.";
    import_formats: "A HAR or NDJSON file, for example one exported by hookscope.", "Файл HAR или NDJSON, например экспортированный hookscope.";
    export_what: "Exports the {count} shown by the filter.", "Экспортирует {count}, показанные фильтром.";
    no_file_chosen: "The system file chooser gave no file (it may be missing on this desktop); type the path here.", "Системный выбор файла не вернул файл (на этом рабочем столе его может не быть); впишите путь здесь.";
    no_path: "Type a file path first.", "Сначала впишите путь к файлу.";
    exported: "Exported {count} to {path}.", "Экспортировано: {count} в {path}.";
    imported: "Imported {count} from {path}.", "Импортировано: {count} из {path}.";
    import_skipped: "Skipped {skipped} that could not have come over HTTP ({first}).", "Пропущено {skipped}: такие запросы не могли прийти по HTTP ({first}).";
    not_imported: "{path} was not imported: {error}.", "{path} не импортирован: {error}.";
    cannot_read: "Could not read {path}: {error}. Check the path and that you may read the file.", "Не удалось прочитать {path}: {error}. Проверьте путь и права на чтение.";
    cannot_write: "Could not write {path}: {error}. Check that the folder exists and is writable.", "Не удалось записать {path}: {error}. Проверьте, что папка существует и доступна для записи.";
    not_listening_import: "Nothing can be imported while the store is not open: {error}", "Импорт невозможен, пока хранилище не открыто: {error}";
}

/// Words whose form follows a count.
#[derive(Clone, Copy, Debug)]
pub enum Counted {
    Capture,
    New,
    Repeat,
    Entry,
    Webhook,
}

impl Language {
    /// "1 capture", "5 captures"; "1 запрос", "2 запроса", "5 запросов".
    pub fn count(self, n: usize, what: Counted) -> String {
        let forms: [&str; 3] = match (self, what) {
            (Language::English, Counted::Capture) => ["capture", "captures", "captures"],
            (Language::English, Counted::New) => ["new", "new", "new"],
            (Language::English, Counted::Repeat) => ["repeat", "repeats", "repeats"],
            (Language::English, Counted::Entry) => ["entry", "entries", "entries"],
            (Language::English, Counted::Webhook) => ["webhook", "webhooks", "webhooks"],
            (Language::Russian, Counted::Webhook) => ["вебхук", "вебхука", "вебхуков"],
            (Language::Russian, Counted::Capture) => ["запрос", "запроса", "запросов"],
            (Language::Russian, Counted::New) => ["новый", "новых", "новых"],
            (Language::Russian, Counted::Repeat) => ["повтор", "повтора", "повторов"],
            (Language::Russian, Counted::Entry) => ["запись", "записи", "записей"],
        };
        let form = match self {
            Language::English if n == 1 => forms[0],
            Language::English => forms[1],
            Language::Russian => match (n % 10, n % 100) {
                (1, r) if r != 11 => forms[0],
                (2..=4, r) if !(12..=14).contains(&r) => forms[1],
                _ => forms[2],
            },
        };
        format!("{n} {form}")
    }

    /// Bytes in binary units: "512 B", "1.5 KiB"; "512 Б", "1.5 КиБ".
    pub fn size(self, bytes: u64) -> String {
        let units = match self {
            Language::English => ["B", "KiB", "MiB", "GiB"],
            Language::Russian => ["Б", "КиБ", "МиБ", "ГиБ"],
        };
        let mut value = bytes as f64;
        let mut unit = 0;
        while value >= 1024.0 && unit < units.len() - 1 {
            value /= 1024.0;
            unit += 1;
        }
        if unit == 0 {
            format!("{bytes} {}", units[0])
        } else {
            format!("{value:.1} {}", units[unit])
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
                fields,
            } => {
                let fields: String = fields
                    .iter()
                    .map(|f| format!("\n  {}: {}", f.field, f.message))
                    .collect();
                format!("{service} отклонил запрос (HTTP {status}): {message}{fields}")
            }
            ApiError::Unreadable {
                service,
                status,
                detail,
                body,
            } => format!(
                "{service} ответил HTTP {status}, но hookscope не смог прочитать ответ ({detail}): {body}"
            ),
        }
    }

    /// Where a public URL came from.
    pub fn tunnel_source(self, source: &Source) -> String {
        match (self, source) {
            (Language::English, source) => source.to_string(),
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
            FilterError::UnknownField { field } => format!(
                "Поля фильтра «{field}:» нет. Используйте одно из {FIELDS} или возьмите слово в кавычки, чтобы искать его как текст."
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
            Field::Time => "Время",
            Field::Sender => "Отправитель",
            Field::Chat => "Чат",
            Field::MessageId => "Id сообщения",
            Field::MessageType => "Тип сообщения",
            Field::Text => "Текст",
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
            Breach::MoyskladDeadline => "МойСклад ждёт 1,5 с: более долгая задержка считается отказом, а после трёх он бросает событие",
            Breach::MoyskladRetries => "МойСклад сразу повторит три раза, а потом бросит событие навсегда",
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
    fn russian_is_chosen_from_the_locale() {
        // Both tables are complete by construction (the macro); check one translated label.
        assert_eq!(Language::Russian.texts().settings, "Настройки");
        assert_eq!(Language::English.texts().settings, "Settings");
    }

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
    fn russian_counts_take_their_plural_forms() {
        let ru = |n| Language::Russian.count(n, Counted::New);
        assert_eq!(
            [ru(1), ru(2), ru(5), ru(11), ru(21), ru(22), ru(112)],
            [
                "1 новый",
                "2 новых",
                "5 новых",
                "11 новых",
                "21 новый",
                "22 новых",
                "112 новых"
            ]
        );
        let captures = |n| Language::Russian.count(n, Counted::Capture);
        assert_eq!(
            [captures(1), captures(3), captures(14)],
            ["1 запрос", "3 запроса", "14 запросов"]
        );
        assert_eq!(Language::English.count(1, Counted::Capture), "1 capture");
        assert_eq!(Language::English.count(0, Counted::Capture), "0 captures");
    }

    #[test]
    fn sizes_use_binary_units_in_each_language() {
        assert_eq!(Language::English.size(512), "512 B");
        assert_eq!(Language::English.size(1536), "1.5 KiB");
        assert_eq!(Language::Russian.size(3 << 30), "3.0 ГиБ");
    }

    #[test]
    fn filter_mistakes_read_in_russian() {
        let error = crate::filter::Filter::parse("provder:x").unwrap_err();
        let text = Language::Russian.filter_error(&error);
        assert!(text.contains("«provder:»"), "{text}");
    }
}
