//! Bulk reads of history rows on SQLite through rusqlite on a blocking thread.
//!
//! sqlx's SQLite driver runs each statement on a worker thread and hands every row to the
//! async side as a copy of each of its columns sent through a channel; for a CSV export of a
//! million twelve-column rows that copying was about half of the export's instructions. A read
//! here steps the statement on a blocking thread with a read-only connection of its own and
//! decodes each column straight into the [`StatementLine`], one copy, a thousand rows per hop.
//! WAL lets these connections read while the pool's connections write.

use std::path::PathBuf;

use okpay_app::ports::{HistoryFilter, HistoryPosition};
use okpay_ledger::{StatementLine, StorageError};
use rusqlite::{Connection, params};

use super::MMAP_SIZE_BYTES;
use super::read_pool::ReadPool;
use crate::error::rusqlite_error;
use crate::records::{self, LineTuple, line_columns};

/// Rows after a position, bounded above by `($3, $4)`.
const AFTER: &str = concat!(
    "SELECT ",
    line_columns!(),
    " FROM transactions
     WHERE owner = $1 AND created_at_us >= $2 AND (created_at_us, id) < ($3, $4)
       AND ($5 IS NULL OR kind = $5) AND ($6 IS NULL OR status = $6)
     ORDER BY created_at_us DESC, id DESC LIMIT $7"
);

/// Rows from the newest, with no upper bound.
const NEWEST: &str = concat!(
    "SELECT ",
    line_columns!(),
    " FROM transactions
     WHERE owner = $1 AND created_at_us >= $2
       AND ($3 IS NULL OR kind = $3) AND ($4 IS NULL OR status = $4)
     ORDER BY created_at_us DESC, id DESC LIMIT $5"
);

/// Read-only connections for history reads, each mapping the file (see `MMAP_SIZE_BYTES`).
pub(crate) struct Readers {
    pool: ReadPool,
}

impl Readers {
    /// Readers of the database file at `path` (none is opened yet).
    pub(crate) fn new(path: PathBuf) -> Readers {
        Readers { pool: ReadPool::new(path, MMAP_SIZE_BYTES) }
    }

    /// Up to `limit` of `owner`'s rows matching `filter`, newest first, strictly below `upper`
    /// (the tighter of the filter's end and the position after which to continue).
    pub(crate) async fn lines(
        self: &std::sync::Arc<Self>,
        owner: &str,
        filter: &HistoryFilter,
        upper: Option<HistoryPosition>,
        limit: u32,
    ) -> Result<Vec<StatementLine>, StorageError> {
        let (readers, owner, filter) = (self.clone(), owner.to_owned(), filter.clone());
        let task = tokio::task::spawn_blocking(move || {
            readers.pool.with(|conn| read_lines(conn, &owner, &filter, upper.as_ref(), limit))
        });
        task.await.map_err(|e| StorageError { message: format!("history read task failed: {e}"), retryable: false })?
    }
}

/// Runs the history range read on `conn`.
fn read_lines(
    conn: &Connection,
    owner: &str,
    filter: &HistoryFilter,
    upper: Option<&HistoryPosition>,
    limit: u32,
) -> Result<Vec<StatementLine>, StorageError> {
    let from = filter.from_us.unwrap_or(i64::MIN);
    let (kind, status) = (filter.kind.as_deref(), filter.status.as_deref());
    let mut lines = Vec::with_capacity(limit as usize);
    let mut push = |row: &rusqlite::Row<'_>| -> rusqlite::Result<()> {
        let tuple: LineTuple = (
            row.get(0)?,
            row.get(1)?,
            row.get(2)?,
            row.get(3)?,
            row.get(4)?,
            row.get(5)?,
            row.get(6)?,
            row.get(7)?,
            row.get(8)?,
            row.get(9)?,
            row.get(10)?,
            row.get(11)?,
        );
        // A row that does not decode is reported after the statement is done with.
        lines.push(records::line(tuple));
        Ok(())
    };
    let stepped = match upper {
        Some(at) => {
            let mut stmt = conn.prepare_cached(AFTER).map_err(rusqlite_error)?;
            let mut rows = stmt
                .query(params![owner, from, at.created_at_us, at.id, kind, status, i64::from(limit)])
                .map_err(rusqlite_error)?;
            step_all(&mut rows, &mut push)
        }
        None => {
            let mut stmt = conn.prepare_cached(NEWEST).map_err(rusqlite_error)?;
            let mut rows = stmt.query(params![owner, from, kind, status, i64::from(limit)]).map_err(rusqlite_error)?;
            step_all(&mut rows, &mut push)
        }
    };
    stepped.map_err(rusqlite_error)?;
    lines.into_iter().collect()
}

/// Calls `f` on every row.
fn step_all(
    rows: &mut rusqlite::Rows<'_>,
    f: &mut impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<()>,
) -> rusqlite::Result<()> {
    while let Some(row) = rows.next()? {
        f(row)?;
    }
    Ok(())
}
