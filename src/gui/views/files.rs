//! Choosing a file to export to or import from: an in-app window with a path field, so it
//! works on any desktop, and a Browse button for the system's chooser where one exists.

use crate::gui::command::Command;
use crate::gui::state::files::{expand, Purpose};
use crate::gui::state::AppState;
use crate::gui::texts::Counted;

pub fn show(ctx: &egui::Context, state: &mut AppState) {
    let t = state.texts();
    let Some(chooser) = &mut state.chooser else {
        return;
    };
    let (title, action, formats) = match chooser.purpose {
        Purpose::Export => (t.export_title, t.export_now, t.export_formats),
        Purpose::Import => (t.import_title, t.import_now, t.import_formats),
    };
    let mut open = true;
    let mut chosen = false;
    egui::Window::new(title)
        .open(&mut open)
        .collapsible(false)
        .default_width(520.0)
        .show(ctx, |ui| {
            if chooser.purpose == Purpose::Export {
                let count = state.language.count(chooser.count, Counted::Capture);
                ui.label(t.export_what.replace("{count}", &count));
            }
            ui.horizontal(|ui| {
                let label = ui.label(t.file);
                let edit = ui
                    .add(
                        egui::TextEdit::singleline(&mut chooser.path)
                            .desired_width(ui.available_width() - 90.0),
                    )
                    .labelled_by(label.id);
                chosen |= edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                if ui.button(t.browse).clicked() {
                    state.commands.push(Command::Browse(chooser.purpose));
                }
            });
            ui.label(egui::RichText::new(formats).weak());
            if chooser.nothing_chosen {
                ui.colored_label(ui.visuals().warn_fg_color, t.no_file_chosen);
            }
            if let Some(why) = &chooser.failed {
                ui.colored_label(ui.visuals().error_fg_color, why);
            }
            ui.horizontal(|ui| {
                let ready = !chooser.path.trim().is_empty() && !chooser.working;
                chosen |= ui.add_enabled(ready, egui::Button::new(action)).clicked();
                if chooser.working {
                    ui.spinner();
                }
                if ui.button(t.cancel).clicked() {
                    state.commands.push(Command::CloseChooser);
                }
            });
        });
    if !open {
        state.commands.push(Command::CloseChooser);
    } else if chosen && !chooser.working {
        let path = expand(&chooser.path);
        state.commands.push(match chooser.purpose {
            Purpose::Export => Command::ExportTo(path),
            Purpose::Import => Command::ImportFrom(path),
        });
    }
}
