//! A team host under load: `hookscope serve` in a process of its own, so that the CPU it uses
//! is told apart from its clients'; its rate alone, then with 20 developers attached (each
//! `attach`'s mirror with a store of its own, in this process) at full rate and at a steady
//! rate; whether every client ends with every capture, and how late each reaches a client's
//! store. Then one client 100 000 captures behind, mirroring all of them.
//!
//! `cargo bench --bench team` — HOOKSCOPE_BENCH_SECONDS (each load, default 30),
//! HOOKSCOPE_BENCH_CLIENTS (20), HOOKSCOPE_BENCH_STEADY (the steady rate, 1000 a second),
//! HOOKSCOPE_BENCH_BEHIND (100000), HOOKSCOPE_BENCH_CONNECTIONS (32).

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use hookscope::api::client::Client;
use hookscope::api::Token;
use hookscope::attach::Mirror;
use hookscope::config::Config;
use hookscope::forward::{self, outbox::Outbox};
use hookscope::store::Store;
use tokio::sync::broadcast::error::RecvError;

mod load;
use load::{drive, drive_at, ms, quantile, setting, Run, Until};

/// A host: `hookscope serve` with its API, and the owner's token.
struct Host {
    serve: Child,
    listener: SocketAddr,
    api: SocketAddr,
    token: String,
    _dir: tempfile::TempDir,
}

impl Host {
    async fn start() -> Host {
        let dir = tempfile::tempdir().unwrap();
        let settings = dir.path().join("config.toml");
        std::fs::write(
            &settings,
            "[listener]\nmax_captures = 10000000\n\n[secrets]\nkeep_in = \"file\"\n",
        )
        .unwrap();
        let (listener, api) = (free_address(), free_address());
        let serve = Command::new(env!("CARGO_BIN_EXE_hookscope"))
            .arg("--config")
            .arg(&settings)
            .arg("--data-dir")
            .arg(dir.path().join("data"))
            .args(["serve", "--listen", &listener.to_string()])
            .args(["--api-listen", &api.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let token_file = dir.path().join("data").join("api-token");
        let mut host = Host {
            serve,
            listener,
            api,
            token: String::new(),
            _dir: dir,
        };
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(30) {
            if let Ok(token) = std::fs::read_to_string(&token_file) {
                host.token = token.trim().to_string();
                if host.newest_id().await.is_some() {
                    return host;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("serve did not start within 30 s");
    }

    /// The host's newest capture id, as its API says.
    async fn newest_id(&self) -> Option<i64> {
        let status: serde_json::Value = reqwest::Client::new()
            .get(format!("http://{}/api/v1/status", self.api))
            .bearer_auth(&self.token)
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        status["newest_id"].as_i64()
    }

    /// The CPU time the host has used so far, in its own process.
    fn cpu(&self) -> Duration {
        cpu_of(&self.serve.id().to_string())
    }

    /// Waits (up to a minute) until the host is idle: what a load left to do after it (the
    /// WAL copied back, the search index merged) is not counted to the next one.
    async fn settle(&self) {
        for _ in 0..60 {
            let before = self.cpu();
            tokio::time::sleep(Duration::from_secs(1)).await;
            if self.cpu() - before < Duration::from_millis(20) {
                return;
            }
        }
    }

    /// `load` against the host once it is idle, and its `clients` until they hold all of it.
    async fn take(
        &self,
        per_second: Option<f64>,
        load: Until,
        connections: usize,
        tag: &str,
        clients: &[Developer],
    ) -> Phase {
        self.settle().await;
        let held = clients.first().map_or(0, |c| c.mirrored().0);
        let (host, ours) = (self.cpu(), cpu_of("self"));
        let run = drive_at(self.listener, per_second, load, connections, tag).await;
        let newest = self.newest_id().await.unwrap();
        let complete = complete(clients, held + run.acknowledged as u64, newest).await;
        let each = |cpu: Duration| cpu / run.acknowledged.max(1) as u32;
        Phase {
            host_cpu: each(self.cpu() - host),
            our_cpu: each(cpu_of("self") - ours),
            run,
            complete,
            newest,
        }
    }

    fn stop(mut self) {
        let _ = self.serve.kill();
        let _ = self.serve.wait();
    }
}

/// One load, and what came of it.
struct Phase {
    run: Run,
    /// CPU time for each acknowledged webhook, from the load's start until every client held
    /// it: the host's, and this process's (the load and the mirrors).
    host_cpu: Duration,
    our_cpu: Duration,
    /// How many clients ended with every capture, and how long after the load the last did.
    complete: (usize, Duration),
    /// The host's newest capture id after it.
    newest: i64,
}

/// The CPU time process `pid` (or `self`) has used so far, from `/proc`.
fn cpu_of(pid: &str) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // After the name: the state is the 3rd field, utime and stime the 14th and 15th.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .unwrap()
        .1
        .split_whitespace()
        .collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    Duration::from_secs_f64(ticks as f64 / clock_ticks())
}

/// The kernel's clock ticks a second, in which `/proc` counts CPU time: asked once.
fn clock_ticks() -> f64 {
    static TICKS: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        let out = Command::new("getconf").arg("CLK_TCK").output().unwrap();
        String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
    })
}

/// A loopback address with a port free a moment ago.
fn free_address() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

fn config() -> Config {
    let mut config = Config::default();
    config.listener.max_captures = 10_000_000;
    config
}

/// One developer's mirror of `host`: how many captures it committed, the newest host id, and
/// per capture (by host id) how long after its arrival at the host it was committed here.
struct Developer {
    store: Store,
    lateness: tokio::task::JoinHandle<Vec<(i64, Duration)>>,
    stop: tokio::sync::watch::Sender<bool>,
    mirroring: tokio::task::JoinHandle<()>,
    delivering: tokio::task::JoinHandle<()>,
    _dir: tempfile::TempDir,
}

async fn attach(host: &Host, filter: &str) -> Developer {
    let dir = tempfile::tempdir().unwrap();
    let config = config();
    let store = Store::open(
        &dir.path().join("captures.sqlite3"),
        (&config.listener).into(),
    )
    .unwrap();
    let (outbox, delivering) = Outbox::start(store.clone());
    let mut committed = store.subscribe();
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    let lateness = tokio::spawn(async move {
        let mut late = Vec::new();
        loop {
            let received = tokio::select! {
                received = committed.recv() => received,
                _ = stopped.changed() => return late,
            };
            match received {
                Ok(captures) => {
                    let now = time::OffsetDateTime::now_utc();
                    late.extend(captures.iter().map(|c| {
                        let late = now - c.request.received_at;
                        (
                            c.host_id.unwrap_or(0),
                            late.max(time::Duration::ZERO).unsigned_abs(),
                        )
                    }));
                }
                Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return late,
            }
        }
    });
    let mirror = Mirror {
        client: Client::new(&format!("http://{}", host.api), Token::given(&host.token)),
        store: store.clone(),
        routes: tokio::sync::watch::channel(forward::routes(&config, None).0).1,
        outbox,
        filter: filter.to_string(),
        config,
    };
    let mirroring = tokio::spawn(async move {
        mirror.run(|_| {}).await.unwrap();
    });
    Developer {
        store,
        lateness,
        stop,
        mirroring,
        delivering,
        _dir: dir,
    }
}

impl Developer {
    /// The host ids it holds: how many, and the newest.
    fn mirrored(&self) -> (u64, i64) {
        let reader = self.store.reader().unwrap();
        (reader.count().unwrap(), reader.last_host_id().unwrap())
    }

    /// Waits until it holds `count` captures, up to `limit`; how long it took.
    async fn until_it_holds(&self, count: u64, limit: Duration) -> Option<Duration> {
        let started = Instant::now();
        while started.elapsed() < limit {
            if self.mirrored().0 >= count {
                return Some(started.elapsed());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        None
    }

    async fn stop(self) -> Vec<(i64, Duration)> {
        self.mirroring.abort();
        self.delivering.abort();
        let _ = self.mirroring.await;
        self.store.close().await;
        self.stop.send_replace(true);
        self.lateness.await.unwrap()
    }
}

/// How many of `clients` come to hold `count` captures with the host's `newest` id last, and
/// how long after the load the last of them did.
async fn complete(clients: &[Developer], count: u64, newest: i64) -> (usize, Duration) {
    let started = Instant::now();
    let mut complete = 0;
    for client in clients {
        let limit = Duration::from_secs(120).saturating_sub(started.elapsed());
        if client.until_it_holds(count, limit).await.is_some() && client.mirrored().1 == newest {
            complete += 1;
        }
    }
    (complete, started.elapsed())
}

/// The median and the 99th percentile of `late`.
fn p50_p99(late: &mut [Duration]) -> (f64, f64) {
    late.sort();
    (ms(quantile(late, 0.5)), ms(quantile(late, 0.99)))
}

async fn clients_following(seconds: u64, clients: usize, steady: f64, connections: usize) {
    let host = Host::start().await;
    let load = Until::Elapsed(Duration::from_secs(seconds));
    drive(host.listener, Until::Requests(500), connections, "warm").await;
    let alone = host.take(None, load, connections, "alone", &[]).await;
    let alone_paced = host
        .take(Some(steady), load, connections, "alone-steady", &[])
        .await;
    let mut attached = Vec::new();
    for _ in 0..clients {
        attached.push(attach(&host, "path:/green-api/team").await);
    }
    let full = host
        .take(None, load, connections, "team-full", &attached)
        .await;
    let paced = host
        .take(Some(steady), load, connections, "team-steady", &attached)
        .await;
    let (mut full_late, mut paced_late) = (Vec::new(), Vec::new());
    for client in attached {
        for (host_id, late) in client.stop().await {
            match host_id <= full.newest {
                true => full_late.push(late),
                false => paced_late.push(late),
            }
        }
    }
    host.stop();

    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    println!(
        "team host: `hookscope serve` in its own process; {clients} mirrors (attach's, each with a store of its own) and the load in this one; {seconds} s each over {connections} connections, {cores} cores, loopback"
    );
    println!(
        "{:<34} {:>10} {:>9} {:>9} {:>12} {:>22}",
        "", "req/s", "p50 ms", "p99 ms", "host CPU µs", "load + mirrors CPU µs"
    );
    let micros = |d: Duration| d.as_secs_f64() * 1e6;
    for (name, phase) in [
        ("no client, full rate".to_string(), &alone),
        (format!("no client, {steady:.0} a second"), &alone_paced),
        (format!("{clients} clients, full rate"), &full),
        (format!("{clients} clients, {steady:.0} a second"), &paced),
    ] {
        println!(
            "{name:<34} {:>10.0} {:>9.2} {:>9.2} {:>12.1} {:>22.1}",
            phase.run.per_second,
            ms(phase.run.p50),
            ms(phase.run.p99),
            micros(phase.host_cpu),
            micros(phase.our_cpu),
        );
    }
    println!(
        "(CPU for each acknowledged webhook, from the load's start until every client held it)"
    );
    println!(
        "full rate with {clients} clients to none: {:.2} on these shared cores; the host's own CPU for each webhook at {steady:.0} a second, none to {clients} clients: {:.2}; at full rate with {clients} clients it would take {:.0} a second on {cores} cores of its own",
        full.run.per_second / alone.run.per_second,
        micros(alone_paced.host_cpu) / micros(paced.host_cpu),
        cores * 1e6 / micros(full.host_cpu),
    );
    for (what, phase, late) in [
        ("full rate", &full, &mut full_late),
        ("steady", &paced, &mut paced_late),
    ] {
        let (p50, p99) = p50_p99(late);
        let (complete, after) = phase.complete;
        println!(
            "{what}: {complete} of {clients} clients hold all {} captures of this load, the host's newest id ({}) last, {:.1} s after the load; arrival at the host to a client's commit p50 {p50:.1} ms, p99 {p99:.1} ms ({} captures)",
            phase.run.acknowledged,
            phase.newest,
            after.as_secs_f64(),
            late.len()
        );
    }
}

/// A client `behind` captures behind: the host takes them first, then the client attaches.
async fn catching_up(behind: usize, connections: usize) {
    let host = Host::start().await;
    let posted = drive(
        host.listener,
        Until::Requests(behind),
        connections,
        "behind",
    )
    .await;
    let client = attach(&host, "").await;
    let took = client
        .until_it_holds(posted.acknowledged as u64, Duration::from_secs(300))
        .await;
    let (held, _) = client.mirrored();
    client.stop().await;
    host.stop();
    println!();
    match took {
        Some(took) => println!(
            "catch-up: a client {} captures behind mirrored them all in {:.1} s ({:.0} captures/s)",
            posted.acknowledged,
            took.as_secs_f64(),
            posted.acknowledged as f64 / took.as_secs_f64(),
        ),
        None => println!(
            "catch-up: a client {} captures behind held only {held} after 300 s",
            posted.acknowledged
        ),
    }
}

fn main() {
    let seconds = setting("HOOKSCOPE_BENCH_SECONDS", 30) as u64;
    let clients = setting("HOOKSCOPE_BENCH_CLIENTS", 20);
    let steady = setting("HOOKSCOPE_BENCH_STEADY", 1000) as f64;
    let behind = setting("HOOKSCOPE_BENCH_BEHIND", 100_000);
    let connections = setting("HOOKSCOPE_BENCH_CONNECTIONS", 32);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        clients_following(seconds, clients, steady, connections).await;
        catching_up(behind, connections).await;
    });
}
