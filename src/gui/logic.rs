//! The app's runtime side: the engine, the store reader, the channels that bring back what
//! background work did, and the frame: drain what arrived, draw the views over the state,
//! then handle the commands they pushed.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use time::UtcOffset;
use tokio::sync::broadcast;

use super::command::Command;
use super::files::{self, Purpose};
use super::panels::{self, reestr};
use super::queries::{Answer, Queries, Question};
use super::state::{AppState, Remembered, ThemeChoice};
use super::{ask, detail, forward, responses, settings, table, top_bar};
use crate::capture::{Capture, CaptureRow};
use crate::config::{Config, Paths};
use crate::engine::{Engine, EngineError};
use crate::export;
use crate::store::{Change, Edit, NotSavedCause, StoreError};

/// How long `logic` may spend draining arrivals per frame, so a flood never freezes the UI.
const DRAIN_BUDGET: Duration = Duration::from_millis(8);

/// The outcome of (re)starting the listener from the app.
type Restarted = Result<Engine, EngineError>;

pub struct App {
    pub(super) state: AppState,
    pub(super) runtime: tokio::runtime::Handle,
    pub(super) paths: Paths,
    pub(super) engine: Option<Engine>,
    restarts: (mpsc::Sender<Restarted>, mpsc::Receiver<Restarted>),
    arrivals: Option<broadcast::Receiver<Arc<[Capture]>>>,
    /// Answers passed through and delivery attempts, as they are committed.
    changes: Option<broadcast::Receiver<Change>>,
    pub(super) queries: Queries,
    /// Messages from background work (export, import, samples) for the notice line.
    notices: (mpsc::Sender<String>, mpsc::Receiver<String>),
    /// What the system file chooser gave.
    picks: files::Picks,
    /// Provider calls that finished.
    pub(super) done: (mpsc::Sender<panels::Done>, mpsc::Receiver<panels::Done>),
    pub(super) ctx: egui::Context,
}

impl App {
    pub fn new(
        cc: &eframe::CreationContext<'_>,
        engine: Result<Engine, EngineError>,
        config: Config,
        paths: Paths,
        runtime: tokio::runtime::Handle,
    ) -> App {
        let remembered: Remembered = cc
            .storage
            .and_then(|s| eframe::get_value(s, eframe::APP_KEY))
            .unwrap_or_default();
        let ctx = cc.egui_ctx.clone();
        let queries = Queries::start(paths.store_file(), ctx.clone());
        queries.ask(Question::Newest(super::state::FIRST_PAGE));
        let local_offset = super::LOCAL_OFFSET.get().copied().unwrap_or(UtcOffset::UTC);
        let mut app = App {
            state: AppState::new(config, remembered.clone(), local_offset),
            runtime,
            paths,
            engine: None,
            restarts: mpsc::channel(),
            arrivals: None,
            changes: None,
            queries,
            notices: mpsc::channel(),
            picks: mpsc::channel(),
            done: mpsc::channel(),
            ctx,
        };
        match engine {
            Ok(engine) => app.started(engine),
            Err(e) => app.not_started(&e),
        }
        // The newest Reestr confirm, for the top bar's warning when it could not succeed.
        app.handle(Command::Reestr(reestr::Call::Confirmation));
        app.start_from(remembered)
    }

    /// Starts from `remembered` instead of what the window's storage held.
    pub fn remembering(self, remembered: Remembered) -> App {
        self.start_from(remembered)
    }

    fn start_from(mut self, remembered: Remembered) -> App {
        self.state.panels = panels::Panels::new(&self.state.config, &remembered);
        self.state.remembered = remembered.clone();
        self.apply_look();
        self.handle(Command::SetFilter(remembered.filter));
        self
    }

    /// What the app keeps across restarts, as of now.
    pub fn remembered(&self) -> Remembered {
        let panels = &self.state.panels;
        Remembered {
            events_after: panels.events_cursor(),
            events_count: panels.events_count(),
            ..self.state.remembered.clone()
        }
    }

    fn started(&mut self, engine: Engine) {
        self.state.listening = Some(engine.local_addr());
        self.state.api = Some(engine.api().clone());
        self.state.listen_error = None;
        self.state.store_damaged = false;
        // A new writer has failed nothing yet.
        self.state.not_saving = None;
        // Listens for new captures, waking the window for each.
        let mut wake = engine.store().subscribe();
        let ctx = self.ctx.clone();
        self.runtime.spawn(async move {
            while let Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) = wake.recv().await {
                ctx.request_repaint();
            }
        });
        let mut wake = engine.store().changes();
        let ctx = self.ctx.clone();
        self.runtime.spawn(async move {
            while let Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) = wake.recv().await {
                ctx.request_repaint();
            }
        });
        self.arrivals = Some(engine.store().subscribe());
        self.changes = Some(engine.store().changes());
        // Asked after subscribing: damage found before is seen here, and after, announced.
        let damaged = engine.store().damage().is_some();
        self.engine = Some(engine);
        self.refresh_forwarding(&[]);
        if damaged {
            self.store_found_damaged();
        }
    }

    /// Why the listener could not start, in the app's language where it is a common case.
    fn not_started(&mut self, error: &EngineError) {
        let t = self.state.texts();
        self.state.listen_error = Some(match error {
            EngineError::PortInUse { addr } => t
                .port_in_use
                .replace("{port}", &addr.port().to_string())
                .replace("{ip}", &addr.ip().to_string()),
            other => other.to_string(),
        });
        self.state.store_damaged = matches!(error, EngineError::Store(StoreError::Damaged { .. }));
    }

    fn apply_look(&self) {
        self.ctx.set_theme(match self.state.remembered.theme {
            ThemeChoice::Dark => egui::ThemePreference::Dark,
            ThemeChoice::Light => egui::ThemePreference::Light,
            ThemeChoice::System => egui::ThemePreference::System,
        });
    }

    pub(super) fn edit(&mut self, edit: Edit) {
        if let Some(engine) = &self.engine {
            let store = engine.store().clone();
            self.runtime.spawn(async move { store.edit(edit).await });
        }
    }

    /// Runs `work` on the runtime and says its outcome in the notice line.
    pub(super) fn say_when_done(
        &self,
        work: impl std::future::Future<Output = String> + Send + 'static,
    ) {
        let notices = self.notices.0.clone();
        let ctx = self.ctx.clone();
        self.runtime.spawn(async move {
            let _ = notices.send(work.await);
            ctx.request_repaint();
        });
    }

    /// Opens the export window for what the table shows; a filter with a mistake shows
    /// nothing, so there is nothing to export until it is fixed.
    pub(super) fn open_export(&mut self) {
        let state = &mut self.state;
        if let Some(error) = state.filter.error() {
            let language = state.remembered.language;
            let refused = state
                .texts()
                .export_refused
                .replace("{error}", &language.filter_error(error));
            return state.notify(refused);
        }
        state.chooser = Some(files::Chooser::new(
            Purpose::Export,
            state.list.visible().len(),
        ));
    }

    /// Writes the captures the filter shows to `path`, off the UI thread.
    pub(super) fn export(&mut self, path: PathBuf) {
        let Ok(filter) = self.state.filter.parsed.clone() else {
            return self.open_export();
        };
        self.state.chooser = None;
        let store_file = self.paths.store_file();
        let masker = export::Masker::new(&self.state.config);
        let replay_to = self.state.listener_url();
        let language = self.state.remembered.language;
        self.say_when_done(async move {
            tokio::task::spawn_blocking(move || {
                files::export_file(&store_file, &filter, &masker, &replay_to, &path, language)
            })
            .await
            .unwrap_or_else(|e| e.to_string())
        });
    }

    pub(super) fn import(&mut self, path: PathBuf) {
        self.state.chooser = None;
        let Some(engine) = &self.engine else {
            let error = self.state.listen_error.clone().unwrap_or_default();
            let text = self
                .state
                .texts()
                .not_listening_import
                .replace("{error}", &error);
            return self.state.notify(text);
        };
        let store = engine.store().clone();
        let config = self.state.config.clone();
        let language = self.state.remembered.language;
        self.say_when_done(
            async move { files::import_file(&store, &config, &path, language).await },
        );
    }

    pub(super) fn browse(&mut self, purpose: Purpose) {
        let current = self
            .state
            .chooser
            .as_ref()
            .map(|c| files::expand(&c.path))
            .unwrap_or_default();
        let picks = self.picks.0.clone();
        let ctx = self.ctx.clone();
        self.runtime.spawn(async move {
            let _ = picks.send(files::browse(purpose, current).await);
            ctx.request_repaint();
        });
    }

    /// Sends a built-in sample to the listener, and says what it answered.
    pub(super) fn send_sample(&mut self, name: &'static str) {
        let Some(sample) = crate::samples::find(name) else {
            return;
        };
        let config = self.state.config.clone();
        let base = self.state.listener_url();
        let t = self.state.texts();
        self.say_when_done(async move {
            match crate::samples::send(sample, &config, &base).await {
                Ok(sent) => sent
                    .iter()
                    .map(|s| {
                        t.sample_sent
                            .replace("{name}", name)
                            .replace("{status}", &s.status.to_string())
                            .replace("{id}", &s.capture.map_or("?".into(), |id| id.to_string()))
                    })
                    .collect::<Vec<_>>()
                    .join(" "),
                Err(e) => e.to_string(),
            }
        });
    }

    pub(super) fn save_config(&mut self, config: Config) {
        if let Err(e) = config.save(&self.paths.config_file) {
            self.state.notify(e.to_string());
            return;
        }
        if let Some(engine) = &mut self.engine {
            engine.set_config(config.clone());
        }
        self.state.config = config;
    }

    pub(super) fn save_settings(&mut self, config: Config, remembered: Remembered) {
        let listen_changed = config.listener.listen != self.state.config.listener.listen;
        self.save_config(config);
        let state = &mut self.state;
        state.remembered.theme = remembered.theme;
        state.remembered.language = remembered.language;
        state.settings = None;
        let saved = state.texts().settings_saved;
        state.notify(saved);
        self.apply_look();
        if listen_changed || self.engine.is_none() {
            self.restart_listener(self.state.config.listener.listen);
        }
    }

    /// Stops the listener (if any) and starts it on `addr`; the result arrives in `logic`.
    pub(super) fn restart_listener(&mut self, addr: SocketAddr) {
        self.state.config.listener.listen = addr;
        let config = self.state.config.clone();
        let old = self.take_engine();
        let store_file = self.paths.store_file();
        let done = self.restarts.0.clone();
        let ctx = self.ctx.clone();
        self.runtime.spawn(async move {
            if let Some(old) = old {
                old.stop().await;
            }
            let _ = done.send(Engine::start(config, &store_file).await);
            ctx.request_repaint();
        });
    }

    /// The engine, no longer listened to.
    fn take_engine(&mut self) -> Option<Engine> {
        self.state.listening = None;
        self.state.api = None;
        self.arrivals = None;
        self.changes = None;
        self.engine.take()
    }

    /// The store was found damaged while in use: the listener stops, since nothing more can be
    /// acknowledged, and once it has, the app offers to set the store aside as at start.
    fn store_found_damaged(&mut self) {
        let Some(engine) = self.take_engine() else {
            return;
        };
        let done = self.restarts.0.clone();
        let ctx = self.ctx.clone();
        self.runtime.spawn(async move {
            let damage = engine.store().damage();
            engine.stop().await;
            if let Some(damage) = damage {
                let _ = done.send(Err(EngineError::Store(damage)));
            }
            ctx.request_repaint();
        });
    }

    /// Moves the damaged store aside (renamed, not deleted) and starts on a fresh one.
    pub(super) fn set_store_aside(&mut self) {
        let store_file = self.paths.store_file();
        match crate::store::damage::set_aside(&store_file) {
            Ok(moved) => {
                let text = self.state.texts().store_set_aside;
                self.state
                    .notify(text.replace("{path}", &moved.display().to_string()));
                // The reads so far were of the damaged file, which a fresh reader leaves behind.
                self.queries = Queries::start(store_file, self.ctx.clone());
                self.state.clear();
                self.restart_listener(self.state.config.listener.listen);
            }
            Err(e) => self.state.notify(e.to_string()),
        }
    }

    /// Applies what arrived since the last frame, within a time budget.
    fn drain(&mut self) {
        let started = Instant::now();
        while let Ok(result) = self.restarts.1.try_recv() {
            match result {
                Ok(engine) => {
                    self.started(engine);
                    self.queries
                        .ask(Question::RowsAfter(self.state.list.last_id()));
                    if let Err(e) = self.state.config.save(&self.paths.config_file) {
                        self.state.notify(e.to_string());
                    }
                }
                Err(e) => self.not_started(&e),
            }
        }
        let mut fresh = Vec::new();
        if let Some(arrivals) = &mut self.arrivals {
            while started.elapsed() < DRAIN_BUDGET {
                match arrivals.try_recv() {
                    Ok(captures) => fresh.extend(captures.iter().map(CaptureRow::from)),
                    Err(broadcast::error::TryRecvError::Lagged(_)) => {
                        // Too many to hear one by one: read what was missed from the store.
                        self.queries
                            .ask(Question::RowsAfter(self.state.list.last_id()));
                    }
                    Err(_) => break,
                }
            }
            if started.elapsed() >= DRAIN_BUDGET {
                self.ctx.request_repaint();
            }
        }
        if fresh.iter().any(reestr::is_confirm) {
            self.handle(Command::Reestr(reestr::Call::Confirmation));
        }
        if !fresh.is_empty() {
            // A resend of the selected notification joins its timeline.
            if let Some(c) = &self.state.detail {
                if c.judgement.redelivery_key.is_some() {
                    self.queries.ask(Question::Timeline(c.id));
                }
            }
            if let Some(engine) = &self.engine {
                self.state.faults_left = engine.faults_remaining();
            }
            if let Some(ask) = self.state.add_rows(fresh, true) {
                self.queries.ask(ask);
            }
        }
        self.drain_changes();
        self.read_targets_when_due();
        while let Ok(message) = self.notices.1.try_recv() {
            self.state.notify(message);
        }
        while let Ok(picked) = self.picks.1.try_recv() {
            if let Some(chooser) = &mut self.state.chooser {
                chooser.nothing_chosen = picked.is_none();
                if let Some(path) = picked {
                    chooser.path = path.display().to_string();
                }
            }
        }
        let answers: Vec<Answer> = self.queries.answers().collect();
        for answer in answers {
            self.answered(answer);
        }
    }

    /// Answers passed through change a row's status; deliveries change its Forward cell,
    /// the Forward tab and the targets in the top bar; a failed commit shows why under the top
    /// bar until one works again.
    fn drain_changes(&mut self) {
        let Some(changes) = &mut self.changes else {
            return;
        };
        let mut forwarded = Vec::new();
        let (mut missed, mut damaged, mut marked) = (false, false, false);
        loop {
            match changes.try_recv() {
                Ok(Change::Answered { capture, status }) => {
                    if let Some(row) = self.state.list.row_mut(capture) {
                        row.status = status;
                    }
                    if self.state.selected == Some(capture) {
                        self.queries.ask(Question::Capture(capture));
                    }
                }
                Ok(Change::Forwarded { capture }) => forwarded.push(capture),
                Ok(Change::Marked { .. }) => marked = true,
                Ok(Change::NotSaved { error, cause }) => {
                    let t = self.state.texts();
                    let advice = match cause {
                        NotSavedCause::DiskFull => t.not_saved_full,
                        NotSavedCause::Locked => t.not_saved_locked,
                        NotSavedCause::DiskError => t.not_saved_disk,
                        NotSavedCause::Other => t.not_saved_other,
                    };
                    let said = t.not_saved.replace("{error}", &error);
                    self.state.not_saving = Some(format!("{said} {advice}"));
                }
                Ok(Change::SavingAgain) => self.state.not_saving = None,
                Ok(Change::Damaged) => damaged = true,
                Err(broadcast::error::TryRecvError::Lagged(_)) => missed = true,
                Err(_) => break,
            }
        }
        if missed {
            forwarded.clear();
            forwarded.extend(self.state.list.rows().iter().map(|r| r.id));
        }
        if !forwarded.is_empty() {
            forwarded.dedup();
            self.refresh_forwarding(&forwarded);
        }
        if marked || missed {
            if let Some(ask) = self.state.filter_again() {
                self.queries.ask(ask);
            }
        }
        let damage_missed = || {
            self.engine
                .as_ref()
                .is_some_and(|e| e.store().damage().is_some())
        };
        if damaged || (missed && damage_missed()) {
            self.store_found_damaged();
        }
    }

    fn answered(&mut self, answer: Answer) {
        let state = &mut self.state;
        match answer {
            Answer::Newest {
                rows,
                older,
                store_bytes,
            } => {
                state.store_bytes = store_bytes;
                for ask in state.newest_rows(rows, older) {
                    self.queries.ask(ask);
                }
            }
            Answer::Older { before, rows } => {
                for ask in state.older_rows(before, rows) {
                    self.queries.ask(ask);
                }
            }
            Answer::Rows(rows, store_bytes) => {
                state.loading = false;
                state.store_bytes = store_bytes;
                if let Some(ask) = state.add_rows(rows, false) {
                    self.queries.ask(ask);
                }
            }
            Answer::Matching {
                generation,
                ids,
                partial,
            } if generation == state.filter.generation => {
                state.list.show_matching(&ids, partial);
                if !partial {
                    state.filter.pending = false;
                }
            }
            Answer::Matching { .. } => {}
            Answer::Capture(id, capture) if Some(id) == state.selected => {
                state.detail = capture;
                self.copy_curl_when_loaded();
                self.capture_loaded();
            }
            Answer::Capture(..) => {}
            Answer::Deliveries(id, list) if Some(id) == state.selected => {
                state.forward.deliveries = Some((id, list));
            }
            Answer::Deliveries(..) => {}
            Answer::ForwardStates(states) => {
                for (id, forward) in states {
                    if let Some(row) = state.list.row_mut(id) {
                        row.forward = forward;
                    }
                }
            }
            Answer::Targets(targets) => state.forward.targets = targets,
            Answer::Timeline(id, list) if Some(id) == state.selected => {
                state.timeline = Some((id, list));
            }
            Answer::Timeline(..) => {}
            Answer::LatestConfirm(capture) => reestr::confirmed(state, capture.as_deref()),
            Answer::Failed(e) => {
                state.loading = false;
                state.filter.pending = false;
                state.notify(e);
            }
        }
    }

    /// A capture was loaded into the detail pane: what it names is loaded when asked to, and a
    /// Reestr confirm refreshes the confirmation state.
    fn capture_loaded(&mut self) {
        let Some(capture) = &self.state.detail else {
            return;
        };
        let panels = &mut self.state.panels;
        if panels
            .loaded
            .as_ref()
            .is_some_and(|(id, _)| *id != capture.id)
        {
            panels.loaded = None;
        }
        let is_confirm = reestr::is_confirm(&CaptureRow::from(capture.as_ref()));
        let load = panels::load_command(capture, &self.state.config)
            .filter(|_| self.state.remembered.auto_load);
        if is_confirm {
            self.handle(Command::Reestr(reestr::Call::Confirmation));
        }
        if let Some(load) = load {
            self.handle(load);
        }
    }

    /// Keyboard shortcuts, as commands; moving and copying only while no text field has focus.
    fn shortcuts(&mut self, ctx: &egui::Context) {
        use egui::{Key, Modifiers};
        let typing = ctx.egui_wants_keyboard_input();
        let state = &mut self.state;
        let mut commands = Vec::new();
        ctx.input_mut(|i| {
            if i.consume_key(Modifiers::NONE, Key::Escape) {
                commands.push(Command::SetFilter(String::new()));
            }
            if i.consume_key(Modifiers::COMMAND, Key::E) {
                commands.push(Command::Export);
            }
            if typing {
                return;
            }
            if i.consume_key(Modifiers::NONE, Key::ArrowDown)
                || i.consume_key(Modifiers::NONE, Key::J)
            {
                commands.push(Command::MoveSelection(1));
            }
            if i.consume_key(Modifiers::NONE, Key::ArrowUp)
                || i.consume_key(Modifiers::NONE, Key::K)
            {
                commands.push(Command::MoveSelection(-1));
            }
            if i.consume_key(Modifiers::NONE, Key::Slash) {
                state.filter.focus = true;
            }
            if i.consume_key(Modifiers::NONE, Key::Space) {
                commands.push(Command::SetFollow(!state.follow));
            }
            let copy = i.consume_key(Modifiers::COMMAND, Key::C)
                || i.events.iter().any(|e| matches!(e, egui::Event::Copy));
            if copy {
                if let Some(detail) = &state.detail {
                    commands.push(Command::CopyText(
                        String::from_utf8_lossy(&detail.request.body).into_owned(),
                    ));
                }
            }
        });
        state.commands.extend(commands);
    }
}

impl eframe::App for App {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.drain();
        self.drain_panels();
        let state = &mut self.state;
        if state.list.per_second() > 0 {
            // Let the rate fall back to zero on screen once arrivals stop.
            ctx.request_repaint_after(Duration::from_secs(1));
        }
        if state
            .notice
            .as_ref()
            .is_some_and(|(_, at)| at.elapsed() > Duration::from_secs(4))
        {
            state.notice = None;
        } else if state.notice.is_some() {
            ctx.request_repaint_after(Duration::from_secs(1));
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        self.shortcuts(&ctx);
        let state = &mut self.state;
        top_bar::show(ui, state);
        detail::show(ui, state);
        table::show(ui, state);
        settings::show(&ctx, state);
        files::show(&ctx, state);
        ask::show(&ctx, state);
        panels::show(&ctx, state);
        forward::editor(&ctx, state);
        forward::rules(&ctx, state);
        forward::sequence(&ctx, state);
        responses::window(&ctx, state);
        for command in std::mem::take(&mut self.state.commands) {
            self.handle(command);
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, eframe::APP_KEY, &self.remembered());
    }
}
