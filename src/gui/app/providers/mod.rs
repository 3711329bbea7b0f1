//! The provider panels' commands: each runs its call on the runtime with the settings as typed
//! (saved first), and applies what it brought back (a [`Done`]) in a later frame, so no frame
//! waits for the network. A task of its own looks for the tunnel's public URL now and then and
//! wakes the window only when what it found changed, so an idle window draws nothing; providers
//! are moved to a new one on request.

pub mod green_api;
pub mod kontur;
pub mod moysklad;
pub mod reestr;

use std::future::Future;
use std::time::Instant;

use serde_json::Value;
use tokio::sync::watch;

use super::{commands::handle, lifecycle, Work};
use crate::api::providers::borrowed;
use crate::config::{Config, TunnelConfig};
use crate::gui::command::{Command, KonturMove, ProviderTab, TunnelCall};
use crate::gui::state::AppState;
use crate::http::ApiError;
use crate::repoint::{self, Repointing};
use crate::tunnel::quick;
use crate::tunnel::{self, Found, NotFound};

/// What a call brought back.
pub enum Done {
    Tunnel(Result<Found, NotFound>),
    /// A quick tunnel started, or why not.
    TunnelStarted(Result<quick::Running, quick::StartError>),
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
/// the settings a call runs with: while attached to a team host, its lent accounts.
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
    match &state.attached {
        Some(attached) => borrowed(&config, &attached.host, &state.config.team.token),
        None => config,
    }
}

/// Applies finished calls, and tells the tunnel watcher where to look.
pub fn drain(state: &mut AppState, work: &mut Work) {
    while let Ok(done) = work.done.1.try_recv() {
        apply(state, work, done);
    }
    let looking = where_to_look(state);
    match &work.tunnel_watch {
        Some(watch) => {
            watch.send_if_modified(|now| std::mem::replace(now, looking.clone()) != looking);
        }
        None => work.tunnel_watch = Some(watch_tunnel(work, looking)),
    }
    let panels = &state.panels;
    if panels.events.follow_due() && !panels.busy.contains(&ProviderTab::Kontur) {
        handle(state, work, Command::Kontur(KonturMove::Follow));
    }
}

pub(super) fn apply(state: &mut AppState, work: &mut Work, done: Done) {
    match done {
        Done::Tunnel(found) => tunnel_found(state, found),
        Done::TunnelStarted(started) => tunnel_started(state, work, started),
        Done::Repointed(outcomes) => state.panels.repointed = outcomes,
        Done::GreenApi(done) => green_api::apply(state, work, done),
        Done::Moysklad(done) => moysklad::apply(state, work, done),
        Done::Kontur(movement, page) => kontur::apply(state, movement, page),
        Done::Loaded { capture, result } => state.panels.loaded = Some((capture, result)),
    }
}

/// The tunnel settings and the listener's port.
fn where_to_look(state: &AppState) -> (TunnelConfig, u16) {
    let port = state
        .listening
        .unwrap_or(state.config.listener.listen)
        .port();
    (state.config.tunnel.clone(), port)
}

/// Looks for the tunnel every [`tunnel::DETECT_EVERY`], and at once when where to look
/// changes; says what it found only when that differs from the last time.
fn watch_tunnel(work: &Work, looking: (TunnelConfig, u16)) -> watch::Sender<(TunnelConfig, u16)> {
    let (watch, mut asked) = watch::channel(looking);
    let done = work.done.0.clone();
    let ctx = work.ctx.clone();
    work.runtime.spawn(async move {
        let mut said = None;
        loop {
            let (config, port) = asked.borrow_and_update().clone();
            let found = tunnel::find(&config, port).await;
            if said.as_ref() != Some(&found) {
                said = Some(found.clone());
                if done.send(Done::Tunnel(found)).is_err() {
                    return;
                }
                ctx.request_repaint();
            }
            tokio::select! {
                _ = tokio::time::sleep(tunnel::DETECT_EVERY) => {}
                changed = asked.changed() => if changed.is_err() { return },
            }
        }
    });
    watch
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
            let (tunnel, port) = where_to_look(state);
            state.panels.detecting = true;
            spawn(state, work, None, async move {
                Done::Tunnel(tunnel::find(&tunnel, port).await)
            });
        }
        TunnelCall::Repoint { old, new } => spawn(state, work, None, async move {
            Done::Repointed(repoint::repoint(&config, &old, &new).await)
        }),
        TunnelCall::Start(program) => {
            let (_, port) = where_to_look(state);
            state.panels.starting = Some(program);
            spawn(state, work, None, async move {
                Done::TunnelStarted(quick::start(program, port).await)
            });
        }
        TunnelCall::Stop => {
            work.quick_tunnel = None;
            state.config.tunnel.started = None;
            let stopped = state.texts().tunnel_stopped;
            state.notify(stopped);
        }
    }
}

/// A quick tunnel the user started: its URL is the public URL while it runs (the watcher
/// finds it at once, and a changed URL offers to move the providers over), never saved.
fn tunnel_started(
    state: &mut AppState,
    work: &mut Work,
    started: Result<quick::Running, quick::StartError>,
) {
    state.panels.starting = None;
    match started {
        Ok(running) => {
            let t = state.texts();
            state.notify(
                t.tunnel_started
                    .replace("{program}", &running.tunnel.program)
                    .replace("{url}", &running.tunnel.url),
            );
            state.config.tunnel.started = Some(running.tunnel.clone());
            work.quick_tunnel = Some(running);
        }
        Err(e) => state.notify(state.language.tunnel_start_error(&e)),
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
