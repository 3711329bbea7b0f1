//! The `Capture`: one request as it arrived, what hookscope made of it and what it answered.

use std::borrow::Cow;

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

    /// The headers the listener sends with this answer to capture `id`: a body's default type
    /// (unless the answer names one), the answer's own, and which capture it became. The HTTP
    /// layer adds only `content-length` and `date`. Borrowed, as it is on every request.
    pub fn sent_headers(&self, id: i64) -> impl Iterator<Item = (&str, Cow<'_, str>)> {
        let names_type = self
            .headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case("content-type"));
        let default_type = (!names_type && !self.body.is_empty())
            .then_some(("content-type", Cow::Borrowed("application/octet-stream")));
        default_type
            .into_iter()
            .chain(
                self.headers
                    .iter()
                    .map(|(n, v)| (n.as_str(), Cow::Borrowed(v.as_str()))),
            )
            .chain([("x-hookscope-capture", Cow::Owned(id.to_string()))])
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
    /// Why it was refused, or what its answer could not do; `None` for a plain success.
    pub reason: Option<Reason>,
    /// Same key, same notification: a later capture with it is marked as a repeat.
    pub redelivery_key: Option<String>,
    pub answer: Answer,
}

/// Why a request was refused or answered short. Kept typed so that the app can say it in the
/// user's language; the English text (`Display`) is what goes on the wire and into exports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Reason {
    /// Over `[listener] max_body_bytes`; `size` is how many bytes were seen.
    TooLarge { size: u64, limit: u64 },
    /// Bodies being received at once already fill `[listener] max_in_flight_bytes`.
    Busy { budget_mib: u64 },
    /// The body did not arrive in time; `kept_kib` is set when its start was kept.
    SlowBody {
        seconds: u64,
        seen: u64,
        kept_kib: Option<u64>,
    },
    /// The connection broke off mid-body.
    BrokenBody {
        error: String,
        kept_kib: Option<u64>,
    },
    /// A provider that always sends JSON sent nothing.
    EmptyBody,
    /// A provider's body that does not parse.
    NotJson { error: String },
    /// GREEN-API: no Authorization header while a webhook token is configured.
    TokenMissing,
    /// GREEN-API: the Authorization header carries another token.
    TokenWrong,
    /// Reestr: no `secret_key` while one is configured.
    SecretMissing,
    /// Reestr: another `secret_key`.
    SecretWrong,
    /// Reestr: a confirm answered empty because no confirmation string is configured.
    NoConfirmString,
    /// A response rule of the settings answered (`[[respond]]`, numbered from 1).
    Rule {
        number: usize,
        action: ResponseAction,
    },
    /// Text from an import or an older store.
    Text { text: String },
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kept = |kib: &Option<u64>| match kib {
            Some(kib) => format!(" (the first {kib} KiB are kept)"),
            None => String::new(),
        };
        match self {
            Reason::TooLarge { size, limit } => write!(
                f,
                "the body of {size} bytes is over the {limit}-byte limit ([listener] max_body_bytes)"
            ),
            Reason::Busy { budget_mib } => write!(
                f,
                "bodies being received at once already fill the {budget_mib} MiB set aside for \
                 them ([listener] max_in_flight_bytes); send it again in a few seconds"
            ),
            Reason::SlowBody {
                seconds,
                seen,
                kept_kib,
            } => write!(
                f,
                "the body did not arrive within {seconds} s; {seen} bytes came{}",
                kept(kept_kib)
            ),
            Reason::BrokenBody { error, kept_kib } => {
                write!(f, "the body broke off: {error}{}", kept(kept_kib))
            }
            Reason::EmptyBody => f.write_str("the body is empty, but this provider always sends JSON"),
            Reason::NotJson { error } => write!(f, "the body is not valid JSON ({error})"),
            Reason::TokenMissing => f.write_str(
                "the Authorization header is missing, but [green_api] webhook_url_token is configured",
            ),
            Reason::TokenWrong => {
                f.write_str("the webhook token does not match [green_api] webhook_url_token")
            }
            Reason::SecretMissing => {
                f.write_str("secret_key is missing, but [reestr] secret_key is configured")
            }
            Reason::SecretWrong => f.write_str("secret_key does not match [reestr] secret_key"),
            Reason::NoConfirmString => f.write_str(
                "no confirmation string is configured, so this confirm could not succeed: copy it \
                 from the Reestr cabinet into [reestr] confirm_string and press confirm again",
            ),
            Reason::Rule { number, action } => {
                let what = match action {
                    ResponseAction::Answer => "answered",
                    ResponseAction::Fail => "failed on purpose",
                    ResponseAction::Delay => "delayed",
                    ResponseAction::HangUp => "hung up on",
                };
                write!(f, "{what} by response rule {number} ([[respond]] in the settings)")
            }
            Reason::Text { text } => f.write_str(text),
        }
    }
}

impl Judgement {
    /// The reason in English, empty when there is none: what capture JSON and exports carry.
    pub fn reason_text(&self) -> String {
        self.reason
            .as_ref()
            .map(Reason::to_string)
            .unwrap_or_default()
    }
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
    /// Mirrored from a team host (`attach`): the capture's id there.
    pub host_id: Option<i64>,
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
            host_id: None,
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
            "reason": j.reason_text(),
            "reason_code": j.reason,
            "repeat_of": self.repeat_of,
            "response": {
                "status": j.answer.status,
                "headers": j.answer.headers.iter().map(|(n, v)| json!([n, v])).collect::<Vec<_>>(),
                "body": String::from_utf8_lossy(&j.answer.body),
            },
            "elapsed_ms": self.elapsed_ms,
            "pinned": self.pinned,
            "note": self.note,
            "host_id": self.host_id,
        })
    }
}

/// What a response rule does with a request it matches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ResponseAction {
    /// Its own status, headers and body.
    #[default]
    Answer,
    /// A failure on purpose.
    Fail,
    /// The provider's own answer, late.
    Delay,
    /// No answer: the connection is closed.
    HangUp,
}

/// How one delivery of a capture to a forward target stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DeliveryState {
    /// In the outbox, to be tried at `next_at`.
    Waiting,
    /// The target answered 2xx.
    Delivered,
    /// The user skipped it.
    Skipped,
    /// Tried for a day without a 2xx.
    GaveUp,
    /// A replay that did not get a 2xx (replays are tried once).
    Failed,
}

impl DeliveryState {
    pub fn name(self) -> &'static str {
        match self {
            DeliveryState::Waiting => "waiting",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Skipped => "skipped",
            DeliveryState::GaveUp => "gave-up",
            DeliveryState::Failed => "failed",
        }
    }

    /// The name `name` gives back; an unknown one reads as failed.
    pub fn from_name(name: &str) -> DeliveryState {
        [
            DeliveryState::Waiting,
            DeliveryState::Delivered,
            DeliveryState::Skipped,
            DeliveryState::GaveUp,
            DeliveryState::Failed,
        ]
        .into_iter()
        .find(|s| s.name() == name)
        .unwrap_or(DeliveryState::Failed)
    }
}

/// A Reestr `confirm` that was accepted yet could not confirm anything: answered without a
/// confirmation string. (A refused one is flagged as rejected already.)
pub fn unconfirmed(provider: Provider, event: &str, status: u16, answer_empty: bool) -> bool {
    provider == Provider::Reestr && event == "confirm" && status == 200 && answer_empty
}

/// What the capture table shows of a capture: everything but the bodies and headers, its
/// texts in one allocation, so that a million of them fit in memory.
#[derive(Clone, Debug, PartialEq)]
pub struct CaptureRow {
    pub id: i64,
    pub received_at: OffsetDateTime,
    pub provider: Provider,
    pub texts: RowTexts,
    pub status: u16,
    pub size: u64,
    pub repeat_of: Option<i64>,
    pub rejected: bool,
    /// A Reestr `confirm` that could not succeed (see [`unconfirmed`]).
    pub unconfirmed: bool,
    /// A body that did not parse, acknowledged all the same (`[listener] malformed`).
    pub malformed: bool,
    pub pinned: bool,
    /// How its forwarding stands, when a forward rule matched it.
    pub forward: Option<DeliveryState>,
    /// Mirrored from a team host: the capture's id there.
    pub host_id: Option<i64>,
}

impl CaptureRow {
    pub fn method(&self) -> &str {
        self.texts.part(0)
    }

    pub fn path(&self) -> &str {
        self.texts.part(1)
    }

    pub fn event(&self) -> &str {
        self.texts.part(2)
    }

    pub fn summary(&self) -> &str {
        self.texts.part(3)
    }

    /// The user's note; empty when there is none.
    pub fn note(&self) -> &str {
        self.texts.part(4)
    }

    pub fn set_note(&mut self, note: &str) {
        let [method, path, event, summary] = [0, 1, 2, 3].map(|n| self.texts.part(n));
        self.texts = RowTexts::new([method, path, event, summary, note]);
    }
}

/// A row's method, path, event, summary and note, one after the other in one string: five
/// `String`s took 120 bytes of fields and up to five allocations a row, this 32 and one.
#[derive(Clone, Debug, PartialEq)]
pub struct RowTexts {
    all: Box<str>,
    /// Where the method, path, event and summary end in `all`; the note is the rest.
    ends: [u32; 4],
}

/// The most of each text a table row keeps, in bytes.
const ROW_TEXT_MAX: usize = 64 << 10;

impl RowTexts {
    /// Each part is cut to its first [`ROW_TEXT_MAX`] bytes: more never shows in a table
    /// cell, and the ends then always fit in a `u32`.
    pub fn new(parts: [&str; 5]) -> RowTexts {
        let parts = parts.map(|part| {
            let mut cut = part.len().min(ROW_TEXT_MAX);
            while !part.is_char_boundary(cut) {
                cut -= 1;
            }
            &part[..cut]
        });
        let mut all = String::with_capacity(parts.iter().map(|p| p.len()).sum());
        let mut ends = [0; 4];
        for (n, part) in parts.iter().enumerate() {
            all.push_str(part);
            if let Some(end) = ends.get_mut(n) {
                *end = all.len() as u32;
            }
        }
        RowTexts {
            all: all.into_boxed_str(),
            ends,
        }
    }

    fn part(&self, n: usize) -> &str {
        let start = n
            .checked_sub(1)
            .map_or(0, |before| self.ends[before] as usize);
        let end = self.ends.get(n).map_or(self.all.len(), |&end| end as usize);
        &self.all[start..end]
    }
}

impl From<&Capture> for CaptureRow {
    fn from(c: &Capture) -> CaptureRow {
        let j = &c.judgement;
        CaptureRow {
            id: c.id,
            received_at: c.request.received_at,
            provider: j.provider,
            texts: RowTexts::new([
                &c.request.method,
                &c.request.path,
                &j.event,
                &j.summary,
                &c.note,
            ]),
            status: j.answer.status,
            size: c.request.size,
            repeat_of: c.repeat_of,
            rejected: j.verdict == Verdict::Rejected,
            unconfirmed: unconfirmed(
                j.provider,
                &j.event,
                j.answer.status,
                j.answer.body.is_empty(),
            ),
            malformed: j.verdict == Verdict::Ok
                && matches!(j.reason, Some(Reason::NotJson { .. } | Reason::EmptyBody)),
            pinned: c.pinned,
            forward: None,
            host_id: c.host_id,
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

/// Compares secrets without leaking, through timing, how much of a guess was right. Nothing
/// matches an empty secret: one kept in a keyring that did not give it back is empty.
pub fn secrets_match(given: &str, expected: &str) -> bool {
    if expected.is_empty() {
        return false;
    }
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
    fn a_row_keeps_its_texts_apart_in_one_string() {
        let request = crate::providers::tests::request("/green-api/7103", &[], "{}");
        let judgement = crate::providers::judge(&request, &crate::config::Config::default());
        let mut row = CaptureRow::from(&Capture::new(request, judgement));
        row.texts = RowTexts::new(["POST", "/green-api/7103", "", "Иван: Здравствуйте", ""]);
        assert_eq!(
            [
                row.method(),
                row.path(),
                row.event(),
                row.summary(),
                row.note()
            ],
            ["POST", "/green-api/7103", "", "Иван: Здравствуйте", ""]
        );
        row.set_note("перезвонить");
        assert_eq!(row.note(), "перезвонить");
        assert_eq!(row.summary(), "Иван: Здравствуйте");
        assert_eq!(row.path(), "/green-api/7103");
        // A long event from a body is cut at a character, not in one.
        let long = "ж".repeat(ROW_TEXT_MAX);
        let texts = RowTexts::new(["POST", "/", &long, "s", ""]);
        let cut = texts.part(2);
        assert_eq!(cut.len(), ROW_TEXT_MAX);
        assert!(long.starts_with(cut));
        assert_eq!(texts.part(3), "s");
    }

    #[test]
    fn secrets_match_only_on_equal_strings() {
        assert!(secrets_match("abc", "abc"));
        assert!(!secrets_match("abd", "abc"));
        assert!(!secrets_match("ab", "abc"));
        assert!(!secrets_match("abcd", "abc"));
        assert!(!secrets_match("", "abc"));
        assert!(!secrets_match("", ""));
    }

    #[test]
    fn ellipsize_cuts_on_characters_not_bytes() {
        assert_eq!(ellipsize("Привет, мир", 6), "Привет…");
        assert_eq!(ellipsize("short", 10), "short");
        assert_eq!(ellipsize("a\nb", 10), "a b");
    }
}
