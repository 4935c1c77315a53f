//! Refunds: money goes back where it came from, wallet payments to the payer's wallet, card
//! payments to card clearing and through the card rail to the card. The fee is not returned.
//!
//! The refund id is derived from (merchant, idempotency key) and is the ledger reference.
//! Before any money moves, the store reserves the amount with a guarded update
//! (`refunded + amount <= amount`), so concurrent partial refunds can never add up to more than
//! the payment; if the ledger then refuses (the merchant's wallet holds too little), the refund
//! is `failed` and the reservation given back. A refund left `pending` by a crash or a busy
//! ledger resumes when the merchant retries with the same key, or else in the recovery sweep
//! ([`super::recovery`]).

use okpay_domain::Amount;
use okpay_domain::ids::IdKind;
use okpay_domain::time::{now_us, rfc3339};
use okpay_ledger::{Command, LedgerError, Leg, Outcome, Rejection, StatementLine, Transfer};
use serde::Serialize;

use super::confirm::amount_of;
use super::notify::label;
use crate::accounts::SystemAccount;
use crate::deposits::ledger_error;
use crate::error::{AppError, Code};
use crate::ports::{PaymentRecord, RefundOutcome, RefundRecord, RefundReservation};
use crate::{App, Caller};

/// A refund as merchants see it in the API and in events (`object: "refund"`).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RefundObject {
    /// `re_...`
    pub id: String,
    /// Always `refund`.
    pub object: &'static str,
    /// The refunded payment, `pay_...`.
    pub payment: String,
    /// Minor units.
    pub amount: i64,
    /// Lowercase ISO code.
    pub currency: String,
    /// `pending`, `succeeded` or `failed`.
    pub status: String,
    /// Why it failed.
    pub failure_code: Option<String>,
    /// RFC 3339.
    pub created_at: String,
}

impl From<&RefundRecord> for RefundObject {
    fn from(r: &RefundRecord) -> Self {
        RefundObject {
            id: r.id.clone(),
            object: "refund",
            payment: r.payment_id.clone(),
            amount: r.amount_minor,
            currency: r.currency.code().to_owned(),
            status: r.status.clone(),
            failure_code: r.failure_code.clone(),
            created_at: rfc3339(r.created_at_us),
        }
    }
}

impl App {
    /// Refunds `amount` (default: all that is left) of the merchant caller's payment `payment_id`.
    pub async fn refund_payment(
        &self,
        caller: &Caller,
        idempotency_key: &str,
        payment_id: &str,
        amount: Option<Amount>,
    ) -> Result<RefundRecord, AppError> {
        caller.require_business()?;
        caller.ensure_can_move_money()?;
        let missing = || AppError::new(Code::ResourceMissing).param("payment");
        // Another merchant's payment is answered exactly like one that does not exist.
        let p =
            self.payment_reconciled(payment_id).await?.filter(|p| p.merchant_id == caller.id()).ok_or_else(missing)?;
        let id = IdKind::Refund.derived(&[caller.id(), idempotency_key]);
        if let Some(existing) = self.store.refund(&id).await? {
            return self.resume(&p, existing, amount).await;
        }
        if p.status != "succeeded" {
            return Err(AppError::new(Code::PaymentNotRefundable).param("payment"));
        }
        let left = p.amount_minor.saturating_sub(p.refunded_minor);
        let wanted = amount.map_or(left, Amount::minor);
        if wanted > left || wanted <= 0 {
            return Err(AppError::new(Code::RefundExceedsPayment).param("amount"));
        }
        let now = now_us();
        let record = RefundRecord {
            id,
            payment_id: p.id.clone(),
            merchant_id: p.merchant_id.clone(),
            amount_minor: wanted,
            currency: p.currency,
            status: "pending".into(),
            failure_code: None,
            rail_reference: None,
            created_at_us: now,
            updated_at_us: now,
        };
        match self.store.reserve_refund(&record).await? {
            RefundReservation::Reserved(r) => self.execute_refund(&p, r).await,
            RefundReservation::Existing(r) => self.resume(&p, r, amount).await,
            RefundReservation::Exceeds => Err(AppError::new(Code::RefundExceedsPayment).param("amount")),
            RefundReservation::NotRefundable => Err(AppError::new(Code::PaymentNotRefundable).param("payment")),
        }
    }

    /// The merchant caller's refund `id`.
    pub async fn refund_for(&self, caller: &Caller, id: &str) -> Result<RefundRecord, AppError> {
        caller.require_business()?;
        self.store
            .refund(id)
            .await?
            .filter(|r| r.merchant_id == caller.id())
            .ok_or_else(|| AppError::new(Code::ResourceMissing).param("id"))
    }

    /// A refund with this key exists (a retry): answer it, or finish it if it is still pending.
    async fn resume(
        &self,
        p: &PaymentRecord,
        r: RefundRecord,
        amount: Option<Amount>,
    ) -> Result<RefundRecord, AppError> {
        if r.payment_id != p.id || amount.is_some_and(|a| a.minor() != r.amount_minor) {
            return Err(AppError::new(Code::IdempotencyKeyReused));
        }
        match r.status.as_str() {
            "pending" => self.execute_refund(p, r).await,
            "failed" => {
                Err(AppError::new(r.failure_code.as_deref().and_then(Code::parse).unwrap_or(Code::InsufficientFunds)))
            }
            _ => Ok(r),
        }
    }

    /// Moves a reserved refund's money and records the outcome.
    pub(super) async fn execute_refund(&self, p: &PaymentRecord, r: RefundRecord) -> Result<RefundRecord, AppError> {
        let amount = Amount::new(r.amount_minor).map_err(|e| AppError::internal(format!("refund amount: {e}")))?;
        amount_of(p)?;
        let merchant = self.store.user_by_id(&p.merchant_id).await?;
        let payer_id = p.payer_id.clone().ok_or_else(|| AppError::internal(format!("paid {} has no payer", p.id)))?;
        let payer = self.store.user_by_id(&payer_id).await?;
        let merchant_name = merchant.as_ref().map(label).unwrap_or_default();
        let payer_email = payer.as_ref().map(|u| u.email.clone()).unwrap_or_default();
        let card = self.card_of(p, &payer_id).await?;
        let to = match p.method.as_deref() {
            Some("card") => self.accounts.system(SystemAccount::CardClearing, p.currency).await?,
            _ => self.accounts.wallet(&payer_id, p.currency).await?,
        };
        let from = self.accounts.wallet(&p.merchant_id, p.currency).await?;
        let now = now_us();
        let line = |owner: &str, tag: &str, other: String| StatementLine {
            id: IdKind::Transaction.derived(&[&r.id, tag]),
            owner: owner.to_owned(),
            kind: "refund".into(),
            amount_minor: r.amount_minor,
            fee_minor: 0,
            currency: p.currency,
            status: "succeeded".into(),
            source_id: r.id.clone(),
            counterparty: Some(other),
            description: p.description.clone(),
            details: Some(serde_json::json!({"payment": p.id, "direction": tag, "card": card}).to_string()),
            created_at_us: now,
            notify: false,
        };
        let cmd = Command::Transfer(Transfer {
            reference: r.id.clone(),
            kind: "refund".into(),
            currency: p.currency,
            legs: vec![Leg { debit: from, credit: to, amount }],
            lines: vec![line(&p.merchant_id, "out", payer_email), line(&payer_id, "in", merchant_name.clone())],
        });
        match self.ledger.submit(cmd).await {
            Ok(Outcome::Posted { .. } | Outcome::Duplicate) => {}
            Ok(other) => return Err(AppError::internal(format!("unexpected ledger outcome {other:?}"))),
            Err(LedgerError::Rejected(rejection)) => {
                let error = match rejection {
                    Rejection::InsufficientFunds(_) => AppError::new(Code::InsufficientFunds).param("amount"),
                    other => AppError::internal(format!("ledger refused refund {}: {other}", r.id)),
                };
                self.fail_refund(&r, error.code).await?;
                return Err(error);
            }
            // Left pending: a retry with the same key resumes it.
            Err(e) => return Err(ledger_error(e)),
        }
        let rail_reference = match (p.method.as_deref(), p.charge_ref.as_deref()) {
            (Some("card"), Some(charge)) => match self.cards.refund(charge, amount, &r.id) {
                Ok(reference) => Some(reference),
                // The money waits in card clearing; a retry with the same key asks the rail again.
                Err(failure) => return Err(failure.into()),
            },
            _ => None,
        };
        let mail = payer.as_ref().map(|u| self.refund_mail(u, &merchant_name, p, r.amount_minor, card.clone()));
        let at_us = now_us();
        // The refund as this outcome leaves it, for the event stored with it.
        let after = RefundRecord {
            status: "succeeded".into(),
            failure_code: None,
            rail_reference: rail_reference.clone(),
            updated_at_us: at_us,
            ..r.clone()
        };
        let event = self.new_event(&p.merchant_id, "refund.succeeded", &RefundObject::from(&after));
        let outcome = RefundOutcome {
            status: "succeeded",
            failure_code: None,
            rail_reference: rail_reference.as_deref(),
            at_us,
            mail: mail.as_ref(),
            event: event.as_ref(),
        };
        if self.store.finish_refund(&r.id, &outcome).await? {
            if mail.is_some() {
                self.mail_queued();
            }
            self.event_stored(event.as_ref());
        }
        self.store.refund(&r.id).await?.ok_or_else(|| AppError::internal(format!("refund {} vanished", r.id)))
    }

    /// Marks a refund the ledger refused as failed, giving its reservation back.
    async fn fail_refund(&self, r: &RefundRecord, code: Code) -> Result<(), AppError> {
        let outcome = RefundOutcome {
            status: "failed",
            failure_code: Some(code.as_str()),
            rail_reference: None,
            at_us: now_us(),
            mail: None,
            event: None,
        };
        self.store.finish_refund(&r.id, &outcome).await?;
        Ok(())
    }

    /// The card a card payment was paid with, as its owner knows it.
    async fn card_of(&self, p: &PaymentRecord, payer_id: &str) -> Result<Option<String>, AppError> {
        if p.method.as_deref() != Some("card") {
            return Ok(None);
        }
        let Some(pm_id) = p.payment_method.as_deref() else { return Ok(Some("card".into())) };
        let pm = self.store.payment_method(payer_id, pm_id).await?;
        Ok(Some(pm.map_or_else(|| "card".into(), |pm| super::notify::card_label(&pm))))
    }
}
