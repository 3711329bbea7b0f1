//! What the app holds of forwarding: the selected capture's deliveries, the targets' states,
//! and the replay editor, the replay-in-sequence window and the forward rules window while
//! they are open.

use std::time::{Duration, Instant};

use super::AppState;
use crate::capture::Capture;
use crate::config::ForwardRule;
use crate::forward::replay::Edits;
use crate::store::{Delivery, TargetState};

#[derive(Default)]
pub struct ForwardState {
    /// The selected capture's deliveries, oldest first.
    pub deliveries: Option<(i64, Vec<Delivery>)>,
    pub targets: Vec<TargetState>,
    /// Where the Replay button sends; empty until the user types one (the first rule's
    /// target, else the listener, is used).
    pub replay_to: String,
    pub editor: Option<ReplayDraft>,
    /// The forward rules window, while open.
    pub rules: Option<Vec<ForwardRule>>,
    /// The replay-in-sequence window, while open.
    pub sequence: Option<SequenceDraft>,
    /// A replay of what the table showed, while it runs.
    pub run: Option<ReplayRun>,
    /// The targets changed since they were last read, and when that was: they are read at
    /// most once a second, however fast deliveries go.
    pub targets_stale: bool,
    pub targets_read: Option<Instant>,
}

/// A replay of what the table showed, as it goes.
pub struct ReplayRun {
    pub sent: usize,
    pub failed: usize,
    pub total: usize,
    pub started: Instant,
    /// How long the whole run takes at its speed, from `started`.
    pub takes: Duration,
}

impl ReplayRun {
    /// How long is left, by the captures' own gaps.
    pub fn left(&self) -> Duration {
        self.takes.saturating_sub(self.started.elapsed())
    }
}

/// How the captures the table shows are to be replayed.
pub struct SequenceDraft {
    pub to: String,
    pub keep_gaps: bool,
    pub speed: f64,
}

/// A capture as the replay editor holds it: text fields, checked as they are typed.
pub struct ReplayDraft {
    pub capture: i64,
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: String,
    pub body: String,
    pub to: String,
}

impl ReplayDraft {
    pub fn of(capture: &Capture, to: String) -> ReplayDraft {
        let r = &capture.request;
        let headers = r
            .headers
            .iter()
            .filter(|(n, _)| !n.eq_ignore_ascii_case("content-length"))
            .map(|(n, v)| format!("{n}: {}", v.text()))
            .collect::<Vec<_>>()
            .join("\n");
        // JSON is easier to edit pretty-printed; anything else is shown as it came.
        let body = serde_json::from_slice::<serde_json::Value>(&r.body)
            .ok()
            .and_then(|v| serde_json::to_string_pretty(&v).ok())
            .unwrap_or_else(|| String::from_utf8_lossy(&r.body).into_owned());
        ReplayDraft {
            capture: capture.id,
            method: r.method.clone(),
            path: r.path.clone(),
            query: r.query.clone(),
            headers,
            body,
            to,
        }
    }

    /// The edits, or the line of the headers that is not `Name: value`.
    pub fn edits(&self) -> Result<Edits, usize> {
        let headers = self
            .headers
            .lines()
            .enumerate()
            .filter(|(_, line)| !line.trim().is_empty())
            .map(|(n, line)| match line.split_once(':') {
                Some((name, value)) if !name.trim().is_empty() => {
                    Ok((name.trim().to_string(), value.trim().to_string()))
                }
                _ => Err(n + 1),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Edits {
            method: Some(self.method.clone()),
            path: Some(self.path.clone()),
            query: Some(self.query.clone()),
            headers,
            replace_headers: true,
            body: Some(self.body.clone().into_bytes()),
        })
    }
}

impl AppState {
    /// Where Replay sends by default: what was typed, else the first forward rule's target,
    /// else the listener.
    pub fn replay_target(&self) -> String {
        if !self.forward.replay_to.trim().is_empty() {
            return self.forward.replay_to.clone();
        }
        self.config
            .forward
            .first()
            .map(|r| r.target.clone())
            .unwrap_or_else(|| self.listener_url())
    }
}
