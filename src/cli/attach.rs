//! `hookscope attach`: mirrors a team host's captures into this data folder, a line per
//! capture as `serve` prints them, and forwards them to the developer's own app through the
//! local outbox.

use std::time::Duration;

use anyhow::bail;
use hookscope::api::client::Client;
use hookscope::api::Token;
use hookscope::attach::{Mirror, News};
use hookscope::config::{Config, ForwardRule, Paths};
use hookscope::forward::{self, outbox::Outbox};
use hookscope::store::Store;
use tokio::sync::broadcast::error::RecvError;

use super::printer::Printer;
use super::runtime;

#[derive(clap::Args)]
pub struct Attach {
    /// The host's API, e.g. https://api.team.example or http://10.0.0.5:8788.
    #[arg(value_name = "URL")]
    url: String,
    /// A token the host's owner made for you (`hookscope api token add NAME` on the host).
    #[arg(
        long,
        value_name = "TOKEN",
        env = "HOOKSCOPE_TOKEN",
        hide_env_values = true
    )]
    token: String,
    /// Mirror only the captures this filter matches.
    #[arg(long, value_name = "QUERY")]
    filter: Option<String>,
    /// Also forward every mirrored capture to URL, e.g. http://localhost:3000/hooks, through
    /// the local outbox (added to the [[forward]] rules of the settings for this run).
    #[arg(long, value_name = "URL")]
    forward_to: Option<String>,
}

pub fn attach(paths: &Paths, asked: Attach) -> anyhow::Result<()> {
    let mut config = Config::load_or_create(&paths.config_file)?;
    if let Some(target) = asked.forward_to {
        forward::check_target(&target)?;
        config.forward.push(ForwardRule {
            target,
            ..Default::default()
        });
    }
    if let Some(filter) = &asked.filter {
        hookscope::filter::Filter::parse(filter)
            .map_err(|e| anyhow::anyhow!("The filter has a mistake: {e}"))?;
    }
    let client = Client::new(&asked.url, Token::given(&asked.token));
    hookscope::attach::claim(&paths.data_dir, &client.base)?;
    let (routes, problems) = forward::routes(&config, None);
    if let Some(problem) = problems.first() {
        bail!("{problem}");
    }
    runtime()?.block_on(async {
        let store = Store::open(&paths.store_file(), (&config.listener).into())?;
        let (outbox, delivering) = Outbox::start(store.clone());
        let printer = Printer::start();
        for rule in config.forward.iter().filter(|r| r.enabled) {
            printer.say(format!("  forward    → {}", rule.target.trim()));
        }
        let mut committed = store.subscribe();
        let lines = printer.clone();
        tokio::spawn(async move {
            loop {
                match committed.recv().await {
                    Ok(captures) => {
                        let shown: Vec<String> =
                            captures.iter().map(super::captures::line).collect();
                        lines.say(shown.join("\n"));
                    }
                    Err(RecvError::Lagged(n)) => lines.say(format!(
                        "… the captures of {n} commits are not shown here (all are stored)"
                    )),
                    Err(RecvError::Closed) => return,
                }
            }
        });
        let mirror = Mirror {
            client,
            store: store.clone(),
            routes: tokio::sync::watch::channel(routes).1,
            outbox,
            filter: asked.filter.unwrap_or_default(),
            config,
        };
        let base = mirror.client.base.clone();
        let said = printer.clone();
        let running = mirror.run(move |news| say(&said, &base, news));
        let outcome = tokio::select! {
            ended = running => ended.map_err(anyhow::Error::from),
            () = hookscope::engine::stop_asked() => Ok(()),
        };
        delivering.abort();
        store.close().await;
        printer.finish(Duration::from_secs(1));
        outcome
    })
}

fn say(printer: &Printer, host: &str, news: News) {
    match news {
        News::Connected {
            version,
            after,
            responses,
            ..
        } => {
            printer.say(match after {
                0 => format!("attached to {host} (hookscope {version}); mirroring from its first capture"),
                n => format!("attached to {host} (hookscope {version}); mirroring after its capture #{n}"),
            });
            // Its answers and faults are the host's: said, since they shape what arrives.
            for (n, rule) in &responses {
                let line = super::serve::response_line(*n, rule, &Config::default());
                printer.say(format!("  host's     {line}"));
            }
        }
        News::Mirrored { .. } => {}
        News::Unreadable { host_id, why } => printer.warn(format!(
            "the host's capture #{host_id} could not be read here ({why}); it stays on the host only"
        )),
        News::Lost { why, pause } => printer.warn(format!(
            "not attached to {host}: {why}; trying again in {} s",
            pause.as_secs()
        )),
    }
}
