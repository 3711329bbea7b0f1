//! Forwarding on screen: the Forward tab (a capture's deliveries and attempts, Retry now,
//! Skip, replay), the replay editor, the replay-in-sequence and forward rules windows, and the
//! targets in the top bar.

use egui::{RichText, Ui};

use super::table::Clock;
use crate::capture::Capture;
use crate::capture::DeliveryState;
use crate::config::{ForwardMode, ForwardRule};
use crate::forward::replay;
use crate::gui::command::{Command, ForwardCall};
use crate::gui::state::AppState;
use crate::gui::texts::{Counted, Texts};
use crate::store::{Attempt, Decision, Outcome};

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
                let kind = if delivery.edited {
                    t.kind_edited_replay
                } else if delivery.replay {
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
                    state.commands.push(Command::Forward(ForwardCall::Decide(
                        delivery.id,
                        Decision::RetryNow,
                    )));
                }
                if delivery.state == DeliveryState::Waiting && ui.button(t.skip).clicked() {
                    state.commands.push(Command::Forward(ForwardCall::Decide(
                        delivery.id,
                        Decision::Skip,
                    )));
                }
            });
            if delivery.attempts.is_empty() {
                ui.weak(t.no_attempts);
            }
            let language = state.language;
            egui::Grid::new(("attempts", delivery.id))
                .num_columns(2)
                .striped(true)
                .show(ui, |ui| {
                    for (attempt, times) in runs(&delivery.attempts) {
                        let (time, full) = clock.show(attempt.at);
                        ui.label(RichText::new(time).monospace())
                            .on_hover_text(full);
                        let mut text = language.attempt(attempt);
                        if times > 1 {
                            // The same failure again and again: once, with how often.
                            text = format!("{text} ×{times}");
                        }
                        let color = if attempt.outcome.is_success() {
                            super::theme::palette(ui.visuals()).success
                        } else {
                            ui.visuals().error_fg_color
                        };
                        ui.add(egui::Label::new(RichText::new(text).color(color)).wrap());
                        ui.end_row();
                        if let Outcome::Answered { headers, body, .. } = &attempt.outcome {
                            ui.label("");
                            answer_of_target(ui, (delivery.id, attempt.at), headers, body, t);
                            ui.end_row();
                        }
                        if let Some(id) = replay::became(attempt).filter(|_| delivery.replay) {
                            ui.weak(t.captured_as);
                            if ui.link(format!("#{id}")).clicked() {
                                state.commands.push(Command::Select(id));
                            }
                            ui.end_row();
                        }
                    }
                });
        });
    }
    ui.separator();
    replay_row(ui, state, capture, t);
}

/// Attempts in order, a run of the same failure one after another counted once.
fn runs(attempts: &[Attempt]) -> Vec<(&Attempt, usize)> {
    let mut runs: Vec<(&Attempt, usize)> = Vec::new();
    for attempt in attempts {
        match runs.last_mut() {
            Some((first, times))
                if matches!(attempt.outcome, Outcome::Failed(_))
                    && first.outcome == attempt.outcome =>
            {
                *times += 1;
            }
            _ => runs.push((attempt, 1)),
        }
    }
    runs
}

/// What the target answered, headers and body, folded under the attempt.
fn answer_of_target(
    ui: &mut Ui,
    id: (i64, time::OffsetDateTime),
    headers: &[(String, String)],
    body: &[u8],
    t: &Texts,
) {
    egui::CollapsingHeader::new(t.target_answer)
        .id_salt(("target-answer", id.0, id.1.unix_timestamp_nanos()))
        .show(ui, |ui| {
            for (name, value) in headers {
                ui.label(RichText::new(format!("{name}: {value}")).monospace());
            }
            ui.add_space(4.0);
            if body.is_empty() {
                ui.weak(t.empty_body);
            } else {
                let text = String::from_utf8_lossy(body);
                ui.add(egui::Label::new(RichText::new(text).monospace()).wrap());
            }
        });
}

fn replay_row(ui: &mut Ui, state: &mut AppState, capture: &Capture, t: &Texts) {
    let mut to = state.replay_target();
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
            state.commands.push(Command::Forward(ForwardCall::Replay {
                capture: capture.id,
                to: to.clone(),
                edits: Box::default(),
            }));
        }
        if ui.button(t.edit_and_replay).clicked() {
            state
                .commands
                .push(Command::Forward(ForwardCall::EditReplay));
        }
        if ui
            .button(t.replay_into_hookscope)
            .on_hover_text(t.replay_into_hint)
            .clicked()
        {
            state.commands.push(Command::Forward(ForwardCall::Replay {
                capture: capture.id,
                to: state.listener_url(),
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
            .replace("{id}", &draft.capture.id.to_string()),
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
        match &edits {
            Ok(edits) => {
                // Where it goes, as the target and the (edited) path make it.
                let url = replay::replay_url(&edits.apply(&draft.capture), &draft.to);
                ui.weak(t.sends_to.replace("{url}", &url));
            }
            Err(line) => {
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    t.header_bad.replace("{n}", &line.to_string()),
                );
            }
        }
        if ui
            .add_enabled(edits.is_ok(), egui::Button::new(t.send))
            .clicked()
        {
            if let Ok(edits) = edits {
                send = Some(ForwardCall::Replay {
                    capture: draft.capture.id,
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
        state
            .commands
            .push(Command::Forward(ForwardCall::CloseEditor));
    }
}

/// The replay-in-sequence window.
pub fn sequence(ctx: &egui::Context, state: &mut AppState) {
    let t = state.texts();
    let count = state.list.visible().len();
    let language = state.language;
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
            let what = language.count(count, Counted::Capture);
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
                send = Some(ForwardCall::ReplayShown {
                    to: draft.to.clone(),
                    speed: draft.keep_gaps.then_some(draft.speed),
                });
            }
        });
    if let Some(call) = send {
        state.commands.push(Command::Forward(call));
    }
    if !open {
        state
            .commands
            .push(Command::Forward(ForwardCall::CloseSequence));
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
    let language = state.language;
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
                            calls.push(ForwardCall::ToggleRule(n, Box::new(rule.clone())));
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
                    if rule.target.trim().is_empty() {
                        // Nothing typed yet is not a mistake; Apply waits for a target.
                        all_valid = false;
                        ui.weak(t.target_needed);
                    } else if let Err(problem) = crate::forward::route(rule, listener) {
                        all_valid = false;
                        let text = match problem {
                            crate::forward::ForwardRuleError::Filter { error, .. } => {
                                language.filter_error(&error)
                            }
                            crate::forward::ForwardRuleError::OwnListener { target, listener } => t
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
                    calls.push(ForwardCall::SaveRules(rules.clone()));
                }
            });
        });
    state
        .commands
        .extend(calls.into_iter().map(Command::Forward));
    if !open {
        state
            .commands
            .push(Command::Forward(ForwardCall::CloseRules));
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
        state
            .commands
            .push(Command::Forward(ForwardCall::OpenRules));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_of_the_same_failure_shows_once_with_its_count() {
        let at = time::OffsetDateTime::UNIX_EPOCH;
        let failed = |why: &str| Attempt {
            at,
            elapsed_ms: 1.0,
            outcome: Outcome::Failed(why.into()),
        };
        let answered = Attempt {
            at,
            elapsed_ms: 1.0,
            outcome: Outcome::Answered {
                status: 200,
                headers: Vec::new(),
                body: Vec::new(),
            },
        };
        let attempts = [
            failed("refused"),
            failed("refused"),
            failed("refused"),
            failed("timed out"),
            answered.clone(),
            answered,
        ];
        let counted: Vec<usize> = runs(&attempts).into_iter().map(|(_, n)| n).collect();
        assert_eq!(counted, [3, 1, 1, 1], "successes are never folded");
    }
}
