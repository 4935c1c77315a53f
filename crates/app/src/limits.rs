//! Enforcing the per-user limits of API.md §7 before money moves.
//!
//! The policy is pure ([`okpay_domain::limits`]); this module reads what the user already moved
//! in the current UTC day and month from history and refuses with `limit_exceeded`, naming
//! the limit, what is left and when it resets. Rows that failed or were canceled do not count;
//! pending ones do (a pending bank deposit or withdrawal is a movement under way).
//!
//! The check reads before the movement is written, so it returns a [`LimitGate`]: the caller
//! holds it until the movement's history row is written, and another limited movement of the
//! same user in this process waits for it. Racing requests of one user are therefore counted
//! one after the other. Across several `okpay serve` processes on one PostgreSQL two of them can
//! still pass a limit together by at most the smaller one; limits are a risk control, not a
//! balance, and the balance rules (enforced by the ledger and the database) hold regardless.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::Arc;

use okpay_domain::Currency;
use okpay_domain::limits::{Breach, Movement, Period, Usage};
use okpay_domain::time::now_us;

use crate::error::{AppError, Code, Details};
use crate::ports::Scope;
use crate::{App, Caller};

/// Gates per user, striped: a user's limited movements take their stripe's gate in turn.
/// Two users sharing a stripe only wait for each other's check-and-write, never fail.
pub struct LimitGates {
    stripes: Vec<Arc<tokio::sync::Mutex<()>>>,
    hasher: RandomState,
}

/// Stripes of [`LimitGates`]: many more than the requests a process has in flight.
const GATE_STRIPES: usize = 1024;

impl Default for LimitGates {
    fn default() -> Self {
        LimitGates {
            stripes: (0..GATE_STRIPES).map(|_| Arc::new(tokio::sync::Mutex::new(()))).collect(),
            hasher: RandomState::new(),
        }
    }
}

impl LimitGates {
    /// Waits for and takes `owner`'s gate.
    async fn enter(&self, owner: &str) -> LimitGate {
        // Truncating the hash is fine: it only picks a stripe.
        #[allow(clippy::cast_possible_truncation)]
        let i = (self.hasher.hash_one(owner) as usize) % self.stripes.len();
        LimitGate(self.stripes[i].clone().lock_owned().await)
    }
}

/// Held from a passed limit check until the movement is written (see the module docs).
#[must_use = "hold the gate until the movement's history row is written"]
pub struct LimitGate(#[allow(dead_code)] tokio::sync::OwnedMutexGuard<()>);

impl App {
    /// Refuses a movement of `amount_minor` that would take `caller` over a limit. On success
    /// returns the caller's [`LimitGate`], to be held until the movement is written.
    ///
    /// `reference` is the movement's id (`tr_...`): a retry of a movement that already took
    /// effect (its answer lost, say, in a crash) must get its original outcome, not be refused
    /// because its own amount now counts, so a refusal is only final when no history row of
    /// that reference exists.
    pub async fn check_limit(
        &self,
        caller: &Caller,
        movement: Movement,
        currency: Currency,
        amount_minor: i64,
        reference: &str,
    ) -> Result<LimitGate, AppError> {
        let gate = self.limit_gates.enter(caller.id()).await;
        let now = now_us();
        let (day_start, _) = Period::Day.bounds(now);
        let (month_start, _) = Period::Month.bounds(now);
        let scope = Scope { owner: caller.id(), currency, kinds: movement.history_kinds() };
        let (day_minor, month_minor) = self.store.usage(scope, day_start, month_start).await?;
        let usage = Usage { day_minor, month_minor };
        let Err(breach) = self.config.limits.check(caller.user.kyc_level, movement, currency, usage, amount_minor, now)
        else {
            return Ok(gate);
        };
        if self.store.line_by_source(caller.id(), reference).await?.is_some() {
            return Ok(gate);
        }
        metrics::counter!("okpay_limit_refusals_total", "limit" => breach.name()).increment(1);
        Err(limit_exceeded(breach))
    }
}

/// The `limit_exceeded` error for a breach.
pub fn limit_exceeded(breach: Breach) -> AppError {
    AppError { details: Some(Box::new(Details::Limit(breach))), ..AppError::new(Code::LimitExceeded).param("amount") }
}
