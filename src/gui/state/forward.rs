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

/// A capture as the replay editor holds it: text fields, checked as they are typed, beside
/// the capture as it came, so that what is not edited is sent byte for byte.
pub struct ReplayDraft {
    pub capture: Box<Capture>,
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: String,
    pub body: String,
    pub to: String,
    /// The headers and body as first shown, to tell an edit from none.
    shown_headers: String,
    shown_body: String,
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
            capture: Box::new(capture.clone()),
            method: r.method.clone(),
            path: r.path.clone(),
            query: r.query.clone(),
            shown_headers: headers.clone(),
            headers,
            shown_body: body.clone(),
            body,
            to,
        }
    }

    /// The edits, or the line of the headers that is not `Name: value`. Only what was changed
    /// is an edit: an untouched body goes as it came, not as the pretty text shown.
    pub fn edits(&self) -> Result<Edits, usize> {
        let r = &self.capture.request;
        let changed = |now: &str, was: &str| (now != was).then(|| now.to_string());
        let mut edits = Edits {
            method: changed(&self.method, &r.method),
            path: changed(&self.path, &r.path),
            query: changed(&self.query, &r.query),
            body: changed(&self.body, &self.shown_body).map(String::into_bytes),
            ..Edits::default()
        };
        if self.headers != self.shown_headers {
            edits.replace_headers = true;
            edits.headers = self
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
        }
        Ok(edits)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::tests::request;

    #[test]
    fn an_untouched_draft_sends_the_capture_byte_for_byte() {
        let body = r#"{"typeWebhook":"incomingMessageReceived","n":1}"#;
        let incoming = request("/green-api", &[("Content-Type", "application/json")], body);
        let judgement = crate::providers::judge(&incoming, &crate::config::Config::default());
        let capture = Capture::new(incoming, judgement);
        let mut draft = ReplayDraft::of(&capture, "http://127.0.0.1:3000/hooks".into());
        assert_ne!(draft.body, body, "shown pretty-printed");
        assert_eq!(draft.edits(), Ok(Edits::default()));
        draft.body = draft.body.replace("1", "2");
        let edits = draft.edits().unwrap();
        assert!(edits.body.unwrap().ends_with(b"2\n}"));
        assert_eq!(edits.method, None);
    }
}
