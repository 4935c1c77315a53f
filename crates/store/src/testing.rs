//! Fresh, empty databases for tests (this crate's and other crates').
//!
//! SQLite: a file in a new temporary directory, removed when the [`TestDb`] is dropped.
//! PostgreSQL: a new database `okpay_t_<unix secs>_<random>` created through the admin URL in
//! `OKPAY_TEST_PG_URL` (default `postgres://postgres@127.0.0.1:5432/test`). Test databases are
//! not dropped on `Drop` (that would need an async drop); instead each new one first drops
//! those older than two hours, which no running test can still be using.
//!
//! If PostgreSQL is unreachable, [`TestDb::new`] returns `Ok(None)` (and warns loudly) on a
//! developer's machine, but an error when `CI` is set: CI must never pass by skipping.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sqlx::{AssertSqlSafe, Connection, PgConnection};

use crate::Stores;

/// Environment variable naming the PostgreSQL server used for test databases.
pub const PG_URL_ENV: &str = "OKPAY_TEST_PG_URL";
/// The server used when [`PG_URL_ENV`] is unset.
pub const DEFAULT_PG_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

const PREFIX: &str = "okpay_t_";
/// Test databases older than this are leftovers of finished runs.
const MAX_AGE: Duration = Duration::from_secs(2 * 60 * 60);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Advisory lock key held by the one process sweeping at a time.
const SWEEP_LOCK: i64 = 0x6f6b_7061_795f_7377; // "okpay_sw"

/// Sweeping once per process is enough; parallel tests need not all wait for it.
static SWEPT: AtomicBool = AtomicBool::new(false);

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestBackend {
    /// A temporary SQLite file.
    Sqlite,
    /// A fresh PostgreSQL database.
    Postgres,
}

/// A fresh empty database for one test.
#[derive(Debug)]
pub struct TestDb {
    /// URL to give to [`crate::open`].
    pub url: String,
    /// Its backend.
    pub backend: TestBackend,
    /// Keeps the SQLite file's directory alive as long as the database.
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// Creates the database; `Ok(None)` if PostgreSQL is unreachable outside CI.
    pub async fn new(backend: TestBackend) -> Result<Option<TestDb>, String> {
        match backend {
            TestBackend::Sqlite => {
                let dir = tempfile::tempdir().map_err(|e| format!("cannot create a temporary directory: {e}"))?;
                let url = format!("sqlite://{}", dir.path().join("okpay.db").display());
                Ok(Some(TestDb { url, backend, _dir: Some(dir) }))
            }
            TestBackend::Postgres => new_postgres().await,
        }
    }

    /// Opens (and migrates) the database.
    pub async fn open(&self) -> Result<Stores, String> {
        crate::open(&self.url).await.map_err(|e| e.to_string())
    }
}

async fn new_postgres() -> Result<Option<TestDb>, String> {
    let admin = std::env::var(PG_URL_ENV).unwrap_or_else(|_| DEFAULT_PG_URL.to_owned());
    let mut conn = match tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect(&admin)).await {
        Ok(Ok(conn)) => conn,
        Ok(Err(e)) => return unreachable(&admin, &e.to_string()),
        Err(_) => return unreachable(&admin, "connection timed out"),
    };
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_err(|e| e.to_string())?.as_secs();
    sweep(&mut conn, now).await;
    let name = format!("{PREFIX}{now}_{:016x}", rand::random::<u64>());
    // The name is ours (digits and hex), so formatting it into the statement is safe.
    sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .map_err(|e| format!("cannot create test database {name}: {e}"))?;
    let _ = conn.close().await;
    Ok(Some(TestDb { url: with_database(&admin, &name), backend: TestBackend::Postgres, _dir: None }))
}

fn unreachable(url: &str, why: &str) -> Result<Option<TestDb>, String> {
    let url = redact(url);
    if std::env::var_os("CI").is_some() {
        return Err(format!(
            "PostgreSQL at {url} is unreachable ({why}) and CI is set, so the PostgreSQL tests cannot be \
             skipped: start PostgreSQL or point {PG_URL_ENV} at one"
        ));
    }
    eprintln!(
        "\n!!! WARNING: PostgreSQL at {url} is unreachable ({why}).\n!!! PostgreSQL tests were SKIPPED. \
         Start PostgreSQL or set {PG_URL_ENV} to run them.\n"
    );
    Ok(None)
}

/// Drops test databases older than [`MAX_AGE`], once per process and by one process at a
/// time (each drop forces a checkpoint, which can take seconds on a busy server). Failures
/// only warn: another run may be dropping the same database.
async fn sweep(conn: &mut PgConnection, now: u64) {
    if SWEPT.swap(true, Ordering::SeqCst) {
        return;
    }
    let locked: Result<bool, _> =
        sqlx::query_scalar("SELECT pg_try_advisory_lock($1)").bind(SWEEP_LOCK).fetch_one(&mut *conn).await;
    if !matches!(locked, Ok(true)) {
        return;
    }
    drop_stale(conn, now).await;
    // Also released when the connection closes.
    let _ = sqlx::query("SELECT pg_advisory_unlock($1)").bind(SWEEP_LOCK).execute(&mut *conn).await;
}

async fn drop_stale(conn: &mut PgConnection, now: u64) {
    let names: Vec<String> =
        match sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE 'okpay\\_t\\_%'")
            .fetch_all(&mut *conn)
            .await
        {
            Ok(n) => n,
            Err(e) => {
                eprintln!("warning: cannot list old test databases: {e}");
                return;
            }
        };
    for name in names.into_iter().filter(|n| is_stale(n, now)) {
        let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        if let Err(e) = sqlx::query(AssertSqlSafe(sql)).execute(&mut *conn).await {
            eprintln!("warning: cannot drop old test database {name}: {e}");
        }
    }
}

/// Whether `name` is a test database created more than [`MAX_AGE`] before `now`. Only names
/// of exactly our shape qualify (which also makes them safe to format into SQL).
fn is_stale(name: &str, now: u64) -> bool {
    let Some(rest) = name.strip_prefix(PREFIX) else { return false };
    let Some((secs, suffix)) = rest.split_once('_') else { return false };
    let shaped = !secs.is_empty()
        && secs.bytes().all(|b| b.is_ascii_digit())
        && !suffix.is_empty()
        && suffix.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    match secs.parse::<u64>() {
        Ok(created) if shaped => now.saturating_sub(created) > MAX_AGE.as_secs(),
        _ => false,
    }
}

/// `url` with its database (path) replaced by `db`, keeping any `?query`.
fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let root = match base[authority_start..].find('/') {
        Some(i) => &base[..authority_start + i],
        None => base,
    };
    match query {
        Some(q) => format!("{root}/{db}?{q}"),
        None => format!("{root}/{db}"),
    }
}

/// `url` without a password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if at > s => match url[s + 3..at].split_once(':') {
            Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
            None => url.to_owned(),
        },
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_database_of_a_url() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/test", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(with_database("postgres://u@h/test?sslmode=disable", "x"), "postgres://u@h/x?sslmode=disable");
        assert_eq!(with_database("postgres://u@h", "x"), "postgres://u@h/x");
    }

    #[test]
    fn only_old_test_databases_are_stale() {
        let now = 1_000_000;
        assert!(is_stale("okpay_t_900000_abcdef0123456789", now));
        assert!(!is_stale("okpay_t_999000_abcdef0123456789", now), "younger than two hours");
        assert!(!is_stale("okpay_t_900000_", now));
        assert!(!is_stale("okpay_t_9x0000_ab", now));
        assert!(!is_stale("okpay_t_900000_ab; DROP", now));
        assert!(!is_stale("okpay_prod", now));
    }

    #[test]
    fn hides_passwords() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
    }
}
