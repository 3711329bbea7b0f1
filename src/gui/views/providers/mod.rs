//! The Providers window: register and confirm the endpoint with each provider, and browse the
//! Rosreestr events feed (Kontur.Reestro). One tab per provider, each in its own module; the
//! calls they push are handled in `app::providers`.

pub mod green_api;
pub mod kontur;
pub mod moysklad;
pub mod reestr;

use std::collections::HashSet;

use egui::Ui;

use crate::capture::Provider;
use crate::config::Secret;
use crate::gui::command::{Command, ProviderTab};
use crate::gui::state::providers::SecretField;
use crate::gui::state::AppState;
use crate::gui::texts::{Language, Texts};
use crate::http::ApiError;

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
                    (ProviderTab::GreenApi, Provider::GreenApi.title()),
                    (ProviderTab::Moysklad, Provider::Moysklad.title()),
                    (ProviderTab::Reestr, Provider::Reestr.title()),
                    (ProviderTab::Kontur, t.kontur_tab),
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
            if let Some(attached) = &state.attached {
                let lent = t.team_lent.replace("{host}", &attached.host);
                ui.colored_label(ui.visuals().warn_fg_color, lent);
            }
            ui.separator();
            egui::ScrollArea::vertical()
                .auto_shrink(false)
                .show(ui, |ui| match state.panels.tab {
                    ProviderTab::GreenApi => green_api::show(ui, state, t),
                    ProviderTab::Moysklad => moysklad::show(ui, state, t),
                    ProviderTab::Reestr => reestr::show(ui, state, t),
                    ProviderTab::Kontur => kontur::show(ui, state, t),
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

/// A call's outcome under the buttons: green when it worked, red (in the user's language)
/// when it did not.
fn outcome(ui: &mut Ui, outcome: &Option<Result<String, ApiError>>, language: Language) {
    match outcome {
        Some(Ok(text)) => {
            ui.colored_label(
                crate::gui::views::theme::palette(ui.visuals()).success,
                text,
            );
        }
        Some(Err(error)) => {
            ui.colored_label(ui.visuals().error_fg_color, language.api_error(error));
        }
        None => {}
    }
}
