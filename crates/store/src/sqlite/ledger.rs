//! [`LedgerStore`] on SQLite: batches, accounts, verification.

use std::sync::Arc;

use async_trait::async_trait;
use okpay_domain::Currency;
use okpay_domain::time::now_us;
use okpay_ledger::{
    AccountId, AccountKind, AccountState, Command, LedgerStore, Outcome, Rejection, StorageError, VerifyReport,
};

use super::{SqliteStore, verify};
use crate::error::app_error;
use crate::snapshot::{self, AccountTuple};

#[async_trait]
impl LedgerStore for SqliteStore {
    async fn execute(&self, cmds: &[Command]) -> Result<Vec<Result<Outcome, Rejection>>, StorageError> {
        self.execute_shared(cmds.into()).await
    }

    /// The batch goes to the write connection's thread as it is, not copied.
    async fn execute_shared(&self, cmds: Arc<[Command]>) -> Result<Vec<Result<Outcome, Rejection>>, StorageError> {
        if cmds.is_empty() {
            return Ok(Vec::new());
        }
        let _turn = self.write_turn().await;
        self.ledger_writer.execute(cmds).await
    }

    async fn open_account(
        &self,
        owner: &str,
        currency: Currency,
        kind: AccountKind,
    ) -> Result<AccountId, StorageError> {
        // Two racing openers both succeed: the loser's insert does nothing, both read the row.
        let turn = self.write_turn().await;
        sqlx::query(
            "INSERT INTO accounts (owner, currency, kind, created_at_us) VALUES ($1, $2, $3, $4)
             ON CONFLICT (owner, currency) DO NOTHING",
        )
        .bind(owner)
        .bind(currency.code())
        .bind(kind.as_str())
        .bind(now_us())
        .execute(&self.pool)
        .await
        .map_err(app_error)?;
        drop(turn);
        let id: i64 = sqlx::query_scalar("SELECT id FROM accounts WHERE owner = $1 AND currency = $2")
            .bind(owner)
            .bind(currency.code())
            .fetch_one(&self.pool)
            .await
            .map_err(app_error)?;
        Ok(AccountId(id))
    }

    async fn accounts_of(&self, owner: &str) -> Result<Vec<AccountState>, StorageError> {
        let rows: Vec<AccountTuple> = sqlx::query_as(
            "SELECT id, currency, kind, balance, debits_pending, credits_pending, closed FROM accounts
             WHERE owner = $1 ORDER BY currency",
        )
        .bind(owner)
        .fetch_all(&self.pool)
        .await
        .map_err(app_error)?;
        rows.into_iter().map(snapshot::account).collect()
    }

    async fn verify(&self) -> Result<VerifyReport, StorageError> {
        verify::run(&self.pool).await
    }
}
