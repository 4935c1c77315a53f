//! Port of bank deposits waiting for the bank rail. Re-exported from [`crate::ports`].
//!
//! The money of a bank deposit is a pending ledger hold; this store only remembers when to ask
//! the rail, so settlement survives restarts, and leases due rows to one worker at a time.

use async_trait::async_trait;
use okpay_domain::Currency;
use okpay_ledger::StorageError;

use super::OutboxMail;

/// A bank deposit as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankDepositRecord {
    /// `dep_...`, also the ledger hold's reference.
    pub id: String,
    /// The depositing user.
    pub owner: String,
    /// The history row, `txn_...`.
    pub line_id: String,
    /// `pm_...`
    pub payment_method: String,
    /// The rail's token of the bank account.
    pub rail_token: String,
    /// Amount in minor units.
    pub amount_minor: i64,
    /// Currency.
    pub currency: Currency,
    /// `pending`, `succeeded` or `failed`.
    pub status: String,
    /// Why it failed (an error code), if it did.
    pub failure_code: Option<String>,
    /// How many times a worker claimed it.
    pub attempts: i64,
    /// When to ask the rail next (pushed forward by each claim), µs since the epoch.
    pub due_at_us: i64,
    /// When it was created, µs since the epoch.
    pub created_at_us: i64,
    /// When it settled or failed, µs since the epoch.
    pub settled_at_us: Option<i64>,
}

/// How a pending bank deposit ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankSettlement<'a> {
    /// `succeeded` or `failed`.
    pub status: &'a str,
    /// The error code of a failure.
    pub failure_code: Option<&'a str>,
    /// The history row's new `details` JSON.
    pub details: &'a str,
    /// When, µs since the epoch.
    pub at_us: i64,
    /// The owner's notification, queued in the same transaction.
    pub mail: Option<&'a OutboxMail>,
}

/// Pending bank deposits.
#[async_trait]
pub trait BankDepositStore: Send + Sync {
    /// Stores `record` unless a deposit with its id exists; returns the stored one either way.
    async fn insert_bank_deposit(&self, record: &BankDepositRecord) -> Result<BankDepositRecord, StorageError>;
    /// The deposit `id`, if any.
    async fn bank_deposit(&self, id: &str) -> Result<Option<BankDepositRecord>, StorageError>;
    /// Claims up to `limit` pending deposits due at `now_us`: counts an attempt and moves their
    /// due time to `lease_until_us`, so no other worker claims them before then.
    async fn claim_bank_deposits(
        &self,
        now_us: i64,
        lease_until_us: i64,
        limit: u32,
    ) -> Result<Vec<BankDepositRecord>, StorageError>;
    /// Moves a still-pending deposit's due time to `due_at_us` (the rail has no answer yet).
    async fn reschedule_bank_deposit(&self, id: &str, due_at_us: i64) -> Result<(), StorageError>;
    /// Records how a pending deposit ended, the history row's details, and queues its mail, in
    /// one transaction. Returns `false` (writing nothing) when it was no longer pending.
    async fn settle_bank_deposit(&self, id: &str, settlement: &BankSettlement<'_>) -> Result<bool, StorageError>;
}
