//! The GREEN-API panel: the instance's credentials, its current settings, and Connect /
//! Disconnect of its webhooks to the public URL.

use egui::Ui;
use serde_json::{Map, Value};

use super::{field, form, outcome, secret_field, webhook_url_row, Call};
use crate::capture::Provider;
use crate::gui::ask::Question;
use crate::gui::texts::Texts;
use crate::gui::{App, Command};
use crate::providers::green_api::api::{self, SWITCHES};

pub struct State {
    /// The notification switches Connect turns on.
    switches: Vec<&'static str>,
    settings: Option<Vec<(String, String)>>,
    /// Whether the settings were asked for since the app started; the first look does.
    asked: bool,
    pub outcome: Option<Result<String, String>>,
}

impl Default for State {
    fn default() -> Self {
        State {
            switches: api::default_switches(),
            settings: None,
            asked: false,
            outcome: None,
        }
    }
}

impl State {
    pub fn settings_loaded(&mut self, result: Result<Map<String, Value>, String>) {
        match result {
            Ok(settings) => {
                self.settings = Some(api::describe(&settings));
                // A change's outcome stays; an earlier failure to read does not.
                if self.outcome.as_ref().is_some_and(Result::is_err) {
                    self.outcome = None;
                }
            }
            Err(e) => self.outcome = Some(Err(e)),
        }
    }
}

fn switch_label(t: &Texts, field: &str) -> &'static str {
    match field {
        "incomingWebhook" => t.sw_incoming,
        "outgoingWebhook" => t.sw_outgoing_status,
        "outgoingMessageWebhook" => t.sw_outgoing_phone,
        "outgoingAPIMessageWebhook" => t.sw_outgoing_api,
        "stateWebhook" => t.sw_state,
        "incomingCallWebhook" => t.sw_calls,
        "pollMessageWebhook" => t.sw_polls,
        "editedMessageWebhook" => t.sw_edited,
        "deletedMessageWebhook" => t.sw_deleted,
        _ => t.sw_blocks,
    }
}

pub fn show(ui: &mut Ui, app: &mut App, t: &'static Texts) {
    let p = &mut app.panels;
    let credentials = &p.draft.green_api;
    if !p.green.asked
        && !credentials.id_instance.is_empty()
        && credentials.api_token_instance.is_set()
    {
        p.green.asked = true;
        app.commands.push(Command::Provider(Call::GreenSettings));
    }
    form(ui, "green-api-fields", |ui| {
        let draft = &mut p.draft.green_api;
        field(ui, t.api_url, &mut draft.api_url);
        field(ui, "idInstance", &mut draft.id_instance);
        secret_field(
            ui,
            &mut p.revealed,
            t.green_token,
            &mut draft.api_token_instance,
            t,
        );
        secret_field(
            ui,
            &mut p.revealed,
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
    let url = webhook_url_row(ui, app, Provider::GreenApi, t);
    let p = &mut app.panels;
    ui.label(t.notifications);
    ui.horizontal_wrapped(|ui| {
        for switch in SWITCHES {
            let mut on = p.green.switches.contains(&switch.field);
            if ui
                .checkbox(&mut on, switch_label(t, switch.field))
                .on_hover_text(switch.field)
                .changed()
            {
                p.green.switches.retain(|f| *f != switch.field);
                if on {
                    p.green.switches.push(switch.field);
                }
            }
        }
    });
    ui.horizontal_wrapped(|ui| {
        if ui.button(t.load_settings).clicked() {
            app.commands.push(Command::Provider(Call::GreenSettings));
        }
        if ui
            .add_enabled(url.is_some(), egui::Button::new(t.connect))
            .clicked()
        {
            if let Some(url) = url {
                app.commands.push(Command::Provider(Call::GreenConnect {
                    url,
                    switches: app.panels.green.switches.clone(),
                }));
            }
        }
        if ui.button(t.disconnect).clicked() {
            let instance = &app.config.green_api.id_instance;
            app.commands.push(Question::command(
                t.ask_green_disconnect.replace("{instance}", instance),
                t.yes_disconnect,
                Command::Provider(Call::GreenDisconnect),
            ));
        }
        if ui.button(t.save).clicked() {
            app.commands.push(Command::Provider(Call::Save));
        }
    });
    outcome(ui, &app.panels.green.outcome);
    if let Some(settings) = &app.panels.green.settings {
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
