//! Forwarding's commands: Retry now and Skip, replay (one capture, edited, or what the table
//! shows), the forward rules, and reading the deliveries and targets again as they change.

use std::time::{Duration, Instant};

use super::work::Replayed;
use super::{lifecycle, switch_rule, Work};
use crate::forward::replay::{self, Edits};
use crate::gui::command::ForwardCall;
use crate::gui::queries::Query;
use crate::gui::state::forward::{ReplayDraft, ReplayRun, SequenceDraft};
use crate::gui::state::AppState;
use crate::gui::texts::Counted;

/// How often the top bar's targets are read again while deliveries change.
const TARGETS_EVERY: Duration = Duration::from_secs(1);

pub fn handle(state: &mut AppState, work: &mut Work, call: ForwardCall) {
    match call {
        ForwardCall::Decide(delivery, decision) => {
            if let Some(engine) = &work.engine {
                let outbox = engine.outbox().clone();
                work.runtime
                    .spawn(async move { outbox.decide(delivery, decision).await });
            }
        }
        ForwardCall::Replay { capture, to, edits } => replay(state, work, capture, to, *edits),
        ForwardCall::EditReplay => {
            let to = state.replay_target();
            if let Some(capture) = &state.detail {
                state.forward.editor = Some(ReplayDraft::of(capture, to));
            }
        }
        ForwardCall::CloseEditor => state.forward.editor = None,
        ForwardCall::OpenSequence => {
            state.forward.sequence = Some(SequenceDraft {
                to: state.replay_target(),
                keep_gaps: true,
                speed: 1.0,
            });
        }
        ForwardCall::CloseSequence => state.forward.sequence = None,
        ForwardCall::ReplayShown { to, speed } => replay_shown(state, work, to, speed),
        ForwardCall::StopReplay => stop_replay(state, work),
        ForwardCall::OpenRules => state.forward.rules = Some(state.config.forward.clone()),
        ForwardCall::CloseRules => state.forward.rules = None,
        ForwardCall::SaveRules(rules) => {
            let mut config = state.config.clone();
            config.forward = rules;
            lifecycle::save_config(state, work, config);
            state.forward.rules = None;
        }
        ForwardCall::ToggleRule(n, shown) => {
            let mut config = state.config.clone();
            if switch_rule(&mut config.forward, n, &shown, |r| &mut r.enabled) {
                lifecycle::save_config(state, work, config);
            }
        }
    }
}

/// Sends a capture again and says how it went; the attempt is recorded with the capture.
fn replay(state: &mut AppState, work: &mut Work, capture: i64, to: String, edits: Edits) {
    let t = state.texts();
    let language = state.language;
    let Some(engine) = &work.engine else {
        return state.notify(t.replay_unrecorded);
    };
    if let Err(e) = crate::forward::check_target(&to) {
        return state.notify(e.to_string());
    }
    if let Err(e) = edits.check() {
        return state.notify(e.to_string());
    }
    state.forward.editor = None;
    let store = engine.store().clone();
    work.say_when_done(async move {
        let reader = store.reader();
        let original = match reader.and_then(|r| r.get(capture)) {
            Ok(Some(original)) => original,
            Ok(None) => return format!("#{capture}: —"),
            Err(e) => return e.to_string(),
        };
        let http = crate::forward::client();
        let attempt = replay::replay_one(&http, &original, &to, &edits).await;
        let outcome = language.attempt(&attempt);
        let url = replay::replay_url(&edits.apply(&original), &to);
        let edited = edits.changes_something();
        if let Err(e) = store.record_replay(capture, &to, edited, attempt).await {
            return e.to_string();
        }
        let edited = if edited { t.edited_mark } else { "" };
        t.replayed
            .replace("{id}", &format!("{capture}{edited}"))
            .replace("{url}", &url)
            .replace("{outcome}", &outcome)
    });
}

/// Replays what the table shows, oldest first, recording each with its capture; the table's
/// toolbar shows how far it got and how long is left, and can stop it.
fn replay_shown(state: &mut AppState, work: &mut Work, to: String, speed: Option<f64>) {
    let t = state.texts();
    let Some(engine) = &work.engine else {
        return state.notify(t.replay_unrecorded);
    };
    if let Err(e) = crate::forward::check_target(&to) {
        return state.notify(e.to_string());
    }
    let ids: Vec<i64> = state
        .list
        .visible()
        .iter()
        .filter_map(|&at| state.list.rows().get(at).map(|r| r.id))
        .collect();
    let timing = match speed {
        Some(speed) => replay::Timing::Original { speed },
        None => replay::Timing::AtOnce,
    };
    let language = state.language;
    let what = language.count(ids.len(), Counted::Capture);
    state.forward.sequence = None;
    state.notify(t.replaying.replace("{n}", &what).replace("{url}", &to));
    state.forward.run = Some(ReplayRun {
        sent: 0,
        failed: 0,
        total: ids.len(),
        started: Instant::now(),
        takes: Duration::ZERO,
    });
    if let Some(old) = work.replay.take() {
        old.abort();
    }
    let store = engine.store().clone();
    let news = work.replayed.0.clone();
    let ctx = work.ctx.clone();
    let run = work.runtime.spawn(async move {
        let read = store.reader().and_then(|r| {
            ids.iter()
                .filter_map(|&id| r.get(id).transpose())
                .collect::<Result<Vec<_>, _>>()
        });
        let captures = match read {
            Ok(captures) => captures,
            Err(e) => {
                let _ = news.send(Replayed::Finished(language.store_error(&e)));
                return ctx.request_repaint();
            }
        };
        let takes = replay::duration(&captures, timing);
        let _ = news.send(Replayed::Started { takes });
        let edits = Edits::default();
        let said = |_: &_, attempt: &crate::store::Attempt| {
            let ok = attempt.outcome.is_success();
            let _ = news.send(Replayed::One { ok });
            ctx.request_repaint();
        };
        let done = replay::sequence(Some(&store), &captures, &to, &edits, timing, said).await;
        let message = match done {
            Ok(failed) => t
                .replayed_all
                .replace("{n}", &what)
                .replace("{url}", &to)
                .replace("{ok}", &(captures.len() - failed).to_string()),
            Err(e) => language.store_error(&e),
        };
        let _ = news.send(Replayed::Finished(message));
        ctx.request_repaint();
    });
    work.replay = Some(run.abort_handle());
}

/// Stops the replay of what the table showed, saying how far it got.
fn stop_replay(state: &mut AppState, work: &mut Work) {
    if let Some(run) = work.replay.take() {
        run.abort();
    }
    if let Some(run) = state.forward.run.take() {
        let stopped = state
            .texts()
            .replay_stopped
            .replace("{sent}", &run.sent.to_string())
            .replace("{total}", &run.total.to_string());
        state.notify(stopped);
    }
}

/// What the running replay sent since the last frame.
pub fn drain_replayed(state: &mut AppState, work: &mut Work) {
    while let Ok(news) = work.replayed.1.try_recv() {
        match (news, &mut state.forward.run) {
            (Replayed::One { ok }, Some(run)) => {
                run.sent += 1;
                run.failed += usize::from(!ok);
            }
            (Replayed::Started { takes }, Some(run)) => {
                run.started = Instant::now();
                run.takes = takes;
            }
            (Replayed::One { .. } | Replayed::Started { .. }, None) => {}
            (Replayed::Finished(message), _) => {
                state.forward.run = None;
                work.replay = None;
                state.notify(message);
            }
        }
    }
}

/// The selected capture's deliveries and every target's state, read again.
pub fn refresh(state: &mut AppState, work: &mut Work, changed: &[i64]) {
    if !changed.is_empty() {
        work.queries.ask(Query::ForwardStates(changed.to_vec()));
    }
    if let Some(selected) = state.selected {
        if changed.is_empty() || changed.contains(&selected) {
            work.queries.ask(Query::Deliveries(selected));
        }
    }
    state.forward.targets_stale = true;
    read_targets_when_due(state, work);
}

/// Reads the targets again if they changed and a second has passed since the last read;
/// otherwise wakes the window when it will have.
pub fn read_targets_when_due(state: &mut AppState, work: &mut Work) {
    let forward = &mut state.forward;
    if !forward.targets_stale {
        return;
    }
    let since = forward.targets_read.map(|at| at.elapsed());
    match since {
        Some(since) if since < TARGETS_EVERY => {
            work.ctx.request_repaint_after(TARGETS_EVERY - since);
        }
        _ => {
            forward.targets_stale = false;
            forward.targets_read = Some(Instant::now());
            work.queries.ask(Query::Targets);
        }
    }
}
