//! The Settings window: listener, retention, the generic answer, theme and language, and where
//! the API for scripts and assistants listens, with its token and MCP settings to copy.

use crate::config::{KeepIn, Language, Theme};
use crate::engine::ApiState;
use crate::gui::command::Command;
use crate::gui::state::AppState;
use crate::gui::texts::Texts;

pub fn show(ctx: &egui::Context, state: &mut AppState) {
    let t = state.texts();
    let language = state.language;
    let api = state.api.clone();
    let Some(draft) = &mut state.settings else {
        return;
    };
    let mut open = true;
    let mut apply = None;
    let mut asked = None;
    egui::Window::new(t.settings)
        .open(&mut open)
        .collapsible(false)
        .resizable(false)
        .show(ctx, |ui| {
            let listen = draft.listen.trim().parse::<std::net::SocketAddr>();
            egui::Grid::new("settings")
                .num_columns(2)
                .spacing([12.0, 6.0])
                .show(ui, |ui| {
                    ui.label(t.address);
                    ui.vertical(|ui| {
                        ui.text_edit_singleline(&mut draft.listen);
                        if listen.is_err() {
                            ui.colored_label(ui.visuals().error_fg_color, t.address_invalid);
                        }
                    });
                    ui.end_row();
                    ui.label(t.max_body);
                    ui.add(
                        egui::DragValue::new(&mut draft.max_body_mib)
                            .range(0.001..=1024.0)
                            .speed(0.1),
                    );
                    ui.end_row();
                    ui.label(t.retention);
                    ui.add(
                        egui::DragValue::new(&mut draft.max_captures)
                            .range(1..=10_000_000)
                            .speed(100),
                    );
                    ui.end_row();
                    ui.label(t.store_limit);
                    ui.add(
                        egui::DragValue::new(&mut draft.max_store_mib)
                            .range(16..=1 << 24)
                            .speed(16),
                    );
                    ui.end_row();
                    ui.label(t.generic_status);
                    ui.add(egui::DragValue::new(&mut draft.generic_status).range(100..=599));
                    ui.end_row();
                    ui.label(t.generic_body);
                    ui.text_edit_multiline(&mut draft.generic_body);
                    ui.end_row();
                    ui.label(t.theme);
                    ui.horizontal(|ui| {
                        ui.selectable_value(&mut draft.theme, Theme::Dark, t.theme_dark);
                        ui.selectable_value(&mut draft.theme, Theme::Light, t.theme_light);
                        ui.selectable_value(&mut draft.theme, Theme::System, t.theme_system);
                    });
                    ui.end_row();
                    ui.label(t.language);
                    ui.horizontal(|ui| {
                        let (english, russian) = (Some(Language::English), Some(Language::Russian));
                        ui.selectable_value(&mut draft.language, english, "English");
                        ui.selectable_value(&mut draft.language, russian, "Русский");
                        ui.selectable_value(&mut draft.language, None, t.language_system);
                    });
                    ui.end_row();
                    ui.label(t.tokens);
                    ui.vertical(|ui| {
                        ui.horizontal(|ui| {
                            let keep_in = &mut draft.keep_in;
                            ui.selectable_value(keep_in, KeepIn::Keyring, t.keep_in_keyring);
                            ui.selectable_value(keep_in, KeepIn::File, t.keep_in_file);
                        });
                        ui.set_max_width(360.0);
                        ui.weak(language.tokens_kept(&draft.tokens));
                    });
                    ui.end_row();
                });
            ui.separator();
            if ui
                .add_enabled(listen.is_ok(), egui::Button::new(t.apply))
                .clicked()
            {
                apply = listen.ok();
            }
            ui.separator();
            asked = api_section(ui, api.as_ref(), t);
        });
    state.commands.extend(asked);
    if let Some(listen) = apply {
        let mut config = state.config.clone();
        config.listener.listen = listen;
        config.listener.max_body_bytes = (draft.max_body_mib * 1_048_576.0).round() as u64;
        config.listener.max_captures = draft.max_captures;
        config.listener.max_store_bytes = draft.max_store_mib << 20;
        config.generic.status = draft.generic_status;
        config.generic.body = draft.generic_body.clone();
        config.window.theme = draft.theme;
        config.window.language = draft.language;
        config.secrets.keep_in = draft.keep_in;
        state.commands.push(Command::SaveSettings(Box::new(config)));
    }
    if !open {
        state.commands.push(Command::CloseSettings);
    }
}

/// Where the API for scripts and assistants listens, with its token and the MCP settings to
/// copy; or why it does not.
fn api_section(ui: &mut egui::Ui, api: Option<&ApiState>, t: &Texts) -> Option<Command> {
    ui.strong(t.api_heading);
    let addr = match api {
        Some(ApiState::Listening(addr)) => addr,
        Some(ApiState::Failed(sentence)) => {
            ui.colored_label(ui.visuals().error_fg_color, sentence);
            return None;
        }
        Some(ApiState::Off) => {
            ui.weak(t.api_off);
            return None;
        }
        None => {
            ui.weak(t.not_listening);
            return None;
        }
    };
    ui.label(format!("http://{addr}/api/v1"));
    ui.weak(t.api_hint);
    let mut asked = None;
    ui.horizontal(|ui| {
        if ui.button(t.copy_api_token).clicked() {
            asked = Some(Command::CopyApiToken);
        }
        if ui.button(t.copy_mcp_config).clicked() {
            asked = Some(Command::CopyMcpConfig);
        }
    });
    asked
}
