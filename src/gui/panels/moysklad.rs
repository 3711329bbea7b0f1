//! The MoySklad panel: token (or login for one), the webhook subscriptions with the ones at
//! this tunnel marked and the ones at an older tunnel offered a re-point, and a create form.

use egui::Ui;
use serde_json::json;

use super::{field, form, outcome, secret_field, webhook_url_row, with_client, SecretField, Tab};
use crate::capture::Provider;
use crate::config::Secret;
use crate::gui::ask::Question;
use crate::gui::command::Command;
use crate::gui::logic::App;
use crate::gui::state::AppState;
use crate::gui::texts::Texts;
use crate::http::ApiError;
use crate::providers::moysklad::api::{
    self as sklad, Account, NewWebhook, Webhook, Whereabouts, ACTIONS, COMMON_ENTITY_TYPES,
    REPORT_TYPES,
};

#[derive(Clone, Debug)]
pub enum Call {
    /// A token for a login and password.
    Login {
        login: String,
        password: String,
    },
    List,
    Create(NewWebhook),
    Enable(Box<Webhook>, bool),
    /// Moves a webhook to a new URL.
    Repoint(Box<Webhook>, String),
    Delete(Box<Webhook>),
    /// Read each event's object of a capture.
    Load {
        capture: i64,
        hrefs: Vec<String>,
    },
}

pub enum Done {
    Token(Result<Secret, ApiError>),
    Webhooks(Result<Vec<Webhook>, ApiError>),
    /// A webhook changed, with what happened in words.
    Changed(Result<String, ApiError>),
}

#[derive(Default)]
pub struct State {
    pub login: String,
    pub password: String,
    webhooks: Option<Vec<Webhook>>,
    /// Whether the list was asked for since the app started; the first look at the panel does.
    asked: bool,
    new: NewWebhook,
    pub outcome: Option<Result<String, ApiError>>,
}

pub fn call(app: &mut App, call: Call) {
    let config = app.keep_drafts();
    let t = app.state.texts();
    let account = || Account::new(&config.moysklad);
    match call {
        Call::Login { login, password } => {
            let api_url = config.moysklad.api_url.clone();
            app.spawn(Some(Tab::Moysklad), async move {
                super::Done::Moysklad(Done::Token(
                    sklad::obtain_token(&api_url, &login, &password).await,
                ))
            });
        }
        Call::List => {
            let account = account();
            app.spawn(Some(Tab::Moysklad), async move {
                let listed = with_client(account, |a| async move { a.webhooks().await }).await;
                super::Done::Moysklad(Done::Webhooks(listed))
            });
        }
        Call::Create(new) => {
            let account = account();
            app.spawn(Some(Tab::Moysklad), async move {
                let made = with_client(account, |a| async move { a.create(&new).await }).await;
                changed(made.map(|w| t.sklad_created.replace("{webhook}", &w.name())))
            });
        }
        Call::Enable(webhook, enable) => {
            let account = account();
            app.spawn(Some(Tab::Moysklad), async move {
                let done = with_client(account, |a| async move {
                    a.update(&webhook, json!({ "enabled": enable })).await
                })
                .await;
                let said = if enable {
                    t.sklad_enabled
                } else {
                    t.sklad_disabled
                };
                changed(done.map(|w| said.replace("{webhook}", &w.name())))
            });
        }
        Call::Repoint(webhook, url) => {
            let account = account();
            app.spawn(Some(Tab::Moysklad), async move {
                let before = webhook.name();
                let done = with_client(account, |a| async move {
                    a.update(&webhook, json!({ "url": url })).await
                })
                .await;
                changed(done.map(|w| {
                    t.sklad_repointed
                        .replace("{webhook}", &before)
                        .replace("{url}", &w.url)
                }))
            });
        }
        Call::Delete(webhook) => {
            let account = account();
            app.spawn(Some(Tab::Moysklad), async move {
                let name = webhook.name();
                let done = with_client(account, |a| async move { a.delete(&webhook).await }).await;
                changed(done.map(|()| t.sklad_deleted.replace("{webhook}", &name)))
            });
        }
        Call::Load { capture, hrefs } => {
            let account = account();
            app.spawn(None, async move {
                let result = with_client(account, |a| async move {
                    let mut objects = Vec::new();
                    for href in &hrefs {
                        objects.push(a.load(href).await?);
                    }
                    Ok(objects)
                })
                .await;
                super::Done::Loaded { capture, result }
            });
        }
    }
}

fn changed(result: Result<String, ApiError>) -> super::Done {
    super::Done::Moysklad(Done::Changed(result))
}

pub fn apply(app: &mut App, done: Done) {
    let panels = &mut app.state.panels;
    panels.busy.remove(&Tab::Moysklad);
    match done {
        Done::Token(Ok(token)) => {
            panels.draft.moysklad.token = token;
            panels.sklad.password.clear();
            app.handle(Command::Moysklad(Call::List));
        }
        Done::Token(Err(e)) | Done::Webhooks(Err(e)) => panels.sklad.outcome = Some(Err(e)),
        Done::Webhooks(Ok(webhooks)) => panels.sklad.webhooks = Some(webhooks),
        Done::Changed(result) => {
            let ok = result.is_ok();
            panels.sklad.outcome = Some(result);
            if ok {
                app.handle(Command::Moysklad(Call::List));
            }
        }
    }
}

pub fn show(ui: &mut Ui, state: &mut AppState, t: &'static Texts) {
    let p = &mut state.panels;
    if !p.sklad.asked && p.draft.moysklad.token.is_set() {
        p.sklad.asked = true;
        state.commands.push(Command::Moysklad(Call::List));
    }
    form(ui, "moysklad-fields", |ui| {
        field(ui, t.api_url, &mut p.draft.moysklad.api_url);
        secret_field(
            ui,
            &mut p.revealed,
            SecretField::SkladToken,
            t.token,
            &mut p.draft.moysklad.token,
            t,
        );
        field(ui, t.login, &mut p.sklad.login);
        ui.label(t.password);
        ui.horizontal(|ui| {
            ui.add(
                egui::TextEdit::singleline(&mut p.sklad.password)
                    .password(true)
                    .desired_width(200.0),
            );
            let ready = !p.sklad.login.is_empty() && !p.sklad.password.is_empty();
            if ui
                .add_enabled(ready, egui::Button::new(t.get_token))
                .clicked()
            {
                state.commands.push(Command::Moysklad(Call::Login {
                    login: p.sklad.login.clone(),
                    password: p.sklad.password.clone(),
                }));
            }
        });
        ui.end_row();
    });
    let here = webhook_url_row(ui, state, Provider::Moysklad, t);
    let public = state.panels.tunnel.as_ref().map(|f| f.url.clone());
    ui.horizontal_wrapped(|ui| {
        if ui.button(t.refresh).clicked() {
            state.commands.push(Command::Moysklad(Call::List));
        }
        if ui.button(t.save).clicked() {
            state.commands.push(Command::SaveProviderFields);
        }
    });
    outcome(ui, &state.panels.sklad.outcome, state.remembered.language);
    ui.separator();
    webhook_table(ui, state, public.as_deref(), t);
    ui.separator();
    create_form(ui, state, here, t);
}

fn webhook_table(ui: &mut Ui, state: &mut AppState, public: Option<&str>, t: &Texts) {
    let Some(webhooks) = &state.panels.sklad.webhooks else {
        return;
    };
    if webhooks.is_empty() {
        ui.label(t.no_webhooks);
        return;
    }
    egui::Grid::new("moysklad-webhooks")
        .num_columns(6)
        .striped(true)
        .spacing([10.0, 4.0])
        .show(ui, |ui| {
            for title in [t.entity_type, t.action, t.diff_type, t.enabled, "URL", ""] {
                ui.strong(title);
            }
            ui.end_row();
            for webhook in webhooks {
                ui.label(&webhook.entity_type);
                ui.label(&webhook.action);
                ui.label(&webhook.diff_type);
                ui.label(if webhook.enabled { "✔" } else { "✖" });
                ui.horizontal(|ui| {
                    ui.monospace(&webhook.url);
                    match webhook.whereabouts(public, webhooks) {
                        Whereabouts::ThisTunnel => {
                            let success = crate::gui::theme::palette(ui.visuals()).success;
                            ui.colored_label(success, format!("✔ {}", t.this_tunnel));
                        }
                        Whereabouts::OlderTunnel { twin: true, .. } => {
                            ui.colored_label(ui.visuals().warn_fg_color, t.old_tunnel);
                            ui.label(t.twin_here);
                        }
                        Whereabouts::OlderTunnel { moved, twin: false } => {
                            ui.colored_label(ui.visuals().warn_fg_color, t.old_tunnel);
                            if ui.small_button(t.repoint).on_hover_text(&moved).clicked() {
                                state.commands.push(Question::command(
                                    t.ask_sklad_repoint
                                        .replace("{webhook}", &webhook.name())
                                        .replace("{url}", &moved),
                                    t.yes_repoint,
                                    Command::Moysklad(Call::Repoint(
                                        Box::new(webhook.clone()),
                                        moved,
                                    )),
                                ));
                            }
                        }
                        Whereabouts::Elsewhere => {}
                    }
                });
                ui.horizontal(|ui| {
                    let (label, enable) = if webhook.enabled {
                        (t.disable, false)
                    } else {
                        (t.enable, true)
                    };
                    let change = Command::Moysklad(Call::Enable(Box::new(webhook.clone()), enable));
                    if ui.small_button(label).clicked() {
                        // Enabling only resumes deliveries; disabling stops them.
                        state.commands.push(if enable {
                            change
                        } else {
                            Question::command(
                                t.ask_sklad_disable.replace("{webhook}", &webhook.name()),
                                t.yes_disable,
                                change,
                            )
                        });
                    }
                    if ui.small_button(t.delete).clicked() {
                        state.commands.push(Question::command(
                            t.ask_sklad_delete.replace("{webhook}", &webhook.name()),
                            t.yes_delete,
                            Command::Moysklad(Call::Delete(Box::new(webhook.clone()))),
                        ));
                    }
                });
                ui.end_row();
            }
        });
}

fn create_form(ui: &mut Ui, state: &mut AppState, here: Option<String>, t: &Texts) {
    let new = &mut state.panels.sklad.new;
    let stock = new.entity_type.trim() == "stock";
    let choices = if stock { REPORT_TYPES } else { ACTIONS };
    if !choices.contains(&new.action.as_str()) {
        new.action = choices[0].into();
    }
    if new.url.is_empty() {
        new.url = here.unwrap_or_default();
    }
    ui.horizontal_wrapped(|ui| {
        ui.label(t.entity_type);
        egui::ComboBox::from_id_salt("moysklad-entity-type")
            .selected_text(&new.entity_type)
            .show_ui(ui, |ui| {
                for kind in COMMON_ENTITY_TYPES {
                    ui.selectable_value(&mut new.entity_type, kind.to_string(), *kind);
                }
            });
        ui.add(egui::TextEdit::singleline(&mut new.entity_type).desired_width(110.0));
        ui.label(if stock { t.report_type } else { t.action });
        egui::ComboBox::from_id_salt("moysklad-action")
            .selected_text(&new.action)
            .show_ui(ui, |ui| {
                for action in choices {
                    ui.selectable_value(&mut new.action, action.to_string(), *action);
                }
            });
        if new.action == "UPDATE" {
            let diff = new.diff_type.get_or_insert_with(|| "NONE".into());
            ui.label(t.diff_type);
            egui::ComboBox::from_id_salt("moysklad-diff")
                .selected_text(diff.as_str())
                .show_ui(ui, |ui| {
                    for value in ["NONE", "FIELDS"] {
                        ui.selectable_value(diff, value.to_string(), value);
                    }
                });
        } else {
            new.diff_type = None;
        }
    });
    ui.horizontal(|ui| {
        ui.label("URL");
        ui.add(egui::TextEdit::singleline(&mut new.url).desired_width(420.0));
        let ready = !new.entity_type.trim().is_empty() && !new.url.trim().is_empty();
        if ui.add_enabled(ready, egui::Button::new(t.create)).clicked() {
            state
                .commands
                .push(Command::Moysklad(Call::Create(new.clone())));
        }
    });
}
