//! The filter language shared by the CLI and the app.
//!
//! `provider:green-api status:>=400 -repeat:yes "заказ готов"` — terms AND together, a leading
//! `-` negates, free words match path, query, headers, summary and body text anywhere.

use rusqlite::types::Value as SqlValue;
use time::format_description::well_known::Rfc3339;
use time::{Date, Duration, OffsetDateTime};

use crate::capture::Provider;
use crate::store::search::{INDEXED_UPTO, SEARCHABLE_TEXT};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct FilterError(String);

const FIELDS: &str =
    "provider:, event:, method:, path:, status:, header.NAME:, repeat:, rejected:, after:, before:";

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Filter {
    terms: Vec<Term>,
}

#[derive(Debug, Clone, PartialEq)]
struct Term {
    negated: bool,
    test: Test,
}

#[derive(Debug, Clone, PartialEq)]
enum Test {
    Text(String),
    Provider(Provider),
    Event(String),
    Method(String),
    PathPrefix(String),
    Status { op: &'static str, code: u16 },
    StatusClass(u16),
    Header { name: String, value: Option<String> },
    Repeat(bool),
    Rejected(bool),
    After(OffsetDateTime),
    Before(OffsetDateTime),
}

impl Filter {
    pub fn parse(query: &str) -> Result<Filter, FilterError> {
        Filter::parse_at(query, OffsetDateTime::now_utc())
    }

    /// Parses with `now` as the reference for ages such as `after:10m`.
    pub fn parse_at(query: &str, now: OffsetDateTime) -> Result<Filter, FilterError> {
        let terms = tokens(query)?
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

    /// A condition on the `captures` table aliased `c`, with its parameters in order.
    pub fn to_sql(&self) -> (String, Vec<SqlValue>) {
        if self.terms.is_empty() {
            return ("1".into(), Vec::new());
        }
        let mut params = Vec::new();
        let parts: Vec<String> = self
            .terms
            .iter()
            .map(|term| {
                let sql = term.test.to_sql(&mut params);
                if term.negated {
                    format!("NOT ({sql})")
                } else {
                    format!("({sql})")
                }
            })
            .collect();
        (parts.join(" AND "), params)
    }
}

impl Test {
    fn to_sql(&self, params: &mut Vec<SqlValue>) -> String {
        let mut bind = |v: SqlValue| params.push(v);
        match self {
            Test::Text(word) => {
                // Indexed rows through the trigram index, the few not indexed yet by a scan of
                // the newest rows. One `IN` list lets SQLite start from the hits instead of
                // scanning every capture. The index needs 3+ characters; shorter words scan.
                let folded = SqlValue::Text(word.to_lowercase());
                if word.chars().count() < 3 {
                    bind(folded);
                    return format!("instr(fold({SEARCHABLE_TEXT}), ?) > 0");
                }
                bind(SqlValue::Text(format!("\"{}\"", word.replace('"', "\"\""))));
                bind(folded);
                format!(
                    "c.id IN (SELECT rowid FROM search.captures_text WHERE captures_text MATCH ? \
                     UNION ALL SELECT c.id FROM captures c WHERE c.id > {INDEXED_UPTO} \
                     AND instr(fold({SEARCHABLE_TEXT}), ?) > 0)"
                )
            }
            Test::Provider(p) => {
                bind(SqlValue::Text(p.name().into()));
                "c.provider = ?".into()
            }
            Test::Event(event) => {
                let e = like_escape(&event.to_lowercase());
                bind(SqlValue::Text(format!("%,{e},%")));
                bind(SqlValue::Text(format!("%,{e}:%")));
                r"',' || lower(c.event) || ',' LIKE ? ESCAPE '\' OR ',' || lower(c.event) LIKE ? ESCAPE '\'"
                    .into()
            }
            Test::Method(m) => {
                bind(SqlValue::Text(m.to_uppercase()));
                "upper(c.method) = ?".into()
            }
            Test::PathPrefix(prefix) => {
                bind(SqlValue::Integer(prefix.len() as i64));
                bind(SqlValue::Text(prefix.clone()));
                "substr(c.path, 1, ?) = ?".into()
            }
            Test::Status { op, code } => {
                bind(SqlValue::Integer(i64::from(*code)));
                format!("c.response_status {op} ?")
            }
            Test::StatusClass(class) => {
                bind(SqlValue::Integer(i64::from(*class) * 100));
                bind(SqlValue::Integer(i64::from(*class) * 100 + 99));
                "c.response_status BETWEEN ? AND ?".into()
            }
            Test::Header { name, value } => {
                bind(SqlValue::Text(name.to_lowercase()));
                let value_test = match value {
                    Some(v) => {
                        bind(SqlValue::Text(format!("%{}%", like_escape(v))));
                        r" AND (h.value ->> 1) LIKE ? ESCAPE '\'"
                    }
                    None => "",
                };
                format!("EXISTS (SELECT 1 FROM json_each(c.headers) h WHERE lower(h.value ->> 0) = ?{value_test})")
            }
            Test::Repeat(yes) => format!("c.repeat_of IS {}NULL", if *yes { "NOT " } else { "" }),
            Test::Rejected(yes) => {
                format!("c.verdict {} 'rejected'", if *yes { "=" } else { "<>" })
            }
            Test::After(at) => {
                bind(SqlValue::Integer(micros(*at)));
                "c.received_at >= ?".into()
            }
            Test::Before(at) => {
                bind(SqlValue::Integer(micros(*at)));
                "c.received_at < ?".into()
            }
        }
    }
}

fn micros(at: OffsetDateTime) -> i64 {
    (at.unix_timestamp_nanos() / 1000) as i64
}

fn like_escape(text: &str) -> String {
    text.replace('\\', r"\\")
        .replace('%', r"\%")
        .replace('_', r"\_")
}

struct Token {
    negated: bool,
    field: Option<String>,
    value: String,
}

/// Splits on white space, keeping "quoted phrases" whole; `field:` is recognised only before
/// any quote, so `"http://x"` searches for the text.
fn tokens(query: &str) -> Result<Vec<Token>, FilterError> {
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
                            None => {
                                return Err(FilterError(
                                    "A quote in the filter is not closed: add the closing \"."
                                        .into(),
                                ))
                            }
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
        out.push(Token {
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
            return Err(FilterError(
                "header. needs a header name, for example header.user-agent:MoySklad.".into(),
            ));
        }
        return Ok(Test::Header {
            name: name.into(),
            value: Some(value).filter(|v| !v.is_empty() && v != "*"),
        });
    }
    if value.is_empty() {
        if let Some(example) = example(&lower) {
            return Err(FilterError(format!(
                "{field}: needs a value, for example {example}."
            )));
        }
    }
    match lower.as_str() {
        "provider" => provider(&value).map(Test::Provider),
        "event" => Ok(Test::Event(value)),
        "method" => Ok(Test::Method(value)),
        "path" => Ok(Test::PathPrefix(value)),
        "status" => status(&value),
        "repeat" => yes_no(field, &value).map(Test::Repeat),
        "rejected" => yes_no(field, &value).map(Test::Rejected),
        "after" => time_value(field, &value, now).map(Test::After),
        "before" => time_value(field, &value, now).map(Test::Before),
        _ => Err(FilterError(format!(
            "Unknown filter field \"{field}:\". Use one of {FIELDS}, or put the word in quotes to search for it as text."
        ))),
    }
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
        .ok_or_else(|| {
            FilterError(format!(
                "There is no provider \"{value}\"; use reestr, green-api, moysklad or generic."
            ))
        })
}

fn status(value: &str) -> Result<Test, FilterError> {
    let bad = || {
        FilterError(format!(
            "status:{value} is not a status; write status:200, status:>=400, status:<300 or status:4xx."
        ))
    };
    let lower = value.to_ascii_lowercase();
    if let Some(class) = lower.strip_suffix("xx") {
        return match class.parse::<u16>() {
            Ok(c @ 1..=5) => Ok(Test::StatusClass(c)),
            _ => Err(bad()),
        };
    }
    let (op, number) = [">=", "<=", ">", "<", "="]
        .into_iter()
        .find_map(|op| value.strip_prefix(op).map(|rest| (op, rest)))
        .unwrap_or(("=", value));
    let code = number.parse::<u16>().map_err(|_| bad())?;
    Ok(Test::Status { op, code })
}

fn yes_no(field: &str, value: &str) -> Result<bool, FilterError> {
    match value.to_ascii_lowercase().as_str() {
        "yes" | "true" | "1" => Ok(true),
        "no" | "false" | "0" => Ok(false),
        _ => Err(FilterError(format!(
            "{field}: takes yes or no, not \"{value}\"."
        ))),
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
    Err(FilterError(format!(
        "{field}:{value} is not a time; write a time like 2026-11-20T10:00:00Z, a date like 2026-11-20, or an age like 30s, 10m, 2h, 1d."
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn sql(query: &str) -> (String, Vec<SqlValue>) {
        Filter::parse_at(query, datetime!(2026-11-25 12:00 UTC))
            .unwrap()
            .to_sql()
    }

    fn error(query: &str) -> String {
        Filter::parse(query).unwrap_err().to_string()
    }

    #[test]
    fn terms_and_together_and_minus_negates() {
        let (sql, params) = sql("provider:reestr -repeat:yes");
        assert_eq!(sql, "(c.provider = ?) AND NOT (c.repeat_of IS NOT NULL)");
        assert_eq!(params, vec![SqlValue::Text("reestr".into())]);
    }

    #[test]
    fn quotes_keep_phrases_and_colons_as_text() {
        let (_, params) = sql("\"http://x y\" \"заказ\"");
        let text = |s: &str| SqlValue::Text(s.into());
        // Each word: the index query, then the scan of rows not indexed yet.
        assert_eq!(
            params,
            vec![
                text("\"http://x y\""),
                text("http://x y"),
                text("\"заказ\""),
                text("заказ")
            ]
        );
    }

    #[test]
    fn short_words_fall_back_to_a_substring_scan() {
        let (sql, params) = sql("OK");
        assert!(
            sql.contains("instr(fold(") && !sql.contains("MATCH"),
            "{sql}"
        );
        assert_eq!(params, vec![SqlValue::Text("ok".into())]);
    }

    #[test]
    fn status_forms() {
        assert_eq!(sql("status:>=400").1, vec![SqlValue::Integer(400)]);
        assert!(sql("status:<300").0.contains("< ?"));
        assert_eq!(
            sql("status:4xx").1,
            vec![SqlValue::Integer(400), SqlValue::Integer(499)]
        );
        assert!(error("status:abc").contains("status:>=400"));
    }

    #[test]
    fn ages_and_times() {
        let at = |q: &str| sql(q).1[0].clone();
        assert_eq!(
            at("after:10m"),
            SqlValue::Integer(micros(datetime!(2026-11-25 11:50 UTC)))
        );
        assert_eq!(
            at("before:1d"),
            SqlValue::Integer(micros(datetime!(2026-11-24 12:00 UTC)))
        );
        assert_eq!(
            at("after:2026-11-20T10:00:00Z"),
            SqlValue::Integer(micros(datetime!(2026-11-20 10:00 UTC)))
        );
        assert_eq!(
            at("after:2026-11-20"),
            SqlValue::Integer(micros(datetime!(2026-11-20 0:00 UTC)))
        );
        assert!(error("after:yesterday").contains("10m"));
    }

    #[test]
    fn mistakes_name_the_field() {
        let e = error("provder:reestr");
        assert!(e.contains("\"provder:\""), "{e}");
        assert!(e.contains("provider:"), "{e}");
        assert!(error("provider:stripe").contains("green-api"));
        assert!(error("repeat:maybe").contains("yes or no"));
        assert!(error("\"open").contains("quote"));
        assert!(error("event:").contains("event:"));
    }

    #[test]
    fn providers_are_matched_loosely() {
        assert_eq!(
            sql("provider:GreenAPI").1,
            vec![SqlValue::Text("green-api".into())]
        );
    }

    #[test]
    fn headers_by_name_value_or_presence() {
        let (sql_text, params) = sql("header.User-Agent:MoySklad header.authorization:*");
        assert_eq!(
            params,
            vec![
                SqlValue::Text("user-agent".into()),
                SqlValue::Text("%MoySklad%".into()),
                SqlValue::Text("authorization".into())
            ]
        );
        assert_eq!(sql_text.matches("EXISTS").count(), 2);
    }
}
