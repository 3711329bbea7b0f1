//! The app a developer is writing, as forward tests see it: a real HTTP server on
//! 127.0.0.1 that records what it gets and answers as a test tells it to.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;

/// What the target received.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    /// Path and query, as sent.
    pub uri: String,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub at: Instant,
}

impl Seen {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap())
            .unwrap_or("")
    }

    pub fn capture_id(&self) -> i64 {
        self.header("x-hookscope-capture").parse().unwrap()
    }
}

/// How the target answers.
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: u16,
    pub body: &'static str,
    pub delay: Duration,
}

impl Default for Answer {
    fn default() -> Self {
        Answer {
            status: 200,
            body: "ok",
            delay: Duration::ZERO,
        }
    }
}

#[derive(Clone, Default)]
struct Shared {
    seen: Arc<Mutex<Vec<Seen>>>,
    answer: Arc<Mutex<Answer>>,
}

pub struct Target {
    pub port: u16,
    shared: Shared,
    server: Option<tokio::task::JoinHandle<()>>,
}

impl Target {
    /// A target on a free port that is not listening yet: connecting to it is refused.
    pub fn down() -> Target {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        Target {
            port,
            shared: Shared::default(),
            server: None,
        }
    }

    pub async fn up() -> Target {
        let mut target = Target::down();
        target.start().await;
        target
    }

    /// Starts listening on its port (again).
    pub async fn start(&mut self) {
        let socket = tokio::net::TcpListener::bind(("127.0.0.1", self.port))
            .await
            .unwrap();
        let app = axum::Router::new()
            .fallback(receive)
            .with_state(self.shared.clone());
        self.server = Some(tokio::spawn(async move {
            axum::serve(socket, app).await.unwrap();
        }));
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn answer(&self, answer: Answer) {
        *self.shared.answer.lock().unwrap() = answer;
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.shared.seen.lock().unwrap().clone()
    }

    /// Waits until it has received `count` requests, or fails the test after `within`.
    pub async fn wait_for(&self, count: usize, within: Duration) -> Vec<Seen> {
        let deadline = Instant::now() + within;
        loop {
            let seen = self.seen();
            if seen.len() >= count {
                return seen;
            }
            assert!(
                Instant::now() < deadline,
                "the target got {} of {count} deliveries within {within:?}",
                seen.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            server.abort();
        }
    }
}

async fn receive(State(shared): State<Shared>, request: Request) -> impl IntoResponse {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    shared.seen.lock().unwrap().push(Seen {
        method: parts.method.to_string(),
        uri: parts.uri.to_string(),
        headers: parts.headers,
        body,
        at: Instant::now(),
    });
    let answer = shared.answer.lock().unwrap().clone();
    tokio::time::sleep(answer.delay).await;
    (
        StatusCode::from_u16(answer.status).unwrap(),
        [("x-app", "mine")],
        answer.body,
    )
}
