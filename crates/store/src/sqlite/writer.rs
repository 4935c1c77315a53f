//! The process's write connection on SQLite, used on a blocking thread: ledger batches and
//! the other hot write transactions (after-money rows, a notice round's finish, the mail
//! worker's claim and "sent" update), each one blocking call.
//!
//! A batch of thousands of transfers is tens of thousands of row writes. Through sqlx each
//! statement is a hop to the driver's worker thread, so a batch was bound as a handful of JSON
//! arrays; here the whole batch (transaction, reads, plan, writes, commit) is one blocking call
//! on a rusqlite connection that steps cached prepared statements with values bound directly.
//! The connection has the pool's settings (WAL, `synchronous=FULL`, foreign keys, busy timeout)
//! and is taken by one transaction at a time, inside this process's write turn.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use okpay_ledger::plan::References;
use okpay_ledger::{Command, Outcome, Rejection, StorageError};
use rusqlite::{Connection, OpenFlags};

use super::batch;
use super::{BUSY_TIMEOUT, CACHE_SIZE_PRAGMA, WAL_AUTOCHECKPOINT_PAGES};
use crate::error::{rusqlite_error, taken_after_lookup};

/// Prepared statements kept per connection: every statement of a batch and of the other hot
/// writes stays prepared (about twenty).
const STATEMENT_CACHE: usize = 32;

/// How often the checkpoint thread copies the WAL back into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

/// The write connection to one database file, opened on first use and reopened after a
/// failure that may have left it in a transaction.
pub(crate) struct LedgerWriter {
    path: PathBuf,
    conn: Mutex<Option<Connection>>,
    /// Dropping it stops the checkpoint thread.
    _checkpoints: mpsc::Sender<()>,
}

impl LedgerWriter {
    /// A writer for the (existing, migrated) database file at `path`; nothing is opened yet.
    /// A thread of its own checkpoints the WAL every [`CHECKPOINT_EVERY`], outside the write
    /// turn, until the writer is dropped.
    pub(crate) fn new(path: PathBuf) -> LedgerWriter {
        let (stop, stopped) = mpsc::channel();
        let file = path.clone();
        let spawned = std::thread::Builder::new()
            .name("okpay-checkpoint".into())
            .spawn(move || checkpoint_until_stopped(&file, &stopped));
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "no checkpoint thread: the write connection's automatic checkpoints remain");
        }
        LedgerWriter { path, conn: Mutex::new(None), _checkpoints: stop }
    }

    /// Runs `cmds` as one transaction on a blocking thread; one result per command.
    pub(crate) async fn execute(
        self: &Arc<Self>,
        cmds: Arc<[Command]>,
    ) -> Result<Vec<Result<Outcome, Rejection>>, StorageError> {
        self.transaction(move |conn| {
            match batch::run(conn, &cmds, References::TrustIndex)? {
                Some(results) => Ok(results),
                None => {
                    // A reference was taken: undo the attempt and run the batch again, looking
                    // every reference up first.
                    conn.execute_batch("ROLLBACK; BEGIN IMMEDIATE").map_err(rusqlite_error)?;
                    batch::run(conn, &cmds, References::LookUp)?.ok_or_else(taken_after_lookup)
                }
            }
        })
        .await
    }

    /// Runs `work` inside one `BEGIN IMMEDIATE` transaction on a blocking thread: committed if
    /// it returns `Ok`, rolled back otherwise. The whole transaction is one hand-off to that
    /// thread, not one per statement.
    pub(crate) async fn transaction<T, F>(self: &Arc<Self>, work: F) -> Result<T, StorageError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StorageError> + Send + 'static,
    {
        let writer = self.clone();
        let task = tokio::task::spawn_blocking(move || writer.transaction_blocking(work));
        task.await
            .map_err(|e| StorageError { message: format!("write transaction task failed: {e}"), retryable: false })?
    }

    fn transaction_blocking<T>(
        &self,
        work: impl FnOnce(&Connection) -> Result<T, StorageError>,
    ) -> Result<T, StorageError> {
        // Callers hold the process's write turn, so this lock is never contended; a poisoned
        // lock only means a transaction panicked, and its connection is not reused.
        let mut slot = self.conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let conn = match slot.take() {
            Some(conn) => conn,
            None => self.open()?,
        };
        // IMMEDIATE: the work may read then write; take the write lock before the reads.
        let outcome = conn.execute_batch("BEGIN IMMEDIATE").map_err(rusqlite_error).and_then(|()| {
            let result = work(&conn)?;
            conn.execute_batch("COMMIT").map_err(rusqlite_error)?;
            Ok(result)
        });
        match &outcome {
            Ok(_) => *slot = Some(conn),
            // The work's error is the one worth reporting. A connection whose rollback failed
            // may still be in a transaction: it is dropped (closing it rolls back).
            Err(_) => {
                if conn.is_autocommit() || conn.execute_batch("ROLLBACK").is_ok() {
                    *slot = Some(conn);
                }
            }
        }
        outcome
    }

    fn open(&self) -> Result<Connection, StorageError> {
        let conn = open_read_write(&self.path).map_err(rusqlite_error)?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        conn.execute_batch(&format!(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;
             PRAGMA cache_size = {CACHE_SIZE_PRAGMA}; PRAGMA mmap_size = 0; PRAGMA temp_store = MEMORY;
             PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES};"
        ))
        .map_err(rusqlite_error)?;
        Ok(conn)
    }
}

/// A read-write connection to the existing database file at `path`, with the busy timeout.
fn open_read_write(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    Ok(conn)
}

/// Copies committed WAL frames back into the database file every [`CHECKPOINT_EVERY`] on a
/// connection of its own (PASSIVE: it never blocks a writer), until `stopped` disconnects.
///
/// The write connection's automatic checkpoint runs inside its COMMIT, while every other
/// writer of the process waits for the write turn. This one runs beside them. The automatic
/// one stays as a backstop (at [`WAL_AUTOCHECKPOINT_PAGES`]) and finds most frames already
/// copied; it is also what lets the WAL start over from its beginning.
fn checkpoint_until_stopped(path: &Path, stopped: &mpsc::Receiver<()>) {
    let mut conn = None;
    while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(CHECKPOINT_EVERY) {
        if conn.is_none() {
            conn = open_read_write(path).map_err(|e| tracing::warn!(error = %e, "checkpoint connection")).ok();
        }
        if let Some(c) = &conn
            && let Err(e) = c.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
        {
            tracing::warn!(error = %e, "background checkpoint failed");
            conn = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;

    #[tokio::test]
    async fn the_checkpoint_thread_copies_commits_into_the_database_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("checkpoint.db");
        // The writer opens an existing file (migrations create it).
        Connection::open(&path).and_then(|c| c.execute_batch("PRAGMA journal_mode = WAL")).expect("database file");
        let writer = Arc::new(LedgerWriter::new(path.clone()));
        writer
            .transaction(|c| c.execute_batch("CREATE TABLE t (b BLOB)").map_err(rusqlite_error))
            .await
            .expect("table");
        // 1 MiB in 256 pages: far below the write connection's automatic checkpoint, so only
        // the thread can bring it into the database file while both connections stay open.
        writer
            .transaction(|c| {
                let mut insert = c.prepare("INSERT INTO t VALUES (zeroblob(4000))").map_err(rusqlite_error)?;
                for _ in 0..256 {
                    insert.execute([]).map_err(rusqlite_error)?;
                }
                Ok(())
            })
            .await
            .expect("rows");
        const { assert!(256 < WAL_AUTOCHECKPOINT_PAGES) };
        // Generous, for a loaded machine: the loop ends as soon as the pages are there.
        let waited = 10 * CHECKPOINT_EVERY;
        let deadline = Instant::now() + waited;
        loop {
            let len = std::fs::metadata(&path).expect("database file").len();
            if len >= 256 * 4000 {
                break;
            }
            assert!(Instant::now() < deadline, "the database file holds {len} bytes after {waited:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // The writer still works after a checkpoint.
        let rows = writer
            .transaction(|c| c.query_row("SELECT COUNT(*) FROM t", [], |r| r.get::<_, i64>(0)).map_err(rusqlite_error))
            .await
            .expect("count");
        assert_eq!(rows, 256);
    }
}
