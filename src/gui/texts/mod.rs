//! Every label of the app in English and Russian.

mod errors;
mod samples;

pub use crate::config::Language;
use crate::store::{Attempt, Outcome};

impl Language {
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
    kontur_tab: "Rosreestr events (Kontur.Reestro)", "События Росреестра (Контур.Реестро)";
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
    fell_back: "{n} passed-through answered by hookscope", "ответил hookscope вместо приложения: {n}";
    fell_back_hint: "Pass-through: while your app at {target} was still answering an earlier webhook of the same queue, later ones got hookscope's own answer (they are still delivered to the app, in order). Answer faster than the provider's deadline ([pass_through] in the settings) to pass every answer through.", "Сквозной режим: пока приложение по адресу {target} отвечало на предыдущий вебхук той же очереди, следующие получили ответ hookscope (приложению они всё равно доставляются по порядку). Отвечайте быстрее срока провайдера ([pass_through] в настройках), чтобы проходили все ответы.";
    shown_of: "{n} of {all} shown", "показано {n} из {all}";
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
    fault_used_up: "used up: switch it off or raise its count", "исчерпано: выключите его или увеличьте счётчик";
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
    replay_progress: "Replaying {sent}/{total}, {left} left", "Отправлено {sent}/{total}, осталось {left}";
    replay_progress_failed: "{n} without 2xx", "без 2xx: {n}";
    replay_stop: "Stop", "Остановить";
    replay_stopped: "Replay stopped after {sent} of {total}.", "Повтор остановлен после {sent} из {total}.";
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
    kind_edited_replay: "edited replay", "повтор с изменениями";
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
    answer_body: "Answer body", "Тело ответа";
    target_answer: "What it answered", "Что ответило";
    sends_to: "Sends to {url}", "Уйдёт на {url}";
    edited_mark: " (edited)", " (с правками)";
    target_needed: "Type where to forward: your app's URL, e.g. http://localhost:3000/hooks.", "Впишите, куда пересылать: URL вашего приложения, например http://localhost:3000/hooks.";
    json_ok: "✔ valid JSON", "✔ корректный JSON";
    json_bad: "✖ not valid JSON: {error}", "✖ некорректный JSON: {error}";
    header_bad: "✖ line {n} is not Name: value", "✖ строка {n} — не «Имя: значение»";
    send: "Send", "Отправить";
    target_url: "Target URL", "Адрес назначения";
    api_heading: "API for scripts and assistants", "API для скриптов и ассистентов";
    tokens: "Tokens", "Токены";
    keep_in_keyring: "System keyring", "Хранилище ключей системы";
    keep_in_file: "Settings file", "Файл настроек";
    tokens_in_keyring: "Kept in the system keyring; the settings file names them, never holds them.", "Хранятся в хранилище ключей системы; файл настроек только ссылается на них.";
    tokens_in_file: "Kept in the settings file, readable by you only.", "Хранятся в файле настроек, доступном только вам.";
    tokens_no_keyring: "No keyring answered ({why}), so they are kept in the settings file, readable by you only.", "Хранилище ключей не ответило ({why}), поэтому они хранятся в файле настроек, доступном только вам.";
    tokens_not_moved: "Not moved yet: {keys}; Apply moves them.", "Ещё не перенесены: {keys}; «Применить» перенесёт их.";
    tokens_unread: "The keyring did not give back {keys}: unlock it and start hookscope again, or type them again.", "Хранилище ключей не выдало {keys}: разблокируйте его и запустите hookscope снова или введите их заново.";
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
    language_system: "As the system", "Как в системе";
    language: "Language", "Язык";
    apply: "Apply", "Применить";
    settings_saved: "Settings saved.", "Настройки сохранены.";
    team_host: "Team host", "Командный хост";
    team_open: "Connect to a team host…", "Подключиться к командному хосту…";
    team_about: "A team's hookscope runs serve on an always-on host. Connected, this window mirrors the host's captures (marked 🌐 in the table) and your forward rules hand them to your own app. Ask the host's owner for a token (hookscope api token add NAME, on the host).", "Команда запускает hookscope serve на постоянно включённом хосте. После подключения это окно повторяет его запросы (в таблице они помечены 🌐), а ваши правила пересылки передают их вашему приложению. Токен выдаёт владелец хоста (hookscope api token add ИМЯ, на хосте).";
    team_url: "Host's API", "API хоста";
    team_url_hint: "https://api.team.example or http://10.0.0.5:8788", "https://api.team.example или http://10.0.0.5:8788";
    team_token: "Token", "Токен";
    team_connect: "Connect", "Подключиться";
    team_disconnect: "Disconnect", "Отключиться";
    team_attached: "attached to {host}", "подключено к {host}";
    team_connecting: "connecting…", "подключаюсь…";
    team_connected: "✔ connected", "✔ на связи";
    team_lost: "✖ reconnecting", "✖ переподключаюсь";
    team_ended: "✖ stopped", "✖ остановлено";
    team_behind: "{n} behind", "отстаёт на {n}";
    team_bad_url: "Write the host's API address with http:// or https://, e.g. https://api.team.example.", "Укажите адрес API хоста с http:// или https://, например https://api.team.example.";
    team_no_token: "Paste the token the host's owner gave you.", "Вставьте токен, который выдал владелец хоста.";
    team_needs_listener: "Start the listener first: mirrored captures are saved in its store.", "Сначала запустите приёмник: повторённые запросы сохраняются в его хранилище.";
    team_attached_notice: "Attached to {host}: its captures are mirrored here.", "Подключено к {host}: его запросы повторяются здесь.";
    team_lent: "🌐 Attached to {host}: these panels act on the host's accounts (its settings below are not used); only the host owner's token may change them.", "🌐 Подключено к {host}: эти панели работают с учётными записями хоста (настройки ниже не используются); менять их может только токен владельца хоста.";
    team_detached: "Detached from {host}; what was mirrored stays here.", "Отключено от {host}; уже полученные запросы остаются здесь.";
    host_fault_on: "⚡ host's rule {n}: {what}", "⚡ правило хоста {n}: {what}";
    host_fault_hint: "The team host answers the providers by this response rule of its own settings; it is changed on the host.", "Командный хост отвечает провайдерам по этому правилу своих настроек; менять его нужно на хосте.";
    sklad_off: "disabled", "выключен";
    sklad_disabled_why: "Disabled here or in MoySklad, or by MoySklad itself: it disables a webhook whose receiver answered only errors (or could not be reached) on more than 7 of the last 10 days, and e-mails the account's owner. Make sure this receiver answers, then Enable.", "Выключен здесь или в МоёмСкладе — или самим МоимСкладом: он выключает вебхук, приёмник которого более 7 из последних 10 дней отвечал только ошибками (или был недоступен), и пишет владельцу аккаунта. Убедитесь, что приёмник отвечает, и нажмите «Включить».";
    sklad_silent_change: "A change made in MoySklad brought no delivery? The webhook may be disabled (above), or the change was written through the API with the header X-Lognex-WebHook-DisableByPrefix, which fires no webhook whose URL starts with the prefix it names (integrations use it to silence their own echoes).", "Изменение в МоёмСкладе не принесло вебхука? Вебхук может быть выключен (см. выше), или изменение записано через API с заголовком X-Lognex-WebHook-DisableByPrefix: тогда не срабатывают вебхуки, URL которых начинается с указанного в нём префикса (так интеграции глушат собственное эхо).";
    start_tunnel: "Start tunnel", "Запустить туннель";
    start_tunnel_hint: "Starts a quick tunnel to the listener with cloudflared or ngrok, when it is installed; it stops with the app.", "Запускает быстрый туннель к приёмнику через cloudflared или ngrok, если он установлен; туннель остановится вместе с приложением.";
    stop_tunnel: "Stop tunnel", "Остановить туннель";
    tunnel_starting: "starting {program}…", "запускаю {program}…";
    tunnel_started: "The {program} quick tunnel is up at {url}; it stops with the app.", "Быстрый туннель {program} работает: {url}; он остановится вместе с приложением.";
    tunnel_stopped: "The quick tunnel was stopped.", "Быстрый туннель остановлен.";
    mirrored_flag: "Mirrored from the team host, where it is capture #{n}.", "Получен с командного хоста, там это запрос №{n}.";
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
    seconds: "s", "с";
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
    confirm_unanswered_hint: "A confirm arrived at {time}, but no confirmation string is set, so it failed. Click here for the Reestr tab of Providers, paste the string from the Reestr cabinet there, then press confirm in the cabinet again.", "Запрос подтверждения пришёл {time}, но строка подтверждения не задана, поэтому подтверждение не прошло. Нажмите здесь, чтобы открыть вкладку Реестра в «Провайдерах», вставьте туда строку из кабинета Реестра и снова нажмите «подтвердить» в кабинете.";
    deleted: "Capture #{id} deleted.", "Запрос #{id} удалён.";
    sample_not_listening: "Samples go to this window's listener, which is not running: start it first (the address field under the top bar).", "Примеры отправляются на приёмник этого окна, а он не запущен: сначала запустите его (поле адреса под верхней панелью).";
    sklad_no_credentials: "Type the token (or log in) above to see this account's webhooks.", "Впишите токен (или войдите) выше, чтобы увидеть вебхуки этого аккаунта.";
    create_needs: "Choose an entity type and give a URL first.", "Сначала выберите тип сущности и укажите URL.";
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

    /// A number with `digits` after the point, which Russian writes as a comma: "1.5", "1,5".
    pub fn decimal(self, value: f64, digits: usize) -> String {
        let text = format!("{value:.digits$}");
        match self {
            Language::English => text,
            Language::Russian => text.replace('.', ","),
        }
    }

    /// A time in milliseconds: "3.1 ms", "3,1 мс".
    pub fn millis(self, ms: f64) -> String {
        format!("{} {}", self.decimal(ms, 1), self.texts().ms)
    }

    /// Bytes in binary units: "512 B", "1.5 KiB"; "512 Б", "1,5 КиБ".
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
            format!("{} {}", self.decimal(value, 1), units[unit])
        }
    }
}

impl Language {
    /// A delivery attempt: "200 · 3.1 ms", or what went wrong.
    pub fn attempt(self, attempt: &Attempt) -> String {
        match &attempt.outcome {
            Outcome::Answered { status, .. } => {
                format!("{status} · {}", self.millis(attempt.elapsed_ms))
            }
            Outcome::Failed(error) => error.clone(),
        }
    }
}

/// An RFC 3339 time to the second, as a person reads it: `2026-11-01T09:00:00+03:00` as
/// `2026-11-01 09:00:00` (the offset is left to the caller); other text as it is.
pub fn short_date(date: &str) -> String {
    match date.get(..19) {
        Some(cut) if cut.as_bytes()[10] == b'T' => cut.replacen('T', " ", 1),
        _ => date.to_string(),
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
        assert_eq!(Language::Russian.size(3 << 30), "3,0 ГиБ");
        assert_eq!(Language::Russian.millis(2.14), "2,1 мс");
    }

    #[test]
    fn dates_lose_the_t_and_the_offset_only_when_they_are_rfc_3339() {
        assert_eq!(
            short_date("2026-11-01T09:00:00+03:00"),
            "2026-11-01 09:00:00"
        );
        assert_eq!(
            short_date("2026-11-01T09:00:00.123Z"),
            "2026-11-01 09:00:00"
        );
        assert_eq!(short_date("вчера"), "вчера");
        assert_eq!(
            short_date("2026-11-01 09:00:00 MSK"),
            "2026-11-01 09:00:00 MSK"
        );
    }
}
