//! The process's write connection on SQLite, owned by a thread of its own: ledger batches and
//! the other hot write transactions (after-money rows, a notice round's finish, the mail
//! worker's claim and "sent" update) are jobs sent to that thread.
//!
//! A batch of thousands of transfers is tens of thousands of row writes. Through sqlx each
//! statement is a hop to the driver's worker thread, so a batch was bound as a handful of JSON
//! arrays; here the whole batch (transaction, reads, plan, writes, commit) is one job on a
//! rusqlite connection that steps cached prepared statements with values bound directly.
//! The connection has the pool's settings (WAL, `synchronous=FULL`, foreign keys, busy timeout).
//!
//! **Shared commits.** Jobs that queue up while the thread waits for the process's write turn
//! or runs a transaction are committed together: one `BEGIN IMMEDIATE`, each job inside a
//! savepoint of its own (a job that fails is rolled back to it and the others keep their
//! writes), one `COMMIT`, one fsync. Each job's caller gets its answer after that commit, as
//! if its transaction had run alone right after the jobs before it. A job alone in its
//! transaction runs without a savepoint (a savepoint copies every page the job changes into
//! a sub-journal, which a ledger batch of thousands of transfers would feel).

use std::ops::Deref;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use okpay_ledger::plan::References;
use okpay_ledger::{Command, Outcome, Rejection, StorageError};
use rusqlite::{Connection, OpenFlags};
use tokio::sync::oneshot;

use super::batch;
use super::{BUSY_TIMEOUT, CACHE_SIZE_PRAGMA, WAL_AUTOCHECKPOINT_PAGES};
use crate::error::{rusqlite_error, taken_after_lookup};

/// Prepared statements kept per connection: every statement of a batch and of the other hot
/// writes stays prepared (about twenty).
const STATEMENT_CACHE: usize = 32;

/// How often the checkpoint thread copies the WAL back into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

/// Most jobs committed in one transaction (there are about five kinds of hot writer, each
/// with at most one job waiting, so this is a guard, not a tuning knob).
const MAX_SHARED: usize = 64;

/// The process's write turn (see `SqliteStore::write_turn`), shared with the writer thread.
pub(crate) type WriteGate = Arc<tokio::sync::Mutex<()>>;

/// The write connection to one database file, opened on first use by the writer thread and
/// reopened after a failure that may have left it in a transaction.
pub(crate) struct LedgerWriter {
    /// Dropping it stops the writer thread once the jobs sent are done.
    jobs: mpsc::Sender<Box<dyn Job>>,
    /// Dropping it stops the checkpoint thread.
    _checkpoints: mpsc::Sender<()>,
}

/// The transaction a job runs in: the write connection, and how to undo the job's own writes.
pub(crate) struct Tx<'c> {
    conn: &'c Connection,
    /// Other jobs share the transaction: this one runs inside savepoint `job`.
    shared: bool,
}

impl Tx<'_> {
    /// Undoes everything this job has written so far; the job may then write again in the
    /// same transaction.
    pub(crate) fn undo(&self) -> Result<(), StorageError> {
        let sql = if self.shared { "ROLLBACK TO job" } else { "ROLLBACK; BEGIN IMMEDIATE" };
        self.conn.execute_batch(sql).map_err(rusqlite_error)
    }

    /// Whether other jobs share this transaction (and its commit).
    #[cfg(test)]
    fn shared(&self) -> bool {
        self.shared
    }
}

impl Deref for Tx<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        self.conn
    }
}

/// One caller's transaction, as the writer thread sees it.
trait Job: Send {
    /// Runs the work in `tx`; whether it succeeded (its writes are to be kept).
    fn run(&mut self, tx: &Tx<'_>) -> bool;
    /// Answers the caller once the transaction has ended: the work's own result, or the
    /// commit's error if the work succeeded but the transaction did not commit.
    fn answer(self: Box<Self>, commit: Result<(), &StorageError>);
}

/// A [`Job`] returning a `T`.
struct Work<T, F> {
    work: Option<F>,
    result: Option<Result<T, StorageError>>,
    reply: oneshot::Sender<Result<T, StorageError>>,
}

impl<T, F> Job for Work<T, F>
where
    T: Send,
    F: FnOnce(&Tx<'_>) -> Result<T, StorageError> + Send,
{
    fn run(&mut self, tx: &Tx<'_>) -> bool {
        let Some(work) = self.work.take() else { return false };
        let result = work(tx);
        let ok = result.is_ok();
        self.result = Some(result);
        ok
    }

    fn answer(self: Box<Self>, commit: Result<(), &StorageError>) {
        let outcome = match (self.result, commit) {
            (Some(Ok(_)) | None, Err(e)) => Err(e.clone()),
            (Some(result), _) => result,
            (None, Ok(())) => Err(StorageError { message: "the write job did not run".into(), retryable: true }),
        };
        // A caller that went away does not need its answer.
        let _ = self.reply.send(outcome);
    }
}

impl LedgerWriter {
    /// A writer for the (existing, migrated) database file at `path`; nothing is opened yet.
    /// Its thread takes `gate` around each transaction. A second thread checkpoints the WAL
    /// every [`CHECKPOINT_EVERY`], outside the write turn, until the writer is dropped.
    pub(crate) fn new(path: PathBuf, gate: WriteGate) -> Result<LedgerWriter, std::io::Error> {
        let (stop, stopped) = mpsc::channel();
        let file = path.clone();
        let spawned = std::thread::Builder::new()
            .name("okpay-checkpoint".into())
            .spawn(move || checkpoint_until_stopped(&file, &stopped));
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "no checkpoint thread: the write connection's automatic checkpoints remain");
        }
        let (jobs, queue) = mpsc::channel();
        std::thread::Builder::new().name("okpay-sqlite-writer".into()).spawn(move || serve(&path, &queue, &gate))?;
        Ok(LedgerWriter { jobs, _checkpoints: stop })
    }

    /// Runs `cmds` as one transaction (or one savepoint of a shared one); one result per
    /// command.
    pub(crate) async fn execute(&self, cmds: Arc<[Command]>) -> Result<Vec<Result<Outcome, Rejection>>, StorageError> {
        self.transaction(move |tx| {
            match batch::run(tx, &cmds, References::TrustIndex)? {
                Some(results) => Ok(results),
                None => {
                    // A reference was taken: undo the attempt and run the batch again, looking
                    // every reference up first.
                    tx.undo()?;
                    batch::run(tx, &cmds, References::LookUp)?.ok_or_else(taken_after_lookup)
                }
            }
        })
        .await
    }

    /// Runs `work` on the writer thread inside a transaction, possibly shared with other
    /// callers' work (see the module's notes): its writes are committed if it returns `Ok`
    /// and undone otherwise. Returns once the transaction has ended.
    pub(crate) async fn transaction<T, F>(&self, work: F) -> Result<T, StorageError>
    where
        T: Send + 'static,
        F: FnOnce(&Tx<'_>) -> Result<T, StorageError> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job: Box<dyn Job> = Box::new(Work { work: Some(work), result: None, reply });
        let stopped = || StorageError {
            message: "the SQLite writer thread stopped (a write transaction panicked?)".into(),
            retryable: false,
        };
        self.jobs.send(job).map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

/// The writer thread: takes the jobs waiting, the write turn, and runs them in one
/// transaction, until every sender is dropped.
fn serve(path: &Path, queue: &mpsc::Receiver<Box<dyn Job>>, gate: &tokio::sync::Mutex<()>) {
    let mut conn = None;
    while let Ok(first) = queue.recv() {
        let _turn = gate.blocking_lock();
        let mut jobs = vec![first];
        jobs.extend(queue.try_iter().take(MAX_SHARED - 1));
        // A panicking job drops its reply (its caller gets an error) and the connection, whose
        // transaction closing it rolls back; the thread goes on with the next jobs.
        if panic::catch_unwind(AssertUnwindSafe(|| run_shared(&mut conn, path, jobs))).is_err() {
            tracing::error!("a write transaction panicked; the write connection is reopened");
            conn = None;
        }
    }
}

/// Runs `jobs` in one transaction on `slot`'s connection (opened if needed), then answers each.
fn run_shared(slot: &mut Option<Connection>, path: &Path, mut jobs: Vec<Box<dyn Job>>) {
    let outcome = run_jobs(slot, path, &mut jobs);
    if outcome.is_err()
        && let Some(conn) = slot.as_ref()
        && !(conn.is_autocommit() || conn.execute_batch("ROLLBACK").is_ok())
    {
        // It may still be in a transaction: closing it rolls back.
        *slot = None;
    }
    for job in jobs {
        job.answer(outcome.as_ref().map(|_| ()));
    }
}

fn run_jobs(slot: &mut Option<Connection>, path: &Path, jobs: &mut [Box<dyn Job>]) -> Result<(), StorageError> {
    let conn = match slot {
        Some(conn) => conn,
        None => slot.insert(open(path)?),
    };
    let exec = |sql: &str| conn.execute_batch(sql).map_err(rusqlite_error);
    // IMMEDIATE: the work may read then write; take the write lock before the reads.
    exec("BEGIN IMMEDIATE")?;
    let shared = jobs.len() > 1;
    let mut kept = 0_usize;
    for job in jobs.iter_mut() {
        if shared {
            exec("SAVEPOINT job")?;
        }
        let ok = job.run(&Tx { conn, shared });
        if shared {
            if !ok {
                exec("ROLLBACK TO job")?;
            }
            exec("RELEASE job")?;
        }
        kept += usize::from(ok);
    }
    exec(if kept == 0 { "ROLLBACK" } else { "COMMIT" })
}

fn open(path: &Path) -> Result<Connection, StorageError> {
    let conn = open_read_write(path).map_err(rusqlite_error)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    conn.execute_batch(&format!(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;
         PRAGMA cache_size = {CACHE_SIZE_PRAGMA}; PRAGMA mmap_size = 0; PRAGMA temp_store = MEMORY;
         PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES};"
    ))
    .map_err(rusqlite_error)?;
    Ok(conn)
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

    /// A database file with table `t (x INTEGER)` and a writer on it.
    fn table(dir: &tempfile::TempDir, gate: &WriteGate) -> (PathBuf, LedgerWriter) {
        let path = dir.path().join("shared.db");
        Connection::open(&path)
            .and_then(|c| c.execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE t (x INTEGER)"))
            .expect("database file");
        (path.clone(), LedgerWriter::new(path, gate.clone()).expect("writer"))
    }

    fn insert(tx: &Tx<'_>, x: i64) -> Result<(), StorageError> {
        tx.execute("INSERT INTO t (x) VALUES (?1)", [x]).map(drop).map_err(rusqlite_error)
    }

    fn rows(path: &Path) -> Vec<i64> {
        let conn = Connection::open(path).expect("reader");
        let mut stmt = conn.prepare("SELECT x FROM t ORDER BY x").expect("select");
        stmt.query_map([], |r| r.get(0)).expect("rows").collect::<Result<_, _>>().expect("values")
    }

    #[tokio::test]
    async fn jobs_waiting_together_share_one_commit_and_a_failing_one_is_undone() {
        let dir = tempfile::tempdir().expect("temp dir");
        let gate = WriteGate::default();
        let (path, writer) = table(&dir, &gate);
        let writer = Arc::new(writer);
        // Holding the write turn keeps the writer thread waiting while all three jobs queue.
        let turn = gate.lock().await;
        let (a, b, c) = (writer.clone(), writer.clone(), writer.clone());
        let kept = tokio::spawn(async move { a.transaction(|tx| insert(tx, 1).map(|()| tx.shared())).await });
        let failed = tokio::spawn(async move {
            b.transaction(|tx| {
                insert(tx, 2)?;
                Err::<(), _>(StorageError { message: "refused".into(), retryable: false })
            })
            .await
        });
        let redone = tokio::spawn(async move {
            c.transaction(|tx| {
                insert(tx, 3)?;
                tx.undo()?;
                insert(tx, 4).map(|()| tx.shared())
            })
            .await
        });
        tokio::time::sleep(Duration::from_millis(100)).await;
        drop(turn);
        assert!(kept.await.expect("task").expect("first job"), "the first job shared its commit");
        let refused = failed.await.expect("task").expect_err("the failing job fails");
        assert_eq!(refused.message, "refused");
        assert!(redone.await.expect("task").expect("third job"), "the third job shared its commit");
        // The failing job's row and the undone one are gone; the others are committed.
        assert_eq!(rows(&path), vec![1, 4]);
    }

    #[tokio::test]
    async fn a_job_alone_can_undo_its_writes_and_a_panicking_one_leaves_the_writer_working() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (path, writer) = table(&dir, &WriteGate::default());
        let alone = writer
            .transaction(|tx| {
                insert(tx, 5)?;
                tx.undo()?;
                insert(tx, 6).map(|()| tx.shared())
            })
            .await
            .expect("job");
        assert!(!alone, "a job alone runs without a savepoint");
        let panicked = writer
            .transaction(|tx| -> Result<(), StorageError> {
                insert(tx, 7)?;
                panic!("a bug in a write job")
            })
            .await;
        assert!(panicked.is_err(), "the caller of a panicking job gets an error");
        writer.transaction(|tx| insert(tx, 8)).await.expect("the writer still works");
        assert_eq!(rows(&path), vec![6, 8]);
    }

    #[tokio::test]
    async fn the_checkpoint_thread_copies_commits_into_the_database_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("checkpoint.db");
        // The writer opens an existing file (migrations create it).
        Connection::open(&path).and_then(|c| c.execute_batch("PRAGMA journal_mode = WAL")).expect("database file");
        let writer = LedgerWriter::new(path.clone(), WriteGate::default()).expect("writer");
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
