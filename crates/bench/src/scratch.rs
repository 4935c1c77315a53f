//! Fresh databases for one measurement, and their removal afterwards.
//!
//! [`TestDb`] removes SQLite files on drop but leaves PostgreSQL databases for a later sweep;
//! a benchmark writes hundreds of thousands of rows, so its databases are dropped at once.

use anyhow::Context;
use okpay_store::testing::{DEFAULT_PG_URL, PG_URL_ENV, TestBackend, TestDb};
use sqlx::{AssertSqlSafe, Connection, PgConnection};

/// A new empty database; `None` if PostgreSQL is unreachable (a warning has been printed).
pub async fn fresh(backend: TestBackend) -> anyhow::Result<Option<TestDb>> {
    TestDb::new(backend).await.map_err(anyhow::Error::msg)
}

/// Drops a PostgreSQL test database (SQLite ones go with their temporary directory). Failure
/// only warns: the next test run's sweep removes leftovers older than two hours.
pub async fn discard(db: TestDb) {
    if db.backend != TestBackend::Postgres {
        return;
    }
    if let Err(e) = drop_pg(&db.url).await {
        eprintln!("okpay-bench: warning: could not drop {}: {e:#}", database_name(&db.url).unwrap_or("?"));
    }
}

async fn drop_pg(url: &str) -> anyhow::Result<()> {
    let name = database_name(url).context("not a test database URL")?;
    let admin = std::env::var(PG_URL_ENV).unwrap_or_else(|_| DEFAULT_PG_URL.to_owned());
    let mut conn = PgConnection::connect(&admin).await.context("connecting to the admin database")?;
    // `database_name` only returns names of TestDb's shape (letters, digits, `_`), safe to format.
    sqlx::query(AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))).execute(&mut conn).await?;
    conn.close().await?;
    Ok(())
}

/// The database of a test database URL, if it has the shape [`TestDb`] gives them.
fn database_name(url: &str) -> Option<&str> {
    let path = url.split('?').next()?;
    let name = &path[path.rfind('/')? + 1..];
    let shaped = name.starts_with("okpay_t_") && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    shaped.then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_test_databases_are_dropped() {
        assert_eq!(database_name("postgres://u@h:5432/okpay_t_1_ab?x=y"), Some("okpay_t_1_ab"));
        assert_eq!(database_name("postgres://u@h:5432/test"), None);
        assert_eq!(database_name("postgres://u@h/okpay_t_1; DROP"), None);
    }
}
