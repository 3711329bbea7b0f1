//! The GREEN-API panel's calls: read the instance's settings, and Connect or Disconnect its
//! webhooks.

use serde_json::{Map, Value};

use super::{spawn, with_client, Done};
use crate::gui::app::{commands::handle, providers::keep_drafts, Work};
use crate::gui::command::{Command, GreenApiCall, ProviderTab};
use crate::gui::state::AppState;
use crate::http::ApiError;
use crate::providers::green_api::api::{self, Instance};

/// What a GREEN-API call brought back.
pub enum GreenApiDone {
    Settings(Result<Map<String, Value>, ApiError>),
    /// Connect or Disconnect, with what happened in words.
    Changed(Result<String, ApiError>),
}

pub fn call(state: &mut AppState, work: &mut Work, call: GreenApiCall) {
    let config = keep_drafts(state, work);
    let t = state.texts();
    let instance_id = config.green_api.id_instance.clone();
    let instance = Instance::new(&config.green_api);
    let token = config.green_api.webhook_url_token.expose().to_string();
    spawn(state, work, Some(ProviderTab::GreenApi), async move {
        match call {
            GreenApiCall::Settings => Done::GreenApi(GreenApiDone::Settings(
                with_client(instance, |i| async move { i.settings().await }).await,
            )),
            GreenApiCall::Connect { url, notifications } => {
                let done = with_client(instance, |i| async move {
                    i.connect(&url, &token, &notifications).await.map(|()| url)
                })
                .await;
                Done::GreenApi(GreenApiDone::Changed(done.map(|url| {
                    t.green_connected
                        .replace("{instance}", &instance_id)
                        .replace("{url}", &url)
                })))
            }
            GreenApiCall::Disconnect => {
                let done = with_client(instance, |i| async move { i.disconnect().await }).await;
                Done::GreenApi(GreenApiDone::Changed(
                    done.map(|()| t.green_disconnected.replace("{instance}", &instance_id)),
                ))
            }
        }
    });
}

pub fn apply(state: &mut AppState, work: &mut Work, done: GreenApiDone) {
    let panels = &mut state.panels;
    panels.busy.remove(&ProviderTab::GreenApi);
    let green = &mut panels.green;
    match done {
        GreenApiDone::Settings(Ok(settings)) => {
            green.settings = Some(api::describe(&settings));
            // A change's outcome stays; an earlier failure to read does not.
            if green.outcome.as_ref().is_some_and(Result::is_err) {
                green.outcome = None;
            }
        }
        GreenApiDone::Settings(Err(e)) => green.outcome = Some(Err(e)),
        GreenApiDone::Changed(result) => {
            let changed = result.is_ok();
            green.outcome = Some(result);
            if changed {
                // What the instance holds now, beside what was asked.
                handle(state, work, Command::GreenApi(GreenApiCall::Settings));
            }
        }
    }
}
