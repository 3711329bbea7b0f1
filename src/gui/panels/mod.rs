//! The provider panels: register and confirm the endpoint with each provider, browse the
//! Kontur.Reestro events feed, and follow the tunnel's public URL. Each provider's module has
//! its calls (a `Call` pushed as a command), runs them on the runtime, and applies what they
//! brought back (its `Done`) in `logic`, so no frame waits for the network.

pub mod green_api;
pub mod kontur;
pub mod moysklad;
pub mod reestr;

use std::collections::HashSet;
use std::future::Future;
use std::time::Instant;

use egui::Ui;
use serde_json::Value;

use super::command::Command;
use super::logic::App;
use super::state::AppState;
use super::texts::{Language, Texts};
use crate::capture::{Capture, Provider};
use crate::config::{Config, Secret};
use crate::http::ApiError;
use crate::repoint::{self, Outcome};
use crate::tunnel::{self, Found, NotFound};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Tab {
    #[default]
    GreenApi,
    Moysklad,
    Reestr,
    Kontur,
}

/// The secret fields of the panels, each shown as dots until its Show box is ticked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SecretField {
    GreenToken,
    GreenWebhookToken,
    SkladToken,
    ReestrSecret,
    ReestrAccessToken,
    KonturKey,
}

/// Finding the public URL, and moving providers to a new one.
#[derive(Clone, Debug)]
pub enum TunnelCall {
    Detect,
    Repoint { old: String, new: String },
}

/// What a call brought back.
pub enum Done {
    Tunnel(Result<Found, NotFound>),
    Repointed(Vec<Outcome>),
    GreenApi(green_api::Done),
    Moysklad(moysklad::Done),
    Kontur(
        kontur::Move,
        Result<crate::providers::kontur::Page, ApiError>,
    ),
    /// Objects or an order loaded for a capture.
    Loaded {
        capture: i64,
        result: Result<Vec<Value>, ApiError>,
    },
}

pub struct Panels {
    pub open: bool,
    pub tab: Tab,
    /// The panels' fields, saved to the settings file on each call or Save.
    pub draft: Config,
    pub revealed: HashSet<SecretField>,
    /// Calls still running, by panel, for spinners.
    pub busy: HashSet<Tab>,
    /// The public URL: typed (settings) or detected.
    pub tunnel: Option<Found>,
    /// Why no tunnel was found: what was asked and what each answered.
    pub tunnel_missing: Option<String>,
    /// The user asked to detect: say the outcome in the status line.
    pub announce_detect: bool,
    detecting: bool,
    last_detect: Option<Instant>,
    /// `(old, new)` when a detected URL replaced the one providers were registered with.
    pub url_changed: Option<(String, String)>,
    pub repointed: Vec<Outcome>,
    /// Objects or orders loaded for a capture, shown in its overview.
    pub loaded: Option<(i64, Result<Vec<Value>, ApiError>)>,
    pub green: green_api::State,
    pub sklad: moysklad::State,
    pub reestr: reestr::State,
    pub events: kontur::State,
}

impl Panels {
    pub fn new(config: &Config, remembered: &super::state::Remembered) -> Panels {
        Panels {
            open: false,
            tab: Tab::default(),
            draft: config.clone(),
            revealed: HashSet::new(),
            busy: HashSet::new(),
            tunnel: None,
            tunnel_missing: None,
            announce_detect: false,
            detecting: false,
            last_detect: None,
            url_changed: None,
            repointed: Vec::new(),
            loaded: None,
            green: green_api::State::default(),
            sklad: moysklad::State::default(),
            reestr: reestr::State::default(),
            events: kontur::State::new(remembered.events_after.clone(), remembered.events_count),
        }
    }

    /// The URL to give `provider`, if there is a public URL.
    pub fn webhook_url(&self, provider: Provider) -> Option<String> {
        self.tunnel
            .as_ref()
            .map(|found| provider.webhook_url(&found.url))
    }

    /// Where the Kontur.Reestro feed stands, to remember across restarts.
    pub fn events_cursor(&self) -> Option<String> {
        self.events.after.clone()
    }

    pub fn events_count(&self) -> u8 {
        self.events.count
    }
}

impl App {
    /// Runs a provider call on the runtime; `tab` shows a spinner until it is done.
    pub(super) fn spawn(
        &mut self,
        tab: Option<Tab>,
        work: impl Future<Output = Done> + Send + 'static,
    ) {
        if let Some(tab) = tab {
            self.state.panels.busy.insert(tab);
        }
        let done = self.done.0.clone();
        let ctx = self.ctx.clone();
        self.runtime.spawn(async move {
            let _ = done.send(work.await);
            ctx.request_repaint();
        });
    }

    /// Saves the panels' fields when they changed, so a call uses (and keeps) what is typed;
    /// the settings a call runs with.
    pub(super) fn keep_drafts(&mut self) -> Config {
        let state = &self.state;
        let mut config = state.config.clone();
        config.green_api = state.panels.draft.green_api.clone();
        config.moysklad = state.panels.draft.moysklad.clone();
        config.reestr = state.panels.draft.reestr.clone();
        config.kontur = state.panels.draft.kontur.clone();
        if config != state.config {
            self.save_config(config.clone());
        }
        config
    }

    fn listen_port(&self) -> u16 {
        self.state
            .listening
            .unwrap_or(self.state.config.listener.listen)
            .port()
    }

    /// Applies finished calls, and looks for the tunnel now and then while none is typed.
    pub(super) fn drain_panels(&mut self) {
        while let Ok(done) = self.done.1.try_recv() {
            self.apply(done);
        }
        let panels = &self.state.panels;
        let due = panels
            .last_detect
            .is_none_or(|at| at.elapsed() >= tunnel::DETECT_EVERY);
        if due && !panels.detecting {
            self.handle(Command::Tunnel(TunnelCall::Detect));
        }
        self.ctx.request_repaint_after(tunnel::DETECT_EVERY);
        let panels = &self.state.panels;
        if panels.events.follow_due() && !panels.busy.contains(&Tab::Kontur) {
            self.handle(Command::Kontur(kontur::Move::Follow));
        }
    }

    fn apply(&mut self, done: Done) {
        match done {
            Done::Tunnel(found) => self.tunnel_found(found),
            Done::Repointed(outcomes) => self.state.panels.repointed = outcomes,
            Done::GreenApi(done) => green_api::apply(self, done),
            Done::Moysklad(done) => moysklad::apply(self, done),
            Done::Kontur(movement, page) => kontur::apply(self, movement, page),
            Done::Loaded { capture, result } => {
                self.state.panels.loaded = Some((capture, result));
            }
        }
    }

    fn tunnel_found(&mut self, found: Result<Found, NotFound>) {
        let state = &mut self.state;
        let p = &mut state.panels;
        p.detecting = false;
        let language = state.remembered.language;
        let said = match &found {
            Ok(found) => language
                .texts()
                .tunnel_found
                .replace("{url}", &found.url)
                .replace("{source}", &language.tunnel_source(&found.source)),
            Err(missing) => language.tunnel_not_found(missing),
        };
        if std::mem::take(&mut p.announce_detect) {
            state.notice = Some((said, Instant::now()));
        }
        p.tunnel_missing = found.as_ref().err().map(|e| language.tunnel_not_found(e));
        let found = found.ok();
        if let Some(url) = found.as_ref().map(|f| f.url.clone()) {
            let last = &state.remembered.public_url;
            if !last.is_empty() && *last != url {
                p.url_changed = Some((last.clone(), url.clone()));
                p.repointed.clear();
            }
            state.remembered.public_url = url;
        }
        p.tunnel = found;
    }
}

/// Finds the public URL, or moves every provider from an old one to a new one.
pub fn call(app: &mut App, call: TunnelCall) {
    let config = app.keep_drafts();
    match call {
        TunnelCall::Detect => {
            let port = app.listen_port();
            let panels = &mut app.state.panels;
            panels.detecting = true;
            panels.last_detect = Some(Instant::now());
            app.spawn(None, async move {
                Done::Tunnel(tunnel::find(&config.tunnel, port).await)
            });
        }
        TunnelCall::Repoint { old, new } => app.spawn(None, async move {
            Done::Repointed(repoint::repoint(&config, &old, &new).await)
        }),
    }
}

/// "Load object" / "Load order" for a capture, when its provider has something to load.
pub fn load_command(capture: &Capture, config: &Config) -> Option<Command> {
    match capture.judgement.provider {
        Provider::Moysklad if config.moysklad.token.is_set() => {
            let hrefs = crate::providers::moysklad::hrefs(&capture.request.body);
            (!hrefs.is_empty()).then_some(Command::Moysklad(moysklad::Call::Load {
                capture: capture.id,
                hrefs,
            }))
        }
        Provider::Reestr if config.reestr.access_token.is_set() => {
            crate::providers::reestr::order_id(capture).map(|order| {
                Command::Reestr(reestr::Call::Order {
                    capture: capture.id,
                    order,
                })
            })
        }
        _ => None,
    }
}

/// Runs `work` with a provider client made from the settings; a setting that is missing and
/// a call that fails both come back as the API's error.
async fn with_client<C, T, Fut>(
    client: Result<C, ApiError>,
    work: impl FnOnce(C) -> Fut,
) -> Result<T, ApiError>
where
    Fut: Future<Output = Result<T, ApiError>>,
{
    work(client?).await
}

/// The Providers window.
pub fn show(ctx: &egui::Context, state: &mut AppState) {
    let t = state.texts();
    let mut open = state.panels.open;
    egui::Window::new(t.providers)
        .open(&mut open)
        // Within the window however small it is; the content scrolls.
        .default_size([
            920.0_f32.min(ctx.content_rect().width() - 24.0),
            560.0_f32.min(ctx.content_rect().height() - 60.0),
        ])
        .show(ctx, |ui| {
            ui.horizontal(|ui| {
                for (tab, name) in [
                    (Tab::GreenApi, Provider::GreenApi.title()),
                    (Tab::Moysklad, Provider::Moysklad.title()),
                    (Tab::Reestr, Provider::Reestr.title()),
                    (Tab::Kontur, "Rosreestr · Kontur"),
                ] {
                    if ui.selectable_label(state.panels.tab == tab, name).clicked()
                        && state.panels.tab != tab
                    {
                        state.commands.push(Command::ShowProvider(tab));
                    }
                }
                if state.panels.busy.contains(&state.panels.tab) {
                    ui.spinner();
                    ui.label(t.working);
                }
            });
            ui.separator();
            egui::ScrollArea::vertical()
                .auto_shrink(false)
                .show(ui, |ui| match state.panels.tab {
                    Tab::GreenApi => green_api::show(ui, state, t),
                    Tab::Moysklad => moysklad::show(ui, state, t),
                    Tab::Reestr => reestr::show(ui, state, t),
                    Tab::Kontur => kontur::show(ui, state, t),
                });
        });
    if state.panels.open && !open {
        state.commands.push(Command::CloseProviders);
    }
}

/// A panel's fields: labels on the left, inputs on the right.
fn form(ui: &mut Ui, id: &str, fields: impl FnOnce(&mut Ui)) {
    egui::Grid::new(id)
        .num_columns(2)
        .spacing([12.0, 6.0])
        .show(ui, fields);
}

/// A labelled text field in a panel's grid.
fn field(ui: &mut Ui, label: &str, value: &mut String) {
    let label = ui.label(label);
    ui.add(egui::TextEdit::singleline(value).desired_width(360.0))
        .labelled_by(label.id);
    ui.end_row();
}

/// A labelled secret field: dots until its Show box is ticked.
fn secret_field(
    ui: &mut Ui,
    revealed: &mut HashSet<SecretField>,
    which: SecretField,
    label: &str,
    value: &mut Secret,
    t: &Texts,
) {
    let name = ui.label(label);
    ui.horizontal(|ui| {
        let mut shown = revealed.contains(&which);
        ui.add(
            egui::TextEdit::singleline(value.edit())
                .password(!shown)
                .desired_width(300.0),
        )
        .labelled_by(name.id);
        if ui.checkbox(&mut shown, t.show_secret).changed() {
            if shown {
                revealed.insert(which);
            } else {
                revealed.remove(&which);
            }
        }
    });
    ui.end_row();
}

/// The webhook URL a provider should be given, or why there is none.
fn webhook_url_row(
    ui: &mut Ui,
    state: &mut AppState,
    provider: Provider,
    t: &Texts,
) -> Option<String> {
    let url = state.panels.webhook_url(provider);
    ui.horizontal_wrapped(|ui| {
        ui.label(t.webhook_url);
        match &url {
            Some(url) => {
                ui.monospace(url);
                if ui.small_button("📋").on_hover_text(t.copy).clicked() {
                    state.commands.push(Command::CopyText(url.clone()));
                }
            }
            None => {
                ui.colored_label(ui.visuals().warn_fg_color, t.no_public_url);
            }
        }
    });
    url
}

/// An RFC 3339 time to the second, as a person reads it: `2026-11-01T09:00:00+03:00` as
/// `2026-11-01 09:00:00` (the offset is left to the caller); other text as it is.
fn short_date(date: &str) -> String {
    match date.get(..19) {
        Some(cut) if cut.as_bytes()[10] == b'T' => cut.replacen('T', " ", 1),
        _ => date.to_string(),
    }
}

/// A call's outcome under the buttons: green when it worked, red (in the user's language)
/// when it did not.
fn outcome(ui: &mut Ui, outcome: &Option<Result<String, ApiError>>, language: Language) {
    match outcome {
        Some(Ok(text)) => {
            ui.colored_label(super::theme::palette(ui.visuals()).success, text);
        }
        Some(Err(error)) => {
            ui.colored_label(ui.visuals().error_fg_color, language.api_error(error));
        }
        None => {}
    }
}
