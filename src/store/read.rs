//! Reading captures back, from this process or another one (WAL readers never block the writer).

use std::path::Path;

use rusqlite::{params_from_iter, Connection, OpenFlags, Row};
use time::OffsetDateTime;

use super::{connect, StoreError};
use crate::capture::{Answer, Capture, Incoming, Judgement, Provider, Verdict};
use crate::filter::Filter;

const COLUMNS: &str = "c.id, c.received_at, c.remote_addr, c.method, c.path, c.query, c.headers,
    c.body, c.size, c.provider, c.event, c.summary, c.verdict, c.reason, c.redelivery_key,
    c.repeat_of, c.response_status, c.response_headers, c.response_body, c.elapsed_ms, c.pinned,
    c.note";

pub struct StoreReader {
    conn: Connection,
}

impl StoreReader {
    /// Opens an existing store; a missing one is an error that says how to create it.
    pub fn open(path: &Path) -> Result<StoreReader, StoreError> {
        if !path.exists() {
            return Err(StoreError::Missing {
                path: path.to_owned(),
            });
        }
        let conn = connect(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        Ok(StoreReader { conn })
    }

    /// The newest `limit` captures matching `filter` (all when `None`), oldest first.
    pub fn list(&self, filter: &Filter, limit: Option<u64>) -> Result<Vec<Capture>, StoreError> {
        let (condition, mut params) = filter.to_sql();
        params.push(rusqlite::types::Value::Integer(
            limit.map_or(-1, |n| n.min(i64::MAX as u64) as i64),
        ));
        let sql = format!(
            "SELECT {COLUMNS} FROM captures c WHERE {condition} ORDER BY c.id DESC LIMIT ?"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let mut captures = stmt
            .query_map(params_from_iter(params), capture_from_row)?
            .collect::<Result<Vec<_>, _>>()?;
        captures.reverse();
        Ok(captures)
    }

    pub fn get(&self, id: i64) -> Result<Option<Capture>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM captures c WHERE c.id = ?");
        match self.conn.query_row(&sql, [id], capture_from_row) {
            Ok(capture) => Ok(Some(capture)),
            Err(rusqlite::Error::QueryReturnedNoRows) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    pub fn count(&self) -> Result<u64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM captures", [], |r| r.get(0))?)
    }
}

fn pairs(json: String) -> Vec<(String, String)> {
    serde_json::from_str(&json).unwrap_or_default()
}

fn capture_from_row(row: &Row) -> rusqlite::Result<Capture> {
    let micros: i64 = row.get(1)?;
    let received_at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let provider: String = row.get(9)?;
    let verdict: String = row.get(12)?;
    Ok(Capture {
        id: row.get(0)?,
        request: Incoming {
            received_at,
            remote_addr: row.get(2)?,
            method: row.get(3)?,
            path: row.get(4)?,
            query: row.get(5)?,
            headers: pairs(row.get(6)?),
            body: row.get(7)?,
            size: row.get::<_, i64>(8)? as u64,
        },
        judgement: Judgement {
            provider: Provider::from_name(&provider).unwrap_or(Provider::Generic),
            event: row.get(10)?,
            summary: row.get(11)?,
            verdict: if verdict == "rejected" {
                Verdict::Rejected
            } else {
                Verdict::Ok
            },
            reason: row.get(13)?,
            redelivery_key: row.get(14)?,
            answer: Answer {
                status: row.get(16)?,
                headers: pairs(row.get(17)?),
                body: row.get(18)?,
            },
        },
        repeat_of: row.get(15)?,
        elapsed_ms: row.get(19)?,
        pinned: row.get(20)?,
        note: row.get(21)?,
    })
}
