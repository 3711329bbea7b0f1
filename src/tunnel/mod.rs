//! Finding the public URL of the tunnel in front of the listener.
//!
//! * ngrok's agent serves `GET /api/tunnels` (`{tunnels: [{public_url, proto, config: {addr}}]}`)
//!   and, in newer versions, `GET /api/endpoints` (`{endpoints: [{url, upstream: {url}}]}`);
//!   the https tunnel whose address is our port is ours. The agent refuses a `Host` other
//!   than its own address, which a request to `127.0.0.1:4040` sends by itself.
//! * cloudflared's metrics server, on the first free port of 20241–20245, serves
//!   `GET /quicktunnel` → `{"hostname": "x.trycloudflare.com"}` (no scheme; empty for named
//!   tunnels, whose URL only the user knows).
//!
//! A quick tunnel hookscope started itself (`quick`) wins over a URL the user typed, which wins
//! over both.

pub mod quick;

use std::fmt;
use std::time::Duration;

use serde_json::Value;

use crate::config::TunnelConfig;

/// How often the app and `serve` look for the tunnel again while no public URL is typed.
pub const DETECT_EVERY: Duration = Duration::from_secs(10);

/// Where a public URL came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A quick tunnel hookscope started, which stops with it.
    Started {
        program: String,
    },
    Typed,
    Ngrok {
        api: String,
    },
    Cloudflared {
        metrics: String,
    },
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Started { program } => {
                write!(
                    f,
                    "the {program} quick tunnel hookscope started (it stops with hookscope)"
                )
            }
            Source::Typed => f.write_str("typed in the settings ([tunnel] public_url)"),
            Source::Ngrok { api } => write!(f, "the ngrok agent at {api}"),
            Source::Cloudflared { metrics } => {
                write!(f, "the cloudflared quick tunnel (metrics at {metrics})")
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// `https://host`, without a trailing slash.
    pub url: String,
    pub source: Source,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("No tunnel was found for port {port}: {}. Start one, e.g. `cloudflared tunnel --url http://127.0.0.1:{port}` or `ngrok http {port}`, or type its https URL as the public URL.", .tried.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct NotFound {
    pub port: u16,
    /// What each place said.
    pub tried: Vec<Missed>,
}

/// Why one place did not give the public URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Missed {
    /// The ngrok agent's API at `api`.
    Ngrok { api: String, why: NgrokMiss },
    /// cloudflared's metrics address is not `host:port` or `host:first-last`.
    MetricsAddress { metrics: String },
    /// cloudflared at `at` runs a named tunnel, whose URL only the user knows.
    NamedTunnel { at: String },
    /// No cloudflared quick tunnel answers at any of `metrics`.
    NoQuickTunnel { metrics: String },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NgrokMiss {
    NotRunning,
    NoAnswer {
        detail: String,
    },
    Status {
        status: u16,
    },
    NotJson,
    NoHttpsTunnel,
    /// Its https tunnels forward to these addresses, none to our port.
    OtherPorts {
        addrs: Vec<String>,
        port: u16,
    },
}

impl fmt::Display for Missed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Missed::Ngrok { api, why } => {
                write!(f, "the ngrok agent at {api} ")?;
                match why {
                    NgrokMiss::NotRunning => f.write_str("is not running"),
                    NgrokMiss::NoAnswer { detail } => write!(f, "did not answer ({detail})"),
                    NgrokMiss::Status { status } => write!(f, "answered HTTP {status}"),
                    NgrokMiss::NotJson => f.write_str("answered something that is not its JSON"),
                    NgrokMiss::NoHttpsTunnel => f.write_str("has no https tunnel"),
                    NgrokMiss::OtherPorts { addrs, port } => {
                        write!(f, "forwards only to {}, not to port {port}", addrs.join(", "))
                    }
                }
            }
            Missed::MetricsAddress { metrics } => write!(
                f,
                "cloudflared's metrics address \"{metrics}\" is not host:port or host:first-last ([tunnel] cloudflared_metrics)"
            ),
            Missed::NamedTunnel { at } => write!(
                f,
                "cloudflared at {at} runs a named tunnel, whose URL only you know: type it as the public URL"
            ),
            Missed::NoQuickTunnel { metrics } => {
                write!(f, "no cloudflared quick tunnel answers at {metrics}")
            }
        }
    }
}

/// The public URL for a listener on `port`: the tunnel hookscope started, else the typed
/// one, else a detected one.
pub async fn find(config: &TunnelConfig, port: u16) -> Result<Found, NotFound> {
    if let Some(started) = &config.started {
        return Ok(Found {
            url: started.url.clone(),
            source: Source::Started {
                program: started.program.clone(),
            },
        });
    }
    let typed = config.public_url.trim().trim_end_matches('/');
    if !typed.is_empty() {
        return Ok(Found {
            url: typed.to_string(),
            source: Source::Typed,
        });
    }
    detect(config, port).await
}

/// Asks ngrok and cloudflared at once; ngrok wins when both answer, as only its answer says
/// which port the tunnel forwards to.
pub async fn detect(config: &TunnelConfig, port: u16) -> Result<Found, NotFound> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .no_proxy()
        .build()
        .expect("the HTTP client's settings are valid");
    let (ngrok, cloudflared) = tokio::join!(
        ngrok(&http, &config.ngrok_api, port),
        cloudflared(&http, &config.cloudflared_metrics)
    );
    let mut tried = Vec::new();
    for outcome in [ngrok, cloudflared] {
        match outcome {
            Ok(found) => return Ok(found),
            Err(said) => tried.push(said),
        }
    }
    Err(NotFound { port, tried })
}

async fn get_json(http: &reqwest::Client, url: &str) -> Result<Option<Value>, NgrokMiss> {
    let response = http.get(url).send().await.map_err(|e| {
        if e.is_connect() {
            NgrokMiss::NotRunning
        } else {
            NgrokMiss::NoAnswer {
                detail: e.without_url().to_string(),
            }
        }
    })?;
    if response.status() == reqwest::StatusCode::NOT_FOUND {
        return Ok(None);
    }
    if !response.status().is_success() {
        return Err(NgrokMiss::Status {
            status: response.status().as_u16(),
        });
    }
    response
        .json()
        .await
        .map(Some)
        .map_err(|_| NgrokMiss::NotJson)
}

async fn ngrok(http: &reqwest::Client, api: &str, port: u16) -> Result<Found, Missed> {
    let api = api.trim().trim_end_matches('/');
    let said = |why: NgrokMiss| Missed::Ngrok {
        api: api.into(),
        why,
    };
    let mut candidates = Vec::new();
    if let Some(list) = get_json(http, &format!("{api}/api/tunnels"))
        .await
        .map_err(said)?
    {
        for t in list["tunnels"].as_array().into_iter().flatten() {
            candidates.push((text(&t["public_url"]), text(&t["config"]["addr"])));
        }
    }
    if candidates.is_empty() {
        if let Some(list) = get_json(http, &format!("{api}/api/endpoints"))
            .await
            .map_err(said)?
        {
            for e in list["endpoints"].as_array().into_iter().flatten() {
                candidates.push((text(&e["url"]), text(&e["upstream"]["url"])));
            }
        }
    }
    let https: Vec<_> = candidates
        .iter()
        .filter(|(url, _)| url.starts_with("https://"))
        .collect();
    if let Some((url, _)) = https.iter().find(|(_, addr)| port_of(addr) == Some(port)) {
        return Ok(Found {
            url: url.trim_end_matches('/').to_string(),
            source: Source::Ngrok { api: api.into() },
        });
    }
    Err(said(match https.as_slice() {
        [] => NgrokMiss::NoHttpsTunnel,
        others => NgrokMiss::OtherPorts {
            addrs: others.iter().map(|(_, addr)| addr.clone()).collect(),
            port,
        },
    }))
}

async fn cloudflared(http: &reqwest::Client, metrics: &str) -> Result<Found, Missed> {
    let Some((host, ports)) = metrics_ports(metrics) else {
        return Err(Missed::MetricsAddress {
            metrics: metrics.into(),
        });
    };
    let mut named = None;
    for port in ports {
        let at = format!("{host}:{port}");
        let Ok(Some(answer)) = get_json(http, &format!("http://{at}/quicktunnel")).await else {
            continue;
        };
        match answer["hostname"].as_str().map(str::trim) {
            Some(hostname) if !hostname.is_empty() => {
                return Ok(Found {
                    url: format!("https://{}", hostname.trim_end_matches('/')),
                    source: Source::Cloudflared { metrics: at },
                })
            }
            _ => named = Some(at),
        }
    }
    Err(match named {
        Some(at) => Missed::NamedTunnel { at },
        None => Missed::NoQuickTunnel {
            metrics: metrics.into(),
        },
    })
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_string()
}

/// The port an ngrok address forwards to: `http://localhost:8787`, `localhost:8787`, `8787`.
fn port_of(addr: &str) -> Option<u16> {
    let rest = addr.split_once("://").map_or(addr, |(_, rest)| rest);
    let authority = rest.split('/').next().unwrap_or(rest);
    let port = authority.rsplit(':').next().unwrap_or(authority);
    port.parse().ok().or_else(|| match addr.split_once("://") {
        Some(("https", _)) => Some(443),
        Some(("http", _)) => Some(80),
        _ => None,
    })
}

/// `127.0.0.1:20241-20245` → the host and the ports to try, in order.
fn metrics_ports(metrics: &str) -> Option<(String, std::ops::RangeInclusive<u16>)> {
    let (host, ports) = metrics.trim().rsplit_once(':')?;
    let (first, last) = ports.split_once('-').unwrap_or((ports, ports));
    let (first, last) = (first.trim().parse().ok()?, last.trim().parse().ok()?);
    (!host.is_empty() && first <= last).then(|| (host.to_string(), first..=last))
}

/// Hosts of quick tunnels, which change at every start: a webhook there that is not at this
/// tunnel is most likely at an older one of the user's.
pub fn is_quick_tunnel(url: &str) -> bool {
    let host = url
        .split("://")
        .nth(1)
        .unwrap_or(url)
        .split(['/', ':'])
        .next()
        .unwrap_or("");
    [
        ".trycloudflare.com",
        ".ngrok-free.app",
        ".ngrok.io",
        ".ngrok.app",
        ".ngrok-free.dev",
    ]
    .iter()
    .any(|suffix| host.ends_with(suffix))
}

/// `url` with its `old` base replaced by `new`, when it starts with `old`
/// (`https://a.trycloudflare.com/moysklad/k8J` → `https://b.trycloudflare.com/moysklad/k8J`).
pub fn moved(url: &str, old: &str, new: &str) -> Option<String> {
    let old = old.trim_end_matches('/');
    let rest = url.strip_prefix(old)?;
    (old.len() > "https://".len() && (rest.is_empty() || rest.starts_with('/')))
        .then(|| format!("{}{rest}", new.trim_end_matches('/')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quick_tunnel_hosts_are_recognised() {
        assert!(is_quick_tunnel("https://a-b.trycloudflare.com/moysklad"));
        assert!(is_quick_tunnel("https://x.ngrok-free.app"));
        assert!(!is_quick_tunnel("https://hooks.example.com/moysklad"));
    }

    #[test]
    fn only_urls_under_the_old_base_move() {
        let old = "https://a.trycloudflare.com";
        let new = "https://b.trycloudflare.com/";
        assert_eq!(
            moved("https://a.trycloudflare.com/moysklad/k8J", old, new).as_deref(),
            Some("https://b.trycloudflare.com/moysklad/k8J")
        );
        assert_eq!(moved("https://a.trycloudflare.com.evil/x", old, new), None);
        assert_eq!(moved("https://c.example/x", old, new), None);
        assert_eq!(moved("https://anything", "https://", new), None);
    }

    #[test]
    fn ports_of_ngrok_addresses() {
        assert_eq!(port_of("http://localhost:8787"), Some(8787));
        assert_eq!(port_of("localhost:8787"), Some(8787));
        assert_eq!(port_of("8787"), Some(8787));
        assert_eq!(port_of("https://127.0.0.1:8787/"), Some(8787));
        assert_eq!(port_of("http://localhost"), Some(80));
        assert_eq!(port_of("localhost"), None);
    }

    #[test]
    fn metrics_ranges() {
        let (host, ports) = metrics_ports("127.0.0.1:20241-20245").unwrap();
        assert_eq!((host.as_str(), ports), ("127.0.0.1", 20241..=20245));
        assert_eq!(metrics_ports("localhost:5000").unwrap().1, 5000..=5000);
        assert!(metrics_ports("20241").is_none());
        assert!(metrics_ports("h:9-1").is_none());
    }

    #[tokio::test]
    async fn a_typed_url_wins_without_asking_anyone() {
        let config = TunnelConfig {
            public_url: "https://mine.example/ ".into(),
            ngrok_api: "http://127.0.0.1:1".into(),
            ..Default::default()
        };
        let found = find(&config, 8787).await.unwrap();
        assert_eq!(found.url, "https://mine.example");
        assert_eq!(found.source, Source::Typed);
    }
}
