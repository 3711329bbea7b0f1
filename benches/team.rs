//! A team host under load: the listener's rate alone, then with 20 developers attached (each
//! `attach`'s mirror with a store of its own, in this process) while the same load is taken;
//! whether every client ends with every capture, and how late each reaches a client's store.
//! Then one client 100 000 captures behind, mirroring all of them.
//!
//! `cargo bench --bench team` — HOOKSCOPE_BENCH_SECONDS (each load, default 30),
//! HOOKSCOPE_BENCH_CLIENTS (20), HOOKSCOPE_BENCH_BEHIND (100000),
//! HOOKSCOPE_BENCH_CONNECTIONS (32).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use hookscope::api::client::Client;
use hookscope::api::Token;
use hookscope::attach::Mirror;
use hookscope::config::Config;
use hookscope::engine::{ApiState, Engine};
use hookscope::forward::{self, outbox::Outbox};
use hookscope::store::Store;
use tokio::sync::broadcast::error::RecvError;

mod load;
use load::{drive, ms, row, setting, Until};

/// A host: an engine with its API, and the owner's token.
struct Host {
    engine: Engine,
    api: SocketAddr,
    token: String,
    _dir: tempfile::TempDir,
}

impl Host {
    async fn start() -> Host {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::start(config(), &dir.path().join("captures.sqlite3"))
            .await
            .unwrap();
        let api = match engine.api() {
            ApiState::Listening(api) => *api,
            other => panic!("the API is not listening: {other:?}"),
        };
        let token = std::fs::read_to_string(dir.path().join("api-token")).unwrap();
        Host {
            engine,
            api,
            token: token.trim().to_string(),
            _dir: dir,
        }
    }
}

fn config() -> Config {
    let mut config = Config::default();
    config.listener.listen = "127.0.0.1:0".parse().unwrap();
    config.api.listen = "127.0.0.1:0".parse().unwrap();
    config.listener.max_captures = 10_000_000;
    config
}

/// One developer's mirror of `host`: how many captures it committed, the newest host id, and
/// per capture how long after its arrival at the host it was committed here.
struct Developer {
    store: Store,
    lateness: tokio::task::JoinHandle<Vec<Duration>>,
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
                        (now - c.request.received_at)
                            .max(time::Duration::ZERO)
                            .unsigned_abs()
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

    async fn stop(self) -> Vec<Duration> {
        self.mirroring.abort();
        self.delivering.abort();
        let _ = self.mirroring.await;
        self.store.close().await;
        self.stop.send_replace(true);
        self.lateness.await.unwrap()
    }
}

async fn clients_following(seconds: u64, clients: usize, connections: usize) {
    let host = Host::start().await;
    let load = Until::Elapsed(Duration::from_secs(seconds));
    let addr = host.engine.local_addr();
    drive(addr, Until::Requests(500), connections, "warm").await;
    let alone = drive(addr, load, connections, "alone").await;
    let mut attached = Vec::new();
    for _ in 0..clients {
        attached.push(attach(&host, "path:/green-api/team").await);
    }
    let team = drive(addr, load, connections, "team").await;
    let newest = host.engine.store().reader().unwrap().newest_id().unwrap();
    let mut complete = 0;
    let started = Instant::now();
    for client in &attached {
        let limit = Duration::from_secs(120).saturating_sub(started.elapsed());
        if client
            .until_it_holds(team.acknowledged as u64, limit)
            .await
            .is_some()
            && client.mirrored().1 == newest
        {
            complete += 1;
        }
    }
    let all_in = started.elapsed();
    let mut late = Vec::new();
    for client in attached {
        late.extend(client.stop().await);
    }
    late.sort();
    let at = |q: f64| late[((late.len() as f64 * q) as usize).min(late.len() - 1)];
    println!(
        "team host: {clients} attached clients while the same load is taken, {seconds} s each over {connections} connections, {} cores, loopback",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!("{:<34} {:>10} {:>9} {:>9}", "", "req/s", "p50 ms", "p99 ms");
    row("no client", &alone);
    row(&format!("{clients} clients attached"), &team);
    println!(
        "ratio with {clients} clients to none: {:.2}; {complete} of {clients} clients hold all {} captures, the host's newest id last, {:.1} s after the load",
        team.per_second / alone.per_second,
        team.acknowledged,
        all_in.as_secs_f64()
    );
    println!(
        "from arrival at the host to a client's commit: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} captures)",
        ms(at(0.5)),
        ms(at(0.99)),
        ms(at(1.0)),
        late.len()
    );
    host.engine.stop().await;
}

/// A client `behind` captures behind: the host takes them first, then the client attaches.
async fn catching_up(behind: usize, connections: usize) {
    let host = Host::start().await;
    let posted = drive(
        host.engine.local_addr(),
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
    host.engine.stop().await;
}

fn main() {
    let seconds = setting("HOOKSCOPE_BENCH_SECONDS", 30) as u64;
    let clients = setting("HOOKSCOPE_BENCH_CLIENTS", 20);
    let behind = setting("HOOKSCOPE_BENCH_BEHIND", 100_000);
    let connections = setting("HOOKSCOPE_BENCH_CONNECTIONS", 32);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        clients_following(seconds, clients, connections).await;
        catching_up(behind, connections).await;
    });
}
