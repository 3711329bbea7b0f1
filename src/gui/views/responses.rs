//! Response rules and faults in the app: the Responses window, where each rule is switched on
//! or off with one click and warns what it breaks, and the top bar, which shows every rule that
//! is on, so that a fault is never on unnoticed.

use egui::Ui;

use crate::capture::ResponseAction;
use crate::config::ResponseRule;
use crate::gui::command::{Command, ResponsesCall};
use crate::gui::state::responses::RuleDraft;
use crate::gui::state::AppState;
use crate::gui::texts::Texts;
use crate::responses::breaches;

/// How wide a rule's filter, path and method fields are.
const FIELD_WIDTH: f32 = 320.0;

pub(super) fn action_text(action: ResponseAction, t: &Texts) -> &'static str {
    match action {
        ResponseAction::Answer => t.do_answer,
        ResponseAction::Fail => t.do_fail,
        ResponseAction::Delay => t.do_delay,
        ResponseAction::HangUp => t.do_hang_up,
    }
}

/// The Responses window.
pub fn window(ctx: &egui::Context, state: &mut AppState) {
    let t = state.texts();
    let language = state.language;
    let config = state.config.clone();
    let Some(drafts) = &mut state.responses else {
        return;
    };
    let mut open = true;
    let mut calls = Vec::new();
    egui::Window::new(t.responses)
        .open(&mut open)
        .collapsible(false)
        .default_width(720.0)
        .show(ctx, |ui| {
            ui.weak(t.responses_hint);
            egui::ScrollArea::vertical()
                .max_height(520.0)
                .show(ui, |ui| {
                    let mut remove = None;
                    for (n, draft) in drafts.iter_mut().enumerate() {
                        ui.group(|ui| {
                            rule_fields(ui, draft, n, t, &mut calls, &mut remove);
                            let filter = crate::filter::Filter::parse(&draft.rule.filter);
                            if let Err(error) = &filter {
                                ui.colored_label(
                                    ui.visuals().error_fg_color,
                                    language.filter_error(error),
                                );
                            }
                            for breach in breaches(&draft.rule(), &config) {
                                ui.colored_label(
                                    ui.visuals().warn_fg_color,
                                    format!("⚠ {}", language.breach(breach)),
                                );
                            }
                        });
                    }
                    if let Some(n) = remove {
                        drafts.remove(n);
                    }
                });
            ui.horizontal(|ui| {
                if ui.button(t.add_rule).clicked() {
                    drafts.push(RuleDraft::of(&ResponseRule::default()));
                }
                let valid = drafts
                    .iter()
                    .all(|d| crate::filter::Filter::parse(&d.rule.filter).is_ok());
                if ui
                    .add_enabled(valid, egui::Button::new(t.apply))
                    .on_disabled_hover_text(t.rules_invalid)
                    .clicked()
                {
                    calls.push(ResponsesCall::Save(
                        drafts.iter().map(RuleDraft::rule).collect(),
                    ));
                }
            });
        });
    state
        .commands
        .extend(calls.into_iter().map(Command::Responses));
    if !open {
        state
            .commands
            .push(Command::Responses(ResponsesCall::Close));
    }
}

fn rule_fields(
    ui: &mut Ui,
    draft: &mut RuleDraft,
    n: usize,
    t: &Texts,
    calls: &mut Vec<ResponsesCall>,
    remove: &mut Option<usize>,
) {
    let rule = &mut draft.rule;
    let mut switched = false;
    ui.horizontal_wrapped(|ui| {
        ui.strong(t.rule_number.replace("{n}", &(n + 1).to_string()));
        switched = ui.checkbox(&mut rule.enabled, t.rule_on).changed();
        for action in [
            ResponseAction::Answer,
            ResponseAction::Fail,
            ResponseAction::Delay,
            ResponseAction::HangUp,
        ] {
            ui.radio_value(&mut rule.action, action, action_text(action, t));
        }
        if ui.button(t.remove).clicked() {
            *remove = Some(n);
        }
    });
    egui::Grid::new(("response-rule", n))
        .num_columns(2)
        .spacing([8.0, 4.0])
        .show(ui, |ui| {
            for (label, text, hint) in [
                (t.filter_rule, &mut rule.filter, "provider:moysklad"),
                (t.path_pattern, &mut rule.path, "/moysklad*"),
                (t.method_any, &mut rule.method, "POST"),
            ] {
                let label = ui.label(label);
                // Sized outright: a grid cell would otherwise keep a field as narrow as the
                // column was on the first frame.
                let height = ui.spacing().interact_size.y;
                ui.add_sized(
                    [FIELD_WIDTH, height],
                    egui::TextEdit::singleline(text).hint_text(hint),
                )
                .labelled_by(label.id);
                ui.end_row();
            }
            match rule.action {
                ResponseAction::Answer => {
                    ui.label(t.status);
                    ui.add(egui::DragValue::new(&mut rule.status).range(100..=599));
                    ui.end_row();
                }
                ResponseAction::Fail => {
                    // The status the provider gets: a failure is 400 or more (500 unless set).
                    if rule.status < 400 {
                        rule.status = 500;
                    }
                    ui.label(t.status);
                    ui.add(egui::DragValue::new(&mut rule.status).range(400..=599));
                    ui.end_row();
                }
                ResponseAction::Delay | ResponseAction::HangUp => {}
            }
            if matches!(rule.action, ResponseAction::Answer | ResponseAction::Delay) {
                ui.label(t.delay_ms);
                ui.add(
                    egui::DragValue::new(&mut rule.delay_ms)
                        .range(0..=600_000)
                        .speed(10),
                );
                ui.end_row();
            }
            ui.label(t.times);
            ui.add(egui::DragValue::new(&mut rule.times).range(0..=1_000_000));
            ui.end_row();
            ui.label(t.percent);
            ui.add(egui::DragValue::new(&mut rule.percent).range(0..=100));
            ui.end_row();
        });
    if matches!(rule.action, ResponseAction::Answer | ResponseAction::Fail) {
        let label = ui.label(t.headers_lines);
        ui.add(
            egui::TextEdit::multiline(&mut draft.headers)
                .code_editor()
                .desired_rows(2)
                .desired_width(f32::INFINITY),
        )
        .labelled_by(label.id);
        let label = ui.label(t.answer_body);
        ui.add(
            egui::TextEdit::multiline(&mut draft.rule.body)
                .code_editor()
                .desired_rows(3)
                .desired_width(f32::INFINITY),
        )
        .labelled_by(label.id);
    }
    if switched {
        calls.push(ResponsesCall::Toggle(n, Box::new(draft.rule())));
    }
}

/// The Responses button, and every rule that is on, in the warning colour.
pub fn top_bar(ui: &mut Ui, state: &mut AppState) {
    let t = state.texts();
    if ui
        .button(format!("⚡ {}", t.responses))
        .on_hover_text(t.responses_hint)
        .clicked()
    {
        state.commands.push(Command::Responses(ResponsesCall::Open));
    }
    for (n, rule) in state.config.respond.iter().enumerate() {
        if !rule.enabled {
            continue;
        }
        let number = n + 1;
        let mut what = action_text(rule.action, t).to_lowercase();
        match state.faults_left.iter().find(|(k, _)| *k == number) {
            Some((_, 0)) => what = format!("{what}, {}", t.fault_used_up),
            Some((_, left)) => {
                let left = t.fault_left.replace("{n}", &left.to_string());
                what = format!("{what}, {left}");
            }
            None => {}
        }
        let text = t
            .fault_on
            .replace("{n}", &number.to_string())
            .replace("{what}", &what);
        let chip = egui::RichText::new(text).color(ui.visuals().warn_fg_color);
        if ui.link(chip).clicked() {
            state.commands.push(Command::Responses(ResponsesCall::Open));
        }
    }
}
