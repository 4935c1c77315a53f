//! Withdrawals: money leaves the wallet for a saved bank account or card.
//!
//! At creation the amount and the fee are held at once (one ledger `Hold`: wallet → bank or
//! card clearing for the amount, wallet → fee revenue for the fee) with the `withdrawal`
//! history row, and a `withdrawals` row records the status machine (see
//! [`okpay_domain::withdrawal::WithdrawalStatus`]). The owner may cancel while it is
//! `pending`; once the cancel window has passed the [`worker`] moves it to `processing`,
//! starts the payout on the rail, and posts the hold (`paid`) or voids it (`failed`) when the
//! rail answers. Every status change is mailed to the owner.
//!
//! The withdrawal id is derived from (caller, Idempotency-Key) and is the hold's reference, so
//! a replay never holds twice.

mod cancel;
mod create;
pub mod fees;
mod notices;
mod settle;
pub mod worker;

use okpay_domain::time::now_us;
use okpay_domain::withdrawal::WithdrawalMethod;
use okpay_domain::{Amount, Currency};

use crate::deposits::minimum_deposit;
use crate::error::{AppError, Code};
use crate::ports::{PaymentMethodRecord, WithdrawalRecord};
use crate::{App, Caller};

pub use fees::WithdrawalFees;

/// Most withdrawals listed per page.
pub const MAX_LISTED: u32 = 100;

/// What a withdrawal would cost, as `GET /v1/withdrawals/quote` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    /// Paid out, minor units.
    pub amount: i64,
    /// The fee, minor units.
    pub fee: i64,
    /// Taken from the wallet: amount + fee.
    pub total: i64,
    /// Currency.
    pub currency: Currency,
    /// Where it would go.
    pub method: WithdrawalMethod,
    /// When the money would arrive if created now, µs.
    pub estimated_arrival_us: i64,
    /// When the quote was made, µs.
    pub at_us: i64,
}

/// A page of withdrawals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// Newest first.
    pub rows: Vec<WithdrawalRecord>,
    /// Whether more follow.
    pub has_more: bool,
}

impl App {
    /// The fee and arrival of withdrawing `amount` to the caller's payment method.
    pub async fn withdrawal_quote(
        &self,
        caller: &Caller,
        amount: Amount,
        currency: Currency,
        payment_method: &str,
    ) -> Result<Quote, AppError> {
        Ok(self.price(caller, amount, currency, payment_method).await?.1)
    }

    /// Validates a withdrawal and prices it: the caller's own payment method, a supported
    /// method, at least the minimum amount, and a total that fits.
    async fn price(
        &self,
        caller: &Caller,
        amount: Amount,
        currency: Currency,
        payment_method: &str,
    ) -> Result<(PaymentMethodRecord, Quote), AppError> {
        if amount.minor() < minimum_deposit(currency) {
            return Err(AppError::new(Code::AmountTooSmall).param("amount"));
        }
        let pm = self
            .store
            .payment_method(caller.id(), payment_method)
            .await?
            .ok_or_else(|| AppError::new(Code::ResourceMissing).param("payment_method"))?;
        let method = WithdrawalMethod::parse(&pm.kind)
            .ok_or_else(|| AppError::new(Code::PaymentMethodNotSupported).param("payment_method"))?;
        let too_large =
            || AppError::new(Code::InvalidAmount).param("amount").reason("is larger than the maximum allowed");
        let fee = self.config.withdrawal_fees.rule(method, currency).fee(amount.minor()).ok_or_else(too_large)?;
        let total = amount.minor().checked_add(fee).filter(|t| *t <= Amount::MAX_MINOR).ok_or_else(too_large)?;
        let at_us = now_us();
        let settlement = match method {
            WithdrawalMethod::BankAccount => self.config.bank_settlement_delay_us,
            WithdrawalMethod::Card => 0,
        };
        let estimated_arrival_us =
            at_us.saturating_add(self.config.withdrawal_cancel_window_us).saturating_add(settlement);
        Ok((pm, Quote { amount: amount.minor(), fee, total, currency, method, estimated_arrival_us, at_us }))
    }

    /// One of the caller's withdrawals.
    pub async fn withdrawal(&self, caller: &Caller, id: &str) -> Result<WithdrawalRecord, AppError> {
        match self.store.withdrawal(id).await? {
            Some(w) if w.owner == caller.id() => Ok(w),
            _ => Err(AppError::new(Code::ResourceMissing).param("id")),
        }
    }

    /// The caller's withdrawals, newest first, after `starting_after` (one of theirs).
    pub async fn withdrawals(
        &self,
        caller: &Caller,
        starting_after: Option<&str>,
        limit: u32,
    ) -> Result<Page, AppError> {
        if let Some(cursor) = starting_after {
            match self.store.withdrawal(cursor).await? {
                Some(w) if w.owner == caller.id() => {}
                _ => return Err(AppError::new(Code::ResourceMissing).param("starting_after")),
            }
        }
        let limit = limit.clamp(1, MAX_LISTED);
        let mut rows = self.store.withdrawals(caller.id(), starting_after, limit + 1).await?;
        let has_more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        Ok(Page { rows, has_more })
    }
}
