//! The Responses window's commands: open it on the saved rules, apply them, and switch one
//! on or off at once.

use super::{lifecycle, switch_rule, Work};
use crate::gui::command::ResponsesCall;
use crate::gui::state::responses::RuleDraft;
use crate::gui::state::AppState;

pub fn handle(state: &mut AppState, work: &mut Work, call: ResponsesCall) {
    match call {
        ResponsesCall::Open => {
            state.responses = Some(state.config.respond.iter().map(RuleDraft::of).collect());
        }
        ResponsesCall::Close => state.responses = None,
        ResponsesCall::Save(rules) => {
            let mut config = state.config.clone();
            config.respond = rules;
            state.responses = None;
            lifecycle::save_config(state, work, config);
        }
        ResponsesCall::Toggle(n, shown) => {
            let mut config = state.config.clone();
            if switch_rule(&mut config.respond, n, &shown, |r| &mut r.enabled) {
                lifecycle::save_config(state, work, config);
            }
        }
    }
}
