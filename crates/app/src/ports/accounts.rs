//! Ports of account security: the mail outbox, emailed link tokens and the sign-in throttle.
//! Re-exported from [`crate::ports`].

use async_trait::async_trait;
use okpay_ledger::StorageError;

use super::UserRecord;

/// A message in the mail outbox, rendered when it was queued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMail {
    /// `mail_...` (also the `.eml` file name and the `Message-ID`).
    pub id: String,
    /// Recipient address.
    pub to: String,
    /// Template name (`verify_email`, ...), for logs.
    pub kind: String,
    /// Subject line.
    pub subject: String,
    /// Text part.
    pub text: String,
    /// HTML part.
    pub html: String,
    /// Delivery attempts so far (a claim counts as one).
    pub attempts: i64,
    /// µs since the epoch.
    pub created_at_us: i64,
}

/// How many outbox rows wait and how many gave up, for `/metrics`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxCounts {
    /// Not yet delivered, still being tried.
    pub pending: i64,
    /// Given up after the last attempt.
    pub failed: i64,
}

/// The durable mail outbox. Several processes may deliver from one database: a claim leases
/// rows (pushes their next attempt past the lease) so no two workers send the same row at once.
#[async_trait]
pub trait MailOutboxStore: Send + Sync {
    /// Queues a message for delivery now.
    async fn enqueue_mail(&self, mail: &OutboxMail) -> Result<(), StorageError>;
    /// Claims up to `limit` pending rows due at `now_us`: counts an attempt and leases each row
    /// until `lease_until_us`. Returns them with the attempt counted.
    async fn claim_mails(&self, now_us: i64, lease_until_us: i64, limit: u32) -> Result<Vec<OutboxMail>, StorageError>;
    /// Marks rows delivered (and blanks their bodies): one statement for a round's sent mail.
    /// A row no longer pending (given up on after its lease ran out) is left as it is.
    async fn mails_sent(&self, ids: &[String], now_us: i64) -> Result<(), StorageError>;
    /// Schedules another attempt of a pending row.
    async fn mail_retry_at(&self, id: &str, next_attempt_at_us: i64, error: &str) -> Result<(), StorageError>;
    /// Gives up on a row: `failed`, for operators to see.
    async fn mail_failed(&self, id: &str, error: &str, now_us: i64) -> Result<(), StorageError>;
    /// Pending and failed rows.
    async fn mail_counts(&self) -> Result<OutboxCounts, StorageError>;
}

/// What an emailed token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    /// `/verify-email?token=`
    VerifyEmail,
    /// `/reset-password?token=`
    PasswordReset,
    /// `/unlock?token=`
    Unlock,
}

impl TokenPurpose {
    /// The storage value.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenPurpose::VerifyEmail => "verify_email",
            TokenPurpose::PasswordReset => "password_reset",
            TokenPurpose::Unlock => "unlock",
        }
    }
}

/// A stored link token: only its SHA-256 is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountToken {
    /// SHA-256 hex of the token.
    pub token_hash: String,
    /// `verify_email`, `password_reset` or `unlock`.
    pub purpose: String,
    /// Whose account it acts on.
    pub user_id: String,
    /// µs since the epoch.
    pub created_at_us: i64,
    /// The token no longer works from this instant, µs.
    pub expires_at_us: i64,
    /// When it was redeemed (or superseded), µs.
    pub used_at_us: Option<i64>,
}

/// What redeeming a token does to its account, in the same transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redemption {
    /// `email_verified = true`; `pending_verification` becomes `active`.
    VerifyEmail,
    /// Sets the password hash, ends every session and lifts a temporary lock (never a freeze).
    ResetPassword {
        /// The new Argon2id PHC string.
        password_hash: String,
    },
    /// Lifts a temporary lock.
    Unlock,
}

/// Account changes driven by emailed links, each with its mail in one transaction.
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Inserts a new user with its verification token and mail. `Ok(false)` if the email is
    /// already registered: then nothing is written.
    async fn create_user(
        &self,
        user: &UserRecord,
        token: &AccountToken,
        mail: &OutboxMail,
    ) -> Result<bool, StorageError>;
    /// Inserts a token and the mail that carries its link.
    async fn issue_token(&self, token: &AccountToken, mail: &OutboxMail) -> Result<(), StorageError>;
    /// The token with this hash, used or not.
    async fn account_token(&self, token_hash: &str) -> Result<Option<AccountToken>, StorageError>;
    /// Redeems an unused token of `purpose` that is still valid at `now_us`: marks it (and the
    /// user's other unused tokens of that purpose) used, applies `redemption`, queues `mail`.
    /// Returns the updated user, or `None` (nothing written) if the token was not redeemable.
    async fn redeem_token(
        &self,
        token_hash: &str,
        purpose: TokenPurpose,
        now_us: i64,
        redemption: &Redemption,
        mail: Option<&OutboxMail>,
    ) -> Result<Option<UserRecord>, StorageError>;
}

/// An account to lock together with its address, and the unlock link mailed to its owner.
#[derive(Debug, Clone)]
pub struct AccountLock<'a> {
    /// The account.
    pub user_id: &'a str,
    /// Its unlock token.
    pub token: &'a AccountToken,
    /// The "account locked" mail carrying the unlock link.
    pub mail: &'a OutboxMail,
}

/// Failed sign-ins per normalised email address (registered or not) and the locks they cause.
#[async_trait]
pub trait SignInThrottleStore: Send + Sync {
    /// Until when (µs) sign-in to `email` is locked; `None` if it never was or was cleared.
    async fn sign_in_locked_until(&self, email: &str) -> Result<Option<i64>, StorageError>;
    /// Counts a failed sign-in at `now_us`; a window starts at the first failure and lasts
    /// `window_us`. Returns the failures in the current window, this one included.
    async fn record_sign_in_failure(&self, email: &str, now_us: i64, window_us: i64) -> Result<i64, StorageError>;
    /// Locks sign-in to `email` until `until_us` and restarts its count. With `account`, in the
    /// same transaction: an `active` or `pending_verification` account becomes `locked` and
    /// its token and mail are written. Returns whether that account was locked by this call.
    async fn lock_sign_in(
        &self,
        email: &str,
        now_us: i64,
        until_us: i64,
        account: Option<AccountLock<'_>>,
    ) -> Result<bool, StorageError>;
    /// Forgets the failures of `email` (after a successful sign-in).
    async fn clear_sign_in_failures(&self, email: &str) -> Result<(), StorageError>;
    /// Moves a `locked` account whose address is no longer locked at `now_us` back to `active`
    /// (or `pending_verification`); returns the user as stored afterwards.
    async fn lift_expired_lock(&self, user_id: &str, now_us: i64) -> Result<Option<UserRecord>, StorageError>;
}
