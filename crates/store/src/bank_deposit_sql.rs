//! The `bank_deposits` table's statements and rows, shared by both backends (same columns,
//! same order); only the claim differs (PostgreSQL skips rows other workers hold locked).

use okpay_app::ports::BankDepositRecord;
use okpay_ledger::StorageError;

use crate::snapshot::currency;

/// Columns of a row, in [`record`]'s order.
macro_rules! bank_deposit_columns {
    () => {
        "id, owner, line_id, payment_method, rail_token, amount_minor, currency, status, failure_code, \
         attempts, due_at_us, created_at_us, settled_at_us"
    };
}

/// A `bank_deposits` row.
pub(crate) type BankDepositTuple =
    (String, String, String, String, String, i64, String, String, Option<String>, i64, i64, i64, Option<i64>);

/// Decodes a row.
pub(crate) fn record(t: BankDepositTuple) -> Result<BankDepositRecord, StorageError> {
    let (
        id,
        owner,
        line_id,
        payment_method,
        rail_token,
        amount_minor,
        cur,
        status,
        failure_code,
        attempts,
        due,
        created,
        settled,
    ) = t;
    Ok(BankDepositRecord {
        id,
        owner,
        line_id,
        payment_method,
        rail_token,
        amount_minor,
        currency: currency(&cur)?,
        status,
        failure_code,
        attempts,
        due_at_us: due,
        created_at_us: created,
        settled_at_us: settled,
    })
}

/// `INSERT` of a new row; a second one with the same id is ignored.
pub(crate) const INSERT: &str = "INSERT INTO bank_deposits (id, owner, line_id, payment_method, rail_token, \
     amount_minor, currency, status, failure_code, attempts, due_at_us, created_at_us, settled_at_us) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (id) DO NOTHING";
/// One row by id.
pub(crate) const BY_ID: &str = concat!("SELECT ", bank_deposit_columns!(), " FROM bank_deposits WHERE id = $1");
/// Moves a pending row's due time.
pub(crate) const RESCHEDULE: &str = "UPDATE bank_deposits SET due_at_us = $2 WHERE id = $1 AND status = 'pending'";
/// Ends a pending row (first statement of the settlement transaction).
pub(crate) const SETTLE: &str = "UPDATE bank_deposits SET status = $2, failure_code = $3, settled_at_us = $4 \
     WHERE id = $1 AND status = 'pending'";
/// Rewrites the history row's details with the outcome.
pub(crate) const LINE_DETAILS: &str = "UPDATE transactions SET details = $2 WHERE id = $1";
/// The claim on SQLite (one writer at a time, so the subquery cannot race).
pub(crate) const CLAIM_SQLITE: &str = concat!(
    "UPDATE bank_deposits SET attempts = attempts + 1, due_at_us = $2 WHERE id IN (",
    "SELECT id FROM bank_deposits WHERE status = 'pending' AND due_at_us <= $1 ORDER BY due_at_us, id LIMIT $3) ",
    "RETURNING ",
    bank_deposit_columns!()
);
/// The claim on PostgreSQL: rows locked by another worker's claim are skipped, not waited for.
pub(crate) const CLAIM_POSTGRES: &str = concat!(
    "UPDATE bank_deposits SET attempts = attempts + 1, due_at_us = $2 WHERE id IN (",
    "SELECT id FROM bank_deposits WHERE status = 'pending' AND due_at_us <= $1 ORDER BY due_at_us, id LIMIT $3 ",
    "FOR UPDATE SKIP LOCKED) RETURNING ",
    bank_deposit_columns!()
);
