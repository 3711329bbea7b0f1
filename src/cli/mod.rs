//! The CLI: what each command does, one file per command group. Errors come back as
//! sentences for `fail` to print.

pub mod api;
pub mod attach;
pub mod captures;
pub mod forward;
pub mod green_api;
pub mod kontur;
pub mod mcp;
pub mod moysklad;
mod printer;
pub mod reestr;
pub mod samples;
pub mod secrets;
pub mod serve;
pub mod store;
pub mod tunnel;
pub mod wait;

use std::fmt::Display;
use std::process::ExitCode;

use anyhow::Context as _;
use hookscope::config::{Config, Paths};

pub fn fail(error: impl Display) -> ExitCode {
    // Errors list a provider's field errors one per line; each line is shown safely.
    let error = error.to_string();
    let lines: Vec<_> = error.lines().map(shown).collect();
    eprintln!("hookscope: {}", lines.join("\n"));
    ExitCode::FAILURE
}

/// Text from a webhook or a provider, made safe to print for a person: control characters
/// (ESC, BEL, CR, …) and the direction overrides that reorder a line are shown as escapes
/// instead of acting on the terminal. `--json` output is not passed through this: JSON
/// escapes them itself, and stays faithful.
pub(crate) fn shown(text: &str) -> std::borrow::Cow<'_, str> {
    let acts =
        |c: char| c.is_control() || matches!(c, '\u{2028}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if !text.chars().any(acts) {
        return text.into();
    }
    text.chars()
        .map(|c| match c {
            c if acts(c) => c.escape_unicode().to_string(),
            c => c.to_string(),
        })
        .collect::<String>()
        .into()
}

pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")
}

fn config(paths: &Paths) -> anyhow::Result<Config> {
    Ok(Config::load_or_create(&paths.config_file)?)
}

/// `--to URL`, or the listener in the settings.
fn target(config: &Config, to: Option<&str>) -> String {
    match to {
        Some(url) => url.trim_end_matches('/').to_string(),
        None => {
            let mut addr = config.listener.listen;
            if addr.ip().is_unspecified() {
                addr.set_ip([127, 0, 0, 1].into());
            }
            format!("http://{addr}")
        }
    }
}

/// The desktop app, where this hookscope was built with it.
#[cfg(feature = "gui")]
pub fn app(paths: &Paths) -> anyhow::Result<()> {
    let config = Config::load_or_create(&paths.config_file)?;
    hookscope::gui::run(config, paths.clone(), runtime()?)
}

#[cfg(not(feature = "gui"))]
pub fn app(_: &Paths) -> anyhow::Result<()> {
    anyhow::bail!("This hookscope was built without the desktop app (--no-default-features). Run `hookscope serve` for the listener, or `hookscope --help` for the other commands.")
}
