//! [`AuditStore`] for both backends: the statements are the same text on SQLite and
//! PostgreSQL, so one implementation is generated for each store type, with the backend's own
//! [`sqlite::insert_audit`] and [`postgres::insert_audit`] (the executor names its database).

use async_trait::async_trait;
use okpay_app::ports::{AuditQuery, AuditRecord, AuditStore};
use okpay_ledger::StorageError;

use crate::error::app_error;
use crate::postgres::PgStore;
use crate::records::{self, AuditTuple};
use crate::sqlite::SqliteStore;

/// Appends one audit event.
const INSERT: &str =
    "INSERT INTO audit_events (at_us, actor, subject, action, outcome, ip, user_agent, reason, session_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

/// A page of audit events, newest first, optionally of one actor and/or subject, before id `$3`.
const LOG: &str = "SELECT id, at_us, actor, subject, action, outcome, ip, user_agent, reason, session_id
             FROM audit_events WHERE ($1 IS NULL OR actor = $1) AND ($2 IS NULL OR subject = $2)
             AND id < $3 ORDER BY id DESC LIMIT $4";

/// The [`AuditStore`] implementation for `$store`, and the module `$backend` holding the
/// `insert_audit` that other writes of that backend call inside their transactions (`$db` is
/// the backend's sqlx database type).
macro_rules! impl_audit_store {
    ($store:ty, $db:ty, $backend:ident) => {
        /// Audit inserts of one backend.
        pub(crate) mod $backend {
            use super::*;

            /// Appends `e` on `executor`: the pool, or the transaction of the action it records.
            pub(crate) async fn insert_audit<'c>(
                executor: impl sqlx::Executor<'c, Database = $db>,
                e: &AuditRecord,
            ) -> Result<(), StorageError> {
                sqlx::query(INSERT)
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
        }

        #[async_trait]
        impl AuditStore for $store {
            async fn record_audit(&self, e: &AuditRecord) -> Result<(), StorageError> {
                let _turn = self.write_turn().await;
                $backend::insert_audit(&self.pool, e).await
            }

            async fn audit_log(&self, query: &AuditQuery<'_>) -> Result<Vec<AuditRecord>, StorageError> {
                let rows: Vec<AuditTuple> = sqlx::query_as(LOG)
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
    };
}

impl_audit_store!(SqliteStore, sqlx::Sqlite, sqlite);
impl_audit_store!(PgStore, sqlx::Postgres, postgres);
