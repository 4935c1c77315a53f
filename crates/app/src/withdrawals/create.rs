//! Creating a withdrawal: the row, then one ledger hold of amount + fee with the `pending`
//! history row, then the owner's "created" mail.
//!
//! The row is written before the hold so that no hold can exist without a row that the worker
//! will settle. When the ledger refuses the hold (insufficient funds, busy) nothing was held
//! and the row is deleted, so a refused withdrawal leaves no trace. When the outcome is unknown
//! (the writer stopped mid-request) the row stays; the worker marks it failed if no hold
//! appears (see [`super::worker`]).

use okpay_domain::ids::IdKind;
use okpay_domain::limits::Movement;
use okpay_domain::withdrawal::WithdrawalMethod;
use okpay_domain::{Amount, Currency};
use okpay_ledger::{Command, Hold, LedgerError, Leg, Outcome, StatementLine};

use crate::accounts::SystemAccount;
use crate::deposits::ledger_error;
use crate::error::AppError;
use crate::ports::{PaymentMethodRecord, WithdrawalRecord};
use crate::{App, Caller};

impl App {
    /// Withdraws `amount` (plus the fee) to the caller's saved payment method: answers
    /// `pending` with the money held.
    pub async fn withdraw(
        &self,
        caller: &Caller,
        idempotency_key: &str,
        amount: Amount,
        currency: Currency,
        payment_method: &str,
    ) -> Result<WithdrawalRecord, AppError> {
        caller.ensure_can_move_money()?;
        let (pm, quote) = self.price(caller, amount, currency, payment_method).await?;
        let id = IdKind::Withdrawal.derived(&[caller.id(), idempotency_key]);
        let _gate = self.check_limit(caller, Movement::Withdrawal, currency, quote.amount, &id).await?;
        let now = quote.at_us;
        let wanted = WithdrawalRecord {
            id: id.clone(),
            owner: caller.id().to_owned(),
            line_id: IdKind::Transaction.derived(&[&id, "withdrawal"]),
            payment_method: pm.id.clone(),
            method: quote.method.as_str().to_owned(),
            rail_token: pm.rail_token.clone(),
            amount_minor: quote.amount,
            fee_minor: quote.fee,
            currency,
            status: "pending".into(),
            failure_code: None,
            attempts: 0,
            due_at_us: now.saturating_add(self.config.withdrawal_cancel_window_us),
            created_at_us: now,
            processing_at_us: None,
            finished_at_us: None,
            estimated_arrival_us: quote.estimated_arrival_us,
            created_mailed: false,
        };
        let stored = self.store.insert_withdrawal(&wanted).await?;
        if stored.owner != caller.id() {
            return Err(AppError::internal(format!("withdrawal {id} belongs to someone else")));
        }
        if stored.status == "pending" && stored.finished_at_us.is_none() {
            match self.ledger.submit(hold_command(self, &stored, &pm).await?).await {
                Ok(Outcome::Held { .. }) => self.assess_source_later(caller.id(), &id),
                Ok(Outcome::Duplicate) => {}
                Ok(other) => return Err(AppError::internal(format!("unexpected ledger outcome {other:?}"))),
                Err(e @ (LedgerError::Rejected(_) | LedgerError::Busy)) => {
                    // Nothing was held: forget the row so the refusal leaves no trace.
                    self.store.delete_withdrawal(&id).await?;
                    return Err(ledger_error(e));
                }
                Err(e) => return Err(ledger_error(e)),
            }
            self.queue_created_mail(&stored).await?;
            self.withdrawal_wakeup.notify_one();
        }
        Ok(self.store.withdrawal(&id).await?.unwrap_or(stored))
    }
}

/// The hold of amount + fee with the `pending` history row.
async fn hold_command(app: &App, w: &WithdrawalRecord, pm: &PaymentMethodRecord) -> Result<Command, AppError> {
    let stored_amount = |minor| Amount::new(minor).map_err(|e| AppError::internal(format!("stored amount: {e}")));
    let clearing = match WithdrawalMethod::parse(&w.method) {
        Some(WithdrawalMethod::Card) => SystemAccount::CardClearing,
        _ => SystemAccount::BankClearing,
    };
    let wallet = app.accounts.wallet(&w.owner, w.currency).await?;
    let mut legs = vec![Leg {
        debit: wallet,
        credit: app.accounts.system(clearing, w.currency).await?,
        amount: stored_amount(w.amount_minor)?,
    }];
    if w.fee_minor > 0 {
        let fees = app.accounts.system(SystemAccount::FeeRevenue, w.currency).await?;
        legs.push(Leg { debit: wallet, credit: fees, amount: stored_amount(w.fee_minor)? });
    }
    let line = StatementLine {
        id: w.line_id.clone(),
        owner: w.owner.clone(),
        kind: "withdrawal".into(),
        amount_minor: w.amount_minor,
        fee_minor: w.fee_minor,
        currency: w.currency,
        status: "pending".into(),
        source_id: w.id.clone(),
        counterparty: Some(super::notices::destination(pm)),
        description: None,
        details: Some(super::settle::details(w, None, None, None)),
        created_at_us: w.created_at_us,
        notify: false,
    };
    Ok(Command::Hold(Hold {
        reference: w.id.clone(),
        kind: "withdrawal".into(),
        currency: w.currency,
        legs,
        lines: vec![line],
    }))
}
