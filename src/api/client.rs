//! A client of the API, for `hookscope wait` and `hookscope mcp`: it finds a running hookscope
//! through the data folder (or is given a URL and token), and turns every failure into a
//! sentence that says what to do.

use std::path::Path;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

use super::{Found, Token};

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
        let found = Found::read(dir).ok_or_else(not_running)?;
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
        let response = request
            .bearer_auth(self.token.expose())
            .send()
            .await
            .map_err(|e| match e.is_connect() {
                true => ClientError::Unreachable { url: url.clone() },
                false => ClientError::NotHookscope {
                    url: url.clone(),
                    detail: e.to_string(),
                },
            })?;
        let status = response.status();
        let body: Result<Value, _> = response.json().await;
        let said = |body: &Result<Value, _>| {
            body.as_ref()
                .ok()
                .and_then(|b: &Value| b["error"].as_str())
                .map(str::to_string)
        };
        match (status, said(&body)) {
            (StatusCode::UNAUTHORIZED, Some(said)) => Err(ClientError::Refused { url, said }),
            (status, _) if status.is_success() => body.map_err(|e| ClientError::NotHookscope {
                url,
                detail: format!("its answer is not JSON: {e}"),
            }),
            (status, Some(said)) => Err(ClientError::Said {
                status: status.as_u16(),
                said,
            }),
            (status, None) => Err(ClientError::NotHookscope {
                url,
                detail: format!("it answered {status} without a hookscope error"),
            }),
        }
    }
}
