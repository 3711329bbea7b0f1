//! What the Providers window holds: which tab is open, the fields being typed (saved to the
//! settings file on each call or Save), the public URL found, and each panel's last answers.

use std::collections::HashSet;

use serde_json::Value;

use super::Remembered;
use crate::capture::Provider;
use crate::config::Config;
use crate::gui::command::ProviderTab;
use crate::http::ApiError;
use crate::providers::green_api::api::Notification;
use crate::providers::moysklad::api::{NewWebhook, Webhook};
use crate::providers::reestr::Confirmation;
use crate::repoint::Repointing;
use crate::tunnel::Found;

pub mod kontur;

/// The secret fields of the panels, each shown as dots until its Show box is ticked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SecretField {
    GreenToken,
    GreenWebhookToken,
    SkladToken,
    ReestrSecret,
    ReestrAccessToken,
    KonturKey,
}

/// The Providers window.
pub struct Panels {
    pub open: bool,
    pub tab: ProviderTab,
    /// The panels' fields, saved to the settings file on each call or Save.
    pub draft: Config,
    pub revealed: HashSet<SecretField>,
    /// Calls still running, by panel, for spinners.
    pub busy: HashSet<ProviderTab>,
    /// The public URL: typed (settings) or detected.
    pub tunnel: Option<Found>,
    /// Why no tunnel was found: what was asked and what each answered.
    pub tunnel_missing: Option<String>,
    /// The user asked to detect: say the outcome in the status line.
    pub announce_detect: bool,
    /// A look for the tunnel the user asked for is under way.
    pub detecting: bool,
    /// A quick tunnel is being started with this program.
    pub starting: Option<crate::tunnel::quick::Program>,
    /// `(old, new)` when a detected URL replaced the one providers were registered with.
    pub url_changed: Option<(String, String)>,
    pub repointed: Vec<Repointing>,
    /// Objects or orders loaded for a capture, shown in its overview.
    pub loaded: Option<(i64, Result<Vec<Value>, ApiError>)>,
    pub green: GreenApiPanel,
    pub sklad: MoyskladPanel,
    pub reestr: ReestrPanel,
    pub events: kontur::EventsPanel,
}

impl Panels {
    pub fn new(config: &Config, remembered: &Remembered) -> Panels {
        Panels {
            open: false,
            tab: ProviderTab::default(),
            draft: config.clone(),
            revealed: HashSet::new(),
            busy: HashSet::new(),
            tunnel: None,
            tunnel_missing: None,
            announce_detect: false,
            detecting: false,
            starting: None,
            url_changed: None,
            repointed: Vec::new(),
            loaded: None,
            green: GreenApiPanel::default(),
            sklad: MoyskladPanel::default(),
            reestr: ReestrPanel::default(),
            events: kontur::EventsPanel::new(
                remembered.events_after.clone(),
                remembered.events_count,
            ),
        }
    }

    /// The URL to give `provider`, if there is a public URL.
    pub fn webhook_url(&self, provider: Provider) -> Option<String> {
        self.tunnel
            .as_ref()
            .map(|found| provider.webhook_url(&found.url))
    }

    /// Where the Rosreestr events feed stands, to remember across restarts.
    pub fn events_cursor(&self) -> Option<String> {
        self.events.after.clone()
    }

    pub fn events_count(&self) -> u8 {
        self.events.count
    }
}

/// The GREEN-API panel.
pub struct GreenApiPanel {
    /// The notifications Connect turns on.
    pub notifications: Vec<Notification>,
    pub settings: Option<Vec<(String, String)>>,
    /// Whether the settings were asked for since the app started; the first look does.
    pub asked: bool,
    pub outcome: Option<Result<String, ApiError>>,
}

impl Default for GreenApiPanel {
    fn default() -> Self {
        GreenApiPanel {
            notifications: Notification::defaults(),
            settings: None,
            asked: false,
            outcome: None,
        }
    }
}

/// The MoySklad panel.
#[derive(Default)]
pub struct MoyskladPanel {
    pub login: String,
    pub password: String,
    pub webhooks: Option<Vec<Webhook>>,
    /// Whether the list was asked for since the app started; the first look at the panel does.
    pub asked: bool,
    /// The create form.
    pub new: NewWebhook,
    pub outcome: Option<Result<String, ApiError>>,
}

/// The Reestr panel.
#[derive(Default)]
pub struct ReestrPanel {
    /// When the newest `confirm` arrived ("2026-11-25 08:05:44 UTC"), and what it meant.
    pub confirmation: Option<(String, Confirmation)>,
}
