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
}

impl Chooser {
    pub fn new(purpose: Purpose, count: usize) -> Chooser {
        let name = match purpose {
            Purpose::Export => "hookscope-captures.har",
            Purpose::Import => "",
        };
        let folder = directories::UserDirs::new()
            .map(|dirs| dirs.home_dir().to_owned())
            .unwrap_or_default();
        Chooser {
            purpose,
            path: folder.join(name).display().to_string(),
            nothing_chosen: false,
            count,
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
