//! Everything the views can ask for, and its handling after the frame's drawing: a change of
//! [`AppState`](super::state::AppState), and where needed work on the runtime (store edits,
//! files, provider calls) whose outcome comes back through `logic`.

use std::net::SocketAddr;
use std::path::PathBuf;

use super::ask::Question;
use super::files::{self, Purpose};
use super::logic::App;
use super::panels::{self, green_api, kontur, moysklad, reestr, Tab, TunnelCall};
use super::queries::Question as Ask;
use super::settings;
use super::state::Remembered;
use super::table::TimeShown;
use super::{forward, responses};
use crate::config::Config;
use crate::export;
use crate::store::Edit;

#[derive(Clone, Debug)]
pub enum Command {
    Select(i64),
    MoveSelection(isize),
    SetFilter(String),
    SetFollow(bool),
    SetTimeShown(TimeShown),
    Pin(i64, bool),
    EditNote(i64),
    SaveNote(i64, String),
    Delete(i64),
    ClearAll,
    CopyText(String),
    /// Copies a cURL command that replays the capture against the listener.
    CopyCurl(i64),
    /// Opens the export window (or says why not).
    Export,
    /// Opens the import window.
    Import,
    /// Asks the system's file chooser for the open window.
    Browse(Purpose),
    CloseChooser,
    ExportTo(PathBuf),
    ImportFrom(PathBuf),
    /// Posts a built-in sample (by name) to the listener.
    SendSample(&'static str),
    Listen(SocketAddr),
    SetStoreAside,
    OpenSettings,
    CloseSettings,
    /// The API's token, from the data folder, to the clipboard.
    CopyApiToken,
    /// What to paste into an MCP client's settings to give it `hookscope mcp`.
    CopyMcpConfig,
    SaveSettings(Box<Config>, Remembered),
    SetPublicUrl(String),
    ToggleProviders,
    CloseProviders,
    /// Opens the Providers window on a provider's tab.
    ShowProvider(Tab),
    /// Hides the banner about a changed public URL.
    DismissUrlChange,
    /// Keeps what was typed in the provider panels.
    SaveProviderFields,
    /// Asks before a change to something outside the app (a provider's registration).
    Ask(Box<Question>),
    /// The question was answered.
    Answered(bool),
    Tunnel(TunnelCall),
    GreenApi(green_api::Call),
    Moysklad(moysklad::Call),
    Reestr(reestr::Call),
    Kontur(kontur::Move),
    Forward(forward::Call),
    Responses(responses::Call),
}

impl App {
    /// Everything the detail pane shows of a capture just selected.
    fn ask_about(&self, id: i64) {
        self.queries.ask(Ask::Capture(id));
        self.queries.ask(Ask::Deliveries(id));
        self.queries.ask(Ask::Timeline(id));
    }

    pub(super) fn handle(&mut self, command: Command) {
        let state = &mut self.state;
        match command {
            Command::Select(id) => {
                if state.select(id) {
                    self.ask_about(id);
                }
            }
            Command::MoveSelection(step) => {
                if let Some(id) = state.move_selection(step) {
                    self.ask_about(id);
                }
            }
            Command::SetFilter(text) => {
                if let Some(ask) = state.set_filter(text) {
                    self.queries.ask(ask);
                }
            }
            Command::SetFollow(follow) => state.set_follow(follow),
            Command::SetTimeShown(shown) => state.remembered.time_shown = shown,
            Command::Pin(id, pinned) => {
                state.pin(id, pinned);
                self.edit(Edit::Pin { id, pinned });
            }
            Command::EditNote(id) => state.edit_note(id),
            Command::SaveNote(id, note) => {
                state.save_note(id, &note);
                self.edit(Edit::Note { id, note });
            }
            Command::Delete(id) => {
                if let Some(next) = state.delete(id) {
                    self.handle(Command::Select(next));
                }
                self.edit(Edit::Delete { ids: vec![id] });
            }
            Command::ClearAll => {
                state.clear();
                self.edit(Edit::Clear);
            }
            Command::CopyText(text) => {
                self.ctx.copy_text(text);
                let copied = state.texts().copied;
                state.notify(copied);
            }
            Command::CopyApiToken => match crate::api::Token::load(&self.paths.data_dir) {
                Some(token) => self.handle(Command::CopyText(token.expose().to_string())),
                None => state.notify(state.texts().api_no_token),
            },
            Command::CopyMcpConfig => {
                let snippet = mcp_config(&self.paths);
                self.handle(Command::CopyText(snippet));
            }
            Command::CopyCurl(id) => {
                state.copy_curl_of = Some(id);
                self.handle(Command::Select(id));
                self.copy_curl_when_loaded();
            }
            Command::Export => self.open_export(),
            Command::Import => state.chooser = Some(files::Chooser::new(Purpose::Import, 0)),
            Command::Browse(purpose) => self.browse(purpose),
            Command::CloseChooser => state.chooser = None,
            Command::ExportTo(path) => self.export(path),
            Command::ImportFrom(path) => self.import(path),
            Command::SendSample(name) => self.send_sample(name),
            Command::Listen(addr) => self.restart_listener(addr),
            Command::SetStoreAside => self.set_store_aside(),
            Command::OpenSettings => {
                state.settings = Some(settings::Draft::new(&state.config, &state.remembered));
            }
            Command::CloseSettings => state.settings = None,
            Command::SaveSettings(config, remembered) => self.save_settings(*config, remembered),
            Command::SetPublicUrl(url) => {
                let mut config = state.config.clone();
                config.tunnel.public_url = url.trim().trim_end_matches('/').to_string();
                state.panels.announce_detect = config.tunnel.public_url.is_empty();
                self.save_config(config);
                self.handle(Command::Tunnel(TunnelCall::Detect));
            }
            Command::ToggleProviders => state.panels.open = !state.panels.open,
            Command::CloseProviders => state.panels.open = false,
            Command::ShowProvider(tab) => {
                state.panels.open = true;
                state.panels.tab = tab;
                if tab == Tab::Reestr {
                    self.handle(Command::Reestr(reestr::Call::Confirmation));
                }
            }
            Command::DismissUrlChange => {
                state.panels.url_changed = None;
                state.panels.repointed.clear();
            }
            Command::SaveProviderFields => {
                self.keep_drafts();
                let saved = self.state.texts().settings_saved;
                self.state.notify(saved);
            }
            Command::Ask(question) => state.asking = Some(*question),
            Command::Answered(yes) => {
                if let Some(question) = state.asking.take().filter(|_| yes) {
                    self.handle(question.then);
                }
            }
            Command::Tunnel(call) => panels::call(self, call),
            Command::GreenApi(call) => green_api::call(self, call),
            Command::Moysklad(call) => moysklad::call(self, call),
            Command::Reestr(call) => reestr::call(self, call),
            Command::Kontur(movement) => kontur::call(self, movement),
            Command::Forward(call) => self.forward(call),
            Command::Responses(call) => self.responses(call),
        }
    }

    /// The cURL command of the capture waiting for it, once it is loaded.
    pub(super) fn copy_curl_when_loaded(&mut self) {
        let state = &mut self.state;
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
        self.handle(Command::CopyText(command));
    }
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
