//! Choosing a file to export to or import from: an in-app window with a path field, so it
//! works on any desktop, and a Browse button for the system's chooser where one exists.

use std::path::{Path, PathBuf};
use std::sync::mpsc;

use super::command::Command;
use super::state::AppState;
use super::texts::{Counted, Language};
use crate::export;
use crate::filter::Filter;

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

pub fn show(ctx: &egui::Context, state: &mut AppState) {
    let t = state.texts();
    let Some(chooser) = &mut state.chooser else {
        return;
    };
    let (title, action, formats) = match chooser.purpose {
        Purpose::Export => (t.export_title, t.export_now, t.export_formats),
        Purpose::Import => (t.import_title, t.import_now, t.import_formats),
    };
    let mut open = true;
    let mut chosen = false;
    egui::Window::new(title)
        .open(&mut open)
        .collapsible(false)
        .default_width(520.0)
        .show(ctx, |ui| {
            if chooser.purpose == Purpose::Export {
                let count = state
                    .remembered
                    .language
                    .count(chooser.count, Counted::Capture);
                ui.label(t.export_what.replace("{count}", &count));
            }
            ui.horizontal(|ui| {
                let label = ui.label(t.file);
                let edit = ui
                    .add(
                        egui::TextEdit::singleline(&mut chooser.path)
                            .desired_width(ui.available_width() - 90.0),
                    )
                    .labelled_by(label.id);
                chosen |= edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                if ui.button(t.browse).clicked() {
                    state.commands.push(Command::Browse(chooser.purpose));
                }
            });
            ui.label(egui::RichText::new(formats).weak());
            if chooser.nothing_chosen {
                ui.colored_label(ui.visuals().warn_fg_color, t.no_file_chosen);
            }
            ui.horizontal(|ui| {
                let ready = !chooser.path.trim().is_empty();
                chosen |= ui.add_enabled(ready, egui::Button::new(action)).clicked();
                if ui.button(t.cancel).clicked() {
                    state.commands.push(Command::CloseChooser);
                }
            });
        });
    if !open {
        state.commands.push(Command::CloseChooser);
    } else if chosen {
        let path = expand(&chooser.path);
        state.commands.push(match chooser.purpose {
            Purpose::Export => Command::ExportTo(path),
            Purpose::Import => Command::ImportFrom(path),
        });
    }
}

/// Asks the system's file chooser (a desktop portal or zenity); `None` comes back when there
/// is none, or the user cancelled.
pub async fn browse(purpose: Purpose, current: PathBuf) -> Option<PathBuf> {
    let mut dialog = rfd::AsyncFileDialog::new();
    if let Some(folder) = current.parent().filter(|f| f.is_dir()) {
        dialog = dialog.set_directory(folder);
    }
    let file = match purpose {
        Purpose::Export => {
            let name = current
                .file_name()
                .map_or("hookscope-captures.har".into(), |n| {
                    n.to_string_lossy().into_owned()
                });
            dialog
                .set_file_name(name)
                .add_filter("HAR", &["har"])
                .add_filter("NDJSON", &["ndjson", "jsonl"])
                .add_filter("cURL", &["sh"])
                .save_file()
                .await
        }
        Purpose::Import => {
            dialog
                .add_filter("HAR, NDJSON", &["har", "ndjson", "jsonl", "json"])
                .pick_file()
                .await
        }
    };
    file.map(|f| f.path().to_owned())
}

/// The export behind the Export button: the filtered captures, masked, to `path`; the format
/// follows the file's extension (.har, .ndjson, .sh). The outcome, in words.
pub fn export_file(
    store_file: &Path,
    filter: &Filter,
    masker: &export::Masker,
    replay_to: &str,
    path: &Path,
    language: Language,
) -> String {
    let t = language.texts();
    let shown = path.display().to_string();
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("har");
    let format = match extension {
        "ndjson" | "jsonl" => export::Format::Ndjson,
        "sh" => export::Format::Curl,
        _ => export::Format::Har,
    };
    let captures = match crate::store::StoreReader::open(store_file)
        .and_then(|reader| reader.list(filter, None))
    {
        Ok(captures) => captures,
        Err(e) => return e.to_string(),
    };
    let written = crate::owner_only::create(path).and_then(|file| {
        let mut file = std::io::BufWriter::new(file);
        export::write(&captures, format, masker, replay_to, &mut file)?;
        std::io::Write::flush(&mut file)
    });
    match written {
        Ok(()) => t
            .exported
            .replace("{count}", &language.count(captures.len(), Counted::Capture))
            .replace("{path}", &shown),
        Err(e) => t
            .cannot_write
            .replace("{path}", &shown)
            .replace("{error}", &e.to_string()),
    }
}

/// Imports `path` into the store; the outcome, in words.
pub async fn import_file(
    store: &crate::store::Store,
    config: &crate::config::Config,
    path: &Path,
    language: Language,
) -> String {
    let t = language.texts();
    let shown = path.display().to_string();
    let text = match tokio::fs::read_to_string(path).await {
        Ok(text) => text,
        Err(e) => {
            return t
                .cannot_read
                .replace("{path}", &shown)
                .replace("{error}", &e.to_string())
        }
    };
    match export::import(store, &text, config).await {
        Ok(imported) => {
            let mut message = t
                .imported
                .replace(
                    "{count}",
                    &language.count(imported.stored, Counted::Capture),
                )
                .replace("{path}", &shown);
            if let Some(first) = imported.skipped.first() {
                message.push(' ');
                message.push_str(
                    &t.import_skipped
                        .replace(
                            "{skipped}",
                            &language.count(imported.skipped.len(), Counted::Entry),
                        )
                        .replace("{first}", &first.to_string()),
                );
            }
            message
        }
        Err(e) => t
            .not_imported
            .replace("{path}", &shown)
            .replace("{error}", &e.to_string()),
    }
}

/// Where the system chooser's answers come back to the window.
pub type Picks = (
    mpsc::Sender<Option<PathBuf>>,
    mpsc::Receiver<Option<PathBuf>>,
);
