//! What arrived since the last frame, applied to the state: a restarted engine, new captures,
//! committed changes, the notices and file picks of background work, and the store reader's
//! results. Draining is budgeted, so a flood never freezes the window.

use std::time::{Duration, Instant};

use tokio::sync::broadcast;

use super::commands::{self, handle};
use super::{files, forward, lifecycle, providers, Work};
use crate::capture::CaptureRow;
use crate::gui::command::{Command, ReestrCall};
use crate::gui::queries::{Fetched, Query};
use crate::gui::state::AppState;
use crate::store::{Change, NotSavedCause};

/// How long one frame may spend draining arrivals.
const BUDGET: Duration = Duration::from_millis(8);

/// Applies what arrived since the last frame, within the time budget.
pub fn drain(state: &mut AppState, work: &mut Work) {
    let started = Instant::now();
    while let Ok(result) = work.restarts.1.try_recv() {
        match result {
            Ok(engine) => {
                lifecycle::started(state, work, engine);
                work.queries.ask(Query::RowsAfter(state.list.last_id()));
                if let Err(e) = state.config.save(&work.paths.config_file) {
                    state.notify(state.language.config_error(&e));
                }
            }
            Err(e) => lifecycle::not_started(state, &e),
        }
    }
    arrivals(state, work, started);
    changes(state, work);
    if let Some(fell_back) = &mut work.fell_back {
        if fell_back.has_changed().unwrap_or(false) {
            state.fell_back = fell_back.borrow_and_update().clone();
        }
    }
    if let Some(attached) = &mut work.attached {
        if attached.has_changed().unwrap_or(false) {
            state.attached = Some(attached.borrow_and_update().clone());
        }
    }
    forward::read_targets_when_due(state, work);
    while let Ok(message) = work.notices.1.try_recv() {
        state.notify(message);
    }
    while let Ok(filed) = work.filed.1.try_recv() {
        files::filed(state, filed);
    }
    while let Ok(picked) = work.picks.1.try_recv() {
        if let Some(chooser) = &mut state.chooser {
            chooser.nothing_chosen = picked.is_none();
            if let Some(path) = picked {
                chooser.path = path.display().to_string();
            }
        }
    }
    let fetched: Vec<Fetched> = work.queries.results().collect();
    for result in fetched {
        apply(state, work, result);
    }
    forward::drain_replayed(state, work);
    providers::drain(state, work);
}

/// New captures join the table (and the timeline of the one selected, when it is a resend).
fn arrivals(state: &mut AppState, work: &mut Work, started: Instant) {
    let mut fresh = Vec::new();
    if let Some(arrivals) = &mut work.arrivals {
        while started.elapsed() < BUDGET {
            match arrivals.try_recv() {
                Ok(captures) => fresh.extend(captures.iter().map(CaptureRow::from)),
                Err(broadcast::error::TryRecvError::Lagged(_)) => {
                    // Too many to hear one by one: read what was missed from the store.
                    work.queries.ask(Query::RowsAfter(state.list.last_id()));
                }
                Err(_) => break,
            }
        }
        if started.elapsed() >= BUDGET {
            work.ctx.request_repaint();
        }
    }
    if fresh.iter().any(providers::reestr::is_confirm) {
        handle(state, work, Command::Reestr(ReestrCall::Confirmation));
    }
    if fresh.is_empty() {
        return;
    }
    // A resend of the selected notification joins its timeline.
    if let Some(c) = &state.detail {
        if c.judgement.redelivery_key.is_some() {
            work.queries.ask(Query::Timeline(c.id));
        }
    }
    if let Some(engine) = &work.engine {
        state.faults_left = engine.faults_remaining();
    }
    // A delivery queued behind a failing one has no attempt to announce it: read its state.
    if state.config.forward.iter().any(|rule| rule.enabled) {
        work.queries
            .ask(Query::ForwardStates(fresh.iter().map(|r| r.id).collect()));
    }
    if let Some(ask) = state.add_rows(fresh, true) {
        work.queries.ask(ask);
    }
    read_store_bytes_when_due(state, work);
}

/// How often the top bar's "on disk" figure is read again while captures arrive.
const STORE_BYTES_EVERY: Duration = Duration::from_secs(2);

/// Reads how much of the store is in use, at most every two seconds.
pub fn read_store_bytes_when_due(state: &mut AppState, work: &mut Work) {
    if state
        .store_bytes_read
        .is_some_and(|at| at.elapsed() < STORE_BYTES_EVERY)
    {
        return;
    }
    state.store_bytes_read = Some(Instant::now());
    work.queries.ask(Query::StoreBytes);
}

/// Answers passed through change a row's status; deliveries change its Forward cell, the
/// Forward tab and the targets in the top bar; a failed commit shows why under the top bar
/// until one works again.
fn changes(state: &mut AppState, work: &mut Work) {
    let Some(changes) = &mut work.changes else {
        return;
    };
    let mut forwarded = Vec::new();
    let (mut missed, mut damaged, mut marked) = (false, false, false);
    loop {
        match changes.try_recv() {
            Ok(Change::Answered { capture, status }) => {
                if let Some(row) = state.list.row_mut(capture) {
                    row.status = status;
                }
                if state.selected == Some(capture) {
                    work.queries.ask(Query::Capture(capture));
                }
            }
            Ok(Change::Forwarded { capture }) => forwarded.push(capture),
            Ok(Change::Marked { .. }) => marked = true,
            Ok(Change::NotSaved { error, cause }) => {
                let t = state.texts();
                let advice = match cause {
                    NotSavedCause::DiskFull => t.not_saved_full,
                    NotSavedCause::Locked => t.not_saved_locked,
                    NotSavedCause::DiskError => t.not_saved_disk,
                    NotSavedCause::Other => t.not_saved_other,
                };
                let said = t.not_saved.replace("{error}", &error);
                state.not_saving = Some(format!("{said} {advice}"));
            }
            Ok(Change::SavingAgain) => state.not_saving = None,
            Ok(Change::Damaged) => damaged = true,
            Err(broadcast::error::TryRecvError::Lagged(_)) => missed = true,
            Err(_) => break,
        }
    }
    if missed {
        forwarded.clear();
        forwarded.extend(state.list.rows().iter().map(|r| r.id));
    }
    if !forwarded.is_empty() {
        forwarded.dedup();
        forward::refresh(state, work, &forwarded);
    }
    if marked || missed {
        if let Some(ask) = state.filter_again() {
            work.queries.ask(ask);
        }
    }
    let damage_missed = || {
        work.engine
            .as_ref()
            .is_some_and(|e| e.store().damage().is_some())
    };
    if damaged || (missed && damage_missed()) {
        lifecycle::store_found_damaged(state, work);
    }
}

/// What the store reader brought back.
fn apply(state: &mut AppState, work: &mut Work, fetched: Fetched) {
    match fetched {
        Fetched::Newest {
            rows,
            older,
            store_bytes,
        } => {
            state.store_bytes = store_bytes;
            for ask in state.newest_rows(rows, older) {
                work.queries.ask(ask);
            }
        }
        Fetched::Older { before, rows } => {
            for ask in state.older_rows(before, rows) {
                work.queries.ask(ask);
            }
        }
        Fetched::Rows(rows, store_bytes) => {
            state.loading = false;
            state.store_bytes = store_bytes;
            if let Some(ask) = state.add_rows(rows, false) {
                work.queries.ask(ask);
            }
        }
        Fetched::Matching {
            generation,
            ids,
            partial,
        } if generation == state.filter.generation => {
            state.list.show_matching(&ids, partial);
            if !partial {
                state.filter.pending = false;
            }
        }
        Fetched::Matching { .. } => {}
        Fetched::Capture(id, capture) if Some(id) == state.selected => {
            state.detail = capture;
            commands::copy_curl_when_loaded(state, work);
            capture_loaded(state, work);
        }
        Fetched::Capture(..) => {}
        Fetched::Deliveries(id, list) if Some(id) == state.selected => {
            state.forward.deliveries = Some((id, list));
        }
        Fetched::Deliveries(..) => {}
        Fetched::ForwardStates(states) => {
            for (id, forward) in states {
                if let Some(row) = state.list.row_mut(id) {
                    row.forward = forward;
                }
            }
        }
        Fetched::Targets(targets) => state.forward.targets = targets,
        Fetched::StoreBytes(bytes) => state.store_bytes = bytes,
        Fetched::Timeline(id, list) if Some(id) == state.selected => {
            state.timeline = Some((id, list));
        }
        Fetched::Timeline(..) => {}
        Fetched::LatestConfirm(capture) => providers::reestr::confirmed(state, capture.as_deref()),
        Fetched::Failed(e) => {
            state.loading = false;
            state.filter.pending = false;
            state.notify(state.language.store_error(&e));
        }
    }
}

/// A capture was loaded into the detail pane: what it names is loaded when asked to, and a
/// Reestr confirm refreshes the confirmation state.
fn capture_loaded(state: &mut AppState, work: &mut Work) {
    let Some(capture) = &state.detail else {
        return;
    };
    let panels = &mut state.panels;
    if panels
        .loaded
        .as_ref()
        .is_some_and(|(id, _)| *id != capture.id)
    {
        panels.loaded = None;
    }
    let is_confirm = providers::reestr::is_confirm(&CaptureRow::from(capture.as_ref()));
    let load = Command::load(capture, &state.config).filter(|_| state.remembered.auto_load);
    if is_confirm {
        handle(state, work, Command::Reestr(ReestrCall::Confirmation));
    }
    if let Some(load) = load {
        handle(state, work, load);
    }
}
