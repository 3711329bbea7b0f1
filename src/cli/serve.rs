//! `hookscope serve`: the listener without a window, a line per capture.

use std::io::Write;
use std::net::SocketAddr;

use hookscope::capture::Provider;
use hookscope::config::{Config, ForwardRule, Paths, TunnelConfig};
use hookscope::engine::Engine;
use hookscope::forward;
use hookscope::store::Change;
use hookscope::tunnel::{self, Source};
use tokio::sync::broadcast::error::RecvError;

use super::runtime;

/// Lines for a person, printed by a thread of their own, so that a terminal that is behind (or
/// a pipe nobody reads) never holds up capture or shutdown. Lines it cannot take are counted,
/// and the count is said once it catches up.
#[derive(Clone)]
pub(super) struct Printer {
    lines: std::sync::mpsc::SyncSender<String>,
    dropped: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl Printer {
    fn start() -> Printer {
        let (lines, waiting) = std::sync::mpsc::sync_channel::<String>(1024);
        std::thread::spawn(move || {
            // Under load, one write for every line waiting rather than one for each.
            while let Ok(line) = waiting.recv() {
                let mut out = std::io::BufWriter::new(std::io::stdout().lock());
                // A closed pipe is not a reason to stop draining, or senders would drop.
                for line in std::iter::once(line).chain(waiting.try_iter()) {
                    let _ = writeln!(out, "{line}");
                }
                let _ = out.flush();
            }
        });
        Printer {
            lines,
            dropped: Default::default(),
        }
    }

    /// Says one line, or several joined by newlines.
    pub(super) fn say(&self, lines: impl Into<String>) {
        use std::sync::atomic::Ordering::Relaxed;
        let lines = lines.into();
        let count = lines.lines().count() as u64;
        let dropped = self.dropped.load(Relaxed);
        if dropped > 0 {
            let note = format!("… {dropped} lines not shown here (the captures are all stored)");
            if self.lines.try_send(note).is_err() {
                self.dropped.fetch_add(count, Relaxed);
                return;
            }
            self.dropped.fetch_sub(dropped, Relaxed);
        }
        if self.lines.try_send(lines).is_err() {
            self.dropped.fetch_add(count, Relaxed);
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
        if found.source == Source::Typed {
            return;
        }
        shown = Some(found.url);
    }
}

pub fn serve(
    paths: &Paths,
    listen: Option<SocketAddr>,
    forward: Option<ForwardRule>,
) -> anyhow::Result<()> {
    let mut config = Config::load_or_create(&paths.config_file)?;
    if let Some(addr) = listen {
        config.listener.listen = addr;
    }
    if let Some(rule) = forward {
        forward::check_target(&rule.target)?;
        config.forward.push(rule);
    }
    let rules = config.forward.clone();
    let responses = config.respond.clone();
    let config_now = config.clone();
    let tunnel_config = config.tunnel.clone();
    runtime()?.block_on(async {
        let engine = Engine::start(config, &paths.store_file()).await?;
        let base = format!("http://{}", engine.local_addr());
        let mut captures = engine.store().subscribe();
        let mut changes = engine.store().changes();
        let printer = Printer::start();
        printer.say(format!("listening on {base}"));
        for provider in [Provider::Reestr, Provider::GreenApi, Provider::Moysklad] {
            printer.say(format!(
                "  {:<10} {}",
                provider.name(),
                provider.webhook_url(&base)
            ));
        }
        printer.say(format!("  captures   {}", paths.store_file().display()));
        for rule in rules.iter().filter(|r| r.enabled) {
            printer.say(format!("  forward    {}", super::forward::rule_line(rule)));
        }
        for (n, rule) in responses.iter().enumerate().filter(|(_, r)| r.enabled) {
            printer.say(format!(
                "  respond    {}",
                super::forward::response_line(n + 1, rule, &config_now)
            ));
        }
        for problem in engine.rule_problems() {
            printer.say(format!("  not used:  {problem}"));
        }
        tokio::spawn(super::forward::follow_targets(
            engine.store().clone(),
            printer.clone(),
        ));
        tokio::spawn(follow_tunnel(
            tunnel_config,
            engine.local_addr().port(),
            printer.clone(),
        ));
        let shutdown = shutdown_signal();
        tokio::pin!(shutdown);
        // Asked after subscribing: damage found before is seen here, and after, announced.
        let mut damage = engine.store().damage();
        while damage.is_none() {
            tokio::select! {
                changed = changes.recv() => match changed {
                    Ok(Change::Damaged) | Err(RecvError::Lagged(_)) => {
                        damage = engine.store().damage();
                    }
                    Ok(Change::NotSaved { error }) => eprintln!(
                        "hookscope: webhooks could not be saved ({error}), so they were answered 503 and their providers will send them again. Free some disk space for {}, or check that it is writable.",
                        paths.store_file().display()
                    ),
                    Ok(Change::SavingAgain) => eprintln!("hookscope: webhooks are saved again."),
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
                () = &mut shutdown => break,
            }
        }
        if damage.is_none() {
            eprintln!("hookscope: stopping; in-flight requests are finished and committed");
        }
        engine.stop().await;
        // Found while serving: nothing was acknowledged since, and serving stops here.
        damage.map_or(Ok(()), |e| Err(e.into()))
    })
}

async fn shutdown_signal() {
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
