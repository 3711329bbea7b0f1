//! Starts and stops the listener and the store together; the app and `serve` both use it.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

use crate::api;
use crate::attach::{self, AttachError, Attached, Mirror};
use crate::config::Config;
use crate::forward;
use crate::forward::outbox::Outbox;
use crate::listener::{self, Hub};
use crate::responses::{self, Responder};
use crate::store::{Routes, Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("Port {port} on {ip} is in use by another program; stop it or choose another address ([listener] listen in the settings, or --listen).", port = .addr.port(), ip = .addr.ip())]
    PortInUse { addr: SocketAddr },
    #[error("Could not listen on {addr}: {source}. Choose another address ([listener] listen in the settings, or --listen).")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A forward or response rule of the settings that cannot be used, and so does nothing.
#[derive(Debug, thiserror::Error)]
pub enum RuleProblem {
    #[error(transparent)]
    Forward(#[from] forward::ForwardRuleError),
    #[error(transparent)]
    Respond(#[from] responses::ResponseRuleError),
}

/// The rules of `config`, parsed, and what is wrong with those that cannot be used; `listener`
/// is where hookscope listens, which no forward rule may target. Response rules unchanged
/// from the responder `before` keep what they have taken.
fn rules(
    config: &Config,
    listener: SocketAddr,
    before: Option<&Responder>,
) -> (Routes, Responder, Vec<RuleProblem>) {
    let (routes, forward) = forward::routes(config, Some(listener));
    let (responder, respond) = match before {
        Some(before) => Responder::after(config, before),
        None => Responder::new(config),
    };
    let problems = forward
        .into_iter()
        .map(RuleProblem::from)
        .chain(respond.into_iter().map(RuleProblem::from))
        .collect();
    (routes, responder, problems)
}

/// The API while it runs: what stops it, and the data folder it announced itself in.
struct RunningApi {
    stop: oneshot::Sender<()>,
    server: JoinHandle<()>,
    data_dir: std::path::PathBuf,
}

/// Binds the API, makes its token when there is none yet, and announces it in the data folder.
async fn start_api(
    store: &Store,
    config: &watch::Sender<Arc<Config>>,
    listener: SocketAddr,
    data_dir: &Path,
) -> Result<(SocketAddr, RunningApi), String> {
    let asked = config.borrow().api.listen;
    let token = api::Token::load_or_create(data_dir).map_err(|e| {
        format!(
            "The API is off: its token could not be written in {} ({e}).",
            data_dir.display()
        )
    })?;
    let users = api::users::watch(data_dir);
    if open_to_others(asked) && users.borrow().is_empty() {
        return Err(format!(
            "The API is off: {}",
            beyond_loopback_without_users(asked)
        ));
    }
    let socket = tokio::net::TcpListener::bind(asked).await.map_err(|e| {
        format!("The API is off: it could not listen on {asked} ({e}); choose another address with [api] listen or --api-listen, or port 0 for any free one.")
    })?;
    let addr = socket.local_addr().map_err(|e| e.to_string())?;
    let router = api::router(api::Api {
        store: store.clone(),
        config: config.subscribe(),
        listener,
        addr,
        token,
        users,
        started_at: time::OffsetDateTime::now_utc(),
        feed: api::CaptureFeed::start(store, config.subscribe()),
    });
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(api::run(socket, router, async {
        let _ = stopped.await;
    }));
    if let Err(e) = api::Announced::announce(data_dir, addr) {
        tracing::warn!(
            "could not say where the API is in {}: {e}",
            data_dir.display()
        );
    }
    let running = RunningApi {
        stop,
        server,
        data_dir: data_dir.to_owned(),
    };
    Ok((addr, running))
}

/// What keeps `config` from serving as it is, each a sentence: the rules that cannot be used,
/// and an API beyond loopback with no user tokens in the data folder `data_dir`. Mistakes in
/// the file itself are said when it is read.
pub fn check_settings(config: &Config, data_dir: &Path) -> Vec<String> {
    let (_, _, problems) = rules(config, config.listener.listen, None);
    let mut said: Vec<String> = problems.iter().map(ToString::to_string).collect();
    let unread = crate::config::vault::unread(config);
    if !unread.is_empty() {
        said.push(format!("The keyring did not give back {}: the checks against them refuse every delivery. Run serve where the keyring is unlocked, or move the tokens to the settings file there (`hookscope secrets --move-to file`).", unread.join(", ")));
    }
    if config.api.enabled && open_to_others(config.api.listen) {
        match api::users::Users::load(data_dir) {
            Ok(users) if users.is_empty() => {
                said.push(beyond_loopback_without_users(config.api.listen))
            }
            Ok(_) => {}
            Err(e) => said.push(e.to_string()),
        }
    }
    said
}

/// Why the API does not listen at `addr`, beyond this computer, while no user has a token: the
/// owner's token would be the only one, handed to the whole team.
pub fn beyond_loopback_without_users(addr: SocketAddr) -> String {
    format!("[api] listen = {addr} reaches beyond this computer, and no user token exists yet. Add one for each developer with `hookscope api token add NAME` and start again, or keep the API on 127.0.0.1 and reach it through an SSH tunnel.")
}

/// Whether other machines can reach a listener at `addr`: any but a loopback address. Said at
/// start, since captures hold customer data and forward rules reach the developer's app.
pub fn open_to_others(addr: SocketAddr) -> bool {
    !addr.ip().is_loopback()
}

/// How the API came up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiState {
    /// `[api] enabled = false`.
    Off,
    Listening(SocketAddr),
    /// It could not start, in a sentence; the listener runs without it.
    Failed(String),
}

/// A running listener and its store.
pub struct Engine {
    store: Store,
    config: watch::Sender<Arc<Config>>,
    routes: watch::Sender<Routes>,
    responder: watch::Sender<Responder>,
    /// Rules that cannot be used, and so do nothing.
    rule_problems: Vec<RuleProblem>,
    local_addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    server: JoinHandle<()>,
    outbox: Outbox,
    delivering: JoinHandle<()>,
    fell_back: Arc<watch::Sender<forward::FellBack>>,
    api: ApiState,
    api_running: Option<RunningApi>,
    /// Where the store, the API's token and the mirrored host's name are.
    data_dir: std::path::PathBuf,
    /// Mirroring a team host into this store, while attached.
    mirroring: Option<JoinHandle<()>>,
}

impl Engine {
    /// Opens the store and binds the listener (port 0 picks a free port).
    pub async fn start(config: Config, store_file: &Path) -> Result<Engine, EngineError> {
        let addr = config.listener.listen;
        let store = Store::open(store_file, (&config.listener).into())?;
        let socket = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| {
                if source.kind() == std::io::ErrorKind::AddrInUse {
                    EngineError::PortInUse { addr }
                } else {
                    EngineError::Bind { addr, source }
                }
            })?;
        let local_addr = socket
            .local_addr()
            .map_err(|source| EngineError::Bind { addr, source })?;
        let (routes, responder, rule_problems) = rules(&config, local_addr, None);
        let (routes, routes_rx) = watch::channel(routes);
        let (responder, responder_rx) = watch::channel(responder);
        let (config, config_rx) = watch::channel(Arc::new(config));
        let (outbox, delivering) = Outbox::start(store.clone());
        let fell_back = Arc::new(watch::channel(forward::FellBack::default()).0);
        let router = listener::router(Hub {
            store: store.clone(),
            bodies: listener::BodyBudget::new(config.borrow().listener.max_in_flight_bytes),
            config: config_rx,
            routes: routes_rx,
            responder: responder_rx,
            http: forward::client(),
            outbox: outbox.clone(),
            delayed: Arc::new(tokio::sync::Semaphore::new(listener::DELAYED_AT_ONCE)),
            fell_back: fell_back.clone(),
        });
        let (stop, stopped) = oneshot::channel::<()>();
        let read_timeout =
            std::time::Duration::from_secs(config.borrow().listener.read_timeout_secs);
        let server = tokio::spawn(listener::run(socket, router, read_timeout, async {
            let _ = stopped.await;
        }));
        let data_dir = store_file.parent().unwrap_or(Path::new(".")).to_owned();
        let api_enabled = config.borrow().api.enabled;
        let (api, api_running) = match api_enabled {
            false => (ApiState::Off, None),
            true => match start_api(&store, &config, local_addr, &data_dir).await {
                Ok((addr, running)) => (ApiState::Listening(addr), Some(running)),
                Err(sentence) => (ApiState::Failed(sentence), None),
            },
        };
        Ok(Engine {
            store,
            config,
            routes,
            responder,
            rule_problems,
            local_addr,
            stop: Some(stop),
            server,
            outbox,
            delivering,
            fell_back,
            api,
            api_running,
            data_dir,
            mirroring: None,
        })
    }

    /// The API's state: where it listens, or why it does not.
    pub fn api(&self) -> &ApiState {
        &self.api
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn config(&self) -> Arc<Config> {
        self.config.borrow().clone()
    }

    /// The rules in force; a change applies to the next request. Response rules that did not
    /// change keep what they have taken.
    pub fn set_config(&mut self, config: Config) {
        self.store.set_retention((&config.listener).into());
        let before = self.responder.borrow().clone();
        let (routes, responder, problems) = rules(&config, self.local_addr, Some(&before));
        self.routes.send_replace(routes);
        self.responder.send_replace(responder);
        self.rule_problems = problems;
        self.config.send_replace(Arc::new(config));
        self.outbox.wake();
    }

    /// Rules that cannot be used as they are, and so do nothing.
    pub fn rule_problems(&self) -> &[RuleProblem] {
        &self.rule_problems
    }

    /// How many requests each response rule with a limit still takes, by rule number.
    pub fn faults_remaining(&self) -> Vec<(usize, u32)> {
        self.responder.borrow().remaining()
    }

    /// Pass-through requests that got hookscope's own answer because an earlier delivery of
    /// their queue was still waiting (see [`forward::FellBack`]): how many since start, and
    /// the latest one's target. `borrow()` reads it; `changed()` wakes at each new one.
    pub fn pass_through_fell_back(&self) -> watch::Receiver<forward::FellBack> {
        self.fell_back.subscribe()
    }

    /// The outbox, for Retry now and Skip.
    pub fn outbox(&self) -> &Outbox {
        &self.outbox
    }

    /// Mirrors the team host whose API is at `host` into this store, as `hookscope attach`
    /// does: its captures join the table and go through the forward rules in force. Ends
    /// mirroring another host first. Refused when the data folder mirrors another host.
    pub fn attach(
        &mut self,
        host: &str,
        token: &str,
    ) -> Result<tokio::sync::watch::Receiver<Attached>, AttachError> {
        self.detach();
        let client = api::client::Client::new(host, api::Token::given(token));
        attach::claim(&self.data_dir, &client.base)?;
        let (task, state) = Mirror {
            client,
            store: self.store.clone(),
            routes: self.routes.subscribe(),
            outbox: self.outbox.clone(),
            filter: String::new(),
            config: Config::clone(&self.config()),
        }
        .start();
        self.mirroring = Some(task);
        Ok(state)
    }

    /// Stops mirroring the team host.
    pub fn detach(&mut self) {
        if let Some(mirroring) = self.mirroring.take() {
            mirroring.abort();
        }
    }

    /// Stops accepting, lets in-flight requests finish and commits everything.
    pub async fn stop(mut self) {
        self.detach();
        if let Some(running) = self.api_running.take() {
            let _ = running.stop.send(());
            let _ = running.server.await;
            api::Announced::withdraw(&running.data_dir);
        }
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.server).await;
        self.delivering.abort();
        self.store.close().await;
    }
}

/// Waits until the process is asked to stop: Ctrl+C, or SIGTERM where there is one.
pub async fn stop_asked() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
