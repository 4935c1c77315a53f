//! Read-only rusqlite connections to the database file, kept idle between reads: the history
//! readers' (`reader`, on blocking threads) and the point reads' (`point`, on the calling
//! thread).

use std::path::PathBuf;
use std::sync::Mutex;

use okpay_ledger::StorageError;
use rusqlite::{Connection, OpenFlags};

use super::{BUSY_TIMEOUT, CACHE_SIZE_PRAGMA};
use crate::error::rusqlite_error;

/// Idle connections kept; more can be open at once (one per thread reading), the rest close.
const IDLE: usize = 4;

/// Prepared statements kept per connection (every statement a reader runs stays prepared).
const STATEMENT_CACHE: usize = 32;

/// Read-only connections to one database file, opened on first use and reused.
pub(crate) struct ReadPool {
    path: PathBuf,
    mmap_bytes: u64,
    idle: Mutex<Vec<Connection>>,
}

impl ReadPool {
    /// Connections to the file at `path`, each mapping up to `mmap_bytes` of it (none is opened yet).
    pub(crate) fn new(path: PathBuf, mmap_bytes: u64) -> ReadPool {
        ReadPool { path, mmap_bytes, idle: Mutex::new(Vec::new()) }
    }

    /// Runs `f` on an idle connection (or a new one), then keeps the connection for the next
    /// read unless enough are idle already.
    pub(crate) fn with<T>(&self, f: impl FnOnce(&Connection) -> Result<T, StorageError>) -> Result<T, StorageError> {
        let idle = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let conn = match idle {
            Some(conn) => conn,
            None => self.open()?,
        };
        let result = f(&conn);
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < IDLE
        {
            idle.push(conn);
        }
        result
    }

    fn open(&self) -> Result<Connection, StorageError> {
        let conn =
            Connection::open_with_flags(&self.path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
                .map_err(rusqlite_error)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(rusqlite_error)?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        conn.execute_batch(&format!(
            "PRAGMA cache_size = {CACHE_SIZE_PRAGMA}; PRAGMA mmap_size = {};",
            self.mmap_bytes
        ))
        .map_err(rusqlite_error)?;
        Ok(conn)
    }
}
