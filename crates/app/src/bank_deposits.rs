//! Bank deposits: start a pull on the bank rail, hold bank clearing → wallet as `pending`,
//! and let the [`crate::bank_worker`] post or void the hold once the bank answers.
//!
//! The deposit id is derived from the idempotency key, and it is both the `bank_deposits`
//! row's key and the hold's reference: a replay finds the stored row and the ledger answers the
//! hold with a duplicate, so one key never holds twice. The row is written before the hold, so
//! no hold can exist without a row that settles it.

use okpay_domain::ids::IdKind;
use okpay_domain::time::now_us;
use okpay_domain::{Amount, Currency};
use okpay_ledger::{Command, Hold, Leg, Outcome, StatementLine};
use serde_json::json;

use crate::accounts::SystemAccount;
use crate::deposits::{Deposit, ledger_error};
use crate::error::AppError;
use crate::ports::{BankDepositRecord, PaymentMethodRecord};
use crate::{App, Caller};

impl App {
    /// Deposits from a saved bank account: answers `pending` at once.
    pub(crate) async fn deposit_from_bank(
        &self,
        caller: &Caller,
        idempotency_key: &str,
        amount: Amount,
        currency: Currency,
        pm: &PaymentMethodRecord,
    ) -> Result<Deposit, AppError> {
        let id = IdKind::Deposit.derived(&[caller.id(), idempotency_key]);
        let now = now_us();
        let wait_us = self.banks.initiate_pull(&pm.rail_token, amount, currency, &id);
        let wanted = BankDepositRecord {
            id: id.clone(),
            owner: caller.id().to_owned(),
            line_id: IdKind::Transaction.derived(&[&id, "deposit"]),
            payment_method: pm.id.clone(),
            rail_token: pm.rail_token.clone(),
            amount_minor: amount.minor(),
            currency,
            status: "pending".into(),
            failure_code: None,
            attempts: 0,
            due_at_us: now.saturating_add(wait_us.max(0)),
            created_at_us: now,
            settled_at_us: None,
        };
        let stored = self.store.insert_bank_deposit(&wanted).await?;
        if stored.status == "pending" {
            self.hold_bank_deposit(&stored, pm).await?;
            self.bank_wakeup.notify_one();
        }
        let line = self.store.line_by_source(caller.id(), &id).await?;
        Ok(Deposit {
            id,
            amount: stored.amount_minor,
            currency: stored.currency,
            status: line.as_ref().map_or_else(|| stored.status.clone(), |l| l.status.clone()),
            payment_method: stored.payment_method,
            transaction: stored.line_id,
            created_at_us: stored.created_at_us,
        })
    }

    /// Holds the deposit's amount as pending in the wallet, with its `pending` history row, in
    /// one ledger command (a duplicate when this deposit was held before).
    async fn hold_bank_deposit(&self, d: &BankDepositRecord, pm: &PaymentMethodRecord) -> Result<(), AppError> {
        let amount = Amount::new(d.amount_minor).map_err(|e| AppError::internal(format!("stored amount: {e}")))?;
        let line = StatementLine {
            id: d.line_id.clone(),
            owner: d.owner.clone(),
            kind: "deposit".into(),
            amount_minor: d.amount_minor,
            fee_minor: 0,
            currency: d.currency,
            status: "pending".into(),
            source_id: d.id.clone(),
            counterparty: Some(format!("{} ****{}", pm.bank_name.as_deref().unwrap_or("bank account"), pm.last4)),
            description: None,
            details: Some(details(d, None)),
            created_at_us: d.created_at_us,
            notify: false,
        };
        let clearing = self.accounts.system(SystemAccount::BankClearing, d.currency).await?;
        let wallet = self.accounts.wallet(&d.owner, d.currency).await?;
        let cmd = Command::Hold(Hold {
            reference: d.id.clone(),
            kind: "deposit".into(),
            currency: d.currency,
            legs: vec![Leg { debit: clearing, credit: wallet, amount }],
            lines: vec![line],
        });
        match self.ledger.submit(cmd).await {
            Ok(Outcome::Held { .. } | Outcome::Duplicate) => Ok(()),
            Ok(other) => Err(AppError::internal(format!("unexpected ledger outcome {other:?}"))),
            Err(e) => Err(ledger_error(e)),
        }
    }
}

/// The history row's `details` of a bank deposit, with its failure code once it failed.
pub fn details(d: &BankDepositRecord, failure_code: Option<&str>) -> String {
    let mut v = json!({"payment_method": d.payment_method, "rail_reference": d.id});
    if let Some(code) = failure_code {
        v["failure_code"] = json!(code);
    }
    v.to_string()
}
