//! The free-text search index, kept off the acknowledgement path.
//!
//! Trigram indexing costs more than the rest of storing a capture, so the writer commits and
//! acknowledges captures first and indexes them when it has nothing else to do. Searches
//! cover the rows not indexed yet with a plain scan, so results never miss a capture.

use rusqlite::functions::FunctionFlags;
use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, OptionalExtension};

/// What free words search, as an SQL expression over `captures c`: path, query, summary,
/// headers as `name: value` lines, and the body as text (its first MiB).
pub const SEARCHABLE_TEXT: &str =
    "(c.path || char(10) || c.query || char(10) || c.summary || char(10) \
    || coalesce((SELECT group_concat((h.value ->> 0) || ': ' || (h.value ->> 1), char(10)) \
                 FROM json_each(c.headers) h), '') \
    || char(10) || substr(CAST(c.body AS TEXT), 1, 1048576))";

/// `fold(text)`: lower case for every script, as the trigram index compares; SQLite's own
/// `lower()` and `LIKE` only fold ASCII, which would make "ГОТОВ" miss "готов" until indexed.
pub fn register_fold(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function(
        "fold",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            Ok(match ctx.get_raw(0) {
                ValueRef::Text(bytes) | ValueRef::Blob(bytes) => {
                    Some(String::from_utf8_lossy(bytes).to_lowercase())
                }
                ValueRef::Null => None,
                ValueRef::Integer(n) => Some(n.to_string()),
                ValueRef::Real(x) => Some(x.to_string()),
            })
        },
    )
}

/// Rows with an id above this are not in the index yet.
pub const INDEXED_UPTO: &str = "(SELECT indexed_upto FROM search_progress)";

/// Rows indexed per step, so a request arriving meanwhile never waits long for the writer.
const STEP: i64 = 512;

/// How far the index has got.
pub fn indexed_upto(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT indexed_upto FROM search_progress", [], |r| r.get(0))
}

/// Indexes the next few captures after `upto`; returns how far the index got now.
pub fn index_step(conn: &mut Connection, upto: i64) -> rusqlite::Result<i64> {
    let tx = conn.transaction()?;
    let next: Option<i64> = tx
        .query_row(
            "SELECT max(id) FROM (SELECT id FROM captures WHERE id > ?1 ORDER BY id LIMIT ?2)",
            params![upto, STEP],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    let Some(next) = next else {
        return Ok(upto);
    };
    tx.prepare_cached(&format!(
        "INSERT INTO captures_text (rowid, text)
         SELECT c.id, {SEARCHABLE_TEXT} FROM captures c WHERE c.id > ?1 AND c.id <= ?2"
    ))?
    .execute(params![upto, next])?;
    tx.execute("UPDATE search_progress SET indexed_upto = ?1", [next])?;
    tx.commit()?;
    Ok(next)
}
