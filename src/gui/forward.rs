//! Forwarding in the app: the Forward tab (a capture's deliveries and attempts, Retry now,
//! Skip, replay), the replay editor, the forward rules window and the targets in the top bar.

use std::time::{Duration, Instant};

use egui::{RichText, Ui};

use super::command::Command;
use super::logic::App;
use super::queries::Question as Ask;
use super::state::AppState;
use super::table::Clock;
use super::texts::Texts;
use crate::capture::Capture;
use crate::capture::DeliveryState;
use crate::config::{ForwardMode, ForwardRule};
use crate::forward::replay::{self, Edits};
use crate::store::{Attempt, Decision, Delivery, Outcome, TargetState};

/// What the app shows and edits of forwarding.
#[derive(Default)]
pub struct ForwardState {
    /// The selected capture's deliveries, oldest first.
    pub deliveries: Option<(i64, Vec<Delivery>)>,
    pub targets: Vec<TargetState>,
    /// Where the Replay button sends; empty until the user types one (the first rule's
    /// target, else the listener, is used).
    pub replay_to: String,
    pub editor: Option<ReplayDraft>,
    /// The forward rules window, while open.
    pub rules: Option<Vec<ForwardRule>>,
    /// The replay-in-sequence window, while open.
    pub sequence: Option<SequenceDraft>,
    /// The targets changed since they were last read, and when that was: they are read at
    /// most once a second, however fast deliveries go.
    targets_stale: bool,
    targets_read: Option<Instant>,
}

/// How often the top bar's targets are read again while deliveries change.
const TARGETS_EVERY: Duration = Duration::from_secs(1);

/// How the captures the table shows are to be replayed.
pub struct SequenceDraft {
    to: String,
    keep_gaps: bool,
    speed: f64,
}

#[derive(Clone, Debug)]
pub enum Call {
    Decide(i64, Decision),
    Replay {
        capture: i64,
        to: String,
        edits: Box<Edits>,
    },
    /// Opens the editor on the capture in the detail pane.
    EditReplay,
    OpenSequence,
    CloseSequence,
    /// Replays the captures the table shows, oldest first; with a speed, keeping their gaps.
    ReplayShown {
        to: String,
        speed: Option<f64>,
    },
    CloseEditor,
    OpenRules,
    CloseRules,
    SaveRules(Vec<ForwardRule>),
    /// Switches saved rule N on or off at once, when it is the rule shown (with its new
    /// switch): one edited, added or moved in the window waits for Apply.
    ToggleRule(usize, Box<ForwardRule>),
}

/// A capture as the replay editor holds it: text fields, checked as they are typed.
pub struct ReplayDraft {
    capture: i64,
    method: String,
    path: String,
    query: String,
    headers: String,
    body: String,
    to: String,
}

impl ReplayDraft {
    fn of(capture: &Capture, to: String) -> ReplayDraft {
        let r = &capture.request;
        let headers = r
            .headers
            .iter()
            .filter(|(n, _)| !n.eq_ignore_ascii_case("content-length"))
            .map(|(n, v)| format!("{n}: {}", v.text()))
            .collect::<Vec<_>>()
            .join("\n");
        // JSON is easier to edit pretty-printed; anything else is shown as it came.
        let body = serde_json::from_slice::<serde_json::Value>(&r.body)
            .ok()
            .and_then(|v| serde_json::to_string_pretty(&v).ok())
            .unwrap_or_else(|| String::from_utf8_lossy(&r.body).into_owned());
        ReplayDraft {
            capture: capture.id,
            method: r.method.clone(),
            path: r.path.clone(),
            query: r.query.clone(),
            headers,
            body,
            to,
        }
    }

    /// The edits, or the line of the headers that is not `Name: value`.
    fn edits(&self) -> Result<Edits, usize> {
        let headers = self
            .headers
            .lines()
            .enumerate()
            .filter(|(_, line)| !line.trim().is_empty())
            .map(|(n, line)| match line.split_once(':') {
                Some((name, value)) if !name.trim().is_empty() => {
                    Ok((name.trim().to_string(), value.trim().to_string()))
                }
                _ => Err(n + 1),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Edits {
            method: Some(self.method.clone()),
            path: Some(self.path.clone()),
            query: Some(self.query.clone()),
            headers,
            replace_headers: true,
            body: Some(self.body.clone().into_bytes()),
        })
    }
}

/// Where Replay sends by default: the first forward rule's target, else the listener.
fn default_to(state: &AppState) -> String {
    if !state.forward.replay_to.trim().is_empty() {
        return state.forward.replay_to.clone();
    }
    state
        .config
        .forward
        .first()
        .map(|r| r.target.clone())
        .unwrap_or_else(|| listener_base(state))
}

fn listener_base(state: &AppState) -> String {
    format!(
        "http://{}",
        state.listening.unwrap_or(state.config.listener.listen)
    )
}

fn state_text(state: DeliveryState, t: &Texts) -> &'static str {
    match state {
        DeliveryState::Waiting => t.state_waiting,
        DeliveryState::Delivered => t.state_delivered,
        DeliveryState::Skipped => t.state_skipped,
        DeliveryState::GaveUp => t.state_gave_up,
        DeliveryState::Failed => t.state_failed,
    }
}

fn state_color(state: DeliveryState, ui: &Ui) -> egui::Color32 {
    let palette = super::theme::palette(ui.visuals());
    match state {
        DeliveryState::Delivered => palette.success,
        DeliveryState::Waiting => palette.warning,
        DeliveryState::Skipped => ui.visuals().weak_text_color(),
        DeliveryState::GaveUp | DeliveryState::Failed => palette.error,
    }
}

/// The table's Forward cell.
pub fn cell(ui: &mut Ui, forward: Option<DeliveryState>, t: &Texts) {
    if let Some(state) = forward {
        ui.colored_label(state_color(state, ui), state_text(state, t));
    }
}

/// "200 · 3.1 ms", or what went wrong.
pub fn attempt_text(attempt: &Attempt, t: &Texts) -> String {
    match &attempt.outcome {
        Outcome::Answered { status, .. } => {
            format!("{status} · {:.1} {}", attempt.elapsed_ms, t.ms)
        }
        Outcome::Failed(error) => error.clone(),
    }
}

/// The Forward tab of the detail pane.
pub fn tab(ui: &mut Ui, state: &mut AppState, capture: &Capture, t: &Texts) {
    let clock = Clock::now(state.remembered.time_shown, state.local_offset);
    let deliveries = match &state.forward.deliveries {
        Some((id, list)) if *id == capture.id => list.as_slice(),
        _ => &[],
    };
    if deliveries.is_empty() {
        ui.label(t.forward_none);
        ui.weak(t.forward_none_hint);
    }
    for delivery in deliveries {
        ui.group(|ui| {
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new(format!("→ {}", delivery.target)).monospace());
                let kind = if delivery.replay {
                    t.kind_replay
                } else if delivery.pass_through {
                    t.kind_pass_through
                } else {
                    t.kind_inspect
                };
                ui.weak(kind);
                ui.colored_label(
                    state_color(delivery.state, ui),
                    state_text(delivery.state, t),
                );
                if delivery.state == DeliveryState::Waiting {
                    let (next, _) = clock.show(delivery.next_at);
                    ui.weak(t.next_try.replace("{time}", &next));
                }
            });
            ui.horizontal(|ui| {
                let retry = !delivery.replay && delivery.state != DeliveryState::Delivered;
                if retry && ui.button(t.retry_now).clicked() {
                    state.commands.push(Command::Forward(Call::Decide(
                        delivery.id,
                        Decision::RetryNow,
                    )));
                }
                if delivery.state == DeliveryState::Waiting && ui.button(t.skip).clicked() {
                    state
                        .commands
                        .push(Command::Forward(Call::Decide(delivery.id, Decision::Skip)));
                }
            });
            if delivery.attempts.is_empty() {
                ui.weak(t.no_attempts);
            }
            egui::Grid::new(("attempts", delivery.id))
                .num_columns(2)
                .striped(true)
                .show(ui, |ui| {
                    for attempt in &delivery.attempts {
                        let (time, full) = clock.show(attempt.at);
                        ui.label(RichText::new(time).monospace())
                            .on_hover_text(full);
                        let text = attempt_text(attempt, t);
                        let color = if attempt.outcome.is_success() {
                            super::theme::palette(ui.visuals()).success
                        } else {
                            ui.visuals().error_fg_color
                        };
                        let label =
                            ui.add(egui::Label::new(RichText::new(text).color(color)).wrap());
                        if let Outcome::Answered { body, .. } = &attempt.outcome {
                            if !body.is_empty() {
                                label.on_hover_text(String::from_utf8_lossy(
                                    &body[..body.len().min(2048)],
                                ));
                            }
                        }
                        if let Some(id) = replay::became(attempt).filter(|_| delivery.replay) {
                            ui.end_row();
                            ui.weak(t.captured_as);
                            if ui.link(format!("#{id}")).clicked() {
                                state.commands.push(Command::Select(id));
                            }
                        }
                        ui.end_row();
                    }
                });
        });
    }
    ui.separator();
    replay_row(ui, state, capture, t);
}

fn replay_row(ui: &mut Ui, state: &mut AppState, capture: &Capture, t: &Texts) {
    let mut to = default_to(state);
    ui.horizontal(|ui| {
        let label = ui.label(t.replay_to);
        let edit = ui
            .add(egui::TextEdit::singleline(&mut to).desired_width(ui.available_width()))
            .labelled_by(label.id);
        if edit.changed() {
            state.forward.replay_to = to.clone();
        }
    });
    ui.horizontal_wrapped(|ui| {
        if ui.button(t.replay).clicked() {
            state.commands.push(Command::Forward(Call::Replay {
                capture: capture.id,
                to: to.clone(),
                edits: Box::default(),
            }));
        }
        if ui.button(t.edit_and_replay).clicked() {
            state.commands.push(Command::Forward(Call::EditReplay));
        }
        if ui
            .button(t.replay_into_hookscope)
            .on_hover_text(t.replay_into_hint)
            .clicked()
        {
            state.commands.push(Command::Forward(Call::Replay {
                capture: capture.id,
                to: listener_base(state),
                edits: Box::default(),
            }));
        }
    });
}

/// The replay editor window.
pub fn editor(ctx: &egui::Context, state: &mut AppState) {
    let t = state.texts();
    let Some(draft) = &mut state.forward.editor else {
        return;
    };
    let mut open = true;
    let mut send = None;
    egui::Window::new(
        t.edit_replay_title
            .replace("{id}", &draft.capture.to_string()),
    )
    .open(&mut open)
    .collapsible(false)
    .default_width(560.0)
    .show(ctx, |ui| {
        egui::Grid::new("replay-editor")
            .num_columns(2)
            .spacing([8.0, 6.0])
            .show(ui, |ui| {
                for (label, text) in [
                    (t.replay_to, &mut draft.to),
                    (t.method, &mut draft.method),
                    (t.path, &mut draft.path),
                    (t.query, &mut draft.query),
                ] {
                    let label = ui.label(label);
                    ui.add(egui::TextEdit::singleline(text).desired_width(420.0))
                        .labelled_by(label.id);
                    ui.end_row();
                }
            });
        let label = ui.label(t.headers_lines);
        ui.add(
            egui::TextEdit::multiline(&mut draft.headers)
                .code_editor()
                .desired_rows(4)
                .desired_width(f32::INFINITY),
        )
        .labelled_by(label.id);
        let label = ui.label(t.body);
        egui::ScrollArea::vertical()
            .max_height(260.0)
            .show(ui, |ui| {
                ui.add(
                    egui::TextEdit::multiline(&mut draft.body)
                        .code_editor()
                        .desired_rows(10)
                        .desired_width(f32::INFINITY),
                )
                .labelled_by(label.id);
            });
        if let Some(check) = json_check(&draft.body, t) {
            let color = if check.starts_with('✔') {
                super::theme::palette(ui.visuals()).success
            } else {
                ui.visuals().error_fg_color
            };
            ui.colored_label(color, check);
        }
        let edits = draft.edits();
        if let Err(line) = &edits {
            ui.colored_label(
                ui.visuals().error_fg_color,
                t.header_bad.replace("{n}", &line.to_string()),
            );
        }
        if ui
            .add_enabled(edits.is_ok(), egui::Button::new(t.send))
            .clicked()
        {
            if let Ok(edits) = edits {
                send = Some(Call::Replay {
                    capture: draft.capture,
                    to: draft.to.clone(),
                    edits: Box::new(edits),
                });
            }
        }
    });
    if let Some(call) = send {
        state.commands.push(Command::Forward(call));
    }
    if !open {
        state.commands.push(Command::Forward(Call::CloseEditor));
    }
}

/// The replay-in-sequence window.
pub fn sequence(ctx: &egui::Context, state: &mut AppState) {
    let t = state.texts();
    let count = state.list.visible().len();
    let language = state.remembered.language;
    let Some(draft) = &mut state.forward.sequence else {
        return;
    };
    let mut open = true;
    let mut send = None;
    egui::Window::new(t.sequence_title)
        .open(&mut open)
        .collapsible(false)
        .resizable(false)
        .show(ctx, |ui| {
            let what = language.count(count, super::texts::Counted::Capture);
            ui.label(t.sequence_count.replace("{n}", &what));
            ui.horizontal(|ui| {
                let label = ui.label(t.replay_to);
                ui.add(egui::TextEdit::singleline(&mut draft.to).desired_width(320.0))
                    .labelled_by(label.id);
            });
            ui.horizontal(|ui| {
                ui.checkbox(&mut draft.keep_gaps, t.keep_gaps);
                ui.add_enabled_ui(draft.keep_gaps, |ui| {
                    ui.label(t.speed);
                    ui.add(
                        egui::DragValue::new(&mut draft.speed)
                            .range(0.1..=1000.0)
                            .speed(0.1),
                    );
                });
            });
            if ui
                .add_enabled(count > 0, egui::Button::new(t.send))
                .clicked()
            {
                send = Some(Call::ReplayShown {
                    to: draft.to.clone(),
                    speed: draft.keep_gaps.then_some(draft.speed),
                });
            }
        });
    if let Some(call) = send {
        state.commands.push(Command::Forward(call));
    }
    if !open {
        state.commands.push(Command::Forward(Call::CloseSequence));
    }
}

/// "✔ valid JSON" or where it breaks, for a body that looks like JSON; `None` otherwise.
fn json_check(body: &str, t: &Texts) -> Option<String> {
    let trimmed = body.trim_start();
    if !(trimmed.starts_with('{') || trimmed.starts_with('[')) {
        return None;
    }
    Some(match serde_json::from_str::<serde::de::IgnoredAny>(body) {
        Ok(_) => t.json_ok.to_string(),
        Err(e) => t.json_bad.replace("{error}", &e.to_string()),
    })
}

/// The forward rules window: each rule on one line, switched on or off with one click.
pub fn rules(ctx: &egui::Context, state: &mut AppState) {
    let t = state.texts();
    let language = state.remembered.language;
    let listener = state.listening;
    let Some(rules) = &mut state.forward.rules else {
        return;
    };
    let mut open = true;
    let mut calls = Vec::new();
    egui::Window::new(t.forwarding)
        .open(&mut open)
        .collapsible(false)
        .default_width(720.0)
        .show(ctx, |ui| {
            ui.weak(t.forwarding_hint);
            let mut remove = None;
            let mut all_valid = true;
            for (n, rule) in rules.iter_mut().enumerate() {
                ui.group(|ui| {
                    ui.horizontal_wrapped(|ui| {
                        if ui.checkbox(&mut rule.enabled, t.rule_on).changed() {
                            calls.push(Call::ToggleRule(n, Box::new(rule.clone())));
                        }
                        let label = ui.label(t.target_url);
                        ui.add(
                            egui::TextEdit::singleline(&mut rule.target)
                                .hint_text("http://localhost:3000/hooks")
                                .desired_width(260.0),
                        )
                        .labelled_by(label.id);
                        if ui.button(t.remove).clicked() {
                            remove = Some(n);
                        }
                    });
                    ui.horizontal_wrapped(|ui| {
                        let label = ui.label(t.filter_rule);
                        ui.add(
                            egui::TextEdit::singleline(&mut rule.filter)
                                .hint_text("provider:moysklad")
                                .desired_width(260.0),
                        )
                        .labelled_by(label.id);
                        ui.checkbox(&mut rule.keep_host, t.keep_host);
                    });
                    ui.horizontal_wrapped(|ui| {
                        ui.label(t.mode);
                        ui.radio_value(&mut rule.mode, ForwardMode::Inspect, t.mode_inspect);
                        ui.radio_value(
                            &mut rule.mode,
                            ForwardMode::PassThrough,
                            t.mode_pass_through,
                        );
                    });
                    if let Err(problem) = crate::forward::route(rule, listener) {
                        all_valid = false;
                        let text = match problem {
                            crate::forward::RuleError::Filter { error, .. } => {
                                language.filter_error(&error)
                            }
                            crate::forward::RuleError::OwnListener { target, listener } => t
                                .own_listener
                                .replace("{target}", &target)
                                .replace("{listener}", &listener.to_string()),
                            problem => problem.to_string(),
                        };
                        ui.colored_label(ui.visuals().error_fg_color, text);
                    }
                });
            }
            if let Some(n) = remove {
                rules.remove(n);
            }
            ui.horizontal(|ui| {
                if ui.button(t.add_rule).clicked() {
                    rules.push(ForwardRule::default());
                }
                if ui
                    .add_enabled(all_valid, egui::Button::new(t.apply))
                    .on_disabled_hover_text(t.rules_invalid)
                    .clicked()
                {
                    calls.push(Call::SaveRules(rules.clone()));
                }
            });
        });
    state
        .commands
        .extend(calls.into_iter().map(Command::Forward));
    if !open {
        state.commands.push(Command::Forward(Call::CloseRules));
    }
}

/// The top bar's Forwarding button and each target's state.
pub fn top_bar(ui: &mut Ui, state: &mut AppState) {
    let t = state.texts();
    ui.separator();
    if ui
        .button(format!("📤 {}", t.forwarding))
        .on_hover_text(t.forwarding_hint)
        .clicked()
    {
        state.commands.push(Command::Forward(Call::OpenRules));
    }
    for target in &state.forward.targets {
        let palette = super::theme::palette(ui.visuals());
        match target.up {
            Some(false) => {
                let text = t
                    .target_down
                    .replace("{target}", &target.target)
                    .replace("{n}", &target.waiting.to_string());
                ui.colored_label(palette.error, format!("✖ {}", target.target))
                    .on_hover_text(text);
                ui.colored_label(palette.error, target.waiting.to_string());
            }
            Some(true) => {
                ui.colored_label(palette.success, format!("✔ {}", target.target))
                    .on_hover_text(t.target_up.replace("{target}", &target.target));
            }
            None => {}
        }
    }
}

impl App {
    pub(super) fn forward(&mut self, call: Call) {
        match call {
            Call::Decide(delivery, decision) => {
                if let Some(engine) = &self.engine {
                    let outbox = engine.outbox().clone();
                    self.runtime
                        .spawn(async move { outbox.decide(delivery, decision).await });
                }
            }
            Call::Replay { capture, to, edits } => self.replay(capture, to, *edits),
            Call::EditReplay => {
                let to = default_to(&self.state);
                if let Some(capture) = &self.state.detail {
                    self.state.forward.editor = Some(ReplayDraft::of(capture, to));
                }
            }
            Call::CloseEditor => self.state.forward.editor = None,
            Call::OpenSequence => {
                self.state.forward.sequence = Some(SequenceDraft {
                    to: default_to(&self.state),
                    keep_gaps: true,
                    speed: 1.0,
                });
            }
            Call::CloseSequence => self.state.forward.sequence = None,
            Call::ReplayShown { to, speed } => self.replay_shown(to, speed),
            Call::OpenRules => self.state.forward.rules = Some(self.state.config.forward.clone()),
            Call::CloseRules => self.state.forward.rules = None,
            Call::SaveRules(rules) => {
                let mut config = self.state.config.clone();
                config.forward = rules;
                self.save_config(config);
                self.state.forward.rules = None;
            }
            Call::ToggleRule(n, shown) => {
                let mut config = self.state.config.clone();
                if let Some(rule) = config.forward.get_mut(n) {
                    let mut unswitched = (*shown).clone();
                    unswitched.enabled = rule.enabled;
                    if unswitched == *rule {
                        rule.enabled = shown.enabled;
                        self.save_config(config);
                    }
                }
            }
        }
    }

    /// Sends a capture again and says how it went; the attempt is recorded with the capture.
    fn replay(&mut self, capture: i64, to: String, edits: Edits) {
        let t = self.state.texts();
        let Some(engine) = &self.engine else {
            return self.state.notify(t.replay_unrecorded);
        };
        if let Err(e) = crate::forward::check_target(&to) {
            return self.state.notify(e.to_string());
        }
        if let Err(e) = edits.check() {
            return self.state.notify(e.to_string());
        }
        self.state.forward.editor = None;
        let store = engine.store().clone();
        self.say_when_done(async move {
            let reader = store.reader();
            let original = match reader.and_then(|r| r.get(capture)) {
                Ok(Some(original)) => original,
                Ok(None) => return format!("#{capture}: —"),
                Err(e) => return e.to_string(),
            };
            let http = crate::forward::client();
            let attempt = replay::replay_one(&http, &original, &to, &edits).await;
            let outcome = attempt_text(&attempt, t);
            let url = replay::replay_url(&edits.apply(&original), &to);
            if let Err(e) = store.record_replay(capture, &to, attempt).await {
                return e.to_string();
            }
            t.replayed
                .replace("{id}", &capture.to_string())
                .replace("{url}", &url)
                .replace("{outcome}", &outcome)
        });
    }

    /// Replays what the table shows, oldest first, recording each with its capture.
    fn replay_shown(&mut self, to: String, speed: Option<f64>) {
        let t = self.state.texts();
        let Some(engine) = &self.engine else {
            return self.state.notify(t.replay_unrecorded);
        };
        if let Err(e) = crate::forward::check_target(&to) {
            return self.state.notify(e.to_string());
        }
        let ids: Vec<i64> = self
            .state
            .list
            .visible()
            .iter()
            .filter_map(|&at| self.state.list.rows().get(at).map(|r| r.id))
            .collect();
        let language = self.state.remembered.language;
        let what = language.count(ids.len(), super::texts::Counted::Capture);
        self.state.forward.sequence = None;
        self.state
            .notify(t.replaying.replace("{n}", &what).replace("{url}", &to));
        let store = engine.store().clone();
        self.say_when_done(async move {
            let captures = match store.reader().and_then(|r| {
                ids.iter()
                    .filter_map(|&id| r.get(id).transpose())
                    .collect::<Result<Vec<_>, _>>()
            }) {
                Ok(captures) => captures,
                Err(e) => return e.to_string(),
            };
            let timing = match speed {
                Some(speed) => replay::Timing::Original { speed },
                None => replay::Timing::AtOnce,
            };
            let edits = Edits::default();
            match replay::sequence(Some(&store), &captures, &to, &edits, timing, |_, _| {}).await {
                Ok(failed) => t
                    .replayed_all
                    .replace("{n}", &what)
                    .replace("{url}", &to)
                    .replace("{ok}", &(captures.len() - failed).to_string()),
                Err(e) => e.to_string(),
            }
        });
    }

    /// The selected capture's deliveries and every target's state, read again.
    pub(super) fn refresh_forwarding(&mut self, changed: &[i64]) {
        if !changed.is_empty() {
            self.queries.ask(Ask::ForwardStates(changed.to_vec()));
        }
        if let Some(selected) = self.state.selected {
            if changed.is_empty() || changed.contains(&selected) {
                self.queries.ask(Ask::Deliveries(selected));
            }
        }
        self.state.forward.targets_stale = true;
        self.read_targets_when_due();
    }

    /// Reads the targets again if they changed and a second has passed since the last read;
    /// otherwise wakes the window when it will have.
    pub(super) fn read_targets_when_due(&mut self) {
        let forward = &mut self.state.forward;
        if !forward.targets_stale {
            return;
        }
        let since = forward.targets_read.map(|at| at.elapsed());
        match since {
            Some(since) if since < TARGETS_EVERY => {
                self.ctx.request_repaint_after(TARGETS_EVERY - since);
            }
            _ => {
                forward.targets_stale = false;
                forward.targets_read = Some(Instant::now());
                self.queries.ask(Ask::Targets);
            }
        }
    }
}
