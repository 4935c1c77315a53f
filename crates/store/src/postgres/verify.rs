//! `okpay ledger verify` on PostgreSQL: the shared checks, in one REPEATABLE READ read-only
//! transaction so every check sees the same snapshot while writers carry on.

use okpay_ledger::{StorageError, VerifyReport};
use sqlx::PgPool;

use crate::checks::{self, CHECK_SQL, CheckRow};
use crate::error::app_error;

/// Runs every check.
pub(super) async fn run(pool: &PgPool) -> Result<VerifyReport, StorageError> {
    let mut tx = pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await.map_err(app_error)?;
    let mut rows = Vec::with_capacity(CHECK_SQL.len());
    for sql in CHECK_SQL {
        let r: Vec<CheckRow> = sqlx::query_as(sql).fetch_all(&mut *tx).await.map_err(app_error)?;
        rows.push(r);
    }
    let journals: i64 = sqlx::query_scalar(checks::COUNT_JOURNALS).fetch_one(&mut *tx).await.map_err(app_error)?;
    let accounts: i64 = sqlx::query_scalar(checks::COUNT_ACCOUNTS).fetch_one(&mut *tx).await.map_err(app_error)?;
    tx.rollback().await.map_err(app_error)?;
    Ok(checks::report(rows, journals, accounts))
}
