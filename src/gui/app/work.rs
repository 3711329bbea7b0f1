//! What the handlers reach beyond the window's state: the engine while it listens, the
//! store-read worker, the runtime, and the channels on which background work reports back to
//! the next frame. A handler takes `&mut AppState` and `&mut Work`, never the whole app, so it
//! runs in a test without a window.

use std::future::Future;
use std::path::PathBuf;
use std::sync::{mpsc, Arc};

use tokio::sync::broadcast;

use super::files::Filed;
use super::providers::Done;
use crate::capture::Capture;
use crate::config::{Paths, TunnelConfig};
use crate::engine::{Engine, EngineError};
use crate::gui::queries::Queries;
use crate::store::{Change, Edit};

/// The outcome of (re)starting the listener from the app.
pub type Restarted = Result<Engine, EngineError>;

/// A channel's two ends, kept together: background work sends, the frame drains.
type Channel<T> = (mpsc::Sender<T>, mpsc::Receiver<T>);

pub struct Work {
    pub runtime: tokio::runtime::Handle,
    pub paths: Paths,
    pub engine: Option<Engine>,
    pub queries: Queries,
    pub ctx: egui::Context,
    /// Captures committed by the engine listened to.
    pub(super) arrivals: Option<broadcast::Receiver<Arc<[Capture]>>>,
    /// Answers passed through and delivery attempts, as they are committed.
    pub(super) changes: Option<broadcast::Receiver<Change>>,
    /// Pass-through requests answered by hookscope because their queue was busy.
    pub(super) fell_back: Option<tokio::sync::watch::Receiver<crate::forward::FellBack>>,
    /// How mirroring the team host stands, while attached.
    pub(super) attached: Option<tokio::sync::watch::Receiver<crate::attach::Attached>>,
    pub(super) restarts: Channel<Restarted>,
    /// Messages from background work (export, import, samples) for the notice line.
    pub(super) notices: Channel<String>,
    /// Exports and imports that ended.
    pub(super) filed: Channel<Filed>,
    /// What the system file chooser gave.
    pub(super) picks: Channel<Option<PathBuf>>,
    /// Provider calls that finished.
    pub(super) done: Channel<Done>,
    /// How the replay of what the table showed goes, and the handle that stops it.
    pub(super) replayed: Channel<Replayed>,
    pub(super) replay: Option<tokio::task::AbortHandle>,
    /// The quick tunnel the app started, while it runs: dropping it stops the program.
    pub(super) quick_tunnel: Option<crate::tunnel::quick::Running>,
    /// Where the tunnel watcher looks: the tunnel settings and the listener's port.
    pub(super) tunnel_watch: Option<tokio::sync::watch::Sender<(TunnelConfig, u16)>>,
}

/// News of the replay of what the table showed.
pub enum Replayed {
    /// The captures were read; the gaps between them take this long.
    Started { takes: std::time::Duration },
    /// One more was sent; whether it got a 2xx.
    One { ok: bool },
    /// All were sent (or the run failed): what to say.
    Finished(String),
}

impl Work {
    pub fn new(runtime: tokio::runtime::Handle, paths: Paths, ctx: egui::Context) -> Work {
        Work {
            queries: Queries::start(paths.store_file(), ctx.clone()),
            runtime,
            paths,
            engine: None,
            ctx,
            arrivals: None,
            changes: None,
            fell_back: None,
            attached: None,
            restarts: mpsc::channel(),
            notices: mpsc::channel(),
            filed: mpsc::channel(),
            picks: mpsc::channel(),
            done: mpsc::channel(),
            replayed: mpsc::channel(),
            replay: None,
            quick_tunnel: None,
            tunnel_watch: None,
        }
    }

    /// Commits a change made in the app (a pin, a note, a deletion) off the UI thread.
    pub fn edit(&self, edit: Edit) {
        if let Some(engine) = &self.engine {
            let store = engine.store().clone();
            self.runtime.spawn(async move { store.edit(edit).await });
        }
    }

    /// Runs `work` on the runtime and says its outcome in the notice line.
    pub fn say_when_done(&self, work: impl Future<Output = String> + Send + 'static) {
        self.report(&self.notices.0, work);
    }

    /// Runs a provider call on the runtime; what it brought back is applied in a later frame.
    pub fn call(&self, work: impl Future<Output = Done> + Send + 'static) {
        self.report(&self.done.0, work);
    }

    /// Runs `work` and sends its outcome back, waking the window for it.
    pub(super) fn report<T: Send + 'static>(
        &self,
        to: &mpsc::Sender<T>,
        work: impl Future<Output = T> + Send + 'static,
    ) {
        let to = to.clone();
        let ctx = self.ctx.clone();
        self.runtime.spawn(async move {
            let _ = to.send(work.await);
            ctx.request_repaint();
        });
    }

    /// The engine, no longer listened to.
    pub(super) fn take_engine(&mut self) -> Option<Engine> {
        self.arrivals = None;
        self.changes = None;
        self.fell_back = None;
        self.attached = None;
        self.engine.take()
    }
}
