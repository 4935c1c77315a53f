//! The `withdrawals` table's statements and rows, shared by both backends (same columns, same
//! order); only the claim differs (PostgreSQL skips rows other workers hold locked).

use okpay_app::ports::WithdrawalRecord;
use okpay_ledger::StorageError;

use crate::snapshot::currency;

/// Columns of a row, in [`WithdrawalRow`]'s order.
macro_rules! withdrawal_columns {
    () => {
        "id, owner, line_id, payment_method, method, rail_token, amount_minor, fee_minor, currency, status, \
         failure_code, attempts, due_at_us, created_at_us, processing_at_us, finished_at_us, estimated_arrival_us, \
         created_mailed"
    };
}

/// A `withdrawals` row as read.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct WithdrawalRow {
    id: String,
    owner: String,
    line_id: String,
    payment_method: String,
    method: String,
    rail_token: String,
    amount_minor: i64,
    fee_minor: i64,
    currency: String,
    status: String,
    failure_code: Option<String>,
    attempts: i64,
    due_at_us: i64,
    created_at_us: i64,
    processing_at_us: Option<i64>,
    finished_at_us: Option<i64>,
    estimated_arrival_us: i64,
    created_mailed: bool,
}

/// Decodes a row.
pub(crate) fn record(r: WithdrawalRow) -> Result<WithdrawalRecord, StorageError> {
    Ok(WithdrawalRecord {
        currency: currency(&r.currency)?,
        id: r.id,
        owner: r.owner,
        line_id: r.line_id,
        payment_method: r.payment_method,
        method: r.method,
        rail_token: r.rail_token,
        amount_minor: r.amount_minor,
        fee_minor: r.fee_minor,
        status: r.status,
        failure_code: r.failure_code,
        attempts: r.attempts,
        due_at_us: r.due_at_us,
        created_at_us: r.created_at_us,
        processing_at_us: r.processing_at_us,
        finished_at_us: r.finished_at_us,
        estimated_arrival_us: r.estimated_arrival_us,
        created_mailed: r.created_mailed,
    })
}

/// `INSERT` of a new row ($1–$18 in column order); a second one with the same id is ignored.
pub(crate) const INSERT: &str = concat!(
    "INSERT INTO withdrawals (",
    withdrawal_columns!(),
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) ",
    "ON CONFLICT (id) DO NOTHING"
);
/// One row by id.
pub(crate) const BY_ID: &str = concat!("SELECT ", withdrawal_columns!(), " FROM withdrawals WHERE id = $1");
/// Removes a row whose hold the ledger refused.
pub(crate) const DELETE_REFUSED: &str = "DELETE FROM withdrawals WHERE id = $1 AND status = 'pending' \
     AND finished_at_us IS NULL AND created_mailed = FALSE";
/// The owner's first page, newest first.
pub(crate) const LIST_FIRST: &str = concat!(
    "SELECT ",
    withdrawal_columns!(),
    " FROM withdrawals WHERE owner = $1 ORDER BY created_at_us DESC, id DESC LIMIT $2"
);
/// The owner's page after the row `(created_at_us, id) = ($2, $3)`.
pub(crate) const LIST_AFTER: &str = concat!(
    "SELECT ",
    withdrawal_columns!(),
    " FROM withdrawals WHERE owner = $1 AND (created_at_us, id) < ($2, $3) ",
    "ORDER BY created_at_us DESC, id DESC LIMIT $4"
);
/// Moves an unfinished row's due time.
pub(crate) const RESCHEDULE: &str = "UPDATE withdrawals SET due_at_us = $2 WHERE id = $1 AND finished_at_us IS NULL";
/// Marks the creation mail as queued (first statement of its transaction).
pub(crate) const CREATED_MAILED: &str =
    "UPDATE withdrawals SET created_mailed = TRUE WHERE id = $1 AND created_mailed = FALSE";
/// The guarded status change: `$2` is the expected status, `$3` the new one; `$4` due time,
/// `$5` failure code and `$6` processing time keep the old value when NULL; `$7` finishes.
pub(crate) const TRANSITION: &str = "UPDATE withdrawals SET status = $3, due_at_us = COALESCE($4, due_at_us), \
     failure_code = COALESCE($5, failure_code), processing_at_us = COALESCE($6, processing_at_us), \
     finished_at_us = $7 WHERE id = $1 AND status = $2 AND finished_at_us IS NULL RETURNING line_id";
/// The history row's status, for changes that move no money.
pub(crate) const LINE_STATUS: &str = "UPDATE transactions SET status = $2 WHERE id = $1";
/// The history row's status-history entry.
pub(crate) const LINE_EVENT: &str = "INSERT INTO transaction_events (txn_id, status, at_us) VALUES ($1, $2, $3)";
/// The history row's details.
pub(crate) const LINE_DETAILS: &str = "UPDATE transactions SET details = $2 WHERE id = $1";
/// The claim on SQLite (one writer at a time, so the subquery cannot race).
pub(crate) const CLAIM_SQLITE: &str = concat!(
    "UPDATE withdrawals SET attempts = attempts + 1, due_at_us = $2 WHERE id IN (",
    "SELECT id FROM withdrawals WHERE finished_at_us IS NULL AND due_at_us <= $1 ORDER BY due_at_us, id LIMIT $3) ",
    "RETURNING ",
    withdrawal_columns!()
);
/// The claim on PostgreSQL: rows locked by another worker's claim are skipped, not waited for.
pub(crate) const CLAIM_POSTGRES: &str = concat!(
    "UPDATE withdrawals SET attempts = attempts + 1, due_at_us = $2 WHERE id IN (",
    "SELECT id FROM withdrawals WHERE finished_at_us IS NULL AND due_at_us <= $1 ORDER BY due_at_us, id LIMIT $3 ",
    "FOR UPDATE SKIP LOCKED) RETURNING ",
    withdrawal_columns!()
);

/// The [`okpay_app::ports::WithdrawalStore`] implementation, the same on both backends but for
/// the claim statement; expanded in each backend's `withdrawals` module, whose imports
/// (`insert_mail`, its `Tx`, this module as `q`) it uses.
macro_rules! impl_withdrawal_store {
    ($store:ty, $claim:expr) => {
        #[async_trait]
        impl WithdrawalStore for $store {
            async fn insert_withdrawal(&self, r: &WithdrawalRecord) -> Result<WithdrawalRecord, StorageError> {
                let turn = self.write_turn().await;
                sqlx::query(q::INSERT)
                    .bind(&r.id)
                    .bind(&r.owner)
                    .bind(&r.line_id)
                    .bind(&r.payment_method)
                    .bind(&r.method)
                    .bind(&r.rail_token)
                    .bind(r.amount_minor)
                    .bind(r.fee_minor)
                    .bind(r.currency.code())
                    .bind(&r.status)
                    .bind(&r.failure_code)
                    .bind(r.attempts)
                    .bind(r.due_at_us)
                    .bind(r.created_at_us)
                    .bind(r.processing_at_us)
                    .bind(r.finished_at_us)
                    .bind(r.estimated_arrival_us)
                    .bind(r.created_mailed)
                    .execute(&self.pool)
                    .await
                    .map_err(app_error)?;
                drop(turn);
                self.withdrawal(&r.id)
                    .await?
                    .ok_or_else(|| corrupt(format_args!("withdrawal {} vanished after insert", r.id)))
            }

            async fn delete_withdrawal(&self, id: &str) -> Result<bool, StorageError> {
                let turn = self.write_turn().await;
                let done = sqlx::query(q::DELETE_REFUSED).bind(id).execute(&self.pool).await.map_err(app_error)?;
                drop(turn);
                Ok(done.rows_affected() == 1)
            }

            async fn withdrawal(&self, id: &str) -> Result<Option<WithdrawalRecord>, StorageError> {
                let row: Option<WithdrawalRow> =
                    sqlx::query_as(q::BY_ID).bind(id).fetch_optional(&self.pool).await.map_err(app_error)?;
                row.map(record).transpose()
            }

            async fn withdrawals(
                &self,
                owner: &str,
                starting_after: Option<&str>,
                limit: u32,
            ) -> Result<Vec<WithdrawalRecord>, StorageError> {
                let cursor = match starting_after {
                    Some(id) => match self.withdrawal(id).await? {
                        Some(w) if w.owner == owner => Some(w),
                        _ => return Ok(Vec::new()),
                    },
                    None => None,
                };
                let rows: Vec<WithdrawalRow> = match cursor {
                    Some(c) => sqlx::query_as(q::LIST_AFTER)
                        .bind(owner)
                        .bind(c.created_at_us)
                        .bind(c.id)
                        .bind(i64::from(limit))
                        .fetch_all(&self.pool)
                        .await
                        .map_err(app_error)?,
                    None => sqlx::query_as(q::LIST_FIRST)
                        .bind(owner)
                        .bind(i64::from(limit))
                        .fetch_all(&self.pool)
                        .await
                        .map_err(app_error)?,
                };
                rows.into_iter().map(record).collect()
            }

            async fn claim_withdrawals(
                &self,
                now_us: i64,
                lease_until_us: i64,
                limit: u32,
            ) -> Result<Vec<WithdrawalRecord>, StorageError> {
                let turn = self.write_turn().await;
                let rows: Vec<WithdrawalRow> = sqlx::query_as($claim)
                    .bind(now_us)
                    .bind(lease_until_us)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(app_error)?;
                drop(turn);
                rows.into_iter().map(record).collect()
            }

            async fn reschedule_withdrawal(&self, id: &str, due_at_us: i64) -> Result<(), StorageError> {
                let turn = self.write_turn().await;
                sqlx::query(q::RESCHEDULE).bind(id).bind(due_at_us).execute(&self.pool).await.map_err(app_error)?;
                drop(turn);
                Ok(())
            }

            async fn queue_withdrawal_created_mail(
                &self,
                id: &str,
                mail: &okpay_app::ports::OutboxMail,
            ) -> Result<bool, StorageError> {
                let _turn = self.write_turn().await;
                let mut tx = self.pool.begin().await.map_err(app_error)?;
                let marked = sqlx::query(q::CREATED_MAILED).bind(id).execute(&mut *tx).await.map_err(app_error)?;
                if marked.rows_affected() != 1 {
                    return Ok(false); // dropping the transaction rolls it back
                }
                insert_mail(&mut tx, mail).await?;
                tx.commit().await.map_err(app_error)?;
                Ok(true)
            }

            async fn transition_withdrawal(
                &self,
                id: &str,
                t: &WithdrawalTransition<'_>,
            ) -> Result<bool, StorageError> {
                let _turn = self.write_turn().await;
                let mut tx = self.pool.begin().await.map_err(app_error)?;
                let line: Option<(String,)> = sqlx::query_as(q::TRANSITION)
                    .bind(id)
                    .bind(t.from)
                    .bind(t.to)
                    .bind(t.due_at_us)
                    .bind(t.failure_code)
                    .bind((t.to == "processing").then_some(t.at_us))
                    .bind(t.finish.then_some(t.at_us))
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(app_error)?;
                let Some((line_id,)) = line else {
                    return Ok(false); // dropping the transaction rolls it back
                };
                if t.line_status {
                    sqlx::query(q::LINE_STATUS).bind(&line_id).bind(t.to).execute(&mut *tx).await.map_err(app_error)?;
                    sqlx::query(q::LINE_EVENT)
                        .bind(&line_id)
                        .bind(t.to)
                        .bind(t.at_us)
                        .execute(&mut *tx)
                        .await
                        .map_err(app_error)?;
                }
                if let Some(details) = t.line_details {
                    sqlx::query(q::LINE_DETAILS)
                        .bind(&line_id)
                        .bind(details)
                        .execute(&mut *tx)
                        .await
                        .map_err(app_error)?;
                }
                if let Some(mail) = t.mail {
                    insert_mail(&mut tx, mail).await?;
                }
                tx.commit().await.map_err(app_error)?;
                Ok(true)
            }
        }
    };
}
pub(crate) use impl_withdrawal_store;
