//! Load benchmark: the real listener (judge, commit, then acknowledge) against a bare axum
//! handler that reads the body and stores nothing, driven the same way in the same run; then
//! the listener with a forward rule (the outbox delivering to a bare handler) against without,
//! and a pass-through against calling its target directly.
//!
//! `cargo bench --bench listener` — set HOOKSCOPE_BENCH_REQUESTS / HOOKSCOPE_BENCH_CONNECTIONS
//! to change the load (defaults 20000 requests over 32 keep-alive connections).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use hookscope::config::{Config, ForwardMode, ForwardRule};
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
        config.listener.max_captures = 10_000_000;
        let mut engine = Engine::start(config.clone(), &dir.path().join("captures.sqlite3"))
            .await
            .unwrap();
        let bare = bare_axum().await;
        let target = bare_axum().await;

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

        // The same load with a forward rule: every capture also gets a delivery in the outbox.
        let rule = |mode, tag: &str| ForwardRule {
            target: format!("http://{target}/hooks"),
            filter: format!("path:/green-api/{tag}"),
            mode,
            ..ForwardRule::default()
        };
        let mut forwarding = config.clone();
        forwarding.forward = vec![
            rule(ForwardMode::Inspect, "forward"),
            rule(ForwardMode::PassThrough, "pass"),
        ];
        engine.set_config(forwarding);
        let without = drive(engine.local_addr(), requests, connections, "plain").await;
        let with = drive(engine.local_addr(), requests, connections, "forward").await;
        let sent = Instant::now();
        let reader = engine.store().reader().unwrap();
        let delivered = loop {
            let waiting = reader.forwards(true, 1).unwrap().len();
            if waiting == 0 || sent.elapsed() > Duration::from_secs(120) {
                break waiting == 0;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        let drained = sent.elapsed();
        println!();
        println!("forwarding: the same load, alternately without and with an inspect-mode rule");
        println!("{:<34} {:>10} {:>9} {:>9}", "", "req/s", "p50 ms", "p99 ms");
        row("capture, no rule matches", &without);
        row("capture + outbox delivery", &with);
        println!(
            "ratio with a forward rule to without: {:.2}; the outbox {} {:.1} s after the last acknowledgement",
            with.per_second / without.per_second,
            if delivered { "had delivered every capture" } else { "still had deliveries waiting" },
            drained.as_secs_f64()
        );

        // Pass-through: what hookscope adds to calling the target directly.
        let pass_connections = connections.min(8);
        let pass_requests = requests / 4;
        let direct = drive(target, pass_requests, pass_connections, "direct").await;
        let pass = drive(engine.local_addr(), pass_requests, pass_connections, "pass").await;
        println!();
        println!("pass-through: {pass_requests} requests over {pass_connections} connections");
        println!("{:<34} {:>10} {:>9} {:>9}", "", "req/s", "p50 ms", "p99 ms");
        row("the target called directly", &direct);
        row("through hookscope (pass-through)", &pass);
        println!(
            "added by hookscope: p50 {:+.2} ms, p99 {:+.2} ms",
            (pass.p50.as_secs_f64() - direct.p50.as_secs_f64()) * 1000.0,
            (pass.p99.as_secs_f64() - direct.p99.as_secs_f64()) * 1000.0
        );
        engine.stop().await;
    });
}
