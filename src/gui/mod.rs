//! The desktop app: a face over the engine. The UI thread only reads: the listener captures on
//! its own tasks, store reads run on a worker, and both wake the window with `request_repaint`.
//! Drawing code never mutates state mid-frame; it pushes a [`Command`] that runs after the pass.

mod ask;
mod body;
mod detail;
mod files;
mod list;
mod panels;
mod queries;
mod settings;
mod table;
pub mod texts;
mod theme;
mod top_bar;

use std::net::SocketAddr;
use std::sync::{mpsc, Arc, OnceLock};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use time::UtcOffset;
use tokio::sync::broadcast;

use crate::capture::{Capture, CaptureRow};
use crate::config::{Config, Paths};
use crate::engine::{Engine, EngineError};
use crate::export;
use crate::filter::{Filter, FilterError};
use crate::store::{Edit, StoreError};
use list::CaptureList;
use queries::{Answer, Queries, Question};
use table::TimeShown;
pub use texts::Language;

/// The local offset from UTC, read before any thread starts (see [`read_local_offset`]).
static LOCAL_OFFSET: OnceLock<UtcOffset> = OnceLock::new();

/// Reads the local offset from UTC for the time column. Call first thing in `main`: the `time`
/// crate reads it only while the process has a single thread; later it falls back to UTC.
pub fn read_local_offset() {
    LOCAL_OFFSET.get_or_init(|| UtcOffset::current_local_offset().unwrap_or(UtcOffset::UTC));
}

/// How long `logic` may spend draining arrivals per frame, so a flood never freezes the UI.
const DRAIN_BUDGET: Duration = Duration::from_millis(8);

/// Opens the window and blocks until it closes; the listener stops with it.
pub fn run(config: Config, paths: Paths, runtime: tokio::runtime::Runtime) -> anyhow::Result<()> {
    let engine = runtime.block_on(Engine::start(config.clone(), &paths.store_file()));
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("hookscope")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([640.0, 400.0]),
        ..Default::default()
    };
    let handle = runtime.handle().clone();
    eframe::run_native(
        "hookscope",
        options,
        Box::new(move |cc| Ok(Box::new(App::new(cc, engine, config, paths, handle)))),
    )
    .map_err(|e| {
        anyhow::anyhow!(
            "The window could not open ({e}). Without a display, run `hookscope serve`."
        )
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ThemeChoice {
    Dark,
    Light,
    System,
}

/// What the app remembers across restarts besides window size and column widths
/// (which eframe and egui keep themselves).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct Remembered {
    pub theme: ThemeChoice,
    pub language: Language,
    pub filter: String,
    /// The public URL providers were last seen at, to notice when a tunnel's URL changes.
    pub public_url: String,
    /// Load a MoySklad capture's objects and a Reestr capture's order when it is selected.
    pub auto_load: bool,
    /// Where the Rosreestr events panel stood, and its page size.
    pub events_after: Option<String>,
    pub events_count: u8,
    /// The time column's clock.
    pub time_shown: TimeShown,
}

impl Default for Remembered {
    fn default() -> Self {
        Remembered {
            theme: ThemeChoice::System,
            language: Language::from_system(),
            filter: String::new(),
            public_url: String::new(),
            auto_load: false,
            events_after: None,
            events_count: crate::providers::kontur::DEFAULT_COUNT,
            time_shown: TimeShown::Local,
        }
    }
}

/// The outcome of (re)starting the listener from the app.
type Restarted = Result<Engine, EngineError>;

/// Everything the UI can ask for; handled after the frame's drawing.
#[derive(Clone, Debug)]
pub enum Command {
    Select(i64),
    MoveSelection(isize),
    SetFilter(String),
    SetFollow(bool),
    SetTimeShown(TimeShown),
    Pin(i64, bool),
    EditNote(i64),
    SaveNote(i64, String),
    Delete(i64),
    ClearAll,
    CopyText(String),
    /// Copies a cURL command that replays the capture against the listener.
    CopyCurl(i64),
    /// Opens the export window (or says why not).
    Export,
    /// Opens the import window.
    Import,
    /// Asks the system's file chooser for the open window.
    Browse(files::Purpose),
    CloseChooser,
    ExportTo(std::path::PathBuf),
    ImportFrom(std::path::PathBuf),
    Listen(SocketAddr),
    SetStoreAside,
    SaveSettings(Box<Config>, Remembered),
    SetPublicUrl(String),
    /// Posts a built-in sample (by name) to the listener.
    SendSample(&'static str),
    OpenSettings,
    ToggleProviders,
    /// Hides the banner about a changed public URL.
    DismissUrlChange,
    /// Opens the Providers window on a provider's tab.
    ShowProvider(panels::Tab),
    /// Asks before a change to something outside the app (a provider's registration).
    Ask(Box<ask::Question>),
    /// The question was answered.
    Answered(bool),
    /// A provider panel's call (API requests, tunnel detection, re-pointing).
    Provider(panels::Call),
}

pub struct App {
    runtime: tokio::runtime::Handle,
    paths: Paths,
    config: Config,
    engine: Option<Engine>,
    listen_error: Option<String>,
    /// The listener did not start because the store is damaged: the app offers to set it aside.
    store_damaged: bool,
    restarts: (mpsc::Sender<Restarted>, mpsc::Receiver<Restarted>),
    arrivals: Option<broadcast::Receiver<Arc<Capture>>>,
    queries: Queries,
    list: CaptureList,
    loading: bool,
    /// Bytes of the store in use, as of the last rows read.
    store_bytes: u64,
    filter: FilterState,
    selected: Option<i64>,
    detail: Option<Box<Capture>>,
    detail_view: detail::View,
    follow: bool,
    unseen: usize,
    /// How many rows the table showed last frame, to notice arrivals in follow mode.
    shown_rows: usize,
    scroll_to_selected: bool,
    remembered: Remembered,
    settings: Option<settings::Draft>,
    note: Option<(i64, String)>,
    notice: Option<(String, Instant)>,
    /// Messages from background work (export, import) for the notice line.
    notices: (mpsc::Sender<String>, mpsc::Receiver<String>),
    /// A change waiting for the user's yes.
    asking: Option<ask::Question>,
    /// The export or import window, when open.
    chooser: Option<files::Chooser>,
    picks: files::Picks,
    /// A capture whose cURL command is wanted as soon as it is loaded.
    copy_curl_of: Option<i64>,
    commands: Vec<Command>,
    panels: panels::Panels,
    /// The local offset from UTC for the time column.
    local_offset: UtcOffset,
    ctx: egui::Context,
}

#[derive(Default)]
struct FilterState {
    text: String,
    error: Option<FilterError>,
    generation: u64,
    pending: bool,
    focus: bool,
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
        queries.ask(Question::RowsAfter(0));
        let (engine, failure) = match engine {
            Ok(engine) => (Some(engine), None),
            Err(e) => (None, Some(e)),
        };
        let mut app = App {
            runtime,
            paths,
            config: config.clone(),
            arrivals: None,
            engine,
            listen_error: None,
            store_damaged: false,
            restarts: mpsc::channel(),
            queries,
            list: CaptureList::default(),
            loading: true,
            store_bytes: 0,
            filter: FilterState::default(),
            selected: None,
            detail: None,
            detail_view: detail::View::default(),
            follow: true,
            unseen: 0,
            shown_rows: 0,
            scroll_to_selected: false,
            remembered: remembered.clone(),
            settings: None,
            note: None,
            notice: None,
            notices: mpsc::channel(),
            asking: None,
            chooser: None,
            picks: mpsc::channel(),
            copy_curl_of: None,
            commands: Vec::new(),
            panels: panels::Panels::new(&config, &remembered),
            local_offset: LOCAL_OFFSET.get().copied().unwrap_or(UtcOffset::UTC),
            ctx,
        };
        if let Some(e) = failure {
            app.not_started(&e);
        }
        app.subscribe();
        // The newest Reestr confirm, for the top bar's warning when it could not succeed.
        app.call(panels::Call::ReestrConfirmation);
        app.apply_look();
        app.set_filter(remembered.filter);
        app
    }

    /// Why the listener could not start, in the app's language where it is a common case.
    fn not_started(&mut self, error: &EngineError) {
        self.listen_error = Some(self.explain(error));
        self.store_damaged = matches!(error, EngineError::Store(StoreError::Damaged { .. }));
    }

    /// Moves the damaged store aside (renamed, not deleted) and starts on a fresh one.
    fn set_store_aside(&mut self) {
        let store_file = self.paths.store_file();
        match crate::store::damage::set_aside(&store_file) {
            Ok(moved) => {
                let text = self.texts().store_set_aside;
                self.notify(text.replace("{path}", &moved.display().to_string()));
                // The reads so far were of the damaged file, which a fresh reader leaves behind.
                self.queries = Queries::start(store_file, self.ctx.clone());
                self.list = Default::default();
                self.selected = None;
                self.detail = None;
                self.restart_listener(self.config.listener.listen);
            }
            Err(e) => self.notify(e.to_string()),
        }
    }

    fn explain(&self, error: &EngineError) -> String {
        match error {
            EngineError::PortInUse { addr } => self
                .texts()
                .port_in_use
                .replace("{port}", &addr.port().to_string())
                .replace("{ip}", &addr.ip().to_string()),
            other => other.to_string(),
        }
    }

    /// Starts from `remembered` instead of what the window's storage held.
    pub fn remembering(mut self, remembered: Remembered) -> App {
        self.remembered = remembered.clone();
        self.panels = panels::Panels::new(&self.config, &remembered);
        self.apply_look();
        self.set_filter(remembered.filter);
        self
    }

    /// What the app keeps across restarts, as of now.
    pub fn remembered(&self) -> Remembered {
        Remembered {
            events_after: self.panels.events_cursor(),
            events_count: self.panels.events_count(),
            ..self.remembered.clone()
        }
    }

    fn texts(&self) -> &'static texts::Texts {
        self.remembered.language.texts()
    }

    /// Listens for new captures, waking the window for each.
    fn subscribe(&mut self) {
        let Some(engine) = &self.engine else {
            return;
        };
        let mut wake = engine.store().subscribe();
        let ctx = self.ctx.clone();
        self.runtime.spawn(async move {
            while let Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) = wake.recv().await {
                ctx.request_repaint();
            }
        });
        self.arrivals = Some(engine.store().subscribe());
    }

    fn apply_look(&self) {
        self.ctx.set_theme(match self.remembered.theme {
            ThemeChoice::Dark => egui::ThemePreference::Dark,
            ThemeChoice::Light => egui::ThemePreference::Light,
            ThemeChoice::System => egui::ThemePreference::System,
        });
    }

    fn set_filter(&mut self, text: String) {
        self.filter.text = text.clone();
        self.remembered.filter = text;
        match Filter::parse(&self.filter.text) {
            Err(e) => self.filter.error = Some(e),
            Ok(filter) => {
                self.filter.error = None;
                self.filter.generation += 1;
                if filter.is_empty() {
                    self.filter.pending = false;
                    self.list.show_all();
                } else {
                    self.filter.pending = true;
                    self.list.start_filtering();
                    self.queries.ask(Question::Matching {
                        generation: self.filter.generation,
                        filter,
                        among: None,
                    });
                }
            }
        }
    }

    /// New rows: shown at once without a filter, else after the store says they match.
    fn add_rows(&mut self, rows: Vec<CaptureRow>, live: bool) {
        let added = rows.len();
        let check = self.list.add(rows, live);
        if !self.follow && live {
            self.unseen += added;
        }
        if !check.is_empty() {
            if let Ok(filter) = Filter::parse(&self.filter.text) {
                self.queries.ask(Question::Matching {
                    generation: self.filter.generation,
                    filter,
                    among: Some(check),
                });
            }
        }
    }

    fn notify(&mut self, text: impl Into<String>) {
        self.notice = Some((text.into(), Instant::now()));
    }

    fn edit(&mut self, edit: Edit) {
        if let Some(engine) = &self.engine {
            let store = engine.store().clone();
            self.runtime.spawn(async move { store.edit(edit).await });
        }
    }

    fn handle(&mut self, command: Command) {
        match command {
            Command::Select(id) => {
                if self.selected != Some(id) {
                    self.selected = Some(id);
                    self.detail = None;
                    self.queries.ask(Question::Capture(id));
                }
            }
            Command::MoveSelection(step) => {
                let count = self.list.visible().len();
                if count == 0 {
                    return;
                }
                let current = self.selected.and_then(|id| self.list.position_of(id));
                let next = match current {
                    Some(p) => p.saturating_add_signed(step).min(count - 1),
                    None if step < 0 => count - 1,
                    None => 0,
                };
                if let Some(row) = self.list.visible_row(next) {
                    let id = row.id;
                    self.handle(Command::Select(id));
                    self.scroll_to_selected = true;
                    self.follow = next == count - 1;
                }
            }
            Command::SetFilter(text) => self.set_filter(text),
            Command::SetTimeShown(shown) => self.remembered.time_shown = shown,
            Command::SetFollow(follow) => {
                self.follow = follow;
                if follow {
                    self.unseen = 0;
                    self.shown_rows = 0;
                }
            }
            Command::Pin(id, pinned) => {
                if let Some(row) = self.list.row_mut(id) {
                    row.pinned = pinned;
                }
                if let Some(detail) = self.detail.as_mut().filter(|d| d.id == id) {
                    detail.pinned = pinned;
                }
                self.edit(Edit::Pin { id, pinned });
            }
            Command::EditNote(id) => {
                let current = self
                    .detail
                    .as_ref()
                    .filter(|d| d.id == id)
                    .map(|d| d.note.clone());
                self.note = Some((id, current.unwrap_or_default()));
            }
            Command::SaveNote(id, note) => {
                if let Some(row) = self.list.row_mut(id) {
                    row.note = note.clone();
                }
                if let Some(detail) = self.detail.as_mut().filter(|d| d.id == id) {
                    detail.note = note.clone();
                }
                self.note = None;
                self.edit(Edit::Note { id, note });
            }
            Command::Delete(id) => {
                let next = self
                    .list
                    .position_of(id)
                    .and_then(|p| {
                        self.list
                            .visible_row(p + 1)
                            .or_else(|| p.checked_sub(1).and_then(|p| self.list.visible_row(p)))
                    })
                    .map(|r| r.id);
                self.list.remove(&[id]);
                self.selected = None;
                self.detail = None;
                if let Some(next) = next {
                    self.handle(Command::Select(next));
                }
                self.edit(Edit::Delete { ids: vec![id] });
            }
            Command::ClearAll => {
                self.list.clear();
                self.selected = None;
                self.detail = None;
                self.edit(Edit::Clear);
            }
            Command::CopyText(text) => {
                self.ctx.copy_text(text);
                let copied = self.texts().copied;
                self.notify(copied);
            }
            Command::CopyCurl(id) => {
                self.copy_curl_of = Some(id);
                self.handle(Command::Select(id));
                self.copy_curl_when_loaded();
            }
            Command::Export => self.open_export(),
            Command::Import => {
                self.chooser = Some(files::Chooser::new(files::Purpose::Import, 0));
            }
            Command::Browse(purpose) => {
                let current = self
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
            Command::CloseChooser => self.chooser = None,
            Command::ExportTo(path) => self.export(path),
            Command::ImportFrom(path) => self.import(path),
            Command::Listen(addr) => self.restart_listener(addr),
            Command::SetStoreAside => self.set_store_aside(),
            Command::SaveSettings(config, remembered) => self.save_settings(*config, remembered),
            Command::SetPublicUrl(url) => {
                let mut config = self.config.clone();
                config.tunnel.public_url = url.trim().trim_end_matches('/').to_string();
                self.panels.announce_detect = config.tunnel.public_url.is_empty();
                self.save_config(config);
                self.handle(Command::Provider(panels::Call::DetectTunnel));
            }
            Command::Provider(call) => self.call(call),
            Command::Ask(question) => self.asking = Some(*question),
            Command::Answered(yes) => {
                if let Some(question) = self.asking.take().filter(|_| yes) {
                    self.handle(question.then);
                }
            }
            Command::SendSample(name) => self.send_sample(name),
            Command::OpenSettings => {
                self.settings = Some(settings::Draft::new(&self.config, &self.remembered));
            }
            Command::ToggleProviders => self.panels.open = !self.panels.open,
            Command::DismissUrlChange => {
                self.panels.url_changed = None;
                self.panels.repointed.clear();
            }
            Command::ShowProvider(tab) => {
                self.panels.open = true;
                self.panels.tab = tab;
                if tab == panels::Tab::Reestr {
                    self.call(panels::Call::ReestrConfirmation);
                }
            }
        }
    }

    fn copy_curl_when_loaded(&mut self) {
        let Some(capture) = self
            .detail
            .as_ref()
            .filter(|d| Some(d.id) == self.copy_curl_of)
        else {
            return;
        };
        let masked = export::Masker::new(&self.config).capture(capture);
        let command = export::curl::command(&masked, &self.listener_url());
        self.copy_curl_of = None;
        self.handle(Command::CopyText(command));
    }

    /// Where replays go: this app's own listener.
    fn listener_url(&self) -> String {
        match &self.engine {
            Some(engine) => format!("http://{}", engine.local_addr()),
            None => format!("http://{}", self.config.listener.listen),
        }
    }

    /// Opens the export window for what the table shows; a filter with a mistake shows
    /// nothing, so there is nothing to export until it is fixed.
    fn open_export(&mut self) {
        if let Some(error) = &self.filter.error {
            let language = self.remembered.language;
            let refused = self.texts().export_refused;
            return self.notify(refused.replace("{error}", &language.filter_error(error)));
        }
        self.chooser = Some(files::Chooser::new(
            files::Purpose::Export,
            self.list.visible().len(),
        ));
    }

    /// Writes the captures the filter shows to `path`, off the UI thread.
    fn export(&mut self, path: std::path::PathBuf) {
        let Ok(filter) = Filter::parse(&self.filter.text) else {
            return self.open_export();
        };
        self.chooser = None;
        let store_file = self.paths.store_file();
        let masker = export::Masker::new(&self.config);
        let replay_to = self.listener_url();
        let language = self.remembered.language;
        let notices = self.notices.0.clone();
        let ctx = self.ctx.clone();
        self.runtime.spawn(async move {
            let written = tokio::task::spawn_blocking(move || {
                files::export_file(&store_file, &filter, &masker, &replay_to, &path, language)
            })
            .await;
            let _ = notices.send(written.unwrap_or_else(|e| e.to_string()));
            ctx.request_repaint();
        });
    }

    fn import(&mut self, path: std::path::PathBuf) {
        self.chooser = None;
        let Some(engine) = &self.engine else {
            let error = self.listen_error.clone().unwrap_or_default();
            let text = self.texts().not_listening_import.replace("{error}", &error);
            return self.notify(text);
        };
        let store = engine.store().clone();
        let config = self.config.clone();
        let language = self.remembered.language;
        let notices = self.notices.0.clone();
        let ctx = self.ctx.clone();
        self.runtime.spawn(async move {
            let message = files::import_file(&store, &config, &path, language).await;
            let _ = notices.send(message);
            ctx.request_repaint();
        });
    }

    /// Sends a built-in sample to the listener, and says what it answered.
    fn send_sample(&mut self, name: &'static str) {
        let Some(sample) = crate::samples::find(name) else {
            return;
        };
        let config = self.config.clone();
        let base = self.listener_url();
        let t = self.texts();
        let notices = self.notices.0.clone();
        let ctx = self.ctx.clone();
        self.runtime.spawn(async move {
            let said = match crate::samples::send(sample, &config, &base).await {
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
            };
            let _ = notices.send(said);
            ctx.request_repaint();
        });
    }

    fn save_config(&mut self, config: Config) {
        if let Err(e) = config.save(&self.paths.config_file) {
            self.notify(e.to_string());
            return;
        }
        if let Some(engine) = &self.engine {
            engine.set_config(config.clone());
        }
        self.config = config;
    }

    fn save_settings(&mut self, config: Config, remembered: Remembered) {
        let listen_changed = config.listener.listen != self.config.listener.listen;
        self.save_config(config);
        self.remembered.theme = remembered.theme;
        self.remembered.language = remembered.language;
        self.apply_look();
        self.settings = None;
        let saved = self.texts().settings_saved;
        self.notify(saved);
        if listen_changed || self.engine.is_none() {
            self.restart_listener(self.config.listener.listen);
        }
    }

    /// Stops the listener (if any) and starts it on `addr`; the result arrives in `logic`.
    fn restart_listener(&mut self, addr: SocketAddr) {
        let mut config = self.config.clone();
        config.listener.listen = addr;
        self.config.listener.listen = addr;
        let old = self.engine.take();
        self.arrivals = None;
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

    /// Applies what arrived since the last frame, within a time budget.
    fn drain(&mut self) {
        let started = Instant::now();
        while let Ok(result) = self.restarts.1.try_recv() {
            match result {
                Ok(engine) => {
                    self.engine = Some(engine);
                    self.listen_error = None;
                    self.store_damaged = false;
                    self.subscribe();
                    self.queries.ask(Question::RowsAfter(self.list.last_id()));
                    if let Err(e) = self.config.save(&self.paths.config_file) {
                        self.notify(e.to_string());
                    }
                }
                Err(e) => self.not_started(&e),
            }
        }
        let mut fresh = Vec::new();
        if let Some(arrivals) = &mut self.arrivals {
            while started.elapsed() < DRAIN_BUDGET {
                match arrivals.try_recv() {
                    Ok(capture) => fresh.push(CaptureRow::from(capture.as_ref())),
                    Err(broadcast::error::TryRecvError::Lagged(_)) => {
                        // Too many to hear one by one: read what was missed from the store.
                        self.queries.ask(Question::RowsAfter(self.list.last_id()));
                    }
                    Err(_) => break,
                }
            }
            if started.elapsed() >= DRAIN_BUDGET {
                self.ctx.request_repaint();
            }
        }
        if fresh.iter().any(panels::is_confirm) {
            self.call(panels::Call::ReestrConfirmation);
        }
        if !fresh.is_empty() {
            self.add_rows(fresh, true);
        }
        while let Ok(message) = self.notices.1.try_recv() {
            self.notify(message);
        }
        while let Ok(picked) = self.picks.1.try_recv() {
            if let Some(chooser) = &mut self.chooser {
                chooser.nothing_chosen = picked.is_none();
                if let Some(path) = picked {
                    chooser.path = path.display().to_string();
                }
            }
        }
        let answers: Vec<Answer> = self.queries.answers().collect();
        for answer in answers {
            match answer {
                Answer::Rows(rows, store_bytes) => {
                    self.loading = false;
                    self.store_bytes = store_bytes;
                    self.add_rows(rows, false);
                }
                Answer::Matching {
                    generation,
                    ids,
                    partial,
                } if generation == self.filter.generation => {
                    self.list.show_matching(&ids, partial);
                    if !partial {
                        self.filter.pending = false;
                    }
                }
                Answer::Matching { .. } => {}
                Answer::Capture(id, capture) if Some(id) == self.selected => {
                    self.detail = capture;
                    self.copy_curl_when_loaded();
                    self.capture_loaded();
                }
                Answer::Capture(..) => {}
                Answer::Failed(e) => {
                    self.loading = false;
                    self.filter.pending = false;
                    self.notify(e);
                }
            }
        }
    }

    fn shortcuts(&mut self, ctx: &egui::Context) {
        use egui::{Key, Modifiers};
        let typing = ctx.egui_wants_keyboard_input();
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
                self.filter.focus = true;
            }
            if i.consume_key(Modifiers::NONE, Key::Space) {
                commands.push(Command::SetFollow(!self.follow));
            }
            let copy = i.consume_key(Modifiers::COMMAND, Key::C)
                || i.events.iter().any(|e| matches!(e, egui::Event::Copy));
            if copy {
                if let Some(detail) = &self.detail {
                    commands.push(Command::CopyText(
                        String::from_utf8_lossy(&detail.request.body).into_owned(),
                    ));
                }
            }
        });
        self.commands.extend(commands);
    }
}

impl eframe::App for App {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.drain();
        self.drain_panels();
        if self.list.per_second() > 0 {
            // Let the rate fall back to zero on screen once arrivals stop.
            ctx.request_repaint_after(Duration::from_secs(1));
        }
        if self
            .notice
            .as_ref()
            .is_some_and(|(_, at)| at.elapsed() > Duration::from_secs(4))
        {
            self.notice = None;
        } else if self.notice.is_some() {
            ctx.request_repaint_after(Duration::from_secs(1));
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        self.shortcuts(&ctx);
        top_bar::show(ui, self);
        detail::show(ui, self);
        table::show(ui, self);
        settings::show(&ctx, self);
        files::show(&ctx, self);
        ask::show(&ctx, self);
        panels::show(&ctx, self);
        for command in std::mem::take(&mut self.commands) {
            self.handle(command);
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, eframe::APP_KEY, &self.remembered());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembered_state_survives_serialisation() {
        let remembered = Remembered {
            theme: ThemeChoice::Light,
            language: Language::Russian,
            filter: "provider:reestr".into(),
            events_after: Some("e1".into()),
            events_count: 100,
            ..Remembered::default()
        };
        let text = serde_json::to_string(&remembered).unwrap();
        let back: Remembered = serde_json::from_str(&text).unwrap();
        assert_eq!(
            (back.theme, back.language, back.filter.as_str()),
            (ThemeChoice::Light, Language::Russian, "provider:reestr")
        );
        assert_eq!(back.events_after.as_deref(), Some("e1"));
        assert_eq!(back.events_count, 100);
    }
}
