//! [`AuditStore`] on SQLite.

use async_trait::async_trait;
use okpay_app::ports::{AuditQuery, AuditRecord, AuditStore};
use okpay_ledger::StorageError;

use super::SqliteStore;
use crate::error::app_error;
use crate::records::{self, AuditTuple};

/// Appends `e` on `executor`: the pool, or the transaction of the action it records.
pub(crate) async fn insert_audit<'c>(
    executor: impl sqlx::Executor<'c, Database = sqlx::Sqlite>,
    e: &AuditRecord,
) -> Result<(), StorageError> {
    sqlx::query(
        "INSERT INTO audit_events (at_us, actor, subject, action, outcome, ip, user_agent, reason, session_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(e.at_us)
    .bind(&e.actor)
    .bind(&e.subject)
    .bind(&e.action)
    .bind(&e.outcome)
    .bind(&e.ip)
    .bind(&e.user_agent)
    .bind(&e.reason)
    .bind(&e.session_id)
    .execute(executor)
    .await
    .map_err(app_error)?;
    Ok(())
}

#[async_trait]
impl AuditStore for SqliteStore {
    async fn record_audit(&self, e: &AuditRecord) -> Result<(), StorageError> {
        insert_audit(&self.pool, e).await
    }

    async fn audit_log(&self, query: &AuditQuery<'_>) -> Result<Vec<AuditRecord>, StorageError> {
        let rows: Vec<AuditTuple> = sqlx::query_as(
            "SELECT id, at_us, actor, subject, action, outcome, ip, user_agent, reason, session_id
             FROM audit_events WHERE ($1 IS NULL OR actor = $1) AND ($2 IS NULL OR subject = $2)
             AND id < $3 ORDER BY id DESC LIMIT $4",
        )
        .bind(query.actor)
        .bind(query.subject)
        .bind(query.before_id.unwrap_or(i64::MAX))
        .bind(i64::from(query.limit))
        .fetch_all(&self.pool)
        .await
        .map_err(app_error)?;
        Ok(rows.into_iter().map(records::audit).collect())
    }
}
