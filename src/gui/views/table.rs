//! The capture table: virtualised (`rows(h, n, …)` draws only what is on screen), follow mode
//! that sticks to the newest row and pauses when the user scrolls up.

use egui::{RichText, Sense, Ui};
use egui_extras::{Column, TableBuilder};

use time::{OffsetDateTime, UtcOffset};

use super::theme::{provider_badge, status_color, ROW_HEIGHT};
use crate::capture::{CaptureRow, Provider};
use crate::gui::command::{Command, ForwardCall};
use crate::gui::state::forward::ReplayRun;
use crate::gui::state::prompt::Prompt;
use crate::gui::state::{AppState, TimeShown};
use crate::gui::texts::{Counted, Language, Texts};
use crate::samples::SAMPLES;

pub fn show(ui: &mut Ui, state: &mut AppState) {
    let t = state.texts();
    egui::CentralPanel::default().show(ui, |ui| {
        ui.horizontal_wrapped(|ui| {
            let label = if state.follow { t.follow } else { t.paused };
            if ui
                .selectable_label(state.follow, format!("⏵ {label}"))
                .on_hover_text("Space")
                .clicked()
            {
                state.commands.push(Command::SetFollow(!state.follow));
            }
            if !state.follow
                && state.unseen > 0
                && ui
                    .link(state.language.count(state.unseen, Counted::New))
                    .clicked()
            {
                state.commands.push(Command::SetFollow(true));
            }
            ui.separator();
            samples_menu(ui, state);
            if ui.button(t.import).clicked() {
                state.commands.push(Command::Import);
            }
            let any = !state.list.rows().is_empty();
            let shown = !state.list.visible().is_empty() && state.filter.error().is_none();
            if let Some(run) = &state.forward.run {
                replay_progress(ui, run, state.language);
                if ui.button(t.replay_stop).clicked() {
                    state
                        .commands
                        .push(Command::Forward(ForwardCall::StopReplay));
                }
            } else if ui
                .add_enabled(shown, egui::Button::new(t.replay_shown))
                .on_hover_text(t.replay_shown_hint)
                .clicked()
            {
                state
                    .commands
                    .push(Command::Forward(ForwardCall::OpenSequence));
            }
            let export = ui.add_enabled(any, egui::Button::new(t.export));
            if export.on_hover_text("Ctrl+E").clicked() {
                state.commands.push(Command::Export);
            }
            if ui
                .add_enabled(any, egui::Button::new(t.clear_all))
                .clicked()
            {
                state.commands.push(Prompt::command(
                    t.clear_all_question.into(),
                    t.yes_delete_all,
                    Command::ClearAll,
                ));
            }
        });
        if state.filter.error().is_some() {
            // Rows of the last good filter would look as if they matched this one.
            ui.add_space(20.0);
            ui.vertical_centered(|ui| {
                ui.colored_label(ui.visuals().warn_fg_color, t.filter_invalid)
            });
            return;
        }
        if state.list.visible().is_empty() {
            ui.add_space(20.0);
            ui.vertical_centered(|ui| {
                let text = if state.loading {
                    t.loading
                } else if state.list.rows().is_empty() {
                    t.empty
                } else {
                    t.no_match
                };
                ui.label(text);
            });
            return;
        }
        // Narrower than the columns at their first widths: scroll sideways rather than push
        // the last ones out of reach. (Always scrolling would let the remainder column grow
        // without end.)
        let least: f32 = COLUMNS
            .iter()
            .map(|(initial, least)| initial.unwrap_or(*least) + 8.0)
            .sum();
        if ui.available_width() < least {
            egui::ScrollArea::horizontal()
                .id_salt("captures-sideways")
                .auto_shrink(false)
                .show(ui, |ui| {
                    ui.set_min_width(least);
                    rows(ui, state)
                });
        } else {
            rows(ui, state);
        }
    });
}

/// "Replaying 3/10, 0:42 left", with a spinner, while a replay of what the table showed runs.
fn replay_progress(ui: &mut Ui, run: &ReplayRun, language: Language) {
    let t = language.texts();
    ui.spinner();
    let left = run.left().as_secs();
    let mut said = t
        .replay_progress
        .replace("{sent}", &run.sent.to_string())
        .replace("{total}", &run.total.to_string())
        .replace("{left}", &format!("{}:{:02}", left / 60, left % 60));
    if run.failed > 0 {
        let failed = t
            .replay_progress_failed
            .replace("{n}", &run.failed.to_string());
        said = format!("{said} · {failed}");
    }
    ui.label(said);
    // The time left counts down between sends.
    ui.ctx()
        .request_repaint_after(std::time::Duration::from_secs(1));
}

/// Every built-in sample, by provider, sent to this app's own listener.
fn samples_menu(ui: &mut Ui, state: &mut AppState) {
    let t = state.texts();
    ui.menu_button(t.send_sample, |ui| {
        for provider in [Provider::Reestr, Provider::GreenApi, Provider::Moysklad] {
            ui.menu_button(provider.title(), |ui| {
                for sample in SAMPLES.iter().filter(|s| s.path == provider.path()) {
                    let about = state.language.sample_about(sample);
                    let item = egui::Button::new(sample.name).right_text(about);
                    if ui.add(item).clicked() {
                        state.commands.push(Command::SendSample(sample.name));
                        ui.close();
                    }
                }
            });
        }
    });
}

/// Initial and least widths of time, provider, method, path, event, summary (the rest of the
/// width: `None`), status, forward, size and flags.
const COLUMNS: [(Option<f32>, f32); 10] = [
    (Some(112.0), 60.0),
    (Some(60.0), 40.0),
    (Some(48.0), 36.0),
    (Some(80.0), 40.0),
    (Some(110.0), 40.0),
    (None, 100.0),
    (Some(44.0), 36.0),
    (Some(66.0), 40.0),
    (Some(56.0), 40.0),
    (Some(44.0), 32.0),
];

fn rows(ui: &mut Ui, state: &mut AppState) {
    let t = state.texts();
    // A click anywhere on a row selects it, text included.
    ui.style_mut().interaction.selectable_labels = false;
    let count = state.list.visible().len();
    let row_pitch = ROW_HEIGHT + ui.spacing().item_spacing.y;
    let mut table = TableBuilder::new(ui)
        .id_salt("captures")
        .striped(true)
        .resizable(true)
        .sense(Sense::click())
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .animate_scrolling(false)
        .stick_to_bottom(state.follow);
    for (initial, least) in COLUMNS {
        // Summary is not resizable itself, so that it always takes the rest of the width;
        // its neighbours' handles still move it.
        let column = initial.map_or_else(|| Column::remainder().resizable(false), Column::initial);
        table = table.column(column.at_least(least).clip(true));
    }
    let rows_above = std::mem::take(&mut state.rows_above);
    if rows_above > 0 && !state.follow {
        table = table.vertical_scroll_offset(state.table_offset + rows_above as f32 * row_pitch);
    }
    if std::mem::take(&mut state.scroll_to_selected) {
        if let Some(position) = state.selected.and_then(|id| state.list.position_of(id)) {
            table = table.scroll_to_row(position, None);
        }
    } else if state.follow && count != std::mem::replace(&mut state.shown_rows, count) {
        // Only when rows arrive: scrolling every frame would repaint forever.
        table = table.scroll_to_row(count - 1, Some(egui::Align::BOTTOM));
    }
    let mut clicked = None;
    let mut menu_command = None;
    let mut menu_row = None;
    let mut time_toggled = false;
    let clock = Clock::now(state.remembered.time_shown, state.local_offset);
    let language = state.language;
    let output = table
        .header(ROW_HEIGHT, |mut header| {
            header.col(|ui| {
                let title = match state.remembered.time_shown {
                    TimeShown::Local => t.col_time_local,
                    TimeShown::Utc => t.col_time,
                };
                let toggle = ui
                    .add(egui::Label::new(RichText::new(title).strong()).sense(Sense::click()))
                    .on_hover_text(t.time_toggle);
                if toggle.clicked() {
                    time_toggled = true;
                }
            });
            for title in [
                t.col_provider,
                t.col_method,
                t.col_path,
                t.col_event,
                t.col_summary,
                t.col_status,
                t.col_forward,
                t.col_size,
                t.col_flags,
            ] {
                header.col(|ui| {
                    ui.strong(title);
                });
            }
        })
        .body(|body| {
            body.rows(ROW_HEIGHT, count, |mut row| {
                let Some(capture) = state.list.visible_row(row.index()) else {
                    return;
                };
                row.set_selected(state.selected == Some(capture.id));
                // The row a context menu is open for stays marked while the menu is.
                row.set_hovered(state.menu_row == Some(capture.id));
                cells(&mut row, capture, &clock, language);
                let response = row.response();
                if response.clicked() {
                    clicked = Some(capture.id);
                }
                let menu = response.context_menu(|ui| {
                    if let Some(command) = row_menu(ui, capture, t) {
                        menu_command = Some(command);
                        ui.close();
                    }
                });
                if menu.is_some() {
                    menu_row = Some(capture.id);
                }
            });
        });
    state.table_offset = output.state.offset.y;
    state.menu_row = menu_row;
    // Scrolling up pauses follow mode; reaching the bottom again resumes it.
    let at_bottom =
        output.state.offset.y + output.inner_rect.height() >= output.content_size.y - ROW_HEIGHT;
    let scrolled = ui.input(|i| i.smooth_scroll_delta.y != 0.0);
    if scrolled && ui.rect_contains_pointer(output.inner_rect) && at_bottom != state.follow {
        state.commands.push(Command::SetFollow(at_bottom));
    }
    if let Some(id) = clicked {
        state.commands.push(Command::Select(id));
    }
    if let Some(command) = menu_command {
        state.commands.push(command);
    }
    if time_toggled {
        state
            .commands
            .push(Command::SetTimeShown(state.remembered.time_shown.other()));
    }
}

/// How the time column shows an instant: in the local or UTC offset, with the date only when
/// it is not today's.
pub struct Clock {
    offset: UtcOffset,
    today: time::Date,
}

impl Clock {
    pub fn now(shown: TimeShown, local: UtcOffset) -> Clock {
        let offset = match shown {
            TimeShown::Local => local,
            TimeShown::Utc => UtcOffset::UTC,
        };
        Clock {
            offset,
            today: OffsetDateTime::now_utc().to_offset(offset).date(),
        }
    }

    /// The cell ("14:03:22", or "11-24 14:03:22" on another day) and the full instant for its
    /// hover text.
    pub fn show(&self, at: OffsetDateTime) -> (String, String) {
        let at = at.to_offset(self.offset);
        let clock = format!("{:02}:{:02}:{:02}", at.hour(), at.minute(), at.second());
        let cell = if at.date() == self.today {
            clock.clone()
        } else {
            format!("{:02}-{:02} {clock}", u8::from(at.month()), at.day())
        };
        let (hours, minutes, _) = self.offset.as_hms();
        let full = format!(
            "{} {clock}.{:06} {}{:02}:{:02}",
            at.date(),
            at.microsecond(),
            if self.offset.is_negative() { '-' } else { '+' },
            hours.unsigned_abs(),
            minutes.unsigned_abs()
        );
        (cell, full)
    }
}

/// The summary without the machine name of the event it starts with (`incomingMessageReceived`,
/// `customerorder:CREATE`), which its own column shows: a narrow cell then still shows the
/// sender and the text. A summary that starts with a plain word keeps it.
fn after_event<'a>(event: &str, summary: &'a str) -> &'a str {
    if !event.contains(|c: char| c == ':' || c.is_ascii_uppercase()) {
        return summary;
    }
    let spaced = event.replace(':', " ");
    [event, spaced.as_str()]
        .iter()
        .filter(|e| !e.is_empty())
        .find_map(|e| summary.strip_prefix(e))
        .map(|rest| rest.trim_start_matches([':', ' ']))
        .filter(|rest| !rest.is_empty())
        .unwrap_or(summary)
}

fn cells(
    row: &mut egui_extras::TableRow<'_, '_>,
    c: &CaptureRow,
    clock: &Clock,
    language: Language,
) {
    let t = language.texts();
    row.col(|ui| {
        let (cell, full) = clock.show(c.received_at);
        ui.label(RichText::new(cell).monospace())
            .on_hover_text(full);
    });
    row.col(|ui| provider_badge(ui, c.provider));
    row.col(|ui| {
        ui.label(c.method());
    });
    row.col(|ui| {
        ui.add(egui::Label::new(c.path()).truncate());
    });
    row.col(|ui| {
        ui.add(egui::Label::new(c.event()).truncate());
    });
    row.col(|ui| {
        ui.add(egui::Label::new(after_event(c.event(), c.summary())).truncate())
            .on_hover_text(c.summary());
    });
    row.col(|ui| {
        let color = status_color(c.status, ui.visuals());
        let status = match c.status {
            0 => "—".to_string(),
            status => status.to_string(),
        };
        ui.label(RichText::new(status).color(color));
    });
    row.col(|ui| super::forward::cell(ui, c.forward, t));
    row.col(|ui| {
        ui.label(language.size(c.size));
    });
    row.col(|ui| {
        if c.unconfirmed {
            ui.colored_label(ui.visuals().warn_fg_color, "⚠")
                .on_hover_text(t.confirm_flag);
        }
        if c.malformed {
            ui.colored_label(ui.visuals().warn_fg_color, "⚠")
                .on_hover_text(t.malformed_flag);
        }
        if c.repeat_of.is_some() {
            ui.label("↻").on_hover_text(t.repeat_flag);
        }
        if let Some(host_id) = c.host_id {
            ui.label("🌐")
                .on_hover_text(t.mirrored_flag.replace("{n}", &host_id.to_string()));
        }
        if c.rejected {
            ui.colored_label(ui.visuals().error_fg_color, "⛔")
                .on_hover_text(t.rejected_flag);
        }
        if c.pinned {
            ui.label("📌").on_hover_text(t.pinned_flag);
        }
        if !c.note().is_empty() {
            ui.label("✏").on_hover_text(c.note());
        }
    });
}

/// The right-click menu of a row; the same actions as the detail pane's buttons.
fn row_menu(ui: &mut Ui, c: &CaptureRow, t: &Texts) -> Option<Command> {
    if ui.button(t.copy_curl).clicked() {
        return Some(Command::CopyCurl(c.id));
    }
    let pin = if c.pinned { t.unpin } else { t.pin };
    if ui.button(pin).clicked() {
        return Some(Command::Pin(c.id, !c.pinned));
    }
    if ui.button(t.add_note).clicked() {
        return Some(Command::EditNote(c.id));
    }
    if ui.button(t.delete).clicked() {
        return Some(Command::Delete(c.id));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_leads_with_what_the_event_column_does_not_say() {
        assert_eq!(
            after_event(
                "incomingMessageReceived",
                "incomingMessageReceived from 79161234567: \"Привет\""
            ),
            "from 79161234567: \"Привет\""
        );
        assert_eq!(
            after_event("stateInstanceChanged", "stateInstanceChanged: authorized"),
            "authorized"
        );
        assert_eq!(
            after_event("customerorder:CREATE", "customerorder CREATE 5f2a"),
            "5f2a"
        );
        // Nothing after the event, or a summary of its own: shown whole.
        assert_eq!(after_event("payment", "payment"), "payment");
        assert_eq!(
            after_event("payment", "payment for order 880213"),
            "payment for order 880213"
        );
        assert_eq!(after_event("", "POST /x (2 bytes)"), "POST /x (2 bytes)");
    }
    use time::macros::{datetime, offset};

    #[test]
    fn the_date_shows_only_on_other_days() {
        let clock = Clock {
            offset: offset!(+3),
            today: time::macros::date!(2026 - 11 - 25),
        };
        let (cell, full) = clock.show(datetime!(2026-11-25 10:03:22.5 UTC));
        assert_eq!(cell, "13:03:22");
        assert_eq!(full, "2026-11-25 13:03:22.500000 +03:00");
        let (cell, _) = clock.show(datetime!(2026-11-24 22:00 UTC));
        assert_eq!(cell, "01:00:00", "22:00 UTC is already the 25th at +3");
        let (cell, _) = clock.show(datetime!(2026-11-24 20:00 UTC));
        assert_eq!(cell, "11-24 23:00:00");
    }
}
