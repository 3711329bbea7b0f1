//! The provider panels' commands: each runs its call on the runtime with the settings as typed
//! (saved first), and applies what it brought back (a [`Done`]) in a later frame, so no frame
//! waits for the network. The tunnel's public URL is looked for now and then, and providers
//! are moved to a new one on request.

pub mod green_api;
pub mod kontur;
pub mod moysklad;
pub mod reestr;

use std::future::Future;
use std::time::Instant;

use serde_json::Value;

use super::{commands::handle, lifecycle, Work};
use crate::config::Config;
use crate::gui::command::{Command, KonturMove, ProviderTab, TunnelCall};
use crate::gui::state::AppState;
use crate::http::ApiError;
use crate::repoint::{self, Repointing};
use crate::tunnel::{self, Found, NotFound};

/// What a call brought back.
pub enum Done {
    Tunnel(Result<Found, NotFound>),
    Repointed(Vec<Repointing>),
    GreenApi(green_api::GreenApiDone),
    Moysklad(moysklad::MoyskladDone),
    Kontur(KonturMove, Result<crate::providers::kontur::Page, ApiError>),
    /// Objects or an order loaded for a capture.
    Loaded {
        capture: i64,
        result: Result<Vec<Value>, ApiError>,
    },
}

/// Runs a provider call on the runtime; `tab` shows a spinner until it is done.
fn spawn(
    state: &mut AppState,
    work: &Work,
    tab: Option<ProviderTab>,
    call: impl Future<Output = Done> + Send + 'static,
) {
    if let Some(tab) = tab {
        state.panels.busy.insert(tab);
    }
    work.call(call);
}

/// Saves the panels' fields when they changed, so a call uses (and keeps) what is typed;
/// the settings a call runs with.
pub fn keep_drafts(state: &mut AppState, work: &mut Work) -> Config {
    let mut config = state.config.clone();
    let draft = &state.panels.draft;
    config.green_api = draft.green_api.clone();
    config.moysklad = draft.moysklad.clone();
    config.reestr = draft.reestr.clone();
    config.kontur = draft.kontur.clone();
    if config != state.config {
        lifecycle::save_config(state, work, config.clone());
    }
    config
}

/// Applies finished calls, and looks for the tunnel now and then while none is typed.
pub fn drain(state: &mut AppState, work: &mut Work) {
    while let Ok(done) = work.done.1.try_recv() {
        apply(state, work, done);
    }
    let panels = &state.panels;
    let due = panels
        .last_detect
        .is_none_or(|at| at.elapsed() >= tunnel::DETECT_EVERY);
    if due && !panels.detecting {
        handle(state, work, Command::Tunnel(TunnelCall::Detect));
    }
    work.ctx.request_repaint_after(tunnel::DETECT_EVERY);
    let panels = &state.panels;
    if panels.events.follow_due() && !panels.busy.contains(&ProviderTab::Kontur) {
        handle(state, work, Command::Kontur(KonturMove::Follow));
    }
}

pub(super) fn apply(state: &mut AppState, work: &mut Work, done: Done) {
    match done {
        Done::Tunnel(found) => tunnel_found(state, found),
        Done::Repointed(outcomes) => state.panels.repointed = outcomes,
        Done::GreenApi(done) => green_api::apply(state, work, done),
        Done::Moysklad(done) => moysklad::apply(state, work, done),
        Done::Kontur(movement, page) => kontur::apply(state, movement, page),
        Done::Loaded { capture, result } => state.panels.loaded = Some((capture, result)),
    }
}

fn tunnel_found(state: &mut AppState, found: Result<Found, NotFound>) {
    let p = &mut state.panels;
    p.detecting = false;
    let language = state.language;
    let said = match &found {
        Ok(found) => language
            .texts()
            .tunnel_found
            .replace("{url}", &found.url)
            .replace("{source}", &language.tunnel_source(&found.source)),
        Err(missing) => language.tunnel_not_found(missing),
    };
    if std::mem::take(&mut p.announce_detect) {
        state.notice = Some((said, Instant::now()));
    }
    p.tunnel_missing = found.as_ref().err().map(|e| language.tunnel_not_found(e));
    let found = found.ok();
    if let Some(url) = found.as_ref().map(|f| f.url.clone()) {
        let last = &state.remembered.public_url;
        if !last.is_empty() && *last != url {
            p.url_changed = Some((last.clone(), url.clone()));
            p.repointed.clear();
        }
        state.remembered.public_url = url;
    }
    p.tunnel = found;
}

/// Finds the public URL, or moves every provider from an old one to a new one.
pub fn tunnel(state: &mut AppState, work: &mut Work, call: TunnelCall) {
    let config = keep_drafts(state, work);
    match call {
        TunnelCall::Detect => {
            let port = state
                .listening
                .unwrap_or(state.config.listener.listen)
                .port();
            let panels = &mut state.panels;
            panels.detecting = true;
            panels.last_detect = Some(Instant::now());
            spawn(state, work, None, async move {
                Done::Tunnel(tunnel::find(&config.tunnel, port).await)
            });
        }
        TunnelCall::Repoint { old, new } => spawn(state, work, None, async move {
            Done::Repointed(repoint::repoint(&config, &old, &new).await)
        }),
    }
}

/// Runs `work` with a provider client made from the settings; a setting that is missing and
/// a call that fails both come back as the API's error.
async fn with_client<C, T, Fut>(
    client: Result<C, ApiError>,
    work: impl FnOnce(C) -> Fut,
) -> Result<T, ApiError>
where
    Fut: Future<Output = Result<T, ApiError>>,
{
    work(client?).await
}
