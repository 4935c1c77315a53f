//! [`IdempotencyStore`] on PostgreSQL.

use async_trait::async_trait;
use okpay_app::ports::{IdempotencyStore, StoredResponse};
use okpay_ledger::StorageError;

use super::PgStore;
use crate::error::app_error;
use crate::records::{self, ResponseTuple};

#[async_trait]
impl IdempotencyStore for PgStore {
    async fn idempotent_response(&self, owner: &str, key: &str) -> Result<Option<StoredResponse>, StorageError> {
        let row: Option<ResponseTuple> = sqlx::query_as(
            "SELECT request_hash, status, body, request_id, created_at_us FROM idempotency_keys
             WHERE owner = $1 AND key = $2",
        )
        .bind(owner)
        .bind(key)
        .fetch_optional(&self.pool)
        .await
        .map_err(app_error)?;
        row.map(records::response).transpose()
    }

    async fn store_idempotent_response(&self, owner: &str, key: &str, r: &StoredResponse) -> Result<(), StorageError> {
        // The first response wins: a racing duplicate request must replay it, not replace it.
        sqlx::query(
            "INSERT INTO idempotency_keys (owner, key, request_hash, status, body, request_id, created_at_us)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (owner, key) DO NOTHING",
        )
        .bind(owner)
        .bind(key)
        .bind(&r.request_hash)
        .bind(i32::from(r.status))
        .bind(&r.body)
        .bind(&r.request_id)
        .bind(r.created_at_us)
        .execute(&self.pool)
        .await
        .map_err(app_error)?;
        Ok(())
    }

    async fn purge_idempotency_keys(&self, before_us: i64) -> Result<u64, StorageError> {
        let done = sqlx::query("DELETE FROM idempotency_keys WHERE created_at_us < $1")
            .bind(before_us)
            .execute(&self.pool)
            .await
            .map_err(app_error)?;
        Ok(done.rows_affected())
    }
}
