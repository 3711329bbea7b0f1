//! The Reestr panel's calls: the order a capture names, and what the newest `confirm`
//! capture means for the confirmation state.

use serde_json::Value;

use super::{spawn, Done};
use crate::capture::{format_rfc3339, Capture, CaptureRow, Provider};
use crate::gui::app::{providers::keep_drafts, Work};
use crate::gui::command::ReestrCall;
use crate::gui::queries::Query;
use crate::gui::state::AppState;
use crate::gui::texts::short_date;
use crate::providers::reestr as rules;

/// Reestr's address check: its outcome is the Reestr panel's confirmation state.
pub fn is_confirm(row: &CaptureRow) -> bool {
    row.provider == Provider::Reestr && row.event() == "confirm"
}

pub fn call(state: &mut AppState, work: &mut Work, call: ReestrCall) {
    let config = keep_drafts(state, work);
    match call {
        ReestrCall::Order { capture, order } => spawn(state, work, None, async move {
            let order: Result<Value, _> = rules::api::order(&config.reestr, &order).await;
            Done::Loaded {
                capture,
                result: order.map(|o| vec![o]),
            }
        }),
        ReestrCall::Confirmation => work.queries.ask(Query::LatestConfirm),
    }
}

/// The newest `confirm` capture, or none yet, as the store answered.
pub fn confirmed(state: &mut AppState, newest: Option<&Capture>) {
    state.panels.reestr.confirmation = newest.map(|c| {
        // Seconds are enough for a person: "2026-11-25 08:05:44 UTC".
        let at = format!("{} UTC", short_date(&format_rfc3339(c.request.received_at)));
        (at, rules::confirmation(c))
    });
}
