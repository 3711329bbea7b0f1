//! The captures of each commit with their capture JSON made once, for every follower of the
//! event stream and the long poll: fifty clients cost one serialisation, not fifty.
//!
//! The feed is the store's broadcast passed on with the JSON (secrets masked) beside each
//! capture. It never waits for a follower: one that falls behind is told it missed some
//! ([`Published::Missed`]) and reads them from the store, as does every follower when the
//! feed itself fell behind the store.

use std::sync::Arc;

use tokio::sync::{broadcast, watch};

use crate::capture::Capture;
use crate::config::Config;
use crate::export::Masker;
use crate::store::Store;

/// Commits held for followers that are behind; past this they read the store instead.
const HELD: usize = 1024;

/// What the feed passes on.
pub enum Published {
    /// One commit's captures, and each one's capture JSON with the secrets masked.
    Captures {
        captures: Arc<[Capture]>,
        shown: Vec<String>,
    },
    /// The feed fell behind the store: what it missed is in the store.
    Missed,
}

#[derive(Clone)]
pub struct CaptureFeed {
    sender: broadcast::Sender<Arc<Published>>,
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
                        let shown = captures
                            .iter()
                            .map(|c| shown(&masker, c).to_string())
                            .collect();
                        Published::Captures { captures, shown }
                    }
                    Err(broadcast::error::RecvError::Lagged(_)) => Published::Missed,
                    Err(broadcast::error::RecvError::Closed) => return,
                };
                let _ = sender.send(Arc::new(published));
            }
        });
        feed
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Published>> {
        self.sender.subscribe()
    }
}

/// A capture as the API shows it: its JSON with the secrets of `masker` masked (an empty
/// masker for a request that asked for them unmasked).
pub fn shown(masker: &Masker, capture: &Capture) -> serde_json::Value {
    match masker.is_empty() {
        true => capture.to_json(),
        false => masker.capture(capture).to_json(),
    }
}
