//! The GREEN-API panel: the instance's credentials, its current settings, and Connect /
//! Disconnect of its webhooks to the public URL.

use egui::Ui;
use serde_json::{Map, Value};

use super::{field, form, outcome, secret_field, webhook_url_row, with_client, SecretField, Tab};
use crate::capture::Provider;
use crate::gui::ask::Question;
use crate::gui::command::Command;
use crate::gui::logic::App;
use crate::gui::state::AppState;
use crate::gui::texts::Texts;
use crate::http::ApiError;
use crate::providers::green_api::api::{self, Instance, Notification};

#[derive(Clone, Debug)]
pub enum Call {
    /// Read the instance's current settings.
    Settings,
    /// Point its webhooks at `url`, with these notifications on.
    Connect {
        url: String,
        notifications: Vec<Notification>,
    },
    Disconnect,
}

pub enum Done {
    Settings(Result<Map<String, Value>, ApiError>),
    /// Connect or Disconnect, with what happened in words.
    Changed(Result<String, ApiError>),
}

pub struct State {
    /// The notifications Connect turns on.
    notifications: Vec<Notification>,
    settings: Option<Vec<(String, String)>>,
    /// Whether the settings were asked for since the app started; the first look does.
    asked: bool,
    pub outcome: Option<Result<String, ApiError>>,
}

impl Default for State {
    fn default() -> Self {
        State {
            notifications: Notification::defaults(),
            settings: None,
            asked: false,
            outcome: None,
        }
    }
}

pub fn call(app: &mut App, call: Call) {
    let config = app.keep_drafts();
    let t = app.state.texts();
    let instance_id = config.green_api.id_instance.clone();
    let instance = Instance::new(&config.green_api);
    let token = config.green_api.webhook_url_token.expose().to_string();
    app.spawn(Some(Tab::GreenApi), async move {
        match call {
            Call::Settings => super::Done::GreenApi(Done::Settings(
                with_client(instance, |i| async move { i.settings().await }).await,
            )),
            Call::Connect { url, notifications } => {
                let done = with_client(instance, |i| async move {
                    i.connect(&url, &token, &notifications).await.map(|()| url)
                })
                .await;
                super::Done::GreenApi(Done::Changed(done.map(|url| {
                    t.green_connected
                        .replace("{instance}", &instance_id)
                        .replace("{url}", &url)
                })))
            }
            Call::Disconnect => {
                let done = with_client(instance, |i| async move { i.disconnect().await }).await;
                super::Done::GreenApi(Done::Changed(
                    done.map(|()| t.green_disconnected.replace("{instance}", &instance_id)),
                ))
            }
        }
    });
}

pub fn apply(app: &mut App, done: Done) {
    let panels = &mut app.state.panels;
    panels.busy.remove(&Tab::GreenApi);
    let green = &mut panels.green;
    match done {
        Done::Settings(Ok(settings)) => {
            green.settings = Some(api::describe(&settings));
            // A change's outcome stays; an earlier failure to read does not.
            if green.outcome.as_ref().is_some_and(Result::is_err) {
                green.outcome = None;
            }
        }
        Done::Settings(Err(e)) => green.outcome = Some(Err(e)),
        Done::Changed(result) => {
            let changed = result.is_ok();
            green.outcome = Some(result);
            if changed {
                // What the instance holds now, beside what was asked.
                app.handle(Command::GreenApi(Call::Settings));
            }
        }
    }
}

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
    let p = &mut state.panels;
    let credentials = &p.draft.green_api;
    if !p.green.asked
        && !credentials.id_instance.is_empty()
        && credentials.api_token_instance.is_set()
    {
        p.green.asked = true;
        state.commands.push(Command::GreenApi(Call::Settings));
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
            state.commands.push(Command::GreenApi(Call::Settings));
        }
        if ui
            .add_enabled(url.is_some(), egui::Button::new(t.connect))
            .clicked()
        {
            if let Some(url) = url {
                state.commands.push(Command::GreenApi(Call::Connect {
                    url,
                    notifications: state.panels.green.notifications.clone(),
                }));
            }
        }
        if ui.button(t.disconnect).clicked() {
            let instance = &state.config.green_api.id_instance;
            state.commands.push(Question::command(
                t.ask_green_disconnect.replace("{instance}", instance),
                t.yes_disconnect,
                Command::GreenApi(Call::Disconnect),
            ));
        }
        if ui.button(t.save).clicked() {
            state.commands.push(Command::SaveProviderFields);
        }
    });
    outcome(ui, &state.panels.green.outcome, state.remembered.language);
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
