//! Mistakes in the settings that parse as TOML yet cannot be used: a rule whose filter, target,
//! share or headers are wrong, a deadline past a provider's. Each is refused with its line and
//! key, as a TOML mistake is, rather than skipped: a fault rule that silently does nothing
//! leaves a test testing nothing.
//!
//! Only enabled rules are checked: a rule switched off is a draft, and does nothing.

use super::{Config, ForwardRule, ResponseRule};
use crate::filter::Filter;

/// MoySklad gives up on a delivery that is not answered within 1.5 s (providers.md), so a
/// pass-through that waits longer answers nobody.
const MOYSKLAD_DEADLINE_MS: u64 = 1_500;

/// The first mistake of `config`, as "line N, key: what is wrong", `text` being the file it
/// was read from.
pub(super) fn first_mistake(config: &Config, text: &str) -> Option<String> {
    let mut found = Vec::new();
    for (n, rule) in config.respond.iter().enumerate().filter(|(_, r)| r.enabled) {
        found.extend(respond(rule).map(|(key, what)| (Place::Rule("respond", n, key), what)));
    }
    for (n, rule) in config.forward.iter().enumerate().filter(|(_, r)| r.enabled) {
        found.extend(forward(rule).map(|(key, what)| (Place::Rule("forward", n, key), what)));
    }
    if config.pass_through.moysklad_ms > MOYSKLAD_DEADLINE_MS {
        let what = format!(
            "MoySklad gives up on a delivery after {MOYSKLAD_DEADLINE_MS} ms, so a pass-through may wait at most that long (1200 leaves room for the tunnel)"
        );
        found.push((Place::Key("pass_through", "moysklad_ms"), what));
    }
    let (place, what) = found.into_iter().next()?;
    Some(place.describe(text, &what))
}

/// What is wrong with a response rule, by key.
fn respond(rule: &ResponseRule) -> Option<(&'static str, String)> {
    if let Err(e) = Filter::parse(&rule.filter) {
        return Some(("filter", e.to_string()));
    }
    if rule.percent > 100 {
        return Some((
            "percent",
            format!("{} is not a share; write 0 to 100", rule.percent),
        ));
    }
    if !(100..=599).contains(&rule.status) {
        return Some((
            "status",
            format!("{} is not an HTTP status; write 100 to 599", rule.status),
        ));
    }
    rule.headers
        .iter()
        .find_map(|(name, value)| header(name, value).map(|what| ("headers", what)))
}

/// What is wrong with a header a rule sends, if anything.
fn header(name: &str, value: &str) -> Option<String> {
    // RFC 9110's token characters.
    let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if name.is_empty() || !name.chars().all(token) {
        return Some(format!(
            "the header name {name:?} is not valid; use letters, digits and dashes (X-Reason)"
        ));
    }
    if value.contains(['\r', '\n', '\0']) {
        return Some(format!(
            "the value of the header {name} has a line break; a header value is one line"
        ));
    }
    None
}

/// What is wrong with a forward rule, by key.
fn forward(rule: &ForwardRule) -> Option<(&'static str, String)> {
    if super::http_url(&rule.target).is_none() {
        return Some((
            "target",
            format!(
                "{:?} is not an http(s) URL; write it like http://localhost:3000/hooks",
                rule.target
            ),
        ));
    }
    Filter::parse(&rule.filter)
        .err()
        .map(|e| ("filter", e.to_string()))
}

/// Where a mistake is: a key of the `n`th table of an array (`[[respond]]`), or of a table.
enum Place {
    Rule(&'static str, usize, &'static str),
    Key(&'static str, &'static str),
}

impl Place {
    /// "line N, key: what", the line found in `text`; the table's own line when the key is not
    /// written out, and the table's name when the table is not written as a section.
    fn describe(&self, text: &str, what: &str) -> String {
        let (table, nth, key) = match *self {
            Place::Rule(array, n, key) => (format!("[[{array}]]"), n, key),
            Place::Key(table, key) => (format!("[{table}]"), 0, key),
        };
        match section_line(text, &table, nth, key) {
            Some(line) => format!("line {line}, {key}: {what}"),
            None => format!("{table} number {}, {key}: {what}", nth + 1),
        }
    }
}

/// The line (from 1) of `key` in the `nth` section headed `header`, or of the header itself.
fn section_line(text: &str, header: &str, nth: usize, key: &str) -> Option<usize> {
    let mut seen = 0;
    let mut inside: Option<usize> = None;
    for (at, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.starts_with('[') {
            if inside.is_some() {
                break;
            }
            if line.split('#').next().map(str::trim) == Some(header) {
                if seen == nth {
                    inside = Some(at + 1);
                }
                seen += 1;
            }
            continue;
        }
        let written = line
            .split_once('=')
            .map(|(k, _)| k.trim().trim_matches('"'));
        if inside.is_some() && written == Some(key) {
            return Some(at + 1);
        }
    }
    inside
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use std::path::Path;

    fn refusal(text: &str) -> String {
        Config::parse(text, Path::new("config.toml"))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn rules_that_cannot_be_used_are_refused_with_their_line_and_key() {
        let first = "[[respond]]\ndo = \"fail\"\n\n";
        for (rule, line, key, says) in [
            (
                "filter = \"provder:x\"",
                6,
                "filter",
                "Unknown filter field",
            ),
            ("percent = 250", 6, "percent", "write 0 to 100"),
            ("status = 1000", 6, "status", "write 100 to 599"),
            ("headers = { \"X Bad\" = \"1\" }", 6, "headers", "not valid"),
            (
                "headers = { X-Ok = \"a\\r\\nb\" }",
                6,
                "headers",
                "line break",
            ),
        ] {
            let text = format!("{first}[[respond]]\ndo = \"answer\"\n{rule}\n");
            let said = refusal(&text);
            assert!(
                said.contains(&format!("line {line}, {key}: ")),
                "{rule}: {said}"
            );
            assert!(said.contains(says), "{rule}: {said}");
        }
        let said = refusal("[[forward]]\ntarget = \"localhost:3000\"\n");
        assert!(said.contains("line 2, target: "), "{said}");
        let said =
            refusal("[[forward]]\ntarget = \"http://localhost:3000\"\nfilter = \"provder:x\"\n");
        assert!(said.contains("line 3, filter: "), "{said}");
        let said = refusal("[pass_through]\nmoysklad_ms = 5000\n");
        assert!(
            said.contains("line 2, moysklad_ms: MoySklad gives up"),
            "{said}"
        );
    }

    #[test]
    fn a_rule_switched_off_is_a_draft_and_not_refused() {
        let text = "[[respond]]\nenabled = false\npercent = 250\n";
        assert!(Config::parse(text, Path::new("config.toml")).is_ok());
    }

    #[test]
    fn a_mistake_in_a_key_left_out_names_the_rule() {
        let said = refusal("[[forward]]\nfilter = \"provider:moysklad\"\n");
        assert!(said.contains("line 1, target: "), "{said}");
        let said = refusal("forward = [{ target = \"nowhere\" }]\n");
        assert!(said.contains("[[forward]] number 1, target: "), "{said}");
    }
}
