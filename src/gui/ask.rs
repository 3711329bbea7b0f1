//! "Are you sure?" before a change that reaches outside the app: a modal naming the target,
//! with the action's own word on the button.

use super::command::Command;
use super::state::AppState;

#[derive(Clone, Debug)]
pub struct Question {
    /// What will happen, to what: "Delete the MoySklad webhook customerorder CREATE → https://…?"
    pub text: String,
    /// The button that goes ahead: "Delete".
    pub yes: &'static str,
    pub then: Command,
}

impl Question {
    pub fn command(text: String, yes: &'static str, then: Command) -> Command {
        Command::Ask(Box::new(Question { text, yes, then }))
    }
}

pub fn show(ctx: &egui::Context, state: &mut AppState) {
    let Some(question) = &state.asking else {
        return;
    };
    let t = state.texts();
    let modal = egui::Modal::new(egui::Id::new("ask")).show(ctx, |ui| {
        ui.set_max_width(460.0);
        ui.add(egui::Label::new(&question.text).wrap());
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            if ui.button(question.yes).clicked() {
                state.commands.push(Command::Answered(true));
            }
            if ui.button(t.cancel).clicked() {
                state.commands.push(Command::Answered(false));
            }
        });
    });
    if modal.should_close() {
        state.commands.push(Command::Answered(false));
    }
}
