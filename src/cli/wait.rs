//! `hookscope wait`: blocks until a matching capture arrives, for tests and shell scripts.
//! Exits 0 with the capture printed, 1 when the time is up, 2 on a mistake in what was asked.

use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use hookscope::api::client::{Client, ClientError};
use hookscope::api::Token;
use hookscope::config::Paths;
use serde_json::Value;

use super::{runtime, shown};

#[derive(clap::Args)]
pub struct Wait {
    /// Filter, e.g. 'provider:moysklad event:customerorder:CREATE'.
    #[arg(long, short, value_name = "QUERY")]
    pub filter: Option<String>,
    /// Only captures after this id (default: those arriving from now on).
    #[arg(long, value_name = "ID", conflicts_with = "since")]
    pub after: Option<i64>,
    /// Captures received this long ago count too, e.g. 10s or 2m.
    #[arg(long, value_name = "AGE")]
    pub since: Option<String>,
    /// Give up after this long, e.g. 30s, 500ms, 2m.
    #[arg(long, value_name = "DURATION", default_value = "30s")]
    pub timeout: String,
    /// Wait for N captures, printing each.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub count: usize,
    /// Print capture JSON, as `captures --json` does.
    #[arg(long)]
    pub json: bool,
    /// The API of another hookscope, e.g. http://team-host:8788 (with --token).
    #[arg(long, value_name = "URL", requires = "token")]
    pub api: Option<String>,
    /// Its token.
    #[arg(long, value_name = "TOKEN", requires = "api")]
    pub token: Option<String>,
}

/// The exit status: 0 found, 1 timed out or no hookscope to ask, 2 a mistake in the request.
pub fn wait(paths: &Paths, asked: Wait) -> ExitCode {
    let say = |sentence: &str, code: u8| {
        eprintln!("hookscope: {}", shown(sentence));
        ExitCode::from(code)
    };
    let Some(timeout) = hookscope::api::parse_duration(&asked.timeout) else {
        return say(
            &format!(
                "--timeout {} is not a duration; write it like 30s, 500ms or 2m.",
                asked.timeout
            ),
            2,
        );
    };
    let mut filter = asked.filter.clone().unwrap_or_default();
    if let Some(since) = &asked.since {
        if hookscope::api::parse_duration(since).is_none() {
            return say(
                &format!("--since {since} is not a duration; write it like 10s or 2m."),
                2,
            );
        }
        filter = format!("{filter} after:{since}");
    }
    let client = match (&asked.api, &asked.token) {
        (Some(url), Some(token)) => Client::new(url, Token::given(token)),
        (Some(_), None) | (None, Some(_)) => {
            return say("--api and --token go together: give both, or neither to use the hookscope running for this data folder.", 2)
        }
        (None, None) => match Client::find(&paths.data_dir) {
            Ok(client) => client,
            Err(e) => return say(&e.to_string(), 1),
        },
    };
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(e) => return say(&e.to_string(), 1),
    };
    let after = match (asked.after, &asked.since) {
        (Some(after), _) => Some(after),
        (None, Some(_)) => Some(0),
        (None, None) => None,
    };
    runtime.block_on(async {
        let deadline = Instant::now() + timeout;
        let mut after = after;
        let mut found = 0;
        while found < asked.count {
            let left = deadline.saturating_duration_since(Instant::now());
            let mut query = vec![
                ("filter", filter.clone()),
                ("timeout", format!("{}ms", left.as_millis())),
            ];
            if let Some(after) = after {
                query.push(("after", after.to_string()));
            }
            match client.get("/wait", &query, left).await {
                Ok(capture) => {
                    found += 1;
                    after = capture["id"].as_i64().or(after);
                    print(&capture, asked.json);
                }
                Err(e) if e.status() == Some(408) => {
                    let more = if asked.count > 1 {
                        format!(" ({found} of {} arrived)", asked.count)
                    } else {
                        String::new()
                    };
                    return say(
                        &format!(
                            "No capture matched within {}{more}.",
                            hookscope::forward::seconds_or_ms(timeout)
                        ),
                        1,
                    );
                }
                Err(e @ ClientError::Said { status: 400, .. }) => return say(&e.to_string(), 2),
                Err(e) => return say(&e.to_string(), 1),
            }
        }
        ExitCode::SUCCESS
    })
}

/// As `captures` prints one: its line (from the API's capture JSON), or its JSON.
fn print(capture: &Value, json: bool) {
    let line = match json {
        true => capture.to_string(),
        false => {
            let text = |key: &str| capture[key].as_str().unwrap_or_default().to_string();
            let time = text("received_at");
            let line = format!(
                "#{:<5} {} {:<9} {:<6} {:<20} {} {}",
                capture["id"].as_i64().unwrap_or_default(),
                time.get(..19).unwrap_or(&time).replace('T', " "),
                text("provider"),
                text("method"),
                text("path"),
                capture["response"]["status"],
                text("summary"),
            );
            shown(&line).into_owned()
        }
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}
