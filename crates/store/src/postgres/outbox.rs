//! [`MailOutboxStore`] on PostgreSQL (`FOR UPDATE SKIP LOCKED`: concurrent workers of several processes claim disjoint rows without waiting).

use async_trait::async_trait;
use okpay_app::ports::{MailOutboxStore, OutboxCounts, OutboxMail};
use okpay_ledger::StorageError;

use super::PgStore;
use crate::error::app_error;
use crate::outbox_rows::{self, OutboxTuple, outbox_columns, short};

#[async_trait]
impl MailOutboxStore for PgStore {
    async fn enqueue_mail(&self, m: &OutboxMail) -> Result<(), StorageError> {
        // The same insert other stores make inside their own transactions.
        let mut tx = self.pool.begin().await.map_err(app_error)?;
        crate::account_sql::postgres::insert_mail(&mut tx, m).await?;
        tx.commit().await.map_err(app_error)
    }

    async fn claim_mails(&self, now_us: i64, lease_until_us: i64, limit: u32) -> Result<Vec<OutboxMail>, StorageError> {
        let rows: Vec<OutboxTuple> = sqlx::query_as(concat!(
            "UPDATE mail_outbox SET attempts = attempts + 1, next_attempt_at_us = $2 WHERE id IN (",
            "SELECT id FROM mail_outbox WHERE status = 'pending' AND next_attempt_at_us <= $1 ",
            "ORDER BY next_attempt_at_us, id LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING ",
            outbox_columns!()
        ))
        .bind(now_us)
        .bind(lease_until_us)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(app_error)?;
        Ok(rows.into_iter().map(outbox_rows::mail).collect())
    }

    async fn mails_sent(&self, ids: &[String], now_us: i64) -> Result<(), StorageError> {
        if ids.is_empty() {
            return Ok(());
        }
        sqlx::query(outbox_rows::SENT_PG).bind(ids).bind(now_us).execute(&self.pool).await.map_err(app_error)?;
        Ok(())
    }

    async fn mail_retry_at(&self, id: &str, next_attempt_at_us: i64, error: &str) -> Result<(), StorageError> {
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
