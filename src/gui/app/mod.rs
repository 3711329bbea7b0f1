//! What the buttons do: the eframe app, and every handler. A frame drains what background
//! work brought back (`drain`), lets the views draw the state and push commands, then handles
//! them (`commands`, and one module per family: `files`, `forward`, `responses`,
//! `providers`). The listener's life (start, restart, damaged store) is `lifecycle`; the
//! engine, the store reader, the runtime and the channels are [`Work`]. A handler takes
//! `&mut AppState` and `&mut Work`, never the whole app, so it is tested without a window.

pub mod commands;
mod drain;
mod files;
mod forward;
mod lifecycle;
pub mod providers;
mod responses;
mod team;
mod work;

use std::time::Duration;

use time::UtcOffset;

pub use work::Work;

use super::command::{Command, ReestrCall};
use super::queries::Query;
use super::state::providers::Panels;
use super::state::{AppState, Remembered, FIRST_PAGE};
use crate::config::{Config, Paths};
use crate::engine::{Engine, EngineError};
use commands::handle;

pub struct App {
    state: AppState,
    work: Work,
}

impl App {
    pub fn new(
        cc: &eframe::CreationContext<'_>,
        engine: Result<Engine, EngineError>,
        config: Config,
        paths: Paths,
        runtime: tokio::runtime::Handle,
    ) -> App {
        let remembered: Remembered = cc
            .storage
            .and_then(|s| eframe::get_value(s, eframe::APP_KEY))
            .unwrap_or_default();
        let local_offset = super::LOCAL_OFFSET.get().copied().unwrap_or(UtcOffset::UTC);
        let mut state = AppState::new(config, remembered.clone(), local_offset);
        super::views::theme::set_up(&cc.egui_ctx);
        let mut work = Work::new(runtime, paths, cc.egui_ctx.clone());
        lifecycle::close_when_asked_to_stop(&work);
        lifecycle::move_tokens_where_asked(&mut state, &mut work);
        work.queries.ask(Query::Newest(FIRST_PAGE));
        match engine {
            Ok(engine) => lifecycle::started(&mut state, &mut work, engine),
            Err(e) => lifecycle::not_started(&mut state, &e),
        }
        // The newest Reestr confirm, for the top bar's warning when it could not succeed.
        handle(
            &mut state,
            &mut work,
            Command::Reestr(ReestrCall::Confirmation),
        );
        App { state, work }.start_from(remembered)
    }

    /// Starts from `remembered` instead of what the window's storage held.
    pub fn remembering(self, remembered: Remembered) -> App {
        self.start_from(remembered)
    }

    fn start_from(mut self, remembered: Remembered) -> App {
        let (state, work) = (&mut self.state, &mut self.work);
        state.panels = Panels::new(&state.config, &remembered);
        state.remembered = remembered.clone();
        lifecycle::apply_look(state, work);
        handle(state, work, Command::SetFilter(remembered.filter));
        self
    }

    /// What the app keeps across restarts, as of now.
    pub fn remembered(&self) -> Remembered {
        let panels = &self.state.panels;
        Remembered {
            events_after: panels.events_cursor(),
            events_count: panels.events_count(),
            ..self.state.remembered.clone()
        }
    }
}

impl eframe::App for App {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        let state = &mut self.state;
        drain::drain(state, &mut self.work);
        if state.list.per_second() > 0 {
            // Let the rate fall back to zero on screen once arrivals stop.
            ctx.request_repaint_after(Duration::from_secs(1));
        }
        if state
            .notice
            .as_ref()
            .is_some_and(|(_, at)| at.elapsed() > Duration::from_secs(4))
        {
            state.notice = None;
        } else if state.notice.is_some() {
            ctx.request_repaint_after(Duration::from_secs(1));
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        super::views::show(ui, &mut self.state);
        for command in std::mem::take(&mut self.state.commands) {
            handle(&mut self.state, &mut self.work, command);
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, eframe::APP_KEY, &self.remembered());
    }
}

/// Switches saved rule `n` on or off as `shown` is, when `shown` is that rule in all else: a
/// rule edited, added or moved in its window waits for Apply. True when the switch changed.
fn switch_rule<R: Clone + PartialEq>(
    saved: &mut [R],
    n: usize,
    shown: &R,
    enabled: impl Fn(&mut R) -> &mut bool,
) -> bool {
    let Some(rule) = saved.get_mut(n) else {
        return false;
    };
    let mut unswitched = shown.clone();
    let wanted = *enabled(&mut unswitched);
    *enabled(&mut unswitched) = *enabled(rule);
    if unswitched != *rule || *enabled(rule) == wanted {
        return false;
    }
    *enabled(rule) = wanted;
    true
}

#[cfg(test)]
mod tests;
