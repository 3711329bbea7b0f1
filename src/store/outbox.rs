//! The outbox: deliveries of captures to forward targets, kept in the store so that they
//! survive a restart or `kill -9`. A delivery is created in the same transaction as its
//! capture; each queue (a target and a provider) is delivered in the order captures arrived.

use std::ops::RangeInclusive;
use std::sync::Arc;
use std::time::Duration;

use rusqlite::{params, OptionalExtension, Row, Transaction};
use time::OffsetDateTime;

use super::read::{from_micros, micros, pairs};
use super::writer::pairs_to_json;
use super::{StoreError, StoreReader};
use crate::capture::{Capture, DeliveryState, Provider};
use crate::config::PassThroughConfig;
use crate::filter::Filter;

/// Where captures a filter matches are handed on.
#[derive(Clone, Debug)]
pub struct Route {
    pub filter: Filter,
    pub target: String,
    pub keep_host: bool,
    pub pass_through: bool,
}

/// The routes in force, and how long a pass-through may wait per provider.
#[derive(Clone, Debug, Default)]
pub struct Routes {
    pub list: Arc<[Route]>,
    pub pass_through: PassThroughConfig,
}

/// How the forwarding of the capture `captures.id` stands, in one word: waiting while any
/// delivery waits, else failed when any failed or was given up, else delivered, else skipped;
/// NULL when no rule forwarded it. Replays do not count. Where nothing was ever forwarded (the
/// uncorrelated check runs once per query), no row looks the deliveries up.
pub(super) const FORWARD_STATE: &str = "(CASE WHEN (SELECT 1 FROM deliveries LIMIT 1) IS NULL
    THEN NULL ELSE (SELECT CASE
        WHEN count(*) = 0 THEN NULL
        WHEN sum(f.state = 'waiting') > 0 THEN 'waiting'
        WHEN sum(f.state IN ('failed', 'gave-up')) > 0 THEN 'failed'
        WHEN sum(f.state = 'delivered') > 0 THEN 'delivered'
        ELSE 'skipped' END
    FROM deliveries f WHERE f.capture_id = captures.id AND f.replay = 0) END)";

/// One capture on its way to one target.
#[derive(Clone, Debug, PartialEq)]
pub struct Delivery {
    pub id: i64,
    pub capture_id: i64,
    pub provider: Provider,
    pub target: String,
    pub keep_host: bool,
    pub pass_through: bool,
    /// Sent by the user once, not by a forward rule.
    pub replay: bool,
    /// A replay the user changed (method, path, headers or body) before sending.
    pub edited: bool,
    pub state: DeliveryState,
    pub created_at: OffsetDateTime,
    pub next_at: OffsetDateTime,
    /// Oldest first; loaded by [`StoreReader::deliveries`], empty in lists.
    pub attempts: Vec<Attempt>,
    pub attempt_count: u32,
}

/// One try at a delivery.
#[derive(Clone, Debug, PartialEq)]
pub struct Attempt {
    pub at: OffsetDateTime,
    pub elapsed_ms: f64,
    pub outcome: Outcome,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// The target's answer; the body at most [`KEPT_BODY`] bytes.
    Answered {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// No answer, in words ("could not connect: connection refused").
    Failed(String),
}

impl Outcome {
    pub fn is_success(&self) -> bool {
        matches!(self, Outcome::Answered { status, .. } if (200..300).contains(status))
    }
}

/// How much of a target's answer body an attempt keeps.
pub const KEPT_BODY: usize = 64 * 1024;

/// What becomes of a delivery after an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    Done(DeliveryState),
    RetryAt(OffsetDateTime),
}

/// A delivery created with its capture, for the listener (pass-through) and the outbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outbound {
    pub id: i64,
    pub target: String,
    pub keep_host: bool,
    /// Its route is a pass-through one.
    pub pass_through: bool,
    /// The listener tries this one itself and answers with the target's answer: the first
    /// pass-through route, when nothing waits ahead of it in its queue.
    pub inline: bool,
}

/// Creates the deliveries for a capture just inserted. A pass-through delivery tried inline
/// is held from the outbox until its deadline has passed by a second, so that a crash
/// mid-attempt leaves it to the outbox.
pub(super) fn route(
    tx: &Transaction,
    capture: &Capture,
    routes: &Routes,
) -> rusqlite::Result<Vec<Outbound>> {
    let provider = capture.judgement.provider;
    let now = micros(capture.request.received_at);
    let hold = routes.pass_through.deadline(provider) + Duration::from_secs(1);
    let mut inline_taken = false;
    let mut created = Vec::new();
    for route in routes.list.iter().filter(|r| r.filter.matches(capture)) {
        let ahead: bool = tx
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM deliveries
                   WHERE state = 'waiting' AND target = ?1 AND provider = ?2)",
            )?
            .query_row(params![route.target, provider.name()], |r| r.get(0))?;
        let inline = route.pass_through && !ahead && !inline_taken;
        inline_taken |= inline;
        let next_at = if inline {
            now + hold.as_micros() as i64
        } else {
            now
        };
        tx.prepare_cached(
            "INSERT INTO deliveries (capture_id, provider, target, keep_host, pass_through,
                replay, state, created_at, next_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 0, 'waiting', ?6, ?7)",
        )?
        .execute(params![
            capture.id,
            provider.name(),
            route.target,
            route.keep_host,
            route.pass_through,
            now,
            next_at
        ])?;
        created.push(Outbound {
            id: tx.last_insert_rowid(),
            target: route.target.clone(),
            keep_host: route.keep_host,
            pass_through: route.pass_through,
            inline,
        });
    }
    Ok(created)
}

/// Removes the deliveries, and their attempts, of the deleted captures whose ids lie in
/// `ids`. Captures still there keep theirs: retention passes over pinned and waiting ones.
pub(super) fn forget(tx: &Transaction, ids: RangeInclusive<i64>) -> rusqlite::Result<()> {
    let (first, last) = ids.into_inner();
    tx.prepare_cached(
        "DELETE FROM attempts WHERE delivery_id IN
           (SELECT d.id FROM deliveries d WHERE d.capture_id BETWEEN ?1 AND ?2
              AND NOT EXISTS (SELECT 1 FROM captures c WHERE c.id = d.capture_id))",
    )?
    .execute([first, last])?;
    tx.prepare_cached(
        "DELETE FROM deliveries WHERE capture_id BETWEEN ?1 AND ?2
           AND NOT EXISTS (SELECT 1 FROM captures c WHERE c.id = deliveries.capture_id)",
    )?
    .execute([first, last])?;
    Ok(())
}

/// Records a replay and its one attempt.
pub(super) fn replayed(
    tx: &Transaction,
    capture_id: i64,
    target: &str,
    edited: bool,
    attempt: &Attempt,
) -> rusqlite::Result<i64> {
    let state = if attempt.outcome.is_success() {
        DeliveryState::Delivered
    } else {
        DeliveryState::Failed
    };
    let at = micros(attempt.at);
    tx.prepare_cached(
        "INSERT INTO deliveries (capture_id, provider, target, keep_host, pass_through, replay,
            edited, state, created_at, next_at)
         SELECT id, provider, ?2, 0, 0, 1, ?3, ?4, ?5, ?5 FROM captures WHERE id = ?1",
    )?
    .execute(params![capture_id, target, edited, state.name(), at])?;
    let id = tx.last_insert_rowid();
    attempted(tx, id, attempt, Next::Done(state))?;
    Ok(id)
}

/// Records an attempt and what becomes of its delivery.
/// Returns the delivery's capture.
pub(super) fn attempted(
    tx: &Transaction,
    delivery: i64,
    attempt: &Attempt,
    next: Next,
) -> rusqlite::Result<i64> {
    let (status, headers, body, error) = match &attempt.outcome {
        Outcome::Answered {
            status,
            headers,
            body,
        } => (Some(*status), pairs_to_json(headers), &body[..], ""),
        Outcome::Failed(error) => (None, "[]".to_string(), &[][..], error.as_str()),
    };
    tx.prepare_cached(
        "INSERT INTO attempts (delivery_id, at, elapsed_ms, status, headers, body, error)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        delivery,
        micros(attempt.at),
        attempt.elapsed_ms,
        status,
        headers,
        body,
        error
    ])?;
    let (state, next_at) = match next {
        Next::Done(state) => (state, micros(attempt.at)),
        Next::RetryAt(at) => (DeliveryState::Waiting, micros(at)),
    };
    tx.prepare_cached(
        "UPDATE deliveries SET state = ?2, next_at = ?3, attempts = attempts + 1 WHERE id = ?1
         RETURNING capture_id",
    )?
    .query_row(params![delivery, state.name(), next_at], |r| r.get(0))
}

/// The user's say over a delivery.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Try now, even one that was given up.
    RetryNow,
    Skip,
}

/// Applies a decision taken at `now`: Retry now makes the delivery due from then (its due time
/// is what the app shows as the next try, so never a made-up one). Returns the delivery's
/// capture, when the decision changed anything.
pub(super) fn decide(
    tx: &Transaction,
    delivery: i64,
    decision: Decision,
    now: OffsetDateTime,
) -> rusqlite::Result<Option<i64>> {
    match decision {
        Decision::RetryNow => tx
            .prepare_cached(
                "UPDATE deliveries SET state = 'waiting', next_at = ?2
                 WHERE id = ?1 AND replay = 0 RETURNING capture_id",
            )?
            .query_row(params![delivery, micros(now)], |r| r.get(0))
            .optional(),
        Decision::Skip => tx
            .prepare_cached(
                "UPDATE deliveries SET state = 'skipped' WHERE id = ?1 AND state = 'waiting'
                 RETURNING capture_id",
            )?
            .query_row([delivery], |r| r.get(0))
            .optional(),
    }
}

/// What the outbox can send now, and when more will be due.
#[derive(Debug, Default)]
pub struct Due {
    /// Per queue, the waiting deliveries that are due, in order (at most [`DUE_RUN`]), with
    /// their captures.
    pub ready: Vec<Vec<(Delivery, Capture)>>,
    pub next: Option<OffsetDateTime>,
}

/// How many deliveries of one queue the outbox takes at a time.
const DUE_RUN: usize = 64;

/// Waiting deliveries and how their target fares, per target.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetState {
    pub target: String,
    pub waiting: u64,
    /// The last attempt's outcome was a 2xx; `None` before any attempt.
    pub up: Option<bool>,
}

const DELIVERY_COLUMNS: &str = "d.id, d.capture_id, d.provider, d.target, d.keep_host,
    d.pass_through, d.replay, d.edited, d.state, d.created_at, d.next_at, d.attempts";

fn delivery_from_row(row: &Row) -> rusqlite::Result<Delivery> {
    Ok(Delivery {
        id: row.get("id")?,
        capture_id: row.get("capture_id")?,
        provider: Provider::from_name(&row.get::<_, String>("provider")?)
            .unwrap_or(Provider::Generic),
        target: row.get("target")?,
        keep_host: row.get("keep_host")?,
        pass_through: row.get("pass_through")?,
        replay: row.get("replay")?,
        edited: row.get("edited")?,
        state: DeliveryState::from_name(&row.get::<_, String>("state")?),
        created_at: from_micros(row.get("created_at")?),
        next_at: from_micros(row.get("next_at")?),
        attempts: Vec::new(),
        attempt_count: row.get("attempts")?,
    })
}

fn attempt_from_row(row: &Row) -> rusqlite::Result<Attempt> {
    let status: Option<u16> = row.get("status")?;
    Ok(Attempt {
        at: from_micros(row.get("at")?),
        elapsed_ms: row.get("elapsed_ms")?,
        outcome: match status {
            Some(status) => Outcome::Answered {
                status,
                headers: pairs(row.get("headers")?),
                body: row.get("body")?,
            },
            None => Outcome::Failed(row.get("error")?),
        },
    })
}

impl StoreReader {
    /// A capture's deliveries with their attempts, oldest first.
    pub fn deliveries(&self, capture_id: i64) -> Result<Vec<Delivery>, StoreError> {
        let mut list: Vec<Delivery> = self
            .conn
            .prepare_cached(&format!(
                "SELECT {DELIVERY_COLUMNS} FROM deliveries d WHERE d.capture_id = ?1 ORDER BY d.id"
            ))?
            .query_map([capture_id], delivery_from_row)?
            .collect::<Result<_, _>>()?;
        for delivery in &mut list {
            delivery.attempts = self.attempts(delivery.id)?;
        }
        Ok(list)
    }

    /// A delivery's attempts, oldest first.
    pub fn attempts(&self, delivery: i64) -> Result<Vec<Attempt>, StoreError> {
        let list = self
            .conn
            .prepare_cached(
                "SELECT at, elapsed_ms, status, headers, body, error FROM attempts
                 WHERE delivery_id = ?1 ORDER BY id",
            )?
            .query_map([delivery], attempt_from_row)?
            .collect::<Result<_, _>>()?;
        Ok(list)
    }

    /// Deliveries, newest first, at most `limit`; only the waiting ones when asked.
    pub fn forwards(&self, waiting_only: bool, limit: u64) -> Result<Vec<Delivery>, StoreError> {
        let condition = if waiting_only {
            "d.state = 'waiting'"
        } else {
            "1"
        };
        let list = self
            .conn
            .prepare(&format!(
                "SELECT {DELIVERY_COLUMNS} FROM deliveries d WHERE {condition}
                 ORDER BY d.id DESC LIMIT ?1"
            ))?
            .query_map([limit], delivery_from_row)?
            .collect::<Result<_, _>>()?;
        Ok(list)
    }

    /// The waiting deliveries of each queue that are due by `now`, from its first on, and when
    /// the next one that is not due yet will be.
    pub fn due(&self, now: OffsetDateTime) -> Result<Due, StoreError> {
        let heads: Vec<Delivery> = self
            .conn
            .prepare_cached(&format!(
                "SELECT {DELIVERY_COLUMNS} FROM deliveries d
                 WHERE d.state = 'waiting' AND d.id = (SELECT min(e.id) FROM deliveries e
                   WHERE e.state = 'waiting' AND e.target = d.target AND e.provider = d.provider)"
            ))?
            .query_map([], delivery_from_row)?
            .collect::<Result<_, _>>()?;
        let mut ready = Vec::new();
        let mut next: Option<OffsetDateTime> = None;
        let mut queue = self.conn.prepare_cached(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM deliveries d
             WHERE d.state = 'waiting' AND d.target = ?1 AND d.provider = ?2
             ORDER BY d.id LIMIT ?3"
        ))?;
        for head in heads {
            if head.next_at > now {
                next = Some(next.map_or(head.next_at, |n| n.min(head.next_at)));
                continue;
            }
            let mut run = Vec::new();
            let waiting = queue
                .query_map(
                    params![head.target, head.provider.name(), DUE_RUN as i64],
                    delivery_from_row,
                )?
                .collect::<Result<Vec<_>, _>>()?;
            for delivery in waiting.into_iter().take_while(|d| d.next_at <= now) {
                // A capture deleted meanwhile took its deliveries with it.
                if let Some(capture) = self.get(delivery.capture_id)? {
                    run.push((delivery, capture));
                }
            }
            ready.push(run);
        }
        Ok(Due { ready, next })
    }

    /// Each target that has deliveries: how many wait and whether its last attempt succeeded.
    pub fn targets(&self) -> Result<Vec<TargetState>, StoreError> {
        let list = self
            .conn
            .prepare_cached(
                "SELECT d.target,
                    (SELECT count(*) FROM deliveries w WHERE w.target = d.target
                       AND w.state = 'waiting') AS waiting,
                    (SELECT coalesce(a.status BETWEEN 200 AND 299, 0) FROM attempts a
                       JOIN deliveries e ON e.id = a.delivery_id
                       WHERE e.target = d.target ORDER BY a.id DESC LIMIT 1) AS up
                 FROM deliveries d WHERE d.replay = 0 GROUP BY d.target ORDER BY d.target",
            )?
            .query_map([], |row| {
                Ok(TargetState {
                    target: row.get("target")?,
                    waiting: row.get("waiting")?,
                    up: row.get("up")?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(list)
    }

    /// How the forwarding of each of `ids` stands (see `FORWARD_STATE`).
    pub fn forward_states(
        &self,
        ids: &[i64],
    ) -> Result<Vec<(i64, Option<DeliveryState>)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT id, {FORWARD_STATE} FROM captures WHERE id = ?1"
        ))?;
        let mut states = Vec::with_capacity(ids.len());
        for &id in ids {
            if let Some(state) = stmt
                .query_row([id], |r| r.get::<_, Option<String>>(1))
                .optional()?
            {
                states.push((id, state.map(|s| DeliveryState::from_name(&s))));
            }
        }
        Ok(states)
    }
}
