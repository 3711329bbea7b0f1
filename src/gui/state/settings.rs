//! The Settings window's form: nothing changes until Apply.

use crate::config::{vault, Config, KeepIn, Kept, Language, Theme};

/// The form being edited; nothing changes until Apply.
pub struct Draft {
    pub listen: String,
    pub max_body_mib: f64,
    pub max_captures: u64,
    pub max_store_mib: u64,
    pub generic_status: u16,
    pub generic_body: String,
    pub theme: Theme,
    /// None: the system's.
    pub language: Option<Language>,
    pub keep_in: KeepIn,
    /// Where the tokens are now.
    pub tokens: Kept,
}

impl Draft {
    pub fn new(config: &Config) -> Draft {
        Draft {
            listen: config.listener.listen.to_string(),
            max_body_mib: config.listener.max_body_bytes as f64 / 1_048_576.0,
            max_captures: config.listener.max_captures,
            max_store_mib: config.listener.max_store_bytes >> 20,
            generic_status: config.generic.status,
            generic_body: config.generic.body.clone(),
            theme: config.window.theme,
            language: config.window.language,
            keep_in: config.secrets.keep_in,
            tokens: vault::kept(config),
        }
    }
}
