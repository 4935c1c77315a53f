//! SQL of closure requests and of closing an account, the same text on both backends.

use okpay_app::ports::{ClosureRecord, OpenBalance};

/// Columns of `closure_requests`, in [`record`]'s order.
macro_rules! closure_columns {
    () => {
        "id, user_id, status, reason, created_at_us, decided_by, decided_at_us, decision_note"
    };
}

/// A `closure_requests` row.
pub(crate) type ClosureTuple = (String, String, String, String, i64, Option<String>, Option<i64>, Option<String>);

/// Decodes a `closure_requests` row.
pub(crate) fn record(t: ClosureTuple) -> ClosureRecord {
    let (id, user_id, status, reason, created_at_us, decided_by, decided_at_us, decision_note) = t;
    ClosureRecord { id, user_id, status, reason, created_at_us, decided_by, decided_at_us, decision_note }
}

/// Inserts a pending request unless the user has one pending (the partial unique index).
pub(crate) const INSERT: &str = concat!(
    "INSERT INTO closure_requests (",
    closure_columns!(),
    ") VALUES ($1, $2, $3, $4, $5, NULL, NULL, NULL) ON CONFLICT (user_id) WHERE status = 'pending_review' DO NOTHING"
);
/// One request.
pub(crate) const BY_ID: &str = concat!("SELECT ", closure_columns!(), " FROM closure_requests WHERE id = $1");
/// A user's requests, newest first.
pub(crate) const OF_USER: &str = concat!(
    "SELECT ",
    closure_columns!(),
    " FROM closure_requests WHERE user_id = $1 ORDER BY created_at_us DESC, id DESC LIMIT $2"
);
/// Decides a pending request (`$2` = new status); returns it.
pub(crate) const DECIDE: &str = concat!(
    "UPDATE closure_requests SET status = $2, decided_by = $3, decided_at_us = $4, decision_note = $5 ",
    "WHERE id = $1 AND status = 'pending_review' RETURNING ",
    closure_columns!()
);
/// Every ledger account of the user, in the order ledger batches lock them.
macro_rules! balances_sql {
    () => {
        "SELECT currency, balance, debits_pending, credits_pending FROM accounts WHERE owner = $1 ORDER BY id"
    };
}
/// The user's ledger accounts (SQLite: the transaction already holds the write lock).
pub(crate) const BALANCES: &str = balances_sql!();
/// The user's ledger accounts, locked (PostgreSQL): a batch already touching one commits
/// first and is seen; a later one waits for the approval to commit.
pub(crate) const BALANCES_LOCKED: &str = concat!(balances_sql!(), " FOR UPDATE");
/// The address of the user, for the check that the mail went to the address on file.
pub(crate) const EMAIL_OF: &str = "SELECT email FROM users WHERE id = $1";
/// Statements that erase what identifies the person, each bound to the user id only, run in
/// this order (the throttle row is found through the address, so before it is replaced).
/// The rows of the user's identity documents go too; their files are removed by the app after
/// the commit.
pub(crate) const ERASE: &[&str] = &[
    "DELETE FROM identity_documents WHERE user_id = $1",
    "DELETE FROM sign_in_throttle WHERE email = (SELECT email FROM users WHERE id = $1)",
    "DELETE FROM mail_outbox WHERE status <> 'pending' AND to_addr = (SELECT email FROM users WHERE id = $1)",
    "DELETE FROM sessions WHERE user_id = $1",
    "DELETE FROM account_tokens WHERE user_id = $1",
    "DELETE FROM payment_methods WHERE user_id = $1",
    "DELETE FROM recovery_codes WHERE user_id = $1",
    "DELETE FROM user_totp WHERE user_id = $1",
    "DELETE FROM support_pins WHERE user_id = $1",
    // A closed merchant's API keys stop existing, not merely stop being accepted.
    "DELETE FROM api_keys WHERE merchant_id = $1",
    // The wallets stay in the books, empty, and refuse every later posting (a transfer that
    // passed the recipient check just before this commit is refused by the ledger).
    "UPDATE accounts SET closed = TRUE WHERE owner = $1",
];
/// Closes the user (unless frozen or already closed) and pseudonymises the row: `$2` pseudonymous email, `$3` hash of the old
/// address, `$4` unusable password hash, `$5` now.
pub(crate) const CLOSE_USER: &str = "UPDATE users SET status = 'closed', email = $2, name = '', \
     closed_email_hash = $3, password_hash = $4, closed_at_us = $5, email_verified = false WHERE id = $1 \
     AND status NOT IN ('frozen', 'closed')";

/// An `accounts` row of [`BALANCES`].
pub(crate) type BalanceTuple = (String, i64, i64, i64);

/// The rows of [`BALANCES`] that hold or expect money.
pub(crate) fn open_balances(rows: Vec<BalanceTuple>) -> Vec<OpenBalance> {
    rows.into_iter()
        .filter(|(_, balance, debits, credits)| *balance != 0 || *debits != 0 || *credits != 0)
        .map(|(currency, balance, debits_pending, credits_pending)| OpenBalance {
            currency,
            balance,
            debits_pending,
            credits_pending,
        })
        .collect()
}
