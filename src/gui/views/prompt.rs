//! "Are you sure?" before a change that reaches outside the app: a modal naming the target,
//! with the action's own word on the button.

use crate::gui::command::Command;
use crate::gui::state::AppState;

pub fn show(ctx: &egui::Context, state: &mut AppState) {
    let Some(prompt) = &state.asking else {
        return;
    };
    let t = state.texts();
    let modal = egui::Modal::new(egui::Id::new("ask")).show(ctx, |ui| {
        ui.set_max_width(460.0);
        ui.add(egui::Label::new(&prompt.text).wrap());
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            if ui.button(prompt.yes).clicked() {
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
