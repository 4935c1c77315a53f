//! Short reads on a request's path, written once for both backends.
//!
//! The statements are the same text on SQLite and PostgreSQL; what differs is how they run.
//! On PostgreSQL they go through the sqlx pool as every other statement. On SQLite they run on
//! the calling thread through a read connection of their own (see `sqlite::point`): sqlx's
//! SQLite driver hands every statement to a worker thread and its rows back through channels,
//! and for a point read those two thread hand-offs cost more than the read. Both stores offer
//! the same three methods (`read_optional`, `read_one`, `read_all`) taking [`Arg`]s, so a
//! store macro calls them without knowing the backend.

use okpay_ledger::StorageError;
use sqlx::postgres::PgRow;

use crate::error::app_error;
use crate::postgres::PgStore;

/// One bound value of a point read: `$1` is the first argument, `$2` the second, and so on.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Arg<'a> {
    /// TEXT.
    Text(&'a str),
    /// INTEGER / BIGINT.
    Int(i64),
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(s: &'a str) -> Arg<'a> {
        Arg::Text(s)
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(s: &'a String) -> Arg<'a> {
        Arg::Text(s)
    }
}

impl From<i64> for Arg<'_> {
    fn from(n: i64) -> Self {
        Arg::Int(n)
    }
}

/// Binds `args` in order to a sqlx query (`$1` first).
fn bind_all<'q, O>(
    mut query: sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments>,
    args: &[Arg<'q>],
) -> sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments> {
    for arg in args {
        query = match *arg {
            Arg::Text(s) => query.bind(s),
            Arg::Int(n) => query.bind(n),
        };
    }
    query
}

impl PgStore {
    /// The row `sql` returns, if any.
    pub(crate) async fn read_optional<T>(&self, sql: &'static str, args: &[Arg<'_>]) -> Result<Option<T>, StorageError>
    where
        T: for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin,
    {
        bind_all(sqlx::query_as(sql), args).fetch_optional(&self.pool).await.map_err(app_error)
    }

    /// The one row `sql` returns (an aggregate, say); no row is an error.
    pub(crate) async fn read_one<T>(&self, sql: &'static str, args: &[Arg<'_>]) -> Result<T, StorageError>
    where
        T: for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin,
    {
        bind_all(sqlx::query_as(sql), args).fetch_one(&self.pool).await.map_err(app_error)
    }

    /// Every row `sql` returns.
    pub(crate) async fn read_all<T>(&self, sql: &str, args: &[Arg<'_>]) -> Result<Vec<T>, StorageError>
    where
        T: for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin,
    {
        bind_all(sqlx::query_as(sqlx::AssertSqlSafe(sql.to_owned())), args)
            .fetch_all(&self.pool)
            .await
            .map_err(app_error)
    }
}
