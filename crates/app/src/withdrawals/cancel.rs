//! Canceling a withdrawal while it is `pending`.
//!
//! The cancel is a guarded transition `pending → canceled` in the store: the worker's move to
//! `processing` is guarded the same way, so when both race exactly one wins. The winner of a
//! cancel then voids the hold (releasing the money; only the ledger void does that) and records
//! the end with its mail. If the process dies in between, the row is still unfinished and
//! leased only briefly: the worker voids it.

use std::time::Duration;

use okpay_domain::time::now_us;

use super::settle::Ending;
use crate::error::{AppError, Code};
use crate::ports::{WithdrawalRecord, WithdrawalTransition};
use crate::{App, Caller};

/// How long a canceling request has to void the hold before the worker does it instead.
const CANCEL_LEASE: Duration = Duration::from_secs(30);

impl App {
    /// Cancels the caller's pending withdrawal `id`; `withdrawal_not_cancelable` once it is
    /// processing or finished.
    pub async fn cancel_withdrawal(&self, caller: &Caller, id: &str) -> Result<WithdrawalRecord, AppError> {
        let w = self.withdrawal(caller, id).await?;
        let not_cancelable = || AppError::new(Code::WithdrawalNotCancelable).param("id");
        if w.status != "pending" {
            return Err(not_cancelable());
        }
        let now = now_us();
        let lease_us = i64::try_from(CANCEL_LEASE.as_micros()).unwrap_or(i64::MAX);
        let t = WithdrawalTransition {
            from: "pending",
            to: "canceled",
            at_us: now,
            due_at_us: Some(now.saturating_add(lease_us)),
            finish: false,
            failure_code: None,
            line_status: false,
            line_details: None,
            mail: None,
        };
        if !self.store.transition_withdrawal(&w.id, &t).await? {
            return Err(not_cancelable()); // the worker (or another cancel) got there first
        }
        let canceled = WithdrawalRecord { status: "canceled".into(), ..w };
        self.finish_withdrawal(&canceled, Ending::Canceled).await?;
        self.withdrawal(caller, id).await
    }
}
