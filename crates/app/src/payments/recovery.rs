//! Finishing what a dead request left half-done: a card payment left `processing` (the card
//! may have been charged, the books not yet written) and a refund left `pending` (the merchant
//! debited or not, the card not yet credited).
//!
//! Both steps of each are idempotent by reference — the rail charges and refunds once per
//! reference (`pay_...`, `re_...`) and the ledger posts once per reference — so finishing is
//! doing the same steps again: the card payment is charged under its reference (the charge the
//! dead request made, if it made one) and posted, then recorded `succeeded` (or `failed` with
//! the card's answer); the refund is posted and sent to the card. The payer's or merchant's
//! own retry with the same key does the same and would get there first; the sweep only takes
//! rows untouched for [`STALE_AFTER`], long past any live request.

use std::time::Duration;

use okpay_domain::time::now_us;

use crate::App;
use crate::error::{AppError, Code};
use crate::ports::{PaymentRecord, RefundRecord};

/// How long a row must have been left alone before the sweep finishes it.
pub const STALE_AFTER: Duration = Duration::from_secs(10 * 60);
/// How often the sweep runs.
pub const SWEEP_EVERY: Duration = Duration::from_secs(60);
/// Most rows of each kind finished per sweep.
const BATCH: u32 = 50;

/// The `attempt` recorded for a payment the sweep finished (the dead request's own attempt id
/// is not stored); its payer's retry is answered with the payment like their own.
pub const RECOVERED_ATTEMPT: &str = "recovered";

/// What one sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    /// Card payments finished (`succeeded` or `failed`).
    pub payments: usize,
    /// Refunds finished.
    pub refunds: usize,
}

/// Sweeps forever (the server aborts the task on shutdown; every step is safe to repeat).
pub async fn run(app: App) {
    loop {
        tokio::time::sleep(SWEEP_EVERY).await;
        let before = now_us().saturating_sub(i64::try_from(STALE_AFTER.as_micros()).unwrap_or(i64::MAX));
        match app.finish_stale(before).await {
            Ok(s) if s != Swept::default() => tracing::warn!(?s, "finished payments or refunds a request left"),
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "payment recovery sweep failed"),
        }
    }
}

impl App {
    /// Finishes card payments left `processing` and refunds left `pending` whose last change
    /// is older than `before_us`. A row that cannot be finished now (the ledger busy, the
    /// rail down) is logged and left for the next sweep.
    pub async fn finish_stale(&self, before_us: i64) -> Result<Swept, AppError> {
        let mut swept = Swept::default();
        for p in self.store.stale_payments(before_us, BATCH).await? {
            match self.finish_payment(&p).await {
                Ok(()) => swept.payments += 1,
                Err(e) => tracing::error!(payment = %p.id, error = %e, "could not finish a card payment"),
            }
        }
        for r in self.store.stale_refunds(before_us, BATCH).await? {
            match self.finish_refund_left(&r).await {
                Ok(()) => swept.refunds += 1,
                Err(e) => tracing::error!(refund = %r.id, error = %e, "could not finish a refund"),
            }
        }
        Ok(swept)
    }

    /// Charges (again, by reference) and posts a card payment a request left `processing`.
    async fn finish_payment(&self, p: &PaymentRecord) -> Result<(), AppError> {
        let p = self
            .payment_reconciled(&p.id)
            .await?
            .ok_or_else(|| AppError::internal(format!("payment {} vanished", p.id)))?;
        if p.status != "processing" {
            return Ok(()); // the books showed it paid: now recorded
        }
        let (Some(payer_id), Some(pm_id)) = (p.payer_id.as_deref(), p.payment_method.as_deref()) else {
            return Err(AppError::internal(format!("processing payment {} has no payer or card", p.id)));
        };
        let payer = self
            .store
            .user_by_id(payer_id)
            .await?
            .ok_or_else(|| AppError::internal(format!("payer {payer_id} gone")))?;
        let merchant = self
            .store
            .user_by_id(&p.merchant_id)
            .await?
            .ok_or_else(|| AppError::internal(format!("payment {} has no merchant", p.id)))?;
        let Some(pm) = self.store.payment_method(payer_id, pm_id).await? else {
            // The card was removed since: nothing to charge with; fail it (an operator checks the
            // processor for a charge under the payment's reference, see docs/operations.md).
            self.fail_claimed(&p, payer_id, pm_id, Code::ProcessingError.as_str(), None).await?;
            return Ok(());
        };
        // Finishing the payer's confirm that died: its checks already passed then.
        match self.pay_with_card(&payer, &merchant, &p, &pm, RECOVERED_ATTEMPT.into()).await {
            Ok(_) => Ok(()),
            // A card error ends the payment as `failed` (recorded, event emitted): finished. Any
            // other error leaves it `processing` for the next sweep.
            Err(e) => match self.store.payment(&p.id).await? {
                Some(now) if now.status != "processing" => Ok(()),
                _ => Err(e),
            },
        }
    }

    /// Posts and sends a refund a request left `pending`.
    async fn finish_refund_left(&self, r: &RefundRecord) -> Result<(), AppError> {
        let p = self
            .store
            .payment(&r.payment_id)
            .await?
            .ok_or_else(|| AppError::internal(format!("refund {} has no payment", r.id)))?;
        match self.execute_refund(&p, r.clone()).await {
            Ok(_) => Ok(()),
            // A refusal (the merchant's balance short) ends it `failed`, its amount released:
            // finished. Any other error leaves it `pending` for the next sweep.
            Err(e) => match self.store.refund(&r.id).await? {
                Some(now) if now.status != "pending" => Ok(()),
                _ => Err(e),
            },
        }
    }
}
