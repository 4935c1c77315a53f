//! The PostgreSQL backend: for several OKPay processes sharing one database.
//!
//! Transactions run at READ COMMITTED with `synchronous_commit` on. A ledger batch locks the
//! holds and then the accounts it touches with `SELECT ... ORDER BY id FOR UPDATE`: every
//! batch takes its locks in the same order, so two processes wait for each other instead of
//! deadlocking, and the rows read under the lock are the latest committed ones. A journal or
//! hold reference inserted by another process between the lookup and the insert surfaces as a
//! unique violation, which is retryable: the retry sees the reference and answers `Duplicate`.
//! Batches are bound as one array per column and expanded with `UNNEST`.

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
mod verify;
mod withdrawals;

use async_trait::async_trait;
use okpay_app::group_commit::Batcher;
use okpay_app::ports::{AppStore, SessionUser};
use okpay_ledger::StorageError;
use sqlx::PgPool;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::error::{StoreError, app_error};

/// The backend's name.
pub(crate) const NAME: &str = "postgres";

/// Connections in the pool.
pub(crate) const POOL_SIZE: u32 = 16;

static MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

/// The PostgreSQL implementation of every store trait.
pub(crate) struct PgStore {
    pub(crate) pool: PgPool,
    /// Signed-in requests' session reads, batched: one statement for those waiting together.
    pub(crate) session_reads: Batcher<String, Option<SessionUser>, StorageError>,
}

impl PgStore {
    /// Wraps a migrated pool and starts its read batcher, so it must be called inside a Tokio
    /// runtime.
    pub(crate) fn new(pool: PgPool) -> PgStore {
        let session_reads = Batcher::start("session-reads", {
            let pool = pool.clone();
            move |hashes: Vec<String>| {
                let pool = pool.clone();
                async move { crate::sessions_sql::session_users_pg(&pool, hashes).await }
            }
        });
        PgStore { pool, session_reads }
    }

    /// Writers on PostgreSQL need no turn (row locks order them); the store code shared with
    /// SQLite asks for one because SQLite does (see `SqliteStore::write_turn`).
    pub(crate) async fn write_turn(&self) -> Option<tokio::sync::MutexGuard<'static, ()>> {
        None
    }
}

/// Connects to a `postgres://` URL.
pub(crate) async fn connect(url: &str, max_connections: u32) -> Result<PgPool, StoreError> {
    let connect_error = |source| StoreError::Connect { backend: NAME, source };
    let options: PgConnectOptions = url.parse().map_err(connect_error)?;
    PgPoolOptions::new()
        .max_connections(max_connections)
        // Durability is not negotiable for a ledger, whatever the server's default says. (A
        // SET rather than a startup option, which connection poolers tend to refuse.)
        .after_connect(|conn, _| {
            Box::pin(async move {
                sqlx::query("SET synchronous_commit TO on").execute(conn).await?;
                Ok(())
            })
        })
        .connect_with(options)
        .await
        .map_err(connect_error)
}

/// Runs the embedded migrations (serialised across processes by an advisory lock).
pub(crate) async fn migrate(pool: &PgPool) -> Result<(), StoreError> {
    MIGRATOR.run(pool).await.map_err(|source| StoreError::Migrate { backend: NAME, source })
}

crate::app_sql::impl_app_store!(PgStore, after_money::store);
