//! The desktop app: a face over the engine. The UI thread only reads: the listener captures on
//! its own tasks, store reads run on a worker, and both wake the window with `request_repaint`.
//!
//! Three roles, three places:
//! - **what it holds**: `state/` (the model, one module a screen) and `command` (what the
//!   views can ask for), plain data importing no view and no handler;
//! - **what a screen shows**: `views/`, which read the state and push commands;
//! - **what a button does**: `app/`, the eframe app and every handler, which change the state
//!   and run work on the engine and the runtime.
//!
//! Beside them: `queries` reads the store on its own thread, and `texts` holds every label and
//! the Russian renderings of the library's errors.

mod app;
mod command;
mod queries;
mod state;
pub mod texts;
mod views;

use std::sync::OnceLock;

use time::UtcOffset;

use crate::config::{Config, Paths};
use crate::engine::Engine;
pub use app::App;
pub use state::Remembered;
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
        // The window's own state (size, columns, filter) beside the store it shows, so two
        // instances with their own data folders do not share it. eframe takes a file here,
        // whatever its documentation says.
        persistence_path: Some(paths.data_dir.join("app.ron")),
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
