//! The Rosreestr events panel (Kontur.Reestro): a paged table of document-flow events, with
//! Next, Back, Follow and filters by state and type. The page's cursor is remembered across
//! restarts.

use egui::Ui;
use egui_extras::{Column, TableBuilder};

use super::{field, form, secret_field};
use crate::gui::command::{Command, KonturMove, ProviderTab};
use crate::gui::state::providers::kontur::EventsPanel;
use crate::gui::state::providers::SecretField;
use crate::gui::state::AppState;
use crate::gui::texts::{short_date, Texts};
use crate::providers::kontur::{Event, MAX_COUNT, PRODUCTION, TEST_STAND};

pub fn show(ui: &mut Ui, state: &mut AppState, t: &'static Texts) {
    let language = state.language;
    let p = &mut state.panels;
    form(ui, "kontur-fields", |ui| {
        let draft = &mut p.draft.kontur;
        ui.label(t.stand);
        ui.horizontal(|ui| {
            let url = draft.api_url.trim_end_matches('/').to_string();
            if ui.radio(url == PRODUCTION, t.production).clicked() {
                draft.api_url = PRODUCTION.into();
            }
            if ui.radio(url == TEST_STAND, t.test_stand).clicked() {
                draft.api_url = TEST_STAND.into();
            }
        });
        ui.end_row();
        field(ui, t.api_url, &mut draft.api_url);
        secret_field(
            ui,
            &mut p.revealed,
            SecretField::KonturKey,
            t.api_key,
            &mut draft.api_key,
            t,
        );
        field(ui, t.org_id, &mut draft.org_id);
    });
    let events = &mut p.events;
    let configured = p.draft.kontur.api_key.is_set() && !p.draft.kontur.org_id.trim().is_empty();
    if configured && !events.loaded && !p.busy.contains(&ProviderTab::Kontur) {
        events.loaded = true;
        state.commands.push(Command::Kontur(KonturMove::Reload));
    }
    let mut movement = None;
    ui.horizontal_wrapped(|ui| {
        ui.label(t.page_size);
        ui.add(egui::DragValue::new(&mut events.count).range(1..=MAX_COUNT));
        if ui.button(t.from_start).clicked() {
            movement = Some(KonturMove::Start);
        }
        if ui
            .add_enabled(!events.earlier.is_empty(), egui::Button::new(t.back))
            .clicked()
        {
            movement = Some(KonturMove::Back);
        }
        if ui
            .add_enabled(events.next.is_some(), egui::Button::new(t.next))
            .clicked()
        {
            movement = Some(KonturMove::Next);
        }
        if ui.button(t.refresh).clicked() {
            movement = Some(KonturMove::Reload);
        }
        if ui.button(t.save).clicked() {
            state.commands.push(Command::SaveProviderFields);
        }
        ui.separator();
        ui.checkbox(&mut events.follow, t.follow);
        ui.label(t.every_seconds);
        ui.add(egui::DragValue::new(&mut events.every_secs).range(2..=3600));
    });
    ui.horizontal(|ui| {
        for (label, filter) in [
            (t.state_filter, &mut events.state_filter),
            (t.type_filter, &mut events.type_filter),
        ] {
            let label = ui.label(label);
            ui.add(egui::TextEdit::singleline(filter).desired_width(140.0))
                .labelled_by(label.id);
        }
    });
    if let Some(movement) = movement {
        state.commands.push(Command::Kontur(movement));
    }
    let events = &state.panels.events;
    if let Some(error) = &events.error {
        ui.colored_label(ui.visuals().error_fg_color, language.api_error(error));
    }
    if events.note.is_some() {
        ui.label(t.no_events);
    }
    ui.horizontal_wrapped(|ui| {
        // Counted from where this session started walking; a remembered cursor is page 1.
        let page = t.page.replace("{n}", &events.page().to_string());
        ui.label(egui::RichText::new(page).strong());
        let cursor = events.after.as_deref().unwrap_or(t.feed_start);
        ui.label(format!("{} {cursor}", t.cursor));
        if let Some(after) = &events.after {
            if ui.small_button("📋").on_hover_text(t.copy).clicked() {
                state.commands.push(Command::CopyText(after.clone()));
            }
        }
    });
    if let Some(copied) = event_table(ui, events, t) {
        state.commands.push(Command::CopyText(copied));
    }
}

/// The events of the page; a click on a cell gives back its full text, to copy.
fn event_table(ui: &mut Ui, state: &EventsPanel, t: &Texts) -> Option<String> {
    let shown: Vec<&Event> = state.events.iter().filter(|e| state.shown(e)).collect();
    if shown.is_empty() {
        if state.loaded && state.error.is_none() {
            ui.label(t.no_events);
        }
        return None;
    }
    let mut copied = None;
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
    let success = crate::gui::views::theme::palette(ui.visuals()).success;
    TableBuilder::new(ui)
        .id_salt("kontur-events")
        .striped(true)
        .vscroll(false)
        .resizable(true)
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .column(Column::initial(140.0).at_least(70.0).clip(true))
        .column(Column::initial(170.0).at_least(60.0).clip(true))
        .column(Column::initial(140.0).at_least(60.0).clip(true))
        .column(Column::initial(100.0).at_least(50.0).clip(true))
        .column(Column::initial(70.0).at_least(40.0).clip(true))
        .column(Column::remainder().at_least(120.0).clip(true))
        .header(row_height, |mut header| {
            for title in [
                t.col_date,
                t.state_filter,
                t.type_filter,
                t.col_docflow,
                t.col_external,
                t.col_requirement,
            ] {
                header.col(|ui| {
                    ui.strong(title);
                });
            }
        })
        .body(|mut body| {
            for event in shown {
                let fresh = state.fresh.contains(&event.event_id);
                let requirement = event
                    .requirement
                    .as_ref()
                    .map(|r| format!("{}: {}", r.service, r.message))
                    .unwrap_or_default();
                let date = short_date(&event.event_date);
                body.row(row_height, |mut row| {
                    for (shown, full) in [
                        (date.as_str(), &event.event_date),
                        (event.docflow_state.as_str(), &event.docflow_state),
                        (event.docflow_type.as_str(), &event.docflow_type),
                        (event.docflow_id.as_str(), &event.docflow_id),
                        (event.external_id.as_str(), &event.external_id),
                        (requirement.as_str(), &requirement),
                    ] {
                        row.col(|ui| {
                            let mut text = egui::RichText::new(shown);
                            if fresh {
                                text = text.strong().color(success);
                            }
                            let label = ui.add(
                                egui::Label::new(text)
                                    .truncate()
                                    .sense(egui::Sense::click()),
                            );
                            if !full.is_empty()
                                && label
                                    .on_hover_text(format!("{full}\n{}", t.click_to_copy))
                                    .clicked()
                            {
                                copied = Some(full.to_string());
                            }
                        });
                    }
                });
            }
        });
    copied
}
