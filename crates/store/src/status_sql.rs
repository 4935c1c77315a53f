//! Staff status changes and role grants: the SQL is the same text on both backends, so one
//! [`AccountStatusStore`] implementation is generated for each store type. On SQLite and on
//! PostgreSQL alike, each change is one transaction whose first statement is the guarded
//! `UPDATE`, so two concurrent changes of one account serialise on its row.

use async_trait::async_trait;
use okpay_app::ports::{AccountStatusStore, AuditRecord, OutboxMail, StatusChange, UserRecord};
use okpay_ledger::StorageError;

use crate::account_sql::REVOKE_ALL_SESSIONS;
use crate::error::app_error;
use crate::postgres::PgStore;
use crate::records::{self, UserTuple, user_columns};
use crate::sqlite::SqliteStore;
use crate::throttle_sql::CLEAR_FOR_USER;

/// The status a verified or unverified account returns to.
macro_rules! good_standing {
    () => {
        "CASE WHEN email_verified THEN 'active' ELSE 'pending_verification' END"
    };
}

/// The `UPDATE` that moves the account, guarded by the statuses the change may start from;
/// it affects no row when the change does not apply.
pub(crate) fn update(change: StatusChange) -> &'static str {
    match change {
        StatusChange::Freeze => {
            "UPDATE users SET status = 'frozen' WHERE id = $1 \
             AND status IN ('active', 'pending_verification', 'locked')"
        }
        StatusChange::Unfreeze => {
            concat!("UPDATE users SET status = ", good_standing!(), " WHERE id = $1 AND status = 'frozen'")
        }
        StatusChange::Unlock => {
            concat!("UPDATE users SET status = ", good_standing!(), " WHERE id = $1 AND status = 'locked'")
        }
    }
}

/// Retires the user's unused unlock links (`$2` = now).
pub(crate) const RETIRE_UNLOCK_TOKENS: &str = "UPDATE account_tokens SET used_at_us = $2 \
     WHERE user_id = $1 AND purpose = 'unlock' AND used_at_us IS NULL";

/// Adds role `$2` to the space-separated roles of user `$1` unless it is already there.
pub(crate) const GRANT_ROLE: &str = "UPDATE users SET roles = roles || ' ' || $2 \
     WHERE id = $1 AND (' ' || roles || ' ') NOT LIKE ('% ' || $2 || ' %')";

/// One user by id.
const USER: &str = concat!("SELECT ", user_columns!(), " FROM users WHERE id = $1");

/// The [`AccountStatusStore`] implementation for `$store`, whose backend module `$backend`
/// provides the mail and audit inserts of a change (inside its transaction).
macro_rules! impl_account_status_store {
    ($store:ty, $backend:ident) => {
        #[async_trait]
        impl AccountStatusStore for $store {
            async fn change_status(
                &self,
                user_id: &str,
                change: StatusChange,
                now_us: i64,
                mail: &OutboxMail,
                audit: &AuditRecord,
            ) -> Result<Option<UserRecord>, StorageError> {
                let _turn = self.write_turn().await;
                let mut tx = self.pool.begin().await.map_err(app_error)?;
                let moved = sqlx::query(update(change)).bind(user_id).execute(&mut *tx).await.map_err(app_error)?;
                if moved.rows_affected() != 1 {
                    return Ok(None); // dropping the transaction rolls it back
                }
                match change {
                    StatusChange::Freeze => {
                        sqlx::query(REVOKE_ALL_SESSIONS)
                            .bind(user_id)
                            .bind(true)
                            .execute(&mut *tx)
                            .await
                            .map_err(app_error)?;
                    }
                    StatusChange::Unfreeze => {
                        sqlx::query(CLEAR_FOR_USER).bind(user_id).execute(&mut *tx).await.map_err(app_error)?;
                    }
                    StatusChange::Unlock => {
                        sqlx::query(CLEAR_FOR_USER).bind(user_id).execute(&mut *tx).await.map_err(app_error)?;
                        sqlx::query(RETIRE_UNLOCK_TOKENS)
                            .bind(user_id)
                            .bind(now_us)
                            .execute(&mut *tx)
                            .await
                            .map_err(app_error)?;
                    }
                }
                crate::account_sql::$backend::insert_mail(&mut tx, mail).await?;
                crate::audit_sql::$backend::insert_audit(&mut *tx, audit).await?;
                let user: UserTuple =
                    sqlx::query_as(USER).bind(user_id).fetch_one(&mut *tx).await.map_err(app_error)?;
                tx.commit().await.map_err(app_error)?;
                Ok(Some(records::user(user)))
            }

            async fn grant_role(&self, user_id: &str, role: &str) -> Result<Option<UserRecord>, StorageError> {
                let turn = self.write_turn().await;
                sqlx::query(GRANT_ROLE).bind(user_id).bind(role).execute(&self.pool).await.map_err(app_error)?;
                drop(turn);
                let user: Option<UserTuple> =
                    sqlx::query_as(USER).bind(user_id).fetch_optional(&self.pool).await.map_err(app_error)?;
                Ok(user.map(records::user))
            }
        }
    };
}

impl_account_status_store!(SqliteStore, sqlite);
impl_account_status_store!(PgStore, postgres);
