//! `hookscope captures`, `export` and `import`: the store read, written out and filled.

use std::io::Write;
use std::path::Path;

use anyhow::{anyhow, bail};
use hookscope::capture::{Capture, Verdict};
use hookscope::config::{Config, Paths};
use hookscope::export::{self, Format, ImportError, Masker};
use hookscope::filter::Filter;
use hookscope::store::{Store, StoreError, StoreReader};

use super::{runtime, shown, target};

/// One readable line per capture, for `serve` and the `captures` table.
pub(super) fn line(c: &Capture) -> String {
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
    if let Some(host) = c.host_id {
        text.push_str(&format!("  [host #{host}]"));
    }
    if let Some(first) = c.repeat_of {
        text.push_str(&format!("  [repeat of #{first}]"));
    }
    if j.verdict == Verdict::Rejected {
        text.push_str(&format!("  [rejected: {}]", j.reason_text()));
    } else if let Some(reason) = &j.reason {
        text.push_str(&format!("  [note: {reason}]"));
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
                "hookscope: the capture store is damaged: {damaged} captures in it could not be read; \
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
                let mut out = std::io::BufWriter::new(hookscope::owner_only::create(path)?);
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
        let store = Store::open(&paths.store_file(), (&config.listener).into())?;
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
