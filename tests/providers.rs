//! The provider clients and their CLI commands against fake servers that keep each provider's
//! documented contract (tests/common/fakes): GREEN-API, MoySklad, Reestr, Kontur.Reestro, and
//! the ngrok and cloudflared agents that tunnel discovery asks.

mod common;

use std::io::Write as _;
use std::process::{Command, Output};

use common::fakes::cloudflared::FakeCloudflared;
use common::fakes::green_api::FakeGreenApi;
use common::fakes::kontur::FakeReestro;
use common::fakes::moysklad::FakeMoysklad;
use common::fakes::ngrok::{FakeNgrok, Tunnel};
use common::fakes::reestr::FakeReestr;
use common::{failed, ok};
use hookscope::api::providers::borrowed;
use hookscope::api::users::Users;
use hookscope::config::{Config, KeepIn, Secret};
use hookscope::engine::{ApiState, Engine};
use hookscope::http::ApiError;
use hookscope::providers::green_api::api::Instance;
use hookscope::providers::green_api::api::Notification;
use hookscope::providers::kontur::Feed;
use hookscope::providers::moysklad::api::{obtain_token, Account};
use hookscope::providers::reestr::api::order as reestr_order;
use hookscope::{repoint, tunnel};
use serde_json::{json, Value};

const GREEN_ID: &str = "1101000001";
const GREEN_TOKEN: &str = "d75b3a66374942c5b3c019c698abc2067e151558acbd412345";
const SKLAD_TOKEN: &str = "sklad-token-4f1e";
const KONTUR_KEY: &str = "2c8b6e9a-6f4c-4b34-9a1e-0d5f3e8a7b11";
const KONTUR_ORG: &str = "7d2f1c3b-1a2b-4c3d-8e9f-0a1b2c3d4e5f";

/// A temp folder with a settings file written by `configure`, for the CLI and the clients.
struct Setup {
    dir: tempfile::TempDir,
    config: Config,
}

fn setup(configure: impl FnOnce(&mut Config)) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::default();
    // Nothing of the user's machine may answer tunnel discovery in these tests.
    config.tunnel.ngrok_api = "http://127.0.0.1:9".into();
    config.tunnel.cloudflared_metrics = "127.0.0.1:9".into();
    // The tokens these tests make stay out of the keyring of the machine running them.
    config.secrets.keep_in = KeepIn::File;
    configure(&mut config);
    config.save(&dir.path().join("config.toml")).unwrap();
    Setup { dir, config }
}

impl Setup {
    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_hookscope"));
        command
            .arg("--config")
            .arg(self.dir.path().join("config.toml"))
            .arg("--data-dir")
            .arg(self.dir.path().join("data"))
            .args(args)
            .env_remove("HOOKSCOPE_CONFIG")
            .env_remove("HOOKSCOPE_DATA_DIR")
            .env_remove("HOOKSCOPE_MOYSKLAD_PASSWORD");
        command
    }

    fn saved(&self) -> Config {
        Config::load_or_create(&self.dir.path().join("config.toml")).unwrap()
    }
}

fn green_setup(fake: &FakeGreenApi) -> Setup {
    setup(|c| {
        c.green_api.api_url = fake.api_url();
        c.green_api.id_instance = GREEN_ID.into();
        c.green_api.api_token_instance = Secret::new(GREEN_TOKEN);
    })
}

#[test]
fn green_api_set_webhook_points_the_instance_here_and_keeps_the_token_for_the_listener() {
    let fake = FakeGreenApi::start(GREEN_ID, GREEN_TOKEN);
    let s = green_setup(&fake);
    let out = ok(&s.run(&[
        "green-api",
        "set-webhook",
        "--url",
        "https://t.example/green-api",
        "--token",
        "hook-secret-1",
    ]));
    assert!(out.contains("within about 5 minutes"), "{out}");
    let settings = fake.settings();
    assert_eq!(settings["webhookUrl"], "https://t.example/green-api");
    assert_eq!(settings["webhookUrlToken"], "hook-secret-1");
    for on in [
        "incomingWebhook",
        "outgoingWebhook",
        "outgoingMessageWebhook",
        "outgoingAPIMessageWebhook",
        "stateWebhook",
        "incomingCallWebhook",
    ] {
        assert_eq!(settings[on], "yes", "{on}");
    }
    assert_eq!(settings["pollMessageWebhook"], "no");
    // The listener will check the same token GREEN-API now sends.
    assert_eq!(
        s.saved().green_api.webhook_url_token.expose(),
        "hook-secret-1"
    );

    let shown = ok(&s.run(&["green-api", "settings"]));
    assert!(shown.contains("https://t.example/green-api"), "{shown}");
    assert!(
        !shown.contains("hook-secret-1"),
        "the token must be masked: {shown}"
    );
    let json: Value =
        serde_json::from_str(&ok(&s.run(&["green-api", "settings", "--json"]))).unwrap();
    assert_eq!(json["webhookUrlToken"], "***");

    ok(&s.run(&["green-api", "disconnect"]));
    assert_eq!(fake.settings()["webhookUrl"], "");
}

/// A MAX instance's API base ends in `/v3` (GREEN-API's docs of 2026); the CLI takes it as
/// written, with or without a trailing slash, and without it says what GREEN-API answered.
#[test]
fn green_api_max_instances_are_reached_under_v3() {
    let fake = FakeGreenApi::start_max(GREEN_ID, GREEN_TOKEN);
    for api_url in [
        format!("{}/v3", fake.api_url()),
        format!("{}/v3/", fake.api_url()),
    ] {
        let s = setup(|c| {
            c.green_api.api_url = api_url.clone();
            c.green_api.id_instance = GREEN_ID.into();
            c.green_api.api_token_instance = Secret::new(GREEN_TOKEN);
        });
        let shown = ok(&s.run(&["green-api", "settings"]));
        assert!(shown.contains("79001234567@c.us"), "{api_url}: {shown}");
    }
    let s = green_setup(&fake);
    let said = failed(&s.run(&["green-api", "settings"]));
    assert!(said.contains("404"), "{said}");
    assert!(said.contains("https://api.green-api.com/v3"), "{said}");
    assert!(!said.contains(GREEN_TOKEN), "{said}");
}

#[test]
fn green_api_errors_say_what_to_do_and_never_print_the_token() {
    let fake = FakeGreenApi::start(GREEN_ID, "the-real-token");
    let s = green_setup(&fake);
    let err = failed(&s.run(&["green-api", "settings"]));
    assert!(
        err.contains("HTTP 401") && err.contains("do not match"),
        "{err}"
    );
    assert!(!err.contains(GREEN_TOKEN), "{err}");

    let err = failed(&s.run(&[
        "green-api",
        "set-webhook",
        "--url",
        "https://x/green-api",
        "--notify",
        "incomingWebhook,smsWebhook",
    ]));
    assert!(
        err.contains("\"smsWebhook\" is not a GREEN-API notification"),
        "{err}"
    );

    let err = failed(&s.run(&["green-api", "set-webhook"]));
    assert!(
        err.contains("No tunnel was found") && err.contains("--url"),
        "{err}"
    );
}

#[tokio::test]
async fn green_api_quota_is_explained() {
    let fake = FakeGreenApi::start(GREEN_ID, GREEN_TOKEN);
    fake.exceed_quota(true);
    let s = green_setup(&fake);
    let err = Instance::new(&s.config.green_api)
        .unwrap()
        .settings()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(466));
    assert!(
        err.to_string().contains("quota is used up: Monthly quota"),
        "{err}"
    );
}

/// `hookscope moysklad webhooks create ARGS…`
fn create_webhook(s: &Setup, args: &[&str]) -> Output {
    s.run(&[&["moysklad", "webhooks", "create"], args].concat())
}

fn sklad_setup(fake: &FakeMoysklad, public: &str) -> Setup {
    setup(|c| {
        c.moysklad.api_url = fake.api_url();
        c.moysklad.token = Secret::new(SKLAD_TOKEN);
        c.tunnel.public_url = public.into();
    })
}

#[test]
fn moysklad_webhooks_from_the_cli() {
    let fake = FakeMoysklad::start(SKLAD_TOKEN);
    let s = sklad_setup(&fake, "https://now.trycloudflare.com");
    ok(&create_webhook(
        &s,
        &["--entity-type", "customerorder", "--action", "CREATE"],
    ));
    ok(&create_webhook(
        &s,
        &[
            "--entity-type",
            "product",
            "--action",
            "UPDATE",
            "--diff-type",
            "FIELDS",
            "--url",
            "https://other.example/hook",
        ],
    ));
    ok(&create_webhook(&s, &["--entity-type", "stock"]));
    ok(&create_webhook(
        &s,
        &[
            "--entity-type",
            "stock",
            "--action",
            "bystore",
            "--url",
            "https://b.example/s",
        ],
    ));
    let webhooks = fake.webhooks();
    assert_eq!(webhooks.len(), 2);
    assert_eq!(webhooks[0]["url"], "https://now.trycloudflare.com/moysklad");
    assert_eq!(webhooks[1]["diffType"], "FIELDS");
    assert_eq!(fake.stock_webhooks()[0]["reportType"], "all");
    assert_eq!(fake.stock_webhooks()[1]["reportType"], "bystore");

    // One left behind at an earlier quick tunnel.
    fake.add_webhook(
        "demand",
        "CREATE",
        "https://then.trycloudflare.com/moysklad",
    );
    let lines: Vec<Value> = ok(&s.run(&["moysklad", "webhooks", "list", "--json"]))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5);
    let table = ok(&s.run(&["moysklad", "webhooks", "list"]));
    assert_eq!(table.matches("(this tunnel)").count(), 2, "{table}");
    assert!(
        table.contains(
            "(an older tunnel: `hookscope tunnel --repoint https://then.trycloudflare.com` moves it here)"
        ),
        "{table}"
    );

    let id = webhooks[1]["id"].as_str().unwrap();
    ok(&s.run(&["moysklad", "webhooks", "disable", id]));
    assert_eq!(fake.webhooks()[1]["enabled"], false);
    ok(&s.run(&["moysklad", "webhooks", "enable", id]));
    assert_eq!(fake.webhooks()[1]["enabled"], true);
    ok(&s.run(&["moysklad", "webhooks", "delete", id]));
    assert_eq!(fake.webhooks().len(), 2);
    let stock_id = fake.stock_webhooks()[0]["id"].as_str().unwrap().to_string();
    ok(&s.run(&["moysklad", "webhooks", "delete", &stock_id]));
    assert_eq!(fake.stock_webhooks().len(), 1);

    // Every request asked for gzip, as MoySklad requires (the fake answers 415 otherwise).
    assert!(fake.requests().iter().all(|r| r
        .headers
        .iter()
        .any(|(n, v)| n == "accept-encoding" && v.contains("gzip"))));
}

#[test]
fn moysklad_refusals_exit_non_zero_with_the_code_and_the_russian_text() {
    let fake = FakeMoysklad::start(SKLAD_TOKEN);
    let s = sklad_setup(&fake, "https://now.trycloudflare.com");
    let demand = ["--entity-type", "demand", "--action", "CREATE"];
    ok(&create_webhook(&s, &demand));
    let err = failed(&create_webhook(&s, &demand));
    assert!(
        err.contains("HTTP 412") && err.contains("30003") && err.contains("уже существует"),
        "{err}"
    );
    let err = failed(&create_webhook(
        &s,
        &["--entity-type", "product", "--action", "PROCESSED"],
    ));
    assert!(err.contains("30008"), "{err}");
    // An error naming a parameter is listed under it, once.
    let err = failed(&create_webhook(
        &s,
        &[
            "--entity-type",
            "product",
            "--action",
            "CREATE",
            "--diff-type",
            "FIELDS",
        ],
    ));
    assert!(
        err.contains("\n  diffType: ") && err.contains("30009"),
        "{err}"
    );
    assert_eq!(err.matches("30009").count(), 1, "{err}");
    let err = failed(&create_webhook(
        &s,
        &["--entity-type", "stock", "--action", "CREATE"],
    ));
    assert!(err.contains("all or bystore"), "{err}");
    let err = failed(&s.run(&[
        "moysklad",
        "webhooks",
        "delete",
        "00000000-0000-0000-0000-000000000000",
    ]));
    assert!(err.contains("HTTP 404") && err.contains("1021"), "{err}");

    let wrong = setup(|c| {
        c.moysklad.api_url = fake.api_url();
        c.moysklad.token = Secret::new("expired");
    });
    let err = failed(&wrong.run(&["moysklad", "webhooks", "list"]));
    assert!(
        err.contains("HTTP 401") && err.contains("check the token"),
        "{err}"
    );
    assert!(!err.contains("expired"), "{err}");
}

#[tokio::test]
async fn moysklad_waits_out_429_as_x_lognex_retry_after_says() {
    let fake = FakeMoysklad::start(SKLAD_TOKEN);
    let s = sklad_setup(&fake, "");
    fake.throttle_next(2, 150);
    let started = std::time::Instant::now();
    let webhooks = Account::new(&s.config.moysklad)
        .unwrap()
        .webhooks()
        .await
        .unwrap();
    assert!(webhooks.is_empty());
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
    // Two refused, then the two lists (entity and stock webhooks).
    assert_eq!(fake.requests().len(), 4);
}

#[test]
fn moysklad_login_saves_a_token_the_next_calls_use() {
    let fake = FakeMoysklad::start(SKLAD_TOKEN).with_login("admin@acme", "пароль-1");
    let s = setup(|c| c.moysklad.api_url = fake.api_url());
    let out = ok(&s
        .command(&["moysklad", "login", "--login", "admin@acme"])
        .env("HOOKSCOPE_MOYSKLAD_PASSWORD", "пароль-1")
        .output()
        .unwrap());
    assert!(out.contains("Logged in"), "{out}");
    let wrong = s
        .command(&["moysklad", "login", "--login", "admin@acme"])
        .env("HOOKSCOPE_MOYSKLAD_PASSWORD", "wrong")
        .output()
        .unwrap();
    let err = failed(&wrong);
    assert!(
        err.contains("admin@acme and this password were not accepted"),
        "{err}"
    );
    assert!(!err.contains("wrong"), "{err}");
    // Without the variable the password is read from standard input.
    let mut piped = s
        .command(&["moysklad", "login", "--login", "admin@acme"])
        .env_remove("HOOKSCOPE_MOYSKLAD_PASSWORD")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = piped.stdin.take().unwrap();
    stdin.write_all("пароль-1\n".as_bytes()).unwrap();
    drop(stdin);
    let out = ok(&piped.wait_with_output().unwrap());
    assert!(out.contains("Logged in"), "{out}");
    assert_eq!(s.saved().moysklad.token.expose(), SKLAD_TOKEN);
    ok(&s.run(&["moysklad", "webhooks", "list"]));
}

#[tokio::test]
async fn moysklad_objects_load_only_from_the_configured_api() {
    let fake = FakeMoysklad::start(SKLAD_TOKEN);
    let s = sklad_setup(&fake, "");
    let path = "/entity/product/8a1b6c3e-1d2f-11ee-0a80-0d5f00000001";
    fake.add_object(path, json!({"name": "Кофе в зёрнах", "code": "00001"}));
    let account = Account::new(&s.config.moysklad).unwrap();
    let product = account
        .load(&format!("{}{path}", fake.api_url()))
        .await
        .unwrap();
    assert_eq!(product["name"], "Кофе в зёрнах");
    let printed = ok(&s.run(&["moysklad", "object", &format!("{}{path}", fake.api_url())]));
    let printed: Value = serde_json::from_str(&printed).unwrap();
    assert_eq!(printed["code"], "00001");

    let seen = fake.requests().len();
    let err = account
        .load("https://evil.example/api/remap/1.2/entity/product/1")
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("sends your token only there"),
        "{err}"
    );
    assert_eq!(
        fake.requests().len(),
        seen,
        "nothing may be sent for a foreign href"
    );
    assert!(obtain_token(&fake.api_url(), "a", "b").await.is_err());
}

#[test]
fn reestr_order_prints_the_order_or_the_refusal() {
    let fake = FakeReestr::start("reestr-token-9");
    fake.add_order(
        "1542",
        json!({"id": 1542, "status": "done", "object": "Выписка ЕГРН об объекте"}),
    );
    let s = setup(|c| {
        c.reestr.api_url = fake.api_url();
        c.reestr.access_token = Secret::new("reestr-token-9");
    });
    let out = ok(&s.run(&["reestr", "order", "1542"]));
    assert!(out.contains("Выписка ЕГРН об объекте"), "{out}");
    assert!(fake.requests().iter().all(|r| r.contains("v=1.0")));
    let err = failed(&s.run(&["reestr", "order", "999"]));
    assert!(
        err.contains("HTTP 404") && err.contains("Заказ 999 не найден"),
        "{err}"
    );

    let wrong = setup(|c| {
        c.reestr.api_url = fake.api_url();
        c.reestr.access_token = Secret::new("old");
    });
    let err = failed(&wrong.run(&["reestr", "order", "1542"]));
    assert!(err.contains("Check the access token"), "{err}");
    assert!(!err.contains("access_token=old"), "{err}");
}

fn kontur_setup(fake: &FakeReestro, key: &str, org: &str) -> Setup {
    setup(|c| {
        c.kontur.api_url = fake.api_url();
        c.kontur.api_key = Secret::new(key);
        c.kontur.org_id = org.into();
    })
}

#[test]
fn rosreestr_events_all_pages_through_the_whole_feed() {
    let fake = FakeReestro::start(KONTUR_KEY, KONTUR_ORG, 250);
    let s = kontur_setup(&fake, KONTUR_KEY, KONTUR_ORG);
    let output = s.run(&["kontur", "events", "--all", "--json"]);
    let lines: Vec<Value> = ok(&output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 250);
    let ids: std::collections::HashSet<_> = lines
        .iter()
        .map(|e| e["eventId"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 250);
    let last = fake.event_id(249);
    assert!(String::from_utf8_lossy(&output.stderr).contains(&format!("cursor: {last}")));

    // Continue from the cursor once more events arrived.
    fake.push_events(3);
    let output = s.run(&["kontur", "events", "--after", &last, "--count", "2"]);
    let table = ok(&output);
    assert_eq!(table.lines().count(), 2, "{table}");
    assert!(String::from_utf8_lossy(&output.stderr).contains(&fake.event_id(251)));
}

#[test]
fn rosreestr_refusals_name_the_field_or_say_what_to_check() {
    let fake = FakeReestro::start(KONTUR_KEY, KONTUR_ORG, 5);
    let s = kontur_setup(&fake, KONTUR_KEY, KONTUR_ORG);
    let err = failed(&s.run(&["rosreestr", "events", "--after", "nope"]));
    assert!(
        err.contains("HTTP 400") && err.contains("afterEventId: afterEventId should be guid"),
        "{err}"
    );
    let err = failed(&s.run(&["rosreestr", "events", "--count", "101"]));
    assert!(err.contains("101"), "{err}");

    let err = failed(
        &kontur_setup(&fake, "5a5a5a5a-0000-4000-8000-000000000000", KONTUR_ORG)
            .run(&["rosreestr", "events"]),
    );
    assert!(
        err.contains("HTTP 401") && err.contains("apiKey was not accepted"),
        "{err}"
    );
    let err = failed(
        &kontur_setup(&fake, KONTUR_KEY, "11111111-2222-4333-8444-555555555555")
            .run(&["rosreestr", "events"]),
    );
    assert!(err.contains("HTTP 403") && err.contains("orgId"), "{err}");
}

#[tokio::test]
async fn an_empty_page_keeps_the_cursor() {
    let fake = FakeReestro::start(KONTUR_KEY, KONTUR_ORG, 3);
    let s = kontur_setup(&fake, KONTUR_KEY, KONTUR_ORG);
    let feed = Feed::new(&s.config.kontur).unwrap();
    let first = feed.page(None, 100).await.unwrap();
    assert_eq!(first.events.len(), 3);
    assert_eq!(first.events[2].docflow_state, "WaitingSignStatements");
    let cursor = first.cursor.clone().unwrap();
    let empty = feed.page(Some(&cursor), 100).await.unwrap();
    assert!(empty.events.is_empty());
    assert_eq!(empty.cursor.as_deref(), Some(cursor.as_str()));
}

fn ngrok_tunnel(public_url: &str, addr: &str) -> Tunnel {
    Tunnel {
        public_url: public_url.into(),
        proto: if public_url.starts_with("https") {
            "https"
        } else {
            "http"
        }
        .into(),
        addr: addr.into(),
    }
}

#[test]
fn tunnel_prints_the_ngrok_tunnel_that_forwards_to_our_port() {
    let ngrok = FakeNgrok::start(vec![
        ngrok_tunnel("https://other.ngrok-free.app", "http://localhost:3000"),
        ngrok_tunnel("http://ours.ngrok-free.app", "http://localhost:8787"),
        ngrok_tunnel("https://ours.ngrok-free.app", "http://localhost:8787"),
    ]);
    let s = setup(|c| c.tunnel.ngrok_api = ngrok.api_url());
    let out = ok(&s.run(&["tunnel"]));
    assert!(out.starts_with("https://ours.ngrok-free.app\n"), "{out}");
    assert!(
        out.contains("ngrok agent") && out.contains("https://ours.ngrok-free.app/moysklad"),
        "{out}"
    );

    let typed = setup(|c| {
        c.tunnel.ngrok_api = ngrok.api_url();
        c.tunnel.public_url = "https://hooks.example.com".into();
    });
    assert!(ok(&typed.run(&["tunnel"])).contains("typed in the settings"));
}

#[tokio::test]
async fn newer_ngrok_agents_and_cloudflared_quick_tunnels_are_found() {
    let ngrok = FakeNgrok::start_endpoints(vec![(
        "https://new.ngrok-free.app".into(),
        "http://localhost:8787".into(),
    )]);
    let mut config = Config::default().tunnel;
    config.ngrok_api = ngrok.api_url();
    config.cloudflared_metrics = "127.0.0.1:9".into();
    let found = tunnel::detect(&config, 8787).await.unwrap();
    assert_eq!(found.url, "https://new.ngrok-free.app");

    let cloudflared = FakeCloudflared::start("plain-words-here.trycloudflare.com");
    config.ngrok_api = "http://127.0.0.1:9".into();
    // The first port of the range is closed: the search goes on to the next.
    config.cloudflared_metrics = format!(
        "127.0.0.1:{}-{}",
        cloudflared.port() - 1,
        cloudflared.port()
    );
    let found = tunnel::detect(&config, 8787).await.unwrap();
    assert_eq!(found.url, "https://plain-words-here.trycloudflare.com");

    let named = FakeCloudflared::start("");
    config.cloudflared_metrics = format!("127.0.0.1:{}", named.port());
    let err = tunnel::detect(&config, 8787).await.unwrap_err().to_string();
    assert!(
        err.contains("named tunnel") && err.contains("not running"),
        "{err}"
    );
}

/// A `hookscope serve` that is stopped when the test ends, however it ends.
struct Serving(std::process::Child);

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn serve_says_when_the_quick_tunnel_changes() {
    let first = FakeCloudflared::start("first-words.trycloudflare.com");
    let port = first.port();
    let s = setup(|c| c.tunnel.cloudflared_metrics = format!("127.0.0.1:{port}"));
    let mut serving = Serving(
        s.command(&["serve", "--listen", "127.0.0.1:0"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let (send, lines) = std::sync::mpsc::channel();
    let stdout = std::io::BufReader::new(serving.0.stdout.take().unwrap());
    std::thread::spawn(move || {
        for line in std::io::BufRead::lines(stdout).map_while(Result::ok) {
            let _ = send.send(line);
        }
    });
    let next_about_the_url = || loop {
        let line = lines
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("serve said nothing more about the public URL");
        if line.contains("public URL") {
            return line;
        }
    };
    assert_eq!(
        next_about_the_url(),
        format!("  public URL https://first-words.trycloudflare.com (from the cloudflared quick tunnel (metrics at 127.0.0.1:{port}))")
    );
    // cloudflared restarts: same metrics port, a new quick tunnel.
    drop(first);
    let _second = FakeCloudflared::start_at("second-words.trycloudflare.com", port);
    assert_eq!(
        next_about_the_url(),
        "public URL changed from https://first-words.trycloudflare.com to https://second-words.trycloudflare.com: `hookscope tunnel --repoint https://first-words.trycloudflare.com` moves the providers over"
    );
}

#[test]
fn repoint_moves_green_api_and_the_moysklad_webhooks_of_the_old_tunnel() {
    let green = FakeGreenApi::start(GREEN_ID, GREEN_TOKEN);
    let sklad = FakeMoysklad::start(SKLAD_TOKEN);
    let old = "https://old-words.trycloudflare.com";
    sklad.add_webhook("customerorder", "CREATE", &format!("{old}/moysklad/k8Jq2"));
    sklad.add_webhook("product", "UPDATE", &format!("{old}/moysklad/k8Jq2"));
    sklad.add_webhook("demand", "CREATE", "https://elsewhere.example/hook");
    // Registered again at the new tunnel already: moving the old one would be refused (30003).
    sklad.add_webhook("supply", "CREATE", &format!("{old}/moysklad"));
    let twin = "https://new-words.trycloudflare.com/moysklad";
    sklad.add_webhook("supply", "CREATE", twin);
    let s = setup(|c| {
        c.green_api.api_url = green.api_url();
        c.green_api.id_instance = GREEN_ID.into();
        c.green_api.api_token_instance = Secret::new(GREEN_TOKEN);
        c.moysklad.api_url = sklad.api_url();
        c.moysklad.token = Secret::new(SKLAD_TOKEN);
        c.tunnel.public_url = "https://new-words.trycloudflare.com".into();
    });
    let set = [
        "green-api",
        "set-webhook",
        "--url",
        &format!("{old}/green-api"),
    ];
    ok(&s.run(&set));
    let out = ok(&s.run(&["tunnel", "--repoint", old]));
    assert!(
        out.contains("2 webhooks now point at https://new-words.trycloudflare.com"),
        "{out}"
    );
    assert!(
        out.contains("deleted 1 old webhook whose kind already had one at https://new-words.trycloudflare.com: supply CREATE."),
        "{out}"
    );
    assert!(
        out.contains("paste https://new-words.trycloudflare.com/reestr"),
        "{out}"
    );
    assert_eq!(
        green.settings()["webhookUrl"],
        "https://new-words.trycloudflare.com/green-api"
    );
    let urls: Vec<String> = sklad
        .webhooks()
        .iter()
        .map(|w| w["url"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        urls,
        [
            "https://new-words.trycloudflare.com/moysklad/k8Jq2",
            "https://new-words.trycloudflare.com/moysklad/k8Jq2",
            "https://elsewhere.example/hook",
            twin
        ]
    );
    // Providers without credentials are left out rather than failing.
    let only_reestr = setup(|c| c.tunnel.public_url = "https://n.example".into());
    let outcomes = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(repoint::repoint(
            &only_reestr.config,
            old,
            "https://n.example",
        ));
    assert_eq!(outcomes.len(), 1);
}

#[test]
fn missing_credentials_are_explained_before_anything_is_sent() {
    let s = setup(|_| {});
    let err = failed(&s.run(&["moysklad", "webhooks", "list"]));
    assert!(err.contains("The MoySklad token is not set"), "{err}");
    let err = failed(&s.run(&["rosreestr", "events"]));
    assert!(err.contains("The Kontur apiKey is not set"), "{err}");
    let err = failed(&s.run(&["reestr", "order", "1"]));
    assert!(err.contains("The Reestr access token is not set"), "{err}");
    // The sentence says which file to fill in.
    let file = s.dir.path().join("config.toml").display().to_string();
    assert!(err.ends_with(&format!("Settings file: {file}\n")), "{err}");
}

/// A team host lends its provider accounts through its API: a user's token reads them (the
/// host's own tokens never leave it), changing them is the owner's, a host without an account
/// says so, and a wrong token is refused with the API's sentence.
#[tokio::test]
async fn a_team_host_lends_its_provider_accounts_to_those_attached() {
    let green = FakeGreenApi::start(GREEN_ID, GREEN_TOKEN);
    let sklad = FakeMoysklad::start(SKLAD_TOKEN);
    sklad.add_webhook("customerorder", "CREATE", "https://host.example/moysklad");
    let product = "/entity/product/8a1b6c3e-1d2f-11ee-0a80-0d5f00000001";
    sklad.add_object(product, json!({"name": "Кофе в зёрнах"}));
    let kontur = FakeReestro::start(KONTUR_KEY, KONTUR_ORG, 3);
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::default();
    config.listener.listen = "127.0.0.1:0".parse().unwrap();
    config.api.listen = "127.0.0.1:0".parse().unwrap();
    config.green_api.api_url = green.api_url();
    config.green_api.id_instance = GREEN_ID.into();
    config.green_api.api_token_instance = Secret::new(GREEN_TOKEN);
    config.moysklad.api_url = sklad.api_url();
    config.moysklad.token = Secret::new(SKLAD_TOKEN);
    config.kontur.api_url = kontur.api_url();
    config.kontur.api_key = Secret::new(KONTUR_KEY);
    config.kontur.org_id = KONTUR_ORG.into();
    // Made before the host starts, so its API knows the user from the first request.
    let anna = Secret::new(Users::add(dir.path(), "anna").unwrap());
    let host = Engine::start(config, &dir.path().join("captures.sqlite3"))
        .await
        .unwrap();
    let ApiState::Listening(api) = host.api().clone() else {
        panic!("the host's API is off: {:?}", host.api());
    };
    let url = format!("http://{api}");
    let owner = std::fs::read_to_string(dir.path().join("api-token")).unwrap();
    let as_anna = borrowed(&Config::default(), &url, &anna);
    let as_owner = borrowed(&Config::default(), &url, &Secret::new(owner.trim()));

    // GREEN-API: read by anyone attached; changed only by the owner.
    let settings = Instance::new(&as_anna.green_api)
        .unwrap()
        .settings()
        .await
        .unwrap();
    assert_eq!(Value::Object(settings), green.settings());
    let hook = "https://team.example/green-api";
    let on = Notification::defaults();
    let refused = Instance::new(&as_anna.green_api)
        .unwrap()
        .connect(hook, "", &on)
        .await
        .unwrap_err();
    assert!(matches!(refused, ApiError::Host { .. }), "{refused:?}");
    let said = refused.to_string();
    assert!(said.contains("for the host's owner only"), "{said}");
    assert!(green.set_settings_calls().is_empty());
    Instance::new(&as_owner.green_api)
        .unwrap()
        .connect(hook, "", &on)
        .await
        .unwrap();
    assert_eq!(green.settings()["webhookUrl"], hook);

    // MoySklad: the list comes gzipped through the host; a delivery's object by its href.
    let account = Account::new(&as_anna.moysklad).unwrap();
    assert_eq!(account.webhooks().await.unwrap().len(), 1);
    let href = format!("https://api.moysklad.ru/api/remap/1.2{product}");
    assert_eq!(account.load(&href).await.unwrap()["name"], "Кофе в зёрнах");
    let bearer = format!("Bearer {SKLAD_TOKEN}");
    for seen in sklad.requests() {
        let header = |name| {
            seen.headers
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(header("authorization").as_deref(), Some(bearer.as_str()));
        assert!(header("accept-encoding").is_some_and(|v| v.contains("gzip")));
    }

    // Kontur.Reestro's feed, paged as it is.
    let page = Feed::new(&as_anna.kontur).unwrap().page(None, 2).await;
    assert_eq!(page.unwrap().events.len(), 2);

    // No Reestr account on the host; and a token the host does not know.
    let missing = reestr_order(&as_anna.reestr, "42").await.unwrap_err();
    assert!(
        missing
            .to_string()
            .contains("The host has no Reestr account set up"),
        "{missing}"
    );
    let stranger = borrowed(&Config::default(), &url, &Secret::new("hsu_not-a-user"));
    let refused = Instance::new(&stranger.green_api)
        .unwrap()
        .settings()
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("Authorization"), "{refused}");
    host.stop().await;
}
