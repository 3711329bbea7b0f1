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

pub struct Wait {
    pub filter: Option<String>,
    pub after: Option<i64>,
    /// Captures received this long ago count too (`10s`, `2m`).
    pub since: Option<String>,
    pub timeout: String,
    pub count: usize,
    pub json: bool,
    pub api: Option<String>,
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
                capture["id"],
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
