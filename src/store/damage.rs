//! A damaged store is found at start, not by the providers: `quick_check` runs before the
//! listener opens, a damaged file is refused with what to do, and it can be set aside so that
//! a fresh store starts. Reading what is left of it is `StoreReader::salvage`.

use std::path::{Path, PathBuf};

use std::sync::{Arc, OnceLock};

use rusqlite::{Connection, ErrorCode, OpenFlags};
use tokio::sync::broadcast;

use super::{search, Change, StoreError};

/// Whether SQLite failed because the file is damaged, or is not a database at all.
pub fn is_damage(error: &rusqlite::Error) -> bool {
    matches!(
        error.sqlite_error_code(),
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase)
    )
}

/// Turns a damaged file's error into [`StoreError::Damaged`]; other errors stay as they are.
pub fn classify(path: &Path, error: StoreError) -> StoreError {
    let source = match &error {
        StoreError::Open { source, .. } | StoreError::Sqlite(source) => source,
        _ => return error,
    };
    if is_damage(source) {
        StoreError::Damaged {
            path: path.to_owned(),
            detail: source.to_string(),
        }
    } else {
        error
    }
}

/// SQLite's `quick_check`: every page and record is readable (it reads the whole file).
pub fn check(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let mut problems = Vec::new();
    let mut stmt = conn.prepare("PRAGMA quick_check(3)")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        problems.push(row.get::<_, String>(0)?);
    }
    if problems == ["ok"] {
        return Ok(());
    }
    Err(StoreError::Damaged {
        path: path.to_owned(),
        detail: problems.join("; "),
    })
}

/// Checks a store in use, on a thread of its own. Damage found is kept in `found`, where the
/// writer sees it and commits nothing more, and announced as [`Change::Damaged`].
pub(super) fn check_in_use(
    store: &Path,
    found: Arc<OnceLock<String>>,
    changes: broadcast::Sender<Change>,
) {
    let store = store.to_owned();
    let checking = move || {
        let checked = super::connect(&store, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .and_then(|conn| check(&conn, &store))
            .map_err(|e| classify(&store, e));
        match checked {
            Ok(()) => {}
            Err(StoreError::Damaged { detail, .. }) => {
                tracing::error!("the capture store {} is damaged: {detail}", store.display());
                let _ = found.set(detail);
                let _ = changes.send(Change::Damaged);
            }
            Err(e) => tracing::warn!("could not check the capture store for damage: {e}"),
        }
    };
    if let Err(e) = std::thread::Builder::new()
        .name("hookscope-check".into())
        .spawn(checking)
    {
        tracing::warn!("could not start checking the capture store for damage: {e}");
    }
}

/// Moves the store, its WAL and its search index to `<name>.damaged-<time>…` beside it, so
/// that the next start creates a fresh store. Returns where the store went.
pub fn set_aside(store: &Path) -> Result<PathBuf, StoreError> {
    let _writer = super::lock::WriterLock::take(store)?;
    let stamp = time::OffsetDateTime::now_utc().unix_timestamp();
    let aside = |file: &Path| {
        let mut name = file.as_os_str().to_owned();
        name.push(format!(".damaged-{stamp}"));
        PathBuf::from(name)
    };
    let mut moved = None;
    for database in [store.to_owned(), search::index_path(store)] {
        for from in super::sqlite_files(&database) {
            if !from.exists() {
                continue;
            }
            let to = aside(&from);
            std::fs::rename(&from, &to).map_err(|source| StoreError::SetAside {
                path: from.clone(),
                source,
            })?;
            moved.get_or_insert(to);
        }
    }
    moved.ok_or_else(|| StoreError::Missing {
        path: store.to_owned(),
    })
}
