//! The database of the history benchmark: a fresh one per run (removed afterwards), or with
//! `--history-store DIR` one kept between runs, so that iterating on the read path does not
//! regenerate millions of rows each time (about 6 minutes per backend for 10M).
//!
//! A kept store is named for its size: `DIR/history-<rows>.db` on SQLite, database
//! `okpay_bench_history_<rows>` on PostgreSQL (outside the `okpay_t_` names the test sweep
//! drops). It is reused only if its generation finished: the rows are written by one statement,
//! so the presence of the first and the last generated row proves all are there. Otherwise it
//! is emptied and generated again. The server migrates it on start like any database.

use std::path::Path;

use anyhow::Context;
use okpay_store::testing::{DEFAULT_PG_URL, PG_URL_ENV, TestBackend, TestDb};
use sqlx::{AssertSqlSafe, Connection, PgConnection, SqliteConnection};

use crate::scratch;

/// Where the history rows live for one run.
pub enum HistoryDb {
    /// A fresh empty database, discarded afterwards.
    Fresh(TestDb),
    /// A database kept between runs.
    Kept {
        /// Its URL.
        url: String,
        /// Its owner's `usr_` id if its rows are complete (`None`: empty, to be generated).
        seeded_owner: Option<String>,
    },
}

impl HistoryDb {
    /// A database for `total_rows` rows on `backend`, kept under `keep` if given; `None` if
    /// PostgreSQL is unreachable.
    pub async fn open(backend: TestBackend, keep: Option<&Path>, total_rows: u64) -> anyhow::Result<Option<HistoryDb>> {
        let Some(dir) = keep else { return Ok(scratch::fresh(backend).await?.map(HistoryDb::Fresh)) };
        let url = match backend {
            TestBackend::Sqlite => {
                std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
                let dir = std::fs::canonicalize(dir).with_context(|| format!("resolving {}", dir.display()))?;
                format!("sqlite://{}", dir.join(format!("history-{total_rows}.db")).display())
            }
            TestBackend::Postgres => {
                let Some(url) = pg_database(&format!("okpay_bench_history_{total_rows}")).await? else {
                    return Ok(None);
                };
                url
            }
        };
        let seeded_owner = seeded_owner(backend, &url, total_rows).await;
        if seeded_owner.is_none() {
            empty(backend, &url).await?;
        }
        Ok(Some(HistoryDb::Kept { url, seeded_owner }))
    }

    /// Its URL.
    pub fn url(&self) -> &str {
        match self {
            HistoryDb::Fresh(db) => &db.url,
            HistoryDb::Kept { url, .. } => url,
        }
    }

    /// The owner of the measured rows, if they are there already.
    pub fn seeded_owner(&self) -> Option<&str> {
        match self {
            HistoryDb::Fresh(_) => None,
            HistoryDb::Kept { seeded_owner, .. } => seeded_owner.as_deref(),
        }
    }

    /// Removes a fresh database; keeps a kept one.
    pub async fn finish(self) {
        if let HistoryDb::Fresh(db) = self {
            scratch::discard(db).await;
        }
    }
}

/// The id of the `n`th generated row.
pub fn row_id(n: u64) -> String {
    format!("txn_b{n:012}")
}

/// The owner of the generated rows if all `total_rows` of them are in the database at `url`.
async fn seeded_owner(backend: TestBackend, url: &str, total_rows: u64) -> Option<String> {
    const OWNER: &str = "SELECT t.owner FROM transactions t JOIN users u ON u.id = t.owner \
                         WHERE t.id = $1 AND EXISTS (SELECT 1 FROM transactions WHERE id = $2)";
    let (first, last) = (row_id(0), row_id(total_rows.saturating_sub(1)));
    let found: Result<Option<String>, sqlx::Error> = match backend {
        TestBackend::Sqlite => match SqliteConnection::connect(url).await {
            Ok(mut c) => sqlx::query_scalar(OWNER).bind(first).bind(last).fetch_optional(&mut c).await,
            Err(e) => Err(e),
        },
        TestBackend::Postgres => match PgConnection::connect(url).await {
            Ok(mut c) => sqlx::query_scalar(OWNER).bind(first).bind(last).fetch_optional(&mut c).await,
            Err(e) => Err(e),
        },
    };
    // No tables yet (a new database) reads as "not seeded".
    found.ok().flatten()
}

/// Empties the kept database at `url`: removes the SQLite files, or drops and re-creates the
/// PostgreSQL database.
async fn empty(backend: TestBackend, url: &str) -> anyhow::Result<()> {
    match backend {
        TestBackend::Sqlite => {
            let path = url.trim_start_matches("sqlite://");
            for suffix in ["", "-wal", "-shm"] {
                let file = format!("{path}{suffix}");
                match std::fs::remove_file(&file) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(e).with_context(|| format!("removing {file}")),
                }
            }
        }
        TestBackend::Postgres => {
            let name = url.rsplit('/').next().context("no database in the URL")?;
            let mut admin = PgConnection::connect(&admin_url()).await.context("connecting to PostgreSQL")?;
            // `name` is `okpay_bench_history_<digits>` (built above), safe to format.
            sqlx::query(AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                .execute(&mut admin)
                .await?;
            sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut admin).await?;
        }
    }
    Ok(())
}

/// The URL of database `name` on the test server, created if missing; `None` if the server is
/// unreachable.
async fn pg_database(name: &str) -> anyhow::Result<Option<String>> {
    let admin = admin_url();
    let Ok(mut conn) = PgConnection::connect(&admin).await else {
        eprintln!("okpay-bench: PostgreSQL at {PG_URL_ENV} (or {DEFAULT_PG_URL}) is unreachable");
        return Ok(None);
    };
    let exists: Option<i32> =
        sqlx::query_scalar("SELECT 1 FROM pg_database WHERE datname = $1").bind(name).fetch_optional(&mut conn).await?;
    if exists.is_none() {
        // `name` is `okpay_bench_history_<digits>`, safe to format.
        sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await?;
    }
    let base = admin.split('?').next().unwrap_or(&admin);
    let server = &base[..base.rfind('/').context("no database in the PostgreSQL URL")?];
    Ok(Some(format!("{server}/{name}")))
}

fn admin_url() -> String {
    std::env::var(PG_URL_ENV).unwrap_or_else(|_| DEFAULT_PG_URL.to_owned())
}
