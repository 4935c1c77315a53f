//! [`LedgerStore`] on PostgreSQL: batches, accounts, verification.

use async_trait::async_trait;
use okpay_domain::Currency;
use okpay_domain::time::now_us;
use okpay_ledger::plan::References;
use okpay_ledger::{
    AccountId, AccountKind, AccountState, Command, LedgerStore, Outcome, Rejection, StorageError, VerifyReport,
};

use super::{PgStore, batch, verify};
use crate::error::{app_error, ledger_error, taken_after_lookup};
use crate::snapshot::{self, AccountTuple};

#[async_trait]
impl LedgerStore for PgStore {
    async fn execute(&self, cmds: &[Command]) -> Result<Vec<Result<Outcome, Rejection>>, StorageError> {
        if cmds.is_empty() {
            return Ok(Vec::new());
        }
        match attempt(self, cmds, References::TrustIndex).await? {
            Some(results) => Ok(results),
            // A reference was taken: run the batch again, looking every reference up first.
            None => attempt(self, cmds, References::LookUp).await?.ok_or_else(taken_after_lookup),
        }
    }

    async fn open_account(
        &self,
        owner: &str,
        currency: Currency,
        kind: AccountKind,
    ) -> Result<AccountId, StorageError> {
        // Two racing openers both succeed: the loser's insert does nothing, both read the row.
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

/// One transaction running the batch; `None` if `refs` trusted the index and a reference was
/// taken (the transaction is rolled back).
async fn attempt(
    store: &PgStore,
    cmds: &[Command],
    refs: References,
) -> Result<Option<Vec<Result<Outcome, Rejection>>>, StorageError> {
    let mut tx = store.pool.begin().await.map_err(ledger_error)?;
    match batch::run(&mut tx, cmds, refs).await {
        Ok(Some(results)) => {
            tx.commit().await.map_err(ledger_error)?;
            Ok(Some(results))
        }
        other => {
            // The batch's error is the one worth reporting; a failed rollback also ends the
            // transaction (the connection is discarded).
            let _ = tx.rollback().await;
            other
        }
    }
}
