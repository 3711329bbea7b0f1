//! A client of the API, for `hookscope wait` and `hookscope mcp`: it finds a running hookscope
//! through the data folder (or is given a URL and token), and turns every failure into a
//! sentence that says what to do.

use std::path::Path;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

use super::{Announced, Token};

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("No hookscope is running for the data folder {dir}: start `hookscope serve` or the app first (its API must be on: [api] enabled), or pass --api URL --token TOKEN.")]
    NotRunning { dir: String },
    #[error("Nothing answers at {url}: start `hookscope serve` or the app, or check --api.")]
    Unreachable { url: String },
    #[error("The API at {url} refused the token: {said}")]
    Refused { url: String, said: String },
    #[error("{url} is not a hookscope API ({detail}); check --api.")]
    NotHookscope { url: String, detail: String },
    #[error("The connection to {url} broke off ({detail}); try again.")]
    Broken { url: String, detail: String },
    #[error("{said}")]
    Said { status: u16, said: String },
}

impl ClientError {
    /// The API's status, when it answered with a refusal.
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Said { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// A connection to one hookscope's API.
#[derive(Clone)]
pub struct Client {
    /// `http://127.0.0.1:8788/api/v1`
    pub base: String,
    token: Token,
    http: reqwest::Client,
}

impl Client {
    /// The API at `base` with `token`.
    pub fn new(base: &str, token: Token) -> Client {
        let base = base.trim().trim_end_matches('/');
        let base = if base.ends_with("/api/v1") {
            base.to_string()
        } else {
            format!("{base}/api/v1")
        };
        Client {
            base,
            token,
            http: reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(5))
                .build()
                .expect("the API client's settings are valid"),
        }
    }

    /// The API a running hookscope announced in the data folder `dir`.
    pub fn find(dir: &Path) -> Result<Client, ClientError> {
        let not_running = || ClientError::NotRunning {
            dir: dir.display().to_string(),
        };
        let found = Announced::read(dir).ok_or_else(not_running)?;
        let token = Token::load(dir).ok_or_else(not_running)?;
        Ok(Client::new(&found.url, token))
    }

    /// `GET {base}{path}` with `query`, as JSON; `wait` is how long the answer may take.
    pub async fn get(
        &self,
        path: &str,
        query: &[(&str, String)],
        wait: Duration,
    ) -> Result<Value, ClientError> {
        let request = self
            .http
            .get(format!("{}{path}", self.base))
            .query(query)
            .timeout(wait + Duration::from_secs(10));
        self.send(request).await
    }

    /// `POST {base}{path}` with a JSON body.
    pub async fn post(&self, path: &str, body: &Value) -> Result<Value, ClientError> {
        let request = self
            .http
            .post(format!("{}{path}", self.base))
            .json(body)
            .timeout(Duration::from_secs(60));
        self.send(request).await
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Result<Value, ClientError> {
        let url = self.base.clone();
        self.answer(request)
            .await?
            .json()
            .await
            .map_err(|e| ClientError::NotHookscope {
                url,
                detail: format!("its answer is not JSON: {e}"),
            })
    }

    /// `GET {base}/events` with `query`: the open Server-Sent Events stream.
    pub async fn events(&self, query: &[(&str, String)]) -> Result<Events, ClientError> {
        let request = self.http.get(format!("{}/events", self.base)).query(query);
        let response = self.answer(request).await?;
        let streams = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/event-stream"));
        if !streams {
            return Err(ClientError::NotHookscope {
                url: self.base.clone(),
                detail: "its /events is not an event stream".into(),
            });
        }
        Ok(Events {
            response,
            buffer: Vec::new(),
            read: 0,
        })
    }

    /// Sends `request` with the token; a success as it came, a refusal in words.
    async fn answer(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, ClientError> {
        let url = self.base.clone();
        let response = request
            .bearer_auth(self.token.expose())
            .send()
            .await
            .map_err(|e| match e.is_connect() {
                true => ClientError::Unreachable { url: url.clone() },
                false => ClientError::Broken {
                    url: url.clone(),
                    detail: e.to_string(),
                },
            })?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let body: Option<Value> = response.json().await.ok();
        let said = body
            .as_ref()
            .and_then(|b| b["error"].as_str())
            .map(str::to_string);
        Err(match (status, said) {
            (StatusCode::UNAUTHORIZED, Some(said)) => ClientError::Refused { url, said },
            (status, Some(said)) => ClientError::Said {
                status: status.as_u16(),
                said,
            },
            (status, None) => ClientError::NotHookscope {
                url,
                detail: format!("it answered {status} without a hookscope error"),
            },
        })
    }
}

/// An open event stream (`/api/v1/events`).
pub struct Events {
    response: reqwest::Response,
    /// Bytes received and not yet made into events.
    buffer: Vec<u8>,
    /// How much of `buffer` has been handed on as events.
    read: usize,
}

/// One Server-Sent Event: its `id:`, `event:` and `data:` lines.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServerEvent {
    pub id: Option<String>,
    pub kind: String,
    pub data: String,
}

impl Events {
    /// The next event, waiting for it; `None` when the stream ended. Keep-alive comments are
    /// skipped.
    pub async fn next(&mut self) -> Result<Option<ServerEvent>, reqwest::Error> {
        loop {
            if let Some(event) = self.received() {
                return Ok(Some(event));
            }
            match self.response.chunk().await? {
                Some(bytes) => {
                    self.buffer.drain(..self.read);
                    self.read = 0;
                    self.buffer.extend_from_slice(&bytes);
                }
                None => return Ok(None),
            }
        }
    }

    /// The next event among the bytes already received, without waiting.
    pub fn received(&mut self) -> Option<ServerEvent> {
        loop {
            let unread = &self.buffer[self.read..];
            let end = unread.windows(2).position(|w| w == b"\n\n")? + 2;
            let event = parse_event(&String::from_utf8_lossy(&unread[..end]));
            self.read += end;
            if event.is_some() {
                return event;
            }
        }
    }
}

/// An event's lines (`field: value`, `:` for a comment); `None` for a block of comments only.
fn parse_event(block: &str) -> Option<ServerEvent> {
    let mut event = ServerEvent {
        kind: "message".into(),
        ..ServerEvent::default()
    };
    let (mut any, mut data_lines) = (false, 0);
    for line in block.lines() {
        let line = line.trim_end_matches('\r');
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "id" => event.id = Some(value.to_string()),
            "event" => event.kind = value.to_string(),
            "data" => {
                if data_lines > 0 {
                    event.data.push('\n');
                }
                event.data.push_str(value);
                data_lines += 1;
            }
            _ => continue,
        }
        any = true;
    }
    any.then_some(event)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_read_from_their_lines_and_comments_skipped() {
        let event = parse_event("id: 7\nevent: capture\ndata: {\"a\":1}\n\n").unwrap();
        assert_eq!(event.id.as_deref(), Some("7"));
        assert_eq!(
            (event.kind.as_str(), event.data.as_str()),
            ("capture", "{\"a\":1}")
        );
        assert_eq!(parse_event(": keep-alive\n\n"), None);
        let two = parse_event("data: one\ndata: two\n\n").unwrap();
        assert_eq!(
            (two.kind.as_str(), two.data.as_str()),
            ("message", "one\ntwo")
        );
    }
}
