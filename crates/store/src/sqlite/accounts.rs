//! [`AccountStore`] on SQLite: each method is one transaction (its first statement writes,
//! so it takes the write lock at once).

use async_trait::async_trait;
use okpay_app::ports::{AccountStore, AccountToken, OutboxMail, Redemption, TokenPurpose, UserRecord};
use okpay_ledger::StorageError;

use super::SqliteStore;
use crate::account_sql::{self as q, TokenTuple};
use crate::error::app_error;
use crate::outbox_rows;
use crate::records::{self, UserTuple, user_columns};
use crate::throttle_sql;

type Tx<'a> = sqlx::Transaction<'a, sqlx::Sqlite>;

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
impl AccountStore for SqliteStore {
    async fn create_user(&self, u: &UserRecord, token: &AccountToken, mail: &OutboxMail) -> Result<bool, StorageError> {
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
        let mut tx = self.pool.begin().await.map_err(app_error)?;
        insert_token(&mut tx, token).await?;
        insert_mail(&mut tx, mail).await?;
        tx.commit().await.map_err(app_error)
    }

    async fn account_token(&self, token_hash: &str) -> Result<Option<AccountToken>, StorageError> {
        let row: Option<TokenTuple> =
            sqlx::query_as(q::TOKEN).bind(token_hash).fetch_optional(&self.pool).await.map_err(app_error)?;
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
                sqlx::query(q::VERIFY_EMAIL).bind(&user_id).bind(true).execute(&mut *tx).await.map_err(app_error)?;
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
        let user: UserTuple = sqlx::query_as(concat!("SELECT ", user_columns!(), " FROM users WHERE id = $1"))
            .bind(&user_id)
            .fetch_one(&mut *tx)
            .await
            .map_err(app_error)?;
        tx.commit().await.map_err(app_error)?;
        Ok(Some(records::user(user)))
    }
}
