//! Port of what users change about themselves: name and language, and the PIN they read to
//! a phone agent. Re-exported from [`crate::ports`].

use async_trait::async_trait;
use okpay_ledger::StorageError;

use super::UserRecord;

/// A phone-support PIN as stored (only its hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportPin {
    /// Whose PIN.
    pub user_id: String,
    /// Argon2id PHC string of the six digits.
    pub pin_hash: String,
    /// µs since the epoch.
    pub created_at_us: i64,
    /// The PIN no longer works from this instant, µs.
    pub expires_at_us: i64,
    /// Wrong PINs tried against it so far.
    pub failed_attempts: i64,
}

/// Profile edits and support PINs.
#[async_trait]
pub trait ProfileStore: Send + Sync {
    /// Sets the name and/or locale given; returns the user afterwards (`None`: no such user).
    async fn update_profile(
        &self,
        user_id: &str,
        name: Option<&str>,
        locale: Option<&str>,
    ) -> Result<Option<UserRecord>, StorageError>;
    /// Stores `pin` as the user's only support PIN, replacing any earlier one.
    async fn replace_support_pin(&self, pin: &SupportPin) -> Result<(), StorageError>;
    /// The user's support PIN, expired or not.
    async fn support_pin(&self, user_id: &str) -> Result<Option<SupportPin>, StorageError>;
}
