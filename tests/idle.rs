//! An idle store: the threads behind its writer (checkpoints, the search index) wait for the
//! next commit instead of waking every few milliseconds to find nothing, and a commit still
//! reaches them at once. A test binary of its own, so that no other test's store runs beside.

mod common;

use std::time::{Duration, Instant};

use common::{capture_id, start};

/// Voluntary context switches of this process's checkpoint and indexing threads: how often
/// they went to sleep, so how often they woke.
#[cfg(target_os = "linux")]
fn wake_ups() -> u64 {
    let mut total = 0;
    for task in std::fs::read_dir("/proc/self/task").unwrap().flatten() {
        let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        if !matches!(comm.trim(), "hookscope-check" | "hookscope-index") {
            continue;
        }
        let status = std::fs::read_to_string(task.path().join("status")).unwrap_or_default();
        total += status
            .lines()
            .find_map(|l| l.strip_prefix("voluntary_ctxt_switches:"))
            .and_then(|n| n.trim().parse::<u64>().ok())
            .unwrap_or(0);
    }
    total
}

#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_store_wakes_its_threads_only_for_commits() {
    let l = start(|_| {}).await;
    let store = l.dir.path().join("captures.sqlite3");
    let index = rusqlite::Connection::open(hookscope::store::search_index_path(&store)).unwrap();
    let indexed = || -> i64 {
        index
            .query_row("SELECT indexed_upto FROM search_progress", [], |r| r.get(0))
            .unwrap()
    };
    let indexed_within = |id: i64, within: Duration| {
        let started = Instant::now();
        while indexed() < id {
            assert!(
                started.elapsed() < within,
                "#{id} not indexed within {within:?}"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        started.elapsed()
    };
    let first = capture_id(&l.post("/orders/1", &[], "{\"n\":1}").await);
    indexed_within(first, Duration::from_secs(10));
    // Both have looked once more and found nothing new.
    tokio::time::sleep(Duration::from_millis(500)).await;

    let before = wake_ups();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let woke = wake_ups() - before;
    // Looking every 20 ms and 100 ms, they woke ~120 times in these 2 s.
    assert!(woke <= 4, "woke {woke} times in 2 s with nothing to do");

    // A commit wakes the indexer: not after its longest wait (5 s).
    let second = capture_id(&l.post("/orders/2", &[], "{\"n\":2}").await);
    let took = indexed_within(second, Duration::from_secs(2));
    eprintln!("woke {woke} times in 2 s idle; the next capture indexed {took:?} after its answer");
}
