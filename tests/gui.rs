//! The real app driven through egui_kittest: webhooks sent to its listener, typing, clicking,
//! and snapshots rendered with wgpu (lavapipe on CI).

mod common;

use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui_kittest::kittest::{by, Queryable};
use egui_kittest::{Harness, SnapshotOptions};
use hookscope::capture::Capture;
use hookscope::config::{Config, KeepIn, Language, Paths, Theme};
use hookscope::engine::Engine;
use hookscope::gui::{App, Remembered};
use hookscope::providers;
use hookscope::store::Store;
use time::macros::datetime;

struct Fixture {
    harness: Harness<'static, App>,
    base: String,
    client: reqwest::Client,
    // Dropped last: the app's engine runs on this runtime.
    runtime: tokio::runtime::Runtime,
    dir: tempfile::TempDir,
}

fn start(listen: &str, seed: &[(&str, &str)], theme: Theme) -> Fixture {
    start_with(listen, seed, theme, |_, _| {})
}

/// The app with settings and remembered state of the test's choosing.
fn start_with(
    listen: &str,
    seed: &[(&str, &str)],
    theme: Theme,
    configure: impl FnOnce(&mut Config, &mut Remembered),
) -> Fixture {
    launch(listen, seed, theme, configure, |_| {})
}

/// The app, after `prepare` has done what it likes to the seeded data folder.
fn launch(
    listen: &str,
    seed: &[(&str, &str)],
    theme: Theme,
    configure: impl FnOnce(&mut Config, &mut Remembered),
    prepare: impl FnOnce(&Paths),
) -> Fixture {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths {
        config_file: dir.path().join("config.toml"),
        data_dir: dir.path().join("data"),
    };
    let mut config = Config::default();
    config.listener.listen = listen.parse().unwrap();
    config.api.listen = "127.0.0.1:0".parse().unwrap();
    // No tunnel agent of the machine running the tests may change what the app shows.
    config.tunnel.ngrok_api = "http://127.0.0.1:9".into();
    config.tunnel.cloudflared_metrics = "127.0.0.1:9".into();
    config.window.theme = theme;
    config.window.language = Some(Language::English);
    // The tokens these tests make stay out of the keyring of the machine running them.
    config.secrets.keep_in = KeepIn::File;
    let mut remembered = Remembered::default();
    configure(&mut config, &mut remembered);
    config.save(&paths.config_file).unwrap();
    runtime.block_on(seed_store(&paths, &config, seed));
    prepare(&paths);
    let engine = runtime.block_on(Engine::start(config.clone(), &paths.store_file()));
    let base = engine.as_ref().map_or_else(
        |_| format!("http://{listen}"),
        |e| format!("http://{}", e.local_addr()),
    );
    let handle = runtime.handle().clone();
    // The harness applies its own theme after the app is built; keep the two in agreement.
    let harness_theme = match theme {
        Theme::Light => egui::Theme::Light,
        Theme::Dark | Theme::System => egui::Theme::Dark,
    };
    let harness = Harness::builder()
        .with_size([1280.0, 720.0])
        .with_theme(harness_theme)
        .wgpu()
        .build_eframe(move |cc| {
            App::new(cc, engine, config, paths, handle).remembering(remembered)
        });
    let mut fixture = Fixture {
        harness,
        base,
        client: reqwest::Client::new(),
        runtime,
        dir,
    };
    fixture.wait_for("the store to load", |h| {
        ["Time, ", "Время, ", "No captures yet", "Запросов пока нет"]
            .iter()
            .any(|text| h.query_by_label_contains(text).is_some())
    });
    fixture
}

/// Captures with fixed times, so snapshots do not change from run to run.
async fn seed_store(paths: &Paths, config: &Config, seed: &[(&str, &str)]) {
    if seed.is_empty() {
        return;
    }
    let store = Store::open(&paths.store_file(), (&config.listener).into()).unwrap();
    for (n, (path, body)) in seed.iter().enumerate() {
        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        let request = hookscope::capture::Incoming {
            received_at: datetime!(2026-11-20 10:15:00 UTC) + time::Duration::seconds(n as i64 * 7),
            remote_addr: "127.0.0.1:50000".into(),
            method: "POST".into(),
            path: path.into(),
            query: query.into(),
            headers: vec![("content-type".into(), "application/json".into())],
            size: body.len() as u64,
            body: body.as_bytes().to_vec(),
        };
        let judgement = providers::judge(&request, config);
        let mut capture = Capture::new(request, judgement);
        capture.elapsed_ms = Some(1.25);
        store.commit(capture).await.unwrap();
    }
    store.close().await;
}

impl Fixture {
    fn wait_for(&mut self, what: &str, found: impl Fn(&Harness<'static, App>) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            // Arrivals and store answers wake the app from other threads, so more than one
            // frame may be wanted here; that is not a repaint loop.
            let _ = self.harness.try_run();
            if found(&self.harness) {
                return;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn post(&self, path: &str, body: &str) -> reqwest::StatusCode {
        let request = self
            .client
            .post(format!("{}{path}", self.base))
            .body(body.to_string());
        self.runtime
            .block_on(async { request.send().await.unwrap().status() })
    }

    fn type_filter(&mut self, text: &str) {
        self.harness.key_press(egui::Key::Slash);
        let _ = self.harness.try_run();
        self.harness
            .get(by().predicate(|n| n.is_focused()))
            .type_text(text);
        let _ = self.harness.try_run();
    }
}

const GREEN_TEXT: &str = include_str!("../assets/samples/green-api-incoming-text.json");
const REESTR_DONE: &str = include_str!("../assets/samples/reestr-service-done.json");
const MOYSKLAD: &str = include_str!("../assets/samples/moysklad-product-update.json");
const CYRILLIC: &str = include_str!("../assets/samples/green-api-incoming-extended-text.json");

#[test]
fn a_webhook_sent_to_the_listener_appears_as_a_row() {
    let mut f = start("127.0.0.1:0", &[], Theme::Dark);
    assert!(f
        .harness
        .query_by_label_contains("No captures yet")
        .is_some());
    assert_eq!(f.post("/green-api", GREEN_TEXT), 200);
    f.wait_for("the new row", |h| {
        h.query_by_label_contains("from 79161234567").is_some()
    });
    assert!(f.harness.query_by_label_contains("1 total").is_some());
    // Once nothing arrives, the app stops asking for frames (run() fails on a repaint loop).
    std::thread::sleep(Duration::from_millis(100));
    f.harness.run();
}

#[test]
fn typing_a_filter_narrows_the_table_and_errors_show_inline() {
    let mut f = start("127.0.0.1:0", &[], Theme::Dark);
    f.post("/green-api", GREEN_TEXT);
    f.post("/reestr", REESTR_DONE);
    f.post("/moysklad?requestId=1", MOYSKLAD);
    f.wait_for("three rows", |h| {
        h.query_by_label_contains("3 total").is_some()
    });
    assert!(f
        .harness
        .query_by_label_contains("service 5521 of order 880213 done")
        .is_some());

    f.type_filter("provider:green-api");
    f.wait_for("the filter to apply", |h| {
        h.query_by_label_contains("service 5521").is_none()
    });
    assert!(f
        .harness
        .query_by_label_contains("from 79161234567")
        .is_some());
    assert!(f
        .harness
        .query_by_label_contains("product:UPDATE")
        .is_none());

    // A new arrival that does not match stays hidden; one that matches shows up.
    f.post("/reestr", REESTR_DONE);
    f.post(
        "/green-api",
        &GREEN_TEXT.replace("Hello, is the order ready?", "Second message"),
    );
    f.wait_for("the matching arrival", |h| {
        h.query_by_label_contains("Second message").is_some()
    });
    assert!(f.harness.query_by_label_contains("service 5521").is_none());

    f.harness.key_press(egui::Key::Escape);
    f.wait_for("the filter to clear", |h| {
        h.query_all_by_label_contains("service 5521").count() == 2
    });

    f.type_filter("provder:x");
    f.wait_for("the inline error", |h| {
        h.query_by_label_contains("Unknown filter field \"provder:\"")
            .is_some()
    });
    // The rows of the last good filter are not left standing as if they matched.
    assert!(f
        .harness
        .query_by_label_contains("no rows are shown until it is fixed")
        .is_some());
    assert!(f.harness.query_by_label_contains("service 5521").is_none());
    // Ctrl+E then exports nothing rather than every capture, and says why.
    f.harness
        .key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::E);
    f.wait_for("the refusal", |h| {
        h.query_by_label_contains("Not exported: the filter has a mistake")
            .is_some()
    });
}

#[test]
fn clicking_a_row_shows_decoded_fields() {
    let mut f = start("127.0.0.1:0", &[], Theme::Dark);
    f.post(
        "/moysklad?requestId=r-1",
        include_str!("../assets/samples/moysklad-several-events.json"),
    );
    f.post("/green-api", CYRILLIC);
    f.wait_for("rows", |h| h.query_by_label_contains("2 total").is_some());
    f.harness
        .get_by_label_contains("Здравствуйте! Заказ №1542")
        .click();
    f.wait_for("the detail pane", |h| h.query_by_label("Sender").is_some());
    assert!(f
        .harness
        .query_by_label("Иван (79161234567@c.us)")
        .is_some());
    assert!(f.harness.query_by_label("extendedTextMessage").is_some());

    f.harness.get_by_label_contains("3 events").click();
    f.wait_for("the MoySklad detail", |h| {
        h.query_by_label("Request id").is_some()
    });
    assert_eq!(f.harness.query_all_by_label("product UPDATE").count(), 3);
    assert!(f.harness.query_by_label("name, salePrices").is_some());

    f.harness.get_by_label("Body").click();
    f.harness.run();
    assert!(f.harness.query_by_label("Tree").is_some());
    f.harness.get_by_label("Hex").click();
    f.harness.run();
    assert!(f
        .harness
        .query_by_label_contains("00000000  7b 22 61 75")
        .is_some());
}

#[test]
fn keyboard_moves_the_selection_and_pin_marks_the_row() {
    let mut f = start("127.0.0.1:0", &[], Theme::Dark);
    f.post("/reestr", REESTR_DONE);
    f.post("/green-api", GREEN_TEXT);
    f.wait_for("rows", |h| h.query_by_label_contains("2 total").is_some());
    f.harness.key_press(egui::Key::ArrowDown);
    f.wait_for("the first capture", |h| h.query_by_label("#1").is_some());
    f.harness.key_press(egui::Key::J);
    f.wait_for("the second capture", |h| h.query_by_label("#2").is_some());
    f.harness.key_press(egui::Key::K);
    f.wait_for("the first again", |h| h.query_by_label("#1").is_some());
    f.harness.get_by_label("Pin").click();
    f.wait_for("the pin", |h| h.query_by_label("Unpin").is_some());
}

impl Fixture {
    fn stored(&self) -> Vec<Capture> {
        let file = self.dir.path().join("data").join("captures.sqlite3");
        let reader = hookscope::store::StoreReader::open(&file).unwrap();
        reader
            .list(&hookscope::filter::Filter::default(), None)
            .unwrap()
    }

    /// Steps frames until the app puts text on the clipboard.
    fn copied_text(&mut self) -> String {
        for _ in 0..200 {
            self.harness.step();
            let copied = self
                .harness
                .output()
                .platform_output
                .commands
                .iter()
                .find_map(|c| match c {
                    egui::OutputCommand::CopyText(text) => Some(text.clone()),
                    _ => None,
                });
            if let Some(text) = copied {
                return text;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("nothing was copied");
    }
}

#[test]
fn copy_as_curl_reproduces_the_capture() {
    let mut f = start("127.0.0.1:0", &[], Theme::Dark);
    let body = CYRILLIC.replace("3EB0C1D2E3F40516", "CURL-1");
    let request = f
        .client
        .post(format!("{}/green-api?source=test&x=%D0%B4", f.base))
        .header("x-custom", "значение ok")
        .header("content-type", "application/json")
        .body(body.clone());
    f.runtime.block_on(async { request.send().await.unwrap() });
    f.wait_for("the row", |h| {
        h.query_by_label_contains("Здравствуйте!").is_some()
    });
    f.harness.get_by_label_contains("Здравствуйте!").click();
    f.wait_for("the detail pane", |h| {
        h.query_by_label("Copy as cURL").is_some()
    });
    f.harness.get_by_label("Copy as cURL").click();
    let command = f.copied_text();
    assert!(command.starts_with("curl "), "{command}");

    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(&command)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "{command}");
    f.wait_for("the replayed capture", |h| {
        h.query_by_label_contains("2 total").is_some()
    });
    let captures = f.stored();
    let (original, replayed) = (&captures[0].request, &captures[1].request);
    assert_eq!(replayed.method, original.method);
    assert_eq!(replayed.path, original.path);
    assert_eq!(replayed.query, original.query);
    assert_eq!(replayed.body, original.body);
    let header = |r: &hookscope::capture::Incoming, name: &str| r.header(name).map(str::to_owned);
    for name in ["x-custom", "content-type"] {
        assert_eq!(header(replayed, name), header(original, name), "{name}");
    }
    // Same GREEN-API message again: the app marks it as a repeat.
    assert_eq!(captures[1].repeat_of, Some(captures[0].id));
}

#[test]
fn a_busy_port_is_explained_and_another_can_be_chosen_in_place() {
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let busy_addr = busy.local_addr().unwrap().to_string();
    let mut f = start(&busy_addr, &[], Theme::Dark);
    assert!(f
        .harness
        .query_by_label_contains("is in use by another program")
        .is_some());
    let field = || {
        by().role(egui::accesskit::Role::TextInput)
            .value(&busy_addr)
    };
    f.harness.get(field()).focus();
    f.harness
        .key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    f.harness.get(field()).type_text("127.0.0.1:0");
    let _ = f.harness.try_run();
    f.harness.get_by_label("Start").click();
    f.wait_for("the listener", |h| {
        h.query_by_label_contains("Listening on http://127.0.0.1:")
            .is_some()
    });
    assert!(f.harness.query_by_label_contains("is in use").is_none());
}

fn snapshot_options() -> SnapshotOptions {
    // Above zero: lavapipe and GPUs anti-alias text edges slightly differently.
    SnapshotOptions::new().threshold(1.0).max_failed_pixels(200)
}

/// The main window with five captures, one selected, at `size` in `language`.
fn main_window_snapshot(
    listen: &str,
    theme: Theme,
    language: Language,
    size: [f32; 2],
    name: &str,
) {
    let seed = [
        ("/reestr", REESTR_DONE),
        ("/green-api", GREEN_TEXT),
        ("/moysklad?requestId=7f1", MOYSKLAD),
        ("/moysklad?requestId=7f1", MOYSKLAD),
        ("/green-api", CYRILLIC),
    ];
    let mut f = start_with(listen, &seed, theme, |c, _| {
        c.window.language = Some(language)
    });
    f.harness.set_size(egui::Vec2::from(size));
    let (total, sender) = match language {
        Language::English => ("5 total", "Sender"),
        Language::Russian => ("всего 5", "Отправитель"),
    };
    f.wait_for("rows", |h| h.query_by_label_contains(total).is_some());
    // The newest row, by keyboard: in a narrow window its summary is off to the side.
    f.harness.key_press(egui::Key::ArrowUp);
    f.wait_for("the detail pane", |h| h.query_by_label(sender).is_some());
    f.harness.snapshot_options(name, &snapshot_options());
}

#[test]
fn main_window_dark() {
    // The default window size, with a GREEN-API capture selected.
    main_window_snapshot(
        "127.0.0.1:48787",
        Theme::Dark,
        Language::English,
        [1280.0, 800.0],
        "main_window_dark",
    );
}

#[test]
fn fresh_start_russian_small() {
    // What a Russian user sees first on a small screen: no captures yet, nothing selected.
    let mut f = start_with("127.0.0.1:48792", &[], Theme::Dark, |c, _| {
        c.window.language = Some(Language::Russian)
    });
    f.harness.set_size(egui::Vec2::new(800.0, 600.0));
    f.wait_for("the empty table", |h| {
        h.query_by_label_contains("Запросов пока нет").is_some()
    });
    // A few frames at the new size, so the layout has settled.
    for _ in 0..3 {
        let _ = f.harness.try_run();
    }
    f.harness
        .snapshot_options("fresh_start_russian_small", &snapshot_options());
}

#[test]
fn main_window_light() {
    main_window_snapshot(
        "127.0.0.1:48788",
        Theme::Light,
        Language::English,
        [1600.0, 1000.0],
        "main_window_light",
    );
}

#[test]
fn main_window_small() {
    main_window_snapshot(
        "127.0.0.1:48789",
        Theme::Dark,
        Language::English,
        [800.0, 600.0],
        "main_window_small",
    );
}

#[test]
fn main_window_russian() {
    main_window_snapshot(
        "127.0.0.1:48790",
        Theme::Dark,
        Language::Russian,
        [1600.0, 1000.0],
        "main_window_russian",
    );
}

#[test]
fn main_window_russian_small() {
    main_window_snapshot(
        "127.0.0.1:48791",
        Theme::Light,
        Language::Russian,
        [800.0, 600.0],
        "main_window_russian_small",
    );
}

/// Opens the Providers window on a tab.
fn open_panel(f: &mut Fixture, tab: &str) {
    f.harness.get_by_label("Providers").click();
    f.wait_for("the Providers window", |h| {
        h.query_by_label("GREEN-API").is_some()
    });
    f.harness.get_by_label(tab).click();
    let _ = f.harness.try_run();
}

#[test]
fn green_api_panel_connects_the_instance_to_the_public_url() {
    use common::fakes::green_api::FakeGreenApi;
    let token = "d75b3a66374942c5b3c019c698abc2067e151558acbd412345";
    let fake = FakeGreenApi::start("1101000001", token);
    let mut f = start_with("127.0.0.1:0", &[], Theme::Dark, |c, _| {
        c.green_api.api_url = fake.api_url();
        c.green_api.id_instance = "1101000001".into();
        c.green_api.api_token_instance = hookscope::config::Secret::new(token);
        c.tunnel.public_url = "https://t.example".into();
    });
    open_panel(&mut f, "GREEN-API");
    // Opening the panel reads the instance's settings.
    f.wait_for("the current settings", |h| {
        h.query_by_label("Current settings").is_some()
    });
    // The panel shows the whole URL; the top bar, beside the public URL, the path.
    assert_eq!(
        f.harness
            .query_all_by_label("https://t.example/green-api")
            .count(),
        1
    );
    assert!(f.harness.query_by_label("/green-api").is_some());
    // Switches can be changed before connecting: polls on, incoming calls off.
    f.harness.get_by_label("Polls").click();
    f.harness.get_by_label("Incoming calls").click();
    f.harness.get_by_label("Connect").click();
    f.wait_for("GREEN-API's answer", |h| {
        h.query_by_label_contains(
            "GREEN-API instance 1101000001 now sends notifications to https://t.example/green-api.",
        )
        .is_some()
    });
    let settings = fake.settings();
    assert_eq!(settings["webhookUrl"], "https://t.example/green-api");
    assert_eq!(settings["pollMessageWebhook"], "yes");
    assert_eq!(settings["incomingCallWebhook"], "no");
    assert_eq!(settings["incomingWebhook"], "yes");

    // The current settings are read again after the change, without asking.
    f.wait_for("the new webhook URL among the settings", |h| {
        h.query_all_by_label("https://t.example/green-api").count() == 2
    });
    assert!(f.harness.query_by_label("webhookUrl").is_some());
    assert!(
        f.harness.query_by_label_contains(token).is_none(),
        "the token must stay masked"
    );

    // Disconnecting asks first, naming the instance; Cancel changes nothing.
    f.harness.get_by_label("Disconnect").click();
    f.wait_for("the question", |h| {
        h.query_by_label_contains("Disconnect GREEN-API instance 1101000001?")
            .is_some()
    });
    f.harness.get_by_label("Cancel").click();
    f.harness.run();
    assert_eq!(fake.settings()["webhookUrl"], "https://t.example/green-api");
    f.harness.get_by_label("Disconnect").click();
    f.wait_for("the question", |h| {
        h.query_by_label("Yes, disconnect").is_some()
    });
    f.harness.get_by_label("Yes, disconnect").click();
    f.wait_for("the outcome", |h| {
        h.query_by_label_contains("GREEN-API instance 1101000001 no longer sends notifications")
            .is_some()
    });
    assert_eq!(fake.settings()["webhookUrl"], "");
}

#[test]
fn moysklad_panel_marks_this_tunnel_and_repoints_an_older_one() {
    use common::fakes::moysklad::FakeMoysklad;
    let fake = FakeMoysklad::start("sklad-token");
    fake.add_webhook(
        "customerorder",
        "CREATE",
        "https://new-words.trycloudflare.com/moysklad",
    );
    let old = fake.add_webhook(
        "product",
        "UPDATE",
        "https://old-words.trycloudflare.com/moysklad",
    );
    let mut f = start_with("127.0.0.1:0", &[], Theme::Dark, |c, _| {
        c.moysklad.api_url = fake.api_url();
        c.moysklad.token = hookscope::config::Secret::new("sklad-token");
        c.tunnel.public_url = "https://new-words.trycloudflare.com".into();
    });
    // Registered at both tunnels: the old one can only be deleted (MoySklad refuses twins).
    fake.add_webhook(
        "supply",
        "CREATE",
        "https://old-words.trycloudflare.com/moysklad",
    );
    fake.add_webhook(
        "supply",
        "CREATE",
        "https://new-words.trycloudflare.com/moysklad",
    );
    open_panel(&mut f, "MoySklad");
    // Opening the panel lists the webhooks.
    f.wait_for("the webhook list", |h| {
        h.query_all_by_label("✔ this tunnel").count() == 2
    });
    assert_eq!(f.harness.query_all_by_label("an older tunnel").count(), 2);
    assert!(f
        .harness
        .query_by_label("and also at this tunnel: delete this one")
        .is_some());
    f.harness.get_by_label("Re-point").click();
    f.wait_for("the question", |h| {
        h.query_by_label(
            "Re-point the MoySklad webhook product UPDATE → https://old-words.trycloudflare.com/moysklad to https://new-words.trycloudflare.com/moysklad?",
        )
        .is_some()
    });
    f.harness.get_by_label("Yes, re-point").click();
    f.wait_for("the outcome", |h| {
        h.query_by_label(
            "Re-pointed the MoySklad webhook product UPDATE → https://old-words.trycloudflare.com/moysklad to https://new-words.trycloudflare.com/moysklad.",
        )
        .is_some()
    });
    f.wait_for("the re-pointed webhook", |h| {
        h.query_all_by_label("✔ this tunnel").count() == 3
    });
    let moved = fake
        .webhooks()
        .into_iter()
        .find(|w| w["id"] == old.as_str())
        .unwrap();
    assert_eq!(moved["url"], "https://new-words.trycloudflare.com/moysklad");

    f.harness
        .get_all_by_label("Disable")
        .next()
        .unwrap()
        .click();
    f.wait_for("the question", |h| {
        h.query_by_label("Yes, disable").is_some()
    });
    f.harness.get_by_label("Yes, disable").click();
    f.wait_for("the disabled webhook", |h| {
        h.query_by_label("Enable").is_some()
    });
    assert_eq!(fake.webhooks()[0]["enabled"], false);
    // A disabled webhook says why MoySklad itself may have disabled it, and one click enables
    // it again; under the table, why a change may have brought no delivery.
    assert!(f.harness.query_by_label("✖ disabled").is_some());
    assert!(f
        .harness
        .query_by_label_contains("X-Lognex-WebHook-DisableByPrefix")
        .is_some());
    f.harness.get_by_label("Enable").click();
    f.wait_for("the enabled webhook", |h| {
        h.query_by_label("✖ disabled").is_none()
    });
    assert_eq!(fake.webhooks()[0]["enabled"], true);
}

#[test]
fn reestr_panel_follows_the_confirm_handshake() {
    let mut f = start_with("127.0.0.1:0", &[], Theme::Dark, |c, _| {
        c.tunnel.public_url = "https://t.example".into();
    });
    open_panel(&mut f, "Reestr");
    assert!(f
        .harness
        .query_by_label("Waiting for Reestr's confirm request…")
        .is_some());
    assert_eq!(
        f.harness
            .query_all_by_label("https://t.example/reestr")
            .count(),
        1
    );
    // No confirmation string yet: the confirm fails, loudly.
    f.post("/reestr", common::REESTR_CONFIRM);
    f.wait_for("the warning", |h| {
        h.query_by_label_contains("no confirmation string is set")
            .is_some()
    });
    // The user pastes the string and Reestr confirms again.
    let field = || {
        by().label("Confirmation string")
            .role(egui::accesskit::Role::TextInput)
    };
    f.harness.get(field()).click();
    let _ = f.harness.try_run();
    f.harness.get(field()).type_text("873fd5a562");
    let _ = f.harness.try_run();
    f.harness.get_by_label("Save").click();
    let _ = f.harness.try_run();
    let answered = f.runtime.block_on(async {
        let url = format!("{}/reestr", f.base);
        let response = f
            .client
            .post(url)
            .body(common::REESTR_CONFIRM)
            .send()
            .await
            .unwrap();
        response.text().await.unwrap()
    });
    assert_eq!(answered, "873fd5a562");
    f.wait_for("the confirmation", |h| {
        h.query_by_label_contains("✔ Confirmed at").is_some()
    });
}

const KONTUR_KEY: &str = "2c8b6e9a-6f4c-4b34-9a1e-0d5f3e8a7b11";
const KONTUR_ORG: &str = "7d2f1c3b-1a2b-4c3d-8e9f-0a1b2c3d4e5f";

/// The app on the Rosreestr tab, reading a fake feed of `events` events with `api_key`.
fn rosreestr_tab(
    events: usize,
    api_key: &str,
    remember: impl FnOnce(&mut Remembered),
) -> (common::fakes::kontur::FakeReestro, Fixture) {
    let fake = common::fakes::kontur::FakeReestro::start(KONTUR_KEY, KONTUR_ORG, events);
    let mut f = start_with("127.0.0.1:0", &[], Theme::Dark, |c, r| {
        c.kontur.api_url = fake.api_url();
        c.kontur.api_key = hookscope::config::Secret::new(api_key);
        c.kontur.org_id = KONTUR_ORG.into();
        remember(r);
    });
    open_panel(&mut f, "Rosreestr events (Kontur.Reestro)");
    (fake, f)
}

#[test]
fn rosreestr_panel_pages_forward_and_back_and_remembers_its_cursor() {
    let (fake, mut f) = rosreestr_tab(75, KONTUR_KEY, |_| {});
    f.wait_for("the first page", |h| h.query_by_label("ext-0").is_some());
    assert!(
        f.harness.query_by_label("ext-29").is_some()
            && f.harness.query_by_label("ext-30").is_none()
    );
    f.harness.get_by_label("Next").click();
    f.wait_for("the second page", |h| h.query_by_label("ext-30").is_some());
    assert!(f.harness.query_by_label("ext-0").is_none());
    f.harness.get_by_label("Back").click();
    f.wait_for("the first page again", |h| {
        h.query_by_label("ext-0").is_some()
    });
    f.harness.get_by_label("Next").click();
    f.wait_for("the second page", |h| h.query_by_label("ext-59").is_some());

    // The page's cursor is what the app remembers; a restart opens the same page.
    let saved = f.harness.state().remembered();
    assert_eq!(saved.events_after, Some(fake.event_id(29)));
    // The page says which it is and the cursor it was read after; ids copy with a click.
    assert!(f.harness.query_by_label("Page 2").is_some());
    let cursor = fake.event_id(29);
    assert!(f
        .harness
        .query_by_label(&format!("· cursor: {cursor}"))
        .is_some());
    f.harness.get_by_label("ext-31").click();
    assert_eq!(f.copied_text(), "ext-31");

    // The state filter narrows the page (ext-37 and ext-47 are Rejected, ext-30 is not).
    f.harness
        .get(by().role(Role::TextInput).label("State"))
        .click();
    let _ = f.harness.try_run();
    f.harness
        .get(by().role(Role::TextInput).label("State"))
        .type_text("rejected");
    f.wait_for("the filtered page", |h| {
        h.query_by_label("ext-30").is_none()
    });
    assert!(f.harness.query_by_label("ext-37").is_some());
    assert!(f.harness.query_by_label("ext-47").is_some());
}

#[test]
fn rosreestr_follow_mode_appends_new_events() {
    let (fake, mut f) = rosreestr_tab(5, KONTUR_KEY, |_| {});
    f.wait_for("the whole feed", |h| h.query_by_label("ext-4").is_some());
    fake.push_events(2);
    assert!(f.harness.query_by_label("ext-5").is_none());
    f.harness.get_by_label("Follow").click();
    f.wait_for("the new events below the old ones", |h| {
        h.query_by_label("ext-6").is_some() && h.query_by_label("ext-0").is_some()
    });
}

#[test]
fn rosreestr_page_size_is_remembered() {
    let (_fake, mut f) = rosreestr_tab(5, KONTUR_KEY, |r| r.events_count = 3);
    f.wait_for("a page of three", |h| h.query_by_label("ext-2").is_some());
    assert!(f.harness.query_by_label("ext-3").is_none());
    assert_eq!(f.harness.state().remembered().events_count, 3);
}

#[test]
fn rosreestr_panel_explains_a_key_kontur_refuses() {
    let (_fake, mut f) = rosreestr_tab(5, "an-old-key", |_| {});
    f.wait_for("the refusal", |h| {
        h.query_by_label_contains("the apiKey was not accepted")
            .is_some()
    });
    assert!(f.harness.query_by_label_contains("an-old-key").is_none());
}

#[test]
fn load_object_shows_the_moysklad_entity_beside_the_event() {
    use common::fakes::moysklad::FakeMoysklad;
    let fake = FakeMoysklad::start("sklad-token");
    let path = "/entity/product/8a1b6c3e-1d2f-11ee-0a80-0d5f00000001";
    fake.add_object(path, serde_json::json!({"name": "Кофе в зёрнах, 1 кг"}));
    let mut f = start_with("127.0.0.1:0", &[], Theme::Dark, |c, _| {
        c.moysklad.api_url = fake.api_url();
        c.moysklad.token = hookscope::config::Secret::new("sklad-token");
    });
    let delivery = serde_json::json!({"events": [{
        "meta": {"type": "product", "href": format!("{}{path}", fake.api_url())},
        "action": "UPDATE", "accountId": "a1", "updatedFields": ["name"]
    }]});
    f.post("/moysklad?requestId=r-9", &delivery.to_string());
    f.wait_for("the row", |h| {
        h.query_by_label_contains("product:UPDATE").is_some()
    });
    f.harness.get_by_label_contains("product:UPDATE").click();
    f.wait_for("the button", |h| h.query_by_label("Load object").is_some());
    f.harness.get_by_label("Load object").click();
    f.wait_for("the entity", |h| {
        h.query_by_label_contains("Кофе в зёрнах, 1 кг").is_some()
    });
}

#[test]
fn a_changed_public_url_offers_to_re_register_every_provider() {
    use common::fakes::moysklad::FakeMoysklad;
    let fake = FakeMoysklad::start("sklad-token");
    fake.add_webhook(
        "customerorder",
        "CREATE",
        "https://old-words.trycloudflare.com/moysklad",
    );
    let mut f = start_with("127.0.0.1:0", &[], Theme::Dark, |c, r| {
        c.moysklad.api_url = fake.api_url();
        c.moysklad.token = hookscope::config::Secret::new("sklad-token");
        c.tunnel.public_url = "https://new-words.trycloudflare.com".into();
        r.public_url = "https://old-words.trycloudflare.com".into();
    });
    f.wait_for("the banner", |h| {
        h.query_by_label("Re-register providers").is_some()
    });
    f.harness.get_by_label("Re-register providers").click();
    f.wait_for("the question", |h| {
        h.query_by_label("Yes, move them").is_some()
    });
    f.harness.get_by_label("Yes, move them").click();
    f.wait_for("the outcomes", |h| {
        h.query_by_label_contains("moysklad: 1 webhook now points")
            .is_some()
    });
    assert!(f
        .harness
        .query_by_label_contains("reestr: Reestr has no API for this")
        .is_some());
    assert_eq!(
        fake.webhooks()[0]["url"],
        "https://new-words.trycloudflare.com/moysklad"
    );
    // Everything moved: the warning gives way to a confirmation, with nothing left to press.
    assert!(f
        .harness
        .query_by_label(
            "✔ Moved to https://new-words.trycloudflare.com; what each provider said is below."
        )
        .is_some());
    assert!(f.harness.query_by_label("Re-register providers").is_none());
}

#[test]
fn a_damaged_store_is_offered_to_be_set_aside() {
    let mut f = launch(
        "127.0.0.1:0",
        &[("/reestr", REESTR_DONE)],
        Theme::Dark,
        |_, _| {},
        |paths| std::fs::write(paths.store_file(), vec![0xab; 64 * 1024]).unwrap(),
    );
    set_aside_when_offered(&mut f);
}

/// A store too big to check before the listener starts is checked while in use: damage found
/// stops the listener, and the app offers to set the store aside as it does at start.
#[test]
fn a_big_store_found_damaged_in_use_is_offered_to_be_set_aside() {
    let big = "b".repeat(1 << 20);
    let seed: Vec<(&str, &str)> = (0..20).map(|_| ("/big", big.as_str())).collect();
    let mut f = launch(
        "127.0.0.1:0",
        &seed,
        Theme::Dark,
        |_, _| {},
        |paths| {
            // Garbage over a page in the middle, as a failing disk would leave it.
            let mut bytes = std::fs::read(paths.store_file()).unwrap();
            let page = bytes.len() / 4096 / 2;
            bytes[page * 4096..(page + 1) * 4096].fill(0xab);
            std::fs::write(paths.store_file(), bytes).unwrap();
        },
    );
    set_aside_when_offered(&mut f);
}

fn set_aside_when_offered(f: &mut Fixture) {
    f.wait_for("the refusal", |h| {
        h.query_all_by_label_contains("is damaged").next().is_some()
    });
    f.harness
        .get_by_label("Set the damaged store aside and start a fresh one")
        .click();
    f.wait_for("a fresh store", |h| {
        h.query_by_label_contains("Listening on http://127.0.0.1:")
            .is_some()
            && h.query_by_label_contains("a fresh one has started")
                .is_some()
    });
    assert!(f.harness.query_by_label_contains("is damaged").is_none());
    let data = f.dir.path().join("data");
    let aside = std::fs::read_dir(&data)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains(".damaged-")
        })
        .count();
    assert!(aside >= 1, "nothing was set aside in {}", data.display());
}

impl Fixture {
    /// Replaces the text of the input labelled `label`.
    fn fill(&mut self, label: &str, text: &str) {
        let field = || {
            by().label(label).predicate(|n| {
                matches!(
                    n.role(),
                    Role::TextInput | Role::MultilineTextInput | Role::PasswordInput
                )
            })
        };
        self.harness.get(field()).focus();
        self.harness
            .key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
        self.harness.get(field()).type_text(text);
        let _ = self.harness.try_run();
    }
}

/// Export and import through the app's own window: no desktop portal or zenity needed.
#[test]
fn export_and_import_need_no_system_file_chooser() {
    let mut f = start("127.0.0.1:0", &[], Theme::Dark);
    f.post("/green-api", GREEN_TEXT);
    f.post("/reestr", REESTR_DONE);
    f.wait_for("rows", |h| h.query_by_label_contains("2 total").is_some());
    f.type_filter("provider:reestr");
    f.wait_for("the filter", |h| {
        h.query_by_label_contains("from 79161234567").is_none()
    });
    f.harness.get_by_label("Export…").click();
    f.wait_for("the export window", |h| {
        h.query_by_label("Exports the 1 capture shown by the filter.")
            .is_some()
    });
    let file = f.dir.path().join("shown.ndjson");
    f.fill("File", file.to_str().unwrap());
    f.harness.get_by_label("Export").click();
    f.wait_for("the outcome", |h| {
        h.query_by_label_contains("Exported 1 capture to").is_some()
    });
    let written = std::fs::read_to_string(&file).unwrap();
    assert_eq!(written.lines().count(), 1, "{written}");
    assert!(written.contains("5521"), "{written}");

    f.harness.get_by_label("Import…").click();
    f.wait_for("the import window", |h| {
        h.query_by_label("Import captures").is_some()
    });
    f.fill("File", file.to_str().unwrap());
    f.harness.get_by_label("Import").click();
    f.wait_for("the import", |h| {
        h.query_by_label_contains("Imported 1 capture from")
            .is_some()
    });
    f.wait_for("the imported row", |h| {
        h.query_by_label_contains("of 3 shown").is_some()
    });

    // A file that is not there is said in words in the window, which stays open with the
    // path to correct; the window opens at the file imported last.
    f.harness.get_by_label("Import…").click();
    f.wait_for("the import window", |h| {
        h.query_by_label("Import captures").is_some()
    });
    let last = f.harness.get_by_label("File").value().unwrap_or_default();
    assert!(last.ends_with("shown.ndjson"), "{last}");
    f.fill("File", "/nonexistent/captures.har");
    f.harness.get_by_label("Import").click();
    f.wait_for("the refusal", |h| {
        h.query_by_label_contains("Could not read /nonexistent/captures.har")
            .is_some()
    });
    assert!(f.harness.query_by_label("Import captures").is_some());
}

/// JSON search in any case and script, saying when nothing matches; a note saved with Enter,
/// found by `note:`.
#[test]
fn json_search_folds_cyrillic_case_and_notes_are_filterable() {
    let mut f = start("127.0.0.1:0", &[], Theme::Dark);
    f.post("/green-api", CYRILLIC);
    f.post("/reestr", REESTR_DONE);
    f.wait_for("rows", |h| h.query_by_label_contains("2 total").is_some());
    f.harness
        .get_by_label_contains("Здравствуйте! Заказ №1542")
        .click();
    f.wait_for("the detail pane", |h| h.query_by_label("Sender").is_some());
    f.harness.get_by_label("Body").click();
    f.harness.run();
    f.fill("Search in JSON", "ЗДРАВСТВУЙТЕ");
    f.wait_for("the match", |h| {
        h.query_by_label_contains("1 matching keys or values")
            .is_some()
    });
    f.fill("Search in JSON", "нет такого");
    f.wait_for("the miss", |h| {
        h.query_by_label("Nothing in this body matches \"нет такого\".")
            .is_some()
    });

    f.harness.get_by_label("Note…").click();
    f.harness.run();
    f.fill("Note", "Проверить доставку");
    f.harness.key_press(egui::Key::Enter);
    // Saved: the field closes and the row carries the note flag.
    f.wait_for("the note", |h| h.query_by_label("✏").is_some());
    assert!(f
        .harness
        .query(by().role(Role::TextInput).label("Note"))
        .is_none());
    // The filter may be asked before the note is committed; the commit asks it again.
    f.type_filter("note:ДОСТАВКУ");
    f.wait_for("the filter", |h| {
        h.query_by_label_contains("service 5521").is_none()
            && h.query_by_label_contains("Здравствуйте! Заказ №1542")
                .is_some()
    });
}

/// A Reestr confirm that could not succeed is flagged in the table and the top bar.
#[test]
fn an_unconfirmed_reestr_confirm_is_flagged() {
    let mut f = start("127.0.0.1:0", &[], Theme::Dark);
    f.post(
        "/reestr",
        r#"{"type":"confirm","object":"token","object_id":"3-567"}"#,
    );
    f.wait_for("the row", |h| {
        h.query_by_label_contains("1 total").is_some()
    });
    f.wait_for("the flag", |h| h.query_by_label("⚠").is_some());
    f.wait_for("the top bar", |h| {
        h.query_by_label_contains("Reestr confirm failed").is_some()
    });
}

/// Why a capture was refused or answered short is said in the app's language.
#[test]
fn reasons_are_said_in_russian() {
    let mut f = start_with("127.0.0.1:0", &[], Theme::Dark, |c, _| {
        c.window.language = Some(Language::Russian)
    });
    f.post(
        "/reestr",
        r#"{"type":"confirm","object":"token","object_id":"3-567"}"#,
    );
    f.post("/green-api", "{\"typeWebhook\": ");
    f.wait_for("the rows", |h| {
        h.query_by_label_contains("всего 2").is_some()
    });
    f.harness.get_by_label_contains("3-567").click();
    f.wait_for("the reason", |h| {
        h.query_by_label_contains("строка подтверждения не задана")
            .is_some()
    });
    f.harness.get_by_label_contains("malformed JSON").click();
    f.wait_for("the other reason", |h| {
        h.query_by_label_contains("тело — не корректный JSON")
            .is_some()
    });
}

/// The time column follows the local clock, or UTC after a click on its header.
#[test]
fn the_time_column_switches_between_local_time_and_utc() {
    let mut f = start("127.0.0.1:0", &[("/reestr", REESTR_DONE)], Theme::Dark);
    f.wait_for("the row", |h| {
        h.query_by_label_contains("1 total").is_some()
    });
    // Seeded on 2026-11-20, which is not today: the date shows.
    assert!(f.harness.query_by_label_contains("11-20 ").is_some());
    f.harness.get_by_label("Time, local").click();
    f.wait_for("UTC", |h| h.query_by_label("Time, UTC").is_some());
}

/// Without a tunnel the top bar says so, and Detect says what it asked and what answered.
#[test]
fn tunnel_detection_says_what_it_tried() {
    let mut f = start("127.0.0.1:0", &[], Theme::Dark);
    f.wait_for("the warning", |h| {
        h.query_by_label("⚠ no tunnel found").is_some()
    });
    f.harness.get_by_label("Detect").click();
    f.wait_for("the outcome", |h| {
        h.query_by_label_contains("No tunnel was found for port")
            .is_some()
    });
    for said in [
        "the ngrok agent at http://127.0.0.1:9 is not running",
        "no cloudflared quick tunnel answers at 127.0.0.1:9",
    ] {
        assert!(f.harness.query_by_label_contains(said).is_some(), "{said}");
    }
}

/// Every provider can be tried without a terminal: Send sample posts to the app's listener.
#[test]
fn send_sample_menu_posts_to_the_listener() {
    let mut f = start("127.0.0.1:0", &[], Theme::Dark);
    f.harness.get_by_label("Send sample").click();
    f.harness.run();
    f.harness.get_by_label_contains("GREEN-API").hover();
    f.harness.run();
    f.harness
        .get_by_label_contains("green-api-edited-message")
        .click();
    f.wait_for("the capture", |h| {
        h.query_by_label_contains("1 total").is_some()
    });
    assert!(f
        .harness
        .query_by_label_contains("Sent green-api-edited-message: answered 200, capture #1.")
        .is_some());
    assert!(f
        .harness
        .query_by_label_contains("now \"Заказ №1543, не 1542\"")
        .is_some());
}

/// The Providers window inside a small window, in Russian: every button reachable.
#[test]
fn providers_window_small_russian() {
    use common::fakes::green_api::FakeGreenApi;
    let token = "d75b3a66374942c5b3c019c698abc2067e151558acbd412345";
    let fake = FakeGreenApi::start("1101000001", token);
    let mut f = start_with("127.0.0.1:48792", &[], Theme::Dark, |c, _| {
        c.green_api.api_url = fake.api_url();
        c.green_api.id_instance = "1101000001".into();
        c.green_api.api_token_instance = hookscope::config::Secret::new(token);
        c.tunnel.public_url = "https://t.example".into();
        c.window.language = Some(Language::Russian);
    });
    f.harness.set_size(egui::Vec2::new(800.0, 600.0));
    let _ = f.harness.try_run();
    f.harness.get_by_label("Провайдеры").click();
    f.wait_for("the current settings", |h| {
        h.query_by_label("Текущие настройки").is_some()
    });
    for button in [
        "Загрузить настройки",
        "Подключить",
        "Отключить",
        "Сохранить",
    ] {
        let rect = f.harness.get_by_label(button).rect();
        assert!(
            rect.max.x <= 800.0 && rect.max.y <= 600.0,
            "{button} at {rect:?}"
        );
    }
}

/// A rule forwarding to a target that is down: the row, the top bar and the Forward tab say
/// so, and Retry now delivers once the target is up.
#[test]
fn the_forward_tab_shows_attempts_and_retry_now_delivers() {
    let targets = tokio::runtime::Runtime::new().unwrap();
    let mut target = common::target::Target::down();
    let hooks = target.url("/hooks");
    let rule = hookscope::config::ForwardRule {
        target: hooks.clone(),
        ..Default::default()
    };
    let mut f = start_with("127.0.0.1:0", &[], Theme::Dark, |c, _| c.forward.push(rule));
    f.post("/green-api", GREEN_TEXT);
    f.wait_for("the row waiting", |h| h.query_by_label("waiting").is_some());
    f.wait_for("the target down in the top bar", |h| {
        h.query_by_label(&format!("✖ {hooks}")).is_some()
    });
    f.harness
        .get_by_label_contains("Hello, is the order ready?")
        .click();
    f.wait_for("the detail", |h| h.query_by_label("Forward").is_some());
    f.harness.get_by_label("Forward").click();
    f.wait_for("the failed attempts", |h| {
        h.query_all_by_label_contains("could not connect")
            .next()
            .is_some()
    });
    targets.block_on(target.start());
    f.harness.get_by_label("Retry now").click();
    f.wait_for("the delivery", |h| {
        h.query_by_label_contains("200 · ").is_some()
            && h.query_all_by_label("delivered").next().is_some()
    });
    assert_eq!(target.seen().len(), 1);
}

/// Edit and replay: the body is checked as it is typed, and what is sent is the edit.
#[test]
fn edit_and_replay_checks_json_and_sends_the_edit() {
    let targets = tokio::runtime::Runtime::new().unwrap();
    let target = targets.block_on(common::target::Target::up());
    let mut f = start("127.0.0.1:0", &[], Theme::Dark);
    f.post("/green-api", GREEN_TEXT);
    f.harness.run();
    f.wait_for("the row", |h| {
        h.query_by_label_contains("1 total").is_some()
    });
    f.harness
        .get_by_label_contains("Hello, is the order ready?")
        .click();
    f.wait_for("the detail", |h| h.query_by_label("Forward").is_some());
    f.harness.get_by_label("Forward").click();
    f.wait_for("the tab", |h| {
        h.query_by_label("No forward rule matched this capture.")
            .is_some()
    });
    f.fill("Replay to", &target.url("/hooks"));
    f.harness.get_by_label("Edit and replay…").click();
    f.wait_for("the editor", |h| h.query_by_label("✔ valid JSON").is_some());
    f.fill("Request body", "{\"edited\": ");
    f.wait_for("the JSON mistake", |h| {
        h.query_by_label_contains("✖ not valid JSON").is_some()
    });
    f.fill("Request body", "{\"edited\": true}");
    f.wait_for("valid again", |h| {
        h.query_by_label("✔ valid JSON").is_some()
    });
    f.harness.get_by_label("Send").click();
    let _ = f.harness.try_run();
    let seen = targets.block_on(target.wait_for(1, Duration::from_secs(10)));
    assert_eq!(seen[0].body, &b"{\"edited\": true}"[..]);
    assert_eq!(seen[0].header("x-hookscope-replay-of"), "1");
    f.wait_for("the outcome", |h| {
        h.query_by_label_contains("Replayed #1 (edited) to")
            .is_some()
    });
    // The Forward tab marks it as an edited replay, not as the original sent again.
    f.wait_for("the replay in the tab", |h| {
        h.query_by_label("edited replay").is_some()
    });
    assert!(f.harness.query_by_label("replay").is_none());
}

/// Forward rules are added and checked in the app, and switched off with one click.
#[test]
fn forward_rules_are_edited_in_the_app() {
    let mut f = start("127.0.0.1:0", &[], Theme::Dark);
    let config_file = f.dir.path().join("config.toml");
    f.harness.get_by_label("📤 Forwarding").click();
    let _ = f.harness.try_run();
    f.harness.get_by_label("Add a rule").click();
    let _ = f.harness.try_run();
    f.fill("Target URL", "localhost:3000");
    f.wait_for("the mistake", |h| {
        h.query_by_label_contains("is not an http(s) URL").is_some()
    });
    f.fill("Target URL", "http://127.0.0.1:3000/hooks");
    f.fill("Filter (empty: every capture)", "provider:moysklad");
    let _ = f.harness.try_run();
    f.harness.get_by_label("Apply").click();
    let _ = f.harness.try_run();
    let saved = Config::load_or_create(&config_file).unwrap();
    assert_eq!(saved.forward.len(), 1);
    assert_eq!(saved.forward[0].target, "http://127.0.0.1:3000/hooks");
    assert_eq!(saved.forward[0].filter, "provider:moysklad");
    assert!(saved.forward[0].enabled);

    f.harness.get_by_label("📤 Forwarding").click();
    let _ = f.harness.try_run();
    f.harness.get_by_label("On").click();
    let _ = f.harness.try_run();
    assert!(!Config::load_or_create(&config_file).unwrap().forward[0].enabled);
}

/// A fault set up in the Responses window shows in the top bar while it is on, warns what it
/// breaks, and its failures show in the capture's timeline.
#[test]
fn a_fault_is_visible_while_on_and_its_failures_show_in_the_timeline() {
    let mut f = start("127.0.0.1:0", &[], Theme::Dark);
    f.harness.get_by_label("⚡ Responses").click();
    let _ = f.harness.try_run();
    f.harness.get_by_label("Add a rule").click();
    let _ = f.harness.try_run();
    f.fill("Filter (empty: every capture)", "provider:green-api");
    f.harness.get_by_label("Fail").click();
    let _ = f.harness.try_run();
    f.wait_for("the warning", |h| {
        h.query_by_label_contains("GREEN-API resends it every 60 s")
            .is_some()
    });
    f.harness.get_by_label("Apply").click();
    f.wait_for("the fault in the top bar", |h| {
        h.query_by_label("⚡ rule 1: fail").is_some()
    });
    assert_eq!(
        f.post("/green-api", GREEN_TEXT),
        reqwest::StatusCode::INTERNAL_SERVER_ERROR
    );
    // Switched off with one click: the resend is taken.
    f.harness.get_by_label("⚡ rule 1: fail").click();
    let _ = f.harness.try_run();
    f.harness.get_by_label("On").click();
    f.wait_for("the fault gone from the top bar", |h| {
        h.query_by_label("⚡ rule 1: fail").is_none()
    });
    assert_eq!(f.post("/green-api", GREEN_TEXT), reqwest::StatusCode::OK);
    f.wait_for("both rows", |h| {
        h.query_by_label_contains("2 total").is_some()
    });
    f.harness.key_press(egui::Key::ArrowUp);
    f.wait_for("the detail", |h| h.query_by_label("Timeline").is_some());
    f.harness.get_by_label("Timeline").click();
    f.wait_for("the timeline", |h| {
        h.query_by_label("#1").is_some() && h.query_all_by_label("500").count() == 2
    });
}

/// Replay shown: what the table shows goes again, oldest first, with its original gaps.
#[test]
fn replay_shown_keeps_the_order_and_the_gaps() {
    let targets = tokio::runtime::Runtime::new().unwrap();
    let target = targets.block_on(common::target::Target::up());
    let mut f = start("127.0.0.1:0", &[], Theme::Dark);
    for n in 0..3 {
        f.post(&format!("/order-{n}"), "{}");
        std::thread::sleep(Duration::from_millis(250));
    }
    f.wait_for("the rows", |h| {
        h.query_by_label_contains("3 total").is_some()
    });
    f.harness.get_by_label("Replay shown…").click();
    let _ = f.harness.try_run();
    f.wait_for("the window", |h| {
        h.query_by_label("3 captures, oldest first.").is_some()
    });
    f.fill("Replay to", &target.url("/hooks"));
    f.harness.get_by_label("Send").click();
    let _ = f.harness.try_run();
    let seen = targets.block_on(target.wait_for(3, Duration::from_secs(10)));
    let uris: Vec<&str> = seen.iter().map(|s| s.uri.as_str()).collect();
    assert_eq!(uris, ["/hooks/order-0", "/hooks/order-1", "/hooks/order-2"]);
    let spread = seen[2].at - seen[0].at;
    assert!(
        spread >= Duration::from_millis(400),
        "the original 500 ms were not kept: {spread:?}"
    );
    f.wait_for("the outcome", |h| {
        h.query_by_label_contains("Replayed 3 captures to")
            .is_some()
            && h.query_by_label_contains("3 answered 2xx").is_some()
    });
}

/// A store bigger than the first page opens at its newest captures and reads the older ones
/// behind them; a filter remembered from the last session covers those too.
#[test]
fn a_big_store_opens_at_its_newest_page_and_reads_the_rest_behind() {
    // Three stand out: two in the oldest page, one in the newest (the newest 1 000).
    let bodies: Vec<(String, String)> = (0..2_500)
        .map(|n| {
            let kind = if [0, 1, 2_400].contains(&n) {
                "special"
            } else {
                "orders"
            };
            (format!("/{kind}/{n}"), format!("{{\"order\":{n}}}"))
        })
        .collect();
    let seed: Vec<(&str, &str)> = bodies
        .iter()
        .map(|(path, body)| (path.as_str(), body.as_str()))
        .collect();
    let mut f = start_with("127.0.0.1:0", &seed, Theme::Dark, |_, remembered| {
        remembered.filter = "path:/special".into();
    });
    // The total counts what is still to be read, from the first page on.
    assert!(f.harness.query_by_label_contains("of 2500 shown").is_some());
    f.wait_for("the older pages", |h| {
        h.query_by_label_contains("reading older").is_none()
            && h.query_by_label("/special/0").is_some()
    });
    for path in ["/special/1", "/special/2400"] {
        assert!(f.harness.query_by_label(path).is_some(), "{path}");
    }
    assert!(f.harness.query_by_label_contains("/orders/").is_none());
    assert!(f.harness.query_by_label_contains("of 2500 shown").is_some());
}

/// A commit that fails is said in a sentence with what to do, and the webhook gets 503; once
/// the store can be written again, webhooks are saved as before and the sentence goes. Here another connection holds
/// the store's write lock past the writer's 5-s wait, as nothing but a full disk would in use.
#[test]
fn a_webhook_that_cannot_be_saved_is_said_and_answered_503() {
    let mut f = start("127.0.0.1:0", &[], Theme::Dark);
    let store = f.dir.path().join("data").join("captures.sqlite3");
    let holder = rusqlite::Connection::open(&store).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE").unwrap();
    assert_eq!(f.post("/green-api", GREEN_TEXT), 503);
    f.wait_for("the sentence", |h| h.query_by_label(NOT_SAVED).is_some());
    holder.execute_batch("ROLLBACK").unwrap();
    assert_eq!(f.post("/green-api", GREEN_TEXT), 200);
    f.wait_for("the row", |h| {
        h.query_by_label_contains("1 total").is_some()
    });
    f.wait_for("the sentence to go", |h| {
        h.query_by_label(NOT_SAVED).is_none()
    });
}

const NOT_SAVED: &str = "⚠ A webhook could not be saved (database is locked), so it was answered \
    503 and its provider will send it again. Another program holds the store's write lock (an \
    sqlite3 shell or a backup tool, say); close it and saving resumes by itself.";

/// Settings says where the API for scripts and assistants listens; its token and the settings
/// an MCP client needs are one click away.
#[test]
fn settings_show_the_api_and_copy_its_token_and_mcp_settings() {
    let mut f = start("127.0.0.1:0", &[], Theme::Dark);
    f.harness.get_by_label("Settings").click();
    f.wait_for("the API's address", |h| {
        h.query_by_label_contains("/api/v1").is_some()
    });
    f.harness.get_by_label("Copy token").click();
    let token = f.copied_text();
    let file = f.dir.path().join("data").join("api-token");
    assert_eq!(token, std::fs::read_to_string(file).unwrap().trim());
    f.harness.get_by_label("Copy MCP settings").click();
    let snippet: serde_json::Value = serde_json::from_str(&f.copied_text()).unwrap();
    let server = &snippet["mcpServers"]["hookscope"];
    assert_eq!(server["args"][0], "mcp");
    let data_dir = f.dir.path().join("data").display().to_string();
    assert!(server["args"].to_string().contains(&data_dir), "{server}");
}

/// Theme and language live in the settings file, beside everything else the user chose.
#[test]
fn settings_keep_language_and_theme_in_the_settings_file() {
    let mut f = start("127.0.0.1:0", &[], Theme::Dark);
    f.harness.get_by_label("Settings").click();
    f.wait_for("the Settings window", |h| {
        h.query_by_label("Русский").is_some()
    });
    f.harness.get_by_label("Русский").click();
    f.harness.get_by_label("Light").click();
    f.harness.get_by_label("Apply").click();
    f.wait_for("Russian labels", |h| {
        h.query_by_label("Настройки").is_some()
    });
    let saved = Config::load_or_create(&f.dir.path().join("config.toml")).unwrap();
    assert_eq!(saved.window.language, Some(Language::Russian));
    assert_eq!(saved.window.theme, Theme::Light);
    let text = std::fs::read_to_string(f.dir.path().join("config.toml")).unwrap();
    assert!(text.contains("[window]"), "{text}");
}

/// Settings says where the tokens are kept, and moves them: to the system keyring where one
/// answers (here, or not: both are said), and back to the file, with nothing lost.
#[test]
fn settings_say_where_tokens_are_kept_and_move_them() {
    const TOKEN: &str = "sklad-token-4f1e";
    let mut f = start_with("127.0.0.1:0", &[], Theme::Dark, |config, _| {
        config.moysklad.token = hookscope::config::Secret::new(TOKEN);
    });
    let file = f.dir.path().join("config.toml");
    f.harness.get_by_label("Settings").click();
    f.wait_for("where the tokens are", |h| {
        h.query_by_label("Kept in the settings file, readable by you only.")
            .is_some()
    });
    f.harness.get_by_label("System keyring").click();
    f.harness.get_by_label("Apply").click();
    f.wait_for("where the tokens went", |h| {
        h.query_by_label_contains("Kept in the system keyring")
            .is_some()
            || h.query_by_label_contains("No keyring answered (").is_some()
    });
    let in_keyring = f
        .harness
        .query_by_label_contains("Kept in the system keyring")
        .is_some();
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("keep_in = \"keyring\""), "{text}");
    assert_eq!(text.contains(TOKEN), !in_keyring, "{text}");

    f.harness.get_by_label("Settings").click();
    f.wait_for("the Settings window", |h| {
        h.query_by_label("Settings file").is_some()
    });
    f.harness.get_by_label("Settings file").click();
    f.harness.get_by_label("Apply").click();
    f.wait_for("the tokens back in the file", |h| {
        h.query_by_label("Kept in the settings file, readable by you only.")
            .is_some()
    });
    let saved = Config::load_or_create(&file).unwrap();
    assert_eq!(saved.moysklad.token.expose(), TOKEN);
    assert!(std::fs::read_to_string(&file).unwrap().contains(TOKEN));
}

/// Connect to a team host: the host's captures appear here marked 🌐, the top bar says the
/// window is attached and connected, a wrong address is refused in the window, and the host
/// and token are remembered, so the next start attaches again; Disconnect stops mirroring.
#[test]
fn the_app_attaches_to_a_team_host_and_mirrors_its_captures() {
    let mut f = start("127.0.0.1:0", &[], Theme::Dark);
    let host_dir = tempfile::tempdir().unwrap();
    let mut host_config = Config::default();
    host_config.listener.listen = "127.0.0.1:0".parse().unwrap();
    host_config.api.listen = "127.0.0.1:0".parse().unwrap();
    // A fault of the host's: the attached window shows it is on.
    host_config.respond = vec![hookscope::config::ResponseRule {
        action: hookscope::capture::ResponseAction::HangUp,
        path: "/moysklad*".into(),
        ..Default::default()
    }];
    let host = f
        .runtime
        .block_on(Engine::start(
            host_config,
            &host_dir.path().join("captures.sqlite3"),
        ))
        .unwrap();
    let hookscope::engine::ApiState::Listening(api) = host.api().clone() else {
        panic!("the host's API is off: {:?}", host.api());
    };
    let token = std::fs::read_to_string(host_dir.path().join("api-token")).unwrap();
    let host_url = format!("http://{api}");
    let post_to_host = |f: &Fixture, body: &str| {
        let request = f
            .client
            .post(format!("http://{}/green-api/team", host.local_addr()))
            .body(body.to_string());
        f.runtime
            .block_on(async { request.send().await.unwrap().status() })
    };
    assert!(post_to_host(&f, r#"{"typeWebhook":"before"}"#).is_success());

    f.harness.get_by_label("🌐 Connect to a team host…").click();
    f.wait_for("the team host window", |h| {
        h.query_by_label("Host's API").is_some()
    });
    f.fill("Host's API", "api.team.example");
    f.fill("Token", token.trim());
    f.harness.get_by_label("Connect").click();
    f.wait_for("the refusal", |h| {
        h.query_by_label_contains("with http:// or https://")
            .is_some()
    });
    f.fill("Host's API", &host_url);
    f.harness.get_by_label("Connect").click();
    f.wait_for("the captures the host had", |h| {
        h.query_all_by_label("before").next().is_some()
    });
    assert!(post_to_host(&f, r#"{"typeWebhook":"while attached"}"#).is_success());
    f.wait_for("a capture that arrived at the host later", |h| {
        h.query_all_by_label("while attached").next().is_some()
    });
    f.wait_for("the top bar's state", |h| {
        h.query_by_label_contains(&format!("attached to {host_url} ✔ connected"))
            .is_some()
    });
    assert!(f
        .harness
        .query_by_label_contains("⚡ host's rule 1: hang up")
        .is_some());
    let mirrored: Vec<Option<i64>> = f.stored().iter().map(|c| c.host_id).collect();
    assert_eq!(mirrored, [Some(1), Some(2)], "the host's ids kept");
    assert_eq!(f.harness.query_all_by_label("🌐").count(), 2);
    let saved = Config::load_or_create(&f.dir.path().join("config.toml")).unwrap();
    assert_eq!(saved.team.host, host_url);
    assert_eq!(saved.team.token.expose(), token.trim());
    assert!(saved.team.attached);
    assert!(
        f.harness.query_by_label_contains(token.trim()).is_none(),
        "the token must stay masked"
    );

    // The provider panels act on the host's accounts, and this host has no GREEN-API one.
    f.harness.get_by_label("Providers").click();
    f.wait_for("the panels, lent by the host", |h| {
        h.query_by_label_contains("these panels act on the host")
            .is_some()
    });
    f.wait_for("the host's answer", |h| {
        h.query_by_label_contains("The host has no GREEN-API account set up")
            .is_some()
    });
    f.harness.get_by_label("Close window").click();

    f.harness.get_by_label_contains("attached to").click();
    f.wait_for("the team host window", |h| {
        h.query_by_label("Disconnect").is_some()
    });
    f.harness.get_by_label("Disconnect").click();
    f.wait_for("the button that connects again", |h| {
        h.query_by_label("🌐 Connect to a team host…").is_some()
    });
    assert!(post_to_host(&f, r#"{"typeWebhook":"after"}"#).is_success());
    std::thread::sleep(Duration::from_millis(500));
    let _ = f.harness.try_run();
    assert_eq!(f.stored().len(), 2, "nothing is mirrored once disconnected");
    let saved = Config::load_or_create(&f.dir.path().join("config.toml")).unwrap();
    assert!(!saved.team.attached);

    // An app that was attached when it closed attaches again at start.
    let mut again = start_with("127.0.0.1:0", &[], Theme::Dark, |c, _| {
        c.team.host = host_url.clone();
        c.team.token = hookscope::config::Secret::new(token.trim());
        c.team.attached = true;
    });
    again.wait_for("the host's captures, attached at start", |h| {
        h.query_all_by_label("after").next().is_some()
    });
    assert_eq!(again.stored().len(), 3);
    f.runtime.block_on(host.stop());
}

/// Start tunnel runs the program found on PATH (a stand-in that prints what cloudflared
/// prints), its URL becomes the public URL at once, and Stop tunnel stops the program.
#[test]
fn start_tunnel_runs_cloudflared_and_stop_tunnel_stops_it() {
    let programs = tempfile::tempdir().unwrap();
    let bin = common::stand_in_cloudflared(programs.path());
    // Put first on this test process's PATH, which the app's runtime shares; the other tests
    // find their programs behind it as before.
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![bin];
    paths.extend(std::env::split_paths(&path));
    std::env::set_var("PATH", std::env::join_paths(paths).unwrap());

    let mut f = start("127.0.0.1:0", &[], Theme::Dark);
    f.harness.get_by_label("Start tunnel").click();
    f.wait_for("the programs", |h| {
        h.query_by_label("cloudflared").is_some()
    });
    f.harness.get_by_label("cloudflared").click();
    f.wait_for("the tunnel's URL", |h| {
        h.query_by_label_contains(
            "quick tunnel is up at https://calm-river-words.trycloudflare.com",
        )
        .is_some()
    });
    f.wait_for("the URL as the public URL", |h| {
        h.query_by_label("https://calm-river-words.trycloudflare.com")
            .is_some()
    });
    let pid_file = programs.path().join("cloudflared.pid");
    let pid = std::fs::read_to_string(&pid_file).unwrap();
    // Still running a while after its URL was read, logging all the time.
    std::thread::sleep(Duration::from_millis(500));
    assert!(common::alive(&pid));
    let saved = std::fs::read_to_string(f.dir.path().join("config.toml")).unwrap();
    assert!(
        !saved.contains("trycloudflare"),
        "a started tunnel is not saved: {saved}"
    );

    f.harness.get_by_label("Stop tunnel").click();
    f.wait_for("Start tunnel again", |h| {
        h.query_by_label("Start tunnel").is_some()
    });
    let started = Instant::now();
    while common::alive(&pid) && started.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        !common::alive(&pid),
        "cloudflared still runs after Stop tunnel"
    );
}
