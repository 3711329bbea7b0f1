//! Keyboard shortcuts, as commands; moving and copying only while no text field has focus.

use egui::{Key, Modifiers};

use crate::gui::command::Command;
use crate::gui::state::AppState;

pub fn read(ctx: &egui::Context, state: &mut AppState) {
    let typing = ctx.egui_wants_keyboard_input();
    let mut commands = Vec::new();
    ctx.input_mut(|i| {
        if i.consume_key(Modifiers::NONE, Key::Escape) {
            commands.push(Command::SetFilter(String::new()));
        }
        if i.consume_key(Modifiers::COMMAND, Key::E) {
            commands.push(Command::Export);
        }
        if typing {
            return;
        }
        if i.consume_key(Modifiers::NONE, Key::ArrowDown) || i.consume_key(Modifiers::NONE, Key::J)
        {
            commands.push(Command::MoveSelection(1));
        }
        if i.consume_key(Modifiers::NONE, Key::ArrowUp) || i.consume_key(Modifiers::NONE, Key::K) {
            commands.push(Command::MoveSelection(-1));
        }
        if i.consume_key(Modifiers::NONE, Key::Slash) {
            state.filter.focus = true;
        }
        if i.consume_key(Modifiers::NONE, Key::Space) {
            commands.push(Command::SetFollow(!state.follow));
        }
        let copy = i.consume_key(Modifiers::COMMAND, Key::C)
            || i.events.iter().any(|e| matches!(e, egui::Event::Copy));
        if copy {
            if let Some(detail) = &state.detail {
                commands.push(Command::CopyText(
                    String::from_utf8_lossy(&detail.request.body).into_owned(),
                ));
            }
        }
    });
    state.commands.extend(commands);
}
