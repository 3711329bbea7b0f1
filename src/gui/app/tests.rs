//! The handlers without a window: a real engine on 127.0.0.1:0 in a fresh folder, the state,
//! and commands handled as a frame would handle them.

use super::providers::moysklad::MoyskladDone;
use super::providers::{self, Done};
use super::*;
use crate::config::{ForwardRule, KeepIn, ResponseRule};
use crate::gui::command::{ForwardCall, ProviderTab, ResponsesCall};
use crate::gui::state::responses::RuleDraft;
use crate::http::ApiError;
use crate::tunnel::{Found, Source};

struct Fixture {
    state: AppState,
    work: Work,
    _runtime: tokio::runtime::Runtime,
    _dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths {
            config_file: dir.path().join("config.toml"),
            data_dir: dir.path().join("data"),
        };
        let mut config = Config::default();
        config.listener.listen = "127.0.0.1:0".parse().unwrap();
        config.api.enabled = false;
        // The tokens these tests make stay out of the keyring of the machine running them.
        config.secrets.keep_in = KeepIn::File;
        let engine = runtime.block_on(Engine::start(config.clone(), &paths.store_file()));
        let mut state = AppState::new(config, Remembered::default(), UtcOffset::UTC);
        let mut work = Work::new(runtime.handle().clone(), paths, egui::Context::default());
        lifecycle::started(&mut state, &mut work, engine.unwrap());
        Fixture {
            state,
            work,
            _runtime: runtime,
            _dir: dir,
        }
    }

    /// Posts `count` webhooks to the listener and drains frames until the table holds them.
    fn capture(&mut self, count: usize) {
        let base = format!("http://{}", self.state.listening.unwrap());
        self._runtime.block_on(async {
            let http = reqwest::Client::new();
            for n in 0..count {
                let body = format!("{{\"n\": {n}}}");
                http.post(format!("{base}/hook"))
                    .body(body)
                    .send()
                    .await
                    .unwrap();
            }
        });
        self.frames_until(|s| s.list.visible().len() >= count);
    }

    /// Drains frames until `done` holds of the state, for at most five seconds.
    fn frames_until(&mut self, done: impl Fn(&AppState) -> bool) {
        let started = std::time::Instant::now();
        while !done(&self.state) {
            assert!(started.elapsed() < Duration::from_secs(5), "timed out");
            drain::drain(&mut self.state, &mut self.work);
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn notice(&self) -> &str {
        self.state.notice.as_ref().map_or("", |(text, _)| text)
    }

    fn handle(&mut self, command: Command) {
        handle(&mut self.state, &mut self.work, command);
    }

    /// The settings as the file now holds them.
    fn saved(&self) -> Config {
        Config::load_or_create(&self.work.paths.config_file).unwrap()
    }
}

fn forward_rule(target: &str) -> ForwardRule {
    ForwardRule {
        target: target.into(),
        ..ForwardRule::default()
    }
}

#[test]
fn forward_rules_are_saved_and_a_switch_applies_only_to_the_rule_shown() {
    let mut f = Fixture::new();
    f.handle(Command::Forward(ForwardCall::OpenRules));
    assert_eq!(f.state.forward.rules.as_deref(), Some(&[][..]));
    let rule = forward_rule("http://127.0.0.1:9/hooks");
    f.handle(Command::Forward(ForwardCall::SaveRules(vec![rule.clone()])));
    assert!(f.state.forward.rules.is_none(), "Apply closes the window");
    assert_eq!(f.saved().forward, vec![rule.clone()]);
    let engine = f.work.engine.as_ref().unwrap();
    assert_eq!(engine.config().forward, vec![rule.clone()]);

    // A rule edited in the window is not switched off by its checkbox until Apply.
    let mut edited = rule.clone();
    edited.target = "http://127.0.0.1:10/other".into();
    edited.enabled = false;
    f.handle(Command::Forward(ForwardCall::ToggleRule(
        0,
        Box::new(edited),
    )));
    assert!(f.saved().forward[0].enabled);
    // The rule as saved is switched at once.
    let mut off = rule;
    off.enabled = false;
    f.handle(Command::Forward(ForwardCall::ToggleRule(0, Box::new(off))));
    assert!(!f.saved().forward[0].enabled);
    assert!(!f.state.config.forward[0].enabled);
}

#[test]
fn response_rules_open_as_drafts_and_switch_at_once() {
    let mut f = Fixture::new();
    let rule = ResponseRule {
        filter: "provider:moysklad".into(),
        headers: [("X-Test".to_string(), "1".to_string())].into(),
        ..ResponseRule::default()
    };
    f.handle(Command::Responses(ResponsesCall::Save(vec![rule.clone()])));
    assert_eq!(f.saved().respond, vec![rule.clone()]);
    f.handle(Command::Responses(ResponsesCall::Open));
    let drafts = f.state.responses.as_ref().unwrap();
    assert_eq!(drafts[0].headers, "X-Test: 1");
    assert_eq!(drafts[0].rule(), rule);
    let mut off = RuleDraft::of(&rule).rule();
    off.enabled = !rule.enabled;
    f.handle(Command::Responses(ResponsesCall::Toggle(0, Box::new(off))));
    assert_eq!(f.saved().respond[0].enabled, !rule.enabled);
    f.handle(Command::Responses(ResponsesCall::Close));
    assert!(f.state.responses.is_none());
}

#[test]
fn provider_fields_are_kept_and_a_change_lists_the_webhooks_again() {
    let mut f = Fixture::new();
    f.state.panels.draft.green_api.id_instance = "1101000001".into();
    f.handle(Command::SaveProviderFields);
    assert_eq!(f.saved().green_api.id_instance, "1101000001");
    assert_eq!(f.state.config.green_api.id_instance, "1101000001");

    // A webhook changed: its outcome is shown and the list is asked for again (busy anew).
    f.state.panels.busy.insert(ProviderTab::Moysklad);
    providers::apply(
        &mut f.state,
        &mut f.work,
        Done::Moysklad(MoyskladDone::Changed(Ok("created".into()))),
    );
    assert!(matches!(f.state.panels.sklad.outcome, Some(Ok(ref s)) if s == "created"));
    assert!(f.state.panels.busy.contains(&ProviderTab::Moysklad));
    // A failed call ends the spinner and keeps its error.
    let unset = ApiError::NotConfigured(crate::http::Unset::Missing(
        crate::http::Setting::MoyskladToken,
    ));
    providers::apply(
        &mut f.state,
        &mut f.work,
        Done::Moysklad(MoyskladDone::Webhooks(Err(unset))),
    );
    assert!(!f.state.panels.busy.contains(&ProviderTab::Moysklad));
    assert!(matches!(f.state.panels.sklad.outcome, Some(Err(_))));
}

/// The tunnel is looked for off the frame, and again at once when the settings change where
/// to look; what it found reaches the window only when it changed.
#[test]
fn the_tunnel_watcher_reports_a_change_at_once_and_nothing_twice() {
    let mut f = Fixture::new();
    f.state.config.tunnel.ngrok_api = "http://127.0.0.1:9".into();
    f.state.config.tunnel.cloudflared_metrics = "127.0.0.1:9".into();
    f.frames_until(|s| s.panels.tunnel_missing.is_some());
    assert!(f.state.panels.tunnel.is_none());
    f.state.config.tunnel.public_url = "https://typed.example".into();
    f.frames_until(|s| s.panels.tunnel.is_some());
    let found = f.state.panels.tunnel.as_ref().unwrap();
    assert_eq!(
        (found.url.as_str(), &found.source),
        ("https://typed.example", &Source::Typed)
    );
    // The same settings again: nothing new is said.
    drain::drain(&mut f.state, &mut f.work);
    std::thread::sleep(Duration::from_millis(200));
    assert!(f.work.done.1.try_recv().is_err());
}

#[test]
fn a_new_public_url_is_noticed_against_the_one_providers_were_given() {
    let mut f = Fixture::new();
    f.state.remembered.public_url = "https://old.trycloudflare.com".into();
    let found = Found {
        url: "https://new.trycloudflare.com".into(),
        source: Source::Typed,
    };
    providers::apply(&mut f.state, &mut f.work, Done::Tunnel(Ok(found)));
    assert_eq!(
        f.state.panels.url_changed,
        Some((
            "https://old.trycloudflare.com".into(),
            "https://new.trycloudflare.com".into()
        ))
    );
    assert_eq!(
        f.state.remembered.public_url,
        "https://new.trycloudflare.com"
    );
}

/// A target that takes connections and never answers: a replay to it waits.
fn silent_target(runtime: &tokio::runtime::Runtime) -> String {
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    runtime.spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    format!("http://{addr}/app")
}

#[test]
fn a_replay_of_what_the_table_shows_says_how_far_it_got_and_stops() {
    let mut f = Fixture::new();
    f.capture(2);
    let to = silent_target(&f._runtime);
    f.handle(Command::Forward(ForwardCall::ReplayShown {
        to,
        speed: None,
    }));
    let run = f.state.forward.run.as_ref().expect("the run shows at once");
    assert_eq!((run.sent, run.total), (0, 2));
    f.handle(Command::Forward(ForwardCall::StopReplay));
    assert!(f.state.forward.run.is_none());
    assert_eq!(f.notice(), "Replay stopped after 0 of 2.");
    assert!(f.work.replay.is_none());
}

#[test]
fn a_replay_into_hookscope_counts_each_capture_and_ends_with_a_total() {
    let mut f = Fixture::new();
    f.capture(3);
    let to = f.state.listener_url();
    f.handle(Command::Forward(ForwardCall::ReplayShown {
        to,
        speed: None,
    }));
    f.frames_until(|s| s.forward.run.is_none());
    assert!(
        f.notice()
            .starts_with("Replayed 3 captures to http://127.0.0.1:"),
        "{}",
        f.notice()
    );
    assert!(f.notice().ends_with(": 3 answered 2xx."), "{}", f.notice());
}

/// A failed export keeps its window open with the reason; a good one closes it, and the next
/// opens at the same file. What the user added (a pin, a note) survives export and import.
#[test]
fn export_and_import_keep_the_window_until_they_succeed_and_carry_pins_and_notes() {
    let mut f = Fixture::new();
    f.capture(2);
    let rows = f.state.list.rows();
    let (pinned, noted) = (rows[0].id, rows[1].id);
    f.handle(Command::Pin(pinned, true));
    f.handle(Command::SaveNote(noted, "перезвонить".into()));
    f.frames_until(|s| s.list.rows().iter().any(|r| r.note() == "перезвонить"));

    f.handle(Command::Export);
    let nowhere = f.work.paths.data_dir.join("missing").join("out.ndjson");
    f.handle(Command::ExportTo(nowhere));
    f.frames_until(|s| s.chooser.as_ref().is_some_and(|c| c.failed.is_some()));
    let chooser = f.state.chooser.as_ref().unwrap();
    assert!(!chooser.working);
    assert!(chooser.failed.as_ref().unwrap().contains("missing"));

    let file = f.work.paths.data_dir.join("out.ndjson");
    f.handle(Command::ExportTo(file.clone()));
    f.frames_until(|s| s.chooser.is_none());
    assert!(f.notice().contains("2"), "{}", f.notice());
    assert_eq!(f.state.remembered.last_export, file.display().to_string());
    f.handle(Command::Export);
    assert_eq!(
        f.state.chooser.as_ref().unwrap().path,
        file.display().to_string()
    );
    f.handle(Command::CloseChooser);

    f.handle(Command::Import);
    f.handle(Command::ImportFrom(file.clone()));
    f.frames_until(|s| s.chooser.is_none() && s.list.rows().len() == 4);
    let first_imported = pinned.max(noted) + 1;
    let imported: Vec<_> = f
        .state
        .list
        .rows()
        .iter()
        .filter(|r| r.id >= first_imported)
        .collect();
    assert_eq!(imported.len(), 2);
    let by_note = |note: &str| imported.iter().filter(|r| r.note() == note).count();
    assert_eq!(imported.iter().filter(|r| r.pinned).count(), 1);
    assert_eq!(by_note("перезвонить"), 1);
    assert_eq!(f.state.remembered.last_import, file.display().to_string());
}
