//! The listener's life in the app: started, refused, restarted on another address, stopped
//! when the store turns out damaged, and the damaged store set aside; the settings saved and
//! handed to the running engine; and the window closed as a window when the process is asked
//! to stop.

use std::net::SocketAddr;

use tokio::sync::broadcast;

use super::{forward, Work};
use crate::config::Theme;
use crate::config::{vault, Config, Kept, Place};
use crate::engine::{Engine, EngineError};
use crate::gui::queries::Queries;
use crate::gui::state::AppState;
use crate::store::StoreError;

/// Closes the window on Ctrl+C or SIGTERM the way its close button does, so that its size,
/// place and the app's state are saved (a logout or `kill` would lose them); a second signal
/// ends the process at once, for a window that does not answer.
pub fn close_when_asked_to_stop(work: &Work) {
    let ctx = work.ctx.clone();
    work.runtime.spawn(async move {
        crate::engine::stop_asked().await;
        ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        ctx.request_repaint();
        crate::engine::stop_asked().await;
        std::process::exit(143);
    });
}

/// The engine is up: the window hears its captures and changes from now on.
pub fn started(state: &mut AppState, work: &mut Work, engine: Engine) {
    state.listening = Some(engine.local_addr());
    state.api = Some(engine.api().clone());
    state.listen_error = None;
    state.store_damaged = false;
    // A new writer has failed nothing yet.
    state.not_saving = None;
    // Wakes the window for each new capture and each change.
    let mut arrived = engine.store().subscribe();
    let mut changed = engine.store().changes();
    let ctx = work.ctx.clone();
    work.runtime.spawn(async move {
        while let Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) = arrived.recv().await {
            ctx.request_repaint();
        }
    });
    let ctx = work.ctx.clone();
    work.runtime.spawn(async move {
        while let Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) = changed.recv().await {
            ctx.request_repaint();
        }
    });
    work.arrivals = Some(engine.store().subscribe());
    work.changes = Some(engine.store().changes());
    work.fell_back = Some(engine.pass_through_fell_back());
    // Asked after subscribing: damage found before is seen here, and after, announced.
    let damaged = engine.store().damage().is_some();
    work.engine = Some(engine);
    forward::refresh(state, work, &[]);
    super::team::resume(state, work);
    if damaged {
        store_found_damaged(state, work);
    }
}

/// Why the listener could not start, in the app's language.
pub fn not_started(state: &mut AppState, error: &EngineError) {
    state.listen_error = Some(state.language.engine_error(error));
    state.store_damaged = matches!(error, EngineError::Store(StoreError::Damaged { .. }));
}

/// The theme the user chose, applied to the window.
pub fn apply_look(state: &AppState, work: &Work) {
    work.ctx.set_theme(match state.config.window.theme {
        Theme::Dark => egui::ThemePreference::Dark,
        Theme::Light => egui::ThemePreference::Light,
        Theme::System => egui::ThemePreference::System,
    });
}

/// Writes the settings file and hands the settings to the running engine; says where the
/// tokens went.
pub fn save_config(state: &mut AppState, work: &mut Work, mut config: Config) -> Option<Kept> {
    let kept = match config.save(&work.paths.config_file) {
        Ok(kept) => kept,
        Err(e) => {
            state.notify(state.language.config_error(&e));
            return None;
        }
    };
    if let Some(engine) = &mut work.engine {
        engine.set_config(config.clone());
        // New rules start their counts afresh.
        state.faults_left = engine.faults_remaining();
    }
    state.language = config.window.language();
    state.config = config;
    Some(kept)
}

/// Tokens the file still holds while the keyring is asked for (a first start, an older
/// settings file) move to it at start; Settings says where they are.
pub fn move_tokens_where_asked(state: &mut AppState, work: &mut Work) {
    // No token, nothing to move: the keyring is not asked at every start.
    if !state
        .config
        .tokens()
        .iter()
        .any(|(_, token)| token.is_set())
    {
        return;
    }
    let kept = vault::kept(&state.config);
    if kept.place == Place::Keyring && !kept.not_moved.is_empty() {
        save_config(state, work, state.config.clone());
    }
}

/// The Settings window's Apply: saved, and the listener moved when its address changed.
pub fn save_settings(state: &mut AppState, work: &mut Work, config: Config) {
    let listen_changed = config.listener.listen != state.config.listener.listen;
    let moved = config.secrets != state.config.secrets;
    let kept = save_config(state, work, config);
    state.settings = None;
    match kept.filter(|_| moved) {
        Some(kept) => state.notify(state.language.tokens_kept(&kept)),
        None => {
            let saved = state.texts().settings_saved;
            state.notify(saved);
        }
    }
    apply_look(state, work);
    if listen_changed || work.engine.is_none() {
        restart_listener(state, work, state.config.listener.listen);
    }
}

/// Stops the listener (if any) and starts it on `addr`; the result arrives in a later frame.
pub fn restart_listener(state: &mut AppState, work: &mut Work, addr: SocketAddr) {
    state.config.listener.listen = addr;
    let config = state.config.clone();
    let old = take_engine(state, work);
    let store_file = work.paths.store_file();
    let restarts = work.restarts.0.clone();
    work.report(&restarts, async move {
        if let Some(old) = old {
            old.stop().await;
        }
        Engine::start(config, &store_file).await
    });
}

/// The engine, no longer listened to or shown as listening.
fn take_engine(state: &mut AppState, work: &mut Work) -> Option<Engine> {
    state.listening = None;
    state.api = None;
    state.attached = None;
    work.take_engine()
}

/// The store was found damaged while in use: the listener stops, since nothing more can be
/// acknowledged, and once it has, the app offers to set the store aside as at start.
pub fn store_found_damaged(state: &mut AppState, work: &mut Work) {
    let Some(engine) = take_engine(state, work) else {
        return;
    };
    let done = work.restarts.0.clone();
    let ctx = work.ctx.clone();
    work.runtime.spawn(async move {
        let damage = engine.store().damage();
        engine.stop().await;
        if let Some(damage) = damage {
            let _ = done.send(Err(EngineError::Store(damage)));
        }
        ctx.request_repaint();
    });
}

/// Moves the damaged store aside (renamed, not deleted) and starts on a fresh one.
pub fn set_store_aside(state: &mut AppState, work: &mut Work) {
    let store_file = work.paths.store_file();
    match crate::store::damage::set_aside(&store_file) {
        Ok(moved) => {
            let text = state.texts().store_set_aside;
            state.notify(text.replace("{path}", &moved.display().to_string()));
            // The reads so far were of the damaged file, which a fresh reader leaves behind.
            work.queries = Queries::start(store_file, work.ctx.clone());
            state.clear();
            restart_listener(state, work, state.config.listener.listen);
        }
        Err(e) => state.notify(state.language.store_error(&e)),
    }
}
