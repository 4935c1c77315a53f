//! [`SessionStore`] for both backends: the statements are the same text on SQLite and
//! PostgreSQL, so one implementation is generated for each store type.

use std::collections::HashMap;

use async_trait::async_trait;
use okpay_app::ports::{SessionRecord, SessionStore, SessionUser};
use okpay_ledger::StorageError;
use sqlx::{FromRow, PgPool, Row};

use crate::error::app_error;
use crate::postgres::PgStore;
use crate::records::{self, SessionTuple, SessionUserTuple, session_columns, session_user_columns};
use crate::sqlite::SqliteStore;

/// A session joined with its user, by token hash.
const SESSION_USER: &str = concat!(
    "SELECT ",
    session_user_columns!(),
    " FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND NOT s.revoked"
);

/// [`SESSION_USER`] for many token hashes in one statement, each row followed by its hash
/// (read by name: no column of the tuple is called `token_hash`) to tell the rows apart.
const SESSION_USERS_PG: &str = concat!(
    "SELECT ",
    session_user_columns!(),
    ", s.token_hash FROM sessions s JOIN users u ON u.id = s.user_id \
     WHERE s.token_hash = ANY($1) AND NOT s.revoked"
);

impl SqliteStore {
    /// A point read on the calling thread (see `point_read`).
    async fn session_user_of(&self, token_hash: &str) -> Result<Option<SessionUser>, StorageError> {
        let row: Option<SessionUserTuple> = self.read_optional(SESSION_USER, &[token_hash.into()]).await?;
        Ok(row.map(records::session_user))
    }
}

impl PgStore {
    /// Joins the batch of session reads waiting now: one statement for the signed-in requests
    /// that arrived together (see [`session_users_pg`]).
    async fn session_user_of(&self, token_hash: &str) -> Result<Option<SessionUser>, StorageError> {
        self.session_reads.call(token_hash.to_owned()).await
    }
}

/// The sessions of `hashes` with their users, in the order of `hashes` (`None`: no live
/// session has that hash). One statement for the batch: on PostgreSQL every statement is a
/// round trip and a turn of a server process, and each signed-in request needs this read.
pub(crate) async fn session_users_pg(
    pool: &PgPool,
    hashes: Vec<String>,
) -> Result<Vec<Option<SessionUser>>, StorageError> {
    let rows = sqlx::query(SESSION_USERS_PG).bind(&hashes).fetch_all(pool).await.map_err(app_error)?;
    let mut found = HashMap::with_capacity(rows.len());
    for row in &rows {
        let hash: String = row.try_get("token_hash").map_err(app_error)?;
        let tuple = SessionUserTuple::from_row(row).map_err(app_error)?;
        found.insert(hash, records::session_user(tuple));
    }
    Ok(hashes.iter().map(|h| found.get(h).cloned()).collect())
}

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
                // Every signed-in request reads this (see `session_user_of`).
                self.session_user_of(token_hash).await
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
