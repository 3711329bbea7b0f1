//! A fake cloudflared metrics server (the one on the first free port of
//! `localhost:20241..20245`).
//!
//! Provider facts: `GET /quicktunnel` answers `{"hostname": "x.trycloudflare.com"}` — a bare
//! host without a scheme, empty for a named tunnel. `/metrics` and `/ready` are there too, so a
//! client probing the port finds a live cloudflared; anything else is Go's plain 404.

use axum::http::{header, StatusCode};
use axum::routing::{get, MethodRouter};
use axum::Router;
use serde_json::{json, Value};

use super::Running;

/// A running fake metrics server; dropping it stops it.
pub struct FakeCloudflared {
    running: Running,
}

const METRICS: &str = "\
# HELP build_info Build and version information
# TYPE build_info gauge
build_info{goversion=\"go1.22.5\",revision=\"2024-08-22T10:00:00Z\",type=\"\",version=\"2024.8.3\"} 1
# HELP cloudflared_tunnel_ha_connections Number of active ha connections
# TYPE cloudflared_tunnel_ha_connections gauge
cloudflared_tunnel_ha_connections 4
# HELP cloudflared_tunnel_total_requests Amount of requests proxied through all the tunnels
# TYPE cloudflared_tunnel_total_requests counter
cloudflared_tunnel_total_requests 0
";

impl FakeCloudflared {
    /// A quick tunnel at `hostname` (e.g. `x.trycloudflare.com`); `""` is a named tunnel.
    pub fn start(hostname: &str) -> FakeCloudflared {
        FakeCloudflared::start_at(hostname, 0)
    }

    /// The same on a given port (0: any free one), e.g. the port of a cloudflared that stopped,
    /// as a restarted cloudflared takes its old metrics port again.
    pub fn start_at(hostname: &str, port: u16) -> FakeCloudflared {
        let router = Router::new()
            .route("/quicktunnel", json_route(json!({"hostname": hostname})))
            .route(
                "/ready",
                json_route(json!({
                    "status": 200,
                    "readyConnections": 4,
                    "connectorId": "5f3c0b8e-2a4d-4c6e-9b1a-7d2e8f0a1c3b",
                })),
            )
            .route(
                "/metrics",
                get(|| async {
                    let prometheus = [(
                        header::CONTENT_TYPE,
                        "text/plain; version=0.0.4; charset=utf-8",
                    )];
                    (prometheus, METRICS)
                }),
            )
            .fallback(|| async { (StatusCode::NOT_FOUND, "404 page not found\n") });
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
        FakeCloudflared {
            running: super::serve(router, Some(addr)),
        }
    }

    /// The metrics server's port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.running.addr.port()
    }
}

/// `GET` answering `body` as JSON.
fn json_route(body: Value) -> MethodRouter {
    let body = body.to_string();
    let json = || [(header::CONTENT_TYPE, "application/json")];
    get(move || std::future::ready((json(), body.clone())))
}
