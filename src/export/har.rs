//! HAR 1.2, as browser devtools and HTTP Toolkit open it, and reading it back.
//!
//! HAR cannot carry a binary request body (`postData.text` is text), so each entry also has a
//! `_hookscope` object with the exact bytes in `body_base64` and what hookscope decided about
//! the request. HAR files from other tools import too: their requests are judged anew.

use std::io::{self, Write};

use base64::Engine as _;
use serde_json::value::RawValue;
use serde_json::{json, Value};
use time::OffsetDateTime;

use super::json::{self, Object};
use super::ndjson::{extras, judgement};
use super::{percent_decode, Entry, ImportError, Masker};
use crate::capture::{format_rfc3339, Capture, HeaderValue, Incoming};
use crate::config::Config;

const BASE64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// `http://` + the Host header (or `localhost`) + path + `?query`.
pub fn url(request: &Incoming) -> String {
    let host = request
        .header("host")
        .filter(|h| !h.is_empty())
        .unwrap_or("localhost");
    let mut url = format!("http://{host}{}", request.path);
    if !request.query.is_empty() {
        url.push('?');
        url.push_str(&request.query);
    }
    url
}

fn name_values(pairs: &[(String, String)]) -> Vec<Value> {
    pairs
        .iter()
        .map(|(name, value)| json!({"name": name, "value": value}))
        .collect()
}

fn query_string(query: &str) -> Vec<Value> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            json!({"name": percent_decode(name), "value": percent_decode(value)})
        })
        .collect()
}

fn content_type(headers: &[(String, String)], default: &str) -> String {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        .map_or(default, |(_, v)| v.as_str())
        .to_string()
}

/// A request's headers; a value that is not UTF-8 also gives its exact bytes in
/// `_valueBase64` (HAR's text cannot hold them), which `import` reads back.
fn request_headers(headers: &[(String, HeaderValue)]) -> Vec<Value> {
    headers
        .iter()
        .map(|(name, value)| match value.as_str() {
            Some(text) => json!({"name": name, "value": text}),
            None => json!({
                "name": name,
                "value": value.text(),
                "_valueBase64": BASE64.encode(value.as_bytes()),
            }),
        })
        .collect()
}

/// One HAR entry for `capture`, as it is (mask it first).
pub fn entry(capture: &Capture) -> Value {
    let r = &capture.request;
    let j = &capture.judgement;
    let elapsed = capture.elapsed_ms.unwrap_or(0.0).max(0.0);
    let mut request = json!({
        "method": r.method,
        "url": url(r),
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": request_headers(&r.headers),
        "queryString": query_string(&r.query),
    });
    if !r.body.is_empty() {
        request["postData"] = json!({
            "mimeType": r.header("content-type").unwrap_or("application/octet-stream"),
            "text": String::from_utf8_lossy(&r.body),
        });
    }
    request["headersSize"] = json!(-1);
    request["bodySize"] = json!(r.body.len());

    let mut content = json!({
        "size": j.answer.body.len(),
        "mimeType": content_type(&j.answer.headers, "x-unknown"),
    });
    match std::str::from_utf8(&j.answer.body) {
        Ok(text) => content["text"] = json!(text),
        Err(_) => {
            content["text"] = json!(BASE64.encode(&j.answer.body));
            content["encoding"] = json!("base64");
        }
    }
    let status_text = axum::http::StatusCode::from_u16(j.answer.status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    json!({
        "startedDateTime": capture.received_at_rfc3339(),
        "time": elapsed,
        "request": request,
        "response": {
            "status": j.answer.status,
            "statusText": status_text,
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": name_values(&j.answer.headers),
            "content": content,
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": j.answer.body.len(),
        },
        "cache": {},
        "timings": {"send": 0, "wait": elapsed, "receive": 0},
        "_hookscope": {
            "id": capture.id,
            "provider": j.provider.name(),
            "event": j.event,
            "summary": j.summary,
            "verdict": j.verdict.name(),
            "reason": j.reason_text(),
            "repeat_of": capture.repeat_of,
            "remote_addr": r.remote_addr,
            "received_at": format_rfc3339(r.received_at),
            "size": r.size,
            "body_base64": BASE64.encode(&r.body),
            "elapsed_ms": capture.elapsed_ms,
            "pinned": capture.pinned,
            "note": capture.note,
        },
    })
}

/// A whole HAR document, masked, written one entry per line.
pub fn write(captures: &[Capture], masker: &Masker, out: &mut dyn Write) -> io::Result<()> {
    let creator = json!({"name": "hookscope", "version": env!("CARGO_PKG_VERSION")});
    write!(
        out,
        "{{\"log\":{{\"version\":\"1.2\",\"creator\":{creator},\"entries\":["
    )?;
    for (i, capture) in captures.iter().enumerate() {
        out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        serde_json::to_writer(&mut *out, &entry(&masker.capture(capture)))?;
    }
    out.write_all(b"\n]}}\n")
}

/// The entries of a HAR document, each still as its JSON text, so that a huge one can be
/// skipped before it is parsed; `None` when `text` is not a HAR document.
pub fn entries(text: &str) -> Option<Vec<&RawValue>> {
    #[derive(serde::Deserialize)]
    struct Document<'a> {
        #[serde(borrow)]
        log: Log<'a>,
    }
    #[derive(serde::Deserialize)]
    struct Log<'a> {
        #[serde(borrow)]
        entries: Vec<&'a RawValue>,
    }
    serde_json::from_str::<Document>(text)
        .ok()
        .map(|d| d.log.entries)
}

/// Why a document with a `log` is not HAR after all.
pub fn not_har(document: &Value) -> ImportError {
    match document.get("log").and_then(Value::as_object) {
        None => ImportError::NotHar("its log is not an object".into()),
        Some(_) => ImportError::NotHar("log.entries is missing or not a list".into()),
    }
}

/// Rebuilds the captures of HAR `entries`; one longer than `limit` bytes of JSON is not parsed.
pub fn parse(entries: &[&RawValue], config: &Config, limit: usize) -> Vec<Entry> {
    entries
        .iter()
        .enumerate()
        .map(|(i, raw)| {
            let place = format!("HAR entry {} (log.entries[{i}])", i + 1);
            let capture = if raw.get().len() > limit {
                Err(format!(
                    "it is {} bytes of JSON, more than the body limit allows ([listener] max_body_bytes)",
                    raw.get().len()
                ))
            } else {
                serde_json::from_str::<Value>(raw.get())
                    .map_err(|e| e.to_string())
                    .and_then(|entry| from_entry(&entry, config))
            };
            (place, capture)
        })
        .collect()
}

/// The path and query of a URL (`scheme://host/path?query#fragment`).
fn target(url: &str) -> (String, String) {
    let rest = match url.find("://") {
        Some(at) => {
            let after = &url[at + 3..];
            after.find(['/', '?', '#']).map_or("", |i| &after[i..])
        }
        None => url,
    };
    let rest = rest.split('#').next().unwrap_or_default();
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let path = if path.is_empty() { "/" } else { path };
    (path.to_string(), query.to_string())
}

/// Text or, with `"encoding": "base64"`, bytes.
fn text_bytes(obj: &Object, what: &str) -> Result<Vec<u8>, String> {
    let text = json::opt_str(obj, "text")
        .map_err(|e| format!("{what}.{e}"))?
        .unwrap_or_default();
    match json::opt_str(obj, "encoding").map_err(|e| format!("{what}.{e}"))? {
        Some(e) if e.eq_ignore_ascii_case("base64") => BASE64
            .decode(text.trim())
            .map_err(|e| format!("{what}.text is not valid base64 ({e})")),
        _ => Ok(text.as_bytes().to_vec()),
    }
}

/// Rebuilds a capture from a HAR entry: exactly, from `_hookscope`, when hookscope wrote it.
pub fn from_entry(entry: &Value, config: &Config) -> Result<Capture, String> {
    let entry = json::object(entry, "the entry")?;
    let request =
        json::opt_object(entry, "request")?.ok_or_else(|| "it has no request".to_string())?;
    let own = json::opt_object(entry, "_hookscope")?;
    let empty = Object::new();
    let hs = own.unwrap_or(&empty);
    let method = json::req_str(request, "method").map_err(|e| format!("request.{e}"))?;
    let (path, query) = target(json::req_str(request, "url").map_err(|e| format!("request.{e}"))?);
    let headers: Vec<(String, HeaderValue)> = json::opt_headers(request, "headers")
        .map_err(|e| format!("request.{e}"))?
        .unwrap_or_default()
        .into_iter()
        // HTTP/2 pseudo-headers (`:authority`) that browsers record are not headers.
        .filter(|(name, _)| !name.starts_with(':'))
        .collect();
    let body = match json::opt_base64(hs, "body_base64").map_err(|e| format!("_hookscope.{e}"))? {
        Some(bytes) => bytes,
        None => match json::opt_object(request, "postData").map_err(|e| format!("request.{e}"))? {
            Some(post) => text_bytes(post, "request.postData")?,
            None => Vec::new(),
        },
    };
    let received_at = match json::opt_time(hs, "received_at")
        .map_err(|e| format!("_hookscope.{e}"))?
    {
        Some(at) => at,
        None => json::opt_time(entry, "startedDateTime")?.unwrap_or_else(OffsetDateTime::now_utc),
    };
    let incoming = Incoming {
        received_at,
        remote_addr: json::opt_str(hs, "remote_addr")
            .map_err(|e| format!("_hookscope.{e}"))?
            .unwrap_or_default()
            .to_string(),
        method: method.to_string(),
        path,
        query,
        headers,
        size: json::opt_u64(hs, "size")
            .map_err(|e| format!("_hookscope.{e}"))?
            .unwrap_or(body.len() as u64),
        body,
    };
    let answer = match json::opt_object(entry, "response")? {
        Some(response) => {
            let body =
                match json::opt_object(response, "content").map_err(|e| format!("response.{e}"))? {
                    Some(content) => text_bytes(content, "response.content")?,
                    None => Vec::new(),
                };
            Some(json::answer(response, body)?)
        }
        None => None,
    };
    let judgement =
        judgement(hs, &incoming, config, answer).map_err(|e| format!("_hookscope.{e}"))?;
    let mut capture = Capture::new(incoming, judgement);
    if own.is_some() {
        extras(hs, &mut capture).map_err(|e| format!("_hookscope.{e}"))?;
    } else {
        capture.elapsed_ms = json::opt_f64(entry, "time")?.filter(|t| *t >= 0.0);
    }
    Ok(capture)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::Provider;
    use crate::export::tests::capture;

    #[test]
    fn an_entry_has_what_har_viewers_need() {
        let mut c = capture(
            "POST",
            "/hooks/a?x=%D0%BF&y=1+2&flag",
            &[
                ("host", "example.test:8787"),
                ("content-type", "application/json"),
            ],
            b"{\"a\":1}",
        );
        c.judgement.answer.body = vec![0xff, 0x00];
        let e = entry(&c);
        assert_eq!(e["startedDateTime"], "2026-03-01T10:00:00.123456Z");
        assert_eq!(e["time"], 1.25);
        assert_eq!(
            e["request"]["url"],
            "http://example.test:8787/hooks/a?x=%D0%BF&y=1+2&flag"
        );
        assert_eq!(
            e["request"]["queryString"],
            json!([{"name": "x", "value": "п"}, {"name": "y", "value": "1 2"}, {"name": "flag", "value": ""}])
        );
        assert_eq!(e["request"]["postData"]["mimeType"], "application/json");
        assert_eq!(e["request"]["postData"]["text"], "{\"a\":1}");
        assert_eq!(e["request"]["headersSize"], -1);
        assert_eq!(e["request"]["bodySize"], 7);
        assert_eq!(e["response"]["statusText"], "OK");
        assert_eq!(e["response"]["content"]["encoding"], "base64");
        assert_eq!(e["response"]["content"]["text"], "/wA=");
        assert_eq!(e["timings"]["wait"], 1.25);
        assert_eq!(e["_hookscope"]["id"], 7);
        assert_eq!(e["_hookscope"]["body_base64"], "eyJhIjoxfQ==");

        let back = from_entry(&e, &Config::default()).unwrap();
        assert_eq!(back.request.path, "/hooks/a");
        assert_eq!(back.request.query, "x=%D0%BF&y=1+2&flag");
        assert_eq!(back.request.headers, c.request.headers);
        assert_eq!(back.request.received_at, c.request.received_at);
        assert_eq!(back.judgement.answer.body, vec![0xff, 0x00]);
        assert_eq!(back.judgement.answer.headers, c.judgement.answer.headers);
    }

    #[test]
    fn a_foreign_entry_is_judged_again() {
        let e = json!({
            "startedDateTime": "2026-01-02T03:04:05.600+03:00",
            "time": 12.5,
            "request": {
                "method": "POST",
                "url": "https://hooks.example/green-api?x=1#top",
                "headers": [{"name": ":authority", "value": "hooks.example"},
                            {"name": "content-type", "value": "application/json"}],
                "postData": {"mimeType": "application/json",
                             "text": include_str!("../../assets/samples/green-api-incoming-text.json")}
            },
            "response": {"status": 200, "headers": [], "content": {"size": 0, "text": ""}}
        });
        let c = from_entry(&e, &Config::default()).unwrap();
        assert_eq!(c.judgement.provider, Provider::GreenApi);
        assert_eq!(c.judgement.event, "incomingMessageReceived");
        assert_eq!(
            (c.request.path.as_str(), c.request.query.as_str()),
            ("/green-api", "x=1")
        );
        assert_eq!(c.request.headers.len(), 1);
        assert_eq!(c.elapsed_ms, Some(12.5));
        assert_eq!(c.request.received_at.unix_timestamp(), 1767312245);
    }

    #[test]
    fn a_broken_entry_is_named_by_number() {
        let doc = json!({"log": {"entries": [
            entry(&capture("GET", "/", &[], b"")),
            {"request": {"url": "http://x/"}},
        ]}})
        .to_string();
        let parsed = parse(&entries(&doc).unwrap(), &Config::default(), usize::MAX);
        assert!(parsed[0].1.is_ok());
        assert_eq!(parsed[1].0, "HAR entry 2 (log.entries[1])");
        assert_eq!(
            parsed[1].1.as_ref().unwrap_err(),
            "request.method is missing"
        );
        let too_long = parse(&entries(&doc).unwrap(), &Config::default(), 10);
        assert!(too_long[0]
            .1
            .as_ref()
            .unwrap_err()
            .contains("more than the body limit"));
        assert!(entries(r#"{"log": {}}"#).is_none());
        let err = not_har(&json!({"log": {}})).to_string();
        assert!(err.contains("log.entries is missing"), "{err}");
    }

    #[test]
    fn targets_come_out_of_urls() {
        assert_eq!(target("http://h/a/b?c=d#e"), ("/a/b".into(), "c=d".into()));
        assert_eq!(target("http://h"), ("/".into(), "".into()));
        assert_eq!(target("http://h?q"), ("/".into(), "q".into()));
        assert_eq!(target("/rel?x"), ("/rel".into(), "x".into()));
    }
}
