//! The outbox worker: delivers each queue's first waiting delivery when it is due, one at a
//! time per queue (a target and a provider) so that order holds, all queues at once.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;
use tokio::sync::Notify;
use tokio::task::JoinSet;

use super::{backoff, send, url_for, ATTEMPT_TIMEOUT, GIVE_UP_AFTER};
use crate::capture::{Capture, DeliveryState, Provider};
use crate::store::{
    Decision, Delivery, Due, Edit, Next, Store, StoreError, StoreReader, KEPT_BODY,
};

/// A handle to the running outbox: wakes it, and passes on the user's say over a delivery.
#[derive(Clone)]
pub struct Outbox {
    store: Store,
    wake: Arc<Notify>,
}

impl Outbox {
    /// Starts delivering what waits in `store`; the task runs until aborted.
    pub fn start(store: Store) -> (Outbox, tokio::task::JoinHandle<()>) {
        let wake = Arc::new(Notify::new());
        let task = tokio::spawn(run(store.clone(), wake.clone()));
        (Outbox { store, wake }, task)
    }

    /// Deliveries were created, or may be due sooner than the outbox expects.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Retries a delivery now, or skips it. The worker is woken once the decision is
    /// committed: woken before, it read the old due time and slept until then.
    pub async fn decide(&self, delivery: i64, decision: Decision) -> Result<(), StoreError> {
        self.store
            .edit(Edit::Delivery {
                id: delivery,
                decision,
            })
            .await?;
        self.wake();
        Ok(())
    }
}

/// How long the worker sleeps when nothing is scheduled; a commit or a user wakes it sooner.
const IDLE: Duration = Duration::from_secs(30);
/// Deliveries sent whose records may still be on their way to the store: what a crash can
/// make a target see twice.
const UNRECORDED: usize = 16;

/// Delivers until aborted (the engine stops it before closing the store). `wake` is notified
/// when deliveries are created or a user asks for a retry. An attempt cut off by the stop is
/// simply tried again after a restart: a target may see a delivery twice, never lose one.
async fn run(store: Store, wake: Arc<Notify>) {
    let http = super::client();
    let mut reader: Option<StoreReader> = None;
    let mut running: JoinSet<(String, Provider)> = JoinSet::new();
    let mut busy: HashSet<(String, Provider)> = HashSet::new();
    loop {
        let Due { ready, next } = match due(&store, &mut reader).await {
            Ok(found) => found,
            Err(e) => {
                tracing::warn!("the outbox could not read the store: {e}");
                Due {
                    ready: Vec::new(),
                    next: Some(OffsetDateTime::now_utc() + Duration::from_secs(5)),
                }
            }
        };
        for run in ready {
            let Some((first, _)) = run.first() else {
                continue;
            };
            let queue = (first.target.clone(), first.provider);
            if busy.insert(queue.clone()) {
                let (store, http) = (store.clone(), http.clone());
                running.spawn(async move {
                    deliver(&store, &http, run).await;
                    queue
                });
            }
        }
        let sleep = next
            .map(|at| {
                (at - OffsetDateTime::now_utc())
                    .try_into()
                    .unwrap_or(Duration::ZERO)
            })
            .unwrap_or(IDLE)
            .min(IDLE);
        tokio::select! {
            _ = wake.notified() => {}
            _ = tokio::time::sleep(sleep) => {}
            Some(Ok(queue)) = running.join_next(), if !running.is_empty() => {
                busy.remove(&queue);
            }
        }
    }
}

/// Reads what is due on a blocking thread, keeping the read connection between rounds.
async fn due(store: &Store, reader: &mut Option<StoreReader>) -> Result<Due, String> {
    let open = match reader.take() {
        Some(open) => open,
        None => store.reader().map_err(|e| e.to_string())?,
    };
    let (open, found) = tokio::task::spawn_blocking(move || {
        let found = open.due(OffsetDateTime::now_utc());
        (open, found)
    })
    .await
    .map_err(|e| e.to_string())?;
    *reader = Some(open);
    found.map_err(|e| e.to_string())
}

/// Delivers a queue's due run in order, stopping at the first that is not taken. Attempts
/// are recorded as they happen, without waiting for each commit, but never more than
/// [`UNRECORDED`] ahead of the store; the run ends when all are committed, so that the next
/// read of the queue sees them. (A crash before a record is committed makes that delivery go
/// once more: a target may see the last few deliveries twice, never lose one.)
async fn deliver(store: &Store, http: &reqwest::Client, run: Vec<(Delivery, Capture)>) {
    let mut records = JoinSet::new();
    for (delivery, capture) in run {
        while records.len() >= UNRECORDED {
            said_if_failed(records.join_next().await);
        }
        let (attempt, _) = send(
            http,
            &capture,
            (&url_for(&capture, &delivery.target), delivery.keep_host),
            (Some(store), delivery.attempt_count),
            ATTEMPT_TIMEOUT,
            KEPT_BODY,
        )
        .await;
        let taken = attempt.outcome.is_success();
        let next = next_after(&delivery, &attempt.outcome, attempt.at);
        let store = store.clone();
        records.spawn(async move { store.record_attempt(delivery.id, attempt, next).await });
        if !taken {
            break;
        }
    }
    while !records.is_empty() {
        said_if_failed(records.join_next().await);
    }
}

fn said_if_failed(
    recorded: Option<Result<Result<(), crate::store::StoreError>, tokio::task::JoinError>>,
) {
    if let Some(Ok(Err(e))) = recorded {
        tracing::warn!("could not record a delivery attempt: {e}");
    }
}

/// Delivered on a 2xx; else tried again after a growing pause, for a day at most.
pub fn next_after(
    delivery: &Delivery,
    outcome: &crate::store::Outcome,
    at: OffsetDateTime,
) -> Next {
    if outcome.is_success() {
        Next::Done(DeliveryState::Delivered)
    } else if at - delivery.created_at > GIVE_UP_AFTER {
        Next::Done(DeliveryState::GaveUp)
    } else {
        Next::RetryAt(at + backoff(delivery.attempt_count))
    }
}
