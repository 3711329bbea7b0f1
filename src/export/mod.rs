//! Captures out of the store and back in: HAR 1.2 (for browser devtools and HTTP Toolkit),
//! capture NDJSON (the `captures --json` shape) and cURL scripts that replay requests.
//!
//! Every export goes through a [`Masker`] first, so the secrets configured in hookscope never
//! leave it in a file. Imports rebuild the captures byte for byte and let the store mark the
//! repeats again.

pub mod curl;
pub mod har;
mod json;
pub mod ndjson;
mod wire;

use std::io::{self, Write};

use base64::Engine as _;

use crate::capture::{Capture, HeaderValue, Reason};
use crate::config::{Config, Secret};
use crate::providers;
use crate::store::{Routes, Store, StoreError};

/// What stands in for a secret in exported text.
pub const MASK: &str = "***";

/// The export formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Har,
    Ndjson,
    Curl,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Har, Format::Ndjson, Format::Curl];

    pub fn name(self) -> &'static str {
        match self {
            Format::Har => "har",
            Format::Ndjson => "ndjson",
            Format::Curl => "curl",
        }
    }

    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(name))
    }

    /// The usual file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Har => "har",
            Format::Ndjson => "ndjson",
            Format::Curl => "sh",
        }
    }
}

/// Replaces every configured secret by `***`, wherever in a capture it occurs.
///
/// Besides each value as configured it also looks for its percent-encoded and JSON-escaped
/// spellings (with and without `\/`), since that is how a token travels in a query string or
/// a JSON body.
#[derive(Clone, Debug, Default)]
pub struct Masker {
    /// Longest first, so a secret that contains another is masked whole.
    needles: Vec<String>,
}

impl Masker {
    /// Masks `reestr.secret_key`, `reestr.access_token`, `green_api.api_token_instance`,
    /// `green_api.webhook_url_token`, `moysklad.token` and `kontur.api_key` when set.
    pub fn new(config: &Config) -> Masker {
        Masker::from_secrets([
            &config.reestr.secret_key,
            &config.reestr.access_token,
            &config.green_api.api_token_instance,
            &config.green_api.webhook_url_token,
            &config.moysklad.token,
            &config.kontur.api_key,
        ])
    }

    pub fn from_secrets<'a>(secrets: impl IntoIterator<Item = &'a Secret>) -> Masker {
        let mut needles = Vec::new();
        for secret in secrets.into_iter().filter(|s| s.is_set()) {
            let raw = secret.expose();
            let trimmed = raw.trim();
            for value in [raw, trimmed] {
                if value.is_empty() {
                    continue;
                }
                needles.push(value.to_string());
                needles.push(percent_encode(value));
                let json = serde_json::to_string(value).expect("strings always serialize");
                let json = &json[1..json.len() - 1];
                needles.push(json.to_string());
                // PHP and others also escape the slash.
                needles.push(json.replace('/', r"\/"));
            }
        }
        needles.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        needles.dedup();
        Masker { needles }
    }

    /// True when no secret is configured, so nothing would be masked.
    pub fn is_empty(&self) -> bool {
        self.needles.is_empty()
    }

    pub fn text(&self, text: &str) -> String {
        let mut text = text.to_string();
        for needle in &self.needles {
            if text.contains(needle.as_str()) {
                text = text.replace(needle.as_str(), MASK);
            }
        }
        text
    }

    pub fn bytes(&self, bytes: &[u8]) -> Vec<u8> {
        let mut bytes = bytes.to_vec();
        for needle in &self.needles {
            if let Some(replaced) = replace_bytes(&bytes, needle.as_bytes(), MASK.as_bytes()) {
                bytes = replaced;
            }
        }
        bytes
    }

    /// A header value with every secret masked, also inside `Basic base64(user:secret)`.
    fn header(&self, value: &HeaderValue) -> HeaderValue {
        let credentials = value.as_str().and_then(basic_credentials);
        if credentials.is_some_and(|c| self.text(&c) != *c) {
            return HeaderValue::from(format!("Basic {MASK}"));
        }
        HeaderValue::from_bytes(self.bytes(value.as_bytes()))
    }

    /// A copy of `capture` with every secret masked: path, query, header values, bodies,
    /// summary, reason, the answer's headers and the note. `size` keeps the original count.
    pub fn capture(&self, capture: &Capture) -> Capture {
        if self.is_empty() {
            return capture.clone();
        }
        let mut masked = capture.clone();
        let pairs = |pairs: &[(String, String)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(n, v)| (n.clone(), self.text(v)))
                .collect()
        };
        let r = &mut masked.request;
        r.path = self.text(&r.path);
        r.query = self.text(&r.query);
        r.headers = r
            .headers
            .iter()
            .map(|(n, v)| (n.clone(), self.header(v)))
            .collect();
        r.body = self.bytes(&r.body);
        let j = &mut masked.judgement;
        j.summary = self.text(&j.summary);
        if let Some(Reason::Text { text }) = &mut j.reason {
            *text = self.text(text);
        }
        j.redelivery_key = j.redelivery_key.as_deref().map(|k| self.text(k));
        j.answer.headers = pairs(&j.answer.headers);
        j.answer.body = self.bytes(&j.answer.body);
        masked.note = self.text(&masked.note);
        masked
    }
}

/// What `Basic <base64>` carries, as text.
fn basic_credentials(value: &str) -> Option<String> {
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    String::from_utf8(decoded).ok()
}

/// `haystack` with every `needle` replaced, or `None` when there is none.
fn replace_bytes(haystack: &[u8], needle: &[u8], with: &[u8]) -> Option<Vec<u8>> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    let mut out: Option<Vec<u8>> = None;
    let mut start = 0;
    let mut i = 0;
    while i + needle.len() <= haystack.len() {
        if haystack[i] == needle[0] && &haystack[i..i + needle.len()] == needle {
            let buf = out.get_or_insert_with(|| Vec::with_capacity(haystack.len()));
            buf.extend_from_slice(&haystack[start..i]);
            buf.extend_from_slice(with);
            i += needle.len();
            start = i;
        } else {
            i += 1;
        }
    }
    let mut out = out?;
    out.extend_from_slice(&haystack[start..]);
    Some(out)
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for &b in text.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes `%XX` escapes (and `+` as a space, as in forms and query strings); invalid escapes
/// stay as they are, and bytes that are not UTF-8 become U+FFFD.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Writes `captures`, masked, in `format`. A cURL script sends them to `replay_to` (such as
/// `http://127.0.0.1:8787`), never to the `Host` they carried: the sender chose that one.
pub fn write(
    captures: &[Capture],
    format: Format,
    masker: &Masker,
    replay_to: &str,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Har => har::write(captures, masker, out),
        Format::Ndjson => ndjson::write(captures, masker, out),
        Format::Curl => curl::write(captures, masker, replay_to, out),
    }
}

/// Why a file could not be imported. A file that is not HAR or capture NDJSON imports nothing;
/// an entry that is, but could not have come over the wire, is skipped (see [`Imported`]).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("it is neither a HAR file nor capture NDJSON: line {line} is not JSON ({message})")]
    NotJson { line: usize, message: String },
    #[error("it looks like a HAR file, but {0}")]
    NotHar(String),
    #[error("the capture store failed after {imported} captures were imported: {source}")]
    Store { imported: usize, source: StoreError },
}

/// What an import did: the captures it stored, and the entries it skipped, each named by its
/// place in the file with the reason.
#[derive(Debug, Default, PartialEq)]
pub struct Imported {
    pub stored: usize,
    pub skipped: Vec<String>,
}

/// A capture read from a file, with where it stood there ("line 3", "HAR entry 2").
pub type Entry = (String, Result<Capture, String>);

/// An entry's JSON longer than this cannot hold a body the limit allows (as text or base64,
/// with the rest of the capture), so it is skipped before it is parsed.
fn entry_size_limit(max_body_bytes: u64) -> usize {
    (max_body_bytes.saturating_mul(3) + (1 << 20)).min(usize::MAX as u64) as usize
}

/// Reads HAR or capture NDJSON into captures, without storing them.
///
/// `config` judges requests that carry no verdict of their own (HAR files from other tools),
/// and its body limit applies as on the wire. Every capture gets its redelivery key from the
/// provider rules with default settings, so a masked token cannot hide a repeat.
pub fn parse(text: &str, config: &Config) -> Result<(Vec<Capture>, Vec<String>), ImportError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let limit = entry_size_limit(config.listener.max_body_bytes);
    let entries = match har::entries(text) {
        Some(entries) => har::parse(&entries, config, limit),
        None => match serde_json::from_str::<serde_json::Value>(text) {
            Ok(value) if value.get("log").is_some() => return Err(har::not_har(&value)),
            // One JSON document that is not HAR: a single capture, on one line or spread out.
            Ok(value) => vec![("line 1".to_string(), ndjson::from_json(&value, config))],
            Err(e) => {
                let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
                if e.line() > 1 && serde_json::from_str::<serde_json::Value>(first).is_err() {
                    // Not NDJSON either: one document (a HAR file, say) broken further down.
                    return Err(ImportError::NotJson {
                        line: e.line(),
                        message: json_problem(&e),
                    });
                }
                ndjson::parse(text, config, limit)?
            }
        },
    };
    let defaults = Config::default();
    let (mut captures, mut skipped) = (Vec::new(), Vec::new());
    for (place, entry) in entries {
        let checked = entry.and_then(|capture| {
            wire::check(&capture.request, config.listener.max_body_bytes).map(|()| capture)
        });
        match checked {
            Ok(mut capture) => {
                capture.judgement.redelivery_key =
                    providers::judge(&capture.request, &defaults).redelivery_key;
                capture.id = 0;
                capture.repeat_of = None;
                captures.push(capture);
            }
            Err(problem) => skipped.push(format!("{place}: {problem}")),
        }
    }
    Ok((captures, skipped))
}

/// serde_json's message, with its position as a column only (the caller names the line).
fn json_problem(e: &serde_json::Error) -> String {
    let full = e.to_string();
    match full.strip_suffix(&format!(" at line {} column {}", e.line(), e.column())) {
        Some(what) => format!("{what} at column {}", e.column()),
        None => full,
    }
}

/// Imports a HAR file or capture NDJSON into `store`, oldest first. Repeats are marked by the
/// store as for live captures.
pub async fn import(store: &Store, text: &str, config: &Config) -> Result<Imported, ImportError> {
    let (captures, skipped) = parse(text, config)?;
    let stored = store
        .commit_in_order(captures, &Routes::default())
        .await
        .map_err(|(imported, source)| ImportError::Store { imported, source })?;
    Ok(Imported { stored, skipped })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::{Answer, Incoming, Judgement, Provider, Verdict};

    pub(crate) fn capture(
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Capture {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let request = Incoming {
            received_at: time::macros::datetime!(2026-03-01 10:00:00.123456 UTC),
            remote_addr: "127.0.0.1:50000".into(),
            method: method.into(),
            path: path.into(),
            query: query.into(),
            headers: headers.iter().map(|&(n, v)| (n.into(), v.into())).collect(),
            body: body.to_vec(),
            size: body.len() as u64,
        };
        let judgement = Judgement {
            provider: Provider::Generic,
            event: String::new(),
            summary: "a test".into(),
            verdict: Verdict::Ok,
            reason: None,
            redelivery_key: None,
            answer: Answer::text(200, "OK"),
        };
        let mut capture = Capture::new(request, judgement);
        capture.id = 7;
        capture.elapsed_ms = Some(1.25);
        capture
    }

    fn config() -> Config {
        let mut config = Config::default();
        config.green_api.webhook_url_token = Secret::new("wh-7f3a9c");
        config.reestr.secret_key = Secret::new("eaa4-1e8485fb21-2117d474");
        config.moysklad.token = Secret::new("ms/tok+en");
        config
    }

    #[test]
    fn a_token_inside_basic_credentials_is_masked() {
        let masker = Masker::new(&config());
        // base64("user:wh-7f3a9c"), and a value that is not UTF-8 around the bare token.
        let basic = capture(
            "POST",
            "/green-api",
            &[("authorization", "basic dXNlcjp3aC03ZjNhOWM=")],
            b"{}",
        );
        let masked = masker.capture(&basic);
        assert_eq!(masked.request.headers[0].1, "Basic ***".into());
        let mut raw = basic.clone();
        raw.request.headers[0].1 = HeaderValue::from_bytes(&b"\xffwh-7f3a9c\xff"[..]);
        let masked = masker.capture(&raw);
        assert_eq!(masked.request.headers[0].1.as_bytes(), b"\xff***\xff");
        let other = capture(
            "POST",
            "/",
            &[("authorization", "Basic dXNlcjpvdGhlcg==")],
            b"",
        );
        assert_eq!(
            masker.capture(&other).request.headers,
            other.request.headers
        );
    }

    #[test]
    fn green_api_bearer_token_and_reestr_secret_key_are_masked() {
        let masker = Masker::new(&config());
        let green = capture(
            "POST",
            "/green-api",
            &[("authorization", "Bearer wh-7f3a9c")],
            b"{}",
        );
        let masked = masker.capture(&green);
        assert_eq!(
            masked.request.headers,
            vec![("authorization".to_string(), "Bearer ***".into())]
        );
        let reestr = capture(
            "POST",
            "/reestr?token=eaa4-1e8485fb21-2117d474",
            &[],
            br#"{"type":"payment","secret_key":"eaa4-1e8485fb21-2117d474"}"#,
        );
        let masked = masker.capture(&reestr);
        assert_eq!(
            masked.request.body,
            br#"{"type":"payment","secret_key":"***"}"#
        );
        assert_eq!(masked.request.query, "token=***");
        assert_eq!(masked.request.size, reestr.request.size);
    }

    #[test]
    fn encoded_spellings_and_response_bodies_are_masked_too() {
        let masker = Masker::new(&config());
        let mut c = capture(
            "POST",
            "/x?t=ms%2Ftok%2Ben",
            &[],
            b"\xff\x00{\"t\":\"ms\\/tok+en\"} ms/tok+en",
        );
        c.judgement.answer.body = b"echo wh-7f3a9c".to_vec();
        let masked = masker.capture(&c);
        assert_eq!(masked.request.query, "t=***");
        assert_eq!(masked.request.body, b"\xff\x00{\"t\":\"***\"} ***");
        assert_eq!(masked.judgement.answer.body, b"echo ***");
    }

    #[test]
    fn nothing_is_masked_without_secrets() {
        let masker = Masker::new(&Config::default());
        assert!(masker.is_empty());
        let c = capture("GET", "/a?b=c", &[("x", "y")], b"body");
        assert_eq!(masker.capture(&c).request.body, b"body");
    }

    #[test]
    fn percent_decoding_keeps_invalid_escapes() {
        assert_eq!(percent_decode("%D0%BF%D1%80+x"), "пр x");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("a%2"), "a%2");
    }

    #[test]
    fn a_malformed_line_is_named() {
        let good = ndjson::line(&capture("GET", "/a", &[], b""));
        let text = format!("{good}\n\nnot json\n");
        let err = parse(&text, &Config::default()).unwrap_err().to_string();
        assert!(err.contains("line 3 is not JSON"), "{err}");
        let text =
            format!("{good}\n{{\"method\":\"GET\",\"path\":\"/\",\"body_base64\":\"%%\"}}\n");
        let (captures, skipped) = parse(&text, &Config::default()).unwrap();
        assert_eq!(captures.len(), 1);
        assert!(
            skipped.len() == 1 && skipped[0].starts_with("line 2: body_base64"),
            "{skipped:?}"
        );
    }

    #[test]
    fn a_document_broken_further_down_is_named_by_its_line() {
        let har = "{\n  \"log\": {\n    \"entries\": [\n      {\"request\": \n";
        let err = parse(har, &Config::default()).unwrap_err().to_string();
        assert!(
            err.contains("line 5 is not JSON (EOF while parsing"),
            "{err}"
        );
        let spread = "{\n  \"method\": \"GET\",\n  \"path\": \"/a\"\n}\n";
        assert_eq!(
            parse(spread, &Config::default()).unwrap().0[0].request.path,
            "/a"
        );
    }
}
