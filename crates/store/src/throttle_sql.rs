//! The sign-in throttle: its SQL is the same text on both backends, so one
//! [`SignInThrottleStore`] implementation is generated for each store type.

use async_trait::async_trait;
use okpay_app::ports::{AccountLock, SignInThrottleStore, UserRecord};
use okpay_ledger::StorageError;

use crate::account_sql;
use crate::error::app_error;
use crate::postgres::PgStore;
use crate::records::{self, UserTuple, user_columns};
use crate::sqlite::SqliteStore;

/// Until when an address is locked.
pub(crate) const LOCKED_UNTIL: &str = "SELECT locked_until_us FROM sign_in_throttle WHERE email = $1";
/// Counts a failure: a window older than `$3` (now − window) restarts at `$2` (now).
pub(crate) const RECORD_FAILURE: &str = "INSERT INTO sign_in_throttle (email, window_start_us, failures, \
     locked_until_us) VALUES ($1, $2, 1, 0) ON CONFLICT (email) DO UPDATE SET \
     failures = CASE WHEN sign_in_throttle.window_start_us <= $3 THEN 1 ELSE sign_in_throttle.failures + 1 END, \
     window_start_us = CASE WHEN sign_in_throttle.window_start_us <= $3 THEN $2 \
     ELSE sign_in_throttle.window_start_us END RETURNING failures";
/// Locks an address and restarts its count.
pub(crate) const LOCK: &str = "INSERT INTO sign_in_throttle (email, window_start_us, failures, locked_until_us) \
     VALUES ($1, $2, 0, $3) ON CONFLICT (email) DO UPDATE SET window_start_us = $2, failures = 0, locked_until_us = $3";
/// Locks an account in good standing.
pub(crate) const LOCK_ACCOUNT: &str =
    "UPDATE users SET status = 'locked' WHERE id = $1 AND status IN ('active', 'pending_verification')";
/// Forgets an address's failures and lock.
pub(crate) const CLEAR: &str = "DELETE FROM sign_in_throttle WHERE email = $1";
/// Forgets the failures and lock of a user's address.
pub(crate) const CLEAR_FOR_USER: &str =
    "DELETE FROM sign_in_throttle WHERE email = (SELECT email FROM users WHERE id = $1)";

/// The [`SignInThrottleStore`] implementation for `$store`, whose backend module `$backend`
/// provides the token and mail inserts of a lock (inside its transaction).
macro_rules! impl_sign_in_throttle_store {
    ($store:ty, $backend:ident) => {
        #[async_trait]
        impl SignInThrottleStore for $store {
            async fn sign_in_locked_until(&self, email: &str) -> Result<Option<i64>, StorageError> {
                let row: Option<(i64,)> =
                    sqlx::query_as(LOCKED_UNTIL).bind(email).fetch_optional(&self.pool).await.map_err(app_error)?;
                Ok(row.map(|(t,)| t))
            }

            async fn record_sign_in_failure(
                &self,
                email: &str,
                now_us: i64,
                window_us: i64,
            ) -> Result<i64, StorageError> {
                let turn = self.write_turn().await;
                let (failures,): (i64,) = sqlx::query_as(RECORD_FAILURE)
                    .bind(email)
                    .bind(now_us)
                    .bind(now_us.saturating_sub(window_us))
                    .fetch_one(&self.pool)
                    .await
                    .map_err(app_error)?;
                drop(turn);
                Ok(failures)
            }

            async fn lock_sign_in(
                &self,
                email: &str,
                now_us: i64,
                until_us: i64,
                account: Option<AccountLock<'_>>,
            ) -> Result<bool, StorageError> {
                let _turn = self.write_turn().await;
                let mut tx = self.pool.begin().await.map_err(app_error)?;
                sqlx::query(LOCK).bind(email).bind(now_us).bind(until_us).execute(&mut *tx).await.map_err(app_error)?;
                let mut locked = false;
                if let Some(a) = account {
                    let done = sqlx::query(LOCK_ACCOUNT).bind(a.user_id).execute(&mut *tx).await.map_err(app_error)?;
                    locked = done.rows_affected() == 1;
                    if locked {
                        crate::account_sql::$backend::insert_token(&mut tx, a.token).await?;
                        crate::account_sql::$backend::insert_mail(&mut tx, a.mail).await?;
                    }
                }
                tx.commit().await.map_err(app_error)?;
                Ok(locked)
            }

            async fn clear_sign_in_failures(&self, email: &str) -> Result<(), StorageError> {
                let turn = self.write_turn().await;
                sqlx::query(CLEAR).bind(email).execute(&self.pool).await.map_err(app_error)?;
                drop(turn);
                Ok(())
            }

            async fn lift_expired_lock(&self, user_id: &str, now_us: i64) -> Result<Option<UserRecord>, StorageError> {
                let turn = self.write_turn().await;
                sqlx::query(account_sql::LIFT_EXPIRED_LOCK)
                    .bind(user_id)
                    .bind(now_us)
                    .execute(&self.pool)
                    .await
                    .map_err(app_error)?;
                drop(turn);
                let row: Option<UserTuple> =
                    sqlx::query_as(concat!("SELECT ", user_columns!(), " FROM users WHERE id = $1"))
                        .bind(user_id)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(app_error)?;
                Ok(row.map(records::user))
            }
        }
    };
}

impl_sign_in_throttle_store!(SqliteStore, sqlite);
impl_sign_in_throttle_store!(PgStore, postgres);
