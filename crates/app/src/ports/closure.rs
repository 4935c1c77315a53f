//! Ports of account closure: closure requests and the one transaction that closes an account.
//! Re-exported from [`crate::ports`].

use async_trait::async_trait;
use okpay_ledger::StorageError;

use super::{OutboxMail, UserRecord};

/// A stored closure request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosureRecord {
    /// `clr_...`
    pub id: String,
    /// Whose account.
    pub user_id: String,
    /// `pending_review`, `approved` or `rejected`.
    pub status: String,
    /// The customer's reason (may be empty).
    pub reason: String,
    /// µs since the epoch.
    pub created_at_us: i64,
    /// The staff member who decided, once decided.
    pub decided_by: Option<String>,
    /// When it was decided, µs.
    pub decided_at_us: Option<i64>,
    /// The staff member's reason.
    pub decision_note: Option<String>,
}

/// One ledger account of the closing user that is not empty, as found inside the approval's
/// transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenBalance {
    /// Lowercase ISO code.
    pub currency: String,
    /// Posted balance, minor units.
    pub balance: i64,
    /// Held for outgoing movements in progress.
    pub debits_pending: i64,
    /// Incoming money not yet settled.
    pub credits_pending: i64,
}

/// What the approval writes over the user's personal data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Erasure {
    /// The pseudonymous address that replaces the real one.
    pub email: String,
    /// SHA-256 hex of the old normalised address.
    pub email_hash: String,
    /// The unusable value that replaces the password hash.
    pub password_hash: String,
}

/// An approval, with everything its transaction writes.
#[derive(Debug, Clone)]
pub struct ClosureApproval<'a> {
    /// `clr_...`
    pub request_id: &'a str,
    /// The staff member approving.
    pub staff_id: &'a str,
    /// Their reason.
    pub note: &'a str,
    /// µs since the epoch.
    pub now_us: i64,
    /// The address the confirmation was rendered for: the approval is refused (nothing written)
    /// if the account's address is no longer this one.
    pub expected_email: &'a str,
    /// Replacement values of the personal data.
    pub erasure: &'a Erasure,
    /// The confirmation mail to the real address, queued before the address is erased.
    pub mail: &'a OutboxMail,
}

/// How an approval ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApprovalOutcome {
    /// The account is closed; the request as stored now.
    Closed(ClosureRecord),
    /// Nothing written: the request is not pending (or does not exist), or the account's
    /// address changed since the mail was rendered.
    NotPending,
    /// Nothing written: these accounts still hold or expect money.
    Blocked(Vec<OpenBalance>),
    /// Nothing written: the account was frozen meanwhile (a freeze's review needs its data).
    Frozen,
}

/// Closure requests and closing an account.
#[async_trait]
pub trait ClosureStore: Send + Sync {
    /// Inserts a pending request; `Ok(false)` (nothing written) if the user already has one
    /// pending.
    async fn insert_closure_request(&self, r: &ClosureRecord) -> Result<bool, StorageError>;
    /// One request by id.
    async fn closure_request(&self, id: &str) -> Result<Option<ClosureRecord>, StorageError>;
    /// The user's requests, newest first, at most `limit`.
    async fn closure_requests_of(&self, user_id: &str, limit: u32) -> Result<Vec<ClosureRecord>, StorageError>;
    /// Closes the account in one transaction: checks (and on PostgreSQL locks) the user's
    /// ledger accounts, marks the request approved, queues the confirmation mail, then sets the
    /// user `closed`, deletes every session, link token, payment method, TOTP set-up and
    /// recovery code and the address's sign-in throttle, and pseudonymises email, name and
    /// password hash. The ledger and the audit trail are left untouched.
    ///
    /// The user's identity documents' rows are deleted in this same transaction; their files
    /// (`DocumentFiles`) are removed by the caller after the commit.
    async fn approve_closure(&self, a: &ClosureApproval<'_>) -> Result<ApprovalOutcome, StorageError>;
    /// Marks a pending request rejected and queues `mail`; `None` (nothing written) if it
    /// is not pending.
    async fn reject_closure(
        &self,
        id: &str,
        staff_id: &str,
        note: &str,
        now_us: i64,
        mail: &OutboxMail,
    ) -> Result<Option<ClosureRecord>, StorageError>;
    /// The most recently closed account whose old address hashes to `email_hash`.
    async fn closed_user_by_email_hash(&self, email_hash: &str) -> Result<Option<UserRecord>, StorageError>;
}
