//! Everything the views can ask for, as plain data: a view pushes a [`Command`] while it
//! draws, and `app` handles it after the frame. The provider panels' and forwarding's calls
//! are their own enums, one family each. With `state/` this is the model: a prompt in the
//! state holds the command it runs, and a command carries a state value (a file window's
//! purpose, a remembered look), so the two import each other on purpose.

use std::net::SocketAddr;
use std::path::PathBuf;

use super::state::files::Purpose;
use super::state::prompt::Prompt;
use super::state::TimeShown;
use crate::capture::{Capture, Provider};
use crate::config::{Config, ForwardRule, ResponseRule};
use crate::forward::replay::Edits;
use crate::providers::green_api::api::Notification;
use crate::providers::moysklad::api::{NewWebhook, Webhook};
use crate::store::Decision;

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
    SaveSettings(Box<Config>),
    OpenTeamHost,
    CloseTeamHost,
    /// Mirrors the team host whose API is at `host` into this window.
    Attach {
        host: String,
        token: String,
    },
    Detach,
    SetPublicUrl(String),
    ToggleProviders,
    CloseProviders,
    /// Opens the Providers window on a provider's tab.
    ShowProvider(ProviderTab),
    /// Hides the banner about a changed public URL.
    DismissUrlChange,
    /// Keeps what was typed in the provider panels.
    SaveProviderFields,
    /// Asks before a change to something outside the app (a provider's registration).
    Ask(Box<Prompt>),
    /// The prompt was answered.
    Answered(bool),
    Tunnel(TunnelCall),
    GreenApi(GreenApiCall),
    Moysklad(MoyskladCall),
    Reestr(ReestrCall),
    Kontur(KonturMove),
    Forward(ForwardCall),
    Responses(ResponsesCall),
}

impl Command {
    /// "Load object" / "Load order" for a capture, when its provider has something to load.
    pub fn load(capture: &Capture, config: &Config) -> Option<Command> {
        match capture.judgement.provider {
            Provider::Moysklad if config.moysklad.token.is_set() => {
                let hrefs = crate::providers::moysklad::hrefs(&capture.request.body);
                (!hrefs.is_empty()).then_some(Command::Moysklad(MoyskladCall::Load {
                    capture: capture.id,
                    hrefs,
                }))
            }
            Provider::Reestr if config.reestr.access_token.is_set() => {
                crate::providers::reestr::order_id(capture).map(|order| {
                    Command::Reestr(ReestrCall::Order {
                        capture: capture.id,
                        order,
                    })
                })
            }
            _ => None,
        }
    }
}

/// The Providers window's tabs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ProviderTab {
    #[default]
    GreenApi,
    Moysklad,
    Reestr,
    Kontur,
}

/// Finding the public URL, and moving providers to a new one.
#[derive(Clone, Debug)]
pub enum TunnelCall {
    Detect,
    Repoint {
        old: String,
        new: String,
    },
    /// Starts a quick tunnel to the listener with this program; it stops with the app.
    Start(crate::tunnel::quick::Program),
    Stop,
}

#[derive(Clone, Debug)]
pub enum GreenApiCall {
    /// Read the instance's current settings.
    Settings,
    /// Point its webhooks at `url`, with these notifications on.
    Connect {
        url: String,
        notifications: Vec<Notification>,
    },
    Disconnect,
}

#[derive(Clone, Debug)]
pub enum MoyskladCall {
    /// A token for a login and password.
    Login {
        login: String,
        password: String,
    },
    List,
    Create(NewWebhook),
    Enable(Box<Webhook>, bool),
    /// Moves a webhook to a new URL.
    Repoint(Box<Webhook>, String),
    Delete(Box<Webhook>),
    /// Read each event's object of a capture.
    Load {
        capture: i64,
        hrefs: Vec<String>,
    },
}

#[derive(Clone, Debug)]
pub enum ReestrCall {
    /// The order a capture names, from Reestr's API.
    Order { capture: i64, order: String },
    /// Find what the newest `confirm` capture means.
    Confirmation,
}

/// A move in the Rosreestr events feed (Kontur.Reestro).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KonturMove {
    Start,
    Next,
    Back,
    Reload,
    /// Append what came after the newest event shown.
    Follow,
}

#[derive(Clone, Debug)]
pub enum ForwardCall {
    Decide(i64, Decision),
    Replay {
        capture: i64,
        to: String,
        edits: Box<Edits>,
    },
    /// Opens the editor on the capture in the detail pane.
    EditReplay,
    OpenSequence,
    CloseSequence,
    /// Replays the captures the table shows, oldest first; with a speed, keeping their gaps.
    ReplayShown {
        to: String,
        speed: Option<f64>,
    },
    /// Stops the replay of what the table showed.
    StopReplay,
    CloseEditor,
    OpenRules,
    CloseRules,
    SaveRules(Vec<ForwardRule>),
    /// Switches saved rule N on or off at once, when it is the rule shown (with its new
    /// switch): one edited, added or moved in the window waits for Apply.
    ToggleRule(usize, Box<ForwardRule>),
}

#[derive(Clone, Debug)]
pub enum ResponsesCall {
    Open,
    Close,
    Save(Vec<ResponseRule>),
    /// Switches saved rule N on or off at once, when it is the rule shown (with its new
    /// switch): one edited, added or moved in the window waits for Apply.
    Toggle(usize, Box<ResponseRule>),
}
