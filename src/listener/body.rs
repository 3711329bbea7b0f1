//! Reading a request body: within the size limit, the read timeout, and a memory budget shared
//! by every request, so that many large uploads at once cannot take the machine's memory.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use http_body_util::BodyExt;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Of a body that broke off or stopped arriving, this much is kept: enough to see what it was,
/// not the gigabytes an aborted upload can send first.
pub const KEPT_OF_UNFINISHED: usize = 64 * 1024;

/// Memory for bodies being received, counted in KiB (a semaphore takes at most 2³² at once).
#[derive(Clone)]
pub struct BodyBudget {
    kib: Arc<Semaphore>,
}

impl BodyBudget {
    pub fn new(bytes: u64) -> BodyBudget {
        let kib = (bytes / 1024).clamp(1, Semaphore::MAX_PERMITS as u64) as usize;
        BodyBudget {
            kib: Arc::new(Semaphore::new(kib)),
        }
    }

    /// Grows `held` to cover `bytes`; false when the budget is spent.
    fn cover(&self, held: &mut Held, bytes: usize) -> bool {
        let needed = bytes.div_ceil(1024);
        if needed <= held.kib {
            return true;
        }
        // Ask for room ahead, so that a body arriving in small frames asks rarely.
        let more = (needed - held.kib).max(64).min(u32::MAX as usize);
        match self.kib.clone().try_acquire_many_owned(more as u32) {
            Ok(permit) => {
                held.kib += more;
                match &mut held.permit {
                    Some(all) => all.merge(permit),
                    None => held.permit = Some(permit),
                }
                true
            }
            Err(_) => false,
        }
    }
}

/// The part of the budget one body holds until the request is answered.
#[derive(Default)]
pub struct Held {
    kib: usize,
    permit: Option<OwnedSemaphorePermit>,
}

/// How reading a request body ended.
pub enum BodyRead {
    Whole(Vec<u8>),
    TooLarge {
        seen: u64,
    },
    OverBudget {
        seen: u64,
    },
    /// What came of a body that stopped arriving or broke off: `seen` bytes, of which `kept`
    /// holds the first [`KEPT_OF_UNFINISHED`].
    TimedOut {
        kept: Vec<u8>,
        seen: u64,
    },
    Broken {
        kept: Vec<u8>,
        seen: u64,
        error: String,
    },
}

/// Reads `body`, holding its bytes in `held`. A body still arriving after `timeout`, or broken
/// off, is captured as far as it got (its first [`KEPT_OF_UNFINISHED`] bytes).
pub async fn read_body(
    body: Body,
    declared: Option<u64>,
    limit: u64,
    timeout: Duration,
    budget: &BodyBudget,
    held: &mut Held,
) -> BodyRead {
    if let Some(size) = declared.filter(|&size| size > limit) {
        return BodyRead::TooLarge { seen: size };
    }
    let expected = declared.unwrap_or(0) as usize;
    if !budget.cover(held, expected) {
        return BodyRead::OverBudget {
            seen: expected as u64,
        };
    }
    let mut body = body;
    let mut bytes = Vec::with_capacity(expected);
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        match tokio::time::timeout_at(deadline, body.frame()).await {
            Err(_) => {
                let (kept, seen) = unfinished(bytes);
                return BodyRead::TimedOut { kept, seen };
            }
            Ok(None) => return BodyRead::Whole(bytes),
            Ok(Some(Err(e))) => {
                let (kept, seen) = unfinished(bytes);
                let error = e.to_string();
                return BodyRead::Broken { kept, seen, error };
            }
            Ok(Some(Ok(frame))) => {
                let Ok(data) = frame.into_data() else {
                    continue;
                };
                let seen = bytes.len() + data.len();
                if seen as u64 > limit {
                    return BodyRead::TooLarge { seen: seen as u64 };
                }
                if !budget.cover(held, seen) {
                    return BodyRead::OverBudget { seen: seen as u64 };
                }
                bytes.extend_from_slice(&data);
            }
        }
    }
}

fn unfinished(mut bytes: Vec<u8>) -> (Vec<u8>, u64) {
    let seen = bytes.len() as u64;
    bytes.truncate(KEPT_OF_UNFINISHED);
    bytes.shrink_to_fit();
    (bytes, seen)
}
