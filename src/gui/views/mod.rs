//! What each screen shows: views read the state and push commands; they never change the
//! state while drawing beyond the text being typed into their own fields, never call the
//! engine, and import no handler. One module a screen, drawn in [`show`]'s order.

mod detail;
mod files;
mod forward;
mod prompt;
pub mod providers;
mod responses;
mod settings;
mod shortcuts;
mod table;
mod team;
pub mod theme;
mod timeline;
mod top_bar;

use super::state::AppState;

/// The whole window, one frame: keys first, then the panels and any open windows.
pub fn show(ui: &mut egui::Ui, state: &mut AppState) {
    let ctx = ui.ctx().clone();
    shortcuts::read(&ctx, state);
    top_bar::show(ui, state);
    detail::show(ui, state);
    table::show(ui, state);
    settings::show(&ctx, state);
    team::window(&ctx, state);
    files::show(&ctx, state);
    prompt::show(&ctx, state);
    providers::show(&ctx, state);
    forward::editor(&ctx, state);
    forward::rules(&ctx, state);
    forward::sequence(&ctx, state);
    responses::window(&ctx, state);
}
