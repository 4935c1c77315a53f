//! The SQLite backend: one file, WAL journal, `synchronous=FULL` (a committed batch survives a
//! power cut), foreign keys on, STRICT tables.
//!
//! SQLite has one writer at a time. Every write transaction that reads first starts with
//! `BEGIN IMMEDIATE`, which takes the write lock up front: a deferred transaction that reads and
//! then writes can fail with `SQLITE_BUSY` when another writer got in between, and waiting
//! (`busy_timeout`) cannot fix that. Ledger batches and the other hot writes run on the
//! process's rusqlite write connection on a blocking thread (`writer`); a request's short reads
//! run on the calling thread (`point`); other bulk writes bind one JSON array per statement,
//! expanded with `json_each`.

mod after_money;
mod batch;
mod events;
mod history;
mod idempotency;
mod ledger;
mod merchants;
mod notices;
mod outbox;
mod payments;
mod point;
mod read_pool;
mod reader;
mod verify;
mod withdrawals;
mod writer;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use okpay_app::ports::AppStore;
use okpay_ledger::StorageError;
use sqlx::SqlitePool;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::error::{StoreError, app_error};

/// The backend's name.
pub(crate) const NAME: &str = "sqlite";

/// Connections in the pool: readers run in parallel (WAL); writers queue on the write lock.
pub(crate) const POOL_SIZE: u32 = 8;

/// How long a statement waits for another connection's write lock before `SQLITE_BUSY`.
pub(super) const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Page cache per connection: negative means KiB, so 64 MiB.
pub(super) const CACHE_SIZE_PRAGMA: &str = "-65536";

/// Bytes of the database file mapped into memory by the history readers (long read-only
/// transactions over many pages). The pool maps nothing: a connection whose next transaction
/// finds the database changed unmaps its whole map and faults it back page by page, and with
/// a commit every few milliseconds that `munmap` (and its TLB shootdown on the other core) cost
/// more than the `pread` copies it saves (perf on the HTTP benchmark).
pub(super) const MMAP_SIZE_BYTES: u64 = 1 << 30;

/// WAL pages between the write connection's automatic checkpoints (4 KiB pages: about
/// 256 MiB of WAL). The checkpoint thread (`writer::checkpoint_until_stopped`) copies frames
/// back every second outside the write turn, so the automatic one, which runs inside a COMMIT
/// while the turn waits, has little left to copy; it is what starts the WAL over.
pub(super) const WAL_AUTOCHECKPOINT_PAGES: u32 = 65_536;

static MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");

/// The SQLite implementation of every store trait.
pub(crate) struct SqliteStore {
    pub(crate) pool: SqlitePool,
    /// Taken through [`SqliteStore::write_turn`] around every write this process makes to
    /// the file. SQLite has one writer at a time; a writer that finds the lock taken sleeps
    /// in the busy handler for up to tens of milliseconds, which is what a queue on this gate
    /// avoids. Other processes on the same file still wait through `busy_timeout`.
    write_gate: tokio::sync::Mutex<()>,
    /// Read-only connections of its own for bulk history reads (CSV export, pages).
    readers: std::sync::Arc<reader::Readers>,
    /// The ledger's own write connection (batches run on a blocking thread).
    ledger_writer: std::sync::Arc<writer::LedgerWriter>,
    /// Read-only connections for the short reads on a request's path, run on the calling thread.
    point: read_pool::ReadPool,
}

impl SqliteStore {
    /// Wraps a migrated pool.
    pub(crate) fn new(pool: SqlitePool) -> SqliteStore {
        let path = pool.connect_options().get_filename().to_path_buf();
        SqliteStore {
            pool,
            write_gate: tokio::sync::Mutex::new(()),
            readers: std::sync::Arc::new(reader::Readers::new(path.clone())),
            ledger_writer: std::sync::Arc::new(writer::LedgerWriter::new(path.clone())),
            point: read_pool::ReadPool::new(path, 0),
        }
    }

    /// This process's turn to write: taken around every write transaction and every lone
    /// write statement — the hot writers (ledger batches, idempotency records, risk flags,
    /// notices, the mail worker's updates, payments and refunds) and the rest (sign-up,
    /// sessions, profiles, the background workers' claims, ...). SQLite's busy handler sleeps
    /// between retries (up to tens of milliseconds each) and does not queue, so a writer
    /// relying on it gets the lock only in the gaps between the others; a queue on this gate
    /// hands over as soon as the previous writer commits, in order. Hold it for one
    /// transaction or statement only (not for the reads after it), never take it twice, and
    /// never call another store method while holding it.
    pub(crate) async fn write_turn(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.write_gate.lock().await
    }
}

/// Opens (creating if needed) the database file of a `sqlite://PATH` URL.
pub(crate) async fn connect(url: &str, max_connections: u32) -> Result<SqlitePool, StoreError> {
    let connect_error = |source| StoreError::Connect { backend: NAME, source };
    let options = SqliteConnectOptions::from_str(url)
        .map_err(connect_error)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(BUSY_TIMEOUT)
        .foreign_keys(true)
        // Speed, not safety: durability comes from WAL + synchronous=FULL above.
        // A page cache big enough for the hot indexes (the default 2 MiB misses on every
        // reference lookup once the books hold a few hundred thousand journals).
        .pragma("cache_size", CACHE_SIZE_PRAGMA)
        // No memory map for the pool (see MMAP_SIZE_BYTES).
        .pragma("mmap_size", "0")
        // Statement journals in memory, not in a temporary file.
        .pragma("temp_store", "memory")
        // The backstop behind the checkpoint thread (see WAL_AUTOCHECKPOINT_PAGES).
        .pragma("wal_autocheckpoint", WAL_AUTOCHECKPOINT_PAGES.to_string());
    if !is_in_memory(url) {
        create_parent_dir(options.get_filename())?;
    }
    SqlitePoolOptions::new().max_connections(max_connections).connect_with(options).await.map_err(connect_error)
}

/// Runs the embedded migrations.
pub(crate) async fn migrate(pool: &SqlitePool) -> Result<(), StoreError> {
    MIGRATOR.run(pool).await.map_err(|source| StoreError::Migrate { backend: NAME, source })
}

/// Whether `url` names an in-memory database rather than a file.
pub(crate) fn is_in_memory(url: &str) -> bool {
    url.contains(":memory:") || url.contains("mode=memory")
}

fn create_parent_dir(file: &Path) -> Result<(), StoreError> {
    match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => std::fs::create_dir_all(dir)
            .map_err(|source| StoreError::CreateDir { path: dir.display().to_string(), source }),
        _ => Ok(()),
    }
}

crate::app_sql::impl_app_store!(SqliteStore, after_money::store);

#[cfg(test)]
mod tests {
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::Arc;

    use okpay_app::ports::{
        AuditRecord, AuditStore, BankDepositStore, EventStore, IdempotencyStore, ProfileStore, SessionStore,
        SignInThrottleStore, WithdrawalStore,
    };

    use super::*;

    type Write = Pin<Box<dyn Future<Output = Result<(), StorageError>> + Send>>;

    /// The bundled SQLite is compiled with `.cargo/config.toml`'s `LIBSQLITE3_FLAGS`
    /// (docs/decisions.md "SQLite's compile options"): without them every page fetch and
    /// every allocation takes a process-wide mutex.
    #[test]
    fn sqlite_is_compiled_without_the_global_page_cache_and_memory_statistics() {
        let conn = rusqlite::Connection::open_in_memory().expect("in-memory database");
        let options: Vec<String> = conn
            .prepare("PRAGMA compile_options")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .expect("compile options");
        assert!(options.iter().any(|o| o == "DEFAULT_MEMSTATUS=0"), "{options:?}");
        assert!(!options.iter().any(|o| o == "ENABLE_MEMORY_MANAGEMENT"), "{options:?}");
        assert!(options.iter().any(|o| o == "THREADSAFE=1"), "{options:?}");
    }

    /// One of each kind of write outside the hot path: lone statements, the background
    /// workers' claims (`UPDATE … RETURNING`), a profile change and an audit entry.
    fn writes(store: &Arc<SqliteStore>) -> Vec<(&'static str, Write)> {
        let s = [(); 8].map(|()| store.clone());
        let [a, b, c, d, e, f, g, h] = s;
        let audit = AuditRecord {
            id: 0,
            at_us: 1,
            actor: "usr_a".to_owned(),
            subject: None,
            action: "sign_in".to_owned(),
            outcome: "success".to_owned(),
            ip: "127.0.0.1".to_owned(),
            user_agent: "test".to_owned(),
            reason: None,
            session_id: None,
        };
        vec![
            ("clear_sign_in_failures", Box::pin(async move { a.clear_sign_in_failures("a@example.com").await })),
            (
                "revoke_other_sessions",
                Box::pin(async move { b.revoke_other_sessions("usr_a", "ses_a").await.map(drop) }),
            ),
            ("purge_idempotency_keys", Box::pin(async move { c.purge_idempotency_keys(0).await.map(drop) })),
            ("claim_bank_deposits", Box::pin(async move { d.claim_bank_deposits(0, 1, 10).await.map(drop) })),
            ("claim_withdrawals", Box::pin(async move { e.claim_withdrawals(0, 1, 10).await.map(drop) })),
            ("claim_deliveries", Box::pin(async move { f.claim_deliveries(0, 1, 10).await.map(drop) })),
            ("update_profile", Box::pin(async move { g.update_profile("usr_a", Some("A"), None).await.map(drop) })),
            ("record_audit", Box::pin(async move { h.record_audit(&audit).await })),
        ]
    }

    #[tokio::test]
    async fn writes_outside_the_hot_path_wait_for_the_write_turn() {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("turn.db").display());
        let pool = connect(&url, 4).await.expect("pool");
        migrate(&pool).await.expect("migrations");
        let store = Arc::new(SqliteStore::new(pool));

        for (name, write) in writes(&store) {
            let turn = store.write_turn().await;
            let write = tokio::spawn(write);
            // Nothing else holds SQLite's lock: a write that skipped the turn finishes at once.
            tokio::time::sleep(Duration::from_millis(200)).await;
            assert!(!write.is_finished(), "{name} wrote while another writer held the write turn");
            drop(turn);
            let done = tokio::time::timeout(Duration::from_secs(10), write).await;
            assert!(matches!(done, Ok(Ok(Ok(())))), "{name} after the turn was free: {done:?}");
        }
    }
}
