//! [`IdempotencyStore`] on PostgreSQL.

use async_trait::async_trait;
use okpay_app::ports::{IdempotencyStore, KeyedResponse, StoredResponse};
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
    db: impl sqlx::PgExecutor<'c>,
    rows: &[KeyedResponse],
) -> Result<(), StorageError> {
    let owners: Vec<&str> = rows.iter().map(|r| r.owner.as_str()).collect();
    let keys: Vec<&str> = rows.iter().map(|r| r.key.as_str()).collect();
    let hashes: Vec<&str> = rows.iter().map(|r| r.response.request_hash.as_str()).collect();
    let statuses: Vec<i32> = rows.iter().map(|r| i32::from(r.response.status)).collect();
    let bodies: Vec<&[u8]> = rows.iter().map(|r| r.response.body.as_slice()).collect();
    let request_ids: Vec<&str> = rows.iter().map(|r| r.response.request_id.as_str()).collect();
    let times: Vec<i64> = rows.iter().map(|r| r.response.created_at_us).collect();
    sqlx::query(
        "INSERT INTO idempotency_keys (owner, key, request_hash, status, body, request_id, created_at_us)
         SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::int4[], $5::bytea[], $6::text[], $7::int8[])
         ON CONFLICT (owner, key) DO NOTHING",
    )
    .bind(&owners)
    .bind(&keys)
    .bind(&hashes)
    .bind(&statuses)
    .bind(&bodies)
    .bind(&request_ids)
    .bind(&times)
    .execute(db)
    .await
    .map_err(app_error)?;
    Ok(())
}
