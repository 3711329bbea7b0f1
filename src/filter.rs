//! The filter language shared by the CLI, the app and forward rules: a parser, its syntax
//! tree, and [`Filter::matches`] for one capture in memory. The store turns a [`Filter`] into
//! SQL (`store::query`); `tests/filter.rs` holds the two to the same answers.
//!
//! `provider:green-api status:>=400 -repeat:yes "заказ готов"` — terms AND together, a leading
//! `-` negates, free words match path, query, headers, summary, body text and notes anywhere.

use time::format_description::well_known::Rfc3339;
use time::{Date, Duration, OffsetDateTime};

use crate::capture::{Capture, Provider, Verdict};

/// A mistake in a filter; `Display` says it in English, the app says it in the user's language.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error("A quote in the filter is not closed: add the closing \".")]
    UnclosedQuote,
    #[error("header. needs a header name, for example header.user-agent:MoySklad.")]
    NoHeaderName,
    #[error("{field}: needs a value, for example {example}.")]
    NoValue {
        field: String,
        example: &'static str,
    },
    #[error("Unknown filter field \"{field}:\".{} Use one of {FIELDS}, or put the word in quotes to search for it as text.", .closest.map(|c| format!(" Did you mean \"{c}:\"?")).unwrap_or_default())]
    UnknownField {
        field: String,
        /// The field it most likely meant, when one is a slip away.
        closest: Option<&'static str>,
    },
    #[error("There is no provider \"{value}\"; use reestr, green-api, moysklad or generic.")]
    UnknownProvider { value: String },
    #[error("status:{value} is not a status; write status:200, status:>=400, status:<300 or status:4xx.")]
    NotAStatus { value: String },
    #[error("{field}: takes yes or no, not \"{value}\".")]
    NotYesOrNo { field: String, value: String },
    #[error("{field}:{value} is not a time; write a time like 2026-11-20T10:00:00Z, a date like 2026-11-20, or an age like 30s, 10m, 2h, 1d.")]
    NotATime { field: String, value: String },
}

/// The fields a filter knows, for error messages and help.
pub const FIELDS: &str = "provider:, event:, method:, path:, status:, header.NAME:, repeat:, rejected:, pinned:, note:, after:, before:";

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Filter {
    pub terms: Vec<Term>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    pub negated: bool,
    pub test: Test,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    Equal,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    /// A free word or "quoted phrase", matched case-insensitively in any script.
    Text(String),
    Provider(Provider),
    /// One of the comma-separated events, ignoring case; `event:update` matches `update:7`.
    Event(String),
    Method(String),
    PathPrefix(String),
    Status(Comparison, u16),
    /// `4xx`: 4.
    StatusClass(u16),
    /// A header by name (any case), holding `value` when there is one.
    Header {
        name: String,
        value: Option<String>,
    },
    Repeat(bool),
    Verdict(Verdict),
    Pinned(bool),
    /// A note containing the text (any case); `None`: any note.
    Note(Option<String>),
    After(OffsetDateTime),
    Before(OffsetDateTime),
}

impl Filter {
    /// Whether the filter asks for this provider's captures (under any spelling it accepts).
    pub fn names_provider(&self, provider: Provider) -> bool {
        self.terms
            .iter()
            .any(|t| !t.negated && t.test == Test::Provider(provider))
    }

    pub fn parse(query: &str) -> Result<Filter, FilterError> {
        Filter::parse_at(query, OffsetDateTime::now_utc())
    }

    /// Parses with `now` as the reference for ages such as `after:10m`.
    pub fn parse_at(query: &str, now: OffsetDateTime) -> Result<Filter, FilterError> {
        let terms = words(query)?
            .into_iter()
            .map(|token| {
                Ok(Term {
                    negated: token.negated,
                    test: match token.field {
                        None => Test::Text(token.value),
                        Some(field) => field_test(&field, token.value, now)?,
                    },
                })
            })
            .collect::<Result<_, FilterError>>()?;
        Ok(Filter { terms })
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Whether `capture` passes, as the store's query would answer for it.
    pub fn matches(&self, capture: &Capture) -> bool {
        let mut searchable = None;
        self.terms.iter().all(|term| {
            let passed = match &term.test {
                Test::Text(word) => {
                    let word = word.to_lowercase();
                    let text = searchable.get_or_insert_with(|| searchable_text(capture));
                    text.contains(&word) || capture.note.to_lowercase().contains(&word)
                }
                test => test.passes(capture),
            };
            passed != term.negated
        })
    }
}

impl Test {
    /// Every test but free text, which [`Filter::matches`] folds once for all its words.
    fn passes(&self, c: &Capture) -> bool {
        let (r, j) = (&c.request, &c.judgement);
        let status = j.answer.status;
        match self {
            Test::Text(_) => unreachable!("free words are matched by Filter::matches"),
            Test::Provider(p) => j.provider == *p,
            Test::Event(event) => {
                let event = event.to_lowercase();
                j.event.to_lowercase().split(',').any(|e| {
                    e == event
                        || e.strip_prefix(event.as_str())
                            .is_some_and(|rest| rest.starts_with(':'))
                })
            }
            Test::Method(m) => r.method.eq_ignore_ascii_case(m),
            Test::PathPrefix(prefix) => r.path.starts_with(prefix.as_str()),
            Test::Status(comparison, code) => match comparison {
                Comparison::Equal => status == *code,
                Comparison::Less => status < *code,
                Comparison::LessOrEqual => status <= *code,
                Comparison::Greater => status > *code,
                Comparison::GreaterOrEqual => status >= *code,
            },
            Test::StatusClass(class) => status / 100 == *class,
            Test::Header { name, value } => r.headers.iter().any(|(n, v)| {
                n.eq_ignore_ascii_case(name)
                    && value
                        .as_ref()
                        .is_none_or(|value| v.text().contains(value.as_str()))
            }),
            Test::Repeat(yes) => c.repeat_of.is_some() == *yes,
            Test::Verdict(verdict) => j.verdict == *verdict,
            Test::Pinned(yes) => c.pinned == *yes,
            Test::Note(None) => !c.note.is_empty(),
            Test::Note(Some(part)) => c.note.to_lowercase().contains(&part.to_lowercase()),
            Test::After(at) => r.received_at >= *at,
            Test::Before(at) => r.received_at < *at,
        }
    }
}

/// What free words search, folded: the same text as the store's `SEARCHABLE_TEXT`.
fn searchable_text(c: &Capture) -> String {
    let r = &c.request;
    let headers: Vec<String> = r
        .headers
        .iter()
        .map(|(name, value)| format!("{name}: {}", value.text()))
        .collect();
    let body = &r.body[..r.body.len().min(65536)];
    format!(
        "{}\n{}\n{}\n{}\n{}",
        r.path,
        r.query,
        c.judgement.summary,
        headers.join("\n"),
        String::from_utf8_lossy(body)
    )
    .to_lowercase()
}

struct Word {
    negated: bool,
    field: Option<String>,
    value: String,
}

/// Splits on white space, keeping "quoted phrases" whole; `field:` is recognised only before
/// any quote, so `"http://x"` searches for the text.
fn words(query: &str) -> Result<Vec<Word>, FilterError> {
    let mut out = Vec::new();
    let mut chars = query.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let Some(&first) = chars.peek() else {
            return Ok(out);
        };
        let negated = first == '-';
        if negated {
            chars.next();
        }
        let (mut field, mut value, mut quoted) = (None, String::new(), false);
        while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
            match c {
                '"' => {
                    quoted = true;
                    loop {
                        match chars.next() {
                            Some('"') => break,
                            Some(c) => value.push(c),
                            None => return Err(FilterError::UnclosedQuote),
                        }
                    }
                }
                ':' if field.is_none() && !quoted && is_field_name(&value) => {
                    field = Some(std::mem::take(&mut value));
                }
                c => value.push(c),
            }
        }
        if value.is_empty() && field.is_none() && !quoted {
            // A lone "-" is no term at all.
            continue;
        }
        out.push(Word {
            negated,
            field,
            value,
        });
    }
}

fn is_field_name(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_alphabetic())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

fn field_test(field: &str, value: String, now: OffsetDateTime) -> Result<Test, FilterError> {
    let lower = field.to_ascii_lowercase();
    if let Some(name) = lower.strip_prefix("header.") {
        if name.is_empty() {
            return Err(FilterError::NoHeaderName);
        }
        return Ok(Test::Header {
            name: name.into(),
            value: Some(value).filter(|v| !v.is_empty() && v != "*"),
        });
    }
    if value.is_empty() {
        if let Some(example) = example(&lower) {
            return Err(FilterError::NoValue {
                field: field.into(),
                example,
            });
        }
    }
    match lower.as_str() {
        "provider" => provider(&value).map(Test::Provider),
        "event" => Ok(Test::Event(value)),
        "method" => Ok(Test::Method(value)),
        "path" => Ok(Test::PathPrefix(value)),
        "status" => status(&value),
        "repeat" => yes_no(field, &value).map(Test::Repeat),
        "rejected" => yes_no(field, &value).map(|rejected| {
            Test::Verdict(if rejected {
                Verdict::Rejected
            } else {
                Verdict::Ok
            })
        }),
        "pinned" => yes_no(field, &value).map(Test::Pinned),
        "note" => Ok(Test::Note(Some(value).filter(|v| v != "*"))),
        "after" => time_value(field, &value, now).map(Test::After),
        "before" => time_value(field, &value, now).map(Test::Before),
        _ => Err(FilterError::UnknownField {
            field: field.into(),
            closest: closest_field(&lower),
        }),
    }
}

/// The field names a value can follow.
const FIELD_NAMES: [&str; 11] = [
    "provider", "event", "method", "path", "status", "repeat", "rejected", "pinned", "note",
    "after", "before",
];

/// The field `typed` most likely meant: at most two letters away (added, dropped or changed).
fn closest_field(typed: &str) -> Option<&'static str> {
    FIELD_NAMES
        .into_iter()
        .map(|name| (edits(typed, name), name))
        .filter(|(distance, _)| *distance <= 2)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, name)| name)
}

/// Levenshtein distance, over characters.
fn edits(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

fn example(field: &str) -> Option<&'static str> {
    Some(match field {
        "provider" => "provider:reestr",
        "event" => "event:incomingMessageReceived",
        "method" => "method:POST",
        "path" => "path:/moysklad",
        "status" => "status:>=400",
        "repeat" => "repeat:yes",
        "rejected" => "rejected:yes",
        "pinned" => "pinned:yes",
        "note" => "note:* or note:bug",
        "after" => "after:10m",
        "before" => "before:2026-11-20",
        _ => return None,
    })
}

fn provider(value: &str) -> Result<Provider, FilterError> {
    let squash = |s: &str| s.to_ascii_lowercase().replace(['-', '_'], "");
    Provider::ALL
        .into_iter()
        .find(|p| squash(p.name()) == squash(value))
        .ok_or_else(|| FilterError::UnknownProvider {
            value: value.into(),
        })
}

fn status(value: &str) -> Result<Test, FilterError> {
    let bad = || FilterError::NotAStatus {
        value: value.into(),
    };
    let lower = value.to_ascii_lowercase();
    if let Some(class) = lower.strip_suffix("xx") {
        return match class.parse::<u16>() {
            Ok(c @ 1..=5) => Ok(Test::StatusClass(c)),
            _ => Err(bad()),
        };
    }
    let (comparison, number) = [
        (">=", Comparison::GreaterOrEqual),
        ("<=", Comparison::LessOrEqual),
        (">", Comparison::Greater),
        ("<", Comparison::Less),
        ("=", Comparison::Equal),
    ]
    .into_iter()
    .find_map(|(op, comparison)| value.strip_prefix(op).map(|rest| (comparison, rest)))
    .unwrap_or((Comparison::Equal, value));
    let code = number.parse::<u16>().map_err(|_| bad())?;
    Ok(Test::Status(comparison, code))
}

fn yes_no(field: &str, value: &str) -> Result<bool, FilterError> {
    match value.to_ascii_lowercase().as_str() {
        "yes" | "true" | "1" => Ok(true),
        "no" | "false" | "0" => Ok(false),
        _ => Err(FilterError::NotYesOrNo {
            field: field.into(),
            value: value.into(),
        }),
    }
}

fn time_value(
    field: &str,
    value: &str,
    now: OffsetDateTime,
) -> Result<OffsetDateTime, FilterError> {
    let age = value
        .char_indices()
        .last()
        .and_then(|(i, unit)| Some((value[..i].parse::<i64>().ok()?, unit)))
        .and_then(|(n, unit)| match unit {
            's' => Some(Duration::seconds(n)),
            'm' => Some(Duration::minutes(n)),
            'h' => Some(Duration::hours(n)),
            'd' => Some(Duration::days(n)),
            'w' => Some(Duration::weeks(n)),
            _ => None,
        });
    if let Some(age) = age {
        return Ok(now - age);
    }
    if let Ok(at) = OffsetDateTime::parse(value, &Rfc3339) {
        return Ok(at);
    }
    let date_format = time::macros::format_description!("[year]-[month]-[day]");
    if let Ok(date) = Date::parse(value, &date_format) {
        return Ok(date.midnight().assume_utc());
    }
    Err(FilterError::NotATime {
        field: field.into(),
        value: value.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn tests(query: &str) -> Vec<(bool, Test)> {
        Filter::parse_at(query, datetime!(2026-11-25 12:00 UTC))
            .unwrap()
            .terms
            .into_iter()
            .map(|t| (t.negated, t.test))
            .collect()
    }

    fn error(query: &str) -> String {
        Filter::parse(query).unwrap_err().to_string()
    }

    #[test]
    fn terms_and_together_and_minus_negates() {
        assert_eq!(
            tests("provider:reestr -repeat:yes"),
            vec![
                (false, Test::Provider(Provider::Reestr)),
                (true, Test::Repeat(true))
            ]
        );
    }

    #[test]
    fn quotes_keep_phrases_and_colons_as_text() {
        assert_eq!(
            tests("\"http://x y\" \"заказ\" -"),
            vec![
                (false, Test::Text("http://x y".into())),
                (false, Test::Text("заказ".into()))
            ]
        );
    }

    #[test]
    fn status_forms() {
        assert_eq!(
            tests("status:>=400 status:<300 status:204 status:4xx"),
            vec![
                (false, Test::Status(Comparison::GreaterOrEqual, 400)),
                (false, Test::Status(Comparison::Less, 300)),
                (false, Test::Status(Comparison::Equal, 204)),
                (false, Test::StatusClass(4)),
            ]
        );
        assert!(error("status:abc").contains("status:>=400"));
        assert!(error("status:9xx").contains("status:4xx"));
    }

    #[test]
    fn ages_and_times() {
        let at = |q: &str| match tests(q).remove(0).1 {
            Test::After(at) | Test::Before(at) => at,
            other => panic!("{other:?}"),
        };
        assert_eq!(at("after:10m"), datetime!(2026-11-25 11:50 UTC));
        assert_eq!(at("before:1d"), datetime!(2026-11-24 12:00 UTC));
        assert_eq!(
            at("after:2026-11-20T10:00:00Z"),
            datetime!(2026-11-20 10:00 UTC)
        );
        assert_eq!(at("after:2026-11-20"), datetime!(2026-11-20 0:00 UTC));
        assert!(error("after:yesterday").contains("10m"));
    }

    #[test]
    fn pins_notes_and_verdicts() {
        assert_eq!(
            tests("pinned:yes note:* -note:баг rejected:no"),
            vec![
                (false, Test::Pinned(true)),
                (false, Test::Note(None)),
                (true, Test::Note(Some("баг".into()))),
                (false, Test::Verdict(Verdict::Ok)),
            ]
        );
        assert!(error("pinned:sometimes").contains("yes or no"));
        assert!(error("note:").contains("note:*"));
    }

    #[test]
    fn mistakes_name_the_field() {
        let e = error("provder:reestr");
        assert!(e.contains("\"provder:\""), "{e}");
        assert!(e.contains("provider:"), "{e}");
        assert!(error("provider:stripe").contains("green-api"));
        assert!(error("provder:x").contains("Did you mean \"provider:\"?"));
        assert!(!error("colour:red").contains("Did you mean"));
        assert!(error("repeat:maybe").contains("yes or no"));
        assert_eq!(
            Filter::parse("\"open").unwrap_err(),
            FilterError::UnclosedQuote
        );
        assert!(error("event:").contains("event:"));
        assert_eq!(
            Filter::parse("header.:x").unwrap_err(),
            FilterError::NoHeaderName
        );
    }

    #[test]
    fn providers_are_matched_loosely() {
        assert_eq!(
            tests("provider:GreenAPI"),
            vec![(false, Test::Provider(Provider::GreenApi))]
        );
    }

    #[test]
    fn headers_by_name_value_or_presence() {
        assert_eq!(
            tests("header.User-Agent:MoySklad header.authorization:*"),
            vec![
                (
                    false,
                    Test::Header {
                        name: "user-agent".into(),
                        value: Some("MoySklad".into())
                    }
                ),
                (
                    false,
                    Test::Header {
                        name: "authorization".into(),
                        value: None
                    }
                ),
            ]
        );
    }
}
