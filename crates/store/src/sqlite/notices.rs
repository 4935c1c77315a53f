//! [`NoticeStore`] on SQLite. A round's finish (remove the notices, queue their mails) is one
//! transaction on the process's write connection (see [`super::writer`]): one hand-off to its
//! thread instead of one per statement, no JSON to encode and parse back.

use async_trait::async_trait;
use okpay_app::ports::{NoticeDone, NoticeStore};
use okpay_ledger::{StatementLine, StorageError};
use rusqlite::{Connection, params};

use super::SqliteStore;
use crate::error::{app_error, rusqlite_error};
use crate::notice_sql::{self as q, impl_notice_store};
use crate::records::{self, LineTuple};

/// A new pending mail with `?8` attempts: due at once (its creation time is its first due
/// time), or claimed, leased until `?9`.
const INSERT_MAIL: &str = "INSERT INTO mail_outbox (id, to_addr, kind, subject, text_body, html_body, status, \
     attempts, next_attempt_at_us, created_at_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?8, COALESCE(?9, ?7), ?7)";

/// Removes the round's notices (not none) and queues the mails of those this round removed.
async fn finish(
    store: &SqliteStore,
    done: &[NoticeDone],
    claimed_until_us: Option<i64>,
) -> Result<Vec<String>, StorageError> {
    let done = done.to_vec();
    let _turn = store.write_turn().await;
    store.ledger_writer.transaction(move |conn| finish_on(conn, &done, claimed_until_us).map_err(rusqlite_error)).await
}

fn finish_on(conn: &Connection, done: &[NoticeDone], claimed_until_us: Option<i64>) -> rusqlite::Result<Vec<String>> {
    let mut remove = conn.prepare_cached("DELETE FROM line_notices WHERE txn_id = ?1")?;
    let mut insert = conn.prepare_cached(INSERT_MAIL)?;
    let mut queued = Vec::new();
    for d in done {
        // A notice another worker removed first is not mailed twice.
        if remove.execute([&d.txn_id])? == 1
            && let Some(m) = &d.mail
        {
            insert.execute(params![
                m.id,
                m.to,
                m.kind,
                m.subject,
                m.text,
                m.html,
                m.created_at_us,
                m.attempts,
                claimed_until_us
            ])?;
            queued.push(m.id.clone());
        }
    }
    Ok(queued)
}

impl_notice_store!(SqliteStore, finish);
