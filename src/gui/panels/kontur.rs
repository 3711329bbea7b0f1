//! The Kontur.Reestro panel: a paged table of Rosreestr document-flow events. Next
//! follows the page's cursor, Back pops the cursors of earlier pages, Follow polls for events
//! after the newest one and marks them. The page's cursor is remembered across restarts.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use egui::Ui;
use egui_extras::{Column, TableBuilder};

use super::{field, form, secret_field, short_date, with_client, SecretField, Tab};
use crate::gui::command::Command;
use crate::gui::logic::App;
use crate::gui::state::AppState;
use crate::gui::texts::Texts;
use crate::http::ApiError;
use crate::providers::kontur::{Event, Feed, Page, MAX_COUNT, PRODUCTION, TEST_STAND};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Move {
    Start,
    Next,
    Back,
    Reload,
    /// Append what came after the newest event shown.
    Follow,
}

pub struct State {
    /// The cursor the shown page was asked with (`None`: the start of the feed).
    pub after: Option<String>,
    /// The cursors of the pages before it, for Back.
    earlier: Vec<Option<String>>,
    /// The cursor after the shown page.
    next: Option<String>,
    pub count: u8,
    events: Vec<Event>,
    /// Events that arrived while following.
    fresh: HashSet<String>,
    follow: bool,
    every_secs: u64,
    last_poll: Option<Instant>,
    state_filter: String,
    type_filter: String,
    loaded: bool,
    error: Option<ApiError>,
    note: Option<&'static str>,
}

impl State {
    /// At `after` with pages of `count` (kept in 1..=100 whatever was remembered).
    pub fn new(after: Option<String>, count: u8) -> State {
        State {
            after,
            earlier: Vec::new(),
            next: None,
            count: count.clamp(1, MAX_COUNT),
            events: Vec::new(),
            fresh: HashSet::new(),
            follow: false,
            every_secs: 15,
            last_poll: None,
            state_filter: String::new(),
            type_filter: String::new(),
            loaded: false,
            error: None,
            note: None,
        }
    }

    /// The cursor a move asks with.
    pub fn after_for(&mut self, movement: &Move) -> Option<String> {
        match movement {
            Move::Start => None,
            Move::Next => self.next.clone(),
            Move::Back => self.earlier.last().cloned().flatten(),
            Move::Reload => self.after.clone(),
            Move::Follow => {
                self.last_poll = Some(Instant::now());
                self.next.clone().or_else(|| self.after.clone())
            }
        }
    }

    pub fn follow_due(&self) -> bool {
        self.follow
            && self
                .last_poll
                .is_none_or(|at| at.elapsed() >= Duration::from_secs(self.every_secs))
    }

    pub fn arrived(&mut self, movement: Move, result: Result<Page, ApiError>) {
        self.loaded = true;
        let page = match result {
            Ok(page) => page,
            Err(e) => {
                self.error = Some(e);
                self.follow = false;
                return;
            }
        };
        self.error = None;
        self.note = None;
        match movement {
            Move::Start => {
                self.earlier.clear();
                self.after = None;
                self.events = page.events;
            }
            Move::Next if page.events.is_empty() => self.note = Some("empty"),
            Move::Next => {
                self.earlier.push(self.after.take());
                self.after = self.next.clone();
                self.events = page.events;
            }
            Move::Back => {
                self.after = self.earlier.pop().flatten();
                self.events = page.events;
            }
            Move::Reload => self.events = page.events,
            Move::Follow => {
                self.fresh
                    .extend(page.events.iter().map(|e| e.event_id.clone()));
                self.events.extend(page.events);
            }
        }
        self.next = page.cursor;
    }

    /// The shown page's number, counted from where this walk started.
    pub fn page(&self) -> usize {
        self.earlier.len() + 1
    }

    fn shown(&self, event: &Event) -> bool {
        let contains = |value: &str, wanted: &str| {
            wanted.is_empty() || value.to_lowercase().contains(&wanted.trim().to_lowercase())
        };
        contains(&event.docflow_state, &self.state_filter)
            && contains(&event.docflow_type, &self.type_filter)
    }
}

/// Reads the page a move asks for.
pub fn call(app: &mut App, movement: Move) {
    let config = app.keep_drafts();
    let events = &mut app.state.panels.events;
    let after = events.after_for(&movement);
    let count = events.count;
    let feed = Feed::new(&config.kontur);
    app.spawn(Some(Tab::Kontur), async move {
        let page = with_client(feed, |feed| async move {
            feed.page(after.as_deref(), count).await
        })
        .await;
        super::Done::Kontur(movement, page)
    });
}

pub fn apply(app: &mut App, movement: Move, page: Result<Page, ApiError>) {
    let panels = &mut app.state.panels;
    panels.busy.remove(&Tab::Kontur);
    panels.events.arrived(movement, page);
}

pub fn show(ui: &mut Ui, state: &mut AppState, t: &'static Texts) {
    let language = state.remembered.language;
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
    if configured && !events.loaded && !p.busy.contains(&Tab::Kontur) {
        events.loaded = true;
        state.commands.push(Command::Kontur(Move::Reload));
    }
    let mut movement = None;
    ui.horizontal_wrapped(|ui| {
        ui.label(t.page_size);
        ui.add(egui::DragValue::new(&mut events.count).range(1..=MAX_COUNT));
        if ui.button(t.from_start).clicked() {
            movement = Some(Move::Start);
        }
        if ui
            .add_enabled(!events.earlier.is_empty(), egui::Button::new(t.back))
            .clicked()
        {
            movement = Some(Move::Back);
        }
        if ui
            .add_enabled(events.next.is_some(), egui::Button::new(t.next))
            .clicked()
        {
            movement = Some(Move::Next);
        }
        if ui.button(t.refresh).clicked() {
            movement = Some(Move::Reload);
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
fn event_table(ui: &mut Ui, state: &State, t: &Texts) -> Option<String> {
    let shown: Vec<&Event> = state.events.iter().filter(|e| state.shown(e)).collect();
    if shown.is_empty() {
        if state.loaded && state.error.is_none() {
            ui.label(t.no_events);
        }
        return None;
    }
    let mut copied = None;
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
    let success = crate::gui::theme::palette(ui.visuals()).success;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn page(ids: &[&str], cursor: Option<&str>) -> Result<Page, ApiError> {
        Ok(Page {
            events: ids
                .iter()
                .map(|id| Event {
                    event_id: id.to_string(),
                    ..Default::default()
                })
                .collect(),
            cursor: cursor.map(str::to_string),
        })
    }

    #[test]
    fn next_and_back_walk_the_cursor_stack() {
        let mut state = State::new(None, crate::providers::kontur::DEFAULT_COUNT);
        state.arrived(Move::Reload, page(&["a", "b"], Some("b")));
        assert_eq!(state.after_for(&Move::Next).as_deref(), Some("b"));
        state.arrived(Move::Next, page(&["c", "d"], Some("d")));
        assert_eq!(state.after.as_deref(), Some("b"));
        assert_eq!(state.after_for(&Move::Back), None);
        state.arrived(Move::Back, page(&["a", "b"], Some("b")));
        assert_eq!(state.after, None);
        assert!(state.earlier.is_empty());
        // An empty next page keeps the page and its cursor.
        state.arrived(Move::Next, page(&["c", "d"], Some("d")));
        state.arrived(Move::Next, page(&[], Some("d")));
        assert_eq!(state.events.len(), 2);
        assert_eq!(state.after.as_deref(), Some("b"));
    }

    #[test]
    fn dates_lose_the_t_and_the_offset_only_when_they_are_rfc_3339() {
        assert_eq!(
            short_date("2026-11-01T09:00:00+03:00"),
            "2026-11-01 09:00:00"
        );
        assert_eq!(
            short_date("2026-11-01T09:00:00.123Z"),
            "2026-11-01 09:00:00"
        );
        assert_eq!(short_date("вчера"), "вчера");
        assert_eq!(
            short_date("2026-11-01 09:00:00 MSK"),
            "2026-11-01 09:00:00 MSK"
        );
    }

    #[test]
    fn following_appends_and_marks_new_events() {
        let mut state = State::new(None, crate::providers::kontur::DEFAULT_COUNT);
        state.arrived(Move::Reload, page(&["a"], Some("a")));
        state.arrived(Move::Follow, page(&["b"], Some("b")));
        assert_eq!(state.events.len(), 2);
        assert!(state.fresh.contains("b") && !state.fresh.contains("a"));
        assert_eq!(state.after_for(&Move::Follow).as_deref(), Some("b"));
    }
}
