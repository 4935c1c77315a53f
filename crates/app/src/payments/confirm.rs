//! Confirming a payment: the payer pays it from their wallet or with one of their cards.
//!
//! * Wallet: one ledger transfer whose reference is the payment id, payer → merchant
//!   (amount − fee) and payer → fee revenue (fee). The books refuse a second journal with that
//!   reference, so a payment is paid at most once even when two payers race; the loser sees
//!   `Duplicate` and gets `payment_already_completed`. Not enough money: 402
//!   `insufficient_funds`, nothing written, the payment stays payable.
//! * Card: the payment is first claimed (`requires_payment` → `processing`, one winner), then
//!   the card is authorised and captured with the payment id as reference, then card clearing →
//!   merchant and fee revenue. A card failure ends the payment (`failed`, terminal).
//!
//! Either way the merchant's `payment_received` history row records who paid and how, so a
//! crash between the journal and the payment's own record is repaired on the next read or
//! retry (see [`App::payment_reconciled`]).

use okpay_domain::Amount;
use okpay_domain::ids::IdKind;
use okpay_domain::limits::Movement;
use okpay_domain::time::now_us;
use okpay_ledger::{AccountId, Command, LedgerError, Leg, Outcome, StatementLine, Transfer};
use serde::{Deserialize, Serialize};

use super::notify::{card_label, label};
use super::recovery::RECOVERED_ATTEMPT;
use crate::accounts::SystemAccount;
use crate::deposits::ledger_error;
use crate::error::{AppError, Code};
use crate::merchant;
use crate::ports::{PaymentCompletion, PaymentMethodRecord, PaymentRecord, UserRecord};
use crate::rail::CardFailure;
use crate::{App, Caller};

/// How a payment was paid, kept in the `details` of the merchant's `payment_received` row (the
/// row the ledger writes with the money), so the books alone can complete the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaidWith {
    /// The payer, `usr_...`.
    pub payer: String,
    /// `wallet` or `card`.
    pub method: String,
    /// The card's `pm_...`.
    pub payment_method: Option<String>,
    /// The card as the payer knows it.
    pub card: Option<String>,
    /// The rail's charge reference.
    pub rail_reference: Option<String>,
    /// Which confirm request paid it (derived from the payer and their idempotency key).
    pub attempt: String,
}

/// What the payer pays with.
enum Method {
    Wallet,
    Card(Box<PaymentMethodRecord>),
}

impl App {
    /// Pays the payment `id` as the signed-in `caller` with `payment_method` (`wallet` or one of
    /// the caller's cards, `pm_...`).
    pub async fn confirm_payment(
        &self,
        caller: &Caller,
        idempotency_key: &str,
        id: &str,
        payment_method: &str,
    ) -> Result<PaymentRecord, AppError> {
        caller.ensure_can_move_money()?;
        let p = self.payment_reconciled(id).await?.ok_or_else(|| AppError::new(Code::ResourceMissing).param("id"))?;
        if p.merchant_id == caller.id() {
            return Err(AppError::new(Code::PaymentToSelf));
        }
        let method = self.method(caller, payment_method).await?;
        let settings =
            self.store.merchant_settings(&p.merchant_id).await?.unwrap_or_else(|| merchant::defaults(&p.merchant_id));
        let wanted = match method {
            Method::Wallet => "wallet",
            Method::Card(_) => "card",
        };
        if !settings.accepted_payment_methods.iter().any(|m| m == wanted) {
            return Err(AppError::new(Code::PaymentMethodNotAccepted).param("payment_method"));
        }
        let attempt = IdKind::Payment.derived(&[caller.id(), idempotency_key, "confirm"]);
        let ours = p.payer_id.as_deref() == Some(caller.id());
        match p.status.as_str() {
            "requires_payment" => {}
            "succeeded" => return self.already_paid(caller.id(), &p, &attempt).await,
            "failed" if ours => return Err(failure_of(&p)),
            // The payer's own card attempt that did not finish (a crash, a busy ledger): go on;
            // the rail and the books both recognise the payment id as reference.
            "processing"
                if ours
                    && matches!(&method, Method::Card(pm) if p.payment_method.as_deref() == Some(pm.id.as_str())) => {}
            _ => return Err(AppError::new(Code::PaymentAlreadyCompleted)),
        }
        let merchant = self
            .store
            .user_by_id(&p.merchant_id)
            .await?
            .ok_or_else(|| AppError::internal(format!("payment {} has no merchant", p.id)))?;
        match method {
            Method::Wallet => self.pay_with_wallet(caller, &merchant, &p, attempt).await,
            Method::Card(pm) => self.pay_with_card(&caller.user, &merchant, &p, &pm, attempt).await,
        }
    }

    async fn method(&self, caller: &Caller, raw: &str) -> Result<Method, AppError> {
        if raw == "wallet" {
            return Ok(Method::Wallet);
        }
        if !raw.starts_with(IdKind::PaymentMethod.prefix()) {
            return Err(AppError::new(Code::ParameterInvalid).param("payment_method"));
        }
        let pm = self
            .store
            .payment_method(caller.id(), raw)
            .await?
            .ok_or_else(|| AppError::new(Code::ResourceMissing).param("payment_method"))?;
        if pm.kind != "card" {
            return Err(AppError::new(Code::PaymentMethodNotAccepted).param("payment_method"));
        }
        Ok(Method::Card(Box::new(pm)))
    }

    async fn pay_with_wallet(
        &self,
        caller: &Caller,
        merchant: &UserRecord,
        p: &PaymentRecord,
        attempt: String,
    ) -> Result<PaymentRecord, AppError> {
        let paid = PaidWith {
            payer: caller.id().to_owned(),
            method: "wallet".into(),
            payment_method: None,
            card: None,
            rail_reference: None,
            attempt,
        };
        // Paying from the wallet is money leaving it, like a transfer: same limit.
        let _gate = self.check_limit(caller, Movement::Transfer, p.currency, p.amount_minor, &p.id).await?;
        let from = self.accounts.wallet(caller.id(), p.currency).await?;
        let cmd = self.payment_journal(from, &caller.user, merchant, p, &paid).await?;
        match self.ledger.submit(cmd).await {
            Ok(Outcome::Posted { .. }) => {
                self.notices_queued();
                self.assess_source_later(caller.id(), &p.id);
                self.complete(p, &paid).await
            }
            Ok(Outcome::Duplicate) => self.already_paid(caller.id(), p, &paid.attempt).await,
            Ok(other) => Err(AppError::internal(format!("unexpected ledger outcome {other:?}"))),
            Err(LedgerError::Rejected(okpay_ledger::Rejection::InsufficientFunds(_))) => {
                Err(AppError::new(Code::InsufficientFunds).param("payment_method"))
            }
            Err(e) => Err(ledger_error(e)),
        }
    }

    /// Pays `p` with the `payer`'s card `pm`: claims it (`processing`), charges the card (the
    /// payment id is the rail's reference, so a repeat charges once) and posts it.
    pub(super) async fn pay_with_card(
        &self,
        payer: &UserRecord,
        merchant: &UserRecord,
        p: &PaymentRecord,
        pm: &PaymentMethodRecord,
        attempt: String,
    ) -> Result<PaymentRecord, AppError> {
        if p.status == "requires_payment" && !self.store.claim_payment(&p.id, &payer.id, &pm.id, now_us()).await? {
            return Err(AppError::new(Code::PaymentAlreadyCompleted)); // another payer got there first
        }
        let amount = amount_of(p)?;
        let charge = match self.cards.charge(&pm.rail_token, amount, p.currency, &p.id) {
            Ok(charge) => charge,
            Err(failure) => return Err(self.card_failed(payer, merchant, p, pm, failure).await),
        };
        let paid = PaidWith {
            payer: payer.id.clone(),
            method: "card".into(),
            payment_method: Some(pm.id.clone()),
            card: Some(card_label(pm)),
            rail_reference: Some(charge.clone()),
            attempt,
        };
        let clearing = self.accounts.system(SystemAccount::CardClearing, p.currency).await?;
        let cmd = self.payment_journal(clearing, payer, merchant, p, &paid).await?;
        match self.ledger.submit(cmd).await {
            Ok(Outcome::Posted { .. }) => {
                self.notices_queued();
                self.complete(p, &paid).await
            }
            Ok(Outcome::Duplicate) => {
                let result = self.already_paid(&payer.id, p, &paid.attempt).await;
                if result.is_err() {
                    // Someone paid it from their wallet while the card was being charged: give the
                    // charge back at once (reference derived from the payment, so only once).
                    self.give_back(&charge, amount, &p.id);
                }
                result
            }
            Ok(other) => Err(AppError::internal(format!("unexpected ledger outcome {other:?}"))),
            // Busy or unavailable: the payment stays `processing` for this payer, whose retry
            // with the same key charges the same reference again and posts once.
            Err(e @ (LedgerError::Busy | LedgerError::Unavailable(_) | LedgerError::Stopped)) => Err(ledger_error(e)),
            Err(e) => {
                self.give_back(&charge, amount, &p.id);
                self.fail_claimed(p, &payer.id, &pm.id, Code::ProcessingError.as_str(), None).await?;
                Err(ledger_error(e))
            }
        }
    }

    /// Refunds a charge that must not stand (logged if the rail refuses: the charge reference
    /// is in the log for an operator).
    fn give_back(&self, charge: &str, amount: Amount, payment_id: &str) {
        let reference = format!("{payment_id}_void");
        if let Err(f) = self.cards.refund(charge, amount, &reference) {
            tracing::error!(payment = %payment_id, charge, failure = ?f, "could not give back a card charge");
        }
    }

    /// A card failure ends the payment: `failed` with its codes, a failed `payment` row in the
    /// payer's history, a `payment.failed` event. Returns the card's error.
    async fn card_failed(
        &self,
        payer: &UserRecord,
        merchant: &UserRecord,
        p: &PaymentRecord,
        pm: &PaymentMethodRecord,
        failure: CardFailure,
    ) -> AppError {
        let error = AppError::from(failure);
        let code = failure.code().as_str();
        let now = now_us();
        let recorded = async {
            let moved = self.fail_claimed(p, &payer.id, &pm.id, code, error.decline_code).await?;
            let mut line = payer_line(p, payer, merchant, now);
            line.status = "failed".into();
            line.details = Some(
                serde_json::json!({"payment_method": pm.id, "failure_code": code, "decline_code": error.decline_code})
                    .to_string(),
            );
            self.store.insert_line(&line).await?;
            Ok::<bool, AppError>(moved)
        };
        if let Err(e) = recorded.await {
            tracing::error!(payment = %p.id, error = %e, "could not record a card failure");
        }
        error
    }

    /// The journal of a payment from `from` (the payer's wallet or card clearing).
    async fn payment_journal(
        &self,
        from: AccountId,
        payer: &UserRecord,
        merchant: &UserRecord,
        p: &PaymentRecord,
        paid: &PaidWith,
    ) -> Result<Command, AppError> {
        let now = now_us();
        let net = Amount::new(p.amount_minor - p.fee_minor)
            .map_err(|e| AppError::internal(format!("payment {} net amount: {e}", p.id)))?;
        let mut legs =
            vec![Leg { debit: from, credit: self.accounts.wallet(&p.merchant_id, p.currency).await?, amount: net }];
        if p.fee_minor > 0 {
            let fee = Amount::new(p.fee_minor).map_err(|e| AppError::internal(format!("payment fee: {e}")))?;
            legs.push(Leg {
                debit: from,
                credit: self.accounts.system(SystemAccount::FeeRevenue, p.currency).await?,
                amount: fee,
            });
        }
        let details = serde_json::to_string(paid).map_err(|e| AppError::internal(format!("paid details: {e}")))?;
        let mut out = payer_line(p, payer, merchant, now);
        out.details = Some(
            serde_json::json!({"payment_method": paid.payment_method, "rail_reference": paid.rail_reference,
                               "attempt": paid.attempt})
            .to_string(),
        );
        let received = StatementLine {
            id: IdKind::Transaction.derived(&[&p.id, "payment_received"]),
            owner: p.merchant_id.clone(),
            kind: "payment_received".into(),
            amount_minor: p.amount_minor,
            fee_minor: p.fee_minor,
            currency: p.currency,
            status: "succeeded".into(),
            source_id: p.id.clone(),
            counterparty: Some(payer.email.clone()),
            description: p.description.clone(),
            details: Some(details),
            created_at_us: now,
            notify: true,
        };
        Ok(Command::Transfer(Transfer {
            reference: p.id.clone(),
            kind: "payment".into(),
            currency: p.currency,
            legs,
            lines: vec![out, received],
        }))
    }

    /// The answer when the books already hold this payment: the payment itself for the payer
    /// whose request (same idempotency key) paid it, `payment_already_completed` for anyone else.
    async fn already_paid(&self, payer_id: &str, p: &PaymentRecord, attempt: &str) -> Result<PaymentRecord, AppError> {
        match self.paid_with(p).await? {
            // The payer's own attempt, or the one the recovery sweep finished for them.
            Some(paid) if paid.payer == payer_id && (paid.attempt == attempt || paid.attempt == RECOVERED_ATTEMPT) => {
                self.complete(p, &paid).await
            }
            _ => Err(AppError::new(Code::PaymentAlreadyCompleted)),
        }
    }

    /// How the books say `p` was paid: the details of the merchant's `payment_received` row.
    pub(crate) async fn paid_with(&self, p: &PaymentRecord) -> Result<Option<PaidWith>, AppError> {
        let line = self.store.line_by_source(&p.merchant_id, &p.id).await?;
        let Some(details) = line.filter(|l| l.kind == "payment_received").and_then(|l| l.details) else {
            return Ok(None);
        };
        serde_json::from_str(&details).map(Some).map_err(|e| AppError::internal(format!("paid details: {e}")))
    }

    /// Records `p` as paid (queuing the payer's receipt in the same store transaction) and, if
    /// this call is the one that recorded it, emits `payment.succeeded`. Returns the payment.
    pub(crate) async fn complete(&self, p: &PaymentRecord, paid: &PaidWith) -> Result<PaymentRecord, AppError> {
        let payer = self.store.user_by_id(&paid.payer).await?;
        let merchant = self.store.user_by_id(&p.merchant_id).await?.map(|m| label(&m)).unwrap_or_default();
        let mail = payer.map(|u| self.receipt_mail(&u, &merchant, p, paid.card.clone()));
        let at_us = now_us();
        // The record as the completion leaves it, for the event stored with it.
        let after = PaymentRecord {
            status: "succeeded".into(),
            payer_id: Some(paid.payer.clone()),
            method: Some(paid.method.clone()),
            payment_method: paid.payment_method.clone(),
            charge_ref: paid.rail_reference.clone(),
            failure_code: None,
            decline_code: None,
            updated_at_us: at_us,
            paid_at_us: Some(at_us),
            ..p.clone()
        };
        let event = self.new_event(&p.merchant_id, "payment.succeeded", &self.payment_object(&after));
        let completion = PaymentCompletion {
            payer_id: &paid.payer,
            method: &paid.method,
            payment_method: paid.payment_method.as_deref(),
            charge_ref: paid.rail_reference.as_deref(),
            at_us,
            mail: mail.as_ref(),
            event: event.as_ref(),
        };
        let moved = self.store.complete_payment(&p.id, &completion).await?;
        if moved {
            if mail.is_some() {
                self.mail_queued();
            }
            self.event_stored(event.as_ref());
        }
        self.store.payment(&p.id).await?.ok_or_else(|| AppError::internal(format!("payment {} vanished", p.id)))
    }

    /// Fails the payment `payer_id` holds `processing` with `code`, storing `payment.failed`
    /// with it. Returns whether this call failed it.
    pub(super) async fn fail_claimed(
        &self,
        p: &PaymentRecord,
        payer_id: &str,
        payment_method: &str,
        code: &str,
        decline_code: Option<&str>,
    ) -> Result<bool, AppError> {
        let at_us = now_us();
        // The record as the claim and this failure leave it, for the event stored with it.
        let after = PaymentRecord {
            status: "failed".into(),
            payer_id: Some(payer_id.to_owned()),
            method: Some("card".into()),
            payment_method: Some(payment_method.to_owned()),
            failure_code: Some(code.to_owned()),
            decline_code: decline_code.map(str::to_owned),
            updated_at_us: at_us,
            ..p.clone()
        };
        let event = self.new_event(&p.merchant_id, "payment.failed", &self.payment_object(&after));
        let moved = self.store.fail_payment(&p.id, payer_id, code, decline_code, at_us, event.as_ref()).await?;
        if moved {
            self.event_stored(event.as_ref());
        }
        Ok(moved)
    }

    /// The payment `id`, first completed if the books show it paid while its record does not
    /// (a crash between the journal and the record).
    pub async fn payment_reconciled(&self, id: &str) -> Result<Option<PaymentRecord>, AppError> {
        let Some(p) = self.store.payment(id).await? else { return Ok(None) };
        if !matches!(p.status.as_str(), "requires_payment" | "processing") {
            return Ok(Some(p));
        }
        match self.paid_with(&p).await? {
            Some(paid) => Ok(Some(self.complete(&p, &paid).await?)),
            None => Ok(Some(p)),
        }
    }
}

/// The payer's `payment` history row (succeeded; callers adjust status and details).
fn payer_line(p: &PaymentRecord, payer: &UserRecord, merchant: &UserRecord, now: i64) -> StatementLine {
    StatementLine {
        id: IdKind::Transaction.derived(&[&p.id, "payment"]),
        owner: payer.id.clone(),
        kind: "payment".into(),
        amount_minor: p.amount_minor,
        fee_minor: 0,
        currency: p.currency,
        status: "succeeded".into(),
        source_id: p.id.clone(),
        counterparty: Some(label(merchant)),
        description: p.description.clone(),
        details: None,
        created_at_us: now,
        notify: false,
    }
}

/// The amount of a stored payment.
pub(crate) fn amount_of(p: &PaymentRecord) -> Result<Amount, AppError> {
    Amount::new(p.amount_minor).map_err(|e| AppError::internal(format!("payment {} amount: {e}", p.id)))
}

/// The error a failed payment ended with, for its payer's retry.
fn failure_of(p: &PaymentRecord) -> AppError {
    let code = p.failure_code.as_deref().and_then(Code::parse).unwrap_or(Code::ProcessingError);
    let decline_code = match p.decline_code.as_deref() {
        Some("generic_decline") => Some("generic_decline"),
        Some("insufficient_funds") => Some("insufficient_funds"),
        Some(_) => Some("invalid_account"),
        None => None,
    };
    AppError { decline_code, ..AppError::new(code) }
}
