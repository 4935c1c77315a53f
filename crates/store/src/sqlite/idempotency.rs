//! [`IdempotencyStore`] on SQLite.

use async_trait::async_trait;
use okpay_app::ports::{IdempotencyStore, StoredResponse};
use okpay_ledger::StorageError;

use super::SqliteStore;
use crate::error::app_error;
use crate::records::{self, ResponseTuple};

#[async_trait]
impl IdempotencyStore for SqliteStore {
    async fn idempotent_response(&self, owner: &str, key: &str) -> Result<Option<StoredResponse>, StorageError> {
        // Every money-moving request reads this first: a point read (see `point_read`).
        let row: Option<ResponseTuple> = self
            .read_optional(
                "SELECT request_hash, status, body, request_id, created_at_us FROM idempotency_keys
                 WHERE owner = $1 AND key = $2",
                &[owner.into(), key.into()],
            )
            .await?;
        row.map(records::response).transpose()
    }

    async fn purge_idempotency_keys(&self, before_us: i64) -> Result<u64, StorageError> {
        let turn = self.write_turn().await;
        let done = sqlx::query("DELETE FROM idempotency_keys WHERE created_at_us < $1")
            .bind(before_us)
            .execute(&self.pool)
            .await
            .map_err(app_error)?;
        drop(turn);
        Ok(done.rows_affected())
    }
}
