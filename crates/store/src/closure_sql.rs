//! Closure requests and closing an account: the SQL is the same text on both backends but for
//! the read of the balances, so one [`ClosureStore`] implementation is generated for each store
//! type, given that read.
//!
//! The approval must see no ledger batch move money in or out between the check of the balances
//! and the commit. On SQLite the approval's first statement writes, so its transaction holds the
//! write lock from the start ([`BALANCES`]). On PostgreSQL (READ COMMITTED) it locks the request
//! row, then the user's ledger accounts in the order ledger batches lock them
//! ([`BALANCES_LOCKED`]).

use async_trait::async_trait;
use okpay_app::ports::{
    ApprovalOutcome, ClosureApproval, ClosureRecord, ClosureStore, OpenBalance, OutboxMail, UserRecord,
};
use okpay_domain::closure::ClosureStatus;
use okpay_ledger::StorageError;

use crate::error::app_error;
use crate::postgres::PgStore;
use crate::records::{self, UserTuple, user_columns};
use crate::sqlite::SqliteStore;

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

/// The [`ClosureStore`] implementation for `$store`, reading the user's balances with
/// `$balances`; the backend module `$backend` provides the mail insert of a decision (inside
/// its transaction).
macro_rules! impl_closure_store {
    ($store:ty, $balances:expr, $backend:ident) => {
        #[async_trait]
        impl ClosureStore for $store {
            async fn insert_closure_request(&self, r: &ClosureRecord) -> Result<bool, StorageError> {
                let turn = self.write_turn().await;
                let done = sqlx::query(INSERT)
                    .bind(&r.id)
                    .bind(&r.user_id)
                    .bind(&r.status)
                    .bind(&r.reason)
                    .bind(r.created_at_us)
                    .execute(&self.pool)
                    .await
                    .map_err(app_error)?;
                drop(turn);
                Ok(done.rows_affected() == 1)
            }

            async fn closure_request(&self, id: &str) -> Result<Option<ClosureRecord>, StorageError> {
                let row: Option<ClosureTuple> =
                    sqlx::query_as(BY_ID).bind(id).fetch_optional(&self.pool).await.map_err(app_error)?;
                Ok(row.map(record))
            }

            async fn closure_requests_of(&self, user_id: &str, limit: u32) -> Result<Vec<ClosureRecord>, StorageError> {
                let rows: Vec<ClosureTuple> = sqlx::query_as(OF_USER)
                    .bind(user_id)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(app_error)?;
                Ok(rows.into_iter().map(record).collect())
            }

            async fn approve_closure(&self, a: &ClosureApproval<'_>) -> Result<ApprovalOutcome, StorageError> {
                let _turn = self.write_turn().await;
                let mut tx = self.pool.begin().await.map_err(app_error)?;
                let decided: Option<ClosureTuple> = sqlx::query_as(DECIDE)
                    .bind(a.request_id)
                    .bind(ClosureStatus::Approved.as_str())
                    .bind(a.staff_id)
                    .bind(a.now_us)
                    .bind(a.note)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(app_error)?;
                let Some(request) = decided.map(record) else { return Ok(ApprovalOutcome::NotPending) };
                let user_id = request.user_id.as_str();
                let rows: Vec<BalanceTuple> =
                    sqlx::query_as($balances).bind(user_id).fetch_all(&mut *tx).await.map_err(app_error)?;
                let open = open_balances(rows);
                if !open.is_empty() {
                    return Ok(ApprovalOutcome::Blocked(open));
                }
                let email: Option<(String,)> =
                    sqlx::query_as(EMAIL_OF).bind(user_id).fetch_optional(&mut *tx).await.map_err(app_error)?;
                if email.as_ref().map(|(e,)| e.as_str()) != Some(a.expected_email) {
                    return Ok(ApprovalOutcome::NotPending);
                }
                // The confirmation goes to the real address before the address is erased.
                crate::account_sql::$backend::insert_mail(&mut tx, a.mail).await?;
                for &sql in ERASE {
                    sqlx::query(sql).bind(user_id).execute(&mut *tx).await.map_err(app_error)?;
                }
                let closed = sqlx::query(CLOSE_USER)
                    .bind(user_id)
                    .bind(&a.erasure.email)
                    .bind(&a.erasure.email_hash)
                    .bind(&a.erasure.password_hash)
                    .bind(a.now_us)
                    .execute(&mut *tx)
                    .await
                    .map_err(app_error)?;
                if closed.rows_affected() != 1 {
                    return Ok(ApprovalOutcome::Frozen); // dropping the transaction rolls it back
                }
                tx.commit().await.map_err(app_error)?;
                Ok(ApprovalOutcome::Closed(request))
            }

            async fn reject_closure(
                &self,
                id: &str,
                staff_id: &str,
                note: &str,
                now_us: i64,
                mail: &OutboxMail,
            ) -> Result<Option<ClosureRecord>, StorageError> {
                let _turn = self.write_turn().await;
                let mut tx = self.pool.begin().await.map_err(app_error)?;
                let decided: Option<ClosureTuple> = sqlx::query_as(DECIDE)
                    .bind(id)
                    .bind(ClosureStatus::Rejected.as_str())
                    .bind(staff_id)
                    .bind(now_us)
                    .bind(note)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(app_error)?;
                let Some(request) = decided.map(record) else { return Ok(None) };
                crate::account_sql::$backend::insert_mail(&mut tx, mail).await?;
                tx.commit().await.map_err(app_error)?;
                Ok(Some(request))
            }

            async fn closed_user_by_email_hash(&self, email_hash: &str) -> Result<Option<UserRecord>, StorageError> {
                let row: Option<UserTuple> = sqlx::query_as(concat!(
                    "SELECT ",
                    user_columns!(),
                    " FROM users WHERE closed_email_hash = $1 AND status = 'closed' ORDER BY closed_at_us DESC LIMIT 1"
                ))
                .bind(email_hash)
                .fetch_optional(&self.pool)
                .await
                .map_err(app_error)?;
                Ok(row.map(records::user))
            }
        }
    };
}

impl_closure_store!(SqliteStore, BALANCES, sqlite);
impl_closure_store!(PgStore, BALANCES_LOCKED, postgres);
