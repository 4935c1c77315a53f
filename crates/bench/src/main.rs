//! `okpay-bench`: how fast OKPay moves money on this machine, measured next to PostgreSQL's own
//! `pgbench` TPC-B in the same run, so the figures compare like with like.
//!
//! * [`pgbench`]: the baseline, TPC-B at scale 10 with 32 clients.
//! * [`engine`]: the ledger's group-commit writer alone, on SQLite and on PostgreSQL.
//! * [`http`]: the real `okpay serve` process answering `POST /v1/transfers`.
//! * [`payments`]: the same server taking merchant payments to one hot merchant.
//! * [`history`]: history pages and CSV export of one account in a large store.
//! * [`targets`]: the ratios to pgbench and an honest PASS/MISS for each target.
//! * [`report`]: prints each figure as it is measured, then the verdicts, and finally
//!   everything as one JSON object (for `docs/benchmarks.md`).
//!
//! Progress goes to stderr, results to stdout. `scripts/bench` builds and runs this binary.

mod api;
mod clients;
mod cpu;
mod engine;
mod history;
mod history_store;
mod http;
mod machine;
mod payments;
mod pgbench;
mod probe;
mod report;
mod scratch;
mod server;
mod stats;
mod targets;

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use okpay_store::testing::TestBackend;

use crate::report::{Report, Skip};

/// Command line.
#[derive(Debug, Parser)]
#[command(name = "okpay-bench", about = "Measures OKPay's ledger and HTTP throughput next to pgbench TPC-B.")]
struct Cli {
    /// Short durations, for a smoke run (figures are not meaningful).
    #[arg(long)]
    quick: bool,
    /// Run one section only.
    #[arg(long, value_enum)]
    only: Option<Section>,
    /// Measurement duration of every section in seconds (default: pgbench 20, engine 10, HTTP 15).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=3600))]
    duration_secs: Option<u64>,
    /// The `okpay` binary to serve HTTP (default: `okpay` next to this binary).
    #[arg(long)]
    okpay_bin: Option<PathBuf>,
    /// Ledger commands the engine load generator keeps in flight.
    #[arg(long, default_value_t = 16_384, value_parser = clap::value_parser!(u64).range(1..=60_000))]
    engine_in_flight: u64,
    /// Rows in the store of the history benchmark (a tenth belong to the measured account).
    #[arg(long, default_value_t = 10_000_000, value_parser = clap::value_parser!(u64).range(1_000..=100_000_000))]
    history_rows: u64,
    /// Keep the history benchmark's generated store in this directory (PostgreSQL: a database
    /// named for its size) and reuse it in later runs with the same --history-rows.
    #[arg(long, value_name = "DIR")]
    history_store: Option<PathBuf>,
    /// CSV exports measured in the history benchmark (the median is reported).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=100))]
    history_exports: u64,
    /// Concurrent HTTP clients, each sending one request at a time (transfers and payments).
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..=1_024))]
    http_clients: u64,
    /// Funded senders of the HTTP transfer benchmark (client `i` sends as sender `i % senders`;
    /// one user's transfers take turns through the limit check, so fewer senders than clients
    /// measures users sending several transfers at once).
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u64).range(1..=1_024))]
    http_senders: u64,
    /// Funded payers of the merchant-payments benchmark.
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    payers: u64,
}

/// A part of the benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Section {
    /// The ledger writer alone.
    Engine,
    /// `okpay serve` over HTTP: transfers.
    Http,
    /// `okpay serve` over HTTP: merchant payments to one hot merchant.
    Payments,
    /// PostgreSQL's pgbench TPC-B.
    Pgbench,
    /// History pages and CSV export at scale.
    History,
}

/// Warm-up and measurement durations.
#[derive(Debug, Clone, Copy)]
struct Timing {
    warmup: Duration,
    measure: Duration,
}

/// The durations of every section for this run.
fn timings(cli: &Cli) -> (Timing, Timing, Duration) {
    let secs = Duration::from_secs;
    let (warmup, engine, http, pgbench) =
        if cli.quick { (secs(1), secs(3), secs(3), secs(5)) } else { (secs(2), secs(10), secs(15), secs(20)) };
    let pick = |default| cli.duration_secs.map_or(default, secs);
    (Timing { warmup, measure: pick(engine) }, Timing { warmup, measure: pick(http) }, pick(pgbench))
}

/// The allocator `okpay` itself uses, so that the engine section (which runs the ledger in this
/// process) measures the ledger as the server runs it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    probe::install()?;
    let runs = |s: Section| cli.only.is_none_or(|only| only == s);
    let (engine_timing, http_timing, pgbench_duration) = timings(&cli);
    let mut report = Report::new(machine::facts().await, cli.quick);
    report::print_header(&report);

    // The baseline first, on a quiet machine: the ratios then err on the side of pgbench.
    if runs(Section::Pgbench) {
        progress("pgbench: TPC-B, scale 10, 32 clients");
        match pgbench::run(&pgbench::PgbenchConfig::standard(pgbench_duration)).await {
            Ok(r) => {
                report::print_pgbench(&r);
                report.pgbench = Some(r);
            }
            Err(e) => report.skip(Skip::new("pgbench", format!("{e:#}"))),
        }
    }

    if runs(Section::Engine) {
        let config = engine::EngineConfig {
            accounts: 1_000,
            in_flight: usize::try_from(cli.engine_in_flight)?,
            warmup: engine_timing.warmup,
            measure: engine_timing.measure,
        };
        for backend in [TestBackend::Sqlite, TestBackend::Postgres] {
            progress(&format!("engine: {} ledger writer", report::backend_name(backend)));
            match engine::run(backend, &config).await {
                Ok(Some(r)) => {
                    report::print_engine(&r);
                    report.engine.push(r);
                }
                Ok(None) => report.skip(Skip::unreachable(format!("engine {}", report::backend_name(backend)))),
                Err(e) => {
                    report.skip(Skip::new(&format!("engine {}", report::backend_name(backend)), format!("{e:#}")))
                }
            }
        }
    }

    if runs(Section::Http) {
        let config = http::HttpConfig {
            clients: usize::try_from(cli.http_clients)?,
            senders: usize::try_from(cli.http_senders)?,
            // Fewer than the fraud rule's 10 first-time recipients in 10 minutes, which freezes
            // a sender (and ends its sessions) as it would a real account spraying money.
            recipients: usize::try_from(okpay_domain::risk::NEW_RECIPIENTS_FREEZE - 1)?,
            warmup: http_timing.warmup,
            measure: http_timing.measure,
        };
        match server::locate_okpay(cli.okpay_bin.as_deref()) {
            Ok(bin) => {
                for backend in [TestBackend::Sqlite, TestBackend::Postgres] {
                    let name = report::backend_name(backend);
                    progress(&format!("http: okpay serve on {name}, {} clients", config.clients));
                    match http::run(backend, &bin, &config).await {
                        Ok(Some(r)) => {
                            report::print_http(&r);
                            report.http.push(r);
                        }
                        Ok(None) => report.skip(Skip::unreachable(format!("http {name}"))),
                        Err(e) => report.skip(Skip::new(&format!("http {name}"), format!("{e:#}"))),
                    }
                }
            }
            Err(e) => report.skip(Skip::new("http", format!("{e:#}"))),
        }
    }

    if runs(Section::Payments) {
        let config = payments::PaymentsConfig {
            clients: usize::try_from(cli.http_clients)?,
            payers: usize::try_from(cli.payers)?,
            warmup: http_timing.warmup,
            measure: http_timing.measure,
        };
        match server::locate_okpay(cli.okpay_bin.as_deref()) {
            Ok(bin) => {
                for backend in [TestBackend::Sqlite, TestBackend::Postgres] {
                    let name = report::backend_name(backend);
                    progress(&format!("payments: okpay serve on {name}, one merchant, {} clients", config.clients));
                    match payments::run(backend, &bin, &config).await {
                        Ok(Some(r)) => {
                            report::print_payments(&r);
                            report.payments.push(r);
                        }
                        Ok(None) => report.skip(Skip::unreachable(format!("payments {name}"))),
                        Err(e) => report.skip(Skip::new(&format!("payments {name}"), format!("{e:#}"))),
                    }
                }
            }
            Err(e) => report.skip(Skip::new("payments", format!("{e:#}"))),
        }
    }

    if runs(Section::History) {
        let config = history::HistoryConfig {
            total_rows: if cli.quick { cli.history_rows.min(200_000) } else { cli.history_rows },
            pages: if cli.quick { 200 } else { 2_000 },
            exports: usize::try_from(cli.history_exports)?,
            keep: cli.history_store.clone(),
        };
        match server::locate_okpay(cli.okpay_bin.as_deref()) {
            Ok(bin) => {
                for backend in [TestBackend::Sqlite, TestBackend::Postgres] {
                    let name = report::backend_name(backend);
                    progress(&format!("history: {} rows on {name}", config.total_rows));
                    match history::run(backend, &bin, &config).await {
                        Ok(Some(r)) => {
                            report::print_history(&r);
                            report.history.push(r);
                        }
                        Ok(None) => report.skip(Skip::unreachable(format!("history {name}"))),
                        Err(e) => report.skip(Skip::new(&format!("history {name}"), format!("{e:#}"))),
                    }
                }
            }
            Err(e) => report.skip(Skip::new("history", format!("{e:#}"))),
        }
    }

    report.judge();
    report::print_summary(&report);
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}

/// One line of progress on stderr (results go to stdout).
pub(crate) fn progress(what: &str) {
    eprintln!("okpay-bench: {what} ...");
}
