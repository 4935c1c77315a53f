//! Port of the account-status changes staff make (freeze, unfreeze, unlock) and of role
//! grants. Re-exported from [`crate::ports`].

use async_trait::async_trait;
use okpay_ledger::StorageError;

use super::{AuditRecord, OutboxMail, UserRecord};

/// A status change made by staff, each applied in one transaction with its mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusChange {
    /// `active`, `pending_verification` or `locked` → `frozen`; every session ends.
    Freeze,
    /// `frozen` → `active` (or `pending_verification` if the email is unverified); the
    /// address's sign-in lock, if any, is cleared.
    Unfreeze,
    /// `locked` → `active` (or `pending_verification`); the address's sign-in lock is cleared
    /// and unused unlock links are retired.
    Unlock,
}

impl StatusChange {
    /// The audit action and log name (`account_frozen`, ...).
    pub fn action(self) -> &'static str {
        match self {
            StatusChange::Freeze => "account_frozen",
            StatusChange::Unfreeze => "account_unfrozen",
            StatusChange::Unlock => "account_unlocked",
        }
    }
}

/// Account status and roles, as staff change them.
#[async_trait]
pub trait AccountStatusStore: Send + Sync {
    /// Applies `change` to `user_id` if its current status allows it, queues `mail` and
    /// appends `audit`, in one transaction. Returns the user as stored afterwards, or `None`
    /// when the account does not exist or its status does not allow the change (then nothing
    /// is written).
    async fn change_status(
        &self,
        user_id: &str,
        change: StatusChange,
        now_us: i64,
        mail: &OutboxMail,
        audit: &AuditRecord,
    ) -> Result<Option<UserRecord>, StorageError>;
    /// Adds `role` to the user's roles (no-op if held). Returns the user afterwards, `None` if
    /// there is no such user.
    async fn grant_role(&self, user_id: &str, role: &str) -> Result<Option<UserRecord>, StorageError>;
}
