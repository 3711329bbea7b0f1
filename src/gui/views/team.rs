//! The team host: the top bar's "attached to …" (or the button that connects), and the window
//! with the host's API, the token, Connect and Disconnect.

use egui::{RichText, Ui};

use crate::attach::{Attached, Link};
use crate::gui::command::Command;
use crate::gui::state::AppState;
use crate::gui::texts::Texts;

/// The top bar's part: the button, or how mirroring stands (a click opens the window).
pub fn top_bar(ui: &mut Ui, state: &mut AppState) {
    let t = state.texts();
    let Some(attached) = &state.attached else {
        if ui.button(format!("🌐 {}", t.team_open)).clicked() {
            state.commands.push(Command::OpenTeamHost);
        }
        return;
    };
    let (text, why) = link_text(attached, t);
    let color = match attached.link {
        Link::Connected => ui.visuals().text_color(),
        Link::Connecting => ui.visuals().weak_text_color(),
        Link::Lost(_) | Link::Ended(_) => ui.visuals().warn_fg_color,
    };
    let mut button = ui.button(RichText::new(format!("🌐 {text}")).color(color));
    if let Some(why) = why {
        button = button.on_hover_text(why);
    }
    if button.clicked() {
        state.commands.push(Command::OpenTeamHost);
    }
    // The host answers the providers by its own rules: shown, not editable here.
    for (n, rule) in &attached.responses {
        let what = super::responses::action_text(rule.action, t).to_lowercase();
        let text = t
            .host_fault_on
            .replace("{n}", &n.to_string())
            .replace("{what}", &what);
        ui.label(RichText::new(text).color(ui.visuals().warn_fg_color))
            .on_hover_text(t.host_fault_hint);
    }
}

/// "attached to HOST ✔ connected · 12 behind", and why it is not connected, if it is not.
fn link_text(attached: &Attached, t: &Texts) -> (String, Option<String>) {
    let host = attached.host.trim_end_matches("/api/v1");
    let mut text = t.team_attached.replace("{host}", host);
    let (state, why) = match &attached.link {
        Link::Connecting => (t.team_connecting, None),
        Link::Connected => (t.team_connected, None),
        Link::Lost(why) => (t.team_lost, Some(why.clone())),
        Link::Ended(why) => (t.team_ended, Some(why.clone())),
    };
    text = format!("{text} {state}");
    if attached.behind() > 0 {
        let behind = t.team_behind.replace("{n}", &attached.behind().to_string());
        text = format!("{text} · {behind}");
    }
    (text, why)
}

/// The window, while open.
pub fn window(ctx: &egui::Context, state: &mut AppState) {
    let t = state.texts();
    let attached = state.attached.clone();
    let Some(draft) = &mut state.team else {
        return;
    };
    let mut open = true;
    let mut command = None;
    egui::Window::new(t.team_host)
        .open(&mut open)
        .collapsible(false)
        .resizable(false)
        .default_width(460.0)
        .show(ctx, |ui| {
            ui.label(t.team_about);
            ui.add_space(6.0);
            egui::Grid::new("team-host")
                .num_columns(2)
                .spacing([12.0, 6.0])
                .show(ui, |ui| {
                    let label = ui.label(t.team_url);
                    ui.add(
                        egui::TextEdit::singleline(&mut draft.host)
                            .hint_text(t.team_url_hint)
                            .desired_width(300.0),
                    )
                    .labelled_by(label.id);
                    ui.end_row();
                    let label = ui.label(t.team_token);
                    ui.add(
                        egui::TextEdit::singleline(&mut draft.token)
                            .password(true)
                            .desired_width(300.0),
                    )
                    .labelled_by(label.id);
                    ui.end_row();
                });
            if let Some(error) = &draft.error {
                ui.colored_label(ui.visuals().error_fg_color, error);
            }
            if let Some(attached) = &attached {
                let (text, why) = link_text(attached, t);
                ui.label(text);
                if let Some(why) = why {
                    ui.colored_label(ui.visuals().warn_fg_color, why);
                }
            }
            ui.horizontal(|ui| {
                if ui.button(t.team_connect).clicked() {
                    command = Some(Command::Attach {
                        host: draft.host.clone(),
                        token: draft.token.clone(),
                    });
                }
                if attached.is_some() && ui.button(t.team_disconnect).clicked() {
                    command = Some(Command::Detach);
                }
            });
        });
    if !open {
        command = Some(Command::CloseTeamHost);
    }
    state.commands.extend(command);
}
