//! A captured body decoded once for the detail pane's views: JSON (or why it is not),
//! form fields, pretty XML, text.

use serde_json::{Map, Value};

use crate::capture::Capture;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyMode {
    Tree,
    Pretty,
    Form,
    Raw,
    Hex,
}

pub struct Decoded {
    pub id: i64,
    pub json: Option<Value>,
    /// Why a body that claims to be JSON (by its type or its first byte) does not parse.
    pub json_error: Option<JsonError>,
    /// Pretty JSON or XML.
    pub pretty: Option<String>,
    pub form: Option<Vec<(String, String)>>,
    pub text: Option<String>,
    /// The last search of the JSON tree and what it found, kept while the text stays.
    pub searched: Option<(String, Option<Match>)>,
}

#[derive(Debug, PartialEq, Eq)]
pub struct JsonError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl Decoded {
    pub fn of(capture: &Capture) -> Decoded {
        let body = &capture.request.body;
        let content_type = capture
            .request
            .header("content-type")
            .unwrap_or_default()
            .to_ascii_lowercase();
        let text = std::str::from_utf8(body).ok().map(str::to_owned);
        let start = text.as_deref().map(str::trim_start).unwrap_or_default();
        let (json, json_error) = match serde_json::from_slice::<Value>(body) {
            Ok(json) => (Some(json), None),
            Err(e) if content_type.contains("json") || start.starts_with(['{', '[']) => (
                None,
                Some(JsonError {
                    line: e.line(),
                    column: e.column(),
                    message: e.to_string(),
                }),
            ),
            Err(_) => (None, None),
        };
        let is_xml = content_type.contains("xml") || start.starts_with('<');
        let pretty = match (&json, &text) {
            (Some(json), _) => serde_json::to_string_pretty(json).ok(),
            (None, Some(text)) if is_xml => Some(pretty_xml(text)),
            _ => None,
        };
        let form = text
            .as_deref()
            .filter(|_| content_type.starts_with("application/x-www-form-urlencoded"))
            .map(form_fields);
        Decoded {
            id: capture.id,
            json,
            json_error,
            pretty,
            form,
            text,
            searched: None,
        }
    }

    pub fn best_mode(&self) -> BodyMode {
        if self.json.is_some() {
            BodyMode::Tree
        } else if self.form.is_some() {
            BodyMode::Form
        } else if self.pretty.is_some() {
            BodyMode::Pretty
        } else if self.text.is_some() {
            BodyMode::Raw
        } else {
            BodyMode::Hex
        }
    }
}

/// `a=1&b=%D0%B4%D0%B0` as decoded names and values, in order.
pub fn form_fields(text: &str) -> Vec<(String, String)> {
    reqwest::Url::parse(&format!("http://form/?{text}"))
        .map(|url| {
            url.query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default()
}

/// XML indented two spaces per level; an element holding only text stays on one line, and
/// text is kept as it came (no entity decoding). Malformed XML is indented as well as it can be.
pub fn pretty_xml(text: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    let mut rest = text.trim();
    while !rest.is_empty() {
        let end = if rest.starts_with('<') {
            let close = if rest.starts_with("<!--") {
                rest.find("-->").map(|i| i + 3)
            } else if rest.starts_with("<![CDATA[") {
                rest.find("]]>").map(|i| i + 3)
            } else {
                rest.find('>').map(|i| i + 1)
            };
            close.unwrap_or(rest.len())
        } else {
            rest.find('<').unwrap_or(rest.len())
        };
        let piece = rest[..end].trim();
        rest = &rest[end..];
        if piece.is_empty() {
            continue;
        }
        let closing = piece.starts_with("</");
        let opening = piece.starts_with('<')
            && !closing
            && !piece.starts_with("<?")
            && !piece.starts_with("<!")
            && !piece.ends_with("/>");
        if closing {
            depth = depth.saturating_sub(1);
        }
        // <a>text</a> on one line.
        if !piece.starts_with('<') && out.ends_with('>') && rest.trim_start().starts_with("</") {
            out.push_str(piece);
            let close_end = rest.find('>').map_or(rest.len(), |i| i + 1);
            out.push_str(rest[..close_end].trim());
            rest = &rest[close_end..];
            depth = depth.saturating_sub(1);
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&"  ".repeat(depth));
        out.push_str(piece);
        if opening {
            depth += 1;
        }
    }
    out
}

/// What a search of a JSON body found.
#[derive(Debug, PartialEq)]
pub struct Match {
    /// The parts whose keys or values match, with the way to them. Arrays stay arrays: an
    /// item that does not match shows as `…` up to the last that does, so indexes stay true.
    pub parts: Value,
    /// How many keys and values match, those inside a matching key's value included.
    pub count: usize,
}

/// Searches keys and values for `needle` in any case and script, in one pass; `None`: no
/// match.
pub fn search(json: &Value, needle: &str) -> Option<Match> {
    let (parts, count) = prune(json, &needle.to_lowercase());
    parts.map(|parts| Match { parts, count })
}

/// The matching parts of `value`, and how many keys and values in it match.
fn prune(value: &Value, needle: &str) -> (Option<Value>, usize) {
    let contains = |text: &str| text.to_lowercase().contains(needle);
    match value {
        Value::Object(map) => {
            let mut count = 0;
            let kept: Map<String, Value> = map
                .iter()
                .filter_map(|(key, value)| {
                    let key_matches = contains(key);
                    let (inner, matches) = prune(value, needle);
                    count += matches + usize::from(key_matches);
                    // Under a matching key the whole value shows.
                    let shown = if key_matches {
                        Some(value.clone())
                    } else {
                        inner
                    };
                    shown.map(|v| (key.clone(), v))
                })
                .collect();
            ((!kept.is_empty()).then_some(Value::Object(kept)), count)
        }
        Value::Array(items) => {
            let mut count = 0;
            let mut kept: Vec<Option<Value>> = items
                .iter()
                .map(|item| {
                    let (inner, matches) = prune(item, needle);
                    count += matches;
                    inner
                })
                .collect();
            while kept.last().is_some_and(Option::is_none) {
                kept.pop();
            }
            let skipped = || Value::String("…".into());
            let kept: Vec<Value> = kept
                .into_iter()
                .map(|item| item.unwrap_or_else(skipped))
                .collect();
            ((!kept.is_empty()).then_some(Value::Array(kept)), count)
        }
        Value::String(text) => {
            let found = contains(text);
            (found.then(|| value.clone()), usize::from(found))
        }
        other => {
            let found = contains(&other.to_string());
            (found.then(|| other.clone()), usize::from(found))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn xml_is_indented_with_text_elements_on_one_line() {
        let xml = "<?xml version=\"1.0\"?><order id=\"7\"><item>Чай</item><empty/><!-- note --><total>10</total></order>";
        assert_eq!(
            pretty_xml(xml),
            "<?xml version=\"1.0\"?>\n<order id=\"7\">\n  <item>Чай</item>\n  <empty/>\n  <!-- note -->\n  <total>10</total>\n</order>"
        );
        // Unclosed or stray pieces neither panic nor vanish.
        assert_eq!(pretty_xml("<a><b>x"), "<a>\n  <b>\n    x");
        assert_eq!(pretty_xml("</a></b>"), "</a>\n</b>");
    }

    #[test]
    fn form_fields_are_decoded_in_order() {
        assert_eq!(
            form_fields("b=2&a=%D0%B4%D0%B0+%D0%BD%D0%B5%D1%82&empty="),
            [
                ("b".into(), "2".into()),
                ("a".into(), "да нет".into()),
                ("empty".into(), String::new())
            ]
        );
    }

    #[test]
    fn json_search_ignores_case_in_any_script() {
        let body = json!({
            "messageData": {"textMessageData": {"textMessage": "Заказ ГОТОВ"}},
            "senderData": {"chatName": "Иван"},
            "items": [1, {"name": "готовый"}]
        });
        let parts = |needle| search(&body, needle).map(|found| found.parts);
        assert_eq!(
            parts("готов"),
            Some(json!({
                "messageData": {"textMessageData": {"textMessage": "Заказ ГОТОВ"}},
                "items": ["…", {"name": "готовый"}]
            }))
        );
        assert_eq!(search(&body, "ГОТОВ").unwrap().count, 2);
        assert_eq!(
            parts("chatname"),
            Some(json!({"senderData": {"chatName": "Иван"}}))
        );
        assert_eq!(parts("nothing"), None);
    }
}
