//! Port of the notices queued about history rows. Re-exported from [`crate::ports`].
//!
//! The ledger queues a notice in the same transaction as a row whose
//! [`okpay_ledger::StatementLine::notify`] is set; the notice worker reads the queue, writes
//! each notice's mail to the outbox and removes the notice in one transaction, so a committed
//! movement is mailed exactly once, even with several processes on one database.

use async_trait::async_trait;
use okpay_ledger::{StatementLine, StorageError};

use super::OutboxMail;

/// A notice handled: its row, and the mail to queue (none when the owner is gone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeDone {
    /// The row, `txn_...`.
    pub txn_id: String,
    /// The mail, if any.
    pub mail: Option<OutboxMail>,
}

/// The queue of notices.
#[async_trait]
pub trait NoticeStore: Send + Sync {
    /// The rows of the oldest queued notices, at most `limit`, oldest first.
    async fn due_notices(&self, limit: u32) -> Result<Vec<StatementLine>, StorageError>;
    /// In one transaction, removes each notice and queues its mail; a notice already removed
    /// (by another process's worker) queues nothing. Returns the ids of the mails queued.
    ///
    /// Each mail is queued with its `attempts`. With `claimed_until_us` the mails are queued
    /// already claimed by the caller, leased until then as
    /// [`super::MailOutboxStore::claim_mails`] would leave them (the caller counts the attempt):
    /// this process's mail worker sends them without claiming them, and any worker claims them
    /// once the lease ends. Without it they are due at once.
    async fn finish_notices(
        &self,
        done: &[NoticeDone],
        claimed_until_us: Option<i64>,
    ) -> Result<Vec<String>, StorageError>;
    /// How many notices wait (for `/metrics` and tests).
    async fn queued_notices(&self) -> Result<i64, StorageError>;
}
