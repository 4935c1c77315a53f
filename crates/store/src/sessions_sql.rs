//! [`SessionStore`] for both backends: the statements are the same text on SQLite and
//! PostgreSQL, so one implementation is generated for each store type.

use async_trait::async_trait;
use okpay_app::ports::{SessionRecord, SessionStore, SessionUser};
use okpay_ledger::StorageError;

use crate::error::app_error;
use crate::postgres::PgStore;
use crate::records::{self, SessionTuple, SessionUserTuple, session_columns, session_user_columns};
use crate::sqlite::SqliteStore;

/// The [`SessionStore`] implementation for `$store`.
macro_rules! impl_session_store {
    ($store:ty) => {
        #[async_trait]
        impl SessionStore for $store {
            async fn insert_session(&self, s: &SessionRecord) -> Result<(), StorageError> {
                let turn = self.write_turn().await;
                sqlx::query(concat!(
                    "INSERT INTO sessions (",
                    session_columns!(),
                    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
                ))
                .bind(&s.id)
                .bind(&s.user_id)
                .bind(&s.token_hash)
                .bind(&s.user_agent)
                .bind(&s.ip)
                .bind(s.created_at_us)
                .bind(s.last_seen_us)
                .bind(s.expires_at_us)
                .bind(s.revoked)
                .execute(&self.pool)
                .await
                .map_err(app_error)?;
                drop(turn);
                Ok(())
            }

            async fn session_by_token_hash(&self, token_hash: &str) -> Result<Option<SessionRecord>, StorageError> {
                let row: Option<SessionTuple> = sqlx::query_as(concat!(
                    "SELECT ",
                    session_columns!(),
                    " FROM sessions WHERE token_hash = $1 AND NOT revoked"
                ))
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await
                .map_err(app_error)?;
                Ok(row.map(records::session))
            }

            async fn session_user(&self, token_hash: &str) -> Result<Option<SessionUser>, StorageError> {
                // Every signed-in request reads this: a point read (see `point_read`).
                let row: Option<SessionUserTuple> = self
                    .read_optional(
                        concat!(
                            "SELECT ",
                            session_user_columns!(),
                            " FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND NOT s.revoked"
                        ),
                        &[token_hash.into()],
                    )
                    .await?;
                Ok(row.map(records::session_user))
            }

            async fn touch_session(&self, id: &str, now_us: i64) -> Result<(), StorageError> {
                // Never moves last_seen backwards when two requests race.
                let turn = self.write_turn().await;
                sqlx::query("UPDATE sessions SET last_seen_us = $2 WHERE id = $1 AND last_seen_us < $2")
                    .bind(id)
                    .bind(now_us)
                    .execute(&self.pool)
                    .await
                    .map_err(app_error)?;
                drop(turn);
                Ok(())
            }

            async fn live_sessions(
                &self,
                user_id: &str,
                now_us: i64,
                limit: u32,
            ) -> Result<Vec<SessionRecord>, StorageError> {
                let rows: Vec<SessionTuple> = sqlx::query_as(concat!(
                    "SELECT ",
                    session_columns!(),
                    " FROM sessions WHERE user_id = $1 AND NOT revoked AND expires_at_us > $2 ",
                    "ORDER BY last_seen_us DESC, id DESC LIMIT $3"
                ))
                .bind(user_id)
                .bind(now_us)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await
                .map_err(app_error)?;
                Ok(rows.into_iter().map(records::session).collect())
            }

            async fn revoke_session(&self, user_id: &str, id: &str) -> Result<bool, StorageError> {
                let turn = self.write_turn().await;
                let done =
                    sqlx::query("UPDATE sessions SET revoked = $3 WHERE id = $1 AND user_id = $2 AND NOT revoked")
                        .bind(id)
                        .bind(user_id)
                        .bind(true)
                        .execute(&self.pool)
                        .await
                        .map_err(app_error)?;
                drop(turn);
                Ok(done.rows_affected() == 1)
            }

            async fn revoke_other_sessions(&self, user_id: &str, keep: &str) -> Result<u64, StorageError> {
                let turn = self.write_turn().await;
                let done =
                    sqlx::query("UPDATE sessions SET revoked = $3 WHERE user_id = $1 AND id <> $2 AND NOT revoked")
                        .bind(user_id)
                        .bind(keep)
                        .bind(true)
                        .execute(&self.pool)
                        .await
                        .map_err(app_error)?;
                drop(turn);
                Ok(done.rows_affected())
            }
        }
    };
}

impl_session_store!(SqliteStore);
impl_session_store!(PgStore);
