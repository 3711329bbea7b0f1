//! The single writer. It takes every job queued while the previous commit was on disk and
//! commits them together (group commit), then answers each waiting request.

use std::sync::Arc;

use rusqlite::{params, Connection, Transaction};
use tokio::sync::{broadcast, mpsc, oneshot};

use super::{Committed, StoreError};
use crate::capture::Capture;

/// Enough to amortise one fsync over a burst, small enough to keep latency flat.
const MAX_BATCH: usize = 512;

/// Bodies longer than this are searchable by their first part only.
const MAX_INDEXED_TEXT: usize = 1 << 20;

/// Where the writer reports a commit's outcome to the request waiting on it.
pub(super) type Waiter = oneshot::Sender<Result<Committed, StoreError>>;

pub(super) enum Job {
    Commit {
        capture: Box<Capture>,
        done: Waiter,
    },
    Elapsed {
        id: i64,
        elapsed_ms: f64,
    },
    /// A change the user made to stored captures.
    Edit(Edit),
    Close {
        done: oneshot::Sender<()>,
    },
}

/// What a user can change about stored captures.
#[derive(Clone, Debug, PartialEq)]
pub enum Edit {
    Pin { id: i64, pinned: bool },
    Note { id: i64, note: String },
    Delete { ids: Vec<i64> },
    Clear,
}

pub(super) fn start(
    conn: Connection,
    inbox: mpsc::Receiver<Job>,
    captures: broadcast::Sender<Arc<Capture>>,
    max_captures: u64,
) -> Result<(), StoreError> {
    let count: u64 = conn.query_row("SELECT count(*) FROM captures", [], |r| r.get(0))?;
    let mut writer = Writer {
        conn,
        captures,
        count,
        max_captures: max_captures.max(1),
    };
    std::thread::Builder::new()
        .name("hookscope-store".into())
        .spawn(move || writer.run(inbox))
        .map_err(|e| StoreError::Write(format!("could not start the writer thread: {e}")))?;
    Ok(())
}

struct Writer {
    conn: Connection,
    captures: broadcast::Sender<Arc<Capture>>,
    count: u64,
    max_captures: u64,
}

impl Writer {
    fn run(&mut self, mut inbox: mpsc::Receiver<Job>) {
        while let Some(first) = inbox.blocking_recv() {
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match inbox.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
            if self.write(batch) {
                return;
            }
        }
    }

    /// Commits one batch and answers its waiters. Returns true when asked to close.
    fn write(&mut self, batch: Vec<Job>) -> bool {
        let mut commits = Vec::new();
        let mut changes = Vec::new();
        let mut close = Vec::new();
        for job in batch {
            match job {
                Job::Commit { capture, done } => commits.push((capture, done)),
                Job::Elapsed { id, elapsed_ms } => changes.push(Change::Elapsed(id, elapsed_ms)),
                Job::Edit(edit) => changes.push(Change::Edit(edit)),
                Job::Close { done } => close.push(done),
            }
        }
        let result = self.transaction(&mut commits, &changes);
        for (capture, done) in commits {
            let outcome = match &result {
                Ok(()) => {
                    let committed = Committed {
                        id: capture.id,
                        repeat_of: capture.repeat_of,
                    };
                    let _ = self.captures.send(Arc::from(capture));
                    Ok(committed)
                }
                Err(e) => Err(StoreError::Write(e.to_string())),
            };
            let _ = done.send(outcome);
        }
        if let Err(e) = result {
            tracing::error!("capture store write failed: {e}");
        }
        let closing = !close.is_empty();
        if closing {
            let _ = self.conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)");
        }
        for done in close {
            let _ = done.send(());
        }
        closing
    }

    fn transaction(
        &mut self,
        commits: &mut [(Box<Capture>, Waiter)],
        changes: &[Change],
    ) -> rusqlite::Result<()> {
        let tx = self.conn.transaction()?;
        for (capture, _) in commits.iter_mut() {
            insert(&tx, capture)?;
        }
        let mut count = self.count + commits.len() as u64;
        for change in changes {
            count -= apply(&tx, change)?;
        }
        // Pruning in steps of 1% keeps the delete off most batches.
        if count > self.max_captures + self.max_captures / 100 {
            let excess = count - self.max_captures;
            count -= tx
                .prepare_cached(
                    "DELETE FROM captures WHERE id IN
                       (SELECT id FROM captures WHERE pinned = 0 ORDER BY id LIMIT ?1)",
                )?
                .execute([excess])? as u64;
        }
        tx.commit()?;
        self.count = count;
        Ok(())
    }
}

enum Change {
    Elapsed(i64, f64),
    Edit(Edit),
}

/// Applies one change; returns how many captures it removed.
fn apply(tx: &Transaction, change: &Change) -> rusqlite::Result<u64> {
    let removed = match change {
        Change::Elapsed(id, ms) => {
            tx.prepare_cached("UPDATE captures SET elapsed_ms = ?2 WHERE id = ?1")?
                .execute(params![id, ms])?;
            0
        }
        Change::Edit(Edit::Pin { id, pinned }) => {
            tx.prepare_cached("UPDATE captures SET pinned = ?2 WHERE id = ?1")?
                .execute(params![id, pinned])?;
            0
        }
        Change::Edit(Edit::Note { id, note }) => {
            tx.prepare_cached("UPDATE captures SET note = ?2 WHERE id = ?1")?
                .execute(params![id, note])?;
            0
        }
        Change::Edit(Edit::Delete { ids }) => {
            let mut delete = tx.prepare_cached("DELETE FROM captures WHERE id = ?1")?;
            let mut removed = 0;
            for id in ids {
                removed += delete.execute([id])?;
            }
            removed
        }
        Change::Edit(Edit::Clear) => tx.execute("DELETE FROM captures", [])?,
    };
    Ok(removed as u64)
}

fn insert(tx: &Transaction, capture: &mut Capture) -> rusqlite::Result<()> {
    let r = &capture.request;
    let j = &capture.judgement;
    let repeat_of: Option<i64> = match &j.redelivery_key {
        Some(key) => tx
            .prepare_cached(
                "SELECT coalesce(repeat_of, id) FROM captures
                 WHERE provider = ?1 AND redelivery_key = ?2 ORDER BY id LIMIT 1",
            )?
            .query_row(params![j.provider.name(), key], |row| row.get(0))
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(e),
            })?,
        None => None,
    };
    tx.prepare_cached(
        "INSERT INTO captures (received_at, remote_addr, method, path, query, headers, body, size,
            provider, event, summary, verdict, reason, redelivery_key, repeat_of,
            response_status, response_headers, response_body, elapsed_ms, pinned, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
            ?19, ?20, ?21)",
    )?
    .execute(params![
        (r.received_at.unix_timestamp_nanos() / 1000) as i64,
        r.remote_addr,
        r.method,
        r.path,
        r.query,
        pairs_to_json(&r.headers),
        r.body,
        r.size as i64,
        j.provider.name(),
        j.event,
        j.summary,
        j.verdict.name(),
        j.reason,
        j.redelivery_key,
        repeat_of,
        j.answer.status,
        pairs_to_json(&j.answer.headers),
        j.answer.body,
        capture.elapsed_ms,
        capture.pinned,
        capture.note,
    ])?;
    let id = tx.last_insert_rowid();
    tx.prepare_cached("INSERT INTO captures_text (rowid, text) VALUES (?1, ?2)")?
        .execute(params![id, searchable_text(capture)])?;
    capture.id = id;
    capture.repeat_of = repeat_of;
    Ok(())
}

pub(super) fn pairs_to_json(pairs: &[(String, String)]) -> String {
    serde_json::to_string(pairs).expect("string pairs always serialize")
}

/// What free words in a filter search: path, query, headers, the summary and the body as text.
fn searchable_text(capture: &Capture) -> String {
    let r = &capture.request;
    let mut text = format!("{}\n{}\n{}\n", r.path, r.query, capture.judgement.summary);
    for (name, value) in &r.headers {
        text.push_str(&format!("{name}: {value}\n"));
    }
    let body = &r.body[..r.body.len().min(MAX_INDEXED_TEXT)];
    text.push_str(&String::from_utf8_lossy(body));
    text
}
