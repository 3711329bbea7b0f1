//! The fake ngrok agent lists tunnels (older agents) or endpoints (newer ones) only to requests
//! whose `Host` is the agent itself, and the fake cloudflared metrics server tells its quick
//! tunnel's bare hostname.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::fakes::cloudflared::FakeCloudflared;
use crate::common::fakes::ngrok::{FakeNgrok, Tunnel};

/// `GET {base}{path}` with the given `Host` header (reqwest's own when `None`): the status
/// and the body as text.
async fn get(base: &str, path: &str, host: Option<&str>) -> (StatusCode, String) {
    let mut request = reqwest::Client::new().get(format!("{base}{path}"));
    if let Some(host) = host {
        request = request.header("host", host);
    }
    let response = request.send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

async fn get_json(base: &str, path: &str) -> Value {
    let (status, body) = get(base, path, None).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    serde_json::from_str(&body).unwrap()
}

fn port(base: &str) -> &str {
    base.rsplit(':').next().unwrap()
}

#[tokio::test]
async fn an_older_ngrok_agent_lists_its_tunnels_and_has_no_endpoints() {
    let tunnel = |public_url: &str, proto: &str| Tunnel {
        public_url: public_url.into(),
        proto: proto.into(),
        addr: "http://localhost:8787".into(),
    };
    let agent = FakeNgrok::start(vec![
        tunnel("https://a1b2-203-0-113-7.ngrok-free.app", "https"),
        tunnel("http://a1b2-203-0-113-7.ngrok-free.app", "http"),
    ]);
    let base = agent.api_url();
    let listed = get_json(&base, "/api/tunnels").await;
    let tunnels = listed["tunnels"].as_array().unwrap();
    assert_eq!(tunnels.len(), 2);
    assert_eq!(
        tunnels[0]["public_url"],
        "https://a1b2-203-0-113-7.ngrok-free.app"
    );
    assert_eq!(tunnels[0]["proto"], "https");
    assert_eq!(tunnels[1]["config"]["addr"], "http://localhost:8787");
    let localhost = format!("localhost:{}", port(&base));
    let (status, _) = get(&base, "/api/tunnels", Some(&localhost)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        get(&base, "/api/endpoints", None).await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_ngrok_agent_refuses_a_host_that_is_not_itself() {
    let agent = FakeNgrok::start(Vec::new());
    let base = agent.api_url();
    let other_port = if port(&base) == "4040" {
        "4041"
    } else {
        "4040"
    };
    for host in [
        "attacker.example".to_owned(),
        format!("attacker.example:{}", port(&base)),
        format!("127.0.0.1:{other_port}"),
    ] {
        let (status, body) = get(&base, "/api/tunnels", Some(&host)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{host}");
        assert!(!body.contains("tunnels"), "{host}: {body}");
    }
}

#[tokio::test]
async fn a_newer_ngrok_agent_lists_endpoints_with_their_upstream() {
    let agent = FakeNgrok::start_endpoints(vec![(
        "https://hookscope.ngrok.app".into(),
        "http://localhost:8787".into(),
    )]);
    let base = agent.api_url();
    let listed = get_json(&base, "/api/endpoints").await;
    assert_eq!(listed["endpoints"][0]["url"], "https://hookscope.ngrok.app");
    assert_eq!(
        listed["endpoints"][0]["upstream"]["url"],
        "http://localhost:8787"
    );
    assert_eq!(get_json(&base, "/api/tunnels").await["tunnels"], json!([]));
}

#[tokio::test]
async fn cloudflared_tells_the_quick_tunnel_hostname_without_a_scheme() {
    for hostname in ["violet-sun-1234.trycloudflare.com", ""] {
        let cloudflared = FakeCloudflared::start(hostname);
        let base = format!("http://127.0.0.1:{}", cloudflared.port());
        assert_eq!(
            get_json(&base, "/quicktunnel").await,
            json!({"hostname": hostname})
        );
        assert_eq!(get_json(&base, "/ready").await["readyConnections"], 4);
        let (status, metrics) = get(&base, "/metrics", None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(metrics.contains("cloudflared_tunnel_ha_connections"));
        assert_eq!(
            get(&base, "/api/tunnels", None).await.0,
            StatusCode::NOT_FOUND
        );
    }
}
