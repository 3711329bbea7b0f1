//! WAL checkpoints off the acknowledgement path. A checkpoint inside a commit (SQLite's
//! default, every 1 000 pages) held that batch's answers for ~3 ms while it copied the WAL
//! back into the store file and synced it. The writer's connection never checkpoints in a
//! commit: a thread of its own copies committed pages back while the writer goes on, and the
//! writer, between batches and after answering, copies the few pages left once the WAL has
//! grown long, so that its next commit starts the WAL over (which SQLite does only when every
//! page has been copied back, and under a steady load that is never true for long).
//!
//! Readers (the indexer, the app's queries) can keep a pass from completing. Past its bound
//! (`Retention::wal_bound`, at most [`WAL_LIMIT`]) the writer then waits for them and starts the WAL over (a RESTART checkpoint),
//! so that the WAL stays bounded under any body size; and once the writer has gone quiet, the
//! thread truncates a WAL left longer than that, so that it does not keep its size (and keep
//! the indexer, which steps aside for a long WAL, waiting) until the next webhook.
//!
//! Once a pass finds nothing new to copy back, the thread waits for the writer's next commit
//! ([`Commits`]) rather than passing every [`PASS`] to find nothing again.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use super::search::WAL_LIMIT;
use super::Commits;

/// A WAL this long (in pages) is started over: SQLite's own default.
const LONG: i64 = 1000;
/// The store's page size (SQLite's default, which the store keeps).
const PAGE: i64 = 4096;
/// How often the thread copies back what was committed since its last pass, while commits come.
const PASS: Duration = Duration::from_millis(20);
/// The longest the thread waits for a commit once everything is copied back (a failure is
/// tried again every [`PASS`]).
const SETTLED_WAIT: Duration = Duration::from_secs(5);

/// The writer's side: told by the thread when the WAL has grown long.
#[derive(Clone)]
pub(super) struct Wal {
    long: Arc<AtomicBool>,
    /// How long the WAL may grow, in pages: its share of the store's limit.
    bound: Arc<AtomicI64>,
    file: Arc<Path>,
    /// The writer's checkpoints are failing and that has been said: on a full disk every
    /// batch fails one, and saying each filled the log with hundreds of lines a second.
    failing: Arc<AtomicBool>,
    /// Told after every batch the writer commits.
    commits: Commits,
}

impl Wal {
    /// Sets the WAL's bound (`Retention::wal_bound`); a WAL started over is cut back to it.
    pub(super) fn bound(&self, conn: &Connection, bytes: u64) -> rusqlite::Result<()> {
        let pages = bytes as i64 / PAGE;
        if self.bound.swap(pages, Ordering::Relaxed) != pages {
            conn.pragma_update(None, "journal_size_limit", bytes as i64)?;
        }
        Ok(())
    }

    /// Called by the writer after a batch is committed and answered: tells the threads behind
    /// it, and once the WAL is long, copies back what the thread has not yet, so that the next
    /// commit starts the WAL over. A WAL file past its bound is long even before the thread's
    /// next pass says so (a WAL started over is cut back to the bound, so the file grows past
    /// it only with what was written since).
    pub(super) fn after_batch(&self, conn: &Connection) {
        self.commits.tell();
        let bound = self.bound.load(Ordering::Relaxed);
        let past_bound =
            std::fs::metadata(&*self.file).is_ok_and(|m| m.len() as i64 > bound * PAGE);
        if !self.long.load(Ordering::Relaxed) && !past_bound {
            return;
        }
        // A reader of older pages keeps SQLite from starting the WAL over even once every page
        // is copied back. Past the bound, wait for such readers (the writer's busy timeout):
        // RESTART returns only when the next commit can start the WAL over.
        let pass = copy_back(conn).and_then(|pass| match past_bound || pass.length > bound {
            true => restart(conn),
            false => Ok(pass),
        });
        match pass {
            Ok(pass) => {
                if self.failing.swap(false, Ordering::Relaxed) {
                    tracing::info!("checkpoints of the capture store work again");
                }
                // Otherwise the thread is mid-pass, or a reader holds an older snapshot: next
                // batch.
                if pass.complete {
                    self.long.store(false, Ordering::Relaxed);
                }
            }
            Err(e) => {
                if !self.failing.swap(true, Ordering::Relaxed) {
                    tracing::warn!("could not checkpoint the capture store: {e}; trying again after each batch");
                }
            }
        }
    }
}

/// The checkpointing thread; dropping it stops the thread after its current pass.
pub(super) struct Checkpointer {
    stop: Arc<AtomicBool>,
    commits: Commits,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts the thread for the store at `path`; the writer takes the [`Wal`].
    pub(super) fn start(path: &Path, commits: Commits) -> std::io::Result<(Checkpointer, Wal)> {
        let stop = Arc::new(AtomicBool::new(false));
        let [_, file, _] = super::sqlite_files(path);
        let wal = Wal {
            long: Arc::new(AtomicBool::new(false)),
            bound: Arc::new(AtomicI64::new(WAL_LIMIT / PAGE)),
            file: file.into(),
            failing: Arc::new(AtomicBool::new(false)),
            commits,
        };
        let (stopped, told, path) = (stop.clone(), wal.clone(), path.to_owned());
        let thread = std::thread::Builder::new()
            .name("hookscope-checkpoint".into())
            .spawn(move || copy_back_until(&path, &told, &stopped))?;
        Ok((
            Checkpointer {
                stop,
                commits: wal.commits.clone(),
                thread: Some(thread),
            },
            wal,
        ))
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        self.commits.wake();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Passes until told to stop. A pass that fails (a full disk, say) is tried again, and until
/// one works the writer copies back after every batch, so the WAL stays bounded meanwhile and
/// background checkpoints resume once there is room. Once a pass finds nothing committed
/// since the one before and everything copied back, the thread waits for the next commit.
fn copy_back_until(path: &Path, wal: &Wal, stop: &AtomicBool) {
    let mut conn = None;
    let mut failing = false;
    let mut last_length = -1;
    let (mut settled, mut seen) = (false, 0);
    while !stop.load(Ordering::Relaxed) {
        if settled {
            wal.commits.wait(seen, stop, SETTLED_WAIT);
            if stop.load(Ordering::Relaxed) {
                break;
            }
        }
        std::thread::sleep(PASS);
        seen = wal.commits.count();
        let pass = match &conn {
            Some(conn) => copy_back(conn),
            None => Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE).and_then(
                |opened| {
                    // Never waits: a truncation that would have to wait is tried again later.
                    opened.busy_timeout(Duration::ZERO)?;
                    copy_back(conn.insert(opened))
                },
            ),
        };
        match pass {
            // Even when this pass copied every page, the writer has committed more meanwhile:
            // the WAL starts over only after a pass of the writer's own, between two commits.
            Ok(pass) => {
                if failing {
                    tracing::info!("background checkpoints work again");
                    failing = false;
                }
                let bound = wal.bound.load(Ordering::Relaxed);
                if pass.length >= LONG.min(bound) {
                    wal.long.store(true, Ordering::Relaxed);
                }
                // Nothing committed since the last pass, all of it copied back, and the WAL
                // file still long from a burst: cut it.
                let quiet = pass.complete && pass.length == last_length;
                let long_file =
                    std::fs::metadata(&*wal.file).is_ok_and(|m| m.len() as i64 > bound * PAGE);
                if let (true, true, Some(conn)) = (quiet, long_file, &conn) {
                    let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
                }
                // A file just cut is looked at once more, as a new length.
                settled = quiet && !long_file;
                last_length = pass.length;
            }
            Err(e) => {
                if !failing {
                    tracing::warn!("a background checkpoint failed, trying again: {e}");
                    failing = true;
                }
                wal.long.store(true, Ordering::Relaxed);
                settled = false;
            }
        }
    }
}

/// What a checkpoint found.
struct Pass {
    /// Every page of the WAL, as it was when the pass began, is in the store file now.
    complete: bool,
    /// Of the WAL, in pages.
    length: i64,
}

/// A RESTART checkpoint: waits (the connection's busy timeout) for readers of older pages,
/// copies everything back, and has the next commit start the WAL over.
fn restart(conn: &Connection) -> rusqlite::Result<Pass> {
    checkpoint(conn, "RESTART")
}

/// One PASSIVE checkpoint: it never waits for the writer or readers, nor invokes the busy
/// handler.
fn copy_back(conn: &Connection) -> rusqlite::Result<Pass> {
    checkpoint(conn, "PASSIVE")
}

fn checkpoint(conn: &Connection, mode: &str) -> rusqlite::Result<Pass> {
    let (busy, length, copied): (bool, i64, i64) =
        conn.query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
    Ok(Pass {
        complete: !busy && length == copied,
        length,
    })
}

#[cfg(test)]
mod tests {
    use crate::capture::Capture;
    use crate::store::{Retention, Store};

    /// Under commits that never pause, the WAL is still started over: without the writer's own
    /// pass between batches it would hold every page written (here ~25 MB).
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn the_wal_stays_short_while_commits_never_pause() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("captures.sqlite3");
        let keep_all = Retention {
            max_captures: u64::MAX,
            max_bytes: u64::MAX,
        };
        let store = Store::open(&path, keep_all).unwrap();
        let body = "b".repeat(8 << 10);
        let config = crate::config::Config::default();
        let mut senders = Vec::new();
        for sender in 0..32 {
            let (store, body, config) = (store.clone(), body.clone(), config.clone());
            senders.push(tokio::spawn(async move {
                for n in 0..64 {
                    let path = format!("/x/{sender}/{n}");
                    let request = crate::providers::tests::request(&path, &[], &body);
                    let judgement = crate::providers::judge(&request, &config);
                    store
                        .commit(Capture::new(request, judgement))
                        .await
                        .unwrap();
                }
            }));
        }
        for sender in senders {
            sender.await.unwrap();
        }
        let [_, wal, _] = crate::store::sqlite_files(&path);
        let wal_bytes = std::fs::metadata(&wal).unwrap().len();
        assert!(wal_bytes < 12 << 20, "the WAL grew to {wal_bytes} bytes");
        assert_eq!(store.reader().unwrap().count().unwrap(), 32 * 64);
        store.close().await;
    }
}
