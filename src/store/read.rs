//! Reading captures back, from this process or another one (WAL readers never block the writer).

use std::path::Path;

use rusqlite::{params_from_iter, Connection, OpenFlags, Row};
use time::OffsetDateTime;

use super::outbox::FORWARD_STATE;
use super::{connect, damage, search, StoreError};
use crate::capture::{
    Answer, Capture, CaptureRow, DeliveryState, HeaderValue, Incoming, Judgement, Provider, Reason,
    RowTexts, Verdict,
};
use crate::filter::Filter;

const COLUMNS: &str = "c.id, c.received_at, c.remote_addr, c.method, c.path, c.query, c.headers,
    c.body, c.size, c.provider, c.event, c.summary, c.verdict, c.reason, c.reason_code,
    c.redelivery_key,
    c.repeat_of, c.response_status, c.response_headers, c.response_body, c.elapsed_ms, c.pinned,
    c.note, c.host_id";

/// One arrival of a notification a provider sent more than once, and what it was answered.
#[derive(Clone, Debug, PartialEq)]
pub struct Arrival {
    pub id: i64,
    pub received_at: OffsetDateTime,
    /// 0 when hookscope hung up on purpose.
    pub status: u16,
    pub elapsed_ms: Option<f64>,
    pub reason: Option<Reason>,
}

pub struct StoreReader {
    pub(super) conn: Connection,
    path: std::path::PathBuf,
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
        )
        .map_err(|e| damage::classify(path, e))?;
        search::attach(&conn, path).map_err(|source| StoreError::Open {
            path: search::index_path(path),
            source,
        })?;
        Ok(StoreReader {
            conn,
            path: path.to_owned(),
        })
    }

    /// What can still be read of a damaged store: the captures matching `filter`, oldest
    /// first, and how many could not be read.
    ///
    /// Every id from the oldest to the newest is looked up on its own rather than stepping
    /// from one id to the next: a damaged leaf can hand back a bogus or out-of-order id, and
    /// following it skipped everything up to it. Retention removes the oldest captures, so the
    /// range has few holes, and a lookup of one costs about a microsecond.
    pub fn salvage(&self, filter: &Filter) -> (Vec<Capture>, u64) {
        let (condition, params) = super::query::condition(filter);
        let one = format!("SELECT {COLUMNS} FROM captures c WHERE c.id = ? AND {condition}");
        let bound = |sql: &str| self.conn.query_row(sql, [], |r| r.get::<_, Option<i64>>(0));
        // With no newest id to be had, the walk ends after this many ids in a row not found.
        const GIVE_UP_AFTER: i64 = 100_000;
        let newest = bound("SELECT max(seq) FROM sqlite_sequence")
            .or_else(|_| bound("SELECT max(id) FROM captures"))
            .ok()
            .flatten();
        let last = newest.unwrap_or(i64::MAX);
        let first = bound("SELECT min(id) FROM captures")
            .ok()
            .flatten()
            .filter(|first| (1..=last).contains(first))
            .unwrap_or(1);
        let mut last_found = first;
        let (mut captures, mut damaged) = (Vec::new(), 0);
        let Ok(mut stmt) = self.conn.prepare(&one) else {
            return (captures, 1);
        };
        for id in first..=last {
            if newest.is_none() && id - last_found > GIVE_UP_AFTER {
                break;
            }
            let mut args = vec![rusqlite::types::Value::Integer(id)];
            args.extend(params.iter().cloned());
            match stmt.query_row(params_from_iter(args), capture_from_row) {
                Ok(capture) => {
                    last_found = id;
                    captures.push(capture);
                }
                Err(rusqlite::Error::QueryReturnedNoRows) => {}
                Err(_) => {
                    last_found = id;
                    damaged += 1;
                }
            }
        }
        (captures, damaged)
    }

    /// SQLite's `quick_check` of the whole file.
    pub fn check(&self) -> Result<(), StoreError> {
        damage::check(&self.conn, &self.path)
    }

    /// Says that the store is damaged when that is why a read failed.
    pub fn explain(&self, error: StoreError) -> StoreError {
        damage::classify(&self.path, error)
    }

    /// The newest `limit` captures matching `filter` (all when `None`), oldest first.
    pub fn list(&self, filter: &Filter, limit: Option<u64>) -> Result<Vec<Capture>, StoreError> {
        let (condition, mut params) = super::query::condition(filter);
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

    /// Up to `limit` captures matching `filter`: after `after` oldest first (a cursor that
    /// follows new captures), otherwise before `before` (or the newest) newest first.
    pub fn page(
        &self,
        filter: &Filter,
        after: Option<i64>,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<Capture>, StoreError> {
        let (condition, mut params) = super::query::condition(filter);
        let (bound, order, from) = match after {
            Some(after) => ("c.id > ?", "ASC", after),
            None => ("c.id < ?", "DESC", before.unwrap_or(i64::MAX)),
        };
        params.push(rusqlite::types::Value::Integer(from));
        params.push(rusqlite::types::Value::Integer(limit as i64));
        let sql = format!(
            "SELECT {COLUMNS} FROM captures c WHERE {condition} AND {bound}
             ORDER BY c.id {order} LIMIT ?"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let captures = stmt
            .query_map(params_from_iter(params), capture_from_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(captures)
    }

    /// The newest capture's id; 0 when there is none.
    pub fn newest_id(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT coalesce(max(id), 0) FROM captures", [], |r| {
                r.get(0)
            })?)
    }

    /// Table rows of every capture after `after_id`, oldest first.
    pub fn rows_after(&self, after_id: i64) -> Result<Vec<CaptureRow>, StoreError> {
        self.rows("id > ?1 ORDER BY id LIMIT ?2", [after_id, -1])
    }

    /// Table rows of the newest `limit` captures before `before_id`, oldest first: the app
    /// reads a big store from its newest end, a page at a time.
    pub fn rows_before(&self, before_id: i64, limit: usize) -> Result<Vec<CaptureRow>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut rows = self.rows("id < ?1 ORDER BY id DESC LIMIT ?2", [before_id, limit])?;
        rows.reverse();
        Ok(rows)
    }

    /// Table rows of the newest `limit` captures, oldest first, and how many captures are
    /// older: the first page of the table, read in one snapshot.
    pub fn newest_rows(&self, limit: usize) -> Result<(Vec<CaptureRow>, u64), StoreError> {
        let snapshot = self.conn.unchecked_transaction()?;
        let rows = self.rows_before(i64::MAX, limit)?;
        let older = self.count()?.saturating_sub(rows.len() as u64);
        snapshot.finish()?;
        Ok((rows, older))
    }

    /// Table rows of the captures `order` picks, with `bounds` for its `?1` and `?2`.
    fn rows(&self, order: &str, bounds: [i64; 2]) -> Result<Vec<CaptureRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT id, received_at, provider, method, path, event, summary, response_status,
                    size, repeat_of, verdict, pinned, note, response_body = x'' AS answer_empty,
                    verdict = 'ok' AND reason_code ->> 'code' IN ('not_json', 'empty_body')
                        AS malformed,
                    {FORWARD_STATE} AS forward, host_id
                 FROM captures WHERE {order}"
        ))?;
        let rows = stmt
            .query_map(bounds, |row| {
                let provider = provider(row.get("provider")?);
                let event = text(row, "event")?;
                let status = row.get("response_status")?;
                Ok(CaptureRow {
                    id: row.get("id")?,
                    received_at: from_micros(row.get("received_at")?),
                    unconfirmed: crate::capture::unconfirmed(
                        provider,
                        event,
                        status,
                        row.get("answer_empty")?,
                    ),
                    provider,
                    texts: RowTexts::new([
                        text(row, "method")?,
                        text(row, "path")?,
                        event,
                        text(row, "summary")?,
                        text(row, "note")?,
                    ]),
                    status,
                    size: row.get::<_, i64>("size")? as u64,
                    repeat_of: row.get("repeat_of")?,
                    rejected: verdict(&row.get::<_, String>("verdict")?) == Verdict::Rejected,
                    malformed: row.get::<_, Option<bool>>("malformed")?.unwrap_or(false),
                    pinned: row.get("pinned")?,
                    forward: row
                        .get::<_, Option<String>>("forward")?
                        .map(|s| DeliveryState::from_name(&s)),
                    host_id: row.get("host_id")?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Ids of the captures matching `filter`, in increasing order; with `among`, only those ids
    /// are considered (for deciding whether newly arrived captures belong in a filtered view).
    pub fn matching_ids(
        &self,
        filter: &Filter,
        among: Option<&[i64]>,
    ) -> Result<Vec<i64>, StoreError> {
        let (condition, params) = super::query::condition(filter);
        let scope = match among {
            Some(ids) => format!(
                " AND c.id IN ({})",
                ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
            ),
            None => String::new(),
        };
        let sql = format!("SELECT c.id FROM captures c WHERE {condition}{scope} ORDER BY c.id");
        let mut stmt = self.conn.prepare(&sql)?;
        let ids = stmt
            .query_map(params_from_iter(params), |row| row.get(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ids)
    }

    pub fn get(&self, id: i64) -> Result<Option<Capture>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM captures c WHERE c.id = ?");
        match self.conn.query_row(&sql, [id], capture_from_row) {
            Ok(capture) => Ok(Some(capture)),
            Err(rusqlite::Error::QueryReturnedNoRows) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Every arrival of the notification `id` is (the captures with its redelivery key),
    /// oldest first, with what hookscope answered each; empty when it has no key.
    pub fn timeline(&self, id: i64) -> Result<Vec<Arrival>, StoreError> {
        let list = self
            .conn
            .prepare_cached(
                "SELECT c.id, c.received_at, c.response_status, c.elapsed_ms, c.reason,
                    c.reason_code
                 FROM captures c JOIN captures o ON o.id = ?1
                 WHERE c.provider = o.provider AND c.redelivery_key = o.redelivery_key
                 ORDER BY c.id",
            )?
            .query_map([id], |row| {
                Ok(Arrival {
                    id: row.get("id")?,
                    received_at: from_micros(row.get("received_at")?),
                    status: row.get("response_status")?,
                    elapsed_ms: row.get("elapsed_ms")?,
                    reason: reason(row.get("reason")?, row.get("reason_code")?),
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(list)
    }

    /// Bytes of the store file in use, to compare with `[listener] max_store_bytes`.
    pub fn used_bytes(&self) -> Result<u64, StoreError> {
        Ok(super::writer::used_bytes(&self.conn)?)
    }

    pub fn count(&self) -> Result<u64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM captures", [], |r| r.get(0))?)
    }

    /// The newest team-host capture mirrored here (`attach` resumes after it); 0 for none.
    pub fn last_host_id(&self) -> Result<i64, StoreError> {
        Ok(self.conn.query_row(
            "SELECT coalesce(max(host_id), 0) FROM captures WHERE host_id IS NOT NULL",
            [],
            |r| r.get(0),
        )?)
    }
}

pub(super) fn pairs(json: String) -> Vec<(String, String)> {
    serde_json::from_str(&json).unwrap_or_default()
}

fn headers(json: String) -> Vec<(String, HeaderValue)> {
    let items: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap_or_default();
    items.iter().filter_map(HeaderValue::from_json).collect()
}

pub(super) fn micros(at: OffsetDateTime) -> i64 {
    (at.unix_timestamp_nanos() / 1000) as i64
}

pub(super) fn from_micros(micros: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// A text column as it is in the row, without a copy of its own.
fn text<'r>(row: &'r Row, column: &str) -> rusqlite::Result<&'r str> {
    Ok(row.get_ref(column)?.as_str()?)
}

fn provider(name: String) -> Provider {
    Provider::from_name(&name).unwrap_or(Provider::Generic)
}

/// The typed reason where the row has one, else its text (rows older than `reason_code`).
fn reason(text: String, code: Option<String>) -> Option<Reason> {
    code.and_then(|code| serde_json::from_str(&code).ok())
        .or_else(|| (!text.is_empty()).then_some(Reason::Text { text }))
}

fn capture_from_row(row: &Row) -> rusqlite::Result<Capture> {
    Ok(Capture {
        id: row.get("id")?,
        request: Incoming {
            received_at: from_micros(row.get("received_at")?),
            remote_addr: row.get("remote_addr")?,
            method: row.get("method")?,
            path: row.get("path")?,
            query: row.get("query")?,
            headers: headers(row.get("headers")?),
            body: row.get("body")?,
            size: row.get::<_, i64>("size")? as u64,
        },
        judgement: Judgement {
            provider: provider(row.get("provider")?),
            event: row.get("event")?,
            summary: row.get("summary")?,
            verdict: verdict(&row.get::<_, String>("verdict")?),
            reason: reason(row.get("reason")?, row.get("reason_code")?),
            redelivery_key: row.get("redelivery_key")?,
            answer: Answer {
                status: row.get("response_status")?,
                headers: pairs(row.get("response_headers")?),
                body: row.get("response_body")?,
            },
        },
        repeat_of: row.get("repeat_of")?,
        elapsed_ms: row.get("elapsed_ms")?,
        pinned: row.get("pinned")?,
        note: row.get("note")?,
        host_id: row.get("host_id")?,
    })
}

fn verdict(name: &str) -> Verdict {
    if name == Verdict::Rejected.name() {
        Verdict::Rejected
    } else {
        Verdict::Ok
    }
}
