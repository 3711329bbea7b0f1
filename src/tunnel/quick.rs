//! Starting a quick tunnel in front of the listener, for a user who has the program but not a
//! tunnel: `cloudflared tunnel --url http://127.0.0.1:PORT` or `ngrok http PORT`, its public
//! URL read from what it prints, and the program stopped when hookscope stops (or drops it).

use std::fmt;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::mpsc;

use crate::config::StartedTunnel;

/// How long a program may take to say its URL.
const URL_WITHIN: Duration = Duration::from_secs(30);
/// The last lines a program printed, kept to say why it gave no URL.
const LINES_KEPT: usize = 5;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Program {
    Cloudflared,
    Ngrok,
}

impl Program {
    pub const ALL: [Program; 2] = [Program::Cloudflared, Program::Ngrok];

    pub fn name(self) -> &'static str {
        match self {
            Program::Cloudflared => "cloudflared",
            Program::Ngrok => "ngrok",
        }
    }

    /// Its arguments for a quick tunnel to a listener on `port`.
    fn arguments(self, port: u16) -> Vec<String> {
        match self {
            Program::Cloudflared => vec![
                "tunnel".into(),
                "--no-autoupdate".into(),
                "--url".into(),
                format!("http://127.0.0.1:{port}"),
            ],
            Program::Ngrok => vec![
                "http".into(),
                port.to_string(),
                "--log".into(),
                "stdout".into(),
            ],
        }
    }

    /// Where to get it, for a user who does not have it.
    fn how_to_get(self) -> &'static str {
        match self {
            Program::Cloudflared => "Install it from https://developers.cloudflare.com/cloudflare-one/connections/connect-networks/downloads/ (a quick tunnel needs no account), or start a tunnel yourself and hookscope finds it.",
            Program::Ngrok => "Install it from https://ngrok.com/download and run `ngrok config add-authtoken TOKEN` once, or start a tunnel yourself and hookscope finds it.",
        }
    }

    /// The public URL in a line it printed: cloudflared draws a box around
    /// `https://words.trycloudflare.com`; ngrok logs `url=https://….ngrok-free.app`.
    fn url_in(self, line: &str) -> Option<String> {
        line.split(|c: char| c.is_whitespace() || c == '|' || c == '"')
            .find_map(|word| {
                let url = match self {
                    Program::Cloudflared => Some(word).filter(|w| {
                        w.starts_with("https://")
                            && w.trim_end_matches('/').ends_with(".trycloudflare.com")
                    }),
                    Program::Ngrok => word
                        .strip_prefix("url=")
                        .filter(|w| w.starts_with("https://")),
                }?;
                Some(url.trim_end_matches('/').to_string())
            })
    }
}

impl fmt::Display for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{program} is not installed here (it is not on PATH). {}", .program.how_to_get())]
    NotInstalled { program: Program },
    #[error("{program} could not be started: {source}.")]
    Spawn {
        program: Program,
        source: std::io::Error,
    },
    #[error("{program} stopped before it gave a public URL; what it said last: {said}")]
    Stopped { program: Program, said: String },
    #[error("{program} gave no public URL within {} s, so it was stopped; what it said last: {said}", URL_WITHIN.as_secs())]
    NoUrl { program: Program, said: String },
}

/// A quick tunnel while it runs; dropping it stops the program.
pub struct Running {
    pub tunnel: StartedTunnel,
    _child: Child,
}

/// Starts `program`'s quick tunnel to a listener on `port` and waits for its public URL.
pub async fn start(program: Program, port: u16) -> Result<Running, StartError> {
    let mut child = Command::new(program.name())
        .args(program.arguments(port))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|source| match source.kind() {
            std::io::ErrorKind::NotFound => StartError::NotInstalled { program },
            _ => StartError::Spawn { program, source },
        })?;
    let (lines, mut said) = mpsc::unbounded_channel();
    read_lines(child.stdout.take(), lines.clone());
    read_lines(child.stderr.take(), lines);
    let mut last = std::collections::VecDeque::new();
    let found = tokio::time::timeout(URL_WITHIN, async {
        while let Some(line) = said.recv().await {
            if let Some(url) = program.url_in(&line) {
                return Some(url);
            }
            if last.len() == LINES_KEPT {
                last.pop_front();
            }
            last.push_back(line);
        }
        None
    })
    .await;
    let said = || {
        let text = last
            .iter()
            .map(|l| l.trim())
            .collect::<Vec<_>>()
            .join(" / ");
        if text.is_empty() {
            "nothing".to_string()
        } else {
            text
        }
    };
    match found {
        Ok(Some(url)) => Ok(Running {
            tunnel: StartedTunnel {
                url,
                program: program.name().to_string(),
            },
            _child: child,
        }),
        Ok(None) => Err(StartError::Stopped {
            program,
            said: said(),
        }),
        Err(_) => Err(StartError::NoUrl {
            program,
            said: said(),
        }),
    }
}

/// Passes on each line of `from` while someone listens, and reads on until it ends: a program
/// whose output is no longer read dies of a broken pipe at its next log line.
fn read_lines(
    from: Option<impl AsyncRead + Unpin + Send + 'static>,
    to: mpsc::UnboundedSender<String>,
) {
    let Some(from) = from else {
        return;
    };
    tokio::spawn(async move {
        let mut lines = BufReader::new(from).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            let _ = to.send(line);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_read_from_what_each_program_prints() {
        let box_line = "2026-12-05T07:40:00Z INF |  https://calm-river-words.trycloudflare.com                                      |";
        assert_eq!(
            Program::Cloudflared.url_in(box_line).as_deref(),
            Some("https://calm-river-words.trycloudflare.com")
        );
        assert_eq!(
            Program::Cloudflared.url_in("INF Requesting new quick Tunnel on trycloudflare.com..."),
            None
        );
        assert_eq!(
            Program::Cloudflared.url_in("see https://www.cloudflare.com/website-terms/"),
            None
        );
        let ngrok = r#"t=2026-12-05T07:40:00+0000 lvl=info msg="started tunnel" obj=tunnels name=command_line addr=http://localhost:8787 url=https://ab12-cd34.ngrok-free.app"#;
        assert_eq!(
            Program::Ngrok.url_in(ngrok).as_deref(),
            Some("https://ab12-cd34.ngrok-free.app")
        );
        assert_eq!(
            Program::Ngrok.url_in("ERROR: sign up at https://dashboard.ngrok.com/signup"),
            None
        );
    }
}
