//! History reads at scale (issue 4): one account with `account_rows` history rows inside a
//! store of `total_rows`, read through the real `okpay serve`.
//!
//! The rows are generated inside the database in one statement (a recursive CTE on SQLite,
//! `generate_series` on PostgreSQL), through the same tables and indexes the ledger writes:
//! every tenth row belongs to the measured account, the rest to 100,000 others, spread evenly
//! over one year. Then, from one client:
//! * pages: `GET /v1/transactions?created_from=&created_to=&limit=20` for random one-week
//!   windows, newest first, each the first page of its filter (p50/p99 latency);
//! * export: `GET /v1/transactions/export.csv` over a 90-day range, streamed and counted
//!   (rows per second; with `exports` > 1 the median of that many exports).
//!
//! With `keep`, the database is kept between runs and reused (see [`crate::history_store`]).

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use okpay_domain::time::rfc3339;
use okpay_store::testing::TestBackend;
use serde::Serialize;
use sqlx::{AssertSqlSafe, Connection};

use crate::api::Api;
use crate::history_store::HistoryDb;
use crate::report::backend_name;
use crate::server::OkpayServer;
use crate::stats::Latency;

/// What to generate and how much to read.
#[derive(Debug, Clone)]
pub struct HistoryConfig {
    /// Rows in the store.
    pub total_rows: u64,
    /// Page requests measured.
    pub pages: usize,
    /// Exports measured (the median is reported).
    pub exports: usize,
    /// Keep the generated store in this directory (SQLite; PostgreSQL keeps a named database)
    /// and reuse it in later runs.
    pub keep: Option<PathBuf>,
}

/// Figures of one backend.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryResult {
    /// `sqlite` or `postgres`.
    pub backend: &'static str,
    /// Rows in the store.
    pub total_rows: u64,
    /// Rows of the measured account.
    pub account_rows: u64,
    /// Seconds the generation took (0 when a kept store was reused).
    pub seed_secs: f64,
    /// Whether a kept store was reused.
    pub reused: bool,
    /// First-page latency of one-week windows.
    pub page: Latency,
    /// Rows in the export.
    pub export_rows: u64,
    /// Export throughput (the median of the exports).
    pub export_rows_per_sec: f64,
    /// Each export's throughput, in the order they ran.
    pub export_samples: Vec<f64>,
}

/// One year, µs.
const SPAN_US: i64 = 365 * 86_400 * 1_000_000;
/// First generated row's time: 2025-01-01T00:00:00Z.
const START_US: i64 = 1_735_689_600 * 1_000_000;
const DAY_US: i64 = 86_400 * 1_000_000;

/// Runs the history benchmark on `backend`; `None` if PostgreSQL is unreachable.
pub async fn run(backend: TestBackend, bin: &Path, config: &HistoryConfig) -> anyhow::Result<Option<HistoryResult>> {
    let Some(db) = HistoryDb::open(backend, config.keep.as_deref(), config.total_rows).await? else {
        return Ok(None);
    };
    let result = async {
        let (server, api) = OkpayServer::start(bin, db.url(), 4).await?;
        let result = measure(backend, &db, &api, config).await;
        server.stop().await?;
        result
    }
    .await;
    db.finish().await;
    result.map(Some)
}

async fn measure(
    backend: TestBackend,
    db: &HistoryDb,
    api: &Api,
    config: &HistoryConfig,
) -> anyhow::Result<HistoryResult> {
    let step_us = (SPAN_US / i64::try_from(config.total_rows)?).max(1);
    let (user, seed_secs) = match db.seeded_owner() {
        Some(owner) => {
            let user = api.signed_in("history").await.context("signing in to the kept store")?;
            if api.me_id(&user).await? != owner {
                bail!("the kept store's rows belong to {owner}, not to the history user");
            }
            crate::progress(&format!("history: reusing the kept store of {} rows", config.total_rows));
            (user, 0.0)
        }
        None => {
            let user = api.user("history").await?;
            let owner = api.me_id(&user).await?;
            let started = Instant::now();
            seed(backend, db.url(), &owner, config.total_rows, step_us).await?;
            let seed_secs = started.elapsed().as_secs_f64();
            crate::progress(&format!("history: {} rows generated in {seed_secs:.0} s; reading", config.total_rows));
            (user, seed_secs)
        }
    };

    let mut samples = Vec::with_capacity(config.pages);
    for i in 0..config.pages {
        // Spread the windows over the year without a random-number crate: a fixed stride.
        let day = i64::try_from(i * 37 % 358)?;
        let from = START_US + day * DAY_US;
        let query = format!("?created_from={}&created_to={}&limit=20", rfc3339(from), rfc3339(from + 7 * DAY_US));
        let t = Instant::now();
        let rows = api.history_page(&user, &query).await?;
        samples.push(u64::try_from(t.elapsed().as_micros())?);
        if rows != 20 {
            bail!("page {query} returned {rows} rows, expected 20");
        }
    }
    let page = Latency::from_micros(samples).context("no page samples")?;

    let from = START_US + 100 * DAY_US;
    let query = format!("?created_from={}&created_to={}", rfc3339(from), rfc3339(from + 90 * DAY_US));
    let expected = 90 * DAY_US / (step_us * 10);
    let mut export_samples = Vec::with_capacity(config.exports);
    let mut export_rows = 0;
    for _ in 0..config.exports.max(1) {
        let t = Instant::now();
        export_rows = api.export_rows(&user, &query).await?;
        let secs = t.elapsed().as_secs_f64();
        if (i64::try_from(export_rows)? - expected).abs() > 2 {
            bail!("export returned {export_rows} rows, expected about {expected}");
        }
        export_samples.push(export_rows as f64 / secs.max(1e-9));
    }
    let mut sorted = export_samples.clone();
    sorted.sort_by(f64::total_cmp);
    Ok(HistoryResult {
        backend: backend_name(backend),
        total_rows: config.total_rows,
        account_rows: config.total_rows.div_ceil(10),
        seed_secs,
        reused: db.seeded_owner().is_some(),
        page,
        export_rows,
        export_rows_per_sec: sorted[sorted.len() / 2],
        export_samples,
    })
}

/// Generates `total` rows in one statement; every tenth belongs to `owner`.
async fn seed(backend: TestBackend, url: &str, owner: &str, total: u64, step_us: i64) -> anyhow::Result<()> {
    // `owner` is a `usr_` id the server generated (letters and digits), safe to inline.
    if !owner.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        bail!("unexpected user id {owner:?}");
    }
    let columns = "id, owner, kind, amount_minor, fee_minor, currency, status, initial_status, source_id, \
                   counterparty, description, details, created_at_us";
    let last = total.saturating_sub(1);
    let sql = match backend {
        TestBackend::Sqlite => format!(
            "WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < {last})
             INSERT INTO transactions ({columns})
             SELECT printf('txn_b%012d', n), -- history_store::row_id
                    CASE WHEN n % 10 = 0 THEN '{owner}' ELSE 'usr_other' || (n % 100000) END,
                    CASE n % 3 WHEN 0 THEN 'transfer_out' WHEN 1 THEN 'transfer_in' ELSE 'deposit' END,
                    100 + n % 5000, 0, 'usd', 'succeeded', 'succeeded', printf('tr_b%012d', n),
                    'someone@example.com', NULL, NULL, {START_US} + n * {step_us}
             FROM seq"
        ),
        TestBackend::Postgres => format!(
            "INSERT INTO transactions ({columns})
             SELECT 'txn_b' || lpad(n::text, 12, '0'),
                    CASE WHEN n % 10 = 0 THEN '{owner}' ELSE 'usr_other' || (n % 100000) END,
                    CASE n % 3 WHEN 0 THEN 'transfer_out' WHEN 1 THEN 'transfer_in' ELSE 'deposit' END,
                    100 + n % 5000, 0, 'usd', 'succeeded', 'succeeded', 'tr_b' || lpad(n::text, 12, '0'),
                    'someone@example.com', NULL, NULL, {START_US} + n * {step_us}
             FROM generate_series(0::bigint, {last}::bigint) AS n"
        ),
    };
    match backend {
        TestBackend::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(url).await.context("connecting to SQLite")?;
            sqlx::query("PRAGMA busy_timeout = 60000").execute(&mut c).await?;
            sqlx::query(AssertSqlSafe(sql)).execute(&mut c).await.context("generating rows")?;
            sqlx::query("ANALYZE").execute(&mut c).await?;
        }
        TestBackend::Postgres => {
            let mut c = sqlx::PgConnection::connect(url).await.context("connecting to PostgreSQL")?;
            // If the benchmark is killed mid-seed, the server notices the closed connection
            // within a second and stops writing (otherwise it finished the whole insert).
            // (Linux servers only; elsewhere the seed runs without it.)
            if let Err(e) = sqlx::query("SET client_connection_check_interval = '1s'").execute(&mut c).await {
                eprintln!("okpay-bench: history: the seed will not stop with the benchmark: {e}");
            }
            sqlx::query(AssertSqlSafe(sql)).execute(&mut c).await.context("generating rows")?;
            // A year of history has long been vacuumed in production. Right after a bulk insert
            // no page is: the first read of each sets its tuples' hint bits and so writes it,
            // which made the export measure the aftermath of the insert (and with autovacuum off,
            // as on the test server, that lasts). VACUUM also analyses.
            sqlx::raw_sql("VACUUM (ANALYZE) transactions").execute(&mut c).await.context("vacuuming")?;
        }
    }
    Ok(())
}
