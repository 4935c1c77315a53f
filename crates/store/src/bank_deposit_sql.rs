//! The `bank_deposits` table: its statements and rows are shared by both backends (same columns,
//! same order), and so is the [`BankDepositStore`] implementation, generated for each store type.
//! Only the claim differs: PostgreSQL skips rows other workers hold locked; SQLite has one
//! writer at a time, so its claiming subquery cannot race.

use async_trait::async_trait;
use okpay_app::ports::{BankDepositRecord, BankDepositStore, BankSettlement};
use okpay_ledger::StorageError;

use crate::error::{app_error, corrupt};
use crate::postgres::PgStore;
use crate::snapshot::currency;
use crate::sqlite::SqliteStore;

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

/// The [`BankDepositStore`] implementation for `$store`, claiming with `$claim`; the backend
/// module `$backend` provides the mail insert of a settlement (inside its transaction).
macro_rules! impl_bank_deposit_store {
    ($store:ty, $claim:expr, $backend:ident) => {
        #[async_trait]
        impl BankDepositStore for $store {
            async fn insert_bank_deposit(&self, r: &BankDepositRecord) -> Result<BankDepositRecord, StorageError> {
                let turn = self.write_turn().await;
                sqlx::query(INSERT)
                    .bind(&r.id)
                    .bind(&r.owner)
                    .bind(&r.line_id)
                    .bind(&r.payment_method)
                    .bind(&r.rail_token)
                    .bind(r.amount_minor)
                    .bind(r.currency.code())
                    .bind(&r.status)
                    .bind(&r.failure_code)
                    .bind(r.attempts)
                    .bind(r.due_at_us)
                    .bind(r.created_at_us)
                    .bind(r.settled_at_us)
                    .execute(&self.pool)
                    .await
                    .map_err(app_error)?;
                drop(turn);
                self.bank_deposit(&r.id)
                    .await?
                    .ok_or_else(|| corrupt(format_args!("bank deposit {} vanished after insert", r.id)))
            }

            async fn bank_deposit(&self, id: &str) -> Result<Option<BankDepositRecord>, StorageError> {
                let row: Option<BankDepositTuple> =
                    sqlx::query_as(BY_ID).bind(id).fetch_optional(&self.pool).await.map_err(app_error)?;
                row.map(record).transpose()
            }

            async fn claim_bank_deposits(
                &self,
                now_us: i64,
                lease_until_us: i64,
                limit: u32,
            ) -> Result<Vec<BankDepositRecord>, StorageError> {
                let turn = self.write_turn().await;
                let rows: Vec<BankDepositTuple> = sqlx::query_as($claim)
                    .bind(now_us)
                    .bind(lease_until_us)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(app_error)?;
                drop(turn);
                rows.into_iter().map(record).collect()
            }

            async fn reschedule_bank_deposit(&self, id: &str, due_at_us: i64) -> Result<(), StorageError> {
                let turn = self.write_turn().await;
                sqlx::query(RESCHEDULE).bind(id).bind(due_at_us).execute(&self.pool).await.map_err(app_error)?;
                drop(turn);
                Ok(())
            }

            async fn settle_bank_deposit(&self, id: &str, s: &BankSettlement<'_>) -> Result<bool, StorageError> {
                let _turn = self.write_turn().await;
                let mut tx = self.pool.begin().await.map_err(app_error)?;
                let moved = sqlx::query(SETTLE)
                    .bind(id)
                    .bind(s.status)
                    .bind(s.failure_code)
                    .bind(s.at_us)
                    .execute(&mut *tx)
                    .await
                    .map_err(app_error)?;
                if moved.rows_affected() != 1 {
                    return Ok(false); // dropping the transaction rolls it back
                }
                let line: Option<(String,)> = sqlx::query_as("SELECT line_id FROM bank_deposits WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(app_error)?;
                if let Some((line_id,)) = line {
                    sqlx::query(LINE_DETAILS)
                        .bind(line_id)
                        .bind(s.details)
                        .execute(&mut *tx)
                        .await
                        .map_err(app_error)?;
                }
                if let Some(mail) = s.mail {
                    crate::account_sql::$backend::insert_mail(&mut tx, mail).await?;
                }
                tx.commit().await.map_err(app_error)?;
                Ok(true)
            }
        }
    };
}

impl_bank_deposit_store!(SqliteStore, CLAIM_SQLITE, sqlite);
impl_bank_deposit_store!(PgStore, CLAIM_POSTGRES, postgres);
