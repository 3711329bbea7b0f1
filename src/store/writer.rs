//! The single writer. It takes every job queued while the previous commit was on disk and
//! commits them together (group commit), then answers each waiting request.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use rusqlite::{params, Connection, Transaction};
use time::OffsetDateTime;
use tokio::sync::{broadcast, mpsc, oneshot, watch};

use super::checkpoint::Wal;
use super::outbox::{self, Attempt, Decision, Next, Routes};
use super::read::micros;
use super::{Change, Committed, NotSavedCause, Retention, StoreError};
use crate::capture::{Answer, Capture, Verdict};

/// Enough to amortise one fsync over a burst, small enough to keep latency flat.
const MAX_BATCH: usize = 512;
/// The most captures retention removes in one batch; it removes more in the next ones.
const PRUNE_AT_MOST: u64 = 128;

/// Where the writer reports a commit's outcome to the request waiting on it.
pub(super) type Waiter = oneshot::Sender<Result<Committed, StoreError>>;

pub(super) enum Job {
    Commit {
        capture: Box<Capture>,
        encoded: Encoded,
        routes: Routes,
        done: Waiter,
    },
    /// How long the answer took, and what it was when it was not the rule's (pass-through).
    Answered {
        id: i64,
        elapsed_ms: f64,
        answer: Option<Answer>,
    },
    Attempted {
        delivery: i64,
        attempt: Attempt,
        next: Next,
        done: oneshot::Sender<()>,
    },
    Replayed {
        capture: i64,
        target: String,
        edited: bool,
        attempt: Attempt,
        done: oneshot::Sender<Option<i64>>,
    },
    /// A change the user made to stored captures; `done` hears once it is committed.
    Edit {
        edit: Edit,
        done: oneshot::Sender<Result<(), StoreError>>,
    },
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
    Delivery { id: i64, decision: Decision },
}

/// Where the writer announces what it committed, its limits, and where damage found while the
/// store is in use is said.
pub(super) type Around = (
    broadcast::Sender<Arc<[Capture]>>,
    broadcast::Sender<Change>,
    watch::Receiver<Retention>,
    Arc<OnceLock<String>>,
);

pub(super) fn start(
    conn: Connection,
    inbox: mpsc::Receiver<Job>,
    (captures, changes, retention, damage): Around,
    wal: Wal,
) -> Result<(), StoreError> {
    let count: u64 = conn.query_row("SELECT count(*) FROM captures", [], |r| r.get(0))?;
    let last_id: i64 = conn.query_row("SELECT coalesce(max(id), 0) FROM captures", [], |r| {
        r.get(0)
    })?;
    let mut writer = Writer {
        last_id,
        conn,
        captures,
        changes,
        count,
        retention,
        damage,
        wal,
        failing: false,
        retry_asked: HashMap::new(),
    };
    std::thread::Builder::new()
        .name("hookscope-store".into())
        .spawn(move || writer.run(inbox))
        .map_err(|e| StoreError::Write(format!("could not start the writer thread: {e}")))?;
    Ok(())
}

struct Writer {
    conn: Connection,
    last_id: i64,
    captures: broadcast::Sender<Arc<[Capture]>>,
    changes: broadcast::Sender<Change>,
    count: u64,
    retention: watch::Receiver<Retention>,
    damage: Arc<OnceLock<String>>,
    wal: Wal,
    /// The last batch failed: its failure has been said already.
    failing: bool,
    /// Deliveries the user asked to retry now, and when, until their next attempt is
    /// recorded: an attempt already on its way when the user asked must not put the retry off.
    retry_asked: HashMap<i64, OffsetDateTime>,
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

    /// Commits one batch, applying its jobs in the order they came, and answers its waiters.
    /// Returns true when asked to close.
    fn write(&mut self, batch: Vec<Job>) -> bool {
        let (mut work, close): (Vec<Job>, Vec<Job>) = batch
            .into_iter()
            .partition(|job| !matches!(job, Job::Close { .. }));
        let outcome = match self.damage.get() {
            // Writing on over damage could spread it; and what is not committed is not
            // acknowledged, so the providers send it again once the store is replaced.
            Some(detail) => Err((
                format!("the capture store is damaged ({detail})"),
                NotSavedCause::Other,
            )),
            None => self
                .transaction(&mut work)
                .map_err(|e| (e.to_string(), NotSavedCause::of(&e))),
        };
        let wrote = outcome.is_ok();
        let (produced, changes) = match outcome {
            Ok((produced, mut changes)) => {
                if self.failing {
                    changes.push(Change::SavingAgain);
                }
                (produced, changes)
            }
            Err((e, cause)) => {
                let failed = || Produced::Failed(e.clone());
                // Damage is said on its own (`Change::Damaged`), when it is found.
                let said = if self.failing || self.damage.get().is_some() {
                    Vec::new()
                } else {
                    tracing::error!("capture store write failed: {e}");
                    vec![Change::NotSaved {
                        error: e.clone(),
                        cause,
                    }]
                };
                (work.iter().map(|_| failed()).collect(), said)
            }
        };
        self.failing = !wrote;
        self.answer_waiters(work, produced);
        for change in changes {
            let _ = self.changes.send(change);
        }
        if close.is_empty() {
            if wrote {
                self.wal.after_batch(&self.conn);
            }
            return false;
        }
        let _ = self.conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)");
        for job in close {
            if let Job::Close { done } = job {
                let _ = done.send(());
            }
        }
        true
    }

    /// Announces the batch's captures and then answers each job's waiter. The captures go out
    /// together before any is acknowledged: one message and one wake-up for each listener of
    /// the broadcast, instead of one for each capture.
    fn answer_waiters(&self, work: Vec<Job>, produced: Vec<Produced>) {
        let mut committed = Vec::new();
        let mut announced = Vec::new();
        for (job, made) in work.into_iter().zip(produced) {
            match (job, made) {
                (Job::Commit { capture, done, .. }, Produced::Routed(deliveries)) => {
                    let done_with = Committed {
                        id: capture.id,
                        repeat_of: capture.repeat_of,
                        deliveries,
                    };
                    announced.push(*capture);
                    committed.push((done, done_with));
                }
                (Job::Commit { done, .. }, Produced::Failed(e)) => {
                    let _ = done.send(Err(StoreError::Write(e)));
                }
                (Job::Attempted { done, .. }, Produced::Nothing) => {
                    let _ = done.send(());
                }
                (Job::Edit { done, .. }, made) => {
                    let _ = done.send(match made {
                        Produced::Failed(e) => Err(StoreError::Write(e)),
                        _ => Ok(()),
                    });
                }
                (Job::Replayed { done, .. }, made) => {
                    let id = match made {
                        Produced::Replayed(id) => Some(id),
                        _ => None,
                    };
                    let _ = done.send(id);
                }
                _ => {}
            }
        }
        if !announced.is_empty() {
            let _ = self.captures.send(Arc::from(announced));
        }
        for (done, done_with) in committed {
            let _ = done.send(Ok(done_with));
        }
    }

    /// Applies a batch's jobs, bounds the WAL and prunes past the retention limits, in one
    /// transaction.
    fn transaction(&mut self, work: &mut [Job]) -> rusqlite::Result<(Vec<Produced>, Vec<Change>)> {
        let tx = self.conn.transaction()?;
        let mut tally = Tally {
            count: self.count,
            last_id: self.last_id,
        };
        let mut changes = Vec::new();
        let produced = work
            .iter_mut()
            .map(|job| apply_job(&tx, job, &mut tally, &mut self.retry_asked, &mut changes))
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let retention = *self.retention.borrow();
        self.wal.bound(&tx, retention.wal_bound())?;
        tally.count -= prune(&tx, retention, tally.count)?;
        tx.commit()?;
        (self.count, self.last_id) = (tally.count, tally.last_id);
        Ok((produced, changes))
    }
}

/// How many captures the store holds and the newest one's id, as a batch changes them.
struct Tally {
    count: u64,
    last_id: i64,
}

/// Applies one job of a batch; what it changed for the app goes to `changes`.
fn apply_job(
    tx: &Transaction,
    job: &mut Job,
    tally: &mut Tally,
    retry_asked: &mut HashMap<i64, OffsetDateTime>,
    changes: &mut Vec<Change>,
) -> rusqlite::Result<Produced> {
    Ok(match job {
        Job::Commit {
            capture,
            encoded,
            routes,
            ..
        } => {
            insert(tx, capture, encoded)?;
            tally.count += 1;
            tally.last_id = capture.id;
            Produced::Routed(outbox::route(tx, capture, routes)?)
        }
        Job::Answered {
            id,
            elapsed_ms,
            answer,
        } => {
            record_answer(tx, *id, *elapsed_ms, answer.as_ref(), changes)?;
            Produced::Nothing
        }
        Job::Attempted {
            delivery,
            attempt,
            next,
            ..
        } => {
            // Retry now, asked while this attempt was on its way, still stands: the
            // attempt's backoff would put it off until the old due time.
            let asked = retry_asked.remove(delivery);
            let next = match (*next, asked) {
                (Next::RetryAt(_), Some(asked)) if asked >= attempt.at => Next::RetryAt(asked),
                (next, _) => next,
            };
            let capture = outbox::attempted(tx, *delivery, attempt, next)?;
            changes.push(Change::Forwarded { capture });
            Produced::Nothing
        }
        Job::Replayed {
            capture,
            target,
            edited,
            attempt,
            ..
        } => {
            let id = outbox::replayed(tx, *capture, target, *edited, attempt)?;
            changes.push(Change::Forwarded { capture: *capture });
            Produced::Replayed(id)
        }
        Job::Edit {
            edit: Edit::Delivery { id, decision },
            ..
        } => {
            let now = OffsetDateTime::now_utc();
            if let Some(capture) = outbox::decide(tx, *id, *decision, now)? {
                if *decision == Decision::RetryNow {
                    retry_asked.insert(*id, now);
                }
                changes.push(Change::Forwarded { capture });
            }
            Produced::Nothing
        }
        Job::Edit { edit, .. } => {
            tally.count -= apply(tx, edit)?;
            if let Edit::Pin { id, .. } | Edit::Note { id, .. } = edit {
                changes.push(Change::Marked { capture: *id });
            }
            Produced::Nothing
        }
        Job::Close { .. } => Produced::Nothing,
    })
}

/// Records how long a capture's answer took, and the answer itself when a pass-through
/// target gave it instead of the rule.
fn record_answer(
    tx: &Transaction,
    id: i64,
    elapsed_ms: f64,
    answer: Option<&Answer>,
    changes: &mut Vec<Change>,
) -> rusqlite::Result<()> {
    tx.prepare_cached("UPDATE captures SET elapsed_ms = ?2 WHERE id = ?1")?
        .execute(params![id, elapsed_ms])?;
    if let Some(answer) = answer {
        tx.prepare_cached(
            "UPDATE captures SET response_status = ?2, response_headers = ?3,
                response_body = ?4 WHERE id = ?1",
        )?
        .execute(params![
            id,
            answer.status,
            pairs_to_json(&answer.headers),
            answer.body
        ])?;
        changes.push(Change::Answered {
            capture: id,
            status: answer.status,
        });
    }
    Ok(())
}

/// Removes the oldest unpinned captures past the retention limits, a few at a time (a
/// thousand at once held up every request of that batch by ~9 ms), never one whose delivery
/// still waits; returns how many it removed.
fn prune(tx: &Transaction, retention: Retention, count: u64) -> rusqlite::Result<u64> {
    let excess = retention.excess(count, file_bytes(tx)?).min(PRUNE_AT_MOST);
    if excess == 0 {
        return Ok(0);
    }
    let removed = tx
        .prepare_cached(
            "DELETE FROM captures WHERE id IN
               (SELECT id FROM captures WHERE pinned = 0 AND id NOT IN
                  (SELECT capture_id FROM deliveries WHERE state = 'waiting')
                ORDER BY id LIMIT ?1)
             RETURNING id",
        )?
        .query_map([excess], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<i64>>>()?;
    if let (Some(first), Some(last)) = (removed.iter().min(), removed.iter().max()) {
        outbox::forget(tx, *first..=*last)?;
    }
    Ok(removed.len() as u64)
}

/// What a job produced in a batch, for its waiter.
enum Produced {
    Nothing,
    Routed(Vec<outbox::Outbound>),
    Replayed(i64),
    /// The batch was not committed.
    Failed(String),
}

/// Bytes of the store file in use (free pages are reused, so the file stays near its peak).
/// Asked after every batch, so the statement is kept prepared.
fn file_bytes(conn: &Connection) -> rusqlite::Result<u64> {
    conn.prepare_cached(
        "SELECT (p.page_count - f.freelist_count) * s.page_size
         FROM pragma_page_count() p, pragma_freelist_count() f, pragma_page_size() s",
    )?
    .query_row([], |r| r.get(0))
}

/// Bytes the store takes on disk: the file's pages in use and its WAL.
pub(super) fn used_bytes(conn: &Connection) -> rusqlite::Result<u64> {
    let in_file = file_bytes(conn)?;
    let wal = conn
        .path()
        .map(|store| super::sqlite_files(Path::new(store))[1].clone());
    let in_wal = wal
        .and_then(|wal| std::fs::metadata(wal).ok())
        .map_or(0, |m| m.len());
    Ok(in_file + in_wal)
}

/// Applies a user's edit; returns how many captures it removed.
fn apply(tx: &Transaction, edit: &Edit) -> rusqlite::Result<u64> {
    let removed = match edit {
        Edit::Pin { id, pinned } => tx
            .prepare_cached("UPDATE captures SET pinned = ?2 WHERE id = ?1")?
            .execute(params![id, pinned])
            .map(|_| 0)?,
        Edit::Note { id, note } => tx
            .prepare_cached("UPDATE captures SET note = ?2 WHERE id = ?1")?
            .execute(params![id, note])
            .map(|_| 0)?,
        Edit::Delete { ids } => {
            let mut delete = tx.prepare_cached("DELETE FROM captures WHERE id = ?1")?;
            let mut removed = 0;
            for id in ids {
                removed += delete.execute([id])?;
            }
            if let (Some(first), Some(last)) = (ids.iter().min(), ids.iter().max()) {
                outbox::forget(tx, *first..=*last)?;
            }
            removed
        }
        Edit::Clear => {
            let removed = tx.execute("DELETE FROM captures", [])?;
            outbox::forget(tx, i64::MIN..=i64::MAX)?;
            removed
        }
        Edit::Delivery { .. } => 0,
    };
    Ok(removed as u64)
}

/// The columns of a capture's row that take work to encode, encoded in the request's own task
/// so that the one writer thread does only SQL.
pub(super) struct Encoded {
    headers: String,
    response_headers: String,
    reason_code: Option<String>,
}

impl Encoded {
    pub(super) fn of(capture: &Capture) -> Encoded {
        let j = &capture.judgement;
        Encoded {
            headers: capture.request.headers_json().to_string(),
            response_headers: pairs_to_json(&j.answer.headers),
            reason_code: j
                .reason
                .as_ref()
                .map(|r| serde_json::to_string(r).expect("a reason is plain data")),
        }
    }
}

fn insert(tx: &Transaction, capture: &mut Capture, encoded: &Encoded) -> rusqlite::Result<()> {
    let r = &capture.request;
    let j = &capture.judgement;
    // Only an accepted capture can be the first of its key: a forged Reestr notification
    // refused for its secret_key must not make the genuine one that follows look repeated.
    let repeat_of: Option<i64> = match (&j.redelivery_key, j.verdict) {
        (Some(key), Verdict::Ok) => tx
            .prepare_cached(
                "SELECT coalesce(repeat_of, id) FROM captures
                 WHERE provider = ?1 AND redelivery_key = ?2 AND verdict = 'ok'
                 ORDER BY id LIMIT 1",
            )?
            .query_row(params![j.provider.name(), key], |row| row.get(0))
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(e),
            })?,
        _ => None,
    };
    tx.prepare_cached(
        "INSERT INTO captures (received_at, remote_addr, method, path, query, headers, body, size,
            provider, event, summary, verdict, reason, reason_code, redelivery_key, repeat_of,
            response_status, response_headers, response_body, elapsed_ms, pinned, note, host_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
            ?19, ?20, ?21, ?22, ?23)",
    )?
    .execute(params![
        micros(r.received_at),
        r.remote_addr,
        r.method,
        r.path,
        r.query,
        encoded.headers,
        r.body,
        r.size as i64,
        j.provider.name(),
        j.event,
        j.summary,
        j.verdict.name(),
        j.reason_text(),
        encoded.reason_code,
        j.redelivery_key,
        repeat_of,
        j.answer.status,
        encoded.response_headers,
        j.answer.body,
        capture.elapsed_ms,
        capture.pinned,
        capture.note,
        capture.host_id,
    ])?;
    capture.id = tx.last_insert_rowid();
    capture.repeat_of = repeat_of;
    Ok(())
}

pub(super) fn pairs_to_json(pairs: &[(String, String)]) -> String {
    serde_json::to_string(pairs).expect("string pairs always serialize")
}
