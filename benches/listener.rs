//! Load benchmark: the real listener (judge, commit, then acknowledge) against a bare axum
//! handler that reads the body and stores nothing, driven the same way in the same run; then
//! the listener with a forward rule (the outbox delivering to a bare handler) against without,
//! and a pass-through against calling its target directly.
//!
//! `cargo bench --bench listener` — set HOOKSCOPE_BENCH_REQUESTS / HOOKSCOPE_BENCH_CONNECTIONS
//! to change the load (defaults 20000 requests over 32 keep-alive connections).
//!
//! `HOOKSCOPE_BENCH_SUSTAINED_SECS=60 cargo bench --bench listener` instead keeps the load on
//! for that long in 10-s windows, the bare handler and hookscope alternately, and reports each
//! window: whether capture slows or stalls as the store fills, retention starts and the search
//! index falls behind.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use hookscope::config::{Config, ForwardMode, ForwardRule};
use hookscope::engine::Engine;

mod load;
use load::{drive, ms, quantile, row, setting, Until, BODY};

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

/// The load kept on in 10-s windows, the bare handler and hookscope alternately.
async fn sustained(seconds: usize, connections: usize) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::default();
    config.listener.listen = "127.0.0.1:0".parse().unwrap();
    config.api.listen = "127.0.0.1:0".parse().unwrap();
    let engine = Engine::start(config, &dir.path().join("captures.sqlite3"))
        .await
        .unwrap();
    let bare = bare_axum().await;
    let window = Until::Elapsed(Duration::from_secs(10));
    println!(
        "sustained load: {seconds} s over {connections} connections, {} cores, loopback; default retention (100 000)",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!(
        "{:<8} {:>12} {:>12} {:>9} {:>9} {:>9} {:>7}",
        "window", "bare req/s", "req/s", "p50 ms", "p99 ms", "max ms", "ratio"
    );
    let mut runs = Vec::new();
    for n in 0..seconds.div_ceil(10) {
        let ceiling = drive(bare, window, connections, &format!("bare{n}")).await;
        let real = drive(
            engine.local_addr(),
            window,
            connections,
            &format!("real{n}"),
        )
        .await;
        println!(
            "{:<8} {:>12.0} {:>12.0} {:>9.2} {:>9.2} {:>9.1} {:>7.2}",
            format!("{}-{} s", n * 10, n * 10 + 10),
            ceiling.per_second,
            real.per_second,
            ms(real.p50),
            ms(real.p99),
            ms(real.max),
            real.per_second / ceiling.per_second
        );
        runs.push((ceiling.per_second, real));
    }
    if let (Some((first_bare, first)), Some((last_bare, last))) = (runs.first(), runs.last()) {
        // The machine's own pace drifts over a minute; the bare handler's windows show how much.
        let first_ratio = first.per_second / first_bare;
        let last_ratio = last.per_second / last_bare;
        println!(
            "last window against the first: throughput {:+.0}% (as a ratio to the bare handler {:+.0}%), p99 {:.2}x",
            (last.per_second / first.per_second - 1.0) * 100.0,
            (last_ratio / first_ratio - 1.0) * 100.0,
            last.p99.as_secs_f64() / first.p99.as_secs_f64()
        );
    }
    engine.stop().await;
    killed_under_load(connections).await;
}

/// `hookscope serve` as its own process, killed with SIGKILL 3 s into a load: every capture it
/// acknowledged must be in the store when it is opened again.
async fn killed_under_load(connections: usize) {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let mut serve = std::process::Command::new(env!("CARGO_BIN_EXE_hookscope"))
        .arg("--config")
        .arg(dir.path().join("config.toml"))
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--api-listen",
            "127.0.0.1:0",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut said = std::io::BufReader::new(serve.stdout.take().unwrap());
    let mut first = String::new();
    said.read_line(&mut first).unwrap();
    // Keep reading what it prints, or its next line would find the pipe closed.
    std::thread::spawn(move || std::io::copy(&mut said, &mut std::io::sink()));
    let addr: SocketAddr = first
        .trim()
        .rsplit("http://")
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("serve did not say where it listens: {first:?}"));
    let load = tokio::spawn(drive(
        addr,
        Until::Elapsed(Duration::from_secs(6)),
        connections,
        "kill",
    ));
    tokio::time::sleep(Duration::from_secs(3)).await;
    serve.kill().unwrap();
    serve.wait().unwrap();
    let run = load.await.unwrap();
    let store = dir.path().join("data").join("captures.sqlite3");
    let conn = rusqlite::Connection::open(&store).unwrap();
    let mut found = conn
        .prepare("SELECT count(*) FROM captures WHERE id = ?1")
        .unwrap();
    let missing = run
        .ids
        .iter()
        .filter(|id| found.query_row([**id], |r| r.get::<_, i64>(0)).unwrap() == 0)
        .count();
    println!(
        "kill -9 of `hookscope serve` 3 s into the load: {} acknowledged, {missing} of them missing after reopening",
        run.ids.len()
    );
    assert_eq!(missing, 0, "an acknowledged capture was lost to kill -9");
}

fn main() {
    let requests = setting("HOOKSCOPE_BENCH_REQUESTS", 20_000);
    let connections = setting("HOOKSCOPE_BENCH_CONNECTIONS", 32);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let seconds = setting("HOOKSCOPE_BENCH_SUSTAINED_SECS", 0);
    if seconds > 0 {
        return runtime.block_on(sustained(seconds, connections));
    }
    let load = Until::Requests(requests);
    runtime.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::default();
        config.listener.listen = "127.0.0.1:0".parse().unwrap();
        config.api.listen = "127.0.0.1:0".parse().unwrap();
        config.listener.max_captures = 10_000_000;
        let mut engine = Engine::start(config.clone(), &dir.path().join("captures.sqlite3"))
            .await
            .unwrap();
        let bare = bare_axum().await;
        let target = bare_axum().await;

        // Warm both up (connections, page cache, allocator) before measuring.
        drive(bare, Until::Requests(500), connections, "warm").await;
        drive(engine.local_addr(), Until::Requests(500), connections, "warm").await;

        let ceiling = drive(bare, load, connections, "bare").await;
        let real = drive(engine.local_addr(), load, connections, "real").await;
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
        let without = drive(engine.local_addr(), load, connections, "plain").await;
        let with = drive(engine.local_addr(), load, connections, "forward").await;
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
        let direct = drive(target, Until::Requests(pass_requests), pass_connections, "direct").await;
        let pass = drive(engine.local_addr(), Until::Requests(pass_requests), pass_connections, "pass").await;
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

        engine.set_config(config.clone());
        stream(&engine, dir.path(), load, connections).await;
        engine.stop().await;
    });
}

/// The API's event stream under load: 50 clients subscribed while the listener takes the same
/// load as without them, how late each event reaches each client, and how soon `hookscope
/// wait` prints a capture after its acknowledgement.
async fn stream(engine: &Engine, data_dir: &std::path::Path, load: Until, connections: usize) {
    const CLIENTS: usize = 50;
    let hookscope::engine::ApiState::Listening(api) = engine.api() else {
        panic!("the API is not listening: {:?}", engine.api());
    };
    let token = std::fs::read_to_string(data_dir.join("api-token")).unwrap();
    let token = token.trim().to_string();
    let alone = drive(engine.local_addr(), load, connections, "alone").await;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut clients = Vec::new();
    for _ in 0..CLIENTS {
        let response = reqwest::Client::new()
            .get(format!(
                "http://{api}/api/v1/events?filter=path:/green-api/streamed"
            ))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        clients.push(tokio::spawn(lateness_of_events(response, stopped.clone())));
    }
    let streamed = drive(engine.local_addr(), load, connections, "streamed").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.send_replace(true);
    let (mut late, mut short) = (Vec::new(), 0);
    for client in clients {
        let seen = client.await.unwrap();
        if seen.len() < streamed.acknowledged {
            short += 1;
        }
        late.extend(seen);
    }
    late.sort();
    let at = |q: f64| quantile(&late, q);
    println!();
    println!("event stream: {CLIENTS} clients of /api/v1/events while the same load is taken");
    println!("{:<34} {:>10} {:>9} {:>9}", "", "req/s", "p50 ms", "p99 ms");
    row("no client", &alone);
    row(&format!("{CLIENTS} clients following"), &streamed);
    println!(
        "ratio with {CLIENTS} clients to none: {:.2}; from arrival to each client's event: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} events, {short} clients short)",
        streamed.per_second / alone.per_second,
        ms(at(0.5)),
        ms(at(0.99)),
        ms(at(1.0)),
        late.len()
    );

    // `hookscope wait`, started first, then one webhook: from its acknowledgement to the line.
    let mut waited = Vec::new();
    for n in 0..20 {
        let mut wait = std::process::Command::new(env!("CARGO_BIN_EXE_hookscope"))
            .arg("--data-dir")
            .arg(data_dir)
            .args([
                "wait",
                "--filter",
                &format!("path:/green-api/wait-{n}"),
                "--timeout",
                "20s",
            ])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut out = std::io::BufReader::new(wait.stdout.take().unwrap());
        tokio::time::sleep(Duration::from_millis(300)).await;
        let client = reqwest::Client::new();
        let url = format!("http://{}/green-api/wait-{n}", engine.local_addr());
        client
            .post(&url)
            .body(BODY)
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap();
        let acknowledged = Instant::now();
        let printed = tokio::task::spawn_blocking(move || {
            let mut line = String::new();
            std::io::BufRead::read_line(&mut out, &mut line).unwrap();
            Instant::now()
        })
        .await
        .unwrap();
        waited.push(printed - acknowledged);
        assert!(wait.wait().unwrap().success());
    }
    waited.sort();
    println!(
        "hookscope wait: from the acknowledgement to the printed line, 20 times: p50 {:.1} ms, max {:.1} ms",
        ms(waited[10]),
        ms(waited[19])
    );
}

/// Reads events until told to stop; per event, how long after the capture's arrival (its
/// `received_at`, before its body was even read) it reached this client.
async fn lateness_of_events(
    mut response: reqwest::Response,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> Vec<Duration> {
    let (mut late, mut buffer) = (Vec::new(), Vec::new());
    loop {
        let chunk = tokio::select! {
            chunk = response.chunk() => chunk,
            _ = stop.changed() => return late,
        };
        let Ok(Some(chunk)) = chunk else {
            return late;
        };
        let now = time::OffsetDateTime::now_utc();
        buffer.extend_from_slice(&chunk);
        let mut read = 0;
        while let Some(end) = buffer[read..].windows(2).position(|w| w == b"\n\n") {
            let block = &buffer[read..read + end];
            read += end + 2;
            // Only the arrival time is read: a whole JSON parse per event and client would
            // make the clients, which share the cores, the bottleneck.
            let received = std::str::from_utf8(block)
                .ok()
                .and_then(|block| block.split_once("\"received_at\":\""))
                .and_then(|(_, rest)| rest.split_once('"'))
                .and_then(|(at, _)| {
                    time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)
                        .ok()
                });
            if let Some(received) = received {
                late.push((now - received).max(time::Duration::ZERO).unsigned_abs());
            }
        }
        buffer.drain(..read);
    }
}
