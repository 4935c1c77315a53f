//! [`AuditStore`] on PostgreSQL.

use async_trait::async_trait;
use okpay_app::ports::{AuditRecord, AuditStore};
use okpay_ledger::StorageError;

use super::PgStore;
use crate::error::app_error;
use crate::records::{self, AuditTuple};

#[async_trait]
impl AuditStore for PgStore {
    async fn record_audit(&self, e: &AuditRecord) -> Result<(), StorageError> {
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
        .execute(&self.pool)
        .await
        .map_err(app_error)?;
        Ok(())
    }

    async fn audit_of(
        &self,
        subject: &str,
        before_id: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AuditRecord>, StorageError> {
        let rows: Vec<AuditTuple> = sqlx::query_as(
            "SELECT id, at_us, actor, subject, action, outcome, ip, user_agent, reason, session_id
             FROM audit_events WHERE subject = $1 AND id < $2 ORDER BY id DESC LIMIT $3",
        )
        .bind(subject)
        .bind(before_id.unwrap_or(i64::MAX))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(app_error)?;
        Ok(rows.into_iter().map(records::audit).collect())
    }
}
