//! Merchant payments to one hot merchant (issue 4): the real `okpay serve` on a fresh database.
//!
//! One business user (API key, accepts the wallet) and `payers` users, each funded with one
//! card deposit through the API. Then `clients` concurrent clients each loop: the merchant
//! creates a payment (`POST /v1/payments`, API key), a payer confirms it from their wallet
//! (`POST /v1/payments/{id}/confirm`, session, own `Idempotency-Key`). Every confirm credits the
//! same merchant wallet, so this is the hot-account case of the payment path. Afterwards the
//! server is stopped and the database is checked: every created payment succeeded, the
//! merchant holds exactly their net amounts, and the books verify.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use okpay_domain::Currency;
use okpay_store::testing::{TestBackend, TestDb};
use serde::Serialize;
use sqlx::Connection;
use tokio::task::JoinSet;

use crate::api::{Api, User};
use crate::clients::{PaymentTally, Window, run_payment_client};
use crate::http::{ServerLoad, observe};
use crate::server::OkpayServer;
use crate::stats::Latency;
use crate::{cpu, report, scratch};

/// Each payer's deposit, minor units: far more than the run can spend.
const PAYER_FUNDING_MINOR: i64 = 100_000_000;
/// Payers registered and funded at the same time (each costs two Argon2id hashes).
const SETUP_PARALLEL: usize = 8;

/// How to load the server.
#[derive(Debug, Clone)]
pub struct PaymentsConfig {
    /// Concurrent clients, each with one create or confirm in flight.
    pub clients: usize,
    /// Funded payers (client `c` uses payers `c`, `c + clients`, ...).
    pub payers: usize,
    /// Load before measuring.
    pub warmup: Duration,
    /// Measured window.
    pub measure: Duration,
}

/// What one backend achieved.
#[derive(Debug, Clone, Serialize)]
pub struct PaymentsResult {
    /// `sqlite` or `postgres`.
    pub backend: &'static str,
    /// Concurrent clients.
    pub clients: usize,
    /// Funded payers.
    pub payers: usize,
    /// Length of the measured window, seconds.
    pub seconds: f64,
    /// Confirms answered 200 that started in the window.
    pub confirmed: u64,
    /// Those per second; the figure of issue 4.
    pub confirmed_per_sec: f64,
    /// Latency of the measured creates.
    pub create_latency: Option<Latency>,
    /// Latency of the measured confirms.
    pub confirm_latency: Option<Latency>,
    /// Unexpected answers over the whole run (create other than 201, confirm other than 200).
    pub failed: u64,
    /// Those by request and status, e.g. `confirm 503`.
    pub failed_by_status: BTreeMap<String, u64>,
    /// The first of them.
    pub first_error: Option<String>,
    /// The server's mean ledger batch in the window.
    pub mean_batch: Option<f64>,
    /// CPU use during the window.
    pub cpu: Option<cpu::Usage>,
    /// What the database holds afterwards.
    pub books: PaymentBooks,
    /// Whether every check of the run held (see [`PaymentBooks::problems`]).
    pub checks_ok: bool,
    /// The checks that did not hold.
    pub problems: Vec<String>,
}

/// The merchant's payments and the books after the run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PaymentBooks {
    /// Payments that succeeded.
    pub succeeded: i64,
    /// Payments in any other status (expected 0: every created payment was confirmed).
    pub not_succeeded: i64,
    /// Confirms answered 200 over the whole run, warm-up included.
    pub confirmed_total: u64,
    /// Sum of the succeeded payments' amounts, minor units.
    pub amount_minor: i64,
    /// What the clients paid, minor units.
    pub paid_minor: i64,
    /// Sum of the succeeded payments' net amounts (amount − fee).
    pub net_minor: i64,
    /// The merchant's wallet balance.
    pub merchant_balance_minor: i64,
    /// Whether every invariant of `ledger verify` held.
    pub verify_ok: bool,
    /// Names of failed invariants.
    pub verify_failures: Vec<String>,
    /// Journals in the books.
    pub journals: i64,
    /// Journals there should be: one per deposit and per confirmed payment.
    pub journals_expected: i64,
}

impl PaymentBooks {
    /// Every way the stored result differs from what the clients were told.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !self.verify_ok {
            out.push(format!("ledger verify failed: {}", self.verify_failures.join(", ")));
        }
        if self.journals != self.journals_expected {
            out.push(format!("{} journals, expected {}", self.journals, self.journals_expected));
        }
        if self.not_succeeded != 0 {
            out.push(format!("{} payments did not succeed", self.not_succeeded));
        }
        if u64::try_from(self.succeeded).ok() != Some(self.confirmed_total) {
            out.push(format!("{} payments succeeded, {} confirms answered 200", self.succeeded, self.confirmed_total));
        }
        if self.amount_minor != self.paid_minor {
            out.push(format!("payments total {} minor, clients paid {}", self.amount_minor, self.paid_minor));
        }
        if self.merchant_balance_minor != self.net_minor {
            out.push(format!(
                "merchant holds {} minor, net of payments {}",
                self.merchant_balance_minor, self.net_minor
            ));
        }
        out
    }
}

/// Runs the benchmark on a fresh database; `None` if PostgreSQL is unreachable.
pub async fn run(backend: TestBackend, bin: &Path, config: &PaymentsConfig) -> anyhow::Result<Option<PaymentsResult>> {
    if config.clients == 0 || config.payers == 0 {
        bail!("the payments benchmark needs at least one client and one payer");
    }
    let Some(db) = scratch::fresh(backend).await? else { return Ok(None) };
    let result = measure(&db, bin, config).await;
    scratch::discard(db).await;
    result.map(Some)
}

async fn measure(db: &TestDb, bin: &Path, config: &PaymentsConfig) -> anyhow::Result<PaymentsResult> {
    let (server, api) = OkpayServer::start(bin, &db.url, config.clients + SETUP_PARALLEL).await?;
    let load = drive(&api, server.pid(), config).await;
    // Stop (and drain) before checking, even if the load failed.
    let stopped = server.stop().await;
    let (merchant_id, tally, seconds, server_load) = load?;
    stopped?;

    let books = check(db, &merchant_id, config.payers, &tally).await?;
    let problems = books.problems();
    let mut failed_by_status = BTreeMap::new();
    for (request, t) in [("create", &tally.create), ("confirm", &tally.confirm)] {
        for (status, n) in &t.failed {
            failed_by_status.insert(format!("{request} {status}"), *n);
        }
    }
    let failed = tally.create.failed_total() + tally.confirm.failed_total();
    Ok(PaymentsResult {
        backend: report::backend_name(db.backend),
        clients: config.clients,
        payers: config.payers,
        seconds,
        confirmed: tally.confirm.ok_measured,
        confirmed_per_sec: tally.confirm.ok_measured as f64 / seconds,
        create_latency: Latency::from_micros(tally.create.latencies_us),
        confirm_latency: Latency::from_micros(tally.confirm.latencies_us),
        failed,
        failed_by_status,
        first_error: tally.create.first_error.or(tally.confirm.first_error),
        mean_batch: server_load.mean_batch,
        cpu: server_load.cpu,
        checks_ok: problems.is_empty() && failed == 0,
        problems,
        books,
    })
}

/// Sets up the merchant and the payers, then runs the clients through the warm-up and the
/// window; the merchant's id, what the clients saw, the window's seconds and the server's load.
async fn drive(
    api: &Api,
    server_pid: u32,
    config: &PaymentsConfig,
) -> anyhow::Result<(String, PaymentTally, f64, ServerLoad)> {
    let merchant = api.merchant("merchant").await.context("creating the merchant")?;
    let payers: Arc<[User]> = funded_payers(api, config.payers).await?.into();
    let key: Arc<str> = merchant.key.into();

    let window = Window::after(config.warmup, config.measure);
    let mut clients = JoinSet::new();
    for c in 0..config.clients {
        clients.spawn(run_payment_client(api.clone(), key.clone(), payers.clone(), (c, config.clients), window));
    }
    let (server_load, tallies) = observe(api, server_pid, window, clients).await?;
    let mut tally = PaymentTally::default();
    for t in tallies {
        tally.merge(t);
    }
    let seconds = window.seconds(tally.confirm.last_done);
    Ok((merchant.id, tally, seconds, server_load))
}

/// Registers and funds `n` payers, [`SETUP_PARALLEL`] at a time.
async fn funded_payers(api: &Api, n: usize) -> anyhow::Result<Vec<User>> {
    crate::progress(&format!("payments: registering and funding {n} payers"));
    let mut pending = JoinSet::new();
    let mut payers = Vec::with_capacity(n);
    let mut next = 0;
    while payers.len() < n {
        while next < n && pending.len() < SETUP_PARALLEL {
            let api = api.clone();
            pending.spawn(async move {
                let payer = api.user(&format!("payer{next}")).await.context("creating a payer")?;
                api.fund(&payer, PAYER_FUNDING_MINOR).await.context("funding a payer")?;
                Ok::<_, anyhow::Error>(payer)
            });
            next += 1;
        }
        let joined = pending.join_next().await.context("no payer setup running")?;
        payers.push(joined.context("a payer setup panicked")??);
    }
    Ok(payers)
}

/// Reads the stored payments and the books of the stopped server's database.
async fn check(db: &TestDb, merchant_id: &str, payers: usize, tally: &PaymentTally) -> anyhow::Result<PaymentBooks> {
    let stores = okpay_store::open(&db.url).await.context("opening the database to check it")?;
    let books = stores.ledger.verify().await.context("running ledger verify")?;
    let merchant_balance_minor = stores
        .ledger
        .accounts_of(merchant_id)
        .await
        .context("reading the merchant's accounts")?
        .iter()
        .find(|a| a.currency == Currency::Usd)
        .map_or(0, |a| a.balance);
    drop(stores);
    let (succeeded, not_succeeded, amount_minor, net_minor) = payment_totals(db, merchant_id).await?;
    Ok(PaymentBooks {
        succeeded,
        not_succeeded,
        confirmed_total: tally.confirm.ok_total,
        amount_minor,
        paid_minor: tally.confirmed_minor,
        net_minor,
        merchant_balance_minor,
        verify_ok: books.is_ok(),
        verify_failures: books.failures().into_iter().map(str::to_owned).collect(),
        journals: books.journals,
        journals_expected: i64::try_from(payers as u64 + tally.confirm.ok_total)?,
    })
}

/// The merchant's payments: (succeeded, others, amount of the succeeded, their net amount).
async fn payment_totals(db: &TestDb, merchant_id: &str) -> anyhow::Result<(i64, i64, i64, i64)> {
    const TOTALS: &str = "SELECT CAST(COALESCE(SUM(CASE WHEN status = 'succeeded' THEN 1 ELSE 0 END), 0) AS BIGINT),
            CAST(COALESCE(SUM(CASE WHEN status = 'succeeded' THEN 0 ELSE 1 END), 0) AS BIGINT),
            CAST(COALESCE(SUM(CASE WHEN status = 'succeeded' THEN amount_minor ELSE 0 END), 0) AS BIGINT),
            CAST(COALESCE(SUM(CASE WHEN status = 'succeeded' THEN amount_minor - fee_minor ELSE 0 END), 0) AS BIGINT)
         FROM payments WHERE merchant_id = $1";
    let totals = match db.backend {
        TestBackend::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(&db.url).await.context("connecting to SQLite")?;
            sqlx::query_as(TOTALS).bind(merchant_id).fetch_one(&mut c).await
        }
        TestBackend::Postgres => {
            let mut c = sqlx::PgConnection::connect(&db.url).await.context("connecting to PostgreSQL")?;
            sqlx::query_as(TOTALS).bind(merchant_id).fetch_one(&mut c).await
        }
    };
    totals.context("counting the merchant's payments")
}
