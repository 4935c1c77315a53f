//! The background worker that settles bank deposits.
//!
//! Each round claims the due `bank_deposits` rows (a claim pushes the row's due time forward,
//! a lease, so several processes never work on one row at once, and a row claimed by a process
//! that died is claimed again once its lease ends), asks the bank rail for each, and then posts
//! the hold (`succeeded`) or voids it (`failed`) with the history row's status change, and
//! records the outcome with the owner's email in one store transaction. Every step is safe to
//! repeat: a second post of a hold is a ledger duplicate, and the record only moves once.

use std::time::Duration;

use okpay_domain::time::now_us;
use okpay_ledger::{Command, HoldStatus, LedgerError, Outcome, Rejection, Resolve, StatusUpdate};
use okpay_mail::Template;

use crate::App;
use crate::bank_deposits::details;
use crate::bank_rail::BankOutcome;
use crate::deposits::ledger_error;
use crate::error::{AppError, Code};
use crate::outbox::compose;
use crate::ports::{BankDepositRecord, BankSettlement};

/// How the worker polls and leases.
#[derive(Debug, Clone)]
pub struct BankWorkerConfig {
    /// How often to look for due deposits when nothing wakes the worker.
    pub poll_interval: Duration,
    /// How long a claimed deposit stays reserved (longer than settling one can take).
    pub lease: Duration,
    /// Most deposits claimed per round.
    pub batch: u32,
}

impl Default for BankWorkerConfig {
    fn default() -> Self {
        BankWorkerConfig { poll_interval: Duration::from_secs(1), lease: Duration::from_secs(60), batch: 20 }
    }
}

/// Settles bank deposits forever (the server aborts the task on shutdown; a deposit being
/// settled then is claimed again after its lease).
pub async fn run(app: App, config: BankWorkerConfig) {
    loop {
        let claimed = match settle_due(&app, &config).await {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(error = %e, "bank settlement round failed");
                0
            }
        };
        if claimed >= config.batch as usize {
            continue; // more may be due right now
        }
        tokio::select! {
            () = app.bank_wakeup.notified() => {}
            () = tokio::time::sleep(config.poll_interval) => {}
        }
    }
}

/// One round: claims the due deposits and settles each. Returns how many were claimed.
pub async fn settle_due(app: &App, config: &BankWorkerConfig) -> Result<usize, AppError> {
    let now = now_us();
    let lease_until = now.saturating_add(micros(config.lease));
    let due = app.store.claim_bank_deposits(now, lease_until, config.batch).await?;
    for d in &due {
        if let Err(e) = settle_one(app, config, d).await {
            // The lease brings it back; one bad row must not stop the others.
            tracing::warn!(deposit = %d.id, attempts = d.attempts, error = %e, "bank deposit not settled yet");
        }
    }
    Ok(due.len())
}

async fn settle_one(app: &App, config: &BankWorkerConfig, d: &BankDepositRecord) -> Result<(), AppError> {
    let now = now_us();
    let failure = match app.banks.pull_outcome(&d.rail_token, &d.id, d.created_at_us, now) {
        BankOutcome::Pending => {
            let next = now.saturating_add(micros(config.poll_interval));
            return Ok(app.store.reschedule_bank_deposit(&d.id, next).await?);
        }
        BankOutcome::Settled => None,
        BankOutcome::Failed(code) => Some(code),
    };
    let update = StatusUpdate {
        line_id: d.line_id.clone(),
        status: if failure.is_none() { "succeeded" } else { "failed" }.into(),
        at_us: now,
    };
    let resolve = Resolve { hold_reference: d.id.clone(), updates: vec![update] };
    let cmd = if failure.is_none() { Command::Post(resolve) } else { Command::Void(resolve) };
    let failure = match app.ledger.submit(cmd).await {
        Ok(Outcome::Posted { .. } | Outcome::Voided { .. } | Outcome::Duplicate) => failure,
        // An earlier attempt resolved it the other way: the books decide.
        Err(LedgerError::Rejected(Rejection::HoldAlreadyResolved(HoldStatus::Posted))) => None,
        Err(LedgerError::Rejected(Rejection::HoldAlreadyResolved(_))) => failure.or(Some(Code::BankTransferFailed)),
        // The request that wrote the row died before its hold: no money moved, nothing to tell.
        Err(LedgerError::Rejected(Rejection::HoldNotFound)) => {
            let settlement = BankSettlement {
                status: "failed",
                failure_code: Some(Code::ProcessingError.as_str()),
                details: &details(d, Some(Code::ProcessingError.as_str())),
                at_us: now,
                mail: None,
            };
            app.store.settle_bank_deposit(&d.id, &settlement).await?;
            tracing::warn!(deposit = %d.id, "bank deposit had no hold; marked failed");
            return Ok(());
        }
        Ok(other) => return Err(AppError::internal(format!("unexpected ledger outcome {other:?}"))),
        Err(e) => return Err(ledger_error(e)),
    };
    let code = failure.map(Code::as_str);
    let mail = notice(app, d, code.is_none()).await?;
    let settlement = BankSettlement {
        status: if code.is_none() { "succeeded" } else { "failed" },
        failure_code: code,
        details: &details(d, code),
        at_us: now,
        mail: mail.as_ref(),
    };
    if app.store.settle_bank_deposit(&d.id, &settlement).await? && mail.is_some() {
        app.mail_queued();
    }
    tracing::info!(deposit = %d.id, status = settlement.status, "bank deposit settled");
    Ok(())
}

/// The owner's email about the outcome (none if the owner is gone).
async fn notice(
    app: &App,
    d: &BankDepositRecord,
    succeeded: bool,
) -> Result<Option<crate::ports::OutboxMail>, AppError> {
    let Some(owner) = app.store.user_by_id(&d.owner).await? else { return Ok(None) };
    let pm = app.store.payment_method(&d.owner, &d.payment_method).await?;
    let bank = match pm {
        Some(pm) => format!("{} ****{}", pm.bank_name.as_deref().unwrap_or("bank account"), pm.last4),
        None => "your bank account".into(),
    };
    let amount = d.currency.format(d.amount_minor);
    let template = if succeeded {
        Template::BankDepositSucceeded { amount, bank, history_url: app.link("/help/articles/transaction-history") }
    } else {
        Template::BankDepositFailed { amount, bank, help_url: app.link("/help/articles/funds-not-received") }
    };
    Ok(Some(compose(&owner.email, &owner.locale, &owner.name, &template)))
}

fn micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}
