//! The ledger engine alone: [`Ledger::submit`] with durable commits, no HTTP, no app layer.
//!
//! A fresh database gets `accounts` user wallets and a card-clearing system account in USD;
//! one concurrent burst funds every wallet (one batch). Then `in_flight` tasks each submit
//! transfers one after another (random payer → random other payee, 1–100 cents, unique
//! references), so the writer always finds a full batch waiting while the previous one
//! commits. Transfers carry no history rows: this is the books' own throughput.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use okpay_domain::{Amount, Currency};
use okpay_ledger::{AccountId, AccountKind, Command, Ledger, LedgerError, Leg, Outcome, Transfer, WriterConfig};
use okpay_store::Stores;
use okpay_store::testing::TestBackend;
use serde::Serialize;
use tokio::task::JoinSet;

use crate::{cpu, probe, report, scratch};

/// Owner of the card-clearing account the wallets are funded from (as the app names it).
const CARD_CLEARING: &str = "system:card_clearing";
/// Each wallet's starting balance, minor units: far more than the run can spend.
const FUNDING_MINOR: i64 = 1_000_000_000;

/// How to load the writer.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// User wallets transfers move between.
    pub accounts: usize,
    /// Commands kept in flight.
    pub in_flight: usize,
    /// Load before measuring.
    pub warmup: Duration,
    /// Measured window.
    pub measure: Duration,
}

/// What one backend achieved.
#[derive(Debug, Clone, Serialize)]
pub struct EngineResult {
    /// `sqlite` or `postgres`.
    pub backend: &'static str,
    /// Transfers committed in the measured window.
    pub transfers: u64,
    /// Length of the measured window, seconds.
    pub seconds: f64,
    /// Committed transfers per second.
    pub transfers_per_sec: f64,
    /// Writer batches in the window.
    pub batches: u64,
    /// Mean commands per batch in the window.
    pub mean_batch: Option<f64>,
    /// Mean time to run (plan, write, commit) one batch, ms.
    pub mean_batch_ms: Option<f64>,
    /// The writer's configured largest batch.
    pub max_batch: usize,
    /// Commands kept in flight.
    pub in_flight: usize,
    /// User wallets.
    pub accounts: usize,
    /// Commands refused by the ledger (e.g. insufficient funds) over the whole run; expected 0.
    pub rejected: u64,
    /// Commands that failed otherwise (busy, storage) over the whole run; expected 0.
    pub failed: u64,
    /// Whether every invariant of `ledger verify` held afterwards.
    pub verify_ok: bool,
    /// Names of failed invariants.
    pub verify_failures: Vec<String>,
    /// Journals in the books afterwards.
    pub journals: i64,
    /// Journals there should be: funding plus every committed transfer.
    pub journals_expected: i64,
    /// CPU use during the window.
    pub cpu: Option<cpu::Usage>,
}

/// Runs the benchmark on a fresh database; `None` if PostgreSQL is unreachable.
pub async fn run(backend: TestBackend, config: &EngineConfig) -> anyhow::Result<Option<EngineResult>> {
    let Some(db) = scratch::fresh(backend).await? else { return Ok(None) };
    let result = match db.open().await {
        Ok(stores) => measure(&stores, config).await,
        Err(e) => Err(anyhow::anyhow!("opening {}: {e}", report::backend_name(backend))),
    };
    scratch::discard(db).await;
    result.map(Some)
}

#[derive(Default)]
struct Tally {
    posted: AtomicU64,
    rejected: AtomicU64,
    failed: AtomicU64,
}

async fn measure(stores: &Stores, config: &EngineConfig) -> anyhow::Result<EngineResult> {
    if config.accounts < 2 {
        bail!("transfers need at least two wallets");
    }
    let store = &stores.ledger;
    let clearing = store.open_account(CARD_CLEARING, Currency::Usd, AccountKind::System).await?;
    let mut wallets = Vec::with_capacity(config.accounts);
    for i in 0..config.accounts {
        wallets.push(store.open_account(&format!("bench_user_{i}"), Currency::Usd, AccountKind::User).await?);
    }
    let wallets: Arc<[AccountId]> = wallets.into();
    let amounts: Arc<[Amount]> = (1..=100).map(Amount::new).collect::<Result<_, _>>()?;
    let writer = WriterConfig::default();
    let max_batch = writer.max_batch;
    let (ledger, writer_task) = Ledger::start(store.clone(), writer);
    fund(&ledger, clearing, &wallets).await?;

    let tally = Arc::new(Tally::default());
    let stop = Arc::new(AtomicBool::new(false));
    let mut workers = JoinSet::new();
    for worker in 0..config.in_flight {
        workers.spawn(submit_until_stopped(
            ledger.clone(),
            wallets.clone(),
            amounts.clone(),
            tally.clone(),
            stop.clone(),
            worker,
        ));
    }
    tokio::time::sleep(config.warmup).await;
    let (posted_before, batches_before, cpu_before) =
        (tally.posted.load(Ordering::Relaxed), probe::snapshot(), cpu::sample(None));
    let started = Instant::now();
    tokio::time::sleep(config.measure).await;
    let (posted_after, batches_after, cpu_after) =
        (tally.posted.load(Ordering::Relaxed), probe::snapshot(), cpu::sample(None));
    let seconds = started.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    while let Some(joined) = workers.join_next().await {
        joined.context("a load task panicked")?;
    }
    drop(ledger);
    writer_task.await.context("the ledger writer panicked")?;

    let report = store.verify().await.context("running ledger verify")?;
    let transfers = posted_after - posted_before;
    let batches = batches_after.since(batches_before);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    Ok(EngineResult {
        backend: stores.backend,
        transfers,
        seconds,
        transfers_per_sec: transfers as f64 / seconds,
        batches: batches.batches,
        mean_batch: batches.mean_size(),
        mean_batch_ms: batches.mean_ms(),
        max_batch,
        in_flight: config.in_flight,
        accounts: config.accounts,
        rejected: tally.rejected.load(Ordering::Relaxed),
        failed: tally.failed.load(Ordering::Relaxed),
        verify_ok: report.is_ok(),
        verify_failures: report.failures().into_iter().map(str::to_owned).collect(),
        journals: report.journals,
        journals_expected: i64::try_from(wallets.len() as u64 + tally.posted.load(Ordering::Relaxed))?,
        cpu: cpu_before.zip(cpu_after).and_then(|(b, a)| cpu::usage(b, a, seconds, cores)),
    })
}

/// Credits every wallet from the clearing account, all submitted at once (one batch).
async fn fund(ledger: &Ledger, clearing: AccountId, wallets: &[AccountId]) -> anyhow::Result<()> {
    let amount = Amount::new(FUNDING_MINOR)?;
    let mut set = JoinSet::new();
    for (i, &wallet) in wallets.iter().enumerate() {
        let ledger = ledger.clone();
        let cmd = transfer(format!("fund_{i}"), "deposit", clearing, wallet, amount);
        set.spawn(async move { ledger.submit(cmd).await });
    }
    while let Some(joined) = set.join_next().await {
        match joined.context("a funding task panicked")? {
            Ok(Outcome::Posted { .. }) => {}
            other => bail!("funding a wallet failed: {other:?}"),
        }
    }
    Ok(())
}

/// One submitter: one command in flight at a time, until `stop`.
async fn submit_until_stopped(
    ledger: Ledger,
    wallets: Arc<[AccountId]>,
    amounts: Arc<[Amount]>,
    tally: Arc<Tally>,
    stop: Arc<AtomicBool>,
    worker: usize,
) {
    let mut seq: u64 = 0;
    while !stop.load(Ordering::Relaxed) {
        let cmd = random_transfer(&wallets, &amounts, format!("b{worker}_{seq}"));
        seq += 1;
        let counter = match ledger.submit(cmd).await {
            Ok(Outcome::Posted { .. }) => &tally.posted,
            Err(LedgerError::Rejected(_)) => &tally.rejected,
            Err(LedgerError::Busy) => {
                // Only with a queue smaller than the load; back off instead of spinning.
                tokio::time::sleep(Duration::from_millis(1)).await;
                &tally.failed
            }
            Ok(_) | Err(_) => &tally.failed,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

/// A transfer of a random amount between two different random wallets (there are at least
/// two, checked in [`measure`]; `amounts` is not empty).
fn random_transfer(wallets: &[AccountId], amounts: &[Amount], reference: String) -> Command {
    let n = wallets.len();
    let from = rand::random_range(0..n);
    let mut to = rand::random_range(0..n - 1);
    if to >= from {
        to += 1;
    }
    let amount = amounts[rand::random_range(0..amounts.len())];
    transfer(reference, "transfer", wallets[from], wallets[to], amount)
}

fn transfer(reference: String, kind: &str, debit: AccountId, credit: AccountId, amount: Amount) -> Command {
    Command::Transfer(Transfer {
        reference,
        kind: kind.into(),
        currency: Currency::Usd,
        legs: vec![Leg { debit, credit, amount }],
        lines: vec![],
    })
}
