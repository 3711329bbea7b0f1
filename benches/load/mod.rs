//! The load both benches drive: unique GREEN-API messages POSTed over keep-alive connections,
//! each one's latency and the capture id hookscope gave it.
#![allow(dead_code)] // each bench uses its own part of this

use std::net::SocketAddr;
use std::time::{Duration, Instant};

pub const BODY: &str = r#"{"typeWebhook":"incomingMessageReceived","instanceData":{"idInstance":7103000001,"wid":"79990000001@c.us","typeInstance":"whatsapp"},"timestamp":1763800000,"idMessage":"ID","senderData":{"chatId":"79161234567@c.us","sender":"79161234567@c.us","chatName":"Иван","senderName":"Иван"},"messageData":{"typeMessage":"textMessage","textMessageData":{"textMessage":"Здравствуйте, заказ готов?"}}}"#;

pub struct Run {
    pub per_second: f64,
    pub p50: Duration,
    pub p99: Duration,
    pub max: Duration,
    pub acknowledged: usize,
    /// The capture ids hookscope gave in its acknowledgements (none from the bare handler).
    pub ids: Vec<i64>,
}

/// When a load stops.
#[derive(Clone, Copy)]
pub enum Until {
    Requests(usize),
    Elapsed(Duration),
}

pub fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// POSTs over `connections` keep-alive connections until `until`; each body is unique.
pub async fn drive(addr: SocketAddr, until: Until, connections: usize, tag: &str) -> Run {
    drive_at(addr, None, until, connections, tag).await
}

/// As [`drive`], `per_second` at most when given: the n-th POST goes out no sooner than
/// n / `per_second` seconds after the start.
pub async fn drive_at(
    addr: SocketAddr,
    per_second: Option<f64>,
    until: Until,
    connections: usize,
    tag: &str,
) -> Run {
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
            let (mut latencies, mut ids) = (Vec::new(), Vec::new());
            for n in (worker..).step_by(connections) {
                let done = match until {
                    Until::Requests(requests) => n >= requests,
                    Until::Elapsed(limit) => started.elapsed() >= limit,
                };
                if done {
                    break;
                }
                if let Some(rate) = per_second {
                    let due = started + Duration::from_secs_f64(n as f64 / rate);
                    tokio::time::sleep_until(due.into()).await;
                }
                let body = BODY.replace("\"ID\"", &format!("\"{tag}-{n}\""));
                let sent = Instant::now();
                let answer = client
                    .post(&url)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await;
                let Ok(answer) = answer.and_then(|r| r.error_for_status()) else {
                    continue;
                };
                latencies.push(sent.elapsed());
                let id = answer.headers().get("x-hookscope-capture");
                ids.extend(id.and_then(|v| v.to_str().ok()?.parse::<i64>().ok()));
            }
            (latencies, ids)
        }));
    }
    let (mut latencies, mut ids) = (Vec::new(), Vec::new());
    for task in tasks {
        let (times, acknowledged) = task.await.unwrap();
        latencies.extend(times);
        ids.extend(acknowledged);
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let at = |q: f64| quantile(&latencies, q);
    Run {
        per_second: latencies.len() as f64 / elapsed.as_secs_f64(),
        p50: at(0.50),
        p99: at(0.99),
        max: at(1.0),
        acknowledged: latencies.len(),
        ids,
    }
}

pub fn row(name: &str, run: &Run) {
    println!(
        "{name:<34} {:>10.0} {:>9.2} {:>9.2}",
        run.per_second,
        run.p50.as_secs_f64() * 1000.0,
        run.p99.as_secs_f64() * 1000.0
    );
}

/// The `q` quantile (0.5 the median, 1.0 the most) of `sorted`, which is not empty.
pub fn quantile(sorted: &[Duration], q: f64) -> Duration {
    sorted[((sorted.len() as f64 * q) as usize).min(sorted.len() - 1)]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
