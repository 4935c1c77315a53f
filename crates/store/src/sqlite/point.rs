//! Point reads on SQLite, run on the calling thread through read connections of their own.
//!
//! A request's reads (its session, the recipient, its idempotency key, the limit sums, the risk
//! reads) each touch a handful of pages that are almost always in the page cache: a few
//! microseconds of work. Through sqlx each one is handed to the connection's worker thread and
//! its rows handed back through channels: two thread wake-ups per statement, which perf on the
//! HTTP benchmark put at a quarter of the server's CPU (futex wake-ups and context switches)
//! against a few percent for SQLite's own work. Here the statement steps on the calling thread
//! with a cached prepared statement and decodes straight into the row type.
//!
//! These are reads only (the connections are opened read-only), short by construction (each
//! statement is an index lookup or a bounded range), and WAL lets them run beside the writer.
//! Bulk reads (history pages, exports) stay on blocking threads (`reader`).

use okpay_ledger::StorageError;
use rusqlite::{Connection, Row, Statement};

use super::SqliteStore;
use crate::error::rusqlite_error;
use crate::point_read::Arg;

/// Binds `args` to `stmt` by number: a parameter named `$N` (or `?N`) gets `args[N - 1]`, as
/// sqlx binds the same text, whatever order the parameters appear in.
fn bind(stmt: &mut Statement<'_>, args: &[Arg<'_>]) -> rusqlite::Result<()> {
    for index in 1..=stmt.parameter_count() {
        let number = match stmt.parameter_name(index) {
            Some(name) => name.get(1..).and_then(|n| n.parse::<usize>().ok()).ok_or_else(|| bad_parameter(name))?,
            None => index,
        };
        let arg = number.checked_sub(1).and_then(|i| args.get(i)).ok_or_else(|| bad_parameter(&number.to_string()))?;
        match *arg {
            Arg::Text(s) => stmt.raw_bind_parameter(index, s)?,
            Arg::Int(n) => stmt.raw_bind_parameter(index, n)?,
        }
    }
    Ok(())
}

fn bad_parameter(name: &str) -> rusqlite::Error {
    rusqlite::Error::InvalidParameterName(format!("{name} (point reads number their parameters $1, $2, ...)"))
}

/// Up to `most` rows of `sql` with `args` on `conn`, decoded.
fn query<T>(conn: &Connection, sql: &str, args: &[Arg<'_>], most: usize) -> rusqlite::Result<Vec<T>>
where
    T: for<'a> TryFrom<&'a Row<'a>, Error = rusqlite::Error>,
{
    let mut stmt = conn.prepare_cached(sql)?;
    bind(&mut stmt, args)?;
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while out.len() < most
        && let Some(row) = rows.next()?
    {
        out.push(T::try_from(row)?);
    }
    Ok(out)
}

impl SqliteStore {
    /// The row `sql` returns, if any (the first, if several).
    pub(crate) async fn read_optional<T>(&self, sql: &'static str, args: &[Arg<'_>]) -> Result<Option<T>, StorageError>
    where
        T: for<'a> TryFrom<&'a Row<'a>, Error = rusqlite::Error>,
    {
        Ok(self.point.with(|conn| query(conn, sql, args, 1).map_err(rusqlite_error))?.into_iter().next())
    }

    /// The one row `sql` returns (an aggregate, say); no row is an error.
    pub(crate) async fn read_one<T>(&self, sql: &'static str, args: &[Arg<'_>]) -> Result<T, StorageError>
    where
        T: for<'a> TryFrom<&'a Row<'a>, Error = rusqlite::Error>,
    {
        self.read_optional(sql, args).await?.ok_or_else(|| rusqlite_error(rusqlite::Error::QueryReturnedNoRows))
    }

    /// Every row `sql` returns.
    pub(crate) async fn read_all<T>(&self, sql: &str, args: &[Arg<'_>]) -> Result<Vec<T>, StorageError>
    where
        T: for<'a> TryFrom<&'a Row<'a>, Error = rusqlite::Error>,
    {
        self.point.with(|conn| query(conn, sql, args, usize::MAX).map_err(rusqlite_error))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn() -> Connection {
        let conn = Connection::open_in_memory().expect("in-memory database");
        conn.execute_batch("CREATE TABLE t (a TEXT, b INTEGER); INSERT INTO t VALUES ('x', 1), ('y', 2), (NULL, 3);")
            .expect("table");
        conn
    }

    #[test]
    fn parameters_are_bound_by_their_number_not_their_position() {
        // $2 appears before $1: bound by position, 'x' would meet the integer comparison.
        let rows: Vec<(i64,)> =
            query(&conn(), "SELECT b FROM t WHERE b >= $2 AND a = $1", &[Arg::Text("y"), Arg::Int(2)], usize::MAX)
                .expect("query");
        assert_eq!(rows, vec![(2,)]);
    }

    #[test]
    fn at_most_the_rows_asked_for_are_decoded() {
        let rows: Vec<(i64,)> = query(&conn(), "SELECT b FROM t ORDER BY b", &[], 2).expect("query");
        assert_eq!(rows, vec![(1,), (2,)]);
    }

    #[test]
    fn a_parameter_without_an_argument_is_an_error_not_a_null() {
        let missing = query::<(i64,)>(&conn(), "SELECT b FROM t WHERE b = $2", &[Arg::Int(1)], usize::MAX);
        assert!(matches!(missing, Err(rusqlite::Error::InvalidParameterName(_))), "{missing:?}");
        let unnumbered = query::<(i64,)>(&conn(), "SELECT b FROM t WHERE b = $b", &[Arg::Int(1)], usize::MAX);
        assert!(matches!(unnumbered, Err(rusqlite::Error::InvalidParameterName(_))), "{unnumbered:?}");
    }
}
