//! What the use cases need from storage. `okpay-store` implements these for SQLite and
//! PostgreSQL; the ledger's own port is [`okpay_ledger::LedgerStore`].
//!
//! Every method is a single statement or a single short transaction; anything that moves money
//! goes through the ledger writer instead.

mod accounts;
mod bank_deposits;
mod closure;
mod identity_documents;
mod merchants;
mod notices;
mod payments;
mod profile;
mod risk;
mod status;
mod withdrawals;

use async_trait::async_trait;
use okpay_ledger::{StatementLine, StorageError};

pub use accounts::{
    AccountLock, AccountStore, AccountToken, MailOutboxStore, OutboxCounts, OutboxMail, Redemption,
    SignInThrottleStore, TokenPurpose,
};
pub use bank_deposits::{BankDepositRecord, BankDepositStore, BankSettlement};
pub use closure::{ApprovalOutcome, ClosureApproval, ClosureRecord, ClosureStore, Erasure, OpenBalance};
pub use identity_documents::{DocumentFiles, DocumentReview, IdentityDocumentRecord, IdentityDocumentStore};
pub use merchants::{
    ApiKeyRecord, ApiKeyStore, ApiKeyUser, AttemptOutcome, AttemptRecord, ClaimedDelivery, DeliveryCounts,
    DeliveryRecord, EventRecord, EventStore, MerchantSettings, MerchantStore, NewEvent,
};
pub use notices::{NoticeDone, NoticeStore};
pub use payments::{PaymentCompletion, PaymentRecord, PaymentStore, RefundOutcome, RefundRecord, RefundReservation};
pub use profile::{ProfileStore, SupportPin};
pub use risk::{FlagRecord, RiskInputs, RiskQuery, RiskStore, Scope};
pub use status::{AccountStatusStore, StatusChange};
pub use withdrawals::{WithdrawalRecord, WithdrawalStore, WithdrawalTransition};

/// A stored user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    /// `usr_...`
    pub id: String,
    /// Normalised email.
    pub email: String,
    /// Display name.
    pub name: String,
    /// `personal` or `business`.
    pub account_type: String,
    /// `pending_verification`, `active`, ...
    pub status: String,
    /// Whether the email is verified.
    pub email_verified: bool,
    /// `en` or `zh`.
    pub locale: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Comma-free list of roles (`user`, `agent`, `admin`), stored as a space-separated string.
    pub roles: String,
    /// Identity verification level (0 = none).
    pub kyc_level: i64,
    /// µs since the epoch.
    pub created_at_us: i64,
}

/// A stored session. The token itself is never stored, only its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// `ses_...`
    pub id: String,
    /// Owner.
    pub user_id: String,
    /// SHA-256 hex of the bearer token.
    pub token_hash: String,
    /// Client's User-Agent (truncated to 256 chars).
    pub user_agent: String,
    /// Client IP.
    pub ip: String,
    /// µs since the epoch.
    pub created_at_us: i64,
    /// Last request seen, µs (updated at most once a minute).
    pub last_seen_us: i64,
    /// Absolute expiry, µs.
    pub expires_at_us: i64,
    /// Revoked sessions are kept for the device list and audit.
    pub revoked: bool,
}

/// A stored payment method: never a full card number, never a CVC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentMethodRecord {
    /// `pm_...`
    pub id: String,
    /// Owner.
    pub user_id: String,
    /// `card` or `bank_account`.
    pub kind: String,
    /// Card brand (cards only).
    pub brand: Option<String>,
    /// Last four digits.
    pub last4: String,
    /// Expiry month (cards only).
    pub exp_month: Option<i64>,
    /// Expiry year (cards only).
    pub exp_year: Option<i64>,
    /// Card holder / account holder.
    pub holder_name: String,
    /// Bank name, country (bank accounts only).
    pub bank_name: Option<String>,
    /// ISO country (bank accounts only).
    pub country: Option<String>,
    /// The rail's token for this instrument (what a real processor returns instead of the number).
    pub rail_token: String,
    /// µs since the epoch.
    pub created_at_us: i64,
}

/// Filters of a history query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryFilter {
    /// Inclusive lower bound, µs.
    pub from_us: Option<i64>,
    /// Exclusive upper bound, µs.
    pub to_us: Option<i64>,
    /// Row kind (`deposit`, `transfer_out`, ...).
    pub kind: Option<String>,
    /// Row status.
    pub status: Option<String>,
}

/// Where a history listing stands: the order key of the last row read. Rows are ordered
/// newest first by `(created_at_us, id)`; the next rows are those strictly below it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryPosition {
    /// The row's `created_at_us`.
    pub created_at_us: i64,
    /// The row's `txn_` id.
    pub id: String,
}

impl HistoryPosition {
    /// The position of `line`.
    pub fn of(line: &StatementLine) -> HistoryPosition {
        HistoryPosition { created_at_us: line.created_at_us, id: line.id.clone() }
    }
}

/// A history row with its status timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRow {
    /// The row.
    pub line: StatementLine,
    /// `(status, µs)` in time order, starting with the status the row was created in.
    pub status_history: Vec<(String, i64)>,
}

/// A response stored under an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    /// SHA-256 of method, path and body of the first request.
    pub request_hash: String,
    /// HTTP status.
    pub status: u16,
    /// Response body bytes.
    pub body: Vec<u8>,
    /// Request id of the first response (replayed as-is).
    pub request_id: String,
    /// µs since the epoch.
    pub created_at_us: i64,
}

/// A response with the key it is stored under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyedResponse {
    /// Whose key: a user id, or a fixed scope for anonymous calls.
    pub owner: String,
    /// The `Idempotency-Key` value.
    pub key: String,
    /// The response.
    pub response: StoredResponse,
}

/// Users.
#[async_trait]
pub trait UserStore: Send + Sync {
    /// Inserts a user; `Ok(false)` if the email is already registered (nothing written).
    async fn insert_user(&self, user: &UserRecord) -> Result<bool, StorageError>;
    /// Looks a user up by normalised email.
    async fn user_by_email(&self, email: &str) -> Result<Option<UserRecord>, StorageError>;
    /// Looks a user up by id.
    async fn user_by_id(&self, id: &str) -> Result<Option<UserRecord>, StorageError>;
    /// The users of `ids` that exist, in one read (any order; an unknown id is left out).
    async fn users_by_ids(&self, ids: &[&str]) -> Result<Vec<UserRecord>, StorageError>;
}

/// A live session as authentication reads it, with its user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionUser {
    /// `ses_...`
    pub session_id: String,
    /// Absolute expiry, µs.
    pub expires_at_us: i64,
    /// Last request seen, µs.
    pub last_seen_us: i64,
    /// The session's user.
    pub user: UserRecord,
}

/// Sessions.
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Inserts a session.
    async fn insert_session(&self, s: &SessionRecord) -> Result<(), StorageError>;
    /// The live (not revoked) session with this token hash, if any.
    async fn session_by_token_hash(&self, token_hash: &str) -> Result<Option<SessionRecord>, StorageError>;
    /// The live (not revoked) session with this token hash and its user, in one query: what
    /// every authenticated request needs.
    async fn session_user(&self, token_hash: &str) -> Result<Option<SessionUser>, StorageError>;
    /// Records activity.
    async fn touch_session(&self, id: &str, now_us: i64) -> Result<(), StorageError>;
    /// The user's sessions that are not revoked and not past `expires_at_us` at `now_us`,
    /// most recently active first, at most `limit`.
    async fn live_sessions(&self, user_id: &str, now_us: i64, limit: u32) -> Result<Vec<SessionRecord>, StorageError>;
    /// Revokes the user's session `id`; `false` if it is not theirs or already revoked.
    async fn revoke_session(&self, user_id: &str, id: &str) -> Result<bool, StorageError>;
    /// Revokes every live session of the user except `keep`; returns how many ended.
    async fn revoke_other_sessions(&self, user_id: &str, keep: &str) -> Result<u64, StorageError>;
}

/// Payment methods.
#[async_trait]
pub trait PaymentMethodStore: Send + Sync {
    /// Inserts a payment method.
    async fn insert_payment_method(&self, pm: &PaymentMethodRecord) -> Result<(), StorageError>;
    /// The user's payment method with this id, if any.
    async fn payment_method(&self, user_id: &str, id: &str) -> Result<Option<PaymentMethodRecord>, StorageError>;
    /// The user's payment methods, newest first.
    async fn payment_methods(&self, user_id: &str) -> Result<Vec<PaymentMethodRecord>, StorageError>;
}

/// Transaction history (the ledger writes most rows; failed attempts are written here).
#[async_trait]
pub trait HistoryStore: Send + Sync {
    /// Inserts a row that moved no money (e.g. a declined card deposit). Ignores a row whose id
    /// already exists.
    async fn insert_line(&self, line: &StatementLine) -> Result<(), StorageError>;
    /// The owner's rows matching `filter`, newest first (by `created_at_us`, then id), starting
    /// after the row `starting_after` if given; at most `limit` rows.
    async fn lines(
        &self,
        owner: &str,
        filter: &HistoryFilter,
        starting_after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<StatementLine>, StorageError>;
    /// Like [`HistoryStore::lines`], after a position the caller already holds (the last row of
    /// the previous call, which must be one of the owner's), so no lookup of the cursor row is
    /// needed: an export reads chunk after chunk this way.
    async fn lines_after(
        &self,
        owner: &str,
        filter: &HistoryFilter,
        after: Option<&HistoryPosition>,
        limit: u32,
    ) -> Result<Vec<StatementLine>, StorageError>;
    /// One of the owner's rows with its status history.
    async fn line(&self, owner: &str, id: &str) -> Result<Option<HistoryRow>, StorageError>;
    /// The owner's row for a source resource (e.g. the sender's row of `tr_...`).
    async fn line_by_source(&self, owner: &str, source_id: &str) -> Result<Option<StatementLine>, StorageError>;
}

/// Idempotency keys and their stored responses (kept at least 24 h).
#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    /// The response stored for `(owner, key)`, if any. (Responses are stored with
    /// [`AppStore::store_after_money`].)
    async fn idempotent_response(&self, owner: &str, key: &str) -> Result<Option<StoredResponse>, StorageError>;
    /// Deletes keys created before `before_us`; returns how many.
    async fn purge_idempotency_keys(&self, before_us: i64) -> Result<u64, StorageError>;
}

/// A user's TOTP set-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotpRecord {
    /// Base32 secret.
    pub secret: String,
    /// Whether the user proved the set-up with a first code (only then is it enforced).
    pub confirmed: bool,
    /// The last step accepted; a code for this step or an earlier one is refused.
    pub last_step: i64,
}

/// Two-factor secrets and recovery codes.
#[async_trait]
pub trait TwoFactorStore: Send + Sync {
    /// The user's TOTP set-up, if any.
    async fn totp(&self, user_id: &str) -> Result<Option<TotpRecord>, StorageError>;
    /// Starts (or restarts) an unconfirmed set-up; `Ok(false)` if a confirmed one exists
    /// (nothing written).
    async fn begin_totp(&self, user_id: &str, secret: &str, now_us: i64) -> Result<bool, StorageError>;
    /// Confirms the unconfirmed set-up with `secret` at `step` and stores the recovery codes'
    /// hashes, in one transaction; `Ok(false)` if there is no such unconfirmed set-up.
    async fn confirm_totp(
        &self,
        user_id: &str,
        secret: &str,
        step: i64,
        recovery_hashes: &[String],
    ) -> Result<bool, StorageError>;
    /// Records `step` as used if it is later than the last one; `Ok(false)` if it was not
    /// (the code was already used).
    async fn use_totp_step(&self, user_id: &str, step: i64) -> Result<bool, StorageError>;
    /// Marks an unused recovery code as used; `Ok(false)` if there is no unused such code.
    async fn use_recovery_code(&self, user_id: &str, code_hash: &str, now_us: i64) -> Result<bool, StorageError>;
    /// Unused recovery codes left.
    async fn recovery_codes_left(&self, user_id: &str) -> Result<u32, StorageError>;
    /// Removes the TOTP set-up and every recovery code.
    async fn delete_totp(&self, user_id: &str) -> Result<(), StorageError>;
}

/// One security event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    /// Order of recording (assigned by the store; ignored on insert).
    pub id: i64,
    /// µs since the epoch.
    pub at_us: i64,
    /// Who acted: a `usr_` id or `system`.
    pub actor: String,
    /// The account acted on, if any.
    pub subject: Option<String>,
    /// What happened (`sign_in`, `totp_enabled`, ...).
    pub action: String,
    /// `success` or `failure`.
    pub outcome: String,
    /// Client IP, if known.
    pub ip: String,
    /// Client User-Agent, if known.
    pub user_agent: String,
    /// Why (a failure's reason, a staff member's note).
    pub reason: Option<String>,
    /// The actor's session, if any.
    pub session_id: Option<String>,
}

/// The append-only audit trail.
#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Appends an event.
    async fn record_audit(&self, e: &AuditRecord) -> Result<(), StorageError>;
    /// Events matching `query`, newest first.
    async fn audit_log(&self, query: &AuditQuery<'_>) -> Result<Vec<AuditRecord>, StorageError>;
}

/// Which audit events to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditQuery<'a> {
    /// Only events by this actor.
    pub actor: Option<&'a str>,
    /// Only events about this account.
    pub subject: Option<&'a str>,
    /// Only events older than this id (the previous page's last).
    pub before_id: Option<i64>,
    /// At most this many.
    pub limit: u32,
}

/// Everything the application needs from storage, as one object.
#[async_trait]
pub trait AppStore:
    UserStore
    + SessionStore
    + PaymentMethodStore
    + HistoryStore
    + IdempotencyStore
    + MailOutboxStore
    + AccountStore
    + SignInThrottleStore
    + TwoFactorStore
    + AuditStore
    + IdentityDocumentStore
    + ClosureStore
    + AccountStatusStore
    + ProfileStore
    + ApiKeyStore
    + MerchantStore
    + EventStore
    + BankDepositStore
    + RiskStore
    + WithdrawalStore
    + PaymentStore
    + NoticeStore
{
    /// The backend's name (`sqlite` or `postgres`), for logs and `/healthz`.
    fn backend(&self) -> &'static str;
    /// Checks that the database answers (for `/healthz`).
    async fn ping(&self) -> Result<(), StorageError>;
    /// Stores the rows written after money moved — idempotent responses (where a key already
    /// has one, the first is kept) and risk flags (a flag already raised is kept) — in one
    /// durable commit, all or none: one write transaction for both kinds of row.
    async fn store_after_money(&self, responses: &[KeyedResponse], flags: &[FlagRecord]) -> Result<(), StorageError>;
}
