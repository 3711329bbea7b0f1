//! A [`Filter`] as a condition on the `captures` table aliased `c`.

use rusqlite::types::Value as SqlValue;

use super::read::micros;
use super::search::{HOLDS_WORD, INDEXED_UPTO};
use crate::filter::{Comparison, Filter, Test};

/// The condition and its parameters in order; terms AND together.
pub fn condition(filter: &Filter) -> (String, Vec<SqlValue>) {
    if filter.is_empty() {
        return ("1".into(), Vec::new());
    }
    let mut params = Vec::new();
    let parts: Vec<String> = filter
        .terms
        .iter()
        .map(|term| {
            let sql = test(&term.test, &mut params);
            if term.negated {
                format!("NOT ({sql})")
            } else {
                format!("({sql})")
            }
        })
        .collect();
    (parts.join(" AND "), params)
}

fn test(test: &Test, params: &mut Vec<SqlValue>) -> String {
    let mut bind = |v: SqlValue| params.push(v);
    let text = |s: &str| SqlValue::Text(s.into());
    match test {
        Test::Text(word) => {
            // Whether a capture holds the word is decided on its text, folded as the index
            // folds. The index only narrows down which to look at: those holding all of the
            // word's trigrams, and the few not indexed yet. Notes change after indexing, so
            // they are looked at through their partial index. One `IN` list lets SQLite start
            // from the candidates instead of every capture. Words under three characters have
            // no trigram: every capture is looked at.
            let folded = word.to_lowercase();
            let Some(trigrams) = trigrams(&folded) else {
                for _ in 0..3 {
                    bind(text(&folded));
                }
                return format!("{HOLDS_WORD} OR instr(fold(c.note), ?) > 0");
            };
            bind(SqlValue::Text(trigrams));
            for _ in 0..3 {
                bind(text(&folded));
            }
            format!(
                "c.id IN (SELECT c.id FROM captures c WHERE c.id IN ( \
                     SELECT rowid FROM search.captures_text WHERE captures_text MATCH ? \
                     UNION ALL SELECT id FROM captures WHERE id > {INDEXED_UPTO}) \
                   AND {HOLDS_WORD} \
                 UNION ALL SELECT id FROM captures WHERE note <> '' AND instr(fold(note), ?) > 0)"
            )
        }
        Test::Provider(p) => {
            bind(text(p.name()));
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
            bind(text(&m.to_uppercase()));
            "upper(c.method) = ?".into()
        }
        Test::PathPrefix(prefix) => {
            bind(SqlValue::Integer(prefix.len() as i64));
            bind(text(prefix));
            "substr(c.path, 1, ?) = ?".into()
        }
        Test::Status(comparison, code) => {
            bind(SqlValue::Integer(i64::from(*code)));
            let op = match comparison {
                Comparison::Equal => "=",
                Comparison::Less => "<",
                Comparison::LessOrEqual => "<=",
                Comparison::Greater => ">",
                Comparison::GreaterOrEqual => ">=",
            };
            format!("c.response_status {op} ?")
        }
        Test::StatusClass(class) => {
            bind(SqlValue::Integer(i64::from(*class) * 100));
            bind(SqlValue::Integer(i64::from(*class) * 100 + 99));
            "c.response_status BETWEEN ? AND ?".into()
        }
        Test::Header { name, value } => {
            bind(text(&name.to_lowercase()));
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
        Test::Verdict(verdict) => {
            bind(text(verdict.name()));
            "c.verdict = ?".into()
        }
        Test::Pinned(yes) => format!("c.pinned = {}", i32::from(*yes)),
        Test::Note(None) => "c.note <> ''".into(),
        Test::Note(Some(part)) => {
            bind(text(&part.to_lowercase()));
            "c.note <> '' AND instr(fold(c.note), ?) > 0".into()
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

/// An index query for the captures holding every trigram of `word` (`"abc" AND "bcd"`), or
/// `None` when it is too short to have one.
fn trigrams(word: &str) -> Option<String> {
    let chars: Vec<char> = word.chars().collect();
    let mut terms: Vec<String> = chars
        .windows(3)
        .map(|t| format!("\"{}\"", t.iter().collect::<String>().replace('"', "\"\"")))
        .collect();
    terms.sort_unstable();
    terms.dedup();
    (!terms.is_empty()).then(|| terms.join(" AND "))
}

fn like_escape(text: &str) -> String {
    text.replace('\\', r"\\")
        .replace('%', r"\%")
        .replace('_', r"\_")
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn sql(query: &str) -> (String, Vec<SqlValue>) {
        condition(&Filter::parse_at(query, datetime!(2026-11-25 12:00 UTC)).unwrap())
    }

    fn text(s: &str) -> SqlValue {
        SqlValue::Text(s.into())
    }

    #[test]
    fn terms_and_together_and_minus_negates() {
        let (sql, params) = sql("provider:reestr -repeat:yes");
        assert_eq!(sql, "(c.provider = ?) AND NOT (c.repeat_of IS NOT NULL)");
        assert_eq!(params, vec![text("reestr")]);
    }

    #[test]
    fn words_go_to_the_index_by_their_trigrams_and_are_checked_on_the_text() {
        let (_, params) = sql("\"a bc\" ЗАКАЗ");
        assert_eq!(
            params,
            vec![
                text(r#"" bc" AND "a b""#),
                text("a bc"),
                text("a bc"),
                text("a bc"),
                text(r#""ака" AND "зак" AND "каз""#),
                text("заказ"),
                text("заказ"),
                text("заказ"),
            ]
        );
    }

    #[test]
    fn trigrams_are_quoted_for_the_index() {
        assert_eq!(trigrams("x\"yz").unwrap(), r#""""yz" AND "x""y""#);
        assert_eq!(trigrams("ab"), None);
    }

    #[test]
    fn short_words_fall_back_to_a_substring_scan() {
        let (sql, params) = sql("OK");
        assert!(
            sql.contains("instr(fold(") && !sql.contains("MATCH"),
            "{sql}"
        );
        assert_eq!(params, vec![text("ok"), text("ok"), text("ok")]);
    }

    #[test]
    fn comparisons_and_classes() {
        assert_eq!(
            sql("status:>=400"),
            (
                "(c.response_status >= ?)".into(),
                vec![SqlValue::Integer(400)]
            )
        );
        assert!(sql("status:<300").0.contains("< ?"));
        assert_eq!(
            sql("status:4xx").1,
            vec![SqlValue::Integer(400), SqlValue::Integer(499)]
        );
    }

    #[test]
    fn times_are_microseconds() {
        assert_eq!(
            sql("after:10m").1,
            vec![SqlValue::Integer(micros(datetime!(2026-11-25 11:50 UTC)))]
        );
    }

    #[test]
    fn like_patterns_are_escaped() {
        assert_eq!(sql("header.x:50%_off").1[1], text(r"%50\%\_off%"));
    }
}
