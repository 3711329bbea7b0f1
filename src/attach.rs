//! Mirroring a team host: a `serve` on an always-on host receives every provider's webhooks,
//! and each developer's hookscope follows its event stream, commits what arrives into the
//! local store (the host's id kept as `host_id`) and forwards it to their own app through the
//! local outbox, as if it had arrived here.
//!
//! Mirroring resumes after the newest `host_id` in the local store, so a restart, a network
//! drop or the host's restart miss nothing, and ids only grow on the host, so nothing comes
//! twice. A capture is committed here before the next is asked for; the host never waits for
//! a client (a stream that falls behind is dropped there and resumed from here).

use std::path::Path;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::watch;

use crate::api::client::{Client, ClientError, ServerEvent};
use crate::api::API_VERSION;
use crate::capture::Capture;
use crate::config::{Config, ResponseRule};
use crate::forward::outbox::Outbox;
use crate::store::{Routes, Store, StoreError};

/// The file in a data folder that names the host it mirrors.
const HOST_FILE: &str = "attached-to";
/// The most events committed in one go while catching up.
const BATCH: usize = 1000;
/// How long events are gathered after the first of a batch, to be committed together.
const GATHER: Duration = Duration::from_millis(20);
/// The longest wait between two tries to reach a host that is away.
const LONGEST_PAUSE: Duration = Duration::from_secs(10);

/// Why mirroring stopped for good: trying again would not help.
#[derive(Debug, thiserror::Error)]
pub enum AttachError {
    #[error("{0} Ask the host's owner for a token (`hookscope api token add NAME` on the host) and pass it with --token.")]
    Refused(ClientError),
    #[error("{0}")]
    NotHookscope(ClientError),
    #[error("The host at {url} speaks API version {host}, newer than this hookscope's {ours}; update hookscope here to attach to it.")]
    NewerApi { url: String, host: u64, ours: u32 },
    #[error("The captures could not be saved here, so mirroring stopped: {0}")]
    Store(#[from] StoreError),
    #[error("The data folder {folder} mirrors {held}, not {host}; use another data folder for this host (--data-dir).")]
    MirrorsAnother {
        folder: String,
        held: String,
        host: String,
    },
    #[error("The data folder {folder} could not be made the mirror of a host: {source}.")]
    Claim {
        folder: String,
        source: std::io::Error,
    },
}

/// What happened while mirroring, for whoever shows it.
#[derive(Clone, Debug, PartialEq)]
pub enum News {
    /// The stream is open; mirroring goes on after the host's capture `after`, and the host's
    /// newest is `newest`.
    Connected {
        version: String,
        after: i64,
        newest: i64,
        /// The host's response rules that are on, by number: its answers and faults.
        responses: Vec<(usize, ResponseRule)>,
    },
    /// Captures committed here, up to the host's capture `last`.
    Mirrored { count: usize, last: i64 },
    /// A capture the host sent that could not be read; it stays on the host only.
    Unreadable { host_id: i64, why: String },
    /// The host went away; tried again after `pause`.
    Lost { why: String, pause: Duration },
}

/// What mirrors one host into one store.
pub struct Mirror {
    pub client: Client,
    pub store: Store,
    /// Forward rules as they stand; deliveries are made in each capture's own commit, as for
    /// a live one.
    pub routes: watch::Receiver<Routes>,
    pub outbox: Outbox,
    /// In the filter language; only matching captures are mirrored.
    pub filter: String,
    /// Judges what a capture's JSON leaves out.
    pub config: Config,
}

/// What the host says of itself when a session starts.
struct HostStatus {
    version: String,
    newest: i64,
    responses: Vec<(usize, ResponseRule)>,
}

/// How a session with the host ended.
enum Ended {
    /// Worth trying again: the host is away, restarting, or dropped the stream.
    Lost(String),
    Fatal(AttachError),
}

impl From<StoreError> for Ended {
    fn from(e: StoreError) -> Ended {
        Ended::Fatal(e.into())
    }
}

impl Mirror {
    /// Mirrors until a fatal error; each piece of news goes to `said`.
    pub async fn run(&self, mut said: impl FnMut(News)) -> Result<(), AttachError> {
        let mut after = self.store.reader()?.last_host_id()?;
        let first_pause = Duration::from_secs(1);
        let mut pause = first_pause;
        loop {
            let mut connected = false;
            let why = match self.session(&mut after, &mut connected, &mut said).await {
                Ok(()) => "the host closed the stream (it may be restarting)".to_string(),
                Err(Ended::Lost(why)) => why,
                Err(Ended::Fatal(e)) => return Err(e),
            };
            // A host that was there a moment ago is tried again soon; one that stays away,
            // less and less often.
            pause = if connected {
                first_pause
            } else {
                (pause * 2).min(LONGEST_PAUSE)
            };
            said(News::Lost { why, pause });
            tokio::time::sleep(pause).await;
        }
    }

    /// Asks the host who it is: a hookscope whose API this one understands, and how it stands.
    async fn check(&self) -> Result<HostStatus, Ended> {
        let status = self
            .client
            .get("/status", &[], Duration::from_secs(10))
            .await
            .map_err(ended)?;
        let url = self.client.base.clone();
        let Some(version) = status["api_version"].as_u64() else {
            return Err(Ended::Fatal(AttachError::NotHookscope(
                ClientError::NotHookscope {
                    url,
                    detail: "its status does not say its API version".into(),
                },
            )));
        };
        if version > u64::from(API_VERSION) {
            return Err(Ended::Fatal(AttachError::NewerApi {
                url,
                host: version,
                ours: API_VERSION,
            }));
        }
        let responses = status["responses"]
            .as_array()
            .map_or_else(Vec::new, |rules| {
                rules
                    .iter()
                    .filter_map(|r| {
                        let rule = serde_json::from_value(r["as"].clone()).ok()?;
                        Some((usize::try_from(r["rule"].as_u64()?).ok()?, rule))
                    })
                    .collect()
            });
        Ok(HostStatus {
            version: status["version"].as_str().unwrap_or("?").to_string(),
            newest: status["newest_id"].as_i64().unwrap_or(0),
            responses,
        })
    }

    /// One connection: the stream from `after` on, committed in batches until it ends.
    async fn session(
        &self,
        after: &mut i64,
        connected: &mut bool,
        said: &mut impl FnMut(News),
    ) -> Result<(), Ended> {
        let HostStatus {
            version,
            newest,
            responses,
        } = self.check().await?;
        let query = [
            ("after", after.to_string()),
            ("filter", self.filter.clone()),
            ("unmasked", "1".to_string()),
        ];
        let mut events = self.client.events(&query).await.map_err(ended)?;
        *connected = true;
        said(News::Connected {
            version,
            after: *after,
            newest,
            responses,
        });
        loop {
            let first = match events.next().await {
                Ok(Some(event)) => event,
                Ok(None) => return Ok(()),
                Err(e) => return Err(broke_off(e)),
            };
            // What arrives within GATHER of the first is committed with it: one commit (and
            // one sync) for many under load, each a few milliseconds later when alone.
            let mut batch = vec![first];
            let gathered = tokio::time::Instant::now() + GATHER;
            // How the stream ended while gathering: handled once the batch is committed.
            let mut ending = None;
            while batch.len() < BATCH {
                if let Some(event) = events.received() {
                    batch.push(event);
                    continue;
                }
                match tokio::time::timeout_at(gathered, events.next()).await {
                    Ok(Ok(Some(event))) => batch.push(event),
                    Ok(Ok(None)) => {
                        ending = Some(Ok(()));
                        break;
                    }
                    Ok(Err(e)) => {
                        ending = Some(Err(broke_off(e)));
                        break;
                    }
                    Err(_) => break,
                }
            }
            let mut captures = Vec::with_capacity(batch.len());
            for event in batch.iter().filter(|e| e.kind == "capture") {
                match self.capture(event) {
                    Ok(capture) if capture.host_id > Some(*after) => captures.push(capture),
                    Ok(_) => {}
                    Err((host_id, why)) => said(News::Unreadable { host_id, why }),
                }
            }
            if let Some(last) = captures.last().and_then(|c| c.host_id) {
                let routes = self.routes.borrow().clone();
                let count = self
                    .store
                    .commit_in_order(captures, &routes)
                    .await
                    .map_err(|(_, e)| Ended::from(e))?;
                self.outbox.wake();
                *after = last;
                said(News::Mirrored { count, last });
            }
            if let Some(ending) = ending {
                return ending;
            }
        }
    }

    /// A capture event made into a capture of this store: the host's id kept, its repeat mark
    /// left to this store (which sees the same redeliveries), pins and notes left to the user.
    fn capture(&self, event: &ServerEvent) -> Result<Capture, (i64, String)> {
        let host_id: i64 = event
            .id
            .as_deref()
            .and_then(|id| id.parse().ok())
            .ok_or((0, "the event has no capture id".to_string()))?;
        let value: Value =
            serde_json::from_str(&event.data).map_err(|e| (host_id, e.to_string()))?;
        let mut capture =
            crate::export::ndjson::from_json(&value, &self.config).map_err(|why| (host_id, why))?;
        capture.host_id = Some(host_id);
        capture.repeat_of = None;
        capture.pinned = false;
        capture.note.clear();
        Ok(capture)
    }
}

fn broke_off(e: reqwest::Error) -> Ended {
    Ended::Lost(format!("the stream broke off ({e})"))
}

/// A client error as the end of a session: a refused token or a host that is not hookscope
/// ends mirroring, anything else is tried again.
fn ended(e: ClientError) -> Ended {
    match e {
        ClientError::Refused { .. } => Ended::Fatal(AttachError::Refused(e)),
        ClientError::NotHookscope { .. } => Ended::Fatal(AttachError::NotHookscope(e)),
        other => Ended::Lost(other.to_string()),
    }
}

/// Makes the data folder `data_dir` the mirror of `host`, or refuses when it mirrors another:
/// the two hosts' ids would not be one sequence, and resuming would skip captures.
pub fn claim(data_dir: &Path, host: &str) -> Result<(), AttachError> {
    let claim_error = |source| AttachError::Claim {
        folder: data_dir.display().to_string(),
        source,
    };
    crate::owner_only::create_dir(data_dir).map_err(claim_error)?;
    let file = data_dir.join(HOST_FILE);
    match std::fs::read_to_string(&file) {
        Ok(held) if held.trim() == host => Ok(()),
        Ok(held) => Err(AttachError::MirrorsAnother {
            folder: data_dir.display().to_string(),
            held: held.trim().to_string(),
            host: host.to_string(),
        }),
        Err(_) => {
            crate::owner_only::write(&file, format!("{host}\n").as_bytes()).map_err(claim_error)
        }
    }
}

/// How mirroring a host stands, for a window to show.
#[derive(Clone, Debug, PartialEq)]
pub struct Attached {
    /// The host's API, as the client calls it.
    pub host: String,
    pub link: Link,
    /// The newest host capture mirrored here.
    pub mirrored: i64,
    /// The host's newest capture, as far as is known here.
    pub newest: i64,
    /// The host's response rules that are on, as of the last connection.
    pub responses: Vec<(usize, ResponseRule)>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Link {
    Connecting,
    Connected,
    /// Away; tried again soon.
    Lost(String),
    /// Stopped for good, in a sentence: trying again would not help.
    Ended(String),
}

impl Attached {
    /// How many host captures are not mirrored yet.
    pub fn behind(&self) -> i64 {
        (self.newest - self.mirrored).max(0)
    }

    fn hear(&mut self, news: News) {
        match news {
            News::Connected {
                after,
                newest,
                responses,
                ..
            } => {
                self.link = Link::Connected;
                self.mirrored = after;
                self.newest = newest.max(after);
                self.responses = responses;
            }
            News::Mirrored { last, .. } => {
                self.mirrored = last;
                self.newest = self.newest.max(last);
            }
            News::Unreadable { .. } => {}
            News::Lost { why, .. } => self.link = Link::Lost(why),
        }
    }
}

impl Mirror {
    /// Mirrors on a task of its own, its state told on the channel returned.
    pub fn start(self) -> (tokio::task::JoinHandle<()>, watch::Receiver<Attached>) {
        let (told, state) = watch::channel(Attached {
            host: self.client.base.clone(),
            link: Link::Connecting,
            mirrored: 0,
            newest: 0,
            responses: Vec::new(),
        });
        let task = tokio::spawn(async move {
            let outcome = self.run(|news| told.send_modify(|a| a.hear(news))).await;
            if let Err(e) = outcome {
                told.send_modify(|a| a.link = Link::Ended(e.to_string()));
            }
        });
        (task, state)
    }
}
