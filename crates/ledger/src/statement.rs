//! Statement lines: the per-owner history rows the ledger writes in the same database
//! transaction as the money, so history and balances can never disagree after a crash.
//!
//! The ledger does not interpret them; the application decides their content.

use okpay_domain::Currency;

/// One row of an owner's transaction history (`txn_...`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementLine {
    /// Public id, `txn_...`.
    pub id: String,
    /// Owner (user id) whose history shows the row.
    pub owner: String,
    /// `deposit`, `transfer_in`, `transfer_out`, ...
    pub kind: String,
    /// Amount in minor units (positive; the kind says the direction).
    pub amount_minor: i64,
    /// Fee in minor units.
    pub fee_minor: i64,
    /// Currency.
    pub currency: Currency,
    /// `pending`, `succeeded`, `failed`, ...
    pub status: String,
    /// Resource the row comes from (`dep_`, `tr_`, ...).
    pub source_id: String,
    /// The other party, shown to the owner (an email or a name), if any.
    pub counterparty: Option<String>,
    /// Free text from the payer.
    pub description: Option<String>,
    /// Kind-specific details as a JSON object (payment method, failure code, ...), if any.
    pub details: Option<String>,
    /// When the movement was created, µs since the epoch.
    pub created_at_us: i64,
    /// Whether writing the row also queues a notice to its owner (the application's notice
    /// worker mails it). A request to the writer, not part of the row: rows read back from the
    /// store carry `false`.
    pub notify: bool,
}

/// A status change of an existing statement line (pending → succeeded, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusUpdate {
    /// The line's id.
    pub line_id: String,
    /// New status.
    pub status: String,
    /// When, µs since the epoch.
    pub at_us: i64,
}
