//! Balances per currency.

use okpay_domain::Currency;

use crate::error::AppError;
use crate::{App, Caller};

/// One currency's balances as the owner sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Balance {
    /// Currency.
    pub currency: Currency,
    /// Spendable now: posted balance minus money held for outgoing movements.
    pub available: i64,
    /// Incoming money not yet settled (e.g. a bank deposit in transit).
    pub pending: i64,
    /// Held for outgoing movements in progress (e.g. a withdrawal being paid out).
    pub held: i64,
}

impl App {
    /// The caller's balances, one row per currency ever held.
    pub async fn balances(&self, caller: &Caller) -> Result<Vec<Balance>, AppError> {
        let accounts = self.ledger.store().accounts_of(caller.id()).await?;
        accounts
            .into_iter()
            .map(|a| {
                let available = a.available().ok_or_else(|| AppError::internal("balance overflow"))?;
                Ok(Balance { currency: a.currency, available, pending: a.credits_pending, held: a.debits_pending })
            })
            .collect()
    }
}
