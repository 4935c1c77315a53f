//! Ending a withdrawal: post the hold (`paid`) or void it (`failed`, `canceled`) with the
//! history row's status change, then record the end with the owner's mail in one store
//! transaction. Every step is safe to repeat: a second post or void is a ledger duplicate, a
//! hold already resolved the other way wins (the books decide), and the record only moves once.

use okpay_domain::time::now_us;
use okpay_ledger::{Command, HoldStatus, LedgerError, Outcome, Rejection, Resolve, StatusUpdate};
use okpay_mail::WithdrawalEvent;
use serde_json::json;

use crate::App;
use crate::deposits::ledger_error;
use crate::error::{AppError, Code};
use crate::ports::{WithdrawalRecord, WithdrawalTransition};

/// How a withdrawal ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Ending {
    /// The rail paid it; its reference.
    Paid(String),
    /// The rail refused or returned it.
    Failed {
        /// The `failure_code`.
        code: Code,
        /// The card issuer's reason, for declined cards.
        decline_code: Option<&'static str>,
    },
    /// The owner canceled it.
    Canceled,
}

impl Ending {
    fn status(&self) -> &'static str {
        match self {
            Ending::Paid(_) => "paid",
            Ending::Failed { .. } => "failed",
            Ending::Canceled => "canceled",
        }
    }
}

/// The history row's `details` of a withdrawal.
pub(super) fn details(
    w: &WithdrawalRecord,
    rail_reference: Option<&str>,
    failure_code: Option<&str>,
    decline_code: Option<&str>,
) -> String {
    let mut v = json!({"payment_method": w.payment_method, "method": w.method});
    if let Some(r) = rail_reference {
        v["rail_reference"] = json!(r);
    }
    if let Some(code) = failure_code {
        v["failure_code"] = json!(code);
    }
    if let Some(code) = decline_code {
        v["decline_code"] = json!(code);
    }
    v.to_string()
}

impl App {
    /// Resolves `w`'s hold as `ending` says and records it, mailing the owner.
    pub(super) async fn finish_withdrawal(&self, w: &WithdrawalRecord, ending: Ending) -> Result<(), AppError> {
        let now = now_us();
        let resolve = Resolve {
            hold_reference: w.id.clone(),
            updates: vec![StatusUpdate { line_id: w.line_id.clone(), status: ending.status().into(), at_us: now }],
        };
        let post = matches!(ending, Ending::Paid(_));
        let cmd = if post { Command::Post(resolve) } else { Command::Void(resolve) };
        let ending = match self.ledger.submit(cmd).await {
            Ok(Outcome::Posted { .. } | Outcome::Voided { .. } | Outcome::Duplicate) => ending,
            // An earlier attempt resolved it the other way: the books decide.
            Err(LedgerError::Rejected(Rejection::HoldAlreadyResolved(HoldStatus::Posted))) => {
                Ending::Paid(w.id.clone())
            }
            Err(LedgerError::Rejected(Rejection::HoldAlreadyResolved(_))) if post => {
                Ending::Failed { code: Code::ProcessingError, decline_code: None }
            }
            Err(LedgerError::Rejected(Rejection::HoldAlreadyResolved(_))) => ending,
            Err(LedgerError::Rejected(Rejection::HoldNotFound)) => return self.fail_without_hold(w, now).await,
            Ok(other) => return Err(AppError::internal(format!("unexpected ledger outcome {other:?}"))),
            Err(e) => return Err(ledger_error(e)),
        };
        let (event, rail_reference, failure, decline) = match &ending {
            Ending::Paid(r) => (WithdrawalEvent::Paid, Some(r.as_str()), None, None),
            Ending::Failed { code, decline_code } => {
                (WithdrawalEvent::Failed, None, Some(code.as_str()), *decline_code)
            }
            Ending::Canceled => (WithdrawalEvent::Canceled, None, None, None),
        };
        let mail = self.withdrawal_mail(w, event).await?;
        let details = details(w, rail_reference, failure, decline);
        let t = WithdrawalTransition {
            from: &w.status,
            to: ending.status(),
            at_us: now,
            due_at_us: None,
            finish: true,
            failure_code: failure,
            line_status: false,
            line_details: Some(&details),
            mail: mail.as_ref(),
        };
        if self.store.transition_withdrawal(&w.id, &t).await? {
            if mail.is_some() {
                self.mail_queued();
            }
            tracing::info!(withdrawal = %w.id, status = t.to, "withdrawal finished");
        }
        Ok(())
    }

    /// Marks a withdrawal without a hold failed: the request that wrote the row died before
    /// its hold, so no money moved and there is no history row to tell about.
    pub(super) async fn fail_without_hold(&self, w: &WithdrawalRecord, now: i64) -> Result<(), AppError> {
        let t = WithdrawalTransition {
            from: &w.status,
            to: "failed",
            at_us: now,
            due_at_us: None,
            finish: true,
            failure_code: Some(Code::ProcessingError.as_str()),
            line_status: false,
            line_details: None,
            mail: None,
        };
        self.store.transition_withdrawal(&w.id, &t).await?;
        tracing::warn!(withdrawal = %w.id, "withdrawal had no hold; marked failed");
        Ok(())
    }
}
