//! Port of withdrawals. Re-exported from [`crate::ports`].
//!
//! The money of a withdrawal is a ledger hold; this store remembers its status, when the worker
//! should look at it next (a lease, so settlement survives restarts and several processes never
//! work on one row at once) and whether each status change was mailed. Every status change is a
//! guarded transition: it happens only from the expected status, so a cancel racing the
//! worker's move to `processing` has exactly one winner.

use async_trait::async_trait;
use okpay_domain::Currency;
use okpay_ledger::StorageError;

use super::OutboxMail;

/// A withdrawal as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WithdrawalRecord {
    /// `wd_...`, also the ledger hold's reference.
    pub id: String,
    /// The withdrawing user.
    pub owner: String,
    /// The history row, `txn_...`.
    pub line_id: String,
    /// `pm_...`
    pub payment_method: String,
    /// `bank_account` or `card`.
    pub method: String,
    /// The rail's token of the destination.
    pub rail_token: String,
    /// Amount paid out, minor units.
    pub amount_minor: i64,
    /// Fee, minor units (held and earned on top of the amount).
    pub fee_minor: i64,
    /// Currency.
    pub currency: Currency,
    /// `pending`, `processing`, `paid`, `failed` or `canceled`.
    pub status: String,
    /// Why it failed (an error code), if it did.
    pub failure_code: Option<String>,
    /// How many times a worker claimed it.
    pub attempts: i64,
    /// When the worker should look at it next, µs since the epoch.
    pub due_at_us: i64,
    /// When it was created, µs.
    pub created_at_us: i64,
    /// When the payout started (`processing`), µs.
    pub processing_at_us: Option<i64>,
    /// When the money was last touched for it (posted or released) and its last mail queued, µs.
    pub finished_at_us: Option<i64>,
    /// When the owner can expect the money, µs.
    pub estimated_arrival_us: i64,
    /// Whether the "withdrawal created" mail was queued.
    pub created_mailed: bool,
}

/// A guarded status change, applied in one transaction with its history-row change and mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WithdrawalTransition<'a> {
    /// The status the row must have (and not be finished); otherwise nothing is written.
    pub from: &'a str,
    /// The new status (may equal `from` when only finishing).
    pub to: &'a str,
    /// When, µs.
    pub at_us: i64,
    /// The new due time, if it changes.
    pub due_at_us: Option<i64>,
    /// Marks the row finished at `at_us`: the worker never claims it again.
    pub finish: bool,
    /// The failure code, for `failed`.
    pub failure_code: Option<&'a str>,
    /// Sets the history row's status to `to` and appends `(to, at_us)` to its status history
    /// (for changes that move no money; the ledger writes the others).
    pub line_status: bool,
    /// The history row's new `details` JSON, if it changes.
    pub line_details: Option<&'a str>,
    /// The owner's notification, queued in the same transaction.
    pub mail: Option<&'a OutboxMail>,
}

/// Withdrawals.
#[async_trait]
pub trait WithdrawalStore: Send + Sync {
    /// Stores `record` unless a withdrawal with its id exists; returns the stored one either way.
    async fn insert_withdrawal(&self, record: &WithdrawalRecord) -> Result<WithdrawalRecord, StorageError>;
    /// Deletes a `pending` withdrawal whose hold the ledger refused (nothing else refers to it);
    /// returns whether it did.
    async fn delete_withdrawal(&self, id: &str) -> Result<bool, StorageError>;
    /// The withdrawal `id`, if any.
    async fn withdrawal(&self, id: &str) -> Result<Option<WithdrawalRecord>, StorageError>;
    /// The owner's withdrawals, newest first (by creation time, then id), starting after the
    /// withdrawal `starting_after` if given; at most `limit`.
    async fn withdrawals(
        &self,
        owner: &str,
        starting_after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<WithdrawalRecord>, StorageError>;
    /// Claims up to `limit` unfinished withdrawals due at `now_us`: counts an attempt and moves
    /// their due time to `lease_until_us`, so no other worker claims them before then.
    async fn claim_withdrawals(
        &self,
        now_us: i64,
        lease_until_us: i64,
        limit: u32,
    ) -> Result<Vec<WithdrawalRecord>, StorageError>;
    /// Moves an unfinished withdrawal's due time.
    async fn reschedule_withdrawal(&self, id: &str, due_at_us: i64) -> Result<(), StorageError>;
    /// Queues the "withdrawal created" mail unless it was queued before, in one transaction;
    /// returns whether it queued it.
    async fn queue_withdrawal_created_mail(&self, id: &str, mail: &OutboxMail) -> Result<bool, StorageError>;
    /// Applies `t` if the row is unfinished and in `t.from`; returns `false` (writing nothing)
    /// otherwise.
    async fn transition_withdrawal(&self, id: &str, t: &WithdrawalTransition<'_>) -> Result<bool, StorageError>;
}
