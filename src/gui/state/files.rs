//! The export or import window: what it is for, and the path typed (or chosen) so far.

use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    Export,
    Import,
}

/// The open window: what it is for and the path typed (or chosen) so far.
pub struct Chooser {
    pub purpose: Purpose,
    pub path: String,
    /// The system chooser was asked and gave nothing.
    pub nothing_chosen: bool,
    /// How many captures the export will write.
    pub count: usize,
    /// The export or import is under way; the window closes when it succeeds.
    pub working: bool,
    /// Why the last try failed; the window stays open with the path to correct.
    pub failed: Option<String>,
}

impl Chooser {
    /// Opens at `last`, the file this window last used, or in the home folder.
    pub fn new(purpose: Purpose, count: usize, last: &str) -> Chooser {
        let path = if last.is_empty() {
            let name = match purpose {
                Purpose::Export => "hookscope-captures.har",
                Purpose::Import => "",
            };
            let folder = directories::UserDirs::new()
                .map(|dirs| dirs.home_dir().to_owned())
                .unwrap_or_default();
            folder.join(name).display().to_string()
        } else {
            last.to_string()
        };
        Chooser {
            purpose,
            path,
            nothing_chosen: false,
            count,
            working: false,
            failed: None,
        }
    }
}

/// `~/x` is the home folder's `x`, as in a shell.
pub fn expand(path: &str) -> PathBuf {
    let path = path.trim();
    match (
        path.strip_prefix("~/"),
        directories::UserDirs::new().map(|d| d.home_dir().to_owned()),
    ) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => PathBuf::from(path),
    }
}
