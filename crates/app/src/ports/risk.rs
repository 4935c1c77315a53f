//! Port of what limits and risk rules read from history, and of the flags they raise.
//! Re-exported from [`crate::ports`].
//!
//! Every query reads one owner's rows through an `(owner, ...)` index, so its cost follows that
//! owner's recent activity, not the size of the store.

use async_trait::async_trait;
use okpay_domain::Currency;
use okpay_ledger::StorageError;

/// A flag on a history row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagRecord {
    /// The row, `txn_...`.
    pub txn_id: String,
    /// The flag shown on the row (`unusual_activity`).
    pub flag: String,
    /// The rule that raised it (`large_amount`, `card_failures`, `new_recipient_burst`).
    pub rule: String,
    /// The row's owner.
    pub owner: String,
    /// The row's `created_at_us`.
    pub txn_created_us: i64,
    /// When the flag was raised, µs since the epoch.
    pub created_at_us: i64,
}

/// One owner's history rows of some kinds in one currency.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    /// The owner.
    pub owner: &'a str,
    /// The currency.
    pub currency: Currency,
    /// One or two row kinds (`transfer_out`, `payment`, ...).
    pub kinds: &'a [&'a str],
}

impl Scope<'_> {
    /// The first and second kind (the first twice when there is one).
    pub fn kind_pair(&self) -> (&str, &str) {
        let first = self.kinds.first().copied().unwrap_or("");
        (first, self.kinds.get(1).copied().unwrap_or(first))
    }
}

/// What the risk rules read about one history row: answered with [`RiskInputs`] by
/// [`RiskStore::risk_inputs`], many rows at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskQuery {
    /// The row's owner.
    pub owner: String,
    /// The owner's rows the row's amount is compared with: the currency and one or two kinds,
    /// read before `before_us` (`None`: no comparison).
    pub recent: Option<(Currency, &'static [&'static str])>,
    /// The row's creation time.
    pub before_us: i64,
    /// Count the recipients first paid at or after this time (`None`: not counted).
    pub recipients_since_us: Option<i64>,
}

/// The answer to one [`RiskQuery`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RiskInputs {
    /// [`RiskStore::recent_amounts`] of the query's scope (empty without one).
    pub recent: Vec<i64>,
    /// [`RiskStore::new_recipients_since`] (0 when not asked).
    pub new_recipients: i64,
}

/// Reads for limits and risk rules, and risk flags.
#[async_trait]
pub trait RiskStore: Send + Sync {
    /// The sums of the amounts of `scope`'s rows that did not fail or get canceled, created
    /// since `day_start_us` and since `month_start_us` (`day_start_us >= month_start_us`).
    async fn usage(&self, scope: Scope<'_>, day_start_us: i64, month_start_us: i64)
    -> Result<(i64, i64), StorageError>;
    /// The amounts of `scope`'s last `limit` succeeded rows created before `before_us`, newest first.
    async fn recent_amounts(&self, scope: Scope<'_>, before_us: i64, limit: u32) -> Result<Vec<i64>, StorageError>;
    /// The owner's declined card deposits since `since_us`: how many, and on how many cards.
    async fn declined_cards_since(&self, owner: &str, since_us: i64) -> Result<(i64, i64), StorageError>;
    /// How many different recipients the owner first sent a (succeeded) transfer to at or
    /// after `since_us`: recipients they had never paid before.
    async fn new_recipients_since(&self, owner: &str, since_us: i64) -> Result<i64, StorageError>;
    /// The answers to `queries`, in their order, with the last `limit` amounts each: what
    /// [`RiskStore::recent_amounts`] and [`RiskStore::new_recipients_since`] would answer one
    /// by one (PostgreSQL reads them in one statement).
    async fn risk_inputs(&self, queries: &[RiskQuery], limit: u32) -> Result<Vec<RiskInputs>, StorageError>;
    /// `(txn_id, flag)` of the owner's rows created in `[from_us, to_us]`.
    async fn flags_between(&self, owner: &str, from_us: i64, to_us: i64)
    -> Result<Vec<(String, String)>, StorageError>;
}
