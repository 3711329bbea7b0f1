//! The Rosreestr events feed (Kontur.Reestro) as the panel walks it: Next follows the page's
//! cursor, Back pops the cursors of earlier pages, Follow polls for events after the newest
//! one and marks them.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use crate::gui::command::KonturMove;
use crate::http::ApiError;
use crate::providers::kontur::{Event, Page, MAX_COUNT};

/// The feed as the panel shows it.
pub struct EventsPanel {
    /// The cursor the shown page was asked with (`None`: the start of the feed).
    pub after: Option<String>,
    /// The cursors of the pages before it, for Back.
    pub earlier: Vec<Option<String>>,
    /// The cursor after the shown page.
    pub next: Option<String>,
    pub count: u8,
    pub events: Vec<Event>,
    /// Events that arrived while following.
    pub fresh: HashSet<String>,
    pub follow: bool,
    pub every_secs: u64,
    pub last_poll: Option<Instant>,
    pub state_filter: String,
    pub type_filter: String,
    pub loaded: bool,
    pub error: Option<ApiError>,
    pub note: Option<&'static str>,
}

impl EventsPanel {
    /// At `after` with pages of `count` (kept in 1..=100 whatever was remembered).
    pub fn new(after: Option<String>, count: u8) -> EventsPanel {
        EventsPanel {
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
    pub fn after_for(&mut self, movement: &KonturMove) -> Option<String> {
        match movement {
            KonturMove::Start => None,
            KonturMove::Next => self.next.clone(),
            KonturMove::Back => self.earlier.last().cloned().flatten(),
            KonturMove::Reload => self.after.clone(),
            KonturMove::Follow => {
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

    pub fn arrived(&mut self, movement: KonturMove, result: Result<Page, ApiError>) {
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
            KonturMove::Start => {
                self.earlier.clear();
                self.after = None;
                self.events = page.events;
            }
            KonturMove::Next if page.events.is_empty() => self.note = Some("empty"),
            KonturMove::Next => {
                self.earlier.push(self.after.take());
                self.after = self.next.clone();
                self.events = page.events;
            }
            KonturMove::Back => {
                self.after = self.earlier.pop().flatten();
                self.events = page.events;
            }
            KonturMove::Reload => self.events = page.events,
            KonturMove::Follow => {
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

    pub fn shown(&self, event: &Event) -> bool {
        let contains = |value: &str, wanted: &str| {
            wanted.is_empty() || value.to_lowercase().contains(&wanted.trim().to_lowercase())
        };
        contains(&event.docflow_state, &self.state_filter)
            && contains(&event.docflow_type, &self.type_filter)
    }
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
        let mut state = EventsPanel::new(None, crate::providers::kontur::DEFAULT_COUNT);
        state.arrived(KonturMove::Reload, page(&["a", "b"], Some("b")));
        assert_eq!(state.after_for(&KonturMove::Next).as_deref(), Some("b"));
        state.arrived(KonturMove::Next, page(&["c", "d"], Some("d")));
        assert_eq!(state.after.as_deref(), Some("b"));
        assert_eq!(state.after_for(&KonturMove::Back), None);
        state.arrived(KonturMove::Back, page(&["a", "b"], Some("b")));
        assert_eq!(state.after, None);
        assert!(state.earlier.is_empty());
        // An empty next page keeps the page and its cursor.
        state.arrived(KonturMove::Next, page(&["c", "d"], Some("d")));
        state.arrived(KonturMove::Next, page(&[], Some("d")));
        assert_eq!(state.events.len(), 2);
        assert_eq!(state.after.as_deref(), Some("b"));
    }

    #[test]
    fn following_appends_and_marks_new_events() {
        let mut state = EventsPanel::new(None, crate::providers::kontur::DEFAULT_COUNT);
        state.arrived(KonturMove::Reload, page(&["a"], Some("a")));
        state.arrived(KonturMove::Follow, page(&["b"], Some("b")));
        assert_eq!(state.events.len(), 2);
        assert!(state.fresh.contains("b") && !state.fresh.contains("a"));
        assert_eq!(state.after_for(&KonturMove::Follow).as_deref(), Some("b"));
    }
}
