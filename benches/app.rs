//! App benchmark: the real window state (driven headless through egui_kittest) over a store of
//! 100 000 captures, against the same app over 100 captures in the same run.
//!
//! `cargo bench --bench app` — HOOKSCOPE_BENCH_CAPTURES changes the large store's size.
//! Reports start-up to a filled table (the newest page) and to every row read, the cost of one
//! frame, a filter change until the table shows its result, the bytes on disk per capture
//! (store and search index) and the resident memory the captures add.

use std::time::{Duration, Instant};

use egui_kittest::kittest::{by, Queryable};
use egui_kittest::Harness;
use hookscope::capture::{Capture, Incoming};
use hookscope::config::{Config, Paths};
use hookscope::gui::{App, Remembered};
use hookscope::providers;
use hookscope::store::Store;

const BODY: &str = include_str!("../assets/samples/green-api-incoming-extended-text.json");

struct Figures {
    startup: Duration,
    every_row: Duration,
    /// Bytes on disk per capture: the store, and the search index once caught up.
    store_per_capture: f64,
    index_per_capture: f64,
    index: Duration,
    frame: Duration,
    filter: Duration,
    /// The slowest frame while 1 000 webhooks a second arrive at the listener.
    flood_frame: Duration,
    rss_mb: f64,
    rss_total_mb: f64,
}

fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Fills a store with `count` GREEN-API captures, one in 50 mentioning "Омск".
fn seed(runtime: &tokio::runtime::Runtime, paths: &Paths, count: usize) {
    runtime.block_on(async {
        let retention = hookscope::store::Retention {
            max_captures: count as u64 + 10,
            max_bytes: u64::MAX,
        };
        let store = Store::open(&paths.store_file(), retention).unwrap();
        let config = Config::default();
        let mut pending = Vec::new();
        for n in 0..count {
            let text = if n % 50 == 0 {
                "Доставка в Омск"
            } else {
                "Здравствуйте"
            };
            let body = BODY
                .replace("3EB0C1D2E3F40516", &format!("ID{n}"))
                .replace("Здравствуйте", text);
            let request = Incoming {
                received_at: time::OffsetDateTime::now_utc(),
                remote_addr: "127.0.0.1:1".into(),
                method: "POST".into(),
                path: "/green-api".into(),
                query: String::new(),
                headers: vec![("content-type".into(), "application/json".into())],
                size: body.len() as u64,
                body: body.into_bytes(),
            };
            let judgement = providers::judge(&request, &config);
            let store = store.clone();
            pending.push(tokio::spawn(async move {
                store
                    .commit(Capture::new(request, judgement))
                    .await
                    .unwrap()
            }));
            if pending.len() == 512 {
                for p in pending.drain(..) {
                    p.await.unwrap();
                }
            }
        }
        for p in pending {
            p.await.unwrap();
        }
        store.close().await;
    });
}

fn measure(count: usize) -> Figures {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths {
        config_file: dir.path().join("config.toml"),
        data_dir: dir.path().join("data"),
    };
    seed(&runtime, &paths, count);
    let before = rss_mb();

    let started = Instant::now();
    let mut config = Config::default();
    config.listener.listen = "127.0.0.1:0".parse().unwrap();
    config.api.listen = "127.0.0.1:0".parse().unwrap();
    // Room for the seeded captures and the flood: retention must not prune what is measured.
    config.listener.max_captures = count as u64 + 10_000;
    config.listener.max_store_bytes = u64::MAX;
    config.window.theme = hookscope::config::Theme::Dark;
    config.window.language = Some(hookscope::config::Language::English);
    let engine = runtime.block_on(hookscope::engine::Engine::start(
        config.clone(),
        &paths.store_file(),
    ));
    let addr = engine.as_ref().unwrap().local_addr();
    let handle = runtime.handle().clone();
    let store_file = paths.store_file();
    let remembered = Remembered::default();
    let mut harness = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_eframe(move |cc| {
            App::new(cc, engine, config, paths, handle).remembering(remembered)
        });
    let total = format!("{count} total");
    while harness.query_by_label(&total).is_none()
        || harness.query_by_label_contains("Time, ").is_none()
    {
        harness.step();
        std::thread::sleep(Duration::from_millis(1));
    }
    let startup = started.elapsed();
    while harness.query_by_label_contains("reading older").is_some() {
        harness.step();
        std::thread::sleep(Duration::from_millis(1));
    }
    let every_row = started.elapsed();

    // Free words use the search index, built behind the writer; measure with it caught up.
    let started = Instant::now();
    let raw = rusqlite::Connection::open(&store_file).unwrap();
    raw.execute(
        "ATTACH DATABASE ?1 AS search",
        [hookscope::store::search_index_path(&store_file).to_string_lossy()],
    )
    .unwrap();
    let caught_up = || -> bool {
        raw.query_row(
            "SELECT (SELECT indexed_upto FROM search.search_progress)
                 >= (SELECT max(id) FROM captures)",
            [],
            |r| r.get(0),
        )
        .unwrap()
    };
    while !caught_up() {
        harness.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    let index = started.elapsed();
    let on_disk = |database: &std::path::Path| -> f64 {
        ["", "-wal"]
            .iter()
            .map(|suffix| {
                let mut file = database.as_os_str().to_owned();
                file.push(suffix);
                std::fs::metadata(file).map_or(0, |m| m.len())
            })
            .sum::<u64>() as f64
            / count as f64
    };
    let store_per_capture = on_disk(&store_file);
    let index_per_capture = on_disk(&hookscope::store::search_index_path(&store_file));

    // One frame: the whole window, table and detail pane, nothing arriving, index caught up.
    for _ in 0..10 {
        harness.step();
    }
    let frames = 100;
    let started = Instant::now();
    for _ in 0..frames {
        harness.step();
    }
    let frame = started.elapsed() / frames;

    harness.key_press(egui::Key::Slash);
    harness.step();
    let started = Instant::now();
    harness
        .get(by().predicate(|n| n.is_focused()))
        .type_text("Омск");
    harness.step();
    while harness.query_by_label("Filtering…").is_some()
        || harness
            .query_all_by_label_contains("Доставка в Омск")
            .next()
            .is_none()
    {
        harness.step();
    }
    let filter = started.elapsed();

    // 1 000 webhooks a second for two seconds, through the real listener, while frames run.
    harness.key_press(egui::Key::Escape);
    harness.step();
    let base = format!("http://{addr}/green-api");
    let flood = runtime.spawn(async move {
        let client = reqwest::Client::new();
        let mut tick = tokio::time::interval(Duration::from_millis(1));
        let mut sent = Vec::new();
        for n in 0..2000 {
            tick.tick().await;
            let request = client
                .post(&base)
                .body(BODY.replace("3EB0C1D2E3F40516", &format!("F{n}")));
            sent.push(tokio::spawn(async move { request.send().await.is_ok() }));
        }
        for s in sent {
            s.await.unwrap();
        }
    });
    let mut flood_frame = Duration::ZERO;
    let expected = format!("{} total", count + 2000);
    while harness.query_by_label(&expected).is_none() {
        let frame = Instant::now();
        harness.step();
        flood_frame = flood_frame.max(frame.elapsed());
        std::thread::sleep(Duration::from_millis(4));
    }
    runtime.block_on(flood).unwrap();
    let rss_total_mb = rss_mb();
    let rss_mb = rss_total_mb - before;
    drop(harness);
    Figures {
        startup,
        every_row,
        store_per_capture,
        index_per_capture,
        index,
        frame,
        filter,
        flood_frame,
        rss_mb,
        rss_total_mb,
    }
}

fn main() {
    let large = std::env::var("HOOKSCOPE_BENCH_CAPTURES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let small = measure(100);
    let big = measure(large);
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("app benchmark: {large} captures against 100, headless (egui_kittest, no GPU)");
    println!("{:<36} {:>12} {:>12} {:>8}", "", "100", large, "ratio");
    let row = |name: &str, a: f64, b: f64, unit: &str| {
        println!(
            "{name:<36} {:>9.2} {unit:<2} {:>9.2} {unit:<2} {:>8.2}",
            a,
            b,
            b / a.max(1e-9)
        );
    };
    row(
        "start-up to a filled table",
        ms(small.startup),
        ms(big.startup),
        "ms",
    );
    row(
        "start-up to every row read",
        ms(small.every_row),
        ms(big.every_row),
        "ms",
    );
    row(
        "one frame of the whole window",
        ms(small.frame),
        ms(big.frame),
        "ms",
    );
    row(
        "filter change to updated table",
        ms(small.filter),
        ms(big.filter),
        "ms",
    );
    row(
        "search index catching up after start",
        ms(small.index),
        ms(big.index),
        "ms",
    );
    row(
        "slowest frame, 1000 webhooks/s",
        ms(small.flood_frame),
        ms(big.flood_frame),
        "ms",
    );
    row(
        "store on disk per capture",
        small.store_per_capture,
        big.store_per_capture,
        "B",
    );
    row(
        "search index per capture",
        small.index_per_capture,
        big.index_per_capture,
        "B",
    );
    row("resident memory added", small.rss_mb, big.rss_mb, "MB");
    row(
        "resident memory of the process",
        small.rss_total_mb,
        big.rss_total_mb,
        "MB",
    );
}
