//! A fake ngrok agent API (the one on `127.0.0.1:4040`).
//!
//! Provider facts: `GET /api/tunnels` lists `{"tunnels": [{"public_url", "proto",
//! "config": {"addr"}}]}`; newer agents also serve `GET /api/endpoints` with
//! `{"endpoints": [{"url", "upstream": {"url"}}]}`. The agent guards against DNS rebinding, so
//! a request whose `Host` is not the agent's own address is refused: clients must send
//! `Host: 127.0.0.1:<port>` (or `localhost:<port>`).

use std::sync::{Arc, OnceLock};

use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::{json, Value};

use super::Running;

/// A running fake agent; dropping it stops the server.
pub struct FakeNgrok {
    running: Running,
}

/// One tunnel of an agent: `addr` is where it forwards to, e.g. `http://localhost:8787`.
pub struct Tunnel {
    pub public_url: String,
    pub proto: String,
    pub addr: String,
}

struct Agent {
    tunnels: Value,
    /// `None` for an agent too old to know `/api/endpoints`.
    endpoints: Option<Value>,
    /// Known once the server is bound; the `Host` check needs it.
    port: OnceLock<u16>,
}

impl FakeNgrok {
    /// An older agent: `/api/tunnels` only, `/api/endpoints` is 404.
    pub fn start(tunnels: Vec<Tunnel>) -> FakeNgrok {
        let tunnels = tunnels.iter().enumerate().map(|(i, tunnel)| {
            let name = format!("tunnel-{i}");
            json!({
                "name": name,
                "ID": format!("{:032x}", i + 1),
                "uri": format!("/api/tunnels/{name}"),
                "public_url": tunnel.public_url,
                "proto": tunnel.proto,
                "config": {"addr": tunnel.addr, "inspect": true},
                "metrics": {},
            })
        });
        start_agent(tunnels.collect(), None)
    }

    /// A newer agent started with endpoints given as `(url, upstream url)`: they are listed at
    /// `/api/endpoints` and `/api/tunnels` lists nothing.
    pub fn start_endpoints(endpoints: Vec<(String, String)>) -> FakeNgrok {
        let endpoints = endpoints.iter().enumerate().map(|(i, (url, upstream))| {
            json!({
                "id": format!("ep_{:027}", i + 1),
                "name": format!("endpoint-{i}"),
                "url": url,
                "upstream": {"url": upstream, "protocol": "http1"},
            })
        });
        start_agent(Vec::new(), Some(endpoints.collect()))
    }

    /// The agent's API base: `http://127.0.0.1:PORT`.
    pub fn api_url(&self) -> String {
        self.running.base()
    }
}

fn start_agent(tunnels: Vec<Value>, endpoints: Option<Vec<Value>>) -> FakeNgrok {
    let agent = Arc::new(Agent {
        tunnels: json!({"tunnels": tunnels, "uri": "/api/tunnels"}),
        endpoints: endpoints
            .map(|endpoints| json!({"endpoints": endpoints, "uri": "/api/endpoints"})),
        port: OnceLock::new(),
    });
    let handler = {
        let agent = agent.clone();
        move |method: Method, uri: Uri, headers: HeaderMap| async move {
            answer(&agent, &method, &uri, &headers)
        }
    };
    let running = super::serve(Router::new().fallback(handler), None);
    agent.port.set(running.addr.port()).unwrap();
    FakeNgrok { running }
}

fn answer(agent: &Agent, method: &Method, uri: &Uri, headers: &HeaderMap) -> Response {
    let port = agent.port.get().copied().unwrap_or_default();
    // HTTP/1.1 sends `Host`; HTTP/2 puts the same in the request's authority.
    let host = headers
        .get(header::HOST)
        .and_then(|host| host.to_str().ok())
        .or_else(|| uri.authority().map(|authority| authority.as_str()));
    let own_host = host.is_some_and(|host| {
        host == format!("127.0.0.1:{port}")
            || host.eq_ignore_ascii_case(&format!("localhost:{port}"))
    });
    if !own_host {
        return text(
            StatusCode::FORBIDDEN,
            "Forbidden: the Host header must name this agent (127.0.0.1 or localhost with its port)\n",
        );
    }
    let body = match uri.path() {
        "/api/tunnels" => Some(&agent.tunnels),
        "/api/endpoints" => agent.endpoints.as_ref(),
        _ => None,
    };
    match body {
        None => text(StatusCode::NOT_FOUND, "404 page not found\n"),
        Some(_) if method != Method::GET => {
            text(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed\n")
        }
        Some(body) => {
            let json = [(header::CONTENT_TYPE, "application/json")];
            (StatusCode::OK, json, body.to_string()).into_response()
        }
    }
}

fn text(status: StatusCode, body: &'static str) -> Response {
    let plain = [(header::CONTENT_TYPE, "text/plain; charset=utf-8")];
    (status, plain, body).into_response()
}
