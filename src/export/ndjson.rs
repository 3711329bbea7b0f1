//! Capture NDJSON: one `Capture::to_json()` object per line, oldest first — exactly what
//! `hookscope captures --json` prints — and reading it back.

use std::cell::OnceCell;
use std::io::{self, Write};

use serde_json::Value;
use time::OffsetDateTime;

use super::json::{self, Object};
use super::{json_problem, Entry, ImportError, Masker};
use crate::capture::{Answer, Capture, Incoming, Judgement, Provider, Reason, Verdict};
use crate::config::Config;
use crate::providers;

/// One capture as one line of JSON (no newline).
pub fn line(capture: &Capture) -> String {
    capture.to_json().to_string()
}

/// Every capture, masked, one per line.
pub fn write(captures: &[Capture], masker: &Masker, out: &mut dyn Write) -> io::Result<()> {
    for capture in captures {
        writeln!(out, "{}", line(&masker.capture(capture)))?;
    }
    Ok(())
}

/// Reads capture NDJSON; blank lines are skipped, a line that is not JSON fails the file, and a
/// line that is JSON but not a capture (or too long to hold one) is an entry that failed.
pub fn parse(text: &str, config: &Config, limit: usize) -> Result<Vec<Entry>, ImportError> {
    let mut entries = Vec::new();
    for (index, text) in text.lines().enumerate() {
        let line = index + 1;
        if text.trim().is_empty() {
            continue;
        }
        if text.len() > limit {
            let problem = format!(
                "it is {} bytes of JSON, more than the body limit allows ([listener] max_body_bytes)",
                text.len()
            );
            entries.push((format!("line {line}"), Err(problem)));
            continue;
        }
        let value: Value = serde_json::from_str(text).map_err(|e| ImportError::NotJson {
            line,
            // serde_json counts lines within this one; only the column means anything here.
            message: json_problem(&e),
        })?;
        entries.push((format!("line {line}"), from_json(&value, config)));
    }
    Ok(entries)
}

/// Rebuilds a capture from its capture-JSON object. `method` and `path` are required; what
/// else is missing is defaulted, and what the provider rules decide (provider, event, summary,
/// verdict, reason, answer) is decided again with `config` when the object does not say.
/// The redelivery key, id and repeat mark are left for the importer and the store.
pub fn from_json(value: &Value, config: &Config) -> Result<Capture, String> {
    let obj = json::object(value, "the line")?;
    let body = match json::opt_base64(obj, "body_base64")? {
        Some(bytes) => bytes,
        None => json::opt_str(obj, "body")?
            .unwrap_or_default()
            .as_bytes()
            .to_vec(),
    };
    let request = Incoming {
        received_at: json::opt_time(obj, "received_at")?.unwrap_or_else(OffsetDateTime::now_utc),
        remote_addr: json::opt_str(obj, "remote_addr")?
            .unwrap_or_default()
            .to_string(),
        method: json::req_str(obj, "method")?.to_string(),
        path: json::req_str(obj, "path")?.to_string(),
        query: json::opt_str(obj, "query")?.unwrap_or_default().to_string(),
        headers: json::opt_headers(obj, "headers")?.unwrap_or_default(),
        size: json::opt_u64(obj, "size")?.unwrap_or(body.len() as u64),
        body,
    };
    let answer = match json::opt_object(obj, "response")? {
        Some(response) => Some(answer(response)?),
        None => None,
    };
    let judgement = judgement(obj, &request, config, answer)?;
    let mut capture = Capture::new(request, judgement);
    extras(obj, &mut capture)?;
    Ok(capture)
}

/// `{status, headers, body, body_base64?}`.
fn answer(response: &Object) -> Result<Answer, String> {
    let body = match json::opt_base64(response, "body_base64")? {
        Some(bytes) => bytes,
        None => json::opt_str(response, "body")?
            .unwrap_or_default()
            .as_bytes()
            .to_vec(),
    };
    json::answer(response, body)
}

/// The provider's verdict as recorded in `obj`, with whatever is missing judged anew.
pub(super) fn judgement(
    obj: &Object,
    request: &Incoming,
    config: &Config,
    answer: Option<Answer>,
) -> Result<Judgement, String> {
    let cell = OnceCell::new();
    let fresh = || cell.get_or_init(|| providers::judge(request, config));
    let provider = match json::opt_str(obj, "provider")? {
        Some(name) => Provider::from_name(name).ok_or_else(|| {
            format!(
                "provider \"{name}\" is not one of {}",
                Provider::ALL.map(Provider::name).join(", ")
            )
        })?,
        None => fresh().provider,
    };
    let verdict = match json::opt_str(obj, "verdict")? {
        Some("ok") => Verdict::Ok,
        Some("rejected") => Verdict::Rejected,
        Some(other) => return Err(format!("verdict \"{other}\" is neither ok nor rejected")),
        None => fresh().verdict,
    };
    let text = |key: &str, default: fn(&Judgement) -> &String| -> Result<String, String> {
        Ok(match json::opt_str(obj, key)? {
            Some(text) => text.to_string(),
            None => default(fresh()).clone(),
        })
    };
    Ok(Judgement {
        provider,
        event: text("event", |j| &j.event)?,
        summary: text("summary", |j| &j.summary)?,
        verdict,
        reason: match obj.get("reason_code").cloned().map(serde_json::from_value) {
            Some(Ok(reason)) => reason,
            _ => match json::opt_str(obj, "reason")? {
                // Said again as the rules say it now, it keeps its type (and its translations).
                Some(text) if text == fresh().reason_text() => fresh().reason.clone(),
                Some("") => None,
                Some(text) => Some(Reason::Text { text: text.into() }),
                None => fresh().reason.clone(),
            },
        },
        redelivery_key: None,
        answer: match answer {
            Some(answer) => answer,
            None => fresh().answer.clone(),
        },
    })
}

/// `elapsed_ms`, `pinned` and `note`, when `obj` has them.
pub(super) fn extras(obj: &Object, capture: &mut Capture) -> Result<(), String> {
    capture.elapsed_ms = json::opt_f64(obj, "elapsed_ms")?;
    capture.pinned = json::opt_bool(obj, "pinned")?.unwrap_or(false);
    capture.note = json::opt_str(obj, "note")?.unwrap_or_default().to_string();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::tests::capture;

    #[test]
    fn a_line_reads_back_as_the_same_capture() {
        let mut original = capture(
            "PUT",
            "/p?q=1",
            &[("x-a", "1"), ("x-a", "2")],
            &[0, 159, 146, 150, 255],
        );
        original.judgement.reason = Some(Reason::Text {
            text: "because".into(),
        });
        original.judgement.verdict = Verdict::Rejected;
        let back = from_json(
            &serde_json::from_str(&line(&original)).unwrap(),
            &Config::default(),
        )
        .unwrap();
        assert_eq!(back.request.received_at, original.request.received_at);
        assert_eq!(back.request.method, "PUT");
        assert_eq!(
            (back.request.path.as_str(), back.request.query.as_str()),
            ("/p", "q=1")
        );
        assert_eq!(back.request.headers, original.request.headers);
        assert_eq!(back.request.body, original.request.body);
        assert_eq!(back.judgement.verdict, Verdict::Rejected);
        assert_eq!(back.judgement.reason_text(), "because");
        assert_eq!(back.judgement.answer.body, b"OK");
        assert_eq!(back.elapsed_ms, Some(1.25));
    }

    #[test]
    fn missing_fields_are_judged_again() {
        let value = serde_json::json!({
            "method": "POST",
            "path": "/moysklad",
            "query": "requestId=r-1",
            "body": "{\"events\":[{\"meta\":{\"type\":\"product\"},\"action\":\"CREATE\"}]}",
        });
        let c = from_json(&value, &Config::default()).unwrap();
        assert_eq!(c.judgement.provider, Provider::Moysklad);
        assert_eq!(c.judgement.event, "product:CREATE");
        assert_eq!(c.judgement.answer.status, 204);
        assert_eq!(c.request.size, c.request.body.len() as u64);
    }

    #[test]
    fn wrong_types_are_named() {
        let bad = |v: Value| from_json(&v, &Config::default()).unwrap_err();
        assert_eq!(
            bad(serde_json::json!([1])),
            "the line should be an object, not a list"
        );
        assert_eq!(bad(serde_json::json!({"path": "/"})), "method is missing");
        assert!(
            bad(serde_json::json!({"method": "GET", "path": "/", "provider": "slack"}))
                .contains("provider \"slack\" is not one of reestr")
        );
        assert!(
            bad(serde_json::json!({"method": "GET", "path": "/", "headers": [["a"]]}))
                .starts_with("headers[0] should be")
        );
    }
}
