//! How the detail pane is looking at the selected capture: its tab, the body's view and
//! search, and what was decoded from the body once.

use super::body::{BodyMode, Decoded};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DetailTab {
    #[default]
    Overview,
    Headers,
    Query,
    Body,
    Response,
    Forward,
    Timeline,
}

/// How the pane is looking at the capture, plus what was decoded from it once.
#[derive(Default)]
pub struct DetailView {
    pub tab: DetailTab,
    /// None: the best view for the body (tree for JSON, hex for binary, else raw).
    pub mode: Option<BodyMode>,
    pub search: String,
    pub expand_all: Option<bool>,
    pub decoded: Option<Decoded>,
}
