//! The free-text search index: a file of its own beside the store, filled by a thread of its
//! own, so that acknowledging a webhook never waits for it.
//!
//! Trigram indexing costs more than the rest of storing a capture. The index is derived data:
//! written without fsync, and rebuilt from the captures when it is lost, unreadable or belongs
//! to another store. Searches cover the captures not indexed yet with a plain scan, so results
//! never depend on how far the index has got.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::functions::FunctionFlags;
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{params, Connection, OpenFlags};

use super::Commits;

/// The body as free words search it: its first 64 KiB as text, because indexing costs about
/// three times the text on disk, and a big upload's identifiers are at its start. (`substr` of
/// an empty body is NULL, hence the `coalesce`.)
macro_rules! searchable_body {
    () => {
        "coalesce(CAST(substr(c.body, 1, 65536) AS TEXT), '')"
    };
}

/// What free words search, as an SQL expression over `captures c`: path, query, summary,
/// headers as `name: value` lines, and the body. The index and every check of a capture's text
/// use it, so they always agree.
macro_rules! searchable_text {
    () => {
        concat!(
            "(c.path || char(10) || c.query || char(10) || c.summary || char(10) \
            || coalesce((SELECT group_concat((h.value ->> 0) || ': ' || (h.value ->> 1), \
                char(10)) FROM json_each(c.headers) h), '') || char(10) || ",
            searchable_body!(),
            ")"
        )
    };
}

pub const SEARCHABLE_TEXT: &str = searchable_text!();

/// Whether capture `c` holds a folded word, bound twice as `?`. The body, where words are
/// mostly found, is looked in first: the whole text costs five times more to build (its
/// headers come out of JSON), and a word in the body is in the whole text.
pub const HOLDS_WORD: &str = concat!(
    "(instr(fold(",
    searchable_body!(),
    "), ?) > 0 OR instr(fold(",
    searchable_text!(),
    "), ?) > 0)"
);

/// The index's schema name in every connection that searches.
const SCHEMA: &str = "search";

/// Rows with an id above this are not in the index yet.
pub const INDEXED_UPTO: &str = "(SELECT indexed_upto FROM search.search_progress)";

/// `fold(text)`: lower case for every script, as the trigram index compares; SQLite's own
/// `lower()` and `LIKE` only fold ASCII, which would make "ГОТОВ" miss "готов" until indexed.
pub fn register_fold(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function(
        "fold",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            Ok(match ctx.get_raw(0) {
                ValueRef::Text(bytes) | ValueRef::Blob(bytes) => {
                    Some(String::from_utf8_lossy(bytes).to_lowercase())
                }
                ValueRef::Null => None,
                ValueRef::Integer(n) => Some(n.to_string()),
                ValueRef::Real(x) => Some(x.to_string()),
            })
        },
    )
}

/// The index file that belongs to the store at `store`. Its name carries the index's format,
/// so that a reader never attaches an index of another format.
pub fn index_path(store: &Path) -> PathBuf {
    store.with_extension("search-2.sqlite3")
}

/// Removes indexes of former formats (with their WAL and shared memory), which nothing reads
/// any more: format 1 kept every trigram's positions, three times the size of format 2.
pub fn remove_former(store: &Path) {
    for file in super::sqlite_files(&store.with_extension("search.sqlite3")) {
        let _ = std::fs::remove_file(file);
    }
}

/// Attaches the index to a connection on the store; creates it when it is not there yet. Only
/// the creation writes, so a reader never waits for the indexer.
pub fn attach(conn: &Connection, store: &Path) -> rusqlite::Result<()> {
    conn.execute(
        &format!("ATTACH DATABASE ?1 AS {SCHEMA}"),
        [index_path(store).to_string_lossy()],
    )?;
    let created: bool = conn.query_row(
        "SELECT count(*) = 2 FROM search.sqlite_schema
         WHERE name IN ('captures_text', 'search_progress')",
        [],
        |r| r.get(0),
    )?;
    if created {
        return Ok(());
    }
    // Contentless: the text is in the store already, so the index keeps only its trigrams;
    // and without their positions (`detail = none`), which took two thirds of its size and
    // half of the time to index. Which captures hold all of a word's trigrams is all it
    // says; the store's text decides whether they hold the word.
    conn.execute_batch(
        "PRAGMA search.journal_mode = WAL;
         BEGIN IMMEDIATE;
         CREATE VIRTUAL TABLE IF NOT EXISTS search.captures_text USING fts5(
             text, tokenize = 'trigram', content = '', contentless_delete = 1,
             detail = none);
         CREATE TABLE IF NOT EXISTS search.search_progress (indexed_upto INTEGER NOT NULL);
         INSERT INTO search.search_progress SELECT 0
             WHERE NOT EXISTS (SELECT 1 FROM search.search_progress);
         COMMIT;",
    )
}

/// What the store's WAL is cut back to when it starts over (`journal_size_limit`).
pub const WAL_LIMIT: i64 = 64 << 20;

/// A step indexes captures for at most this long, so that stopping never waits long.
const STEP_TIME: Duration = Duration::from_millis(50);
/// A caught-up indexer waits for the writer's next commit, this long at most.
const CAUGHT_UP_WAIT: Duration = Duration::from_secs(5);
/// How often an indexer that steps aside for a long WAL looks again.
const STEP_ASIDE: Duration = Duration::from_millis(20);
/// Indexing waits while captures arrive faster than this many a second, and looks again after
/// `QUIET`. Beside a listener taking 17 000 a second on two cores, indexing even at the lowest
/// priority cost it a tenth of its rate and a fifth more at p99; at this rate it takes a few
/// percent of one core. Searches scan what is not indexed yet, so they stay complete.
const BUSY_RATE: f64 = 1_000.0;
const QUIET: Duration = Duration::from_millis(50);

/// The indexing thread; dropping it stops the thread after its current step.
pub struct Indexer {
    stop: Arc<AtomicBool>,
    commits: Commits,
    thread: Option<JoinHandle<()>>,
}

impl Indexer {
    /// Starts indexing the store at `store` in the background, at the lowest CPU priority:
    /// under load the listener gets the cores, and searches scan what is not indexed yet.
    /// Caught up, it waits for the writer's next commit (`commits`).
    pub(crate) fn start(store: &Path, commits: Commits) -> std::io::Result<Indexer> {
        let stop = Arc::new(AtomicBool::new(false));
        let store = store.to_owned();
        let (stopped, told) = (stop.clone(), commits.clone());
        let thread = std::thread::Builder::new()
            .name("hookscope-index".into())
            .spawn(move || {
                lower_priority();
                if let Err(e) = index_until(&store, &stopped, &told) {
                    tracing::warn!("search indexing stopped: {e}; searches scan instead");
                }
            })?;
        Ok(Indexer {
            stop,
            commits,
            thread: Some(thread),
        })
    }
}

impl Drop for Indexer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        self.commits.wake();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Nice 19 for this thread alone (Linux gives each thread its own nice value).
fn lower_priority() {
    #[cfg(target_os = "linux")]
    {
        let me = rustix::thread::gettid();
        let _ = rustix::process::setpriority_process(Some(me), 19);
    }
}

fn index_until(store: &Path, stop: &AtomicBool, commits: &Commits) -> rusqlite::Result<()> {
    let mut conn = open_for_indexing(store)?;
    let mut upto = indexed_upto(&conn)?;
    let mut oldest_kept = 0;
    let mut newest_seen = (newest_capture(&conn)?.unwrap_or(0), Instant::now());
    let [_, wal, _] = super::sqlite_files(store);
    while !stop.load(Ordering::Relaxed) {
        // SQLite starts the WAL over only at a moment no reader holds it, and then cuts it back
        // to WAL_LIMIT; a WAL beyond that means this reader is in the way: step aside.
        let wal_bytes = std::fs::metadata(&wal).map_or(0, |m| m.len());
        if wal_bytes > WAL_LIMIT as u64 + (4 << 20) {
            std::thread::sleep(STEP_ASIDE);
            continue;
        }
        // Commits after this one are looked at in the next round, not waited for.
        let committed = commits.count();
        let seen = (newest_capture(&conn)?.unwrap_or(0), Instant::now());
        let arrived = (seen.0 - newest_seen.0) as f64;
        let rate = arrived / seen.1.duration_since(newest_seen.1).as_secs_f64().max(1e-3);
        newest_seen = seen;
        if rate > BUSY_RATE {
            std::thread::sleep(QUIET);
            continue;
        }
        let next = index_step(&mut conn, upto, STEP_TIME)?;
        let oldest = oldest_capture(&conn)?.unwrap_or(next + 1);
        if oldest > oldest_kept {
            forget_below(&conn, oldest)?;
            oldest_kept = oldest;
        }
        if next == upto {
            commits.wait(committed, stop, CAUGHT_UP_WAIT);
        }
        upto = next;
    }
    Ok(())
}

/// A connection on the store with the index attached; an index that cannot be read, or that
/// is ahead of the store (it belonged to a store set aside), is started afresh.
fn open_for_indexing(store: &Path) -> rusqlite::Result<Connection> {
    let open = || -> rusqlite::Result<Connection> {
        let conn = Connection::open_with_flags(store, OpenFlags::default())?;
        conn.busy_timeout(Duration::from_secs(5))?;
        attach(&conn, store)?;
        conn.pragma_update(Some(SCHEMA), "synchronous", "OFF")?;
        let ahead: bool = conn.query_row(
            &format!(
                "SELECT {INDEXED_UPTO} > coalesce(
                     (SELECT seq FROM sqlite_sequence WHERE name = 'captures'), 0)"
            ),
            [],
            |r| r.get(0),
        )?;
        if ahead {
            return Err(rusqlite::Error::InvalidQuery);
        }
        Ok(conn)
    };
    open().or_else(|e| {
        tracing::info!("rebuilding the search index ({e})");
        for file in super::sqlite_files(&index_path(store)) {
            let _ = std::fs::remove_file(file);
        }
        open()
    })
}

/// How far the index has got.
pub fn indexed_upto(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row(&format!("SELECT {INDEXED_UPTO}"), [], |r| r.get(0))
}

/// Captures whose text is read at once while indexing.
const CHUNK: i64 = 64;

/// Indexes captures after `upto` for about `budget`. Returns how far the index got.
pub fn index_step(conn: &mut Connection, upto: i64, budget: Duration) -> rusqlite::Result<i64> {
    let started = Instant::now();
    let tx = conn.transaction()?;
    let mut texts = tx.prepare_cached(&format!(
        "SELECT c.id, {SEARCHABLE_TEXT} FROM main.captures c
         WHERE c.id > ?1 ORDER BY c.id LIMIT ?2"
    ))?;
    // One capture a statement, with its text as a value: an `INSERT … SELECT` opens a
    // statement journal, and FTS5 writes its pending trigrams out at each one, a segment per
    // capture to merge later (five times slower).
    let mut index_one =
        tx.prepare_cached("INSERT INTO search.captures_text (rowid, text) VALUES (?1, ?2)")?;
    let mut reached = upto;
    while started.elapsed() < budget {
        // The text as bytes: a body that is not UTF-8 is indexed as it is.
        let chunk = texts
            .query_map(params![reached, CHUNK], |r| {
                Ok((r.get::<_, i64>(0)?, r.get_ref(1)?.as_bytes()?.to_vec()))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let Some(&(last, _)) = chunk.last() else {
            break;
        };
        for (id, text) in &chunk {
            index_one.execute(params![id, ToSqlOutput::Borrowed(ValueRef::Text(text))])?;
        }
        reached = last;
    }
    drop((texts, index_one));
    if reached != upto {
        tx.execute(
            "UPDATE search.search_progress SET indexed_upto = ?1",
            [reached],
        )?;
    }
    tx.commit()?;
    Ok(reached)
}

fn newest_capture(conn: &Connection) -> rusqlite::Result<Option<i64>> {
    conn.query_row("SELECT max(id) FROM main.captures", [], |r| r.get(0))
}

fn oldest_capture(conn: &Connection) -> rusqlite::Result<Option<i64>> {
    conn.query_row("SELECT min(id) FROM main.captures", [], |r| r.get(0))
}

/// Retention and clearing remove captures from the store; their trigrams go from here.
fn forget_below(conn: &Connection, oldest: i64) -> rusqlite::Result<()> {
    conn.execute(
        "DELETE FROM search.captures_text WHERE rowid < ?1",
        [oldest],
    )
    .map(drop)
}
