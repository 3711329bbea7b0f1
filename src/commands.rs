//! What each CLI command does; errors come back as sentences for `fail` to print.

pub mod providers;

use std::fmt::Display;
use std::io::Write;
use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context as _};
use hookscope::capture::{Capture, Provider, Verdict};
use hookscope::config::{Config, Paths, TunnelConfig};
use hookscope::engine::Engine;
use hookscope::export::{self, Format, ImportError, Masker};
use hookscope::filter::Filter;
use hookscope::samples::{self, SAMPLES};
use hookscope::store::{Store, StoreError, StoreReader};
use hookscope::tunnel::{self, Source};

pub fn fail(error: impl Display) -> ExitCode {
    // Errors list a provider's field errors one per line; each line is shown safely.
    let error = error.to_string();
    let lines: Vec<_> = error.lines().map(shown).collect();
    eprintln!("hookscope: {}", lines.join("\n"));
    ExitCode::FAILURE
}

/// Text from a webhook or a provider, made safe to print for a person: control characters
/// (ESC, BEL, CR, …) and the direction overrides that reorder a line are shown as escapes
/// instead of acting on the terminal. `--json` output is not passed through this: JSON
/// escapes them itself, and stays faithful.
pub(crate) fn shown(text: &str) -> std::borrow::Cow<'_, str> {
    let acts =
        |c: char| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if !text.chars().any(acts) {
        return text.into();
    }
    text.chars()
        .map(|c| match c {
            c if acts(c) => c.escape_unicode().to_string(),
            c => c.to_string(),
        })
        .collect::<String>()
        .into()
}

pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")
}

pub fn gui(paths: &Paths) -> anyhow::Result<()> {
    let config = Config::load_or_create(&paths.config_file)?;
    hookscope::gui::run(config, paths.clone(), runtime()?)
}

/// Lines for a person, printed by a thread of their own, so that a terminal that is behind (or
/// a pipe nobody reads) never holds up capture or shutdown. Lines it cannot take are counted,
/// and the count is said once it catches up.
#[derive(Clone)]
struct Printer {
    lines: std::sync::mpsc::SyncSender<String>,
    dropped: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl Printer {
    fn start() -> Printer {
        let (lines, waiting) = std::sync::mpsc::sync_channel::<String>(1024);
        std::thread::spawn(move || {
            for line in waiting {
                let mut out = std::io::stdout().lock();
                // A closed pipe is not a reason to stop draining, or senders would drop.
                let _ = writeln!(out, "{line}").and_then(|()| out.flush());
            }
        });
        Printer {
            lines,
            dropped: Default::default(),
        }
    }

    fn say(&self, line: impl Into<String>) {
        use std::sync::atomic::Ordering::Relaxed;
        let dropped = self.dropped.load(Relaxed);
        if dropped > 0 {
            let note = format!("… {dropped} lines not shown here (the captures are all stored)");
            if self.lines.try_send(note).is_err() {
                self.dropped.fetch_add(1, Relaxed);
                return;
            }
            self.dropped.fetch_sub(dropped, Relaxed);
        }
        if self.lines.try_send(line.into()).is_err() {
            self.dropped.fetch_add(1, Relaxed);
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

pub fn serve(paths: &Paths, listen: Option<SocketAddr>) -> anyhow::Result<()> {
    let mut config = Config::load_or_create(&paths.config_file)?;
    if let Some(addr) = listen {
        config.listener.listen = addr;
    }
    let tunnel_config = config.tunnel.clone();
    runtime()?.block_on(async {
        let engine = Engine::start(config, &paths.store_file()).await?;
        let base = format!("http://{}", engine.local_addr());
        let mut captures = engine.store().subscribe();
        let printer = Printer::start();
        printer.say(format!("listening on {base}"));
        for provider in [Provider::Reestr, Provider::GreenApi, Provider::Moysklad] {
            printer.say(format!(
                "  {:<10} {base}/{}",
                provider.name(),
                provider.name()
            ));
        }
        printer.say(format!("  captures   {}", paths.store_file().display()));
        tokio::spawn(follow_tunnel(
            tunnel_config,
            engine.local_addr().port(),
            printer.clone(),
        ));
        let shutdown = shutdown_signal();
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                received = captures.recv() => match received {
                    Ok(capture) => printer.say(line(&capture)),
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                        printer.say(format!("… {n} captures not shown here (all are stored)"));
                    }
                    Err(_) => break,
                },
                () = &mut shutdown => break,
            }
        }
        eprintln!("hookscope: stopping; in-flight requests are finished and committed");
        engine.stop().await;
        Ok(())
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

/// One readable line per capture, for `serve` and the `captures` table.
fn line(c: &Capture) -> String {
    let j = &c.judgement;
    let time = c.received_at_rfc3339();
    let mut text = format!(
        "#{:<5} {} {:<9} {:<6} {:<20} {} {}",
        c.id,
        time.get(..19).unwrap_or(&time).replace('T', " "),
        j.provider.name(),
        c.request.method,
        c.request.path,
        j.answer.status,
        j.summary
    );
    if let Some(first) = c.repeat_of {
        text.push_str(&format!("  [repeat of #{first}]"));
    }
    if j.verdict == Verdict::Rejected {
        text.push_str(&format!("  [rejected: {}]", j.reason));
    } else if !j.reason.is_empty() {
        text.push_str(&format!("  [note: {}]", j.reason));
    }
    shown(&text).into_owned()
}

pub fn captures(
    paths: &Paths,
    filter: Option<&str>,
    limit: Option<u64>,
    json: bool,
) -> anyhow::Result<()> {
    let filter = Filter::parse(filter.unwrap_or("")).map_err(|e| anyhow!("{e}"))?;
    let reader = StoreReader::open(&paths.store_file())?;
    let limit = limit.or(if json { None } else { Some(50) });
    let captures = reader.list(&filter, limit).map_err(|e| reader.explain(e))?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let written: std::io::Result<()> = (|| {
        for capture in &captures {
            if json {
                writeln!(out, "{}", capture.to_json())?;
            } else {
                writeln!(out, "{}", line(capture))?;
            }
        }
        if captures.is_empty() && !json {
            writeln!(
                out,
                "No captures{}.",
                if filter.is_empty() {
                    " yet"
                } else {
                    " match that filter"
                }
            )?;
        }
        out.flush()
    })();
    match written {
        // `hookscope captures | head` closing the pipe early is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// `--to URL`, or the listener in the settings.
fn target(config: &Config, to: Option<&str>) -> String {
    match to {
        Some(url) => url.trim_end_matches('/').to_string(),
        None => {
            let mut addr = config.listener.listen;
            if addr.ip().is_unspecified() {
                addr.set_ip([127, 0, 0, 1].into());
            }
            format!("http://{addr}")
        }
    }
}

/// Whether the provider of `sample` has no token or secret configured to check against.
fn status_unchecked(config: &Config, sample: &samples::Sample) -> bool {
    if sample.path == Provider::GreenApi.path() {
        !config.green_api.webhook_url_token.is_set()
    } else if sample.path == Provider::Reestr.path() {
        !config.reestr.secret_key.is_set()
    } else {
        false
    }
}

pub fn send_sample(
    paths: &Paths,
    name: Option<&str>,
    to: Option<&str>,
    list: bool,
) -> anyhow::Result<()> {
    if list {
        for sample in SAMPLES {
            println!("{:<34} {:<10} {}", sample.name, sample.path, sample.about);
        }
        return Ok(());
    }
    let Some(name) = name else {
        bail!("Name a sample to send, e.g. `hookscope send-sample green-api-incoming-text`; `hookscope send-sample --list` shows them all.");
    };
    let Some(sample) = samples::find(name) else {
        let near: Vec<&str> = SAMPLES
            .iter()
            .map(|s| s.name)
            .filter(|n| {
                name.split('-')
                    .any(|part| part.len() > 2 && n.contains(part))
            })
            .collect();
        let hint = if near.is_empty() {
            String::new()
        } else {
            format!(" Did you mean {}?", near.join(", "))
        };
        bail!(
            "There is no sample \"{name}\".{hint} `hookscope send-sample --list` shows them all."
        );
    };
    let config = Config::load_or_create(&paths.config_file)?;
    let base = target(&config, to);
    runtime()?.block_on(async {
        for sent in samples::send(sample, &config, &base).await? {
            let capture = sent
                .capture
                .map(|id| format!(" (capture #{id})"))
                .unwrap_or_default();
            let status = reqwest::StatusCode::from_u16(sent.status)
                .map_or_else(|_| sent.status.to_string(), |s| s.to_string());
            println!("POST {} -> {status}{capture} {:?}", sent.url, sent.body);
        }
        if sample.variant == samples::Variant::WrongToken && status_unchecked(&config, sample) {
            println!("(accepted because no token or secret is configured for this provider, so nothing is checked)");
        }
        Ok(())
    })
}

pub fn export(
    paths: &Paths,
    format: Format,
    filter: Option<&str>,
    output: Option<&Path>,
    to: Option<&str>,
) -> anyhow::Result<()> {
    let filter = Filter::parse(filter.unwrap_or("")).map_err(|e| anyhow!("{e}"))?;
    let config = Config::load_or_create(&paths.config_file)?;
    let masker = Masker::new(&config);
    let replay_to = target(&config, to);
    let reader = StoreReader::open(&paths.store_file())?;
    let captures = match reader.list(&filter, None).map_err(|e| reader.explain(e)) {
        Ok(captures) => captures,
        Err(StoreError::Damaged { .. }) => {
            let (captures, damaged) = reader.salvage(&filter);
            eprintln!(
                "hookscope: the capture store is damaged: {damaged} places in it could not be read; \
                 exporting the {} captures that could. `hookscope store set-aside` then starts a fresh store.",
                captures.len()
            );
            captures
        }
        Err(e) => return Err(e.into()),
    };
    match output {
        Some(path) => {
            let write = || -> std::io::Result<()> {
                let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
                export::write(&captures, format, &masker, &replay_to, &mut out)?;
                out.into_inner().map_err(|e| e.into_error())?.sync_all()
            };
            write().map_err(|e| {
                anyhow!(
                    "Could not write {}: {e}. Check that its folder exists and is writable, or leave out -o to print to standard output.",
                    path.display()
                )
            })?;
            println!("exported {} captures to {}", captures.len(), path.display());
            Ok(())
        }
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            match export::write(&captures, format, &masker, &replay_to, &mut out)
                .and_then(|()| out.flush())
            {
                // `hookscope export … | head` closing the pipe early is not an error.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                other => Ok(other?),
            }
        }
    }
}

pub fn check_store(paths: &Paths) -> anyhow::Result<()> {
    let store = paths.store_file();
    let started = std::time::Instant::now();
    let reader = StoreReader::open(&store)?;
    reader.check()?;
    println!(
        "{} is sound: {} captures, every page read in {:.1} s",
        store.display(),
        reader.count()?,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

pub fn set_store_aside(paths: &Paths) -> anyhow::Result<()> {
    let moved = hookscope::store::damage::set_aside(&paths.store_file())?;
    println!(
        "moved the store to {}; the next start creates a fresh one",
        moved.display()
    );
    Ok(())
}

pub fn import(paths: &Paths, file: &Path) -> anyhow::Result<()> {
    let from_stdin = file == Path::new("-");
    let name = if from_stdin {
        "standard input".to_string()
    } else {
        file.display().to_string()
    };
    let bytes = if from_stdin {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut bytes).map(|_| bytes)
    } else {
        std::fs::read(file)
    }
    .map_err(|e| anyhow!("Could not read {name}: {e}. Check the path and that you may read it."))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        anyhow!(
            "{name} is neither a HAR file nor capture NDJSON: it is not UTF-8 text (byte {} is not). Import a file written by `hookscope export --format har` or `--format ndjson`.",
            e.utf8_error().valid_up_to() + 1
        )
    })?;
    let config = Config::load_or_create(&paths.config_file)?;
    runtime()?.block_on(async {
        let store = Store::open(&paths.store_file(), config.listener.retention())?;
        let imported = export::import(&store, &text, &config).await;
        store.close().await;
        match imported {
            Ok(imported) => {
                println!("imported {} captures", imported.stored);
                if imported.skipped.is_empty() {
                    return Ok(());
                }
                eprintln!(
                    "skipped {} entries that could not have come over HTTP:",
                    imported.skipped.len()
                );
                for skipped in &imported.skipped {
                    eprintln!("  {}", shown(skipped));
                }
                if imported.stored == 0 {
                    bail!("Nothing in {name} could be imported; see the reasons above.");
                }
                Ok(())
            }
            Err(e @ ImportError::Store { .. }) => Err(anyhow!("Could not import {name}: {e}.")),
            Err(ImportError::NotJson { line, message }) => Err(anyhow!(
                "{name} is neither a HAR file nor capture NDJSON: line {line} is not JSON ({message}). Nothing was imported; import a file written by `hookscope export --format har` or `--format ndjson`."
            )),
            Err(e) => Err(anyhow!(
                "Could not import {name}: {e}. Nothing was imported; fix that or export the captures again."
            )),
        }
    })
}
