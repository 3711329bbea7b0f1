//! Export, import and the system's file chooser, off the UI thread. The window stays open
//! while one runs: a success closes it, remembers the file and says so in the notice line; a
//! failure is said in the window, with the path there to correct.

use std::future::Future;
use std::path::{Path, PathBuf};

use super::Work;
use crate::export;
use crate::filter::Filter;
use crate::gui::state::files::{expand, Chooser, Purpose};
use crate::gui::state::AppState;
use crate::gui::texts::{Counted, Language};

/// Opens the export window for what the table shows; a filter with a mistake shows nothing,
/// so there is nothing to export until it is fixed.
pub fn open_export(state: &mut AppState) {
    if let Some(error) = state.filter.error() {
        let language = state.language;
        let refused = state
            .texts()
            .export_refused
            .replace("{error}", &language.filter_error(error));
        return state.notify(refused);
    }
    let (count, last) = (state.list.visible().len(), &state.remembered.last_export);
    state.chooser = Some(Chooser::new(Purpose::Export, count, last));
}

/// How an export or import ended: a sentence for the notice line, or why it failed.
pub struct Filed {
    purpose: Purpose,
    path: PathBuf,
    outcome: Result<String, String>,
}

/// An export or import ended.
pub fn filed(state: &mut AppState, filed: Filed) {
    let chooser = state
        .chooser
        .as_mut()
        .filter(|c| c.purpose == filed.purpose);
    match filed.outcome {
        Ok(said) => {
            let path = filed.path.display().to_string();
            match filed.purpose {
                Purpose::Export => state.remembered.last_export = path,
                Purpose::Import => state.remembered.last_import = path,
            }
            if chooser.is_some() {
                state.chooser = None;
            }
            state.notify(said);
        }
        Err(why) => match chooser {
            Some(chooser) => {
                chooser.working = false;
                chooser.failed = Some(why);
            }
            // The window was closed meanwhile: the notice line is all there is.
            None => state.notify(why),
        },
    }
}

/// Marks the window as working and runs `work`, whose outcome comes back as a [`Filed`].
fn file(
    state: &mut AppState,
    work: &Work,
    purpose: Purpose,
    path: PathBuf,
    run: impl Future<Output = Result<String, String>> + Send + 'static,
) {
    if let Some(chooser) = &mut state.chooser {
        chooser.working = true;
        chooser.failed = None;
    }
    work.report(&work.filed.0, async move {
        Filed {
            purpose,
            path,
            outcome: run.await,
        }
    });
}

/// Writes the captures the filter shows to `path`, off the UI thread.
pub fn export(state: &mut AppState, work: &mut Work, path: PathBuf) {
    let Ok(filter) = state.filter.parsed.clone() else {
        return open_export(state);
    };
    let store_file = work.paths.store_file();
    let masker = export::Masker::new(&state.config);
    let replay_to = state.listener_url();
    let language = state.language;
    let to = path.clone();
    file(state, work, Purpose::Export, path, async move {
        tokio::task::spawn_blocking(move || {
            export_file(&store_file, &filter, &masker, &replay_to, &to, language)
        })
        .await
        .unwrap_or_else(|e| Err(e.to_string()))
    });
}

pub fn import(state: &mut AppState, work: &mut Work, path: PathBuf) {
    let Some(engine) = &work.engine else {
        let error = state.listen_error.clone().unwrap_or_default();
        let text = state
            .texts()
            .not_listening_import
            .replace("{error}", &error);
        return filed(
            state,
            Filed {
                purpose: Purpose::Import,
                path,
                outcome: Err(text),
            },
        );
    };
    let store = engine.store().clone();
    let config = state.config.clone();
    let language = state.language;
    let from = path.clone();
    file(state, work, Purpose::Import, path, async move {
        import_file(&store, &config, &from, language).await
    });
}

/// Asks the system's chooser, starting where the window's path points.
pub fn browse(state: &mut AppState, work: &mut Work, purpose: Purpose) {
    let current = state
        .chooser
        .as_ref()
        .map(|c| expand(&c.path))
        .unwrap_or_default();
    let picks = work.picks.0.clone();
    work.report(&picks, async move { ask_system(purpose, current).await });
}

/// Asks the system's file chooser (a desktop portal or zenity); `None` comes back when there
/// is none, or the user cancelled.
async fn ask_system(purpose: Purpose, current: PathBuf) -> Option<PathBuf> {
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
fn export_file(
    store_file: &Path,
    filter: &Filter,
    masker: &export::Masker,
    replay_to: &str,
    path: &Path,
    language: Language,
) -> Result<String, String> {
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
        Err(e) => return Err(language.store_error(&e)),
    };
    let written = crate::owner_only::create(path).and_then(|file| {
        let mut file = std::io::BufWriter::new(file);
        export::write(&captures, format, masker, replay_to, &mut file)?;
        std::io::Write::flush(&mut file)
    });
    match written {
        Ok(()) => Ok(t
            .exported
            .replace("{count}", &language.count(captures.len(), Counted::Capture))
            .replace("{path}", &shown)),
        Err(e) => Err(t
            .cannot_write
            .replace("{path}", &shown)
            .replace("{error}", &e.to_string())),
    }
}

/// Imports `path` into the store; the outcome, in words.
async fn import_file(
    store: &crate::store::Store,
    config: &crate::config::Config,
    path: &Path,
    language: Language,
) -> Result<String, String> {
    let t = language.texts();
    let shown = path.display().to_string();
    let text = match tokio::fs::read_to_string(path).await {
        Ok(text) => text,
        Err(e) => {
            return Err(t
                .cannot_read
                .replace("{path}", &shown)
                .replace("{error}", &e.to_string()))
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
            Ok(message)
        }
        Err(e) => Err(t
            .not_imported
            .replace("{path}", &shown)
            .replace("{error}", &e.to_string())),
    }
}
