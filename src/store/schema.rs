//! The SQLite schema, versioned with `PRAGMA user_version`: migration N brings a store from
//! version N to N+1. Append only; never edit a shipped migration.

use rusqlite::Connection;

use super::StoreError;

const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE captures (
    id               INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused, even after a clear
    received_at      INTEGER NOT NULL,          -- unix microseconds, UTC
    remote_addr      TEXT    NOT NULL,
    method           TEXT    NOT NULL,
    path             TEXT    NOT NULL,
    query            TEXT    NOT NULL,
    headers          TEXT    NOT NULL,          -- JSON array of [name, value], arrival order
    body             BLOB    NOT NULL,          -- the exact bytes
    size             INTEGER NOT NULL,
    provider         TEXT    NOT NULL,
    event            TEXT    NOT NULL,
    summary          TEXT    NOT NULL,
    verdict          TEXT    NOT NULL,
    reason           TEXT    NOT NULL,
    redelivery_key   TEXT,
    repeat_of        INTEGER,
    response_status  INTEGER NOT NULL,
    response_headers TEXT    NOT NULL,
    response_body    BLOB    NOT NULL,
    elapsed_ms       REAL,
    pinned           INTEGER NOT NULL DEFAULT 0,
    note             TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX captures_received_at ON captures(received_at);
CREATE INDEX captures_provider ON captures(provider);
CREATE INDEX captures_redelivery ON captures(provider, redelivery_key) WHERE redelivery_key IS NOT NULL;
-- Free-text search: trigram tokens make any 3+ character fragment findable, Cyrillic included.
-- Filled behind the writer (see search.rs); search_progress says how far.
CREATE VIRTUAL TABLE captures_text USING fts5(text, tokenize = 'trigram');
-- Indexing comes in many small steps; merging segments less eagerly halves its cost.
INSERT INTO captures_text (captures_text, rank) VALUES ('automerge', 16);
CREATE TABLE search_progress (indexed_upto INTEGER NOT NULL);
INSERT INTO search_progress VALUES (0);
CREATE TRIGGER captures_forget_text AFTER DELETE ON captures BEGIN
    DELETE FROM captures_text WHERE rowid = old.id;
END;
"#,
    // The search index moves to a file of its own (search.rs), so that the writer never waits for it.
    r#"
DROP TRIGGER captures_forget_text;
DROP TABLE captures_text;
DROP TABLE search_progress;
"#,
    // Free words search notes too; notes change after indexing, so they are scanned, and only
    // the few captures that have one.
    r#"
CREATE INDEX captures_noted ON captures(id) WHERE note <> '';
"#,
    // The reason kept typed (JSON of `capture::Reason`) beside its English text, so that the
    // app can say it in the user's language. Older rows keep only the text.
    r#"
ALTER TABLE captures ADD COLUMN reason_code TEXT;
"#,
    // The outbox (outbox.rs): deliveries of captures to forward targets and every attempt.
    // A queue is a target and a provider, delivered in id order. Times are unix microseconds.
    r#"
CREATE TABLE deliveries (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    capture_id   INTEGER NOT NULL,
    provider     TEXT    NOT NULL,
    target       TEXT    NOT NULL,
    keep_host    INTEGER NOT NULL,
    pass_through INTEGER NOT NULL,
    replay       INTEGER NOT NULL,
    state        TEXT    NOT NULL,  -- waiting, delivered, skipped, gave-up, failed
    created_at   INTEGER NOT NULL,
    next_at      INTEGER NOT NULL,  -- a waiting one is not tried before
    attempts     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX deliveries_waiting ON deliveries(target, provider, id) WHERE state = 'waiting';
CREATE INDEX deliveries_capture ON deliveries(capture_id);
CREATE TABLE attempts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    elapsed_ms  REAL    NOT NULL,
    status      INTEGER,            -- NULL: no answer, see error
    headers     TEXT    NOT NULL,
    body        BLOB    NOT NULL,   -- at most 64 KiB
    error       TEXT    NOT NULL
);
CREATE INDEX attempts_delivery ON attempts(delivery_id);
CREATE TRIGGER captures_forget_deliveries AFTER DELETE ON captures BEGIN
    DELETE FROM attempts WHERE delivery_id IN (SELECT id FROM deliveries WHERE capture_id = old.id);
    DELETE FROM deliveries WHERE capture_id = old.id;
END;
"#,
    // A trigger per removed capture was half of what retention cost the writer; the writer
    // removes the deliveries of the captures it deletes itself (outbox::forget).
    r#"
DROP TRIGGER captures_forget_deliveries;
"#,
    // Captures mirrored from a team host (`attach`) keep the host's id: shown beside the local
    // one, and where mirroring resumes.
    r#"
ALTER TABLE captures ADD COLUMN host_id INTEGER;
CREATE INDEX captures_host_id ON captures(host_id) WHERE host_id IS NOT NULL;
"#,
    // A replay the user changed before sending is marked so, beside the original it was made of.
    r#"
ALTER TABLE deliveries ADD COLUMN edited INTEGER NOT NULL DEFAULT 0;
"#,
];

pub fn migrate(conn: &mut Connection, path: &std::path::Path) -> Result<(), StoreError> {
    let version: usize = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version > MIGRATIONS.len() {
        return Err(StoreError::NewerSchema {
            path: path.to_owned(),
            version,
        });
    }
    for (n, sql) in MIGRATIONS.iter().enumerate().skip(version) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", n + 1)?;
        tx.commit()?;
    }
    Ok(())
}
