//! [`ProfileStore`] for both backends: the statements are the same text on SQLite and
//! PostgreSQL, so one implementation is generated for each store type.

use async_trait::async_trait;
use okpay_app::ports::{ProfileStore, SupportPin, UserRecord};
use okpay_ledger::StorageError;

use crate::error::app_error;
use crate::postgres::PgStore;
use crate::records::{self, UserTuple, user_columns};
use crate::sqlite::SqliteStore;

/// The [`ProfileStore`] implementation for `$store`.
macro_rules! impl_profile_store {
    ($store:ty) => {
        #[async_trait]
        impl ProfileStore for $store {
            async fn update_profile(
                &self,
                user_id: &str,
                name: Option<&str>,
                locale: Option<&str>,
            ) -> Result<Option<UserRecord>, StorageError> {
                let turn = self.write_turn().await;
                let row: Option<UserTuple> = sqlx::query_as(concat!(
                    "UPDATE users SET name = COALESCE($2, name), locale = COALESCE($3, locale) WHERE id = $1 RETURNING ",
                    user_columns!()
                ))
                .bind(user_id)
                .bind(name)
                .bind(locale)
                .fetch_optional(&self.pool)
                .await
                .map_err(app_error)?;
                drop(turn);
                Ok(row.map(records::user))
            }

            async fn replace_support_pin(&self, pin: &SupportPin) -> Result<(), StorageError> {
                let turn = self.write_turn().await;
                sqlx::query(
                    "INSERT INTO support_pins (user_id, pin_hash, created_at_us, expires_at_us, failed_attempts) \
                     VALUES ($1, $2, $3, $4, 0) ON CONFLICT (user_id) DO UPDATE SET pin_hash = excluded.pin_hash, \
                     created_at_us = excluded.created_at_us, expires_at_us = excluded.expires_at_us, failed_attempts = 0",
                )
                .bind(&pin.user_id)
                .bind(&pin.pin_hash)
                .bind(pin.created_at_us)
                .bind(pin.expires_at_us)
                .execute(&self.pool)
                .await
                .map_err(app_error)?;
                drop(turn);
                Ok(())
            }

            async fn support_pin(&self, user_id: &str) -> Result<Option<SupportPin>, StorageError> {
                let row: Option<(String, String, i64, i64, i64)> = sqlx::query_as(
                    "SELECT user_id, pin_hash, created_at_us, expires_at_us, failed_attempts FROM support_pins \
                     WHERE user_id = $1",
                )
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await
                .map_err(app_error)?;
                Ok(row.map(|(user_id, pin_hash, created_at_us, expires_at_us, failed_attempts)| SupportPin {
                    user_id,
                    pin_hash,
                    created_at_us,
                    expires_at_us,
                    failed_attempts,
                }))
            }
        }
    };
}

impl_profile_store!(SqliteStore);
impl_profile_store!(PgStore);
