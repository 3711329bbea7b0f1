//! The desktop app: a face over the engine. The UI thread only reads: the listener captures on
//! its own tasks, store reads run on a worker, and both wake the window with `request_repaint`.
//!
//! By role: `state` is what the window shows (views read it), `command` is what views ask
//! for and how each request changes the state, `logic` holds the engine and the channels and
//! runs the frame. Views (`top_bar`, `table`, `detail`, `settings`, `files`, `ask`, `panels`)
//! draw the state and push commands; they never change it while drawing, beyond the text
//! being typed into their own fields.

mod ask;
mod body;
mod command;
mod detail;
mod files;
mod forward;
mod list;
mod logic;
mod panels;
mod queries;
mod responses;
mod settings;
mod state;
mod table;
pub mod texts;
mod theme;
mod timeline;
mod top_bar;

use std::sync::OnceLock;

use time::UtcOffset;

use crate::config::{Config, Paths};
use crate::engine::Engine;
pub use logic::App;
pub use state::{Remembered, ThemeChoice};
pub use texts::Language;

/// The local offset from UTC, read before any thread starts (see [`read_local_offset`]).
static LOCAL_OFFSET: OnceLock<UtcOffset> = OnceLock::new();

/// Reads the local offset from UTC for the time column. Call first thing in `main`: the `time`
/// crate reads it only while the process has a single thread; later it falls back to UTC.
pub fn read_local_offset() {
    LOCAL_OFFSET.get_or_init(|| UtcOffset::current_local_offset().unwrap_or(UtcOffset::UTC));
}

/// Opens the window and blocks until it closes; the listener stops with it.
pub fn run(config: Config, paths: Paths, runtime: tokio::runtime::Runtime) -> anyhow::Result<()> {
    let engine = runtime.block_on(Engine::start(config.clone(), &paths.store_file()));
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("hookscope")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([640.0, 400.0]),
        ..Default::default()
    };
    let handle = runtime.handle().clone();
    eframe::run_native(
        "hookscope",
        options,
        Box::new(move |cc| Ok(Box::new(App::new(cc, engine, config, paths, handle)))),
    )
    .map_err(|e| {
        anyhow::anyhow!(
            "The window could not open ({e}). Without a display, run `hookscope serve`."
        )
    })
}
