//! The `Capture`: one request as it arrived, what hookscope made of it and what it answered.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Which service a request came from, decided by its path (and MoySklad's User-Agent).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Provider {
    Reestr,
    GreenApi,
    Moysklad,
    Generic,
}

impl Provider {
    pub const ALL: [Provider; 4] = [
        Provider::Reestr,
        Provider::GreenApi,
        Provider::Moysklad,
        Provider::Generic,
    ];

    /// The name used in capture JSON, filters and webhook paths.
    pub fn name(self) -> &'static str {
        match self {
            Provider::Reestr => "reestr",
            Provider::GreenApi => "green-api",
            Provider::Moysklad => "moysklad",
            Provider::Generic => "generic",
        }
    }

    /// The service's own name, as people write it.
    pub fn title(self) -> &'static str {
        match self {
            Provider::Reestr => "Reestr",
            Provider::GreenApi => "GREEN-API",
            Provider::Moysklad => "MoySklad",
            Provider::Generic => "Generic",
        }
    }

    /// The path its webhooks come to (`/reestr`, `/green-api`, `/moysklad`); any other path
    /// is generic.
    pub fn path(self) -> &'static str {
        match self {
            Provider::Reestr => "/reestr",
            Provider::GreenApi => "/green-api",
            Provider::Moysklad => "/moysklad",
            Provider::Generic => "/",
        }
    }

    /// The URL to register with the provider, under the public `base`.
    pub fn webhook_url(self, base: &str) -> String {
        format!("{}{}", base.trim_end_matches('/'), self.path())
    }

    pub fn from_name(name: &str) -> Option<Provider> {
        Provider::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(name))
    }
}

/// Whether hookscope accepted the request as genuine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Ok,
    Rejected,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Rejected => "rejected",
        }
    }
}

/// What hookscope sent back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn text(status: u16, body: impl Into<String>) -> Answer {
        Answer {
            status,
            headers: vec![("content-type".into(), "text/plain; charset=utf-8".into())],
            body: body.into().into_bytes(),
        }
    }

    pub fn empty(status: u16) -> Answer {
        Answer {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }
}

/// A request header's value exactly as it came off the wire. Nearly every value is text, but
/// HTTP allows any byte but CR, LF and NUL: a cp1251 or binary value is kept byte for byte, so
/// that exports and replays send what was received, and only shown with U+FFFD.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HeaderValue(Vec<u8>);

impl HeaderValue {
    pub fn from_bytes(bytes: impl Into<Vec<u8>>) -> HeaderValue {
        HeaderValue(bytes.into())
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The value when it is UTF-8 text.
    pub fn as_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.0).ok()
    }

    /// The value for a person: U+FFFD where its bytes are not UTF-8.
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.0)
    }

    /// `[name, value]`, or `[name, value shown, base64 of the bytes]` for a value that is not
    /// UTF-8: how the store, capture JSON and NDJSON write a header.
    pub fn to_json(&self, name: &str) -> Value {
        match self.as_str() {
            Some(text) => json!([name, text]),
            None => json!([name, self.text(), BASE64.encode(&self.0)]),
        }
    }

    /// Reads what [`HeaderValue::to_json`] wrote; `None` when it is not that shape.
    pub fn from_json(item: &Value) -> Option<(String, HeaderValue)> {
        match item.as_array()?.as_slice() {
            [Value::String(name), Value::String(text)] => {
                Some((name.clone(), HeaderValue::from(text.as_str())))
            }
            [Value::String(name), Value::String(_), Value::String(bytes)] => {
                Some((name.clone(), HeaderValue(BASE64.decode(bytes).ok()?)))
            }
            _ => None,
        }
    }
}

impl From<&str> for HeaderValue {
    fn from(text: &str) -> HeaderValue {
        HeaderValue(text.as_bytes().to_vec())
    }
}

impl From<String> for HeaderValue {
    fn from(text: String) -> HeaderValue {
        HeaderValue(text.into_bytes())
    }
}

/// A request exactly as it came off the wire.
#[derive(Clone, Debug)]
pub struct Incoming {
    pub received_at: OffsetDateTime,
    pub remote_addr: String,
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: Vec<(String, HeaderValue)>,
    pub body: Vec<u8>,
    /// Bytes the client sent or announced; larger than `body.len()` when the body was refused.
    pub size: u64,
}

impl Incoming {
    /// The first header with this name (names compare case-insensitively), when its value
    /// is text; provider rules compare text, and bytes that are not UTF-8 match none of it.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v.as_str())
    }

    /// The headers as `[[name, value], …]` (see [`HeaderValue::to_json`]).
    pub fn headers_json(&self) -> Value {
        Value::Array(self.headers.iter().map(|(n, v)| v.to_json(n)).collect())
    }

    /// The first value of a query parameter, percent-decoding not needed for the ids we look up.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
    }

    pub fn body_text(&self) -> Option<&str> {
        std::str::from_utf8(&self.body).ok()
    }
}

/// What the provider's rules made of a request.
#[derive(Clone, Debug)]
pub struct Judgement {
    pub provider: Provider,
    pub event: String,
    pub summary: String,
    pub verdict: Verdict,
    pub reason: String,
    /// Same key, same notification: a later capture with it is marked as a repeat.
    pub redelivery_key: Option<String>,
    pub answer: Answer,
}

/// One captured request, as stored.
#[derive(Clone, Debug)]
pub struct Capture {
    /// Assigned by the store on commit; 0 before.
    pub id: i64,
    pub request: Incoming,
    pub judgement: Judgement,
    pub repeat_of: Option<i64>,
    pub elapsed_ms: Option<f64>,
    pub pinned: bool,
    pub note: String,
}

impl Capture {
    pub fn new(request: Incoming, judgement: Judgement) -> Capture {
        Capture {
            id: 0,
            request,
            judgement,
            repeat_of: None,
            elapsed_ms: None,
            pinned: false,
            note: String::new(),
        }
    }

    pub fn received_at_rfc3339(&self) -> String {
        format_rfc3339(self.request.received_at)
    }

    /// The capture-JSON object (`captures --json`, NDJSON export).
    pub fn to_json(&self) -> Value {
        let r = &self.request;
        let j = &self.judgement;
        json!({
            "id": self.id,
            "received_at": self.received_at_rfc3339(),
            "remote_addr": r.remote_addr,
            "method": r.method,
            "path": r.path,
            "query": r.query,
            "headers": r.headers_json(),
            "body": r.body_text(),
            "body_base64": BASE64.encode(&r.body),
            "size": r.size,
            "provider": j.provider.name(),
            "event": j.event,
            "summary": j.summary,
            "verdict": j.verdict.name(),
            "reason": j.reason,
            "repeat_of": self.repeat_of,
            "response": {
                "status": j.answer.status,
                "headers": j.answer.headers.iter().map(|(n, v)| json!([n, v])).collect::<Vec<_>>(),
                "body": String::from_utf8_lossy(&j.answer.body),
            },
            "elapsed_ms": self.elapsed_ms,
            "pinned": self.pinned,
            "note": self.note,
        })
    }
}

/// What the capture table shows of a capture: everything but the bodies and headers, so that
/// a hundred thousand of them fit in memory.
#[derive(Clone, Debug, PartialEq)]
pub struct CaptureRow {
    pub id: i64,
    pub received_at: OffsetDateTime,
    pub provider: Provider,
    pub method: String,
    pub path: String,
    pub event: String,
    pub summary: String,
    pub status: u16,
    pub size: u64,
    pub repeat_of: Option<i64>,
    pub rejected: bool,
    /// A Reestr `confirm` that could not succeed (see `providers::reestr::unconfirmed`).
    pub unconfirmed: bool,
    pub pinned: bool,
    /// The user's note; empty when there is none.
    pub note: String,
}

impl From<&Capture> for CaptureRow {
    fn from(c: &Capture) -> CaptureRow {
        CaptureRow {
            id: c.id,
            received_at: c.request.received_at,
            provider: c.judgement.provider,
            method: c.request.method.clone(),
            path: c.request.path.clone(),
            event: c.judgement.event.clone(),
            summary: c.judgement.summary.clone(),
            status: c.judgement.answer.status,
            size: c.request.size,
            repeat_of: c.repeat_of,
            rejected: c.judgement.verdict == Verdict::Rejected,
            unconfirmed: crate::providers::reestr::unconfirmed(
                c.judgement.provider,
                &c.judgement.event,
                c.judgement.answer.status,
                c.judgement.answer.body.is_empty(),
            ),
            pinned: c.pinned,
            note: c.note.clone(),
        }
    }
}

pub fn format_rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339)
        .unwrap_or_else(|_| at.unix_timestamp().to_string())
}

/// Shortens `text` to at most `max` characters, marking the cut with an ellipsis.
pub fn ellipsize(text: &str, max: usize) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    match one_line.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &one_line[..cut]),
        None => one_line,
    }
}

/// Compares secrets without leaking, through timing, how much of a guess was right.
pub fn secrets_match(given: &str, expected: &str) -> bool {
    let (a, b) = (given.as_bytes(), expected.as_bytes());
    let mut diff = (a.len() != b.len()) as u8;
    for i in 0..a.len().max(b.len()) {
        diff |= a.get(i).copied().unwrap_or(0) ^ b.get(i).copied().unwrap_or(0xff);
    }
    diff == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_match_only_on_equal_strings() {
        assert!(secrets_match("abc", "abc"));
        assert!(!secrets_match("abd", "abc"));
        assert!(!secrets_match("ab", "abc"));
        assert!(!secrets_match("abcd", "abc"));
        assert!(!secrets_match("", "abc"));
        assert!(secrets_match("", ""));
    }

    #[test]
    fn ellipsize_cuts_on_characters_not_bytes() {
        assert_eq!(ellipsize("Привет, мир", 6), "Привет…");
        assert_eq!(ellipsize("short", 10), "short");
        assert_eq!(ellipsize("a\nb", 10), "a b");
    }
}
