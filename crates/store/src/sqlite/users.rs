//! [`UserStore`] on SQLite.

use async_trait::async_trait;
use okpay_app::ports::{UserRecord, UserStore};
use okpay_ledger::StorageError;

use super::SqliteStore;
use crate::error::app_error;
use crate::records::{self, UserTuple, user_columns};

#[async_trait]
impl UserStore for SqliteStore {
    async fn insert_user(&self, u: &UserRecord) -> Result<bool, StorageError> {
        // Only an email conflict means "already registered"; an id conflict is a bug and errors.
        let done = sqlx::query(concat!(
            "INSERT INTO users (",
            user_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (email) DO NOTHING"
        ))
        .bind(&u.id)
        .bind(&u.email)
        .bind(&u.name)
        .bind(&u.account_type)
        .bind(&u.status)
        .bind(u.email_verified)
        .bind(&u.locale)
        .bind(&u.password_hash)
        .bind(&u.roles)
        .bind(u.kyc_level)
        .bind(u.created_at_us)
        .execute(&self.pool)
        .await
        .map_err(app_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn user_by_email(&self, email: &str) -> Result<Option<UserRecord>, StorageError> {
        let row: Option<UserTuple> =
            sqlx::query_as(concat!("SELECT ", user_columns!(), " FROM users WHERE email = $1"))
                .bind(email)
                .fetch_optional(&self.pool)
                .await
                .map_err(app_error)?;
        Ok(row.map(records::user))
    }

    async fn user_by_id(&self, id: &str) -> Result<Option<UserRecord>, StorageError> {
        let row: Option<UserTuple> = sqlx::query_as(concat!("SELECT ", user_columns!(), " FROM users WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(app_error)?;
        Ok(row.map(records::user))
    }
}
