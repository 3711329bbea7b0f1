//! A [`Filter`] as a condition on the `captures` table aliased `c`.

use rusqlite::types::Value as SqlValue;

use super::read::micros;
use super::search::{INDEXED_UPTO, SEARCHABLE_TEXT};
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
            // Indexed rows through the trigram index, the few not indexed yet by a scan of the
            // newest rows, and notes (edited after indexing) through their partial index. One
            // `IN` list lets SQLite start from the hits instead of scanning every capture. The
            // index needs 3+ characters; shorter words scan.
            let folded = word.to_lowercase();
            if word.chars().count() < 3 {
                bind(text(&folded));
                bind(text(&folded));
                return format!(
                    "instr(fold({SEARCHABLE_TEXT}), ?) > 0 OR instr(fold(c.note), ?) > 0"
                );
            }
            bind(SqlValue::Text(format!("\"{}\"", word.replace('"', "\"\""))));
            bind(text(&folded));
            bind(text(&folded));
            format!(
                "c.id IN (SELECT rowid FROM search.captures_text WHERE captures_text MATCH ? \
                 UNION ALL SELECT c.id FROM captures c WHERE c.id > {INDEXED_UPTO} \
                 AND instr(fold({SEARCHABLE_TEXT}), ?) > 0 \
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
    fn words_go_to_the_index_the_unindexed_tail_and_notes() {
        let (_, params) = sql("\"http://x y\" ЗАКАЗ");
        assert_eq!(
            params,
            vec![
                text("\"http://x y\""),
                text("http://x y"),
                text("http://x y"),
                text("\"ЗАКАЗ\""),
                text("заказ"),
                text("заказ"),
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
        assert_eq!(params, vec![text("ok"), text("ok")]);
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
