//! The provider panels: register and confirm the endpoint with each provider, browse the
//! Rosreestr events feed, and follow the tunnel's public URL. Buttons push a [`Call`]; it runs
//! on the runtime and its [`Done`] is applied in `logic`, so no frame waits for the network.

mod green_api;
mod moysklad;
mod reestr;
mod rosreestr;

use std::collections::HashSet;
use std::future::Future;
use std::sync::mpsc;
use std::time::Instant;

use egui::Ui;
use serde_json::{Map, Value};

use super::texts::Texts;
use super::{App, Command};
use crate::capture::{CaptureRow, Provider};
use crate::config::{Config, Secret};
use crate::providers::green_api::api::Instance;
use crate::providers::kontur::{Feed, Page};
use crate::providers::moysklad::api::{self as sklad, Account, NewWebhook, Webhook};
use crate::providers::reestr as reestr_rules;
use crate::providers::reestr::Confirmation;
use crate::repoint::{self, Outcome};
use crate::tunnel::{self, Found};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Tab {
    #[default]
    GreenApi,
    Moysklad,
    Reestr,
    Rosreestr,
}

/// What a panel button asks for.
#[derive(Clone, Debug)]
pub enum Call {
    /// Keep what was typed in the panels.
    Save,
    DetectTunnel,
    Repoint {
        old: String,
        new: String,
    },
    GreenSettings,
    GreenConnect {
        url: String,
        switches: Vec<&'static str>,
    },
    GreenDisconnect,
    SkladLogin {
        login: String,
        password: String,
    },
    SkladList,
    SkladCreate(NewWebhook),
    SkladEnable(Box<Webhook>, bool),
    /// Moves a webhook to a new URL.
    SkladRepoint(Box<Webhook>, String),
    SkladDelete(Box<Webhook>),
    /// Read each event's object of a MoySklad capture.
    SkladLoad {
        capture: i64,
        hrefs: Vec<String>,
    },
    ReestrOrder {
        capture: i64,
        order: String,
    },
    /// Find what the newest `confirm` capture means.
    ReestrConfirmation,
    Events(rosreestr::Move),
}

/// What a call brought back.
enum Done {
    Tunnel(Result<Found, String>),
    Repointed(Vec<Outcome>),
    GreenSettings(Result<Map<String, Value>, String>),
    GreenSaved(Result<String, String>),
    SkladToken(Result<Secret, String>),
    SkladWebhooks(Result<Vec<Webhook>, String>),
    SkladChanged(Result<String, String>),
    Loaded {
        capture: i64,
        result: Result<Vec<Value>, String>,
    },
    Confirmation(Option<(String, Confirmation)>),
    Events(rosreestr::Move, Result<Page, String>),
}

pub struct Panels {
    pub open: bool,
    pub tab: Tab,
    /// The panels' fields, saved to the settings file on each call or Save.
    draft: Config,
    /// Secret fields whose text is shown.
    revealed: HashSet<&'static str>,
    /// Calls still running, by panel, for spinners.
    busy: HashSet<Tab>,
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
    pub loaded: Option<(i64, Result<Vec<Value>, String>)>,
    green: green_api::State,
    sklad: moysklad::State,
    pub reestr: reestr::State,
    events: rosreestr::State,
    done: (mpsc::Sender<Done>, mpsc::Receiver<Done>),
}

impl Panels {
    pub fn new(config: &Config, remembered: &super::Remembered) -> Panels {
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
            events: rosreestr::State::new(remembered.events_after.clone(), remembered.events_count),
            done: mpsc::channel(),
        }
    }

    /// The public URL and provider path, if there is a public URL.
    pub fn webhook_url(&self, provider: Provider) -> Option<String> {
        self.tunnel
            .as_ref()
            .map(|found| provider.webhook_url(&found.url))
    }

    /// Where the Rosreestr feed stands, to remember across restarts.
    pub fn events_cursor(&self) -> Option<String> {
        self.events.after.clone()
    }

    pub fn events_count(&self) -> u8 {
        self.events.count
    }
}

impl App {
    fn spawn(&mut self, tab: Option<Tab>, work: impl Future<Output = Done> + Send + 'static) {
        if let Some(tab) = tab {
            self.panels.busy.insert(tab);
        }
        let done = self.panels.done.0.clone();
        let ctx = self.ctx.clone();
        self.runtime.spawn(async move {
            let _ = done.send(work.await);
            ctx.request_repaint();
        });
    }

    /// Saves the panels' fields when they changed, so a call uses (and keeps) what is typed.
    fn keep_drafts(&mut self) {
        let mut config = self.config.clone();
        config.green_api = self.panels.draft.green_api.clone();
        config.moysklad = self.panels.draft.moysklad.clone();
        config.reestr = self.panels.draft.reestr.clone();
        config.kontur = self.panels.draft.kontur.clone();
        if config != self.config {
            self.save_config(config);
        }
    }

    pub(super) fn call(&mut self, call: Call) {
        self.keep_drafts();
        let t = self.texts();
        let config = self.config.clone();
        let port = self.listen_port();
        match call {
            Call::Save => {
                let saved = self.texts().settings_saved;
                self.notify(saved);
            }
            Call::DetectTunnel => {
                self.panels.detecting = true;
                self.panels.last_detect = Some(Instant::now());
                self.spawn(None, async move {
                    Done::Tunnel(
                        tunnel::find(&config.tunnel, port)
                            .await
                            .map_err(|e| e.to_string()),
                    )
                });
            }
            Call::Repoint { old, new } => self.spawn(None, async move {
                Done::Repointed(repoint::repoint(&config, &old, &new).await)
            }),
            Call::GreenSettings => self.spawn(Some(Tab::GreenApi), async move {
                Done::GreenSettings(
                    with_client(Instance::new(&config.green_api), |i| async move {
                        i.settings().await
                    })
                    .await,
                )
            }),
            Call::GreenConnect { url, switches } => {
                let token = config.green_api.webhook_url_token.expose().to_string();
                let body =
                    crate::providers::green_api::api::webhook_settings(&url, &token, &switches);
                let done = t
                    .green_connected
                    .replace("{instance}", &config.green_api.id_instance)
                    .replace("{url}", &url);
                self.spawn(Some(Tab::GreenApi), async move {
                    let saved = with_client(Instance::new(&config.green_api), |i| async move {
                        i.set_settings(&body).await
                    })
                    .await;
                    Done::GreenSaved(saved.map(|()| done))
                });
            }
            Call::GreenDisconnect => {
                let off = crate::providers::green_api::api::webhook_url_only("");
                let done = t
                    .green_disconnected
                    .replace("{instance}", &config.green_api.id_instance);
                self.spawn(Some(Tab::GreenApi), async move {
                    let saved = with_client(Instance::new(&config.green_api), |i| async move {
                        i.set_settings(&off).await
                    })
                    .await;
                    Done::GreenSaved(saved.map(|()| done))
                });
            }
            Call::SkladLogin { login, password } => self.spawn(Some(Tab::Moysklad), async move {
                let token = sklad::obtain_token(&config.moysklad.api_url, &login, &password).await;
                Done::SkladToken(token.map_err(|e| e.to_string()))
            }),
            Call::SkladList => self.spawn(Some(Tab::Moysklad), async move {
                Done::SkladWebhooks(
                    with_client(Account::new(&config.moysklad), |a| async move {
                        a.webhooks().await
                    })
                    .await,
                )
            }),
            Call::SkladCreate(new) => self.spawn(Some(Tab::Moysklad), async move {
                let made = with_client(Account::new(&config.moysklad), |a| async move {
                    a.create(&new).await
                })
                .await;
                Done::SkladChanged(made.map(|w| t.sklad_created.replace("{webhook}", &w.name())))
            }),
            Call::SkladEnable(webhook, enable) => self.spawn(Some(Tab::Moysklad), async move {
                let done = with_client(Account::new(&config.moysklad), |a| async move {
                    a.update(&webhook, serde_json::json!({ "enabled": enable }))
                        .await
                })
                .await;
                let said = if enable {
                    t.sklad_enabled
                } else {
                    t.sklad_disabled
                };
                Done::SkladChanged(done.map(|w| said.replace("{webhook}", &w.name())))
            }),
            Call::SkladRepoint(webhook, url) => self.spawn(Some(Tab::Moysklad), async move {
                let before = webhook.name();
                let done = with_client(Account::new(&config.moysklad), |a| async move {
                    a.update(&webhook, serde_json::json!({ "url": url })).await
                })
                .await;
                Done::SkladChanged(done.map(|w| {
                    t.sklad_repointed
                        .replace("{webhook}", &before)
                        .replace("{url}", &w.url)
                }))
            }),
            Call::SkladDelete(webhook) => self.spawn(Some(Tab::Moysklad), async move {
                let name = webhook.name();
                let done = with_client(Account::new(&config.moysklad), |a| async move {
                    a.delete(&webhook).await
                })
                .await;
                Done::SkladChanged(done.map(|()| t.sklad_deleted.replace("{webhook}", &name)))
            }),
            Call::SkladLoad { capture, hrefs } => self.spawn(None, async move {
                let result = with_client(Account::new(&config.moysklad), |a| async move {
                    let mut objects = Vec::new();
                    for href in &hrefs {
                        objects.push(a.load(href).await?);
                    }
                    Ok(objects)
                })
                .await;
                Done::Loaded { capture, result }
            }),
            Call::ReestrOrder { capture, order } => self.spawn(None, async move {
                let order = reestr_rules::api::order(&config.reestr, &order).await;
                Done::Loaded {
                    capture,
                    result: order.map(|o| vec![o]).map_err(|e| e.to_string()),
                }
            }),
            Call::ReestrConfirmation => {
                let store_file = self.paths.store_file();
                self.spawn(None, async move {
                    let latest = tokio::task::spawn_blocking(move || {
                        reestr::latest_confirmation(&store_file)
                    })
                    .await
                    .ok()
                    .flatten();
                    Done::Confirmation(latest)
                });
            }
            Call::Events(movement) => {
                let after = self.panels.events.after_for(&movement);
                let count = self.panels.events.count;
                self.spawn(Some(Tab::Rosreestr), async move {
                    let page = with_client(Feed::new(&config.kontur), |feed| async move {
                        feed.page(after.as_deref(), count).await
                    })
                    .await;
                    Done::Events(movement, page)
                });
            }
        }
    }

    fn listen_port(&self) -> u16 {
        self.engine
            .as_ref()
            .map_or(self.config.listener.listen.port(), |e| {
                e.local_addr().port()
            })
    }

    /// Applies finished calls, and looks for the tunnel now and then while none is typed.
    pub(super) fn drain_panels(&mut self) {
        while let Ok(done) = self.panels.done.1.try_recv() {
            self.apply(done);
        }
        let due = self
            .panels
            .last_detect
            .is_none_or(|at| at.elapsed() >= tunnel::DETECT_EVERY);
        if due && !self.panels.detecting {
            self.call(Call::DetectTunnel);
        }
        self.ctx.request_repaint_after(tunnel::DETECT_EVERY);
        if self.panels.events.follow_due() && !self.panels.busy.contains(&Tab::Rosreestr) {
            self.call(Call::Events(rosreestr::Move::Follow));
        }
    }

    fn apply(&mut self, done: Done) {
        let p = &mut self.panels;
        match done {
            Done::Tunnel(found) => {
                p.detecting = false;
                let language = self.remembered.language;
                let said = match &found {
                    Ok(found) => language
                        .texts()
                        .tunnel_found
                        .replace("{url}", &found.url)
                        .replace("{source}", &language.tunnel_source(&found.source)),
                    Err(missing) => missing.clone(),
                };
                if std::mem::take(&mut p.announce_detect) {
                    self.notice = Some((said, Instant::now()));
                }
                p.tunnel_missing = found.as_ref().err().cloned();
                let found = found.ok();
                let url = found.as_ref().map(|f| f.url.clone());
                let last = &self.remembered.public_url;
                if let Some(url) = &url {
                    if !last.is_empty() && last != url {
                        p.url_changed = Some((last.clone(), url.clone()));
                        p.repointed.clear();
                    }
                    self.remembered.public_url = url.clone();
                }
                p.tunnel = found;
            }
            Done::Repointed(outcomes) => p.repointed = outcomes,
            Done::GreenSettings(result) => {
                p.busy.remove(&Tab::GreenApi);
                p.green.settings_loaded(result);
            }
            Done::GreenSaved(result) => {
                p.busy.remove(&Tab::GreenApi);
                let ok = result.is_ok();
                p.green.outcome = Some(result);
                if ok {
                    // What the instance holds now, beside what was asked.
                    self.call(Call::GreenSettings);
                }
            }
            Done::SkladToken(result) => {
                p.busy.remove(&Tab::Moysklad);
                match result {
                    Ok(token) => {
                        p.draft.moysklad.token = token;
                        p.sklad.password.clear();
                        self.call(Call::SkladList);
                    }
                    Err(e) => p.sklad.outcome = Some(Err(e)),
                }
            }
            Done::SkladWebhooks(result) => {
                p.busy.remove(&Tab::Moysklad);
                p.sklad.listed(result);
            }
            Done::SkladChanged(result) => {
                p.busy.remove(&Tab::Moysklad);
                let ok = result.is_ok();
                p.sklad.outcome = Some(result);
                if ok {
                    self.call(Call::SkladList);
                }
            }
            Done::Loaded { capture, result } => p.loaded = Some((capture, result)),
            Done::Confirmation(latest) => p.reestr.confirmation = latest,
            Done::Events(movement, result) => {
                p.busy.remove(&Tab::Rosreestr);
                p.events.arrived(movement, result);
            }
        }
    }

    /// A capture was loaded into the detail pane: load what it names when asked to.
    pub(super) fn capture_loaded(&mut self) {
        let Some(capture) = &self.detail else {
            return;
        };
        if self
            .panels
            .loaded
            .as_ref()
            .is_some_and(|(id, _)| *id != capture.id)
        {
            self.panels.loaded = None;
        }
        let is_confirm = is_confirm(&CaptureRow::from(capture.as_ref()));
        let load = load_call(capture, &self.config).filter(|_| self.remembered.auto_load);
        if is_confirm {
            self.call(Call::ReestrConfirmation);
        }
        if let Some(call) = load {
            self.call(call);
        }
    }
}

/// Reestr's address check: its outcome is the Reestr panel's confirmation state.
pub fn is_confirm(row: &CaptureRow) -> bool {
    row.provider == Provider::Reestr && row.event == "confirm"
}

/// "Load object" / "Load order" for a capture, when its provider has something to load.
pub fn load_call(capture: &crate::capture::Capture, config: &Config) -> Option<Call> {
    match capture.judgement.provider {
        Provider::Moysklad if config.moysklad.token.is_set() => {
            let hrefs = crate::providers::moysklad::hrefs(&capture.request.body);
            (!hrefs.is_empty()).then_some(Call::SkladLoad {
                capture: capture.id,
                hrefs,
            })
        }
        Provider::Reestr if config.reestr.access_token.is_set() => reestr_rules::order_id(capture)
            .map(|order| Call::ReestrOrder {
                capture: capture.id,
                order,
            }),
        _ => None,
    }
}

/// Runs `work` with a provider client made from the settings; a setting that is missing and
/// a call that fails both come back as their sentence.
async fn with_client<C, T, Fut>(
    client: Result<C, crate::http::ApiError>,
    work: impl FnOnce(C) -> Fut,
) -> Result<T, String>
where
    Fut: Future<Output = Result<T, crate::http::ApiError>>,
{
    match client {
        Ok(client) => work(client).await.map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    }
}

/// The Providers window.
pub fn show(ctx: &egui::Context, app: &mut App) {
    let t = app.texts();
    let mut open = app.panels.open;
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
                    (Tab::Rosreestr, "Rosreestr · Kontur"),
                ] {
                    if ui.selectable_label(app.panels.tab == tab, name).clicked()
                        && app.panels.tab != tab
                    {
                        app.commands.push(Command::ShowProvider(tab));
                    }
                }
                if app.panels.busy.contains(&app.panels.tab) {
                    ui.spinner();
                    ui.label(t.working);
                }
            });
            ui.separator();
            egui::ScrollArea::vertical()
                .auto_shrink(false)
                .show(ui, |ui| match app.panels.tab {
                    Tab::GreenApi => green_api::show(ui, app, t),
                    Tab::Moysklad => moysklad::show(ui, app, t),
                    Tab::Reestr => reestr::show(ui, app, t),
                    Tab::Rosreestr => rosreestr::show(ui, app, t),
                });
        });
    app.panels.open = open;
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
    revealed: &mut HashSet<&'static str>,
    label: &'static str,
    value: &mut Secret,
    t: &Texts,
) {
    let name = ui.label(label);
    ui.horizontal(|ui| {
        let mut shown = revealed.contains(label);
        ui.add(
            egui::TextEdit::singleline(value.edit())
                .password(!shown)
                .desired_width(300.0),
        )
        .labelled_by(name.id);
        if ui.checkbox(&mut shown, t.show_secret).changed() {
            if shown {
                revealed.insert(label);
            } else {
                revealed.remove(label);
            }
        }
    });
    ui.end_row();
}

/// The webhook URL a provider should be given, or why there is none.
fn webhook_url_row(ui: &mut Ui, app: &mut App, provider: Provider, t: &Texts) -> Option<String> {
    let url = app.panels.webhook_url(provider);
    ui.horizontal_wrapped(|ui| {
        ui.label(t.webhook_url);
        match &url {
            Some(url) => {
                ui.monospace(url);
                if ui.small_button("📋").on_hover_text(t.copy).clicked() {
                    app.commands.push(Command::CopyText(url.clone()));
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

/// A call's outcome under the buttons: green when it worked, red when it did not.
fn outcome(ui: &mut Ui, outcome: &Option<Result<String, String>>) {
    match outcome {
        Some(Ok(text)) => {
            ui.colored_label(crate::gui::theme::SUCCESS, text);
        }
        Some(Err(text)) => {
            ui.colored_label(ui.visuals().error_fg_color, text);
        }
        None => {}
    }
}
