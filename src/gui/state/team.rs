//! The team host window's form: the host's API and a token, nothing used until Connect.

use crate::config::Config;

pub struct TeamDraft {
    pub host: String,
    pub token: String,
    /// Why the last Connect was refused, in a sentence.
    pub error: Option<String>,
}

impl TeamDraft {
    pub fn new(config: &Config) -> TeamDraft {
        TeamDraft {
            host: config.team.host.clone(),
            token: config.team.token.expose().to_string(),
            error: None,
        }
    }
}
