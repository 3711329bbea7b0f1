//! Reading fields out of imported JSON, with messages that say which field is wrong and why.

use base64::Engine as _;
use serde_json::{Map, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::capture::HeaderValue;

pub type Object = Map<String, Value>;

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

pub fn object<'a>(value: &'a Value, what: &str) -> Result<&'a Object, String> {
    value
        .as_object()
        .ok_or_else(|| format!("{what} should be an object, not {}", kind(value)))
}

/// A field that is absent or null reads as `None`.
fn present<'a>(obj: &'a Object, key: &str) -> Option<&'a Value> {
    obj.get(key).filter(|v| !v.is_null())
}

pub fn opt_object<'a>(obj: &'a Object, key: &str) -> Result<Option<&'a Object>, String> {
    present(obj, key).map(|v| object(v, key)).transpose()
}

pub fn opt_str<'a>(obj: &'a Object, key: &str) -> Result<Option<&'a str>, String> {
    present(obj, key)
        .map(|v| {
            v.as_str()
                .ok_or_else(|| format!("{key} should be text, not {}", kind(v)))
        })
        .transpose()
}

pub fn req_str<'a>(obj: &'a Object, key: &str) -> Result<&'a str, String> {
    opt_str(obj, key)?.ok_or_else(|| format!("{key} is missing"))
}

pub fn opt_u64(obj: &Object, key: &str) -> Result<Option<u64>, String> {
    present(obj, key)
        .map(|v| {
            v.as_u64()
                .ok_or_else(|| format!("{key} should be a whole number, not {v}"))
        })
        .transpose()
}

pub fn opt_f64(obj: &Object, key: &str) -> Result<Option<f64>, String> {
    present(obj, key)
        .map(|v| {
            v.as_f64()
                .ok_or_else(|| format!("{key} should be a number, not {}", kind(v)))
        })
        .transpose()
}

pub fn opt_bool(obj: &Object, key: &str) -> Result<Option<bool>, String> {
    present(obj, key)
        .map(|v| {
            v.as_bool()
                .ok_or_else(|| format!("{key} should be true or false, not {}", kind(v)))
        })
        .transpose()
}

pub fn opt_status(obj: &Object, key: &str) -> Result<Option<u16>, String> {
    opt_u64(obj, key)?
        .map(|n| u16::try_from(n).map_err(|_| format!("{key} {n} is not an HTTP status")))
        .transpose()
}

pub fn opt_time(obj: &Object, key: &str) -> Result<Option<OffsetDateTime>, String> {
    opt_str(obj, key)?
        .map(|text| {
            OffsetDateTime::parse(text, &Rfc3339)
                .map_err(|e| format!("{key} \"{text}\" is not an RFC 3339 time ({e})"))
        })
        .transpose()
}

pub fn opt_base64(obj: &Object, key: &str) -> Result<Option<Vec<u8>>, String> {
    opt_str(obj, key)?
        .map(|text| {
            base64::engine::general_purpose::STANDARD
                .decode(text.trim())
                .map_err(|e| format!("{key} is not valid base64 ({e})"))
        })
        .transpose()
}

/// Headers as `[[name, value], …]` (capture JSON) or `[{"name", "value"}, …]` (HAR).
pub fn opt_pairs(obj: &Object, key: &str) -> Result<Option<Vec<(String, String)>>, String> {
    opt_list(obj, key, |item| {
        let (name, value) = name_value(item)?;
        Some((name, value.as_str()?.to_string()))
    })
}

/// A request's headers, as [`opt_pairs`] reads them, and also with the exact bytes of a value
/// that is not UTF-8: `[name, shown, base64]` (capture JSON), `"_valueBase64"` (HAR).
pub fn opt_headers(obj: &Object, key: &str) -> Result<Option<Vec<(String, HeaderValue)>>, String> {
    opt_list(obj, key, name_value)
}

fn name_value(item: &Value) -> Option<(String, HeaderValue)> {
    match item {
        Value::Array(_) => HeaderValue::from_json(item),
        Value::Object(o) => {
            let name = o.get("name")?.as_str()?.to_string();
            if let Some(bytes) = o.get("_valueBase64").and_then(Value::as_str) {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(bytes)
                    .ok()?;
                return Some((name, HeaderValue::from_bytes(bytes)));
            }
            match o.get("value") {
                Some(Value::String(v)) => Some((name, HeaderValue::from(v.as_str()))),
                None | Some(Value::Null) => Some((name, HeaderValue::default())),
                _ => None,
            }
        }
        _ => None,
    }
}

fn opt_list<T>(
    obj: &Object,
    key: &str,
    read: impl Fn(&Value) -> Option<T>,
) -> Result<Option<Vec<T>>, String> {
    let Some(value) = present(obj, key) else {
        return Ok(None);
    };
    let items = value
        .as_array()
        .ok_or_else(|| format!("{key} should be a list, not {}", kind(value)))?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            read(item).ok_or_else(|| {
                format!(
                    "{key}[{i}] should be [name, value] or {{\"name\": …, \"value\": …}}, not {item}"
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// A `response` object's status (200 when absent) and headers, with errors naming
/// `response.<field>`; HAR and capture JSON share this part of the answer.
pub fn answer(response: &Object, body: Vec<u8>) -> Result<crate::capture::Answer, String> {
    let within = |e: String| format!("response.{e}");
    Ok(crate::capture::Answer {
        status: opt_status(response, "status")
            .map_err(within)?
            .unwrap_or(200),
        headers: opt_pairs(response, "headers")
            .map_err(within)?
            .unwrap_or_default(),
        body,
    })
}
