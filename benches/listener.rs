//! Load benchmark: the real listener (judge, commit, then acknowledge) against a bare axum
//! handler that reads the body and stores nothing, driven the same way in the same run.
//!
//! `cargo bench --bench listener` — set HOOKSCOPE_BENCH_REQUESTS / HOOKSCOPE_BENCH_CONNECTIONS
//! to change the load (defaults 20000 requests over 32 keep-alive connections).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use hookscope::config::Config;
use hookscope::engine::Engine;

const BODY: &str = r#"{"typeWebhook":"incomingMessageReceived","instanceData":{"idInstance":7103000001,"wid":"79990000001@c.us","typeInstance":"whatsapp"},"timestamp":1763800000,"idMessage":"ID","senderData":{"chatId":"79161234567@c.us","sender":"79161234567@c.us","chatName":"Иван","senderName":"Иван"},"messageData":{"typeMessage":"textMessage","textMessageData":{"textMessage":"Здравствуйте, заказ готов?"}}}"#;

struct Run {
    per_second: f64,
    p50: Duration,
    p99: Duration,
    acknowledged: usize,
}

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `requests` POSTs spread over `connections` keep-alive connections; each body is unique.
async fn drive(addr: SocketAddr, requests: usize, connections: usize, tag: &str) -> Run {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .build()
        .unwrap();
    let url = format!("http://{addr}/green-api/{tag}");
    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..connections {
        let (client, url, tag) = (client.clone(), url.clone(), tag.to_string());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            for n in (worker..requests).step_by(connections) {
                let body = BODY.replace("\"ID\"", &format!("\"{tag}-{n}\""));
                let sent = Instant::now();
                let ok = client
                    .post(&url)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success());
                if ok {
                    latencies.push(sent.elapsed());
                }
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.unwrap());
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    Run {
        per_second: latencies.len() as f64 / elapsed.as_secs_f64(),
        p50: at(0.50),
        p99: at(0.99),
        acknowledged: latencies.len(),
    }
}

async fn bare_axum() -> SocketAddr {
    let app = axum::Router::new().fallback(|body: axum::body::Bytes| async move {
        std::hint::black_box(body);
        axum::http::StatusCode::OK
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

fn row(name: &str, run: &Run) {
    println!(
        "{name:<34} {:>10.0} {:>9.2} {:>9.2}",
        run.per_second,
        run.p50.as_secs_f64() * 1000.0,
        run.p99.as_secs_f64() * 1000.0
    );
}

fn main() {
    let requests = setting("HOOKSCOPE_BENCH_REQUESTS", 20_000);
    let connections = setting("HOOKSCOPE_BENCH_CONNECTIONS", 32);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::default();
        config.listener.listen = "127.0.0.1:0".parse().unwrap();
        let engine = Engine::start(config, &dir.path().join("captures.sqlite3"))
            .await
            .unwrap();
        let bare = bare_axum().await;

        // Warm both up (connections, page cache, allocator) before measuring.
        drive(bare, 500, connections, "warm").await;
        drive(engine.local_addr(), 500, connections, "warm").await;

        let ceiling = drive(bare, requests, connections, "bare").await;
        let real = drive(engine.local_addr(), requests, connections, "real").await;
        let stored = engine
            .store()
            .reader()
            .unwrap()
            .list(&hookscope::filter::Filter::parse("path:/green-api/real").unwrap(), None)
            .unwrap()
            .len();

        println!(
            "listener benchmark: {requests} requests over {connections} connections, {} cores, loopback",
            std::thread::available_parallelism().map_or(1, |n| n.get())
        );
        println!("{:<34} {:>10} {:>9} {:>9}", "", "req/s", "p50 ms", "p99 ms");
        row("bare axum handler (stores nothing)", &ceiling);
        row("hookscope (commit, then answer)", &real);
        println!(
            "ratio to the bare handler: {:.2}",
            real.per_second / ceiling.per_second
        );
        println!(
            "acknowledged {} of {requests}; found in the store {stored} of {}",
            real.acknowledged, real.acknowledged
        );
        assert_eq!(stored, real.acknowledged, "an acknowledged capture is missing from the store");
        engine.stop().await;
    });
}
