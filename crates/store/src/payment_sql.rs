//! Payments and refunds: the same SQL on both backends, so one macro implements
//! `PaymentStore` for each store type. Every transaction starts with its guarded write, so
//! SQLite takes its write lock first (no read-then-upgrade `SQLITE_BUSY`) and PostgreSQL locks
//! the payment row before anything reads it. Every write takes the process's write turn first
//! (`SqliteStore::write_turn`; none on PostgreSQL): a payment's writes run once per payment,
//! and without the turn they met the ledger's batches at SQLite's lock and slept in its busy
//! handler (confirm latencies up to 0.5–0.6 s in the payments benchmark; 0.3 s with the turn).

use okpay_app::ports::{PaymentRecord, RefundRecord};
use okpay_ledger::StorageError;

use crate::snapshot::currency;

/// Columns of a `payments` row, in [`PaymentRow`]'s order.
macro_rules! payment_columns {
    () => {
        "id, merchant_id, amount_minor, currency, fee_minor, description, return_url, status, payer_id, method, \
         payment_method, charge_ref, failure_code, decline_code, refunded_minor, created_at_us, updated_at_us, \
         paid_at_us"
    };
}

/// Columns of a `refunds` row, in [`RefundRow`]'s order.
macro_rules! refund_columns {
    () => {
        "id, payment_id, merchant_id, amount_minor, currency, status, failure_code, rail_reference, created_at_us, \
         updated_at_us"
    };
}

/// A `payments` row.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct PaymentRow {
    id: String,
    merchant_id: String,
    amount_minor: i64,
    currency: String,
    fee_minor: i64,
    description: Option<String>,
    return_url: Option<String>,
    status: String,
    payer_id: Option<String>,
    method: Option<String>,
    payment_method: Option<String>,
    charge_ref: Option<String>,
    failure_code: Option<String>,
    decline_code: Option<String>,
    refunded_minor: i64,
    created_at_us: i64,
    updated_at_us: i64,
    paid_at_us: Option<i64>,
}

impl PaymentRow {
    /// Decodes the row.
    pub(crate) fn record(self) -> Result<PaymentRecord, StorageError> {
        Ok(PaymentRecord {
            currency: currency(&self.currency)?,
            id: self.id,
            merchant_id: self.merchant_id,
            amount_minor: self.amount_minor,
            fee_minor: self.fee_minor,
            description: self.description,
            return_url: self.return_url,
            status: self.status,
            payer_id: self.payer_id,
            method: self.method,
            payment_method: self.payment_method,
            charge_ref: self.charge_ref,
            failure_code: self.failure_code,
            decline_code: self.decline_code,
            refunded_minor: self.refunded_minor,
            created_at_us: self.created_at_us,
            updated_at_us: self.updated_at_us,
            paid_at_us: self.paid_at_us,
        })
    }
}

/// A `refunds` row.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct RefundRow {
    id: String,
    payment_id: String,
    merchant_id: String,
    amount_minor: i64,
    currency: String,
    status: String,
    failure_code: Option<String>,
    rail_reference: Option<String>,
    created_at_us: i64,
    updated_at_us: i64,
}

impl RefundRow {
    /// Decodes the row.
    pub(crate) fn record(self) -> Result<RefundRecord, StorageError> {
        Ok(RefundRecord {
            currency: currency(&self.currency)?,
            id: self.id,
            payment_id: self.payment_id,
            merchant_id: self.merchant_id,
            amount_minor: self.amount_minor,
            status: self.status,
            failure_code: self.failure_code,
            rail_reference: self.rail_reference,
            created_at_us: self.created_at_us,
            updated_at_us: self.updated_at_us,
        })
    }
}

/// `INSERT` of a new payment; a second one with the same id is ignored.
pub(crate) const INSERT_PAYMENT: &str = concat!(
    "INSERT INTO payments (",
    payment_columns!(),
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) ",
    "ON CONFLICT (id) DO NOTHING"
);
/// One payment by id.
pub(crate) const PAYMENT_BY_ID: &str = concat!("SELECT ", payment_columns!(), " FROM payments WHERE id = $1");
/// A merchant's payments, newest first, before the position (`$2`, `$3`) = (created, id).
pub(crate) const PAYMENTS_PAGE: &str = concat!(
    "SELECT ",
    payment_columns!(),
    " FROM payments WHERE merchant_id = $1 AND (created_at_us < $2 OR (created_at_us = $2 AND id < $3)) ",
    "ORDER BY created_at_us DESC, id DESC LIMIT $4"
);
/// The position of one of the merchant's payments (the cursor of a page).
pub(crate) const PAYMENT_POSITION: &str = "SELECT created_at_us, id FROM payments WHERE merchant_id = $1 AND id = $2";
/// `requires_payment` → `processing`, for one payer's card.
pub(crate) const CLAIM: &str = "UPDATE payments SET status = 'processing', payer_id = $2, method = 'card', \
     payment_method = $3, updated_at_us = $4 WHERE id = $1 AND status = 'requires_payment'";
/// → `succeeded` with how it was paid.
pub(crate) const COMPLETE: &str = "UPDATE payments SET status = 'succeeded', payer_id = $2, method = $3, \
     payment_method = $4, charge_ref = $5, updated_at_us = $6, paid_at_us = $6, failure_code = NULL, \
     decline_code = NULL WHERE id = $1 AND status IN ('requires_payment', 'processing')";
/// The claimer's `processing` → `failed`.
pub(crate) const FAIL: &str = "UPDATE payments SET status = 'failed', failure_code = $3, decline_code = $4, \
     updated_at_us = $5 WHERE id = $1 AND payer_id = $2 AND status = 'processing'";
/// `INSERT` of a pending refund; a second one with the same id is ignored.
pub(crate) const INSERT_REFUND: &str = concat!(
    "INSERT INTO refunds (",
    refund_columns!(),
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING"
);
/// The reservation: grows `refunded_minor` only while it stays within the amount.
pub(crate) const RESERVE: &str = "UPDATE payments SET refunded_minor = refunded_minor + $3, updated_at_us = $4 \
     WHERE id = $1 AND merchant_id = $2 AND status = 'succeeded' AND refunded_minor + $3 <= amount_minor";
/// The payment's status, to tell why a reservation was refused.
pub(crate) const PAYMENT_STATUS: &str = "SELECT status FROM payments WHERE id = $1 AND merchant_id = $2";
/// Ends a pending refund (first statement of its transaction); returns what the release needs.
pub(crate) const FINISH_REFUND: &str = "UPDATE refunds SET status = $2, failure_code = $3, rail_reference = $4, \
     updated_at_us = $5 WHERE id = $1 AND status = 'pending' RETURNING payment_id, amount_minor";
/// Gives a failed refund's reservation back.
pub(crate) const RELEASE: &str =
    "UPDATE payments SET refunded_minor = refunded_minor - $2, updated_at_us = $3 WHERE id = $1";
/// One refund by id.
pub(crate) const REFUND_BY_ID: &str = concat!("SELECT ", refund_columns!(), " FROM refunds WHERE id = $1");
/// A payment's refunds, oldest first.
pub(crate) const REFUNDS_OF: &str =
    concat!("SELECT ", refund_columns!(), " FROM refunds WHERE payment_id = $1 ORDER BY created_at_us, id LIMIT 1000");

/// Payments a request left `processing` (the partial index `payments_processing` keeps this
/// read small whatever the table's size).
pub(crate) const STALE_PAYMENTS: &str = concat!(
    "SELECT ",
    payment_columns!(),
    " FROM payments WHERE status = 'processing' AND updated_at_us < $1 ORDER BY updated_at_us, id LIMIT $2"
);
/// Refunds a request left `pending` (partial index `refunds_pending`).
pub(crate) const STALE_REFUNDS: &str = concat!(
    "SELECT ",
    refund_columns!(),
    " FROM refunds WHERE status = 'pending' AND updated_at_us < $1 ORDER BY updated_at_us, id LIMIT $2"
);

/// Implements `PaymentStore` for a store type with a `pool`; `$backend` names its module in
/// [`crate::account_sql`] (the mail insert of a payment or refund, inside its transaction).
macro_rules! payment_store {
    ($store:ty, $backend:ident) => {
        use async_trait::async_trait;
        use okpay_app::ports::{
            PaymentCompletion, PaymentRecord, PaymentStore, RefundOutcome, RefundRecord, RefundReservation,
        };
        use okpay_ledger::StorageError;

        use crate::error::{app_error, corrupt};
        use crate::payment_sql::{self as q, PaymentRow, RefundRow};

        #[async_trait]
        impl PaymentStore for $store {
            async fn insert_payment(&self, p: &PaymentRecord) -> Result<PaymentRecord, StorageError> {
                let turn = self.write_turn().await;
                sqlx::query(q::INSERT_PAYMENT)
                    .bind(&p.id)
                    .bind(&p.merchant_id)
                    .bind(p.amount_minor)
                    .bind(p.currency.code())
                    .bind(p.fee_minor)
                    .bind(&p.description)
                    .bind(&p.return_url)
                    .bind(&p.status)
                    .bind(&p.payer_id)
                    .bind(&p.method)
                    .bind(&p.payment_method)
                    .bind(&p.charge_ref)
                    .bind(&p.failure_code)
                    .bind(&p.decline_code)
                    .bind(p.refunded_minor)
                    .bind(p.created_at_us)
                    .bind(p.updated_at_us)
                    .bind(p.paid_at_us)
                    .execute(&self.pool)
                    .await
                    .map_err(app_error)?;
                drop(turn);
                self.payment(&p.id).await?.ok_or_else(|| corrupt(format_args!("payment {} vanished", p.id)))
            }

            async fn payment(&self, id: &str) -> Result<Option<PaymentRecord>, StorageError> {
                let row: Option<PaymentRow> =
                    sqlx::query_as(q::PAYMENT_BY_ID).bind(id).fetch_optional(&self.pool).await.map_err(app_error)?;
                row.map(PaymentRow::record).transpose()
            }

            async fn payments(
                &self,
                merchant_id: &str,
                starting_after: Option<&str>,
                limit: u32,
            ) -> Result<Option<Vec<PaymentRecord>>, StorageError> {
                let (before_us, before_id) = match starting_after {
                    None => (i64::MAX, String::new()),
                    Some(id) => {
                        let at: Option<(i64, String)> = sqlx::query_as(q::PAYMENT_POSITION)
                            .bind(merchant_id)
                            .bind(id)
                            .fetch_optional(&self.pool)
                            .await
                            .map_err(app_error)?;
                        match at {
                            Some(at) => at,
                            None => return Ok(None),
                        }
                    }
                };
                let rows: Vec<PaymentRow> = sqlx::query_as(q::PAYMENTS_PAGE)
                    .bind(merchant_id)
                    .bind(before_us)
                    .bind(before_id)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(app_error)?;
                rows.into_iter().map(PaymentRow::record).collect::<Result<Vec<_>, _>>().map(Some)
            }

            async fn claim_payment(
                &self,
                id: &str,
                payer_id: &str,
                payment_method: &str,
                now_us: i64,
            ) -> Result<bool, StorageError> {
                let _turn = self.write_turn().await;
                let done = sqlx::query(q::CLAIM)
                    .bind(id)
                    .bind(payer_id)
                    .bind(payment_method)
                    .bind(now_us)
                    .execute(&self.pool)
                    .await
                    .map_err(app_error)?;
                Ok(done.rows_affected() == 1)
            }

            async fn complete_payment(&self, id: &str, c: &PaymentCompletion<'_>) -> Result<bool, StorageError> {
                let _turn = self.write_turn().await;
                let mut tx = self.pool.begin().await.map_err(app_error)?;
                let done = sqlx::query(q::COMPLETE)
                    .bind(id)
                    .bind(c.payer_id)
                    .bind(c.method)
                    .bind(c.payment_method)
                    .bind(c.charge_ref)
                    .bind(c.at_us)
                    .execute(&mut *tx)
                    .await
                    .map_err(app_error)?;
                if done.rows_affected() != 1 {
                    return Ok(false); // dropping the transaction rolls it back
                }
                if let Some(mail) = c.mail {
                    crate::account_sql::$backend::insert_mail(&mut tx, mail).await?;
                }
                if let Some(e) = c.event {
                    let _delivery_queued = crate::event_sql::insert_event_in!(tx, &e.record, &e.delivery_id);
                }
                tx.commit().await.map_err(app_error)?;
                Ok(true)
            }

            async fn fail_payment(
                &self,
                id: &str,
                payer_id: &str,
                failure_code: &str,
                decline_code: Option<&str>,
                now_us: i64,
                event: Option<&okpay_app::ports::NewEvent>,
            ) -> Result<bool, StorageError> {
                let _turn = self.write_turn().await;
                let mut tx = self.pool.begin().await.map_err(app_error)?;
                let done = sqlx::query(q::FAIL)
                    .bind(id)
                    .bind(payer_id)
                    .bind(failure_code)
                    .bind(decline_code)
                    .bind(now_us)
                    .execute(&mut *tx)
                    .await
                    .map_err(app_error)?;
                if done.rows_affected() != 1 {
                    return Ok(false); // dropping the transaction rolls it back
                }
                if let Some(e) = event {
                    let _delivery_queued = crate::event_sql::insert_event_in!(tx, &e.record, &e.delivery_id);
                }
                tx.commit().await.map_err(app_error)?;
                Ok(true)
            }

            async fn reserve_refund(&self, r: &RefundRecord) -> Result<RefundReservation, StorageError> {
                let _turn = self.write_turn().await;
                let mut tx = self.pool.begin().await.map_err(app_error)?;
                let inserted = sqlx::query(q::INSERT_REFUND)
                    .bind(&r.id)
                    .bind(&r.payment_id)
                    .bind(&r.merchant_id)
                    .bind(r.amount_minor)
                    .bind(r.currency.code())
                    .bind("pending")
                    .bind(&r.failure_code)
                    .bind(&r.rail_reference)
                    .bind(r.created_at_us)
                    .bind(r.updated_at_us)
                    .execute(&mut *tx)
                    .await
                    .map_err(app_error)?;
                if inserted.rows_affected() != 1 {
                    drop(tx);
                    let existing = self.refund(&r.id).await?;
                    return existing
                        .map(RefundReservation::Existing)
                        .ok_or_else(|| corrupt(format_args!("refund {} conflicts but is missing", r.id)));
                }
                let reserved = sqlx::query(q::RESERVE)
                    .bind(&r.payment_id)
                    .bind(&r.merchant_id)
                    .bind(r.amount_minor)
                    .bind(r.created_at_us)
                    .execute(&mut *tx)
                    .await
                    .map_err(app_error)?;
                if reserved.rows_affected() != 1 {
                    drop(tx);
                    let status: Option<(String,)> = sqlx::query_as(q::PAYMENT_STATUS)
                        .bind(&r.payment_id)
                        .bind(&r.merchant_id)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(app_error)?;
                    return Ok(match status {
                        Some((s,)) if s == "succeeded" => RefundReservation::Exceeds,
                        _ => RefundReservation::NotRefundable,
                    });
                }
                tx.commit().await.map_err(app_error)?;
                Ok(RefundReservation::Reserved(RefundRecord { status: "pending".into(), ..r.clone() }))
            }

            async fn finish_refund(&self, id: &str, o: &RefundOutcome<'_>) -> Result<bool, StorageError> {
                let _turn = self.write_turn().await;
                let mut tx = self.pool.begin().await.map_err(app_error)?;
                let ended: Option<(String, i64)> = sqlx::query_as(q::FINISH_REFUND)
                    .bind(id)
                    .bind(o.status)
                    .bind(o.failure_code)
                    .bind(o.rail_reference)
                    .bind(o.at_us)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(app_error)?;
                let Some((payment_id, amount)) = ended else { return Ok(false) };
                if o.status != "succeeded" {
                    sqlx::query(q::RELEASE)
                        .bind(&payment_id)
                        .bind(amount)
                        .bind(o.at_us)
                        .execute(&mut *tx)
                        .await
                        .map_err(app_error)?;
                }
                if let Some(mail) = o.mail {
                    crate::account_sql::$backend::insert_mail(&mut tx, mail).await?;
                }
                if let Some(e) = o.event {
                    let _delivery_queued = crate::event_sql::insert_event_in!(tx, &e.record, &e.delivery_id);
                }
                tx.commit().await.map_err(app_error)?;
                Ok(true)
            }

            async fn refund(&self, id: &str) -> Result<Option<RefundRecord>, StorageError> {
                let row: Option<RefundRow> =
                    sqlx::query_as(q::REFUND_BY_ID).bind(id).fetch_optional(&self.pool).await.map_err(app_error)?;
                row.map(RefundRow::record).transpose()
            }

            async fn refunds_of(&self, payment_id: &str) -> Result<Vec<RefundRecord>, StorageError> {
                let rows: Vec<RefundRow> =
                    sqlx::query_as(q::REFUNDS_OF).bind(payment_id).fetch_all(&self.pool).await.map_err(app_error)?;
                rows.into_iter().map(RefundRow::record).collect()
            }

            async fn stale_payments(&self, before_us: i64, limit: u32) -> Result<Vec<PaymentRecord>, StorageError> {
                let rows: Vec<PaymentRow> = sqlx::query_as(q::STALE_PAYMENTS)
                    .bind(before_us)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(app_error)?;
                rows.into_iter().map(PaymentRow::record).collect()
            }

            async fn stale_refunds(&self, before_us: i64, limit: u32) -> Result<Vec<RefundRecord>, StorageError> {
                let rows: Vec<RefundRow> = sqlx::query_as(q::STALE_REFUNDS)
                    .bind(before_us)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(app_error)?;
                rows.into_iter().map(RefundRow::record).collect()
            }
        }
    };
}
pub(crate) use payment_store;
