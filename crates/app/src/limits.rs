//! Enforcing the per-user limits of API.md §7 before money moves.
//!
//! The policy is pure ([`okpay_domain::limits`]); this module reads what the user already moved
//! in the current UTC day and month from history and refuses with `limit_exceeded`, naming
//! the limit, what is left and when it resets. Rows that failed or were canceled do not count;
//! pending ones do (a pending bank deposit or withdrawal is a movement under way).
//!
//! The check reads before the movement is written, so two requests of one user racing each
//! other can together pass a limit by at most the smaller of them; limits are a risk control,
//! not a balance, and the balance rules (enforced by the ledger and the database) still hold.

use okpay_domain::Currency;
use okpay_domain::limits::{Breach, Movement, Period, Usage};
use okpay_domain::time::now_us;

use crate::error::{AppError, Code, Details};
use crate::ports::Scope;
use crate::{App, Caller};

impl App {
    /// Refuses a movement of `amount_minor` that would take `caller` over a limit.
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
    ) -> Result<(), AppError> {
        let now = now_us();
        let (day_start, _) = Period::Day.bounds(now);
        let (month_start, _) = Period::Month.bounds(now);
        let scope = Scope { owner: caller.id(), currency, kinds: movement.history_kinds() };
        let (day_minor, month_minor) = self.store.usage(scope, day_start, month_start).await?;
        let usage = Usage { day_minor, month_minor };
        let Err(breach) = self.config.limits.check(caller.user.kyc_level, movement, currency, usage, amount_minor, now)
        else {
            return Ok(());
        };
        if self.store.line_by_source(caller.id(), reference).await?.is_some() {
            return Ok(());
        }
        metrics::counter!("okpay_limit_refusals_total", "limit" => breach.name()).increment(1);
        Err(limit_exceeded(breach))
    }
}

/// The `limit_exceeded` error for a breach.
pub fn limit_exceeded(breach: Breach) -> AppError {
    AppError { details: Some(Box::new(Details::Limit(breach))), ..AppError::new(Code::LimitExceeded).param("amount") }
}
