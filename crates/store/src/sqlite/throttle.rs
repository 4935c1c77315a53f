//! [`SignInThrottleStore`] on SQLite.

use async_trait::async_trait;
use okpay_app::ports::{AccountLock, SignInThrottleStore, UserRecord};
use okpay_ledger::StorageError;

use super::SqliteStore;
use super::accounts::{insert_mail, insert_token};
use crate::account_sql;
use crate::error::app_error;
use crate::records::{self, UserTuple, user_columns};
use crate::throttle_sql as q;

#[async_trait]
impl SignInThrottleStore for SqliteStore {
    async fn sign_in_locked_until(&self, email: &str) -> Result<Option<i64>, StorageError> {
        let row: Option<(i64,)> =
            sqlx::query_as(q::LOCKED_UNTIL).bind(email).fetch_optional(&self.pool).await.map_err(app_error)?;
        Ok(row.map(|(t,)| t))
    }

    async fn record_sign_in_failure(&self, email: &str, now_us: i64, window_us: i64) -> Result<i64, StorageError> {
        let (failures,): (i64,) = sqlx::query_as(q::RECORD_FAILURE)
            .bind(email)
            .bind(now_us)
            .bind(now_us.saturating_sub(window_us))
            .fetch_one(&self.pool)
            .await
            .map_err(app_error)?;
        Ok(failures)
    }

    async fn lock_sign_in(
        &self,
        email: &str,
        now_us: i64,
        until_us: i64,
        account: Option<AccountLock<'_>>,
    ) -> Result<bool, StorageError> {
        let mut tx = self.pool.begin().await.map_err(app_error)?;
        sqlx::query(q::LOCK).bind(email).bind(now_us).bind(until_us).execute(&mut *tx).await.map_err(app_error)?;
        let mut locked = false;
        if let Some(a) = account {
            let done = sqlx::query(q::LOCK_ACCOUNT).bind(a.user_id).execute(&mut *tx).await.map_err(app_error)?;
            locked = done.rows_affected() == 1;
            if locked {
                insert_token(&mut tx, a.token).await?;
                insert_mail(&mut tx, a.mail).await?;
            }
        }
        tx.commit().await.map_err(app_error)?;
        Ok(locked)
    }

    async fn clear_sign_in_failures(&self, email: &str) -> Result<(), StorageError> {
        sqlx::query(q::CLEAR).bind(email).execute(&self.pool).await.map_err(app_error)?;
        Ok(())
    }

    async fn lift_expired_lock(&self, user_id: &str, now_us: i64) -> Result<Option<UserRecord>, StorageError> {
        sqlx::query(account_sql::LIFT_EXPIRED_LOCK)
            .bind(user_id)
            .bind(now_us)
            .execute(&self.pool)
            .await
            .map_err(app_error)?;
        let row: Option<UserTuple> = sqlx::query_as(concat!("SELECT ", user_columns!(), " FROM users WHERE id = $1"))
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(app_error)?;
        Ok(row.map(records::user))
    }
}
