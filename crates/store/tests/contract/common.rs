//! Fixtures shared by the contract tests: a fresh database per test, command builders, raw SQL.

use okpay_domain::{Amount, Currency};
use okpay_ledger::{AccountId, AccountKind, Command, Hold, Leg, Resolve, StatementLine, StatusUpdate, Transfer};
use okpay_store::Stores;
use okpay_store::testing::{TestBackend, TestDb};
use sqlx::{AssertSqlSafe, Connection};

/// What every test returns.
pub type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;
/// A fallible helper's result.
pub type R<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// Generates `<test>::sqlite` and `<test>::postgres` for each `async fn <test>(TestBackend)`.
macro_rules! contract {
    ($($test:ident),* $(,)?) => {$(
        mod $test {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() -> $crate::common::TestResult {
                super::$test(okpay_store::testing::TestBackend::Sqlite).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() -> $crate::common::TestResult {
                super::$test(okpay_store::testing::TestBackend::Postgres).await
            }
        }
    )*};
}
pub(crate) use contract;

/// A fresh database with the stores opened on it and one system account (`system:clearing`).
pub struct Books {
    /// The opened stores.
    pub stores: Stores,
    /// Keeps the database alive.
    pub db: TestDb,
    /// OKPay's side of deposits.
    pub system: AccountId,
}

impl Books {
    /// `None` when PostgreSQL is unreachable outside CI (the test then passes vacuously).
    pub async fn new(backend: TestBackend) -> R<Option<Books>> {
        let Some(db) = TestDb::new(backend).await? else { return Ok(None) };
        let stores = db.open().await?;
        let system = stores.ledger.open_account("system:clearing", Currency::Usd, AccountKind::System).await?;
        Ok(Some(Books { stores, db, system }))
    }

    /// Opens a user's USD wallet.
    pub async fn user(&self, owner: &str) -> R<AccountId> {
        Ok(self.stores.ledger.open_account(owner, Currency::Usd, AccountKind::User).await?)
    }

    /// The stored `(balance, debits_pending, credits_pending)` of an owner's USD account.
    pub async fn balances(&self, owner: &str) -> R<(i64, i64, i64)> {
        let accounts = self.stores.ledger.accounts_of(owner).await?;
        let a = accounts.iter().find(|a| a.currency == Currency::Usd).ok_or("no usd account")?;
        Ok((a.balance, a.debits_pending, a.credits_pending))
    }

    /// Fails unless every invariant holds.
    pub async fn assert_verified(&self) -> TestResult {
        let report = self.stores.ledger.verify().await?;
        if !report.is_ok() {
            return Err(format!("verify failed: {:#?}", report.checks).into());
        }
        Ok(())
    }

    /// Runs one statement outside the stores (to tamper with the books); returns rows affected.
    pub async fn raw(&self, sql: &str) -> Result<u64, sqlx::Error> {
        let sql = AssertSqlSafe(sql.to_owned());
        match self.db.backend {
            TestBackend::Sqlite => {
                let mut c = sqlx::SqliteConnection::connect(&self.db.url).await?;
                Ok(sqlx::query(sql).execute(&mut c).await?.rows_affected())
            }
            TestBackend::Postgres => {
                let mut c = sqlx::PgConnection::connect(&self.db.url).await?;
                Ok(sqlx::query(sql).execute(&mut c).await?.rows_affected())
            }
        }
    }
}

/// A USD leg.
pub fn leg(debit: AccountId, credit: AccountId, amount: i64) -> R<Leg> {
    Ok(Leg { debit, credit, amount: Amount::new(amount)? })
}

/// A one-leg USD transfer without statement lines.
pub fn transfer(reference: &str, debit: AccountId, credit: AccountId, amount: i64) -> R<Command> {
    Ok(Command::Transfer(Transfer {
        reference: reference.to_owned(),
        kind: "transfer".to_owned(),
        currency: Currency::Usd,
        legs: vec![leg(debit, credit, amount)?],
        lines: Vec::new(),
    }))
}

/// A one-leg USD hold without statement lines.
pub fn hold(reference: &str, debit: AccountId, credit: AccountId, amount: i64) -> R<Command> {
    Ok(Command::Hold(Hold {
        reference: reference.to_owned(),
        kind: "withdrawal".to_owned(),
        currency: Currency::Usd,
        legs: vec![leg(debit, credit, amount)?],
        lines: Vec::new(),
    }))
}

/// Posts a hold.
pub fn post(reference: &str) -> Command {
    Command::Post(Resolve { hold_reference: reference.to_owned(), updates: Vec::new() })
}

/// Voids a hold.
pub fn void(reference: &str) -> Command {
    Command::Void(Resolve { hold_reference: reference.to_owned(), updates: Vec::new() })
}

/// A statement line of `owner`.
pub fn line(id: &str, owner: &str, kind: &str, status: &str, created_at_us: i64) -> StatementLine {
    StatementLine {
        id: id.to_owned(),
        owner: owner.to_owned(),
        kind: kind.to_owned(),
        amount_minor: 100,
        fee_minor: 0,
        currency: Currency::Usd,
        status: status.to_owned(),
        source_id: format!("src_{id}"),
        counterparty: None,
        description: Some("lunch".to_owned()),
        details: Some(r#"{"method":"card"}"#.to_owned()),
        created_at_us,
        notify: false,
    }
}

/// A status change of a line.
pub fn update(line_id: &str, status: &str, at_us: i64) -> StatusUpdate {
    StatusUpdate { line_id: line_id.to_owned(), status: status.to_owned(), at_us }
}
