//! Notices of money that moved at once — a card deposit, a transfer sent or received, a
//! merchant's payment received — mailed to the row's owner in their language.
//!
//! The ledger queues a notice in the same database transaction as the movement (a history row
//! with [`okpay_ledger::StatementLine::notify`] set), so a request never waits for mail and a
//! committed movement is never forgotten, even if the process dies right after. This worker
//! turns queued notices into outbox mail in batches and removes them in the same transaction;
//! the [`crate::mail_worker`] delivers them. Rows of other kinds (bank deposits, withdrawals,
//! payments and refunds to the payer) are mailed by their own flows and never queued here.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use okpay_domain::time::now_us;
use okpay_ledger::StatementLine;
use okpay_mail::Template;

use crate::App;
use crate::error::AppError;
use crate::outbox::compose;
use crate::ports::{NoticeDone, OutboxMail, UserRecord};

/// Most notices handled per round (one database transaction).
pub const BATCH: u32 = 200;
/// How long a woken worker waits before its round, so the notices of the ledger batches
/// committed right after the wake-up join it: one write transaction for several batches'
/// notices (each round is a write on SQLite, which has one writer at a time). A notice mail
/// leaves at most this much later.
pub const GATHER: Duration = Duration::from_millis(20);
/// How often to look for notices when nothing wakes the worker (those of other processes, or
/// left by a round that failed).
pub const POLL_INTERVAL: Duration = Duration::from_secs(5);

/// Handles notices forever (the server aborts the task on shutdown; a round cut short is
/// rolled back and done again by the next one).
pub async fn run(app: App) {
    loop {
        let handled = match notify_due(&app).await {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(error = %e, "notice round failed");
                0
            }
        };
        if handled >= BATCH as usize {
            continue; // more may be waiting
        }
        tokio::select! {
            () = app.notice_wakeup.notified() => {
                // The notices of the next few ledger batches join this round.
                tokio::time::sleep(GATHER).await;
            }
            () = tokio::time::sleep(POLL_INTERVAL) => {}
        }
    }
}

/// One round: turns up to [`BATCH`] queued notices into mail. Returns how many were handled.
pub async fn notify_due(app: &App) -> Result<usize, AppError> {
    let lines = app.store.due_notices(BATCH).await?;
    if lines.is_empty() {
        return Ok(0);
    }
    // Owners read once per round, in one read: a merchant's many payments received share it.
    let mut ids: Vec<&str> = lines.iter().map(|l| l.owner.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let owners: HashMap<String, UserRecord> =
        app.store.users_by_ids(&ids).await?.into_iter().map(|u| (u.id.clone(), u)).collect();
    let mut done = Vec::with_capacity(lines.len());
    for line in &lines {
        let mail = match owners.get(&line.owner) {
            Some(o) => app.notice_mail(o, line)?,
            None => None,
        };
        done.push(NoticeDone { txn_id: line.id.clone(), mail });
    }
    // Claimed (the hand-over counts as the first attempt) and handed to this process's mail
    // worker when one runs here with room for them (see [`crate::mail_handoff`]); otherwise
    // due, for a worker's claim.
    let mails = done.iter().filter(|d| d.mail.is_some()).count();
    let lease = app.mail_handoff.lease_for(mails, now_us());
    if lease.is_some() {
        done.iter_mut().filter_map(|d| d.mail.as_mut()).for_each(|m| m.attempts = 1);
    }
    let queued = app.store.finish_notices(&done, lease).await?;
    match lease {
        _ if queued.is_empty() => {}
        Some(until) => {
            let queued: HashSet<String> = queued.into_iter().collect();
            let claimed = done.into_iter().filter_map(|d| d.mail).filter(|m| queued.contains(&m.id)).collect();
            app.mail_handoff.hand_over(claimed, until);
        }
        None => app.mail_queued(),
    }
    Ok(lines.len())
}

impl App {
    /// Wakes this process's notice worker (after a movement that queued notices committed).
    pub fn notices_queued(&self) {
        self.notice_wakeup.notify_one();
    }

    /// The mail about `line` to its `owner`; `None` if the row's kind has no notice. (An owner
    /// who is gone, closed and erased, gets none.)
    fn notice_mail(&self, owner: &UserRecord, line: &StatementLine) -> Result<Option<OutboxMail>, AppError> {
        let amount = line.currency.format(line.amount_minor);
        let history_url = self.link("/help/articles/transaction-history");
        let other = line.counterparty.clone().unwrap_or_default();
        let note = line.description.clone();
        let template = match line.kind.as_str() {
            "deposit" => Template::CardDepositSucceeded { amount, card: other, history_url },
            "transfer_out" => Template::TransferSent { amount, to: other, note, history_url },
            "transfer_in" => Template::TransferReceived { amount, from: other, note, history_url },
            "payment_received" => {
                let Some(net) = line.amount_minor.checked_sub(line.fee_minor) else {
                    return Err(AppError::internal(format!("payment row {} has a fee above its amount", line.id)));
                };
                Template::PaymentReceived {
                    amount,
                    fee: line.currency.format(line.fee_minor),
                    net: line.currency.format(net),
                    payer: other,
                    payment: line.source_id.clone(),
                    history_url,
                }
            }
            kind => {
                tracing::warn!(txn = %line.id, kind, "no notice for this kind of row");
                return Ok(None);
            }
        };
        Ok(Some(compose(&owner.email, &owner.locale, &owner.name, &template)))
    }
}
