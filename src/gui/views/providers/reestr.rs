//! The Reestr panel: the confirmation string and secret, the URL to paste into the cabinet, and
//! whether the cabinet's confirm request has come and succeeded.

use egui::Ui;

use super::{field, form, secret_field, webhook_url_row};
use crate::capture::Provider;
use crate::gui::command::Command;
use crate::gui::state::providers::SecretField;
use crate::gui::state::AppState;
use crate::gui::texts::Texts;
use crate::providers::reestr::Confirmation;

pub fn show(ui: &mut Ui, state: &mut AppState, t: &'static Texts) {
    let p = &mut state.panels;
    form(ui, "reestr-fields", |ui| {
        let draft = &mut p.draft.reestr;
        field(ui, t.confirm_string, &mut draft.confirm_string);
        secret_field(
            ui,
            &mut p.revealed,
            SecretField::ReestrSecret,
            t.secret_key,
            &mut draft.secret_key,
            t,
        );
        field(ui, t.api_url, &mut draft.api_url);
        secret_field(
            ui,
            &mut p.revealed,
            SecretField::ReestrAccessToken,
            t.access_token,
            &mut draft.access_token,
            t,
        );
    });
    if ui.button(t.save).clicked() {
        state.commands.push(Command::SaveProviderFields);
    }
    ui.separator();
    ui.label(t.paste_in_cabinet);
    webhook_url_row(ui, state, Provider::Reestr, t);
    ui.add_space(6.0);
    let unsaved_string = state.config.reestr.confirm_string.is_empty();
    let success = crate::gui::views::theme::palette(ui.visuals()).success;
    match &state.panels.reestr.confirmation {
        None => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(t.confirm_waiting);
            });
        }
        Some((time, Confirmation::Confirmed)) => {
            ui.colored_label(
                success,
                format!("✔ {}", t.confirm_done.replace("{time}", time)),
            );
        }
        Some((time, Confirmation::NoString)) if !unsaved_string => {
            // The string is set now; the cabinet only has to ask again.
            ui.label(format!("ℹ {}", t.confirm_again.replace("{time}", time)));
        }
        Some((time, Confirmation::NoString)) => {
            let text = t.confirm_no_string.replace("{time}", time);
            // Loud on purpose: without the string the address can never be confirmed.
            egui::Frame::new()
                .fill(ui.visuals().error_fg_color)
                .inner_margin(8.0)
                .corner_radius(4.0)
                .show(ui, |ui| {
                    ui.label(
                        egui::RichText::new(format!("⚠ {text}"))
                            .strong()
                            .color(egui::Color32::WHITE),
                    );
                });
        }
        Some((time, Confirmation::Failed(reason))) => {
            let reason = reason
                .as_ref()
                .map(|r| state.language.reason(r))
                .unwrap_or_default();
            let text = t
                .confirm_failed
                .replace("{time}", time)
                .replace("{reason}", &reason);
            ui.colored_label(ui.visuals().error_fg_color, format!("✖ {text}"));
        }
    }
}
