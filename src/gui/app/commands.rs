//! Every command the views push, handled after the frame's drawing: a change of the state,
//! and where needed work on the runtime (store edits, files, provider calls) whose outcome
//! comes back through `drain`. Each family of commands has its own module; this one routes
//! them and handles the table's and the window's own.

use super::{files, forward, lifecycle, providers, responses, team, Work};
use crate::export;
use crate::gui::command::{Command, ProviderTab, ReestrCall, TunnelCall};
use crate::gui::queries::Query;
use crate::gui::state::files::{Chooser, Purpose};
use crate::gui::state::team::TeamDraft;
use crate::gui::state::{settings, AppState};
use crate::store::Edit;

pub fn handle(state: &mut AppState, work: &mut Work, command: Command) {
    match command {
        Command::Select(id) => {
            if state.select(id) {
                ask_about(work, id);
            }
        }
        Command::MoveSelection(step) => {
            if let Some(id) = state.move_selection(step) {
                ask_about(work, id);
            }
        }
        Command::SetFilter(text) => {
            if let Some(ask) = state.set_filter(text) {
                work.queries.ask(ask);
            }
        }
        Command::SetFollow(follow) => state.set_follow(follow),
        Command::SetTimeShown(shown) => state.remembered.time_shown = shown,
        Command::Pin(id, pinned) => {
            state.pin(id, pinned);
            work.edit(Edit::Pin { id, pinned });
        }
        Command::EditNote(id) => state.edit_note(id),
        Command::SaveNote(id, note) => {
            state.save_note(id, &note);
            work.edit(Edit::Note { id, note });
        }
        Command::Delete(id) => {
            if let Some(next) = state.delete(id) {
                handle(state, work, Command::Select(next));
            }
            work.edit(Edit::Delete { ids: vec![id] });
            super::drain::read_store_bytes_when_due(state, work);
            let deleted = state.texts().deleted.replace("{id}", &id.to_string());
            state.notify(deleted);
        }
        Command::ClearAll => {
            state.clear();
            work.edit(Edit::Clear);
            state.store_bytes_read = None;
            super::drain::read_store_bytes_when_due(state, work);
        }
        Command::CopyText(text) => {
            work.ctx.copy_text(text);
            let copied = state.texts().copied;
            state.notify(copied);
        }
        Command::CopyApiToken => match crate::api::Token::load(&work.paths.data_dir) {
            Some(token) => handle(state, work, Command::CopyText(token.expose().to_string())),
            None => state.notify(state.texts().api_no_token),
        },
        Command::CopyMcpConfig => {
            let snippet = mcp_config(&work.paths);
            handle(state, work, Command::CopyText(snippet));
        }
        Command::CopyCurl(id) => {
            state.copy_curl_of = Some(id);
            handle(state, work, Command::Select(id));
            copy_curl_when_loaded(state, work);
        }
        Command::Export => files::open_export(state),
        Command::Import => {
            let last = &state.remembered.last_import;
            state.chooser = Some(Chooser::new(Purpose::Import, 0, last));
        }
        Command::Browse(purpose) => files::browse(state, work, purpose),
        Command::CloseChooser => state.chooser = None,
        Command::ExportTo(path) => files::export(state, work, path),
        Command::ImportFrom(path) => files::import(state, work, path),
        Command::SendSample(name) => send_sample(state, work, name),
        Command::Listen(addr) => lifecycle::restart_listener(state, work, addr),
        Command::SetStoreAside => lifecycle::set_store_aside(state, work),
        Command::OpenSettings => {
            state.settings = Some(settings::Draft::new(&state.config));
        }
        Command::CloseSettings => state.settings = None,
        Command::OpenTeamHost => state.team = Some(TeamDraft::new(&state.config)),
        Command::CloseTeamHost => state.team = None,
        Command::Attach { host, token } => team::attach(state, work, &host, &token),
        Command::Detach => team::detach(state, work),
        Command::SaveSettings(config) => {
            lifecycle::save_settings(state, work, *config);
        }
        Command::SetPublicUrl(url) => {
            let mut config = state.config.clone();
            config.tunnel.public_url = url.trim().trim_end_matches('/').to_string();
            state.panels.announce_detect = config.tunnel.public_url.is_empty();
            lifecycle::save_config(state, work, config);
            handle(state, work, Command::Tunnel(TunnelCall::Detect));
        }
        Command::ToggleProviders => state.panels.open = !state.panels.open,
        Command::CloseProviders => state.panels.open = false,
        Command::ShowProvider(tab) => {
            state.panels.open = true;
            state.panels.tab = tab;
            if tab == ProviderTab::Reestr {
                handle(state, work, Command::Reestr(ReestrCall::Confirmation));
            }
        }
        Command::DismissUrlChange => {
            state.panels.url_changed = None;
            state.panels.repointed.clear();
        }
        Command::SaveProviderFields => {
            providers::keep_drafts(state, work);
            let saved = state.texts().settings_saved;
            state.notify(saved);
        }
        Command::Ask(prompt) => state.asking = Some(*prompt),
        Command::Answered(yes) => {
            if let Some(prompt) = state.asking.take().filter(|_| yes) {
                handle(state, work, prompt.then);
            }
        }
        Command::Tunnel(call) => providers::tunnel(state, work, call),
        Command::GreenApi(call) => providers::green_api::call(state, work, call),
        Command::Moysklad(call) => providers::moysklad::call(state, work, call),
        Command::Reestr(call) => providers::reestr::call(state, work, call),
        Command::Kontur(movement) => providers::kontur::call(state, work, movement),
        Command::Forward(call) => forward::handle(state, work, call),
        Command::Responses(call) => responses::handle(state, work, call),
    }
}

/// Everything the detail pane shows of a capture just selected.
fn ask_about(work: &Work, id: i64) {
    work.queries.ask(Query::Capture(id));
    work.queries.ask(Query::Deliveries(id));
    work.queries.ask(Query::Timeline(id));
}

/// The cURL command of the capture waiting for it, once it is loaded.
pub fn copy_curl_when_loaded(state: &mut AppState, work: &mut Work) {
    let Some(capture) = state
        .detail
        .as_ref()
        .filter(|d| Some(d.id) == state.copy_curl_of)
    else {
        return;
    };
    let masked = export::Masker::new(&state.config).capture(capture);
    let command = export::curl::command(&masked, &state.listener_url());
    state.copy_curl_of = None;
    handle(state, work, Command::CopyText(command));
}

/// Sends a built-in sample to the listener, and says what it answered.
fn send_sample(state: &mut AppState, work: &mut Work, name: &'static str) {
    let Some(sample) = crate::samples::find(name) else {
        return;
    };
    // Without a listener of its own, the address would reach whatever else listens there.
    if state.listening.is_none() {
        return state.notify(state.texts().sample_not_listening);
    }
    let config = state.config.clone();
    let base = state.listener_url();
    let t = state.texts();
    work.say_when_done(async move {
        match crate::samples::send(sample, &config, &base).await {
            Ok(sent) => sent
                .iter()
                .map(|s| {
                    t.sample_sent
                        .replace("{name}", name)
                        .replace("{status}", &s.status.to_string())
                        .replace("{id}", &s.capture.map_or("?".into(), |id| id.to_string()))
                })
                .collect::<Vec<_>>()
                .join(" "),
            Err(e) => e.to_string(),
        }
    });
}

/// An `mcpServers` entry that starts this hookscope's MCP server on the same settings and data
/// folder, for an assistant's settings.
fn mcp_config(paths: &crate::config::Paths) -> String {
    let command = std::env::current_exe()
        .map(|exe| exe.display().to_string())
        .unwrap_or_else(|_| "hookscope".into());
    let entry = serde_json::json!({
        "mcpServers": {
            "hookscope": {
                "command": command,
                "args": [
                    "mcp",
                    "--config", paths.config_file.display().to_string(),
                    "--data-dir", paths.data_dir.display().to_string(),
                ],
            }
        }
    });
    serde_json::to_string_pretty(&entry).expect("JSON values always serialize")
}
