//! The Reestr panel: the confirmation string and secret, the URL to paste into the cabinet, and
//! whether the cabinet's confirm request has come and succeeded.

use std::path::Path;

use egui::Ui;

use super::{field, form, secret_field, short_date, webhook_url_row};
use crate::capture::{format_rfc3339, Provider};
use crate::filter::Filter;
use crate::gui::texts::Texts;
use crate::gui::App;
use crate::providers::reestr::{confirmation, Confirmation};
use crate::store::StoreReader;

#[derive(Default)]
pub struct State {
    /// When the newest `confirm` arrived, and what it meant.
    pub confirmation: Option<(String, Confirmation)>,
}

/// The newest `confirm` capture in the store, read off the UI thread.
pub fn latest_confirmation(store_file: &Path) -> Option<(String, Confirmation)> {
    let filter = Filter::parse("provider:reestr event:confirm").ok()?;
    let newest = StoreReader::open(store_file)
        .ok()?
        .list(&filter, Some(1))
        .ok()?
        .pop()?;
    // Seconds are enough for a person: "2026-11-25 08:05:44 UTC".
    let at = format!(
        "{} UTC",
        short_date(&format_rfc3339(newest.request.received_at))
    );
    Some((at, confirmation(&newest)))
}

pub fn show(ui: &mut Ui, app: &mut App, t: &'static Texts) {
    let p = &mut app.panels;
    form(ui, "reestr-fields", |ui| {
        let draft = &mut p.draft.reestr;
        field(ui, t.confirm_string, &mut draft.confirm_string);
        secret_field(ui, &mut p.revealed, t.secret_key, &mut draft.secret_key, t);
        field(ui, t.api_url, &mut draft.api_url);
        secret_field(
            ui,
            &mut p.revealed,
            t.access_token,
            &mut draft.access_token,
            t,
        );
    });
    if ui.button(t.save).clicked() {
        app.commands
            .push(super::Command::Provider(super::Call::Save));
    }
    ui.separator();
    ui.label(t.paste_in_cabinet);
    webhook_url_row(ui, app, Provider::Reestr, t);
    ui.add_space(6.0);
    let unsaved_string = app.config.reestr.confirm_string.is_empty();
    match &app.panels.reestr.confirmation {
        None => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(t.confirm_waiting);
            });
        }
        Some((time, Confirmation::Confirmed)) => {
            ui.colored_label(
                crate::gui::theme::SUCCESS,
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
            let text = t
                .confirm_failed
                .replace("{time}", time)
                .replace("{reason}", reason);
            ui.colored_label(ui.visuals().error_fg_color, format!("✖ {text}"));
        }
    }
}
