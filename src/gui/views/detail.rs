//! The selected capture: provider-decoded overview, headers, query, body and the answer.

use std::borrow::Cow;

use egui::text::LayoutJob;
use egui::{Color32, FontId, RichText, TextFormat, Ui};
use egui_json_tree::{DefaultExpand, JsonTree};
use serde_json::Value;

use super::theme::provider_badge;
use crate::capture::{Capture, Verdict};
use crate::gui::command::Command;
use crate::gui::state::body::{self, BodyMode, Decoded};
use crate::gui::state::detail::{DetailTab, DetailView};
use crate::gui::state::AppState;
use crate::gui::texts::{Language, Texts};
use crate::providers;

/// The narrowest the detail pane gets, and the room it always leaves the table.
const PANE_LEAST: f32 = 300.0;
const TABLE_LEAST: f32 = 320.0;

/// Text views show at most this much; Hex shows everything.
const TEXT_VIEW_LIMIT: usize = 256 * 1024;
const HEX_ROW: usize = 16;

pub fn show(ui: &mut Ui, state: &mut AppState) {
    let t = state.texts();
    let width = ui.available_width();
    let id = egui::Id::new("detail");
    // The pane keeps its share of the window as the window changes size; a drag of the divider
    // changes the share.
    let most = (width - TABLE_LEAST).max(PANE_LEAST);
    let wanted = (width * state.remembered.detail_share).clamp(PANE_LEAST.min(most), most);
    let resized = (width - std::mem::replace(&mut state.window_width, width)).abs() > 0.5;
    if resized {
        ui.ctx().data_mut(|d| {
            let outer_rect = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(wanted, 1.0));
            d.insert_persisted(id, egui::containers::panel::PanelState { outer_rect });
        });
    }
    let shown = egui::Panel::right(id)
        .resizable(true)
        .default_size(wanted)
        .min_size(PANE_LEAST.min(most))
        .max_size(most)
        .show(ui, |ui| {
            let Some(capture) = state.detail.take() else {
                ui.add_space(20.0);
                ui.vertical_centered(|ui| ui.label(t.select_capture));
                return;
            };
            if state
                .detail_view
                .decoded
                .as_ref()
                .is_none_or(|d| d.id != capture.id)
            {
                state.detail_view.decoded = Some(Decoded::of(&capture));
                state.detail_view.mode = None;
            }
            header(ui, state, &capture, t);
            ui.separator();
            egui::ScrollArea::both()
                .auto_shrink(false)
                .id_salt(("detail", state.detail_view.tab as u8))
                .show(ui, |ui| match state.detail_view.tab {
                    DetailTab::Overview => overview(ui, state, &capture, t),
                    DetailTab::Headers => pairs(
                        ui,
                        capture.request.headers.iter().map(|(n, v)| (n, v.text())),
                        "",
                    ),
                    DetailTab::Query => query(ui, &capture.request.query, t),
                    DetailTab::Body => body(ui, &mut state.detail_view, &capture, t),
                    DetailTab::Response => response(ui, &capture, state.language),
                    DetailTab::Forward => super::forward::tab(ui, state, &capture, t),
                    DetailTab::Timeline => super::timeline::tab(ui, state, &capture, t),
                });
            state.detail = Some(capture);
        });
    let pane = shown.response.rect.width();
    if !resized && (pane - wanted).abs() > 1.0 && width > 0.0 {
        state.remembered.detail_share = (pane / width).clamp(0.15, 0.85);
    }
}

fn header(ui: &mut Ui, state: &mut AppState, c: &Capture, t: &Texts) {
    ui.horizontal_wrapped(|ui| {
        ui.strong(format!("#{}", c.id));
        provider_badge(ui, c.judgement.provider);
        ui.label(RichText::new(format!("{} {}", c.request.method, c.request.path)).monospace());
        if !c.judgement.event.is_empty() {
            ui.label(RichText::new(&c.judgement.event).italics());
        }
    });
    ui.horizontal_wrapped(|ui| {
        if ui.button(t.copy_curl).clicked() {
            state.commands.push(Command::CopyCurl(c.id));
        }
        if ui.button(t.copy_body).on_hover_text("Ctrl+C").clicked() {
            state.commands.push(Command::CopyText(
                String::from_utf8_lossy(&c.request.body).into_owned(),
            ));
        }
        let pin = if c.pinned { t.unpin } else { t.pin };
        if ui.button(pin).clicked() {
            state.commands.push(Command::Pin(c.id, !c.pinned));
        }
        if ui.button(t.add_note).clicked() {
            state.commands.push(Command::EditNote(c.id));
        }
        if ui.button(t.delete).clicked() {
            state.commands.push(Command::Delete(c.id));
        }
    });
    if let Some((id, note)) = &mut state.note {
        if *id == c.id {
            let id = *id;
            ui.horizontal(|ui| {
                let label = ui.label(t.note);
                let edit = ui
                    .add(
                        egui::TextEdit::singleline(note)
                            .desired_width(ui.available_width() - 140.0),
                    )
                    .labelled_by(label.id);
                // Typing goes to the note at once, not to the table's shortcuts.
                if std::mem::take(&mut state.note_focus) {
                    edit.request_focus();
                }
                let entered = edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                if ui.button(t.save).clicked() || entered {
                    state.commands.push(Command::SaveNote(id, note.clone()));
                }
                if ui.button(t.cancel).clicked() {
                    state.commands.push(Command::SaveNote(id, c.note.clone()));
                }
            });
        }
    }
    ui.horizontal_wrapped(|ui| {
        for (tab, label) in [
            (DetailTab::Overview, t.tab_overview),
            (DetailTab::Headers, t.tab_headers),
            (DetailTab::Query, t.tab_query),
            (DetailTab::Body, t.tab_body),
            (DetailTab::Response, t.tab_response),
            (DetailTab::Forward, t.tab_forward),
            (DetailTab::Timeline, t.tab_timeline),
        ] {
            ui.selectable_value(&mut state.detail_view.tab, tab, label);
        }
    });
}

/// Names and values in two columns; a value wraps at the pane's edge instead of running past it
/// (the names take at most [`NAMES_WIDTH`]).
fn grid(ui: &mut Ui, id: &str, rows: impl FnOnce(&mut Ui)) {
    let values = (ui.available_width() - NAMES_WIDTH - 12.0).max(120.0);
    egui::Grid::new(id)
        .num_columns(2)
        .striped(true)
        .spacing([12.0, 4.0])
        .max_col_width(values)
        .show(ui, |ui| {
            ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Wrap);
            rows(ui)
        });
}

/// The widest a name in the detail pane's grids needs ("Тип сообщения", "Повторён как").
const NAMES_WIDTH: f32 = 100.0;

fn overview(ui: &mut Ui, state: &mut AppState, c: &Capture, t: &Texts) {
    let j = &c.judgement;
    let repeated_by = state.list.repeats_of(c.id).to_vec();
    grid(ui, "overview", |ui| {
        ui.label(t.received);
        let clock = super::table::Clock::now(state.remembered.time_shown, state.local_offset);
        ui.label(clock.show(c.request.received_at).1);
        ui.end_row();
        ui.label(t.from);
        ui.label(&c.request.remote_addr);
        ui.end_row();
        ui.label(t.verdict);
        match j.verdict {
            Verdict::Ok => ui.label(t.verdict_ok),
            Verdict::Rejected => ui.colored_label(ui.visuals().error_fg_color, t.verdict_rejected),
        };
        ui.end_row();
        if let Some(reason) = &j.reason {
            ui.label(t.reason);
            ui.add(egui::Label::new(state.language.reason(reason)).wrap());
            ui.end_row();
        }
        ui.label(t.answered);
        let elapsed = c
            .elapsed_ms
            .map(|ms| format!(" {} {}", t.in_ms, state.language.millis(ms)))
            .unwrap_or_default();
        ui.label(format!("{}{elapsed}", j.answer.status));
        ui.end_row();
        if let Some(original) = crate::forward::replay::replay_of(c) {
            ui.label(t.replay_of);
            if ui.link(format!("#{original}")).clicked() {
                state.commands.push(Command::Select(original));
            }
            ui.end_row();
        }
        if let Some(first) = c.repeat_of {
            ui.label(t.repeat_of);
            if ui.link(format!("#{first}")).clicked() {
                state.commands.push(Command::Select(first));
            }
            ui.end_row();
        }
        if !repeated_by.is_empty() {
            ui.label(t.repeated_by);
            ui.horizontal_wrapped(|ui| {
                for id in &repeated_by {
                    if ui.link(format!("#{id}")).clicked() {
                        state.commands.push(Command::Select(*id));
                    }
                }
            });
            ui.end_row();
        }
        if !c.note.is_empty() {
            ui.label(t.note);
            ui.label(&c.note);
            ui.end_row();
        }
        let language = state.language;
        for (field, value) in providers::overview(c) {
            ui.label(language.field(field));
            ui.add(egui::Label::new(language.field_value(&value)).wrap());
            ui.end_row();
        }
    });
    loaded(ui, state, c, t);
}

/// "Load object" (MoySklad) or "Load order" (Reestr), and what was loaded, beside the capture.
fn loaded(ui: &mut Ui, state: &mut AppState, c: &Capture, t: &Texts) {
    let Some(load) = Command::load(c, &state.config) else {
        return;
    };
    ui.add_space(6.0);
    ui.horizontal_wrapped(|ui| {
        let label = match c.judgement.provider {
            crate::capture::Provider::Reestr => t.load_order,
            _ => t.load_object,
        };
        if ui.button(label).clicked() {
            state.commands.push(load);
        }
        ui.checkbox(&mut state.remembered.auto_load, t.automatically);
    });
    match &state.panels.loaded {
        Some((id, Ok(objects))) if *id == c.id => {
            for object in objects {
                let text = serde_json::to_string_pretty(object).unwrap_or_default();
                let dark = ui.visuals().dark_mode;
                ui.add(egui::Label::new(highlight_json(clip(&text), dark)).wrap());
            }
        }
        Some((id, Err(error))) if *id == c.id => {
            ui.colored_label(ui.visuals().error_fg_color, state.language.api_error(error));
        }
        _ => {}
    }
}

/// Names and values in a grid; a header value that is not UTF-8 shows U+FFFD for its bytes.
fn pairs<'a>(
    ui: &mut Ui,
    pairs: impl ExactSizeIterator<Item = (&'a String, Cow<'a, str>)>,
    empty: &str,
) {
    if pairs.len() == 0 {
        ui.label(empty);
        return;
    }
    grid(ui, "pairs", |ui| {
        for (name, value) in pairs {
            ui.label(RichText::new(name).monospace().strong());
            ui.add(egui::Label::new(RichText::new(value).monospace()).wrap());
            ui.end_row();
        }
    });
}

fn query(ui: &mut Ui, query: &str, t: &Texts) {
    let decoded = body::form_fields(query);
    if !query.is_empty() {
        ui.label(RichText::new(format!("?{query}")).monospace().weak());
        ui.add_space(4.0);
    }
    pairs(ui, decoded.iter().map(|(n, v)| (n, v.into())), t.no_query);
}

fn body(ui: &mut Ui, view: &mut DetailView, c: &Capture, t: &Texts) {
    let Some(decoded) = &mut view.decoded else {
        return;
    };
    if c.request.body.is_empty() {
        ui.label(t.empty_body);
        return;
    }
    let mut mode = view.mode.unwrap_or_else(|| decoded.best_mode());
    if let Some(error) = &decoded.json_error {
        let text = t
            .json_invalid
            .replace("{line}", &error.line.to_string())
            .replace("{column}", &error.column.to_string())
            .replace("{error}", &error.message);
        ui.colored_label(ui.visuals().warn_fg_color, format!("⚠ {text}"));
    }
    ui.horizontal_wrapped(|ui| {
        for (m, label, available) in [
            (BodyMode::Tree, t.view_tree, decoded.json.is_some()),
            (BodyMode::Pretty, t.view_pretty, decoded.pretty.is_some()),
            (BodyMode::Form, t.view_form, decoded.form.is_some()),
            (BodyMode::Raw, t.view_raw, true),
            (BodyMode::Hex, t.view_hex, true),
        ] {
            if ui
                .add_enabled(available, egui::Button::selectable(mode == m, label))
                .clicked()
            {
                mode = m;
                view.mode = Some(m);
            }
        }
    });
    ui.add_space(4.0);
    match mode {
        BodyMode::Tree => {
            if let Some(json) = &decoded.json {
                let searched = &mut decoded.searched;
                json_tree(
                    ui,
                    json,
                    searched,
                    &mut view.search,
                    &mut view.expand_all,
                    c.id,
                    t,
                );
            }
        }
        BodyMode::Pretty => match (&decoded.json, &decoded.pretty) {
            (Some(_), Some(pretty)) => {
                ui.label(highlight_json(clip(pretty), ui.visuals().dark_mode));
            }
            (None, Some(pretty)) => {
                ui.add(egui::Label::new(RichText::new(clip(pretty)).monospace()).extend());
            }
            _ => {}
        },
        BodyMode::Form => {
            if let Some(form) = &decoded.form {
                pairs(ui, form.iter().map(|(n, v)| (n, v.into())), t.empty_body);
            }
        }
        BodyMode::Raw => {
            let raw = decoded
                .text
                .clone()
                .unwrap_or_else(|| String::from_utf8_lossy(&c.request.body).into_owned());
            ui.add(egui::Label::new(RichText::new(clip(&raw)).monospace()).wrap());
        }
        BodyMode::Hex => hex(ui, &c.request.body),
    }
}

fn clip(text: &str) -> &str {
    match text.char_indices().nth(TEXT_VIEW_LIMIT) {
        Some((cut, _)) => &text[..cut],
        None => text,
    }
}

fn json_tree(
    ui: &mut Ui,
    json: &Value,
    searched: &mut Option<(String, Option<body::Match>)>,
    search: &mut String,
    expand_all: &mut Option<bool>,
    id: i64,
    t: &Texts,
) {
    let mut reset = false;
    ui.horizontal_wrapped(|ui| {
        let label = ui.label(t.search_json);
        reset |= ui
            .add(egui::TextEdit::singleline(search).desired_width(180.0))
            .labelled_by(label.id)
            .changed();
        if ui.button(t.expand_all).clicked() {
            *expand_all = Some(true);
            reset = true;
        }
        if ui.button(t.collapse_all).clicked() {
            *expand_all = Some(false);
            reset = true;
        }
    });
    if search.is_empty() {
        let expand = match expand_all {
            Some(false) => DefaultExpand::None,
            Some(true) => DefaultExpand::All,
            None => DefaultExpand::ToLevel(2),
        };
        let response = JsonTree::new(("body-tree", id), json)
            .default_expand(expand)
            .show(ui);
        if reset {
            response.reset_expanded(ui);
        }
        return;
    }
    // Only the matching parts, fully open: egui_json_tree's own search folds ASCII case only.
    // Searched once per text, not every frame.
    if searched.as_ref().is_none_or(|(text, _)| text != search) {
        *searched = Some((search.clone(), body::search(json, search)));
    }
    match searched.as_ref().and_then(|(_, found)| found.as_ref()) {
        None => {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                t.json_no_match.replace("{search}", search),
            );
        }
        Some(found) => {
            let count = found.count.to_string();
            ui.label(RichText::new(t.json_matches.replace("{count}", &count)).weak());
            let response = JsonTree::new(("body-tree-search", id), &found.parts)
                .default_expand(DefaultExpand::All)
                .show(ui);
            if reset {
                response.reset_expanded(ui);
            }
        }
    }
}

fn hex(ui: &mut Ui, bytes: &[u8]) {
    let rows = bytes.len().div_ceil(HEX_ROW);
    let height = ui.text_style_height(&egui::TextStyle::Monospace);
    egui::ScrollArea::both()
        .id_salt("hex")
        .auto_shrink(false)
        .show_rows(ui, height, rows, |ui, range| {
            for row in range {
                ui.add(egui::Label::new(RichText::new(hex_line(bytes, row)).monospace()).extend());
            }
        });
}

/// `00000010  7b 22 61 22 …  {"a"…`: offset, 16 bytes, printable ASCII.
pub fn hex_line(bytes: &[u8], row: usize) -> String {
    let start = row * HEX_ROW;
    let chunk = &bytes[start..(start + HEX_ROW).min(bytes.len())];
    let hex: Vec<String> = chunk.iter().map(|b| format!("{b:02x}")).collect();
    let ascii: String = chunk
        .iter()
        .map(|&b| {
            if b.is_ascii_graphic() || b == b' ' {
                b as char
            } else {
                '.'
            }
        })
        .collect();
    format!("{start:08x}  {:<47}  {ascii}", hex.join(" "))
}

fn response(ui: &mut Ui, c: &Capture, language: Language) {
    let t = language.texts();
    let answer = &c.judgement.answer;
    grid(ui, "response", |ui| {
        ui.label(t.col_status);
        ui.label(answer.status.to_string());
        ui.end_row();
        if let Some(ms) = c.elapsed_ms {
            ui.label(t.answered);
            ui.label(format!("{} {}", t.in_ms, language.millis(ms)));
            ui.end_row();
        }
    });
    ui.add_space(6.0);
    let sent: Vec<(String, Cow<str>)> = answer
        .sent_headers(c.id)
        .map(|(n, v)| (n.to_string(), v))
        .collect();
    pairs(ui, sent.iter().map(|(n, v)| (n, v.clone())), "");
    ui.add_space(6.0);
    if answer.body.is_empty() {
        ui.label(t.empty_body);
    } else {
        ui.label(RichText::new(String::from_utf8_lossy(&answer.body)).monospace());
    }
}

/// Colours keys, strings, numbers and literals of pretty-printed JSON.
fn highlight_json(text: &str, dark: bool) -> LayoutJob {
    let (key, string, number, literal, punct) = if dark {
        (
            Color32::from_rgb(0x7d, 0xc4, 0xe4),
            Color32::from_rgb(0xa6, 0xe2, 0x2e),
            Color32::from_rgb(0xfd, 0x97, 0x1f),
            Color32::from_rgb(0xae, 0x81, 0xff),
            Color32::GRAY,
        )
    } else {
        (
            Color32::from_rgb(0x00, 0x55, 0x99),
            Color32::from_rgb(0x22, 0x77, 0x22),
            Color32::from_rgb(0xb3, 0x50, 0x00),
            Color32::from_rgb(0x77, 0x33, 0xbb),
            Color32::DARK_GRAY,
        )
    };
    let mut job = LayoutJob::default();
    let font = FontId::monospace(12.0);
    let push = |job: &mut LayoutJob, s: &str, color: Color32| {
        job.append(s, 0.0, TextFormat::simple(font.clone(), color))
    };
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let len = match c {
            '"' => {
                let mut escaped = false;
                let end = rest[1..]
                    .char_indices()
                    .find(|&(_, ch)| {
                        let done = ch == '"' && !escaped;
                        escaped = ch == '\\' && !escaped;
                        done
                    })
                    .map_or(rest.len(), |(i, _)| i + 2);
                let is_key = rest[end..].trim_start().starts_with(':');
                push(&mut job, &rest[..end], if is_key { key } else { string });
                end
            }
            '-' | '0'..='9' => {
                let end = rest
                    .find(|ch: char| !(ch.is_ascii_digit() || "+-.eE".contains(ch)))
                    .unwrap_or(rest.len());
                push(&mut job, &rest[..end], number);
                end
            }
            't' | 'f' | 'n' => {
                let end = rest
                    .find(|ch: char| !ch.is_ascii_alphabetic())
                    .unwrap_or(rest.len());
                push(&mut job, &rest[..end], literal);
                end
            }
            _ => {
                let end = rest
                    .find(|ch: char| ch == '"' || ch == '-' || ch.is_ascii_alphanumeric())
                    .unwrap_or(rest.len())
                    .max(c.len_utf8());
                push(&mut job, &rest[..end], punct);
                end
            }
        };
        rest = &rest[len..];
    }
    job
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_lines_show_offset_bytes_and_ascii() {
        let bytes: Vec<u8> = b"{\"a\":1}\x00\xff".to_vec();
        assert_eq!(
            hex_line(&bytes, 0),
            format!(
                "00000000  {:<47}  {{\"a\":1}}..",
                "7b 22 61 22 3a 31 7d 00 ff"
            )
        );
    }

    #[test]
    fn highlighting_keeps_every_character() {
        let text = "{\n  \"ключ\": \"зна\\\"чение\",\n  \"n\": -1.5e3,\n  \"ok\": true\n}";
        assert_eq!(highlight_json(text, true).text, text);
    }
}
