//! OKPay's storage: the ledger's [`okpay_ledger::LedgerStore`] and the app's
//! [`okpay_app::ports::AppStore`], implemented for two backends.
//!
//! * `sqlite/`: the embedded default (`sqlite://PATH`), WAL, `synchronous=FULL`.
//! * `postgres/`: for several processes or hosts (`postgres://...`).
//!
//! Each backend has its own migrations (`migrations/<backend>/`, embedded in the binary) and
//! the same logical schema. Both write a ledger batch with a constant number of set-based
//! statements, whatever its size. One contract test suite (`tests/contract/`) runs on both.
//!
//! Errors: [`StoreError`] for opening and migrating; [`okpay_ledger::StorageError`] for every
//! query afterwards (its `retryable` flag drives the ledger writer's retries).

mod account_sql;
mod app_sql;
mod audit_sql;
mod bank_deposit_sql;
mod checks;
mod closure_sql;
mod document_sql;
mod error;
mod event_sql;
pub mod files;
mod history;
mod merchant_rows;
mod merchant_sql;
mod notice_sql;
mod outbox_rows;
mod payment_methods_sql;
mod payment_sql;
mod point_read;
mod postgres;
mod profile_sql;
mod records;
mod risk_sql;
mod rows;
mod sessions_sql;
mod snapshot;
mod sqlite;
mod status_sql;
pub mod testing;
mod throttle_sql;
mod two_factor_sql;
mod users_sql;
mod withdrawal_sql;

use std::sync::Arc;

pub use error::StoreError;

/// The opened storage: the books and the app's records, on one database.
#[derive(Clone)]
pub struct Stores {
    /// The ledger's store (give it to [`okpay_ledger::Ledger::start`]).
    pub ledger: Arc<dyn okpay_ledger::LedgerStore>,
    /// The app's store.
    pub app: Arc<dyn okpay_app::ports::AppStore>,
    /// `sqlite` or `postgres`.
    pub backend: &'static str,
}

/// Which backend a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

fn backend_of(url: &str) -> Result<Backend, StoreError> {
    // An in-memory SQLite database would be a different empty one per pooled connection.
    if url.starts_with("sqlite:") && !sqlite::is_in_memory(url) {
        Ok(Backend::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Backend::Postgres)
    } else {
        Err(StoreError::BadUrl(url.to_owned()))
    }
}

/// Connects to `url` (`sqlite://path` — the file and its parent directory are created if
/// missing — or `postgres://...`), runs the embedded migrations, returns the stores.
pub async fn open(url: &str) -> Result<Stores, StoreError> {
    match backend_of(url)? {
        Backend::Sqlite => {
            let pool = sqlite::connect(url, sqlite::POOL_SIZE).await?;
            sqlite::migrate(&pool).await?;
            let store = Arc::new(sqlite::SqliteStore::new(pool));
            Ok(Stores { ledger: store.clone(), app: store, backend: sqlite::NAME })
        }
        Backend::Postgres => {
            let pool = postgres::connect(url, postgres::POOL_SIZE).await?;
            postgres::migrate(&pool).await?;
            let store = Arc::new(postgres::PgStore::new(pool));
            Ok(Stores { ledger: store.clone(), app: store, backend: postgres::NAME })
        }
    }
}

/// Only runs the migrations (for `okpay migrate`).
pub async fn migrate(url: &str) -> Result<(), StoreError> {
    match backend_of(url)? {
        Backend::Sqlite => {
            let pool = sqlite::connect(url, 1).await?;
            sqlite::migrate(&pool).await?;
            pool.close().await;
        }
        Backend::Postgres => {
            let pool = postgres::connect(url, 1).await?;
            postgres::migrate(&pool).await?;
            pool.close().await;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_their_backend() {
        assert_eq!(backend_of("sqlite://data/okpay.db").ok(), Some(Backend::Sqlite));
        assert!(matches!(backend_of("sqlite::memory:"), Err(StoreError::BadUrl(_))));
        assert!(matches!(backend_of("sqlite://x.db?mode=memory"), Err(StoreError::BadUrl(_))));
        assert_eq!(backend_of("postgres://u@h/db").ok(), Some(Backend::Postgres));
        assert_eq!(backend_of("postgresql://u@h/db").ok(), Some(Backend::Postgres));
        assert!(matches!(backend_of("mysql://u@h/db"), Err(StoreError::BadUrl(_))));
    }
}
