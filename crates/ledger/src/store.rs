//! The storage interface the ledger needs; `okpay-store` implements it for SQLite and PostgreSQL.

use std::sync::Arc;

use async_trait::async_trait;
use okpay_domain::Currency;

use crate::model::{AccountId, AccountKind, AccountState, Command, Outcome, Rejection};
use crate::verify::VerifyReport;

/// A storage failure. `retryable` failures (deadlock, serialization, busy, lost connection)
/// rolled the whole batch back, so the writer may run it again: replays are duplicates by
/// reference, so a batch whose commit was in doubt cannot post twice.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct StorageError {
    /// What failed (for logs; never shown to customers).
    pub message: String,
    /// Whether running the same batch again may succeed.
    pub retryable: bool,
}

/// A backend for the books.
#[async_trait]
pub trait LedgerStore: Send + Sync + 'static {
    /// Runs a batch in one database transaction: lock and load a [`crate::plan::Snapshot`],
    /// [`crate::plan::plan`] it, write the plan and commit (one fsync for the whole batch).
    /// Returns one result per command, in order.
    async fn execute(&self, cmds: &[Command]) -> Result<Vec<Result<Outcome, Rejection>>, StorageError>;

    /// [`LedgerStore::execute`] for a batch the caller hands over shared, as the group-commit
    /// writer does: a backend that runs the batch on another thread keeps a reference to it
    /// instead of copying thousands of commands. By default, `execute`.
    async fn execute_shared(&self, cmds: Arc<[Command]>) -> Result<Vec<Result<Outcome, Rejection>>, StorageError> {
        self.execute(&cmds).await
    }

    /// Returns the account of `owner` in `currency`, creating it (with zero balances) if needed.
    async fn open_account(&self, owner: &str, currency: Currency, kind: AccountKind)
    -> Result<AccountId, StorageError>;

    /// The accounts of `owner`, one per currency it has ever held.
    async fn accounts_of(&self, owner: &str) -> Result<Vec<AccountState>, StorageError>;

    /// Checks every invariant of the books.
    async fn verify(&self) -> Result<VerifyReport, StorageError>;
}
