//! [`IdempotencyStore`] on SQLite.

use async_trait::async_trait;
use okpay_app::ports::{IdempotencyStore, KeyedResponse, StoredResponse};
use okpay_ledger::StorageError;

use super::SqliteStore;
use crate::error::app_error;
use crate::records::{self, ResponseTuple};
use crate::rows::to_json;

#[async_trait]
impl IdempotencyStore for SqliteStore {
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

    async fn purge_idempotency_keys(&self, before_us: i64) -> Result<u64, StorageError> {
        let done = sqlx::query("DELETE FROM idempotency_keys WHERE created_at_us < $1")
            .bind(before_us)
            .execute(&self.pool)
            .await
            .map_err(app_error)?;
        Ok(done.rows_affected())
    }
}

/// Inserts `rows` (not empty) with one statement through `db`. The first response wins: a
/// racing duplicate request must replay it, not replace it.
pub(super) async fn insert_responses<'c>(
    db: impl sqlx::SqliteExecutor<'c>,
    rows: &[KeyedResponse],
) -> Result<(), StorageError> {
    let rows: Vec<(&str, &str, &str, u16, String, &str, i64)> = rows
        .iter()
        .map(|r| {
            let p = &r.response;
            (&*r.owner, &*r.key, &*p.request_hash, p.status, hex::encode(&p.body), &*p.request_id, p.created_at_us)
        })
        .collect();
    sqlx::query(
        "INSERT INTO idempotency_keys (owner, key, request_hash, status, body, request_id, created_at_us)
         SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, unhex(value ->> 4), value ->> 5, value ->> 6
         FROM json_each($1) WHERE true ON CONFLICT (owner, key) DO NOTHING",
    )
    .bind(to_json(&rows)?)
    .execute(db)
    .await
    .map_err(app_error)?;
    Ok(())
}
