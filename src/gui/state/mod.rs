//! What the window shows and what the user is in the middle of: the model. Views read it and
//! push [`Command`]s; `app`'s handlers change it between frames. Nothing here touches the
//! engine, the runtime or a channel, or imports a view or a handler, so every change of state
//! is testable without a renderer. One module a screen: the table's rows (`list`), the detail
//! pane (`detail`, `body`), forwarding, responses, the provider panels, settings, the file
//! window and the prompt.

pub mod body;
pub mod detail;
pub mod files;
pub mod forward;
pub mod list;
pub mod prompt;
pub mod providers;
pub mod responses;
pub mod settings;
pub mod team;

use std::net::SocketAddr;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use time::UtcOffset;

use self::detail::DetailView;
use self::files::Chooser;
use self::forward::ForwardState;
use self::list::CaptureList;
use self::prompt::Prompt;
use self::providers::Panels;
use self::responses::RuleDraft;
use super::command::Command;
use super::queries::Query;
use super::texts::{Language, Texts};
use crate::capture::{Capture, CaptureRow};
use crate::config::Config;
use crate::engine::ApiState;
use crate::filter::{Filter, FilterError};

/// Rows of the table's first page: the newest, read before anything else so that a big store
/// opens at once.
pub const FIRST_PAGE: usize = 1_000;
/// The most rows one read of older captures brings.
const LARGEST_PAGE: usize = 100_000;

/// What the app remembers across restarts besides window size and column widths (which
/// eframe and egui keep themselves) and what the settings file holds (theme and language).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct Remembered {
    pub filter: String,
    /// The public URL providers were last seen at, to notice when a tunnel's URL changes.
    pub public_url: String,
    /// Load a MoySklad capture's objects and a Reestr capture's order when it is selected.
    pub auto_load: bool,
    /// Where the Kontur.Reestro events panel stood, and its page size.
    pub events_after: Option<String>,
    pub events_count: u8,
    /// The time column's clock.
    pub time_shown: TimeShown,
    /// The detail pane's share of the window's width.
    pub detail_share: f32,
    /// The files last exported to and imported from, where their windows open next.
    pub last_export: String,
    pub last_import: String,
}

impl Default for Remembered {
    fn default() -> Self {
        Remembered {
            filter: String::new(),
            public_url: String::new(),
            auto_load: false,
            events_after: None,
            events_count: crate::providers::kontur::DEFAULT_COUNT,
            time_shown: TimeShown::Local,
            detail_share: 0.35,
            last_export: String::new(),
            last_import: String::new(),
        }
    }
}

/// Which clock the time column follows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum TimeShown {
    #[default]
    Local,
    Utc,
}

impl TimeShown {
    pub fn other(self) -> TimeShown {
        match self {
            TimeShown::Local => TimeShown::Utc,
            TimeShown::Utc => TimeShown::Local,
        }
    }
}

/// The filter box: its text, and that text parsed.
pub struct FilterState {
    pub text: String,
    pub parsed: Result<Filter, FilterError>,
    /// Bumped at each new filter, so that late answers to an older one are ignored.
    pub generation: u64,
    /// The store has not yet said which captures match.
    pub pending: bool,
    pub focus: bool,
}

impl Default for FilterState {
    fn default() -> Self {
        FilterState {
            text: String::new(),
            parsed: Ok(Filter::default()),
            generation: 0,
            pending: false,
            focus: false,
        }
    }
}

impl FilterState {
    pub fn error(&self) -> Option<&FilterError> {
        self.parsed.as_ref().err()
    }
}

pub struct AppState {
    pub config: Config,
    /// The settings' language, or the system's when they name none.
    pub language: Language,
    pub remembered: Remembered,
    /// The local offset from UTC for the time column.
    pub local_offset: UtcOffset,
    /// Where the listener listens, while it does.
    pub listening: Option<SocketAddr>,
    /// How the API for scripts and assistants came up with the listener.
    pub api: Option<ApiState>,
    /// Why the listener is not running, in the user's language.
    pub listen_error: Option<String>,
    /// The listener did not start because the store is damaged: the app offers to set it aside.
    pub store_damaged: bool,
    /// Pass-through requests that got hookscope's own answer because their queue was busy.
    pub fell_back: crate::forward::FellBack,
    /// Why webhooks are not being saved now (a full disk, say), until a commit works again.
    pub not_saving: Option<String>,
    pub list: CaptureList,
    pub loading: bool,
    /// Captures older than the rows held, still to be read from the store.
    pub older_left: u64,
    /// Rows shown above the view since the table last drew: while the user looks at older
    /// rows, the view moves down by as many, so that what they look at stays put.
    pub rows_above: usize,
    /// The window's width as of the last frame, to notice a resize.
    pub window_width: f32,
    /// How far down the table was scrolled, as of the last frame.
    pub table_offset: f32,
    /// Bytes of the store in use, as of the last read, and when that was asked.
    pub store_bytes: u64,
    pub store_bytes_read: Option<Instant>,
    pub filter: FilterState,
    pub selected: Option<i64>,
    /// The row whose context menu is open.
    pub menu_row: Option<i64>,
    pub detail: Option<Box<Capture>>,
    pub detail_view: DetailView,
    pub follow: bool,
    /// Rows that arrived while follow mode was paused.
    pub unseen: usize,
    /// How many rows the table showed last frame, to notice arrivals in follow mode.
    pub shown_rows: usize,
    pub scroll_to_selected: bool,
    pub settings: Option<settings::Draft>,
    /// The team host window, while open.
    pub team: Option<team::TeamDraft>,
    /// How mirroring the team host stands, while attached.
    pub attached: Option<crate::attach::Attached>,
    /// The note being written, and for which capture.
    pub note: Option<(i64, String)>,
    /// The note field was just opened: it takes the keyboard.
    pub note_focus: bool,
    pub notice: Option<(String, Instant)>,
    /// The export or import window, when open.
    pub chooser: Option<Chooser>,
    /// A change waiting for the user's yes.
    pub asking: Option<Prompt>,
    /// A capture whose cURL command is wanted as soon as it is loaded.
    pub copy_curl_of: Option<i64>,
    pub panels: Panels,
    pub forward: ForwardState,
    /// The Responses window, while open.
    pub responses: Option<Vec<RuleDraft>>,
    /// How many requests each response rule with a limit still takes, by rule number.
    pub faults_left: Vec<(usize, u32)>,
    /// Every arrival of the selected capture's notification.
    pub timeline: Option<(i64, Vec<crate::store::Arrival>)>,
    /// What the views asked for during this frame.
    pub commands: Vec<Command>,
}

impl AppState {
    pub fn new(config: Config, remembered: Remembered, local_offset: UtcOffset) -> AppState {
        AppState {
            panels: Panels::new(&config, &remembered),
            language: config.window.language(),
            forward: Default::default(),
            responses: None,
            faults_left: Vec::new(),
            timeline: None,
            config,
            remembered,
            local_offset,
            listening: None,
            api: None,
            listen_error: None,
            store_damaged: false,
            not_saving: None,
            fell_back: Default::default(),
            list: CaptureList::default(),
            loading: true,
            older_left: 0,
            rows_above: 0,
            table_offset: 0.0,
            window_width: 0.0,
            store_bytes: 0,
            store_bytes_read: None,
            filter: FilterState::default(),
            selected: None,
            menu_row: None,
            detail: None,
            detail_view: DetailView::default(),
            follow: true,
            unseen: 0,
            shown_rows: 0,
            scroll_to_selected: false,
            settings: None,
            team: None,
            attached: None,
            note: None,
            note_focus: false,
            notice: None,
            chooser: None,
            asking: None,
            copy_curl_of: None,
            commands: Vec::new(),
        }
    }

    pub fn texts(&self) -> &'static Texts {
        self.language.texts()
    }

    pub fn notify(&mut self, text: impl Into<String>) {
        self.notice = Some((text.into(), Instant::now()));
    }

    /// Where replays and samples go: this app's own listener.
    pub fn listener_url(&self) -> String {
        format!(
            "http://{}",
            self.listening.unwrap_or(self.config.listener.listen)
        )
    }

    /// A new filter text. Without a mistake, the store is asked which captures match (unless
    /// it is empty: then all show); with one, the table shows nothing until it is fixed.
    pub fn set_filter(&mut self, text: String) -> Option<Query> {
        self.remembered.filter = text.clone();
        self.filter.parsed = Filter::parse(&text);
        self.filter.text = text;
        let filter = self.filter.parsed.as_ref().ok()?.clone();
        self.filter.generation += 1;
        if filter.is_empty() {
            self.filter.pending = false;
            self.list.show_all();
            return None;
        }
        self.filter.pending = true;
        self.list.start_filtering();
        Some(Query::Matching {
            generation: self.filter.generation,
            filter,
            among: None,
        })
    }

    /// A pin or note was committed: the filter's verdict is asked again, since it may name
    /// them. The table keeps what it shows until the answer comes.
    pub fn filter_again(&mut self) -> Option<Query> {
        let filter = self.filter.parsed.as_ref().ok()?;
        if filter.is_empty() {
            return None;
        }
        self.filter.generation += 1;
        Some(Query::Matching {
            generation: self.filter.generation,
            filter: filter.clone(),
            among: None,
        })
    }

    /// New rows: shown at once without a filter, else after the store says they match.
    pub fn add_rows(&mut self, rows: Vec<CaptureRow>, live: bool) -> Option<Query> {
        let added = rows.len();
        let check = self.list.add(rows, live);
        if !self.follow && live {
            self.unseen += added;
        }
        let filter = self.filter.parsed.as_ref().ok()?;
        (!check.is_empty()).then(|| Query::Matching {
            generation: self.filter.generation,
            filter: filter.clone(),
            among: Some(check),
        })
    }

    /// The store's newest page: shown at once, the older pages asked for next.
    pub fn newest_rows(&mut self, rows: Vec<CaptureRow>, older: u64) -> Vec<Query> {
        self.loading = false;
        self.older_left = older;
        let mut asks: Vec<Query> = self.add_rows(rows, false).into_iter().collect();
        asks.extend(self.next_older_page());
        asks
    }

    /// An older page read from the store. One that no longer joins the rows held is dropped:
    /// after a clear nothing more is read, and after the oldest row held was deleted the page
    /// before the new oldest is asked for.
    pub fn older_rows(&mut self, before: i64, rows: Vec<CaptureRow>) -> Vec<Query> {
        if self.list.first_id() != Some(before) {
            return self.next_older_page().into_iter().collect();
        }
        // An empty page means none are left, whatever the count said: retention may have
        // removed some meanwhile.
        self.older_left = if rows.is_empty() {
            0
        } else {
            self.older_left.saturating_sub(rows.len() as u64)
        };
        let shown = self.list.visible().len();
        let check = self.list.add_older(rows);
        if !self.follow {
            self.rows_above += self.list.visible().len() - shown;
        }
        let mut asks = Vec::new();
        if let (false, Ok(filter)) = (check.is_empty(), &self.filter.parsed) {
            asks.push(Query::Matching {
                generation: self.filter.generation,
                filter: filter.clone(),
                among: Some(check),
            });
        }
        asks.extend(self.next_older_page());
        asks
    }

    /// Pages grow with what is held, so a million captures take a few dozen reads.
    fn next_older_page(&self) -> Option<Query> {
        let before = self.list.first_id()?;
        (self.older_left > 0).then(|| Query::Older {
            before,
            limit: self.list.rows().len().clamp(FIRST_PAGE, LARGEST_PAGE),
        })
    }

    /// Selects a capture; true when it has to be loaded.
    pub fn select(&mut self, id: i64) -> bool {
        if self.selected == Some(id) {
            return false;
        }
        self.selected = Some(id);
        self.detail = None;
        true
    }

    /// Moves the selection by `step` rows (from the end when nothing is selected); the
    /// capture selected, when it has to be loaded.
    pub fn move_selection(&mut self, step: isize) -> Option<i64> {
        let count = self.list.visible().len();
        if count == 0 {
            return None;
        }
        let current = self.selected.and_then(|id| self.list.position_of(id));
        let next = match current {
            Some(p) => p.saturating_add_signed(step).min(count - 1),
            None if step < 0 => count - 1,
            None => 0,
        };
        let id = self.list.visible_row(next)?.id;
        self.scroll_to_selected = true;
        self.follow = next == count - 1;
        self.select(id).then_some(id)
    }

    pub fn set_follow(&mut self, follow: bool) {
        self.follow = follow;
        if follow {
            self.unseen = 0;
            self.shown_rows = 0;
        }
    }

    pub fn pin(&mut self, id: i64, pinned: bool) {
        if let Some(row) = self.list.row_mut(id) {
            row.pinned = pinned;
        }
        if let Some(detail) = self.detail.as_mut().filter(|d| d.id == id) {
            detail.pinned = pinned;
        }
    }

    /// Opens the note field with the capture's note, when it is the one shown.
    pub fn edit_note(&mut self, id: i64) {
        let current = self
            .detail
            .as_ref()
            .filter(|d| d.id == id)
            .map(|d| d.note.clone());
        self.note = Some((id, current.unwrap_or_default()));
        self.note_focus = true;
    }

    pub fn save_note(&mut self, id: i64, note: &str) {
        if let Some(row) = self.list.row_mut(id) {
            row.set_note(note);
        }
        if let Some(detail) = self.detail.as_mut().filter(|d| d.id == id) {
            detail.note = note.to_string();
        }
        self.note = None;
    }

    /// Removes a capture from the table; the one to select next (below it, else above).
    pub fn delete(&mut self, id: i64) -> Option<i64> {
        let next = self.list.position_of(id).and_then(|p| {
            self.list
                .visible_row(p + 1)
                .or_else(|| p.checked_sub(1).and_then(|p| self.list.visible_row(p)))
                .map(|r| r.id)
        });
        self.list.remove(&[id]);
        self.selected = None;
        self.detail = None;
        next
    }

    pub fn clear(&mut self) {
        self.list.clear();
        self.older_left = 0;
        self.selected = None;
        self.detail = None;
    }
}

#[cfg(test)]
mod tests {
    use super::list::row;
    use super::*;

    fn state() -> AppState {
        AppState::new(Config::default(), Remembered::default(), UtcOffset::UTC)
    }

    #[test]
    fn remembered_state_survives_serialisation() {
        let remembered = Remembered {
            filter: "provider:reestr".into(),
            events_after: Some("e1".into()),
            events_count: 100,
            time_shown: TimeShown::Utc,
            ..Remembered::default()
        };
        let text = serde_json::to_string(&remembered).unwrap();
        let back: Remembered = serde_json::from_str(&text).unwrap();
        assert_eq!(back.filter, "provider:reestr");
        assert_eq!(back.events_after.as_deref(), Some("e1"));
        assert_eq!((back.events_count, back.time_shown), (100, TimeShown::Utc));
    }

    #[test]
    fn older_pages_are_asked_until_none_are_left_and_a_stale_one_is_dropped() {
        let mut s = state();
        let asks = s.newest_rows((2001..=3000).map(row).collect(), 2_000);
        assert!(matches!(
            asks[..],
            [Query::Older {
                before: 2001,
                limit: FIRST_PAGE
            }]
        ));
        assert_eq!(s.list.visible().len() as u64 + s.older_left, 3_000);
        // Scrolled up to look at something: older rows above keep it where it is.
        s.follow = false;
        let asks = s.older_rows(2001, (1001..=2000).map(row).collect());
        assert!(matches!(
            asks[..],
            [Query::Older {
                before: 1001,
                limit: 2_000
            }]
        ));
        assert_eq!((s.older_left, s.rows_above), (1_000, 1_000));
        // The oldest row held was deleted meanwhile: the page before the new oldest is asked.
        s.list.remove(&[1001]);
        assert!(matches!(
            s.older_rows(1001, (1..=1000).map(row).collect())[..],
            [Query::Older { before: 1002, .. }]
        ));
        // The store was cleared meanwhile: the page that was on its way joins nothing.
        s.clear();
        assert!(s.older_rows(1001, (1..=1000).map(row).collect()).is_empty());
        assert!(s.list.rows().is_empty());
        // Retention removed the oldest meanwhile: an empty page ends the reading.
        let mut s = state();
        s.newest_rows(vec![row(10)], 5);
        assert!(s.older_rows(10, Vec::new()).is_empty());
        assert_eq!(s.older_left, 0);
    }

    #[test]
    fn a_filter_with_a_mistake_asks_nothing_and_keeps_the_error() {
        let mut s = state();
        assert!(matches!(
            s.set_filter("provider:reestr".into()),
            Some(Query::Matching { generation: 1, .. })
        ));
        assert!(s.filter.pending);
        // A committed pin or note asks again, as a new generation: an older answer is moot.
        assert!(matches!(
            s.filter_again(),
            Some(Query::Matching {
                generation: 2,
                among: None,
                ..
            })
        ));
        assert!(s.set_filter("provder:x".into()).is_none());
        assert!(s.filter_again().is_none());
        assert!(matches!(
            s.filter.error(),
            Some(FilterError::UnknownField { .. })
        ));
        assert_eq!(s.remembered.filter, "provder:x");
        // New arrivals are not checked against a filter that does not parse.
        assert!(s.add_rows(vec![row(1)], true).is_none());
        assert!(s.set_filter(String::new()).is_none());
        assert!(!s.filter.pending && s.filter.error().is_none());
        assert!(s.filter_again().is_none());
    }

    #[test]
    fn keys_move_the_selection_and_the_end_resumes_following() {
        let mut s = state();
        s.add_rows((1..=3).map(row).collect(), false);
        assert_eq!(
            s.move_selection(-1),
            Some(3),
            "from nothing, up starts at the end"
        );
        assert!(s.follow);
        assert_eq!(s.move_selection(-1), Some(2));
        assert!(!s.follow);
        assert_eq!(s.move_selection(-5), Some(1));
        assert_eq!(s.move_selection(-1), None, "already at the top");
        assert_eq!(s.move_selection(10), Some(3));
        assert!(s.follow && s.scroll_to_selected);
    }

    #[test]
    fn arrivals_while_paused_are_counted_until_following_again() {
        let mut s = state();
        s.set_follow(false);
        s.add_rows(vec![row(1), row(2)], true);
        s.add_rows(vec![row(3)], false);
        assert_eq!(s.unseen, 2, "rows read back from the store are not new");
        s.set_follow(true);
        assert_eq!(s.unseen, 0);
    }

    #[test]
    fn deleting_selects_the_row_below_or_else_above() {
        let mut s = state();
        s.add_rows((1..=3).map(row).collect(), false);
        s.select(2);
        assert_eq!(s.delete(2), Some(3));
        assert_eq!(s.delete(3), Some(1));
        assert_eq!(s.delete(1), None);
        assert!(s.selected.is_none());
    }

    #[test]
    fn pins_and_notes_reach_the_row() {
        let mut s = state();
        s.add_rows(vec![row(7)], false);
        s.pin(7, true);
        s.edit_note(7);
        assert_eq!(s.note, Some((7, String::new())));
        s.save_note(7, "проверить");
        let shown = &s.list.rows()[0];
        assert!(shown.pinned);
        assert_eq!(shown.note(), "проверить");
        assert!(s.note.is_none());
    }
}
