//! [`MailOutboxStore`] on SQLite (one writer at a time, so the claiming `UPDATE` is atomic on its own).

use async_trait::async_trait;
use okpay_app::ports::{MailOutboxStore, OutboxCounts, OutboxMail};
use okpay_ledger::StorageError;

use rusqlite::{Connection, params};

use super::SqliteStore;
use crate::error::{app_error, rusqlite_error};
use crate::outbox_rows::{self, OutboxTuple, outbox_columns, short};

/// Claims the due rows: counts an attempt and leases each until `?2`. The claim and the "sent"
/// update run on the write connection, each one hand-off to its thread (the mail worker runs
/// them every round, inside the write turn the ledger's batches also wait for).
const CLAIM: &str = concat!(
    "UPDATE mail_outbox SET attempts = attempts + 1, next_attempt_at_us = ?2 WHERE id IN (",
    "SELECT id FROM mail_outbox WHERE status = 'pending' AND next_attempt_at_us <= ?1 ",
    "ORDER BY next_attempt_at_us, id LIMIT ?3) RETURNING ",
    outbox_columns!()
);

/// Marks one row sent and blanks its bodies (`?1` the id, `?2` the time).
const SENT: &str = outbox_rows::sent_sql!("id = ?1", "?2", "status = 'pending'");

#[async_trait]
impl MailOutboxStore for SqliteStore {
    async fn enqueue_mail(&self, m: &OutboxMail) -> Result<(), StorageError> {
        // The same insert other stores make inside their own transactions.
        let _turn = self.write_turn().await;
        let mut tx = self.pool.begin().await.map_err(app_error)?;
        crate::account_sql::sqlite::insert_mail(&mut tx, m).await?;
        tx.commit().await.map_err(app_error)
    }

    async fn claim_mails(&self, now_us: i64, lease_until_us: i64, limit: u32) -> Result<Vec<OutboxMail>, StorageError> {
        let _turn = self.write_turn().await;
        self.ledger_writer
            .transaction(move |conn| claim(conn, now_us, lease_until_us, limit).map_err(rusqlite_error))
            .await
    }

    async fn mails_sent(&self, ids: &[String], now_us: i64) -> Result<(), StorageError> {
        if ids.is_empty() {
            return Ok(());
        }
        let ids = ids.to_vec();
        let _turn = self.write_turn().await;
        self.ledger_writer.transaction(move |conn| sent(conn, &ids, now_us).map_err(rusqlite_error)).await
    }

    async fn mail_retry_at(&self, id: &str, next_attempt_at_us: i64, error: &str) -> Result<(), StorageError> {
        let _turn = self.write_turn().await;
        sqlx::query(outbox_rows::RETRY)
            .bind(id)
            .bind(next_attempt_at_us)
            .bind(short(error))
            .execute(&self.pool)
            .await
            .map_err(app_error)?;
        Ok(())
    }

    async fn mail_failed(&self, id: &str, error: &str, now_us: i64) -> Result<(), StorageError> {
        let _turn = self.write_turn().await;
        sqlx::query(outbox_rows::FAILED)
            .bind(id)
            .bind(short(error))
            .bind(now_us)
            .execute(&self.pool)
            .await
            .map_err(app_error)?;
        Ok(())
    }

    async fn mail_counts(&self) -> Result<OutboxCounts, StorageError> {
        let (pending, failed): (i64, i64) =
            sqlx::query_as(outbox_rows::COUNTS).fetch_one(&self.pool).await.map_err(app_error)?;
        Ok(OutboxCounts { pending, failed })
    }
}

fn claim(conn: &Connection, now_us: i64, lease_until_us: i64, limit: u32) -> rusqlite::Result<Vec<OutboxMail>> {
    let mut stmt = conn.prepare_cached(CLAIM)?;
    let rows = stmt.query_map(params![now_us, lease_until_us, i64::from(limit)], |r| OutboxTuple::try_from(r))?;
    rows.map(|row| row.map(outbox_rows::mail)).collect()
}

fn sent(conn: &Connection, ids: &[String], now_us: i64) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(SENT)?;
    for id in ids {
        stmt.execute(params![id, now_us])?;
    }
    Ok(())
}
