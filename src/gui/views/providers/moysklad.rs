//! The MoySklad panel: token (or login for one), the webhook subscriptions with the ones at
//! this tunnel marked and the ones at an older tunnel offered a re-point, and a create form.

use egui::Ui;

use super::{field, form, outcome, secret_field, webhook_url_row};
use crate::capture::Provider;
use crate::gui::command::{Command, MoyskladCall};
use crate::gui::state::prompt::Prompt;
use crate::gui::state::providers::SecretField;
use crate::gui::state::AppState;
use crate::gui::texts::Texts;
use crate::providers::moysklad::api::{Whereabouts, ACTIONS, COMMON_ENTITY_TYPES, REPORT_TYPES};

pub fn show(ui: &mut Ui, state: &mut AppState, t: &'static Texts) {
    let p = &mut state.panels;
    if !p.sklad.asked && p.draft.moysklad.token.is_set() {
        p.sklad.asked = true;
        state.commands.push(Command::Moysklad(MoyskladCall::List));
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
                state.commands.push(Command::Moysklad(MoyskladCall::Login {
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
            state.commands.push(Command::Moysklad(MoyskladCall::List));
        }
        if ui.button(t.save).clicked() {
            state.commands.push(Command::SaveProviderFields);
        }
    });
    outcome(ui, &state.panels.sklad.outcome, state.language);
    ui.separator();
    webhook_table(ui, state, public.as_deref(), t);
    ui.separator();
    create_form(ui, state, here, t);
}

fn webhook_table(ui: &mut Ui, state: &mut AppState, public: Option<&str>, t: &Texts) {
    if !state.panels.draft.moysklad.token.is_set() {
        ui.weak(t.sklad_no_credentials);
        return;
    }
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
                if webhook.enabled {
                    ui.label("✔");
                } else {
                    ui.colored_label(ui.visuals().warn_fg_color, format!("✖ {}", t.sklad_off))
                        .on_hover_text(t.sklad_disabled_why);
                }
                ui.horizontal(|ui| {
                    ui.monospace(&webhook.url);
                    match webhook.whereabouts(public, webhooks) {
                        Whereabouts::ThisTunnel => {
                            let success = crate::gui::views::theme::palette(ui.visuals()).success;
                            ui.colored_label(success, format!("✔ {}", t.this_tunnel));
                        }
                        Whereabouts::OlderTunnel { twin: true, .. } => {
                            ui.colored_label(ui.visuals().warn_fg_color, t.old_tunnel);
                            ui.label(t.twin_here);
                        }
                        Whereabouts::OlderTunnel { moved, twin: false } => {
                            ui.colored_label(ui.visuals().warn_fg_color, t.old_tunnel);
                            if ui.small_button(t.repoint).on_hover_text(&moved).clicked() {
                                state.commands.push(Prompt::command(
                                    t.ask_sklad_repoint
                                        .replace("{webhook}", &webhook.name())
                                        .replace("{url}", &moved),
                                    t.yes_repoint,
                                    Command::Moysklad(MoyskladCall::Repoint(
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
                    let change =
                        Command::Moysklad(MoyskladCall::Enable(Box::new(webhook.clone()), enable));
                    if ui.small_button(label).clicked() {
                        // Enabling only resumes deliveries; disabling stops them.
                        state.commands.push(if enable {
                            change
                        } else {
                            Prompt::command(
                                t.ask_sklad_disable.replace("{webhook}", &webhook.name()),
                                t.yes_disable,
                                change,
                            )
                        });
                    }
                    if ui.small_button(t.delete).clicked() {
                        state.commands.push(Prompt::command(
                            t.ask_sklad_delete.replace("{webhook}", &webhook.name()),
                            t.yes_delete,
                            Command::Moysklad(MoyskladCall::Delete(Box::new(webhook.clone()))),
                        ));
                    }
                });
                ui.end_row();
            }
        });
    ui.weak(t.sklad_silent_change);
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
        if ui
            .add_enabled(ready, egui::Button::new(t.create))
            .on_disabled_hover_text(t.create_needs)
            .clicked()
        {
            state
                .commands
                .push(Command::Moysklad(MoyskladCall::Create(new.clone())));
        }
    });
}
