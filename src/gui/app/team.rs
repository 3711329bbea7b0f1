//! Attaching the app to a team host: the host's captures mirrored into this window's store,
//! as `hookscope attach` does, the host and token remembered in the settings, and attached
//! again at the next start.

use super::{lifecycle, Work};
use crate::attach::{Attached, Link};
use crate::config::Secret;
use crate::gui::state::AppState;

/// Connect: mirrors `host` with `token` and remembers both; a refusal stays in the window.
pub fn attach(state: &mut AppState, work: &mut Work, host: &str, token: &str) {
    let t = state.texts();
    let host = host.trim().trim_end_matches('/');
    let refused = if crate::config::http_url(host).is_none() {
        Some(t.team_bad_url.to_string())
    } else if token.trim().is_empty() {
        Some(t.team_no_token.to_string())
    } else {
        start(state, work, host, token.trim()).err()
    };
    if let Some(error) = refused {
        if let Some(draft) = &mut state.team {
            draft.error = Some(error);
        }
        return;
    }
    let mut config = state.config.clone();
    config.team.host = host.to_string();
    config.team.token = Secret::new(token.trim());
    config.team.attached = true;
    lifecycle::save_config(state, work, config);
    state.team = None;
    state.notify(t.team_attached_notice.replace("{host}", host));
}

/// Disconnect: mirroring stops, what was mirrored stays, and the next start does not attach.
pub fn detach(state: &mut AppState, work: &mut Work) {
    if let Some(engine) = &mut work.engine {
        engine.detach();
    }
    work.attached = None;
    state.attached = None;
    state.team = None;
    let mut config = state.config.clone();
    config.team.attached = false;
    let host = config.team.host.clone();
    lifecycle::save_config(state, work, config);
    let detached = state.texts().team_detached;
    state.notify(detached.replace("{host}", &host));
}

/// At start and after the listener moved: attached again when it was when the app closed.
pub fn resume(state: &mut AppState, work: &mut Work) {
    let team = state.config.team.clone();
    if !team.attached || team.host.is_empty() {
        return;
    }
    if let Err(why) = start(state, work, &team.host, team.token.expose()) {
        state.attached = Some(Attached {
            host: team.host,
            link: Link::Ended(why),
            mirrored: 0,
            newest: 0,
            responses: Vec::new(),
        });
    }
}

/// Starts mirroring on the engine, and wakes the window whenever how it stands changes.
fn start(state: &mut AppState, work: &mut Work, host: &str, token: &str) -> Result<(), String> {
    let Some(engine) = &mut work.engine else {
        return Err(state.texts().team_needs_listener.to_string());
    };
    // Mirroring runs on the app's runtime, not on the window's thread.
    let _runtime = work.runtime.enter();
    let attached = engine.attach(host, token).map_err(|e| e.to_string())?;
    state.attached = Some(attached.borrow().clone());
    let mut changed = attached.clone();
    let ctx = work.ctx.clone();
    work.runtime.spawn(async move {
        while changed.changed().await.is_ok() {
            ctx.request_repaint();
        }
    });
    work.attached = Some(attached);
    Ok(())
}
