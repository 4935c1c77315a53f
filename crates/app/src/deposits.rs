//! Card deposits: charge the card on the rail, then post card clearing → wallet. Bank
//! deposits are in [`crate::bank_deposits`].
//!
//! The deposit id is derived from the idempotency key, so a retried request charges the rail
//! with the same reference (the rail must not charge twice) and the ledger sees a duplicate.
//! A declined card moves no money but leaves a `failed` history row the user can look up.

use okpay_domain::ids::IdKind;
use okpay_domain::limits::Movement;
use okpay_domain::time::now_us;
use okpay_domain::{Amount, Currency};
use okpay_ledger::{Command, LedgerError, Leg, Outcome, StatementLine, Transfer};
use serde_json::json;

use crate::accounts::SystemAccount;
use crate::error::{AppError, Code};
use crate::{App, Caller};

/// A deposit as shown to its owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deposit {
    /// `dep_...`
    pub id: String,
    /// Amount in minor units.
    pub amount: i64,
    /// Currency.
    pub currency: Currency,
    /// `succeeded`, `pending` or `failed`.
    pub status: String,
    /// `pm_...`
    pub payment_method: String,
    /// The history row, `txn_...`.
    pub transaction: String,
    /// µs since the epoch.
    pub created_at_us: i64,
}

/// The smallest deposit accepted: one major unit (100 for JPY).
pub fn minimum_deposit(currency: Currency) -> i64 {
    match currency.exponent() {
        0 => 100,
        e => 10_i64.pow(e),
    }
}

impl App {
    /// Deposits from a saved card.
    pub async fn deposit(
        &self,
        caller: &Caller,
        idempotency_key: &str,
        amount: Amount,
        currency: Currency,
        payment_method: &str,
    ) -> Result<Deposit, AppError> {
        caller.ensure_can_move_money()?;
        if amount.minor() < minimum_deposit(currency) {
            return Err(AppError::new(Code::AmountTooSmall).param("amount"));
        }
        let pm = self
            .store
            .payment_method(caller.id(), payment_method)
            .await?
            .ok_or_else(|| AppError::new(Code::ResourceMissing).param("payment_method"))?;
        let id = IdKind::Deposit.derived(&[caller.id(), idempotency_key]);
        let _gate = self.check_limit(caller, Movement::Deposit, currency, amount.minor(), &id).await?;
        if pm.kind == "bank_account" {
            return self.deposit_from_bank(caller, idempotency_key, amount, currency, &pm).await;
        }
        if pm.kind != "card" {
            return Err(AppError::new(Code::PaymentMethodNotSupported).param("payment_method"));
        }
        let now = now_us();
        let mut line = StatementLine {
            id: IdKind::Transaction.derived(&[&id, "deposit"]),
            owner: caller.id().to_owned(),
            kind: "deposit".into(),
            amount_minor: amount.minor(),
            fee_minor: 0,
            currency,
            status: "succeeded".into(),
            source_id: id.clone(),
            counterparty: Some(format!("{} ****{}", pm.brand.as_deref().unwrap_or("card"), pm.last4)),
            description: None,
            details: None,
            created_at_us: now,
            notify: false,
        };
        let charge = match self.cards.charge(&pm.rail_token, amount, currency, &id) {
            Ok(charge) => charge,
            Err(failure) => {
                line.status = "failed".into();
                line.details = Some(
                    json!({"payment_method": pm.id, "failure_code": failure.code().as_str(),
                           "decline_code": AppError::from(failure).decline_code})
                    .to_string(),
                );
                self.store.insert_line(&line).await?;
                self.assess_later(line);
                return Err(failure.into());
            }
        };
        line.details = Some(json!({"payment_method": pm.id, "rail_reference": charge}).to_string());
        line.notify = true;
        let clearing = self.accounts.system(SystemAccount::CardClearing, currency).await?;
        let wallet = self.accounts.wallet(caller.id(), currency).await?;
        let cmd = Command::Transfer(Transfer {
            reference: id.clone(),
            kind: "deposit".into(),
            currency,
            legs: vec![Leg { debit: clearing, credit: wallet, amount }],
            lines: vec![line.clone()],
        });
        match self.ledger.submit(cmd).await {
            Ok(Outcome::Posted { .. }) => self.notices_queued(),
            Ok(Outcome::Duplicate) => {
                line = self
                    .store
                    .line_by_source(caller.id(), &id)
                    .await?
                    .ok_or_else(|| AppError::internal(format!("duplicate deposit {id} has no history row")))?;
            }
            Ok(other) => return Err(AppError::internal(format!("unexpected ledger outcome {other:?}"))),
            Err(e) => return Err(ledger_error(e)),
        }
        Ok(Deposit {
            id,
            amount: line.amount_minor,
            currency: line.currency,
            status: line.status,
            payment_method: pm.id,
            transaction: line.id,
            created_at_us: line.created_at_us,
        })
    }
}

/// Maps a ledger failure to the API's codes.
pub fn ledger_error(e: LedgerError) -> AppError {
    match e {
        LedgerError::Rejected(okpay_ledger::Rejection::InsufficientFunds(_)) => {
            AppError::new(Code::InsufficientFunds).param("amount")
        }
        LedgerError::Rejected(okpay_ledger::Rejection::AccountClosed(_)) => {
            AppError::new(Code::RecipientUnavailable).param("to")
        }
        LedgerError::Rejected(r) => AppError::internal(format!("ledger refused: {r}")),
        LedgerError::Busy => AppError::new(Code::ServiceBusy),
        LedgerError::Unavailable(m) => AppError::internal(format!("ledger unavailable: {m}")),
        LedgerError::Stopped => AppError::new(Code::ServiceBusy).detail("shutting down"),
    }
}
