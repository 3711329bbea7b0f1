//! `hookscope serve`: the listener without a window, a line per capture.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use hookscope::capture::{Provider, ResponseAction};
use hookscope::config::{Config, ForwardMode, ForwardRule, Paths, ResponseRule, TunnelConfig};
use hookscope::engine::{ApiState, Engine};
use hookscope::forward;
use hookscope::responses;
use hookscope::store::{Change, Store, StoreError};
use hookscope::tunnel::quick::{self, Program};
use hookscope::tunnel::{self, Source};
use tokio::sync::broadcast::error::RecvError;

use super::printer::Printer;
use super::runtime;

/// A rule as `serve` lists it.
fn rule_line(rule: &ForwardRule) -> String {
    let mode = match rule.mode {
        ForwardMode::Inspect => "inspect: the outbox delivers",
        ForwardMode::PassThrough => "pass-through: providers get its answer",
    };
    let filter = if rule.filter.trim().is_empty() {
        "every capture".to_string()
    } else {
        format!("captures matching {}", rule.filter.trim())
    };
    format!("→ {} ({filter}; {mode})", rule.target.trim())
}

/// A response rule as `serve` lists it, with what it breaks of a provider's contract.
pub(super) fn response_line(number: usize, rule: &ResponseRule, config: &Config) -> String {
    let what = match rule.action {
        ResponseAction::Answer => format!("answer {}", rule.status),
        ResponseAction::Fail => "fail on purpose".to_string(),
        ResponseAction::Delay => format!("delay the answer {} ms", rule.delay_ms),
        ResponseAction::HangUp => "hang up without answering".to_string(),
    };
    let mut scope = Vec::new();
    for (name, value) in [
        ("filter", &rule.filter),
        ("path", &rule.path),
        ("method", &rule.method),
    ] {
        if !value.trim().is_empty() {
            scope.push(format!("{name} {}", value.trim()));
        }
    }
    if scope.is_empty() {
        scope.push("every request".into());
    }
    let mut line = format!("rule {number}: {what} for {}", scope.join(", "));
    if rule.times > 0 {
        line.push_str(&format!(", the next {}", rule.times));
    }
    if rule.percent < 100 {
        line.push_str(&format!(", {}% of them", rule.percent));
    }
    for breach in responses::breaches(rule, config) {
        line.push_str(&format!("\n             ⚠ {breach}"));
    }
    line
}

/// How often, at most, `serve` says again that pass-through requests got its own answer.
const FELL_BACK_AGAIN: Duration = Duration::from_secs(60);

/// Says that `n` pass-through requests got hookscope's answer because their queue was busy.
fn fell_back_line(n: u64, fell_back: &forward::FellBack) -> String {
    let Some((target, provider)) = &fell_back.last else {
        return String::new();
    };
    let key = match provider {
        Provider::Reestr => "reestr_ms",
        Provider::GreenApi => "green_api_ms",
        Provider::Moysklad => "moysklad_ms",
        Provider::Generic => "generic_ms",
    };
    let what = match n {
        1 => "a pass-through request was".to_string(),
        n => format!("{n} pass-through requests were"),
    };
    format!(
        "  forward    → {target}: {what} answered by hookscope, not by your app: an earlier {} delivery to it was still waiting (your app was answering it, or had not taken it), and a queue is delivered in order. It waits in the outbox (`hookscope forwards --waiting`); have your app answer within [pass_through] {key} for the next ones to get its answer.",
        provider.title()
    )
}

/// Says when a forward target goes down or comes back, and how many deliveries wait for it.
async fn follow_targets(store: Store, printer: Printer) {
    let Ok(reader) = store.reader() else {
        return;
    };
    let reader = std::sync::Arc::new(std::sync::Mutex::new(reader));
    let mut known: HashMap<String, Option<bool>> = HashMap::new();
    let mut every = tokio::time::interval(Duration::from_secs(1));
    loop {
        every.tick().await;
        let reader = reader.clone();
        let Ok(Ok(targets)) = tokio::task::spawn_blocking(move || {
            reader.lock().map_err(|_| StoreError::Closed)?.targets()
        })
        .await
        else {
            continue;
        };
        for t in targets {
            if known.get(&t.target) == Some(&t.up) {
                continue;
            }
            match t.up {
                Some(true) => printer.say(format!("  forward    → {} is up; {} waiting", t.target, t.waiting)),
                Some(false) => printer.say(format!(
                    "  forward    → {} is not taking deliveries; {} waiting in the outbox (`hookscope forwards --waiting`)",
                    t.target, t.waiting
                )),
                None => {}
            }
            known.insert(t.target, t.up);
        }
    }
}

/// Says the public URL, and says it again when it changes: a quick tunnel gets a new one at
/// every start, and the providers registered with the old one must be moved over.
async fn follow_tunnel(config: TunnelConfig, port: u16, printer: Printer) {
    let mut shown: Option<String> = None;
    let mut said_none = false;
    let mut every = tokio::time::interval(tunnel::DETECT_EVERY);
    loop {
        every.tick().await;
        let Ok(found) = tunnel::find(&config, port).await else {
            if shown.is_none() && !said_none {
                printer.say(format!("  public URL none yet: start a tunnel to port {port}; it is shown here when found"));
                said_none = true;
            }
            continue;
        };
        match &shown {
            None => printer.say(format!("  public URL {} (from {})", found.url, found.source)),
            Some(old) if *old != found.url => printer.say(format!(
                "public URL changed from {old} to {}: `hookscope tunnel --repoint {old}` moves the providers over",
                found.url
            )),
            Some(_) => {}
        }
        if matches!(found.source, Source::Typed | Source::Started { .. }) {
            return;
        }
        shown = Some(found.url);
    }
}

/// What the command line asks of `serve` beyond the settings file.
pub struct Asked {
    pub listen: Option<SocketAddr>,
    pub api_listen: Option<SocketAddr>,
    pub forward: Option<ForwardRule>,
    /// A quick tunnel to start in front of the listener.
    pub tunnel: Option<Program>,
}

/// The settings with what the command line asks put over them.
fn settings(paths: &Paths, asked: Asked) -> anyhow::Result<Config> {
    let mut config = Config::load_or_create(&paths.config_file)?;
    if let Some(addr) = asked.listen {
        config.listener.listen = addr;
    }
    if let Some(addr) = asked.api_listen {
        config.api.listen = addr;
    }
    if let Some(rule) = asked.forward {
        forward::check_target(&rule.target)?;
        config.forward.push(rule);
    }
    Ok(config)
}

/// `serve --check-config`: whether serve could start with these settings, without starting.
pub fn check_config(paths: &Paths, asked: Asked) -> anyhow::Result<()> {
    let config = settings(paths, asked)?;
    let problems = hookscope::engine::check_settings(&config, &paths.data_dir);
    if !problems.is_empty() {
        anyhow::bail!(
            "The settings ({}) would not serve as they are; fix them and check again:\n{}",
            paths.config_file.display(),
            problems
                .iter()
                .map(|p| format!("  {p}"))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    println!(
        "The settings ({}) are fine: listener {}, API {}.",
        paths.config_file.display(),
        config.listener.listen,
        match config.api.enabled {
            true => config.api.listen.to_string(),
            false => "off".into(),
        }
    );
    Ok(())
}

pub fn serve(paths: &Paths, asked: Asked) -> anyhow::Result<()> {
    let start_tunnel = asked.tunnel;
    let config = settings(paths, asked)?;
    let rules = config.forward.clone();
    let responses = config.respond.clone();
    let config_now = config.clone();
    let mut tunnel_config = config.tunnel.clone();
    runtime()?.block_on(async {
        let engine = Engine::start(config, &paths.store_file()).await?;
        // A rule that cannot be used would leave a fault test testing nothing: refused.
        let problems: Vec<String> = engine.rule_problems().iter().map(|p| format!("  {p}")).collect();
        if !problems.is_empty() {
            engine.stop().await;
            anyhow::bail!(
                "Rules in the settings ({}) cannot be used as they are; fix or remove them and start again:\n{}",
                paths.config_file.display(),
                problems.join("\n")
            );
        }
        let base = format!("http://{}", engine.local_addr());
        let mut captures = engine.store().subscribe();
        let mut changes = engine.store().changes();
        let mut fell_back = engine.pass_through_fell_back();
        let (mut fell_back_said, mut fell_back_said_at) = (0, None::<std::time::Instant>);
        let printer = Printer::start();
        printer.say(format!("listening on {base}"));
        if !hookscope::config::vault::unread(&config_now).is_empty() {
            let kept = hookscope::config::vault::kept(&config_now);
            printer.say(super::secrets::where_kept(&kept, &paths.config_file));
        }
        if hookscope::engine::open_to_others(engine.local_addr()) {
            printer.warn(format!(
                "{} can be reached from other machines: anyone there can send requests that are captured, answered and forwarded to your app. A tunnel needs only 127.0.0.1 (--listen 127.0.0.1:{}).",
                engine.local_addr().ip(),
                engine.local_addr().port()
            ));
        }
        for provider in [Provider::Reestr, Provider::GreenApi, Provider::Moysklad] {
            printer.say(format!(
                "  {:<10} {}",
                provider.name(),
                provider.webhook_url(&base)
            ));
        }
        printer.say(format!("  captures   {}", paths.store_file().display()));
        match engine.api() {
            ApiState::Listening(addr) => {
                printer.say(format!("  api        http://{addr}/api/v1"));
                if hookscope::engine::open_to_others(*addr) {
                    let users = hookscope::api::users::Users::load(&paths.data_dir).map(|u| u.list().len()).unwrap_or(0);
                    printer.warn(format!(
                        "the API at {addr} can be reached from other machines, by {users} user token(s) and the owner's (`hookscope api token list`); it is plain HTTP, so keep it on a VPN or behind TLS (README: A team's host)."
                    ));
                }
            }
            ApiState::Failed(sentence) => printer.warn(sentence.clone()),
            ApiState::Off => {}
        }
        for rule in rules.iter().filter(|r| r.enabled) {
            printer.say(format!("  forward    {}", rule_line(rule)));
        }
        for (n, rule) in responses.iter().enumerate().filter(|(_, r)| r.enabled) {
            printer.say(format!(
                "  respond    {}",
                response_line(n + 1, rule, &config_now)
            ));
        }
        tokio::spawn(follow_targets(
            engine.store().clone(),
            printer.clone(),
        ));
        // Held until serve stops, which stops the program.
        let _tunnel = match start_tunnel {
            Some(program) => {
                printer.say(format!("  tunnel     starting {program}…"));
                match quick::start(program, engine.local_addr().port()).await {
                    Ok(running) => {
                        printer.say(format!(
                            "  tunnel     {} is this run's own: register it with the providers (`hookscope green-api set-webhook`, `hookscope moysklad webhooks create …`), or move an earlier tunnel's webhooks with `hookscope tunnel --repoint OLD_URL`",
                            running.tunnel.url
                        ));
                        tunnel_config.started = Some(running.tunnel.clone());
                        Some(running)
                    }
                    Err(e) => {
                        engine.stop().await;
                        anyhow::bail!("{e}");
                    }
                }
            }
            None => None,
        };
        tokio::spawn(follow_tunnel(
            tunnel_config,
            engine.local_addr().port(),
            printer.clone(),
        ));
        let shutdown = hookscope::engine::stop_asked();
        tokio::pin!(shutdown);
        // Asked after subscribing: damage found before is seen here, and after, announced.
        let mut damage = engine.store().damage();
        while damage.is_none() {
            tokio::select! {
                changed = changes.recv() => match changed {
                    Ok(Change::Damaged) | Err(RecvError::Lagged(_)) => {
                        damage = engine.store().damage();
                    }
                    Ok(Change::NotSaved { error, cause }) => printer.warn(format!(
                        "webhooks could not be saved in {} ({error}), so they were answered 503 and their providers will send them again. {}",
                        paths.store_file().display(),
                        cause.advice()
                    )),
                    Ok(Change::SavingAgain) => printer.warn("webhooks are saved again."),
                    Ok(_) => {}
                    Err(RecvError::Closed) => break,
                },
                received = captures.recv() => match received {
                    Ok(captures) => {
                        let lines: Vec<String> = captures.iter().map(super::captures::line).collect();
                        printer.say(lines.join("\n"));
                    }
                    Err(RecvError::Lagged(n)) => {
                        // A message is a commit's captures, so how many is not known here.
                        printer.say(format!("… the captures of {n} commits are not shown here (all are stored)"));
                    }
                    Err(_) => break,
                },
                Ok(()) = fell_back.changed() => {
                    // Once, then at most once a minute with how many since.
                    let now = fell_back.borrow_and_update().clone();
                    if fell_back_said_at.is_none_or(|at| at.elapsed() >= FELL_BACK_AGAIN) {
                        printer.say(fell_back_line(now.count - fell_back_said, &now));
                        (fell_back_said, fell_back_said_at) = (now.count, Some(std::time::Instant::now()));
                    }
                }
                () = &mut shutdown => break,
            }
        }
        if damage.is_none() {
            printer.warn("stopping; in-flight requests are finished and committed");
        }
        engine.stop().await;
        printer.finish(Duration::from_secs(1));
        // Found while serving: nothing was acknowledged since, and serving stops here.
        damage.map_or(Ok(()), |e| Err(e.into()))
    })
}
