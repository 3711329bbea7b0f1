//! The Rosreestr events panel's call (Kontur.Reestro): read the page a move asks for.

use super::{spawn, with_client, Done};
use crate::gui::app::{providers::keep_drafts, Work};
use crate::gui::command::{KonturMove, ProviderTab};
use crate::gui::state::AppState;
use crate::http::ApiError;
use crate::providers::kontur::{Feed, Page};

/// Reads the page a move asks for.
pub fn call(state: &mut AppState, work: &mut Work, movement: KonturMove) {
    let config = keep_drafts(state, work);
    let events = &mut state.panels.events;
    let after = events.after_for(&movement);
    let count = events.count;
    let feed = Feed::new(&config.kontur);
    spawn(state, work, Some(ProviderTab::Kontur), async move {
        let page = with_client(feed, |feed| async move {
            feed.page(after.as_deref(), count).await
        })
        .await;
        Done::Kontur(movement, page)
    });
}

pub fn apply(state: &mut AppState, movement: KonturMove, page: Result<Page, ApiError>) {
    let panels = &mut state.panels;
    panels.busy.remove(&ProviderTab::Kontur);
    panels.events.arrived(movement, page);
}
