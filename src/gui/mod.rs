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

/// The app's id: the window's class on X11 and its app id on Wayland, which desktops match to
/// `hookscope.desktop` (its `StartupWMClass`) for the icon and the dock.
pub const APP_ID: &str = "hookscope";

/// The window's icon (`assets/icon/hookscope.svg`, drawn at 256 px).
const ICON: &[u8] = include_bytes!("../../assets/icon/hookscope-256.png");

/// Opens the window and blocks until it closes; the listener stops with it.
pub fn run(config: Config, paths: Paths, runtime: tokio::runtime::Runtime) -> anyhow::Result<()> {
    let engine = runtime.block_on(Engine::start(config.clone(), &paths.store_file()));
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("hookscope")
            .with_app_id(APP_ID)
            .with_icon(eframe::icon_data::from_png_bytes(ICON).expect("the icon is a PNG"))
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The icon the window shows, and the desktop file that names the same app id, so that a
    /// dock shows one icon for the window and its launcher.
    #[test]
    fn the_window_and_its_desktop_file_are_one_app() {
        let icon = eframe::icon_data::from_png_bytes(ICON).unwrap();
        assert_eq!((icon.width, icon.height), (256, 256));
        let desktop = include_str!("../../assets/hookscope.desktop");
        for line in [
            format!("StartupWMClass={APP_ID}"),
            format!("Icon={APP_ID}"),
            "Exec=hookscope".to_string(),
            "Categories=Development;Network;".to_string(),
        ] {
            assert!(desktop.lines().any(|l| l == line), "{line} missing");
        }
        let metainfo = include_str!("../../assets/hookscope.metainfo.xml");
        assert!(metainfo.contains(&format!("<id>{APP_ID}</id>")));
        assert!(metainfo.contains(&format!("desktop-id\">{APP_ID}.desktop<")));
    }
}
