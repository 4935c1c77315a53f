//! [`TwoFactorStore`] for both backends: the statements are the same text on SQLite and
//! PostgreSQL, so one implementation is generated for each store type.

use async_trait::async_trait;
use okpay_app::ports::{TotpRecord, TwoFactorStore};
use okpay_ledger::StorageError;

use crate::error::app_error;
use crate::postgres::PgStore;
use crate::sqlite::SqliteStore;

/// Starts a set-up: replaces an unconfirmed one, never touches a confirmed one.
const BEGIN_TOTP: &str =
    "INSERT INTO user_totp (user_id, secret, confirmed, last_step, created_at_us) VALUES ($1, $2, false, 0, $3)
             ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, created_at_us = excluded.created_at_us
             WHERE NOT user_totp.confirmed";

/// Confirms the set-up of this secret, recording the step of the code that confirmed it.
const CONFIRM_TOTP: &str = "UPDATE user_totp SET confirmed = true, last_step = $3
             WHERE user_id = $1 AND secret = $2 AND NOT confirmed";

/// Marks an unused recovery code used (`$3` = now).
const USE_RECOVERY_CODE: &str = "UPDATE recovery_codes SET used_at_us = $3
             WHERE user_id = $1 AND code_hash = $2 AND used_at_us IS NULL";

/// The [`TwoFactorStore`] implementation for `$store`.
macro_rules! impl_two_factor_store {
    ($store:ty) => {
        #[async_trait]
        impl TwoFactorStore for $store {
            async fn totp(&self, user_id: &str) -> Result<Option<TotpRecord>, StorageError> {
                let row: Option<(String, bool, i64)> =
                    sqlx::query_as("SELECT secret, confirmed, last_step FROM user_totp WHERE user_id = $1")
                        .bind(user_id)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(app_error)?;
                Ok(row.map(|(secret, confirmed, last_step)| TotpRecord { secret, confirmed, last_step }))
            }

            async fn begin_totp(&self, user_id: &str, secret: &str, now_us: i64) -> Result<bool, StorageError> {
                // Replaces an unconfirmed set-up; never touches a confirmed one.
                let turn = self.write_turn().await;
                let done = sqlx::query(BEGIN_TOTP)
                    .bind(user_id)
                    .bind(secret)
                    .bind(now_us)
                    .execute(&self.pool)
                    .await
                    .map_err(app_error)?;
                drop(turn);
                Ok(done.rows_affected() == 1)
            }

            async fn confirm_totp(
                &self,
                user_id: &str,
                secret: &str,
                step: i64,
                recovery_hashes: &[String],
            ) -> Result<bool, StorageError> {
                let _turn = self.write_turn().await;
                let mut tx = self.pool.begin().await.map_err(app_error)?;
                let done = sqlx::query(CONFIRM_TOTP)
                    .bind(user_id)
                    .bind(secret)
                    .bind(step)
                    .execute(&mut *tx)
                    .await
                    .map_err(app_error)?;
                if done.rows_affected() != 1 {
                    return Ok(false);
                }
                sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(app_error)?;
                for hash in recovery_hashes {
                    sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                        .bind(user_id)
                        .bind(hash)
                        .execute(&mut *tx)
                        .await
                        .map_err(app_error)?;
                }
                tx.commit().await.map_err(app_error)?;
                Ok(true)
            }

            async fn use_totp_step(&self, user_id: &str, step: i64) -> Result<bool, StorageError> {
                // Conditional update: two requests with the same code cannot both win.
                let turn = self.write_turn().await;
                let done = sqlx::query(
                    "UPDATE user_totp SET last_step = $2 WHERE user_id = $1 AND confirmed AND last_step < $2",
                )
                .bind(user_id)
                .bind(step)
                .execute(&self.pool)
                .await
                .map_err(app_error)?;
                drop(turn);
                Ok(done.rows_affected() == 1)
            }

            async fn use_recovery_code(
                &self,
                user_id: &str,
                code_hash: &str,
                now_us: i64,
            ) -> Result<bool, StorageError> {
                let turn = self.write_turn().await;
                let done = sqlx::query(USE_RECOVERY_CODE)
                    .bind(user_id)
                    .bind(code_hash)
                    .bind(now_us)
                    .execute(&self.pool)
                    .await
                    .map_err(app_error)?;
                drop(turn);
                Ok(done.rows_affected() == 1)
            }

            async fn recovery_codes_left(&self, user_id: &str) -> Result<u32, StorageError> {
                let n: i64 =
                    sqlx::query_scalar("SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at_us IS NULL")
                        .bind(user_id)
                        .fetch_one(&self.pool)
                        .await
                        .map_err(app_error)?;
                Ok(u32::try_from(n).unwrap_or(u32::MAX))
            }

            async fn delete_totp(&self, user_id: &str) -> Result<(), StorageError> {
                let _turn = self.write_turn().await;
                let mut tx = self.pool.begin().await.map_err(app_error)?;
                for sql in ["DELETE FROM recovery_codes WHERE user_id = $1", "DELETE FROM user_totp WHERE user_id = $1"]
                {
                    sqlx::query(sql).bind(user_id).execute(&mut *tx).await.map_err(app_error)?;
                }
                tx.commit().await.map_err(app_error)
            }
        }
    };
}

impl_two_factor_store!(SqliteStore);
impl_two_factor_store!(PgStore);
