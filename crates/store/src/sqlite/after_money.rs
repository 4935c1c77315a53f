//! The after-money commit on SQLite: a batch of idempotent responses and risk flags written in
//! one transaction on the process's write connection (see [`super::writer`]).
//!
//! This commit runs about as often as the ledger's batches (one per batch of answered
//! requests) and holds the single write turn while it runs. Through sqlx it was four hand-offs
//! to a driver thread (begin, two statements, commit) and each row's values were encoded into a
//! JSON array and parsed back by SQLite; the write turn was busy 93 % of the time in the HTTP
//! benchmark, and this commit held it about as long as the ledger batches did. Here it is one
//! blocking call that steps two cached prepared statements.

use okpay_app::ports::{FlagRecord, KeyedResponse};
use okpay_ledger::StorageError;
use rusqlite::{Connection, params};

use super::SqliteStore;
use crate::error::rusqlite_error;

/// The first response wins: a racing duplicate request must replay it, not replace it.
const INSERT_RESPONSE: &str =
    "INSERT INTO idempotency_keys (owner, key, request_hash, status, body, request_id, created_at_us)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (owner, key) DO NOTHING";

/// A flag already raised on a row is kept as it is.
const INSERT_FLAG: &str = "INSERT INTO transaction_flags (txn_id, flag, rule, owner, txn_created_us, created_at_us)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (txn_id, flag) DO NOTHING";

/// Stores `responses` and `flags` (not both empty) in one transaction: all of them or none.
pub(crate) async fn store(
    store: &SqliteStore,
    responses: &[KeyedResponse],
    flags: &[FlagRecord],
) -> Result<(), StorageError> {
    let (responses, flags) = (responses.to_vec(), flags.to_vec());
    let _turn = store.write_turn().await;
    store.ledger_writer.transaction(move |conn| write(conn, &responses, &flags).map_err(rusqlite_error)).await
}

fn write(conn: &Connection, responses: &[KeyedResponse], flags: &[FlagRecord]) -> rusqlite::Result<()> {
    if !responses.is_empty() {
        let mut stmt = conn.prepare_cached(INSERT_RESPONSE)?;
        for r in responses {
            let p = &r.response;
            stmt.execute(params![r.owner, r.key, p.request_hash, p.status, p.body, p.request_id, p.created_at_us])?;
        }
    }
    if !flags.is_empty() {
        let mut stmt = conn.prepare_cached(INSERT_FLAG)?;
        for f in flags {
            stmt.execute(params![f.txn_id, f.flag, f.rule, f.owner, f.txn_created_us, f.created_at_us])?;
        }
    }
    Ok(())
}
