//! The MoySklad panel: token (or login for one), the webhook subscriptions with the ones at
//! this tunnel marked and the ones at an older tunnel offered a re-point, and a create form.

use egui::Ui;

use super::{field, form, outcome, secret_field, webhook_url_row, Call};
use crate::capture::Provider;
use crate::gui::ask::Question;
use crate::gui::texts::Texts;
use crate::gui::{App, Command};
use crate::providers::moysklad::api::{
    NewWebhook, Webhook, ACTIONS, COMMON_ENTITY_TYPES, REPORT_TYPES,
};
use crate::repoint::moved;

#[derive(Default)]
pub struct State {
    pub login: String,
    pub password: String,
    webhooks: Option<Vec<Webhook>>,
    /// Whether the list was asked for since the app started; the first look at the panel does.
    asked: bool,
    new: NewWebhook,
    pub outcome: Option<Result<String, String>>,
}

impl State {
    pub fn listed(&mut self, result: Result<Vec<Webhook>, String>) {
        match result {
            Ok(webhooks) => self.webhooks = Some(webhooks),
            Err(e) => self.outcome = Some(Err(e)),
        }
    }
}

/// Hosts of quick tunnels, which change at every start: a webhook there that is not at this
/// tunnel is most likely at an older one of the user's.
fn on_a_tunnel(url: &str) -> bool {
    let host = url
        .split("://")
        .nth(1)
        .unwrap_or(url)
        .split(['/', ':'])
        .next()
        .unwrap_or("");
    [
        ".trycloudflare.com",
        ".ngrok-free.app",
        ".ngrok.io",
        ".ngrok.app",
        ".ngrok-free.dev",
    ]
    .iter()
    .any(|suffix| host.ends_with(suffix))
}

pub fn show(ui: &mut Ui, app: &mut App, t: &'static Texts) {
    let p = &mut app.panels;
    if !p.sklad.asked && p.draft.moysklad.token.is_set() {
        p.sklad.asked = true;
        app.commands.push(Command::Provider(Call::SkladList));
    }
    form(ui, "moysklad-fields", |ui| {
        field(ui, t.api_url, &mut p.draft.moysklad.api_url);
        secret_field(ui, &mut p.revealed, t.token, &mut p.draft.moysklad.token, t);
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
                app.commands.push(Command::Provider(Call::SkladLogin {
                    login: p.sklad.login.clone(),
                    password: p.sklad.password.clone(),
                }));
            }
        });
        ui.end_row();
    });
    let here = webhook_url_row(ui, app, Provider::Moysklad, t);
    let public = app.panels.tunnel.as_ref().map(|f| f.url.clone());
    ui.horizontal_wrapped(|ui| {
        if ui.button(t.refresh).clicked() {
            app.commands.push(Command::Provider(Call::SkladList));
        }
        if ui.button(t.save).clicked() {
            app.commands.push(Command::Provider(Call::Save));
        }
    });
    outcome(ui, &app.panels.sklad.outcome);
    ui.separator();
    webhook_table(ui, app, public.as_deref(), t);
    ui.separator();
    create_form(ui, app, here, t);
}

fn webhook_table(ui: &mut Ui, app: &mut App, public: Option<&str>, t: &Texts) {
    let Some(webhooks) = &app.panels.sklad.webhooks else {
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
                    let repointed = public.and_then(|p| {
                        let old = webhook.url.split('/').take(3).collect::<Vec<_>>().join("/");
                        moved(&webhook.url, &old, p).filter(|_| old != p && on_a_tunnel(&old))
                    });
                    if public.is_some_and(|p| webhook.url.starts_with(p)) {
                        ui.colored_label(
                            crate::gui::theme::SUCCESS,
                            format!("✔ {}", t.this_tunnel),
                        );
                    } else if let Some(url) = repointed {
                        ui.colored_label(ui.visuals().warn_fg_color, t.old_tunnel);
                        if webhook.has_twin_at(&url, webhooks) {
                            ui.label(t.twin_here);
                        } else if ui.small_button(t.repoint).on_hover_text(&url).clicked() {
                            app.commands.push(Question::command(
                                t.ask_sklad_repoint
                                    .replace("{webhook}", &webhook.name())
                                    .replace("{url}", &url),
                                t.yes_repoint,
                                Command::Provider(Call::SkladRepoint(
                                    Box::new(webhook.clone()),
                                    url,
                                )),
                            ));
                        }
                    }
                });
                ui.horizontal(|ui| {
                    let (label, enable) = if webhook.enabled {
                        (t.disable, false)
                    } else {
                        (t.enable, true)
                    };
                    let change =
                        Command::Provider(Call::SkladEnable(Box::new(webhook.clone()), enable));
                    if ui.small_button(label).clicked() {
                        // Enabling only resumes deliveries; disabling stops them.
                        app.commands.push(if enable {
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
                        app.commands.push(Question::command(
                            t.ask_sklad_delete.replace("{webhook}", &webhook.name()),
                            t.yes_delete,
                            Command::Provider(Call::SkladDelete(Box::new(webhook.clone()))),
                        ));
                    }
                });
                ui.end_row();
            }
        });
}

fn create_form(ui: &mut Ui, app: &mut App, here: Option<String>, t: &Texts) {
    let new = &mut app.panels.sklad.new;
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
            app.commands
                .push(Command::Provider(Call::SkladCreate(new.clone())));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::on_a_tunnel;

    #[test]
    fn quick_tunnel_hosts_are_recognised() {
        assert!(on_a_tunnel("https://a-b.trycloudflare.com/moysklad"));
        assert!(on_a_tunnel("https://x.ngrok-free.app"));
        assert!(!on_a_tunnel("https://hooks.example.com/moysklad"));
    }
}
