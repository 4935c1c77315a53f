//! Which ledger account holds what: customers' wallets and OKPay's system accounts.
//!
//! Account ids never change once created, so they are cached per process.

use std::sync::Arc;

use dashmap::DashMap;
use okpay_domain::Currency;
use okpay_ledger::{AccountId, AccountKind, LedgerStore};

use crate::error::AppError;

/// OKPay's own accounts, one per currency each. Their balances mirror customers' money.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SystemAccount {
    /// Money owed to us by the card processor for captured card deposits.
    CardClearing,
    /// Money in transit with the bank rail.
    BankClearing,
    /// Fees earned.
    FeeRevenue,
}

impl SystemAccount {
    /// The owner name of the account in the books.
    pub fn owner(self) -> &'static str {
        match self {
            SystemAccount::CardClearing => "system:card_clearing",
            SystemAccount::BankClearing => "system:bank_clearing",
            SystemAccount::FeeRevenue => "system:fee_revenue",
        }
    }
}

/// Opens and caches ledger accounts.
#[derive(Clone)]
pub struct Accounts {
    store: Arc<dyn LedgerStore>,
    cache: Arc<DashMap<(String, Currency), AccountId>>,
}

impl Accounts {
    /// A directory over the ledger's storage.
    pub fn new(store: Arc<dyn LedgerStore>) -> Self {
        Accounts { store, cache: Arc::new(DashMap::new()) }
    }

    /// The wallet of `user_id` in `currency`, opened on first use.
    pub async fn wallet(&self, user_id: &str, currency: Currency) -> Result<AccountId, AppError> {
        self.open(user_id, currency, AccountKind::User).await
    }

    /// A system account in `currency`.
    pub async fn system(&self, which: SystemAccount, currency: Currency) -> Result<AccountId, AppError> {
        self.open(which.owner(), currency, AccountKind::System).await
    }

    async fn open(&self, owner: &str, currency: Currency, kind: AccountKind) -> Result<AccountId, AppError> {
        let key = (owner.to_owned(), currency);
        if let Some(id) = self.cache.get(&key) {
            return Ok(*id);
        }
        let id = self.store.open_account(owner, currency, kind).await?;
        self.cache.insert(key, id);
        Ok(id)
    }
}
