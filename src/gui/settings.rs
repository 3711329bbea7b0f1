//! The Settings window: listener, retention, the generic answer, theme and language.

use super::command::Command;
use super::state::{AppState, Remembered, ThemeChoice};
use super::texts::Language;
use crate::config::Config;

/// The form being edited; nothing changes until Apply.
pub struct Draft {
    listen: String,
    max_body_mib: f64,
    max_captures: u64,
    max_store_mib: u64,
    generic_status: u16,
    generic_body: String,
    theme: ThemeChoice,
    language: Language,
}

impl Draft {
    pub fn new(config: &Config, remembered: &Remembered) -> Draft {
        Draft {
            listen: config.listener.listen.to_string(),
            max_body_mib: config.listener.max_body_bytes as f64 / 1_048_576.0,
            max_captures: config.listener.max_captures,
            max_store_mib: config.listener.max_store_bytes >> 20,
            generic_status: config.generic.status,
            generic_body: config.generic.body.clone(),
            theme: remembered.theme,
            language: remembered.language,
        }
    }
}

pub fn show(ctx: &egui::Context, state: &mut AppState) {
    let t = state.texts();
    let Some(draft) = &mut state.settings else {
        return;
    };
    let mut open = true;
    let mut apply = None;
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
                        ui.selectable_value(&mut draft.theme, ThemeChoice::Dark, t.theme_dark);
                        ui.selectable_value(&mut draft.theme, ThemeChoice::Light, t.theme_light);
                        ui.selectable_value(&mut draft.theme, ThemeChoice::System, t.theme_system);
                    });
                    ui.end_row();
                    ui.label(t.language);
                    ui.horizontal(|ui| {
                        ui.selectable_value(&mut draft.language, Language::English, "English");
                        ui.selectable_value(&mut draft.language, Language::Russian, "Русский");
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
        });
    if let Some(listen) = apply {
        let mut config = state.config.clone();
        config.listener.listen = listen;
        config.listener.max_body_bytes = (draft.max_body_mib * 1_048_576.0).round() as u64;
        config.listener.max_captures = draft.max_captures;
        config.listener.max_store_bytes = draft.max_store_mib << 20;
        config.generic.status = draft.generic_status;
        config.generic.body = draft.generic_body.clone();
        let remembered = Remembered {
            theme: draft.theme,
            language: draft.language,
            ..state.remembered.clone()
        };
        state
            .commands
            .push(Command::SaveSettings(Box::new(config), remembered));
    }
    if !open {
        state.commands.push(Command::CloseSettings);
    }
}
