//! The background worker that pays withdrawals out.
//!
//! Each round claims the due, unfinished `withdrawals` rows (a claim pushes the row's due time
//! forward, a lease, so several processes never work on one row at once and a row claimed by a
//! process that died is claimed again once its lease ends), and for each:
//!
//! * `pending` (its cancel window has passed): moves it to `processing` (a guarded transition,
//!   with the history row's status change and the owner's mail in one store transaction; a
//!   cancel that got there first wins), then starts the payout;
//! * `processing`: asks the rail (bank: after the settlement delay; card: at once) and posts
//!   the hold (`paid`) or voids it (`failed`);
//! * `canceled` but unfinished (the canceling request died before its void): voids the hold.

use std::time::Duration;

use okpay_domain::Amount;
use okpay_domain::time::now_us;
use okpay_domain::withdrawal::WithdrawalMethod;
use okpay_mail::WithdrawalEvent;

use super::settle::Ending;
use crate::App;
use crate::bank_rail::BankOutcome;
use crate::error::{AppError, Code};
use crate::ports::{WithdrawalRecord, WithdrawalTransition};
use crate::rail::CardFailure;

/// How the worker polls and leases.
#[derive(Debug, Clone)]
pub struct WithdrawalWorkerConfig {
    /// How often to look for due withdrawals when nothing wakes the worker.
    pub poll_interval: Duration,
    /// How long a claimed withdrawal stays reserved (longer than handling one can take).
    pub lease: Duration,
    /// Most withdrawals claimed per round.
    pub batch: u32,
    /// How long after creation a withdrawal without a hold may still get one (its request is
    /// still running); after that it is marked failed.
    pub hold_grace: Duration,
    /// Claims of a card payout that failed with a temporary processing error before it counts
    /// as failed.
    pub max_card_attempts: i64,
}

impl Default for WithdrawalWorkerConfig {
    fn default() -> Self {
        WithdrawalWorkerConfig {
            poll_interval: Duration::from_secs(1),
            lease: Duration::from_secs(60),
            batch: 20,
            hold_grace: Duration::from_secs(60),
            max_card_attempts: 5,
        }
    }
}

/// Pays withdrawals out forever (the server aborts the task on shutdown; a withdrawal being
/// handled then is claimed again after its lease).
pub async fn run(app: App, config: WithdrawalWorkerConfig) {
    loop {
        let claimed = match process_due(&app, &config).await {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(error = %e, "withdrawal round failed");
                0
            }
        };
        if claimed >= config.batch as usize {
            continue; // more may be due right now
        }
        tokio::select! {
            () = app.withdrawal_wakeup.notified() => {}
            () = tokio::time::sleep(config.poll_interval) => {}
        }
    }
}

/// One round: claims the due withdrawals and moves each on. Returns how many were claimed.
pub async fn process_due(app: &App, config: &WithdrawalWorkerConfig) -> Result<usize, AppError> {
    let now = now_us();
    let due = app.store.claim_withdrawals(now, now.saturating_add(micros(config.lease)), config.batch).await?;
    for w in &due {
        if let Err(e) = process_one(app, config, w).await {
            // The lease brings it back; one bad row must not stop the others.
            tracing::warn!(withdrawal = %w.id, attempts = w.attempts, error = %e, "withdrawal not moved on yet");
        }
    }
    Ok(due.len())
}

async fn process_one(app: &App, config: &WithdrawalWorkerConfig, w: &WithdrawalRecord) -> Result<(), AppError> {
    match w.status.as_str() {
        "pending" => start_payout(app, config, w).await,
        "processing" => check_payout(app, config, w).await,
        "canceled" => app.finish_withdrawal(w, Ending::Canceled).await,
        other => Err(AppError::internal(format!("unfinished withdrawal in status {other}"))),
    }
}

/// `pending` → `processing`, then the payout starts.
async fn start_payout(app: &App, config: &WithdrawalWorkerConfig, w: &WithdrawalRecord) -> Result<(), AppError> {
    let now = now_us();
    // The history row is written with the hold: without it there is no money to pay out.
    if app.store.line(&w.owner, &w.line_id).await?.is_none() {
        if now.saturating_sub(w.created_at_us) < micros(config.hold_grace) {
            return Ok(app
                .store
                .reschedule_withdrawal(&w.id, now.saturating_add(micros(config.poll_interval)))
                .await?);
        }
        return app.fail_without_hold(w, now).await;
    }
    app.queue_created_mail(w).await?;
    let mail = app.withdrawal_mail(w, WithdrawalEvent::Processing).await?;
    let t = WithdrawalTransition {
        from: "pending",
        to: "processing",
        at_us: now,
        due_at_us: None,
        finish: false,
        failure_code: None,
        line_status: true,
        line_details: None,
        mail: mail.as_ref(),
    };
    if !app.store.transition_withdrawal(&w.id, &t).await? {
        return Ok(()); // canceled first
    }
    if mail.is_some() {
        app.mail_queued();
    }
    let w = WithdrawalRecord { status: "processing".into(), processing_at_us: Some(now), ..w.clone() };
    check_payout(app, config, &w).await
}

/// Starts (again: the rails answer a repeated reference without paying twice) and asks about
/// the payout; ends the withdrawal once the rail has decided.
async fn check_payout(app: &App, config: &WithdrawalWorkerConfig, w: &WithdrawalRecord) -> Result<(), AppError> {
    let amount = Amount::new(w.amount_minor).map_err(|e| AppError::internal(format!("stored amount: {e}")))?;
    let now = now_us();
    let ending = match WithdrawalMethod::parse(&w.method) {
        Some(WithdrawalMethod::BankAccount) => {
            let wait_us = app.banks.initiate_payout(&w.rail_token, amount, w.currency, &w.id);
            let started = w.processing_at_us.unwrap_or(now);
            match app.banks.payout_outcome(&w.rail_token, &w.id, started, now) {
                BankOutcome::Pending => {
                    let next = now.saturating_add(micros(config.poll_interval)).max(started.saturating_add(wait_us));
                    return Ok(app.store.reschedule_withdrawal(&w.id, next).await?);
                }
                BankOutcome::Settled => Ending::Paid(w.id.clone()),
                BankOutcome::Failed(code) => Ending::Failed { code, decline_code: None },
            }
        }
        Some(WithdrawalMethod::Card) => match app.cards.payout(&w.rail_token, amount, w.currency, &w.id) {
            Ok(reference) => Ending::Paid(reference),
            Err(CardFailure::Processing) if w.attempts < config.max_card_attempts => {
                let next = now.saturating_add(micros(config.poll_interval));
                return Ok(app.store.reschedule_withdrawal(&w.id, next).await?);
            }
            Err(f) => Ending::Failed { code: f.code(), decline_code: AppError::from(f).decline_code },
        },
        None => Ending::Failed { code: Code::PaymentMethodNotSupported, decline_code: None },
    };
    app.finish_withdrawal(w, ending).await
}

fn micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}
