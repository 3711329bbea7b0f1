//! WAL checkpoints off the acknowledgement path. A checkpoint inside a commit (SQLite's
//! default, every 1 000 pages) held that batch's answers for ~3 ms while it copied the WAL
//! back into the store file and synced it. The writer's connection never checkpoints in a
//! commit: a thread of its own copies committed pages back while the writer goes on, and the
//! writer, between batches and after answering, copies the few pages left once the WAL has
//! grown long, so that its next commit starts the WAL over (which SQLite does only when every
//! page has been copied back, and under a steady load that is never true for long).

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

/// A WAL this long (in pages) is started over: SQLite's own default.
const LONG: i64 = 1000;
/// How often the thread copies back what was committed since its last pass.
const PASS: Duration = Duration::from_millis(20);

/// The writer's side: told by the thread when the WAL has grown long.
#[derive(Clone)]
pub(super) struct Wal {
    long: Arc<AtomicBool>,
}

impl Wal {
    /// Called by the writer after a batch is answered: once the WAL is long, copies back what
    /// the thread has not yet, so that the next commit starts the WAL over.
    pub(super) fn after_batch(&self, conn: &Connection) {
        if !self.long.load(Ordering::Relaxed) {
            return;
        }
        match copy_back(conn) {
            Ok(pass) if pass.complete => self.long.store(false, Ordering::Relaxed),
            // The thread is mid-pass, or a reader holds an older snapshot: next batch.
            Ok(_) => {}
            Err(e) => tracing::warn!("could not checkpoint the capture store: {e}"),
        }
    }
}

/// The checkpointing thread; dropping it stops the thread after its current pass.
pub(super) struct Checkpointer {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts the thread for the store at `path`; the writer takes the [`Wal`].
    pub(super) fn start(path: &Path) -> std::io::Result<(Checkpointer, Wal)> {
        let stop = Arc::new(AtomicBool::new(false));
        let wal = Wal {
            long: Arc::new(AtomicBool::new(false)),
        };
        let (stopped, told, path) = (stop.clone(), wal.clone(), path.to_owned());
        let thread = std::thread::Builder::new()
            .name("hookscope-checkpoint".into())
            .spawn(move || copy_back_until(&path, &told, &stopped))?;
        Ok((
            Checkpointer {
                stop,
                thread: Some(thread),
            },
            wal,
        ))
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Passes until told to stop. A pass that fails (a full disk, say) is tried again, and until
/// one works the writer copies back after every batch, so the WAL stays bounded meanwhile and
/// background checkpoints resume once there is room.
fn copy_back_until(path: &Path, wal: &Wal, stop: &AtomicBool) {
    let mut conn = None;
    let mut failing = false;
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(PASS);
        let pass = match &conn {
            Some(conn) => copy_back(conn),
            None => Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE)
                .and_then(|opened| copy_back(conn.insert(opened))),
        };
        match pass {
            // Even when this pass copied every page, the writer has committed more meanwhile:
            // the WAL starts over only after a pass of the writer's own, between two commits.
            Ok(pass) => {
                if failing {
                    tracing::info!("background checkpoints work again");
                    failing = false;
                }
                if pass.length >= LONG {
                    wal.long.store(true, Ordering::Relaxed);
                }
            }
            Err(e) => {
                if !failing {
                    tracing::warn!("a background checkpoint failed, trying again: {e}");
                    failing = true;
                }
                wal.long.store(true, Ordering::Relaxed);
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

/// One PASSIVE checkpoint: it never waits for the writer or readers, nor invokes the busy
/// handler.
fn copy_back(conn: &Connection) -> rusqlite::Result<Pass> {
    let (busy, length, copied): (bool, i64, i64) =
        conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
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
