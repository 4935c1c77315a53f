//! Errors of this crate.
//!
//! * [`StoreError`]: opening a database or migrating it (startup, `okpay migrate`).
//! * [`okpay_ledger::StorageError`]: every query after that, built here from `sqlx::Error` by
//!   [`ledger_error`] (the batch path) or [`app_error`] (everything else). The `retryable` flag
//!   is what the ledger writer uses to decide whether to run a rolled-back batch again.

use okpay_ledger::StorageError;

/// Why a database could not be opened or migrated.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The URL names no backend this build knows.
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://USER@HOST/DB")]
    BadUrl(String),
    /// The SQLite file's directory could not be created.
    #[error("cannot create the directory for the SQLite database {path}: {source}")]
    CreateDir {
        /// The directory.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The database refused or did not answer the connection.
    #[error("cannot connect to the {backend} database: {source}")]
    Connect {
        /// `sqlite` or `postgres`.
        backend: &'static str,
        /// Why.
        #[source]
        source: sqlx::Error,
    },
    /// A migration failed; the database is left at the last migration that succeeded.
    #[error("migrating the {backend} database failed: {source}")]
    Migrate {
        /// `sqlite` or `postgres`.
        backend: &'static str,
        /// Why.
        #[source]
        source: sqlx::migrate::MigrateError,
    },
}

/// SQLite primary result codes (the low byte of an extended code) meaning "try again".
const SQLITE_BUSY: i64 = 5;
const SQLITE_LOCKED: i64 = 6;

/// PostgreSQL SQLSTATEs meaning "the transaction was rolled back, run it again".
const PG_SERIALIZATION_FAILURE: &str = "40001";
const PG_DEADLOCK_DETECTED: &str = "40P01";
/// PostgreSQL SQLSTATE of a unique violation.
pub(crate) const PG_UNIQUE_VIOLATION: &str = "23505";

/// Converts an error of the ledger's batch path.
///
/// A unique violation there is retryable: a concurrent process inserted the same journal or
/// hold reference after this batch looked for it; running the batch again finds it and reports
/// a duplicate instead of posting twice.
pub(crate) fn ledger_error(e: sqlx::Error) -> StorageError {
    let retryable = is_transient(&e) || pg_code(&e).as_deref() == Some(PG_UNIQUE_VIOLATION);
    StorageError { message: e.to_string(), retryable }
}

/// Converts an error of any other query.
pub(crate) fn app_error(e: sqlx::Error) -> StorageError {
    StorageError { retryable: is_transient(&e), message: e.to_string() }
}

/// Converts an error of a rusqlite connection (the SQLite ledger writer, bulk history reads):
/// a lock conflict is retryable, as in [`app_error`]. On SQLite a unique violation is not: the
/// batch's reads and writes share one `BEGIN IMMEDIATE` transaction, so no other writer can
/// have taken a reference in between.
pub(crate) fn rusqlite_error(e: rusqlite::Error) -> StorageError {
    let retryable =
        matches!(e.sqlite_error_code(), Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked));
    StorageError { message: e.to_string(), retryable }
}

/// What a backend's batch reports if, run with every reference looked up, it still answered
/// "a reference is taken": it cannot (that run reports a taken reference as an error), so this
/// is a bug, not a condition to retry.
pub(crate) fn taken_after_lookup() -> StorageError {
    StorageError { message: "a batch that looked its references up still found one taken".into(), retryable: false }
}

/// A row that cannot be decoded into a domain value (corrupt or foreign data): not retryable.
pub(crate) fn corrupt(what: impl std::fmt::Display) -> StorageError {
    StorageError { message: format!("unexpected stored value: {what}"), retryable: false }
}

/// Whether the error is a lock conflict, a serialization failure or a lost connection.
fn is_transient(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::Tls(_) | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => {
            let Some(code) = db.code() else { return false };
            if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
                // SQLite reports its extended numeric result code; the low byte is the primary.
                let primary = code.parse::<i64>().map(|n| n & 0xff).unwrap_or(0);
                return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
            }
            // Class 08: connection exceptions; 57P01-03: the server is shutting down or starting
            // (a restart or failover), so the next connection may well succeed.
            code == PG_SERIALIZATION_FAILURE
                || code == PG_DEADLOCK_DETECTED
                || code.starts_with("08")
                || matches!(&*code, "57P01" | "57P02" | "57P03")
        }
        _ => false,
    }
}

/// The SQLSTATE of a PostgreSQL error.
pub(crate) fn pg_code(e: &sqlx::Error) -> Option<String> {
    match e {
        sqlx::Error::Database(db) if db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>().is_some() => {
            db.code().map(|c| c.into_owned())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_and_pool_timeouts_are_retryable() {
        let io = sqlx::Error::Io(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset"));
        assert!(app_error(io).retryable);
        assert!(ledger_error(sqlx::Error::PoolTimedOut).retryable);
        assert!(!app_error(sqlx::Error::RowNotFound).retryable);
        assert!(!corrupt("x").retryable);
    }
}
