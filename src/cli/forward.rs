//! `hookscope forwards`, `replay` and `timeline`.

use std::io::Write;
use std::path::Path;

use anyhow::{anyhow, bail, Context as _};
use hookscope::capture::format_rfc3339;
use hookscope::config::Paths;
use hookscope::export::Masker;
use hookscope::forward::replay::{self, Edits, Timing};
use hookscope::store::{Attempt, Delivery, Outcome, Store, StoreError, StoreReader};
use serde_json::json;

use super::{runtime, shown};

/// An attempt in a few words: "200 in 3.1 ms", or the failure (which names the URL tried:
/// mask it).
fn attempt_text(attempt: &Attempt) -> String {
    match &attempt.outcome {
        Outcome::Answered { status, .. } => format!("{status} in {:.1} ms", attempt.elapsed_ms),
        Outcome::Failed(error) => error.clone(),
    }
}

/// An attempt as JSON, with the configured secrets masked in what it names: the URL tried
/// (the capture's path follows the target's, secret segment and all) and the app's answer.
fn attempt_json(attempt: &Attempt, masker: &Masker) -> serde_json::Value {
    let mut object = json!({
        "at": format_rfc3339(attempt.at),
        "elapsed_ms": attempt.elapsed_ms,
    });
    match &attempt.outcome {
        Outcome::Answered {
            status,
            headers,
            body,
        } => {
            let headers: Vec<(&str, String)> = headers
                .iter()
                .map(|(name, value)| (name.as_str(), masker.text(value)))
                .collect();
            object["status"] = json!(status);
            object["headers"] = json!(headers);
            object["body"] = json!(String::from_utf8_lossy(&masker.bytes(body)));
        }
        Outcome::Failed(error) => object["error"] = json!(masker.text(error)),
    }
    object
}

fn delivery_json(d: &Delivery, attempts: &[Attempt], masker: &Masker) -> serde_json::Value {
    json!({
        "id": d.id,
        "capture_id": d.capture_id,
        "provider": d.provider.name(),
        "target": masker.text(&d.target),
        "kind": if d.replay { "replay" } else if d.pass_through { "pass-through" } else { "inspect" },
        "edited": d.edited,
        "state": d.state.name(),
        "created_at": format_rfc3339(d.created_at),
        "next_at": format_rfc3339(d.next_at),
        "attempts": attempts.iter().map(|a| attempt_json(a, masker)).collect::<Vec<_>>(),
    })
}

/// Deliveries with the secrets of the settings masked, as exports and the API show them:
/// a URL tried holds the capture's path, and a secret path segment with it.
pub fn forwards(paths: &Paths, waiting: bool, limit: u64, json: bool) -> anyhow::Result<()> {
    let masker = Masker::new(&super::config(paths)?);
    let reader = StoreReader::open(&paths.store_file())?;
    let list = reader
        .forwards(waiting, limit)
        .map_err(|e| reader.explain(e))?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for d in &list {
        let attempts = reader.attempts(d.id)?;
        if json {
            writeln!(out, "{}", delivery_json(d, &attempts, &masker))?;
            continue;
        }
        let last = attempts
            .last()
            .map(|a| format!(", last: {}", attempt_text(a)))
            .unwrap_or_default();
        let kind = match (d.replay, d.edited) {
            (true, true) => "edited replay ",
            (true, false) => "replay ",
            (false, _) => "",
        };
        let line = format!(
            "#{:<5} capture #{:<5} {:<9} {kind}→ {}  {} after {} attempt{}{last}",
            d.id,
            d.capture_id,
            d.provider.name(),
            d.target,
            d.state.name(),
            attempts.len(),
            if attempts.len() == 1 { "" } else { "s" },
        );
        writeln!(out, "{}", shown(&masker.text(&line)))?;
    }
    if list.is_empty() && !json {
        let what = if waiting { "waiting" } else { "yet" };
        writeln!(
            out,
            "No deliveries {what}. Forward rules are [[forward]] in the settings, or `hookscope serve --forward-to URL`."
        )?;
    }
    out.flush()?;
    Ok(())
}

/// `--header 'Name: value'`.
fn header(text: &str) -> anyhow::Result<(String, String)> {
    let (name, value) = text
        .split_once(':')
        .filter(|(name, _)| !name.trim().is_empty())
        .ok_or_else(|| {
            anyhow!("--header \"{text}\" is not NAME: VALUE, e.g. --header 'X-Test: 1'.")
        })?;
    Ok((name.trim().to_string(), value.trim().to_string()))
}

pub fn replay(
    paths: &Paths,
    ids: &[i64],
    to: &str,
    speed: Option<f64>,
    headers: &[String],
    body_file: Option<&Path>,
    method: Option<String>,
) -> anyhow::Result<()> {
    hookscope::forward::check_target(to)?;
    let edits = Edits {
        method,
        headers: headers
            .iter()
            .map(|h| header(h))
            .collect::<Result<_, _>>()?,
        body: body_file
            .map(|f| {
                std::fs::read(f)
                    .with_context(|| format!("could not read the body file {}", f.display()))
            })
            .transpose()?,
        ..Edits::default()
    };
    edits.check()?;
    let reader = StoreReader::open(&paths.store_file())?;
    let mut captures = Vec::new();
    for &id in ids {
        match reader.get(id).map_err(|e| reader.explain(e))? {
            Some(capture) => captures.push(capture),
            None => bail!("There is no capture #{id}; `hookscope captures` lists them."),
        }
    }
    captures.sort_by_key(|c| c.request.received_at);
    let timing = match speed {
        Some(speed) if speed > 0.0 => Timing::Original { speed },
        Some(_) => bail!("--speed must be above 0, e.g. 2 for twice as fast."),
        None => Timing::AtOnce,
    };
    let config = super::config(paths)?;
    let masker = Masker::new(&config);
    let retention = (&config.listener).into();
    runtime()?.block_on(async {
        // Recorded with the captures when no other hookscope is capturing into the store.
        let store = match Store::open(&paths.store_file(), retention) {
            Ok(store) => Some(store),
            Err(StoreError::InUse { .. }) => {
                eprintln!("hookscope: the running hookscope holds the store, so these replays are shown here but not recorded with their captures.");
                None
            }
            Err(e) => return Err(e.into()),
        };
        let failed = replay::sequence(store.as_ref(), &captures, to, &edits, timing, |capture, attempt| {
            let became = replay::became(attempt)
                .map(|id| format!(" (captured as #{id})"))
                .unwrap_or_default();
            let line = format!(
                "#{} → {}: {}{became}",
                capture.id,
                replay::replay_url(&edits.apply(capture), to),
                attempt_text(attempt)
            );
            println!("{}", shown(&masker.text(&line)));
        })
        .await;
        if let Some(store) = store {
            store.close().await;
        }
        let failed = failed?;
        if failed > 0 {
            bail!("{failed} of {} replays did not get a 2xx answer.", captures.len());
        }
        Ok(())
    })
}

pub fn timeline(paths: &Paths, id: i64, json: bool) -> anyhow::Result<()> {
    let reader = StoreReader::open(&paths.store_file())?;
    let arrivals = reader.timeline(id).map_err(|e| reader.explain(e))?;
    if arrivals.is_empty() {
        bail!("Capture #{id} has no redelivery key (or does not exist), so there is no timeline: only provider notifications that can be resent have one.");
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut previous = None;
    for a in &arrivals {
        let gap = previous
            .map(|p: time::OffsetDateTime| (a.received_at - p).as_seconds_f64())
            .unwrap_or(0.0);
        previous = Some(a.received_at);
        let answered = if a.status == 0 {
            "no answer".to_string()
        } else {
            a.status.to_string()
        };
        if json {
            let object = json!({
                "id": a.id,
                "received_at": format_rfc3339(a.received_at),
                "gap_s": gap,
                "status": a.status,
                "elapsed_ms": a.elapsed_ms,
                "reason": a.reason.as_ref().map(ToString::to_string),
            });
            writeln!(out, "{object}")?;
            continue;
        }
        let reason = a
            .reason
            .as_ref()
            .map(|r| format!("  ({r})"))
            .unwrap_or_default();
        let time = format_rfc3339(a.received_at);
        writeln!(
            out,
            "#{:<5} {}  {:>+9.3} s  {answered}{reason}",
            a.id,
            time.get(..23).unwrap_or(&time).replace('T', " "),
            gap
        )?;
    }
    out.flush()?;
    Ok(())
}
