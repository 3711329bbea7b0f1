//! The captures of each commit with their event made once, for every follower of the event
//! stream and the long poll: fifty clients cost one serialisation and share its bytes, not
//! fifty copies.
//!
//! The feed is the store's broadcast passed on with each capture's `capture` event (its JSON,
//! secrets masked) beside it; the unmasked one is made when a follower first asks for it. It never waits for a follower: one that falls behind is told it missed some
//! ([`Published::Missed`]) and reads them from the store, as does every follower when the
//! feed itself fell behind the store.

use std::sync::{Arc, OnceLock};

use axum::body::Bytes;
use tokio::sync::{broadcast, watch};

use crate::capture::Capture;
use crate::config::Config;
use crate::export::Masker;
use crate::store::Store;

/// Commits held for followers that are behind; past this they read the store instead.
const HELD: usize = 1024;

/// What the feed passes on.
#[derive(Clone)]
pub enum Published {
    Commit(Arc<Commit>),
    /// The feed fell behind the store: what it missed is in the store.
    Missed,
}

/// One commit's captures, and each one's event.
pub struct Commit {
    pub captures: Arc<[Capture]>,
    pub events: Vec<CaptureEvent>,
}

#[derive(Clone)]
pub struct CaptureFeed {
    sender: broadcast::Sender<Published>,
}

impl CaptureFeed {
    /// Passes on the store's commits until the store closes.
    pub fn start(store: &Store, config: watch::Receiver<Arc<Config>>) -> CaptureFeed {
        let (sender, _) = broadcast::channel(HELD);
        let mut commits = store.subscribe();
        let feed = CaptureFeed {
            sender: sender.clone(),
        };
        tokio::spawn(async move {
            let mut config = config;
            let mut masker = Masker::new(&config.borrow_and_update());
            loop {
                let published = match commits.recv().await {
                    // Nobody follows: nothing to make.
                    Ok(_) if sender.receiver_count() == 0 => continue,
                    Ok(captures) => {
                        if config.has_changed().unwrap_or(false) {
                            masker = Masker::new(&config.borrow_and_update());
                        }
                        let events = captures
                            .iter()
                            .map(|c| CaptureEvent::new(&masker, c))
                            .collect();
                        Published::Commit(Arc::new(Commit { captures, events }))
                    }
                    Err(broadcast::error::RecvError::Lagged(_)) => Published::Missed,
                    Err(broadcast::error::RecvError::Closed) => return,
                };
                let _ = sender.send(published);
            }
        });
        feed
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Published> {
        self.sender.subscribe()
    }
}

/// A capture's Server-Sent Event, `id: ID\nevent: capture\ndata: JSON\n\n`, made once and shared
/// by every follower: the masked one at once, the unmasked one when first asked for.
pub struct CaptureEvent {
    masked: Bytes,
    unmasked: OnceLock<Bytes>,
    /// The masked one when the settings hold no secret to mask.
    nothing_masked: bool,
}

impl CaptureEvent {
    fn new(masker: &Masker, capture: &Capture) -> CaptureEvent {
        CaptureEvent {
            masked: event(capture.id, &shown(masker, capture)),
            unmasked: OnceLock::new(),
            nothing_masked: masker.is_empty(),
        }
    }

    /// The whole event, ready to write.
    pub fn event(&self, capture: &Capture, unmasked: bool) -> Bytes {
        match unmasked && !self.nothing_masked {
            true => self
                .unmasked
                .get_or_init(|| event(capture.id, &capture.to_json()))
                .clone(),
            false => self.masked.clone(),
        }
    }

    /// Only its capture JSON, sharing the event's bytes.
    pub fn json(&self, capture: &Capture, unmasked: bool) -> Bytes {
        let event = self.event(capture, unmasked);
        let start = event.iter().position(|&b| b == b'{').unwrap_or(0);
        event.slice(start..event.len() - 2)
    }
}

/// `capture`'s Server-Sent Event. Compact JSON holds no line break, so it is one `data:` line.
pub fn event(id: i64, capture: &serde_json::Value) -> Bytes {
    let mut event = format!("id: {id}\nevent: capture\ndata: ").into_bytes();
    serde_json::to_writer(&mut event, capture).expect("JSON is written to memory");
    event.extend_from_slice(b"\n\n");
    Bytes::from(event)
}

/// A capture as the API shows it: its JSON with the secrets of `masker` masked (an empty
/// masker for a request that asked for them unmasked).
pub fn shown(masker: &Masker, capture: &Capture) -> serde_json::Value {
    match masker.is_empty() {
        true => capture.to_json(),
        false => masker.capture(capture).to_json(),
    }
}
