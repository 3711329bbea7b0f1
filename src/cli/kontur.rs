//! `hookscope rosreestr events`: the Kontur.Reestro document-flow events feed, page by page.

use std::io::Write;

use hookscope::config::Paths;
use hookscope::providers::kontur::{self, Feed};

use super::{config, runtime, shown};

pub fn events(
    paths: &Paths,
    after: Option<&str>,
    count: Option<u8>,
    all: bool,
    json: bool,
) -> anyhow::Result<()> {
    let config = config(paths)?;
    let feed = Feed::new(&config.kontur)?;
    let count = count.unwrap_or(if all {
        kontur::MAX_COUNT
    } else {
        kontur::DEFAULT_COUNT
    });
    let mut cursor = after.map(str::to_string);
    let mut out = std::io::stdout().lock();
    let mut shown = 0usize;
    runtime()?.block_on(async {
        loop {
            let page = feed.page(cursor.as_deref(), count).await?;
            for event in &page.events {
                if json {
                    writeln!(out, "{}", event.raw)?;
                } else {
                    writeln!(out, "{}", event_line(event))?;
                }
            }
            shown += page.events.len();
            let advanced = page.cursor != cursor;
            cursor = page.cursor;
            // A short page is the end of the feed for now; so is a cursor that did not move.
            if !all || page.events.len() < usize::from(count) || !advanced {
                break;
            }
        }
        out.flush()?;
        anyhow::Ok(())
    })?;
    if !json && shown == 0 {
        eprintln!("No events after this cursor yet.");
    }
    match cursor {
        Some(cursor) => eprintln!("cursor: {cursor}  (continue with --after {cursor})"),
        None => eprintln!("cursor: (none: the feed is empty)"),
    }
    Ok(())
}

fn event_line(e: &kontur::Event) -> String {
    let requirement = e
        .requirement
        .as_ref()
        .map(|r| format!("  {}: {}", r.service, r.message))
        .unwrap_or_default();
    let line = format!(
        "{:<25} {:<22} {:<20} {:<36} {}{requirement}",
        e.event_date, e.docflow_state, e.docflow_type, e.docflow_id, e.external_id
    );
    shown(&line).into_owned()
}
