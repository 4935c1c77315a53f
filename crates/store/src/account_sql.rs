//! Account tokens and the [`AccountStore`]: the SQL is the same text on both backends, so one
//! implementation, with the helpers other stores call inside their transactions, is generated
//! for each store type (in a module named after the backend: [`sqlite`], [`postgres`]).
//!
//! Each [`AccountStore`] method is one transaction. On SQLite its first statement writes, so it
//! takes the write lock at once. On PostgreSQL (READ COMMITTED) the conditional `UPDATE` of the
//! token row serialises two redemptions of the same token.

use async_trait::async_trait;
use okpay_app::ports::{AccountStore, AccountToken, OutboxMail, Redemption, TokenPurpose, UserRecord};
use okpay_ledger::StorageError;

use crate::error::app_error;
use crate::outbox_rows;
use crate::postgres::PgStore;
use crate::records::{self, UserTuple, user_columns};
use crate::sqlite::SqliteStore;
use crate::throttle_sql;

/// A user's status once a temporary lock is lifted (a freeze or closure is left alone).
macro_rules! unlocked_status {
    () => {
        "CASE WHEN status = 'locked' THEN (CASE WHEN email_verified THEN 'active' ELSE 'pending_verification' END) \
         ELSE status END"
    };
}

/// Inserts a token.
pub(crate) const INSERT_TOKEN: &str = "INSERT INTO account_tokens (token_hash, purpose, user_id, created_at_us, \
     expires_at_us, used_at_us) VALUES ($1, $2, $3, $4, $5, NULL)";
/// One token by hash.
pub(crate) const TOKEN: &str = "SELECT token_hash, purpose, user_id, created_at_us, expires_at_us, used_at_us \
     FROM account_tokens WHERE token_hash = $1";
/// Marks a redeemable token used; returns its user.
pub(crate) const USE_TOKEN: &str = "UPDATE account_tokens SET used_at_us = $3 WHERE token_hash = $1 AND purpose = $2 \
     AND used_at_us IS NULL AND expires_at_us > $3 RETURNING user_id";
/// Retires the user's other unused tokens of the purpose.
pub(crate) const RETIRE_TOKENS: &str =
    "UPDATE account_tokens SET used_at_us = $3 WHERE user_id = $1 AND purpose = $2 AND used_at_us IS NULL";
/// Marks the email verified.
pub(crate) const VERIFY_EMAIL: &str = "UPDATE users SET email_verified = $2, \
     status = CASE WHEN status = 'pending_verification' THEN 'active' ELSE status END WHERE id = $1";
/// Sets a new password and lifts a temporary lock.
pub(crate) const SET_PASSWORD: &str =
    concat!("UPDATE users SET password_hash = $2, status = ", unlocked_status!(), " WHERE id = $1");
/// Lifts a temporary lock.
pub(crate) const UNLOCK: &str = concat!("UPDATE users SET status = ", unlocked_status!(), " WHERE id = $1");
/// Lifts a lock whose address is no longer locked at `$2`.
pub(crate) const LIFT_EXPIRED_LOCK: &str = concat!(
    "UPDATE users SET status = ",
    unlocked_status!(),
    " WHERE id = $1 AND status = 'locked' AND NOT EXISTS (SELECT 1 FROM sign_in_throttle t ",
    "WHERE t.email = users.email AND t.locked_until_us > $2)"
);
/// Ends every session of a user.
pub(crate) const REVOKE_ALL_SESSIONS: &str = "UPDATE sessions SET revoked = $2 WHERE user_id = $1 AND NOT revoked";

/// An `account_tokens` row.
pub(crate) type TokenTuple = (String, String, String, i64, i64, Option<i64>);

/// Decodes an `account_tokens` row.
pub(crate) fn token(t: TokenTuple) -> okpay_app::ports::AccountToken {
    let (token_hash, purpose, user_id, created_at_us, expires_at_us, used_at_us) = t;
    okpay_app::ports::AccountToken { token_hash, purpose, user_id, created_at_us, expires_at_us, used_at_us }
}

/// The module `$backend` of `$store` (whose sqlx database type is `$db`): the token and mail
/// inserts other stores of that backend call inside their transactions, and the
/// [`AccountStore`] implementation.
macro_rules! impl_account_store {
    ($store:ty, $db:ty, $backend:ident) => {
        /// Account tokens and outgoing mail of one backend.
        pub(crate) mod $backend {
            use super::*;
            use crate::account_sql as q;

            type Tx<'a> = sqlx::Transaction<'a, $db>;

            /// Inserts the account token `t` inside the transaction `tx`.
            pub(crate) async fn insert_token(tx: &mut Tx<'_>, t: &AccountToken) -> Result<(), StorageError> {
                sqlx::query(q::INSERT_TOKEN)
                    .bind(&t.token_hash)
                    .bind(&t.purpose)
                    .bind(&t.user_id)
                    .bind(t.created_at_us)
                    .bind(t.expires_at_us)
                    .execute(&mut **tx)
                    .await
                    .map_err(app_error)?;
                Ok(())
            }

            /// Queues the outgoing mail `m` in the outbox, inside the transaction `tx`.
            pub(crate) async fn insert_mail(tx: &mut Tx<'_>, m: &OutboxMail) -> Result<(), StorageError> {
                sqlx::query(outbox_rows::INSERT)
                    .bind(&m.id)
                    .bind(&m.to)
                    .bind(&m.kind)
                    .bind(&m.subject)
                    .bind(&m.text)
                    .bind(&m.html)
                    .bind(m.created_at_us)
                    .execute(&mut **tx)
                    .await
                    .map_err(app_error)?;
                Ok(())
            }

            async fn exec(tx: &mut Tx<'_>, sql: &'static str, id: &str) -> Result<(), StorageError> {
                sqlx::query(sql).bind(id).execute(&mut **tx).await.map_err(app_error)?;
                Ok(())
            }

            #[async_trait]
            impl AccountStore for $store {
                async fn create_user(
                    &self,
                    u: &UserRecord,
                    token: &AccountToken,
                    mail: &OutboxMail,
                ) -> Result<bool, StorageError> {
                    let _turn = self.write_turn().await;
                    let mut tx = self.pool.begin().await.map_err(app_error)?;
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
                    .execute(&mut *tx)
                    .await
                    .map_err(app_error)?;
                    if done.rows_affected() != 1 {
                        return Ok(false); // dropping the transaction rolls it back
                    }
                    insert_token(&mut tx, token).await?;
                    insert_mail(&mut tx, mail).await?;
                    tx.commit().await.map_err(app_error)?;
                    Ok(true)
                }

                async fn issue_token(&self, token: &AccountToken, mail: &OutboxMail) -> Result<(), StorageError> {
                    let _turn = self.write_turn().await;
                    let mut tx = self.pool.begin().await.map_err(app_error)?;
                    insert_token(&mut tx, token).await?;
                    insert_mail(&mut tx, mail).await?;
                    tx.commit().await.map_err(app_error)
                }

                async fn account_token(&self, token_hash: &str) -> Result<Option<AccountToken>, StorageError> {
                    let row: Option<TokenTuple> = sqlx::query_as(q::TOKEN)
                        .bind(token_hash)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(app_error)?;
                    Ok(row.map(q::token))
                }

                async fn redeem_token(
                    &self,
                    token_hash: &str,
                    purpose: TokenPurpose,
                    now_us: i64,
                    redemption: &Redemption,
                    mail: Option<&OutboxMail>,
                ) -> Result<Option<UserRecord>, StorageError> {
                    let _turn = self.write_turn().await;
                    let mut tx = self.pool.begin().await.map_err(app_error)?;
                    let used: Option<(String,)> = sqlx::query_as(q::USE_TOKEN)
                        .bind(token_hash)
                        .bind(purpose.as_str())
                        .bind(now_us)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(app_error)?;
                    let Some((user_id,)) = used else { return Ok(None) };
                    sqlx::query(q::RETIRE_TOKENS)
                        .bind(&user_id)
                        .bind(purpose.as_str())
                        .bind(now_us)
                        .execute(&mut *tx)
                        .await
                        .map_err(app_error)?;
                    match redemption {
                        Redemption::VerifyEmail => {
                            sqlx::query(q::VERIFY_EMAIL)
                                .bind(&user_id)
                                .bind(true)
                                .execute(&mut *tx)
                                .await
                                .map_err(app_error)?;
                        }
                        Redemption::ResetPassword { password_hash } => {
                            sqlx::query(q::SET_PASSWORD)
                                .bind(&user_id)
                                .bind(password_hash)
                                .execute(&mut *tx)
                                .await
                                .map_err(app_error)?;
                            exec(&mut tx, throttle_sql::CLEAR_FOR_USER, &user_id).await?;
                            sqlx::query(q::REVOKE_ALL_SESSIONS)
                                .bind(&user_id)
                                .bind(true)
                                .execute(&mut *tx)
                                .await
                                .map_err(app_error)?;
                        }
                        Redemption::Unlock => {
                            exec(&mut tx, q::UNLOCK, &user_id).await?;
                            exec(&mut tx, throttle_sql::CLEAR_FOR_USER, &user_id).await?;
                        }
                    }
                    if let Some(m) = mail {
                        insert_mail(&mut tx, m).await?;
                    }
                    let user: UserTuple =
                        sqlx::query_as(concat!("SELECT ", user_columns!(), " FROM users WHERE id = $1"))
                            .bind(&user_id)
                            .fetch_one(&mut *tx)
                            .await
                            .map_err(app_error)?;
                    tx.commit().await.map_err(app_error)?;
                    Ok(Some(records::user(user)))
                }
            }
        }
    };
}

impl_account_store!(SqliteStore, sqlx::Sqlite, sqlite);
impl_account_store!(PgStore, sqlx::Postgres, postgres);
