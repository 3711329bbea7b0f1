//! The Timeline tab: every arrival of a notification the provider sent more than once, what
//! hookscope answered each, and the gaps, so that retry schedules can be watched happening.

use egui::{RichText, Ui};

use super::table::Clock;
use crate::capture::Capture;
use crate::gui::command::Command;
use crate::gui::state::AppState;
use crate::gui::texts::Texts;

pub fn tab(ui: &mut Ui, state: &mut AppState, capture: &Capture, t: &Texts) {
    if capture.judgement.redelivery_key.is_none() {
        ui.label(t.timeline_none);
        return;
    }
    ui.weak(t.timeline_hint);
    let arrivals = match &state.timeline {
        Some((id, list)) if *id == capture.id => list,
        _ => return,
    };
    let clock = Clock::now(state.remembered.time_shown, state.local_offset);
    let language = state.language;
    let mut select = None;
    egui::Grid::new("timeline")
        .num_columns(4)
        .striped(true)
        .spacing([12.0, 4.0])
        .show(ui, |ui| {
            let mut previous = None;
            for a in arrivals {
                let number = RichText::new(format!("#{}", a.id));
                let number = if a.id == capture.id {
                    number.strong()
                } else {
                    number
                };
                if ui.link(number).clicked() {
                    select = Some(a.id);
                }
                let (time, full) = clock.show(a.received_at);
                ui.label(RichText::new(time).monospace())
                    .on_hover_text(full);
                let gap =
                    previous.map(|p: time::OffsetDateTime| (a.received_at - p).as_seconds_f64());
                previous = Some(a.received_at);
                ui.label(
                    RichText::new(
                        gap.map(|g| format!("+{} {}", language.decimal(g, 1), t.seconds))
                            .unwrap_or_default(),
                    )
                    .monospace(),
                );
                let answered = if a.status == 0 {
                    t.no_answer.to_string()
                } else {
                    a.status.to_string()
                };
                let color = super::theme::status_color(a.status, ui.visuals());
                let label = ui.colored_label(color, answered);
                if let Some(reason) = &a.reason {
                    label.on_hover_text(language.reason(reason));
                }
                ui.end_row();
            }
        });
    if let Some(id) = select {
        state.commands.push(Command::Select(id));
    }
}
