//! [`AccountStatusStore`] on PostgreSQL: each change is one transaction whose first statement
//! is the guarded `UPDATE`, so two concurrent changes of one account serialise on its row.

use async_trait::async_trait;
use okpay_app::ports::{AccountStatusStore, AuditRecord, OutboxMail, StatusChange, UserRecord};
use okpay_ledger::StorageError;

use super::PgStore;
use super::accounts::insert_mail;
use super::audit::insert_audit;
use crate::account_sql::REVOKE_ALL_SESSIONS;
use crate::error::app_error;
use crate::records::{self, UserTuple, user_columns};
use crate::status_sql::{self as q, update};
use crate::throttle_sql::CLEAR_FOR_USER;

const USER: &str = concat!("SELECT ", user_columns!(), " FROM users WHERE id = $1");

#[async_trait]
impl AccountStatusStore for PgStore {
    async fn change_status(
        &self,
        user_id: &str,
        change: StatusChange,
        now_us: i64,
        mail: &OutboxMail,
        audit: &AuditRecord,
    ) -> Result<Option<UserRecord>, StorageError> {
        let mut tx = self.pool.begin().await.map_err(app_error)?;
        let moved = sqlx::query(update(change)).bind(user_id).execute(&mut *tx).await.map_err(app_error)?;
        if moved.rows_affected() != 1 {
            return Ok(None); // dropping the transaction rolls it back
        }
        match change {
            StatusChange::Freeze => {
                sqlx::query(REVOKE_ALL_SESSIONS).bind(user_id).bind(true).execute(&mut *tx).await.map_err(app_error)?;
            }
            StatusChange::Unfreeze => {
                sqlx::query(CLEAR_FOR_USER).bind(user_id).execute(&mut *tx).await.map_err(app_error)?;
            }
            StatusChange::Unlock => {
                sqlx::query(CLEAR_FOR_USER).bind(user_id).execute(&mut *tx).await.map_err(app_error)?;
                sqlx::query(q::RETIRE_UNLOCK_TOKENS)
                    .bind(user_id)
                    .bind(now_us)
                    .execute(&mut *tx)
                    .await
                    .map_err(app_error)?;
            }
        }
        insert_mail(&mut tx, mail).await?;
        insert_audit(&mut *tx, audit).await?;
        let user: UserTuple = sqlx::query_as(USER).bind(user_id).fetch_one(&mut *tx).await.map_err(app_error)?;
        tx.commit().await.map_err(app_error)?;
        Ok(Some(records::user(user)))
    }

    async fn grant_role(&self, user_id: &str, role: &str) -> Result<Option<UserRecord>, StorageError> {
        sqlx::query(q::GRANT_ROLE).bind(user_id).bind(role).execute(&self.pool).await.map_err(app_error)?;
        let user: Option<UserTuple> =
            sqlx::query_as(USER).bind(user_id).fetch_optional(&self.pool).await.map_err(app_error)?;
        Ok(user.map(records::user))
    }
}
