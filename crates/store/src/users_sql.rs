//! [`UserStore`] for both backends: the statements are the same text on SQLite and
//! PostgreSQL, so one implementation is generated for each store type.

use async_trait::async_trait;
use okpay_app::ports::{UserRecord, UserStore};
use okpay_ledger::StorageError;

use crate::error::app_error;
use crate::postgres::PgStore;
use crate::records::{self, UserTuple, user_columns};
use crate::sqlite::SqliteStore;

/// Users whose ids are in a JSON array of strings (SQLite).
const BY_IDS_SQLITE: &str =
    concat!("SELECT ", user_columns!(), " FROM users WHERE id IN (SELECT value FROM json_each($1))");
/// [`BY_IDS_SQLITE`] on PostgreSQL (the same JSON array).
const BY_IDS_PG: &str =
    concat!("SELECT ", user_columns!(), " FROM users WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb))");

/// The [`UserStore`] implementation for `$store`; `$by_ids` is its [`BY_IDS_SQLITE`] or
/// [`BY_IDS_PG`].
macro_rules! impl_user_store {
    ($store:ty, $by_ids:expr) => {
        #[async_trait]
        impl UserStore for $store {
            async fn insert_user(&self, u: &UserRecord) -> Result<bool, StorageError> {
                // Only an email conflict means "already registered"; an id conflict is a bug and errors.
                let turn = self.write_turn().await;
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
                drop(turn);
                Ok(done.rows_affected() == 1)
            }

            async fn user_by_email(&self, email: &str) -> Result<Option<UserRecord>, StorageError> {
                // A transfer's recipient: a point read (see `point_read`).
                let row: Option<UserTuple> = self
                    .read_optional(concat!("SELECT ", user_columns!(), " FROM users WHERE email = $1"), &[email.into()])
                    .await?;
                Ok(row.map(records::user))
            }

            async fn user_by_id(&self, id: &str) -> Result<Option<UserRecord>, StorageError> {
                let row: Option<UserTuple> = self
                    .read_optional(concat!("SELECT ", user_columns!(), " FROM users WHERE id = $1"), &[id.into()])
                    .await?;
                Ok(row.map(records::user))
            }

            async fn users_by_ids(&self, ids: &[&str]) -> Result<Vec<UserRecord>, StorageError> {
                if ids.is_empty() {
                    return Ok(Vec::new());
                }
                let rows: Vec<UserTuple> = sqlx::query_as($by_ids)
                    .bind(crate::rows::to_json(ids)?)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(app_error)?;
                Ok(rows.into_iter().map(records::user).collect())
            }
        }
    };
}

impl_user_store!(SqliteStore, BY_IDS_SQLITE);
impl_user_store!(PgStore, BY_IDS_PG);
