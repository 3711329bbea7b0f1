//! The GREEN-API panel: the instance's credentials, its current settings, and Connect /
//! Disconnect of its webhooks to the public URL.

use super::{field, form, outcome, secret_field, webhook_url_row};
use crate::capture::Provider;
use crate::gui::command::{Command, GreenApiCall};
use crate::gui::state::prompt::Prompt;
use crate::gui::state::providers::SecretField;
use crate::gui::state::AppState;
use crate::gui::texts::Texts;
use crate::providers::green_api::api::Notification;
use egui::Ui;

fn notification_label(t: &Texts, notification: Notification) -> &'static str {
    match notification {
        Notification::Incoming => t.sw_incoming,
        Notification::OutgoingStatus => t.sw_outgoing_status,
        Notification::OutgoingFromPhone => t.sw_outgoing_phone,
        Notification::OutgoingFromApi => t.sw_outgoing_api,
        Notification::State => t.sw_state,
        Notification::IncomingCalls => t.sw_calls,
        Notification::Polls => t.sw_polls,
        Notification::Edited => t.sw_edited,
        Notification::Deleted => t.sw_deleted,
        Notification::Blocks => t.sw_blocks,
    }
}

pub fn show(ui: &mut Ui, state: &mut AppState, t: &'static Texts) {
    let lent = state.attached.is_some();
    let p = &mut state.panels;
    let credentials = &p.draft.green_api;
    if !p.green.asked
        && (lent || !credentials.id_instance.is_empty() && credentials.api_token_instance.is_set())
    {
        p.green.asked = true;
        state
            .commands
            .push(Command::GreenApi(GreenApiCall::Settings));
    }
    form(ui, "green-api-fields", |ui| {
        let draft = &mut p.draft.green_api;
        field(ui, t.api_url, &mut draft.api_url);
        field(ui, "idInstance", &mut draft.id_instance);
        secret_field(
            ui,
            &mut p.revealed,
            SecretField::GreenToken,
            t.green_token,
            &mut draft.api_token_instance,
            t,
        );
        secret_field(
            ui,
            &mut p.revealed,
            SecretField::GreenWebhookToken,
            t.green_webhook_token,
            &mut draft.webhook_url_token,
            t,
        );
        ui.label("");
        if ui.button(t.generate).clicked() {
            // A webhook token only has to be unguessable; 128 random bits are plenty.
            *draft.webhook_url_token.edit() = uuid::Uuid::new_v4().simple().to_string();
        }
        ui.end_row();
    });
    let url = webhook_url_row(ui, state, Provider::GreenApi, t);
    let p = &mut state.panels;
    ui.label(t.notifications);
    ui.horizontal_wrapped(|ui| {
        for notification in Notification::ALL {
            let mut on = p.green.notifications.contains(&notification);
            if ui
                .checkbox(&mut on, notification_label(t, notification))
                .on_hover_text(notification.field())
                .changed()
            {
                p.green.notifications.retain(|n| *n != notification);
                if on {
                    p.green.notifications.push(notification);
                }
            }
        }
    });
    ui.horizontal_wrapped(|ui| {
        if ui.button(t.load_settings).clicked() {
            state
                .commands
                .push(Command::GreenApi(GreenApiCall::Settings));
        }
        if ui
            .add_enabled(url.is_some(), egui::Button::new(t.connect))
            .clicked()
        {
            if let Some(url) = url {
                state
                    .commands
                    .push(Command::GreenApi(GreenApiCall::Connect {
                        url,
                        notifications: state.panels.green.notifications.clone(),
                    }));
            }
        }
        if ui.button(t.disconnect).clicked() {
            let instance = &state.config.green_api.id_instance;
            state.commands.push(Prompt::command(
                t.ask_green_disconnect.replace("{instance}", instance),
                t.yes_disconnect,
                Command::GreenApi(GreenApiCall::Disconnect),
            ));
        }
        if ui.button(t.save).clicked() {
            state.commands.push(Command::SaveProviderFields);
        }
    });
    outcome(ui, &state.panels.green.outcome, state.language);
    if let Some(settings) = &state.panels.green.settings {
        ui.separator();
        ui.strong(t.current_settings);
        egui::Grid::new("green-api-settings")
            .num_columns(2)
            .striped(true)
            .show(ui, |ui| {
                for (name, value) in settings {
                    ui.monospace(name);
                    ui.label(value);
                    ui.end_row();
                }
            });
    }
}
