//! The whole server: `okpay serve` (release build) on a fresh database, driven over HTTP.
//!
//! A few senders are each funded with one card deposit; then `clients` concurrent clients send
//! `POST /v1/transfers` to random recipients for the warm-up plus the measured window. The
//! load generator runs on the same machine, so it competes with the server for the CPU; the
//! report shows how the CPU was shared.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use okpay_store::testing::{TestBackend, TestDb};
use serde::Serialize;
use tokio::task::JoinSet;

use crate::api::Api;
use crate::clients::{Tally, Window, run_client, run_profile_client};
use crate::server::OkpayServer;
use crate::stats::Latency;
use crate::{cpu, report, scratch};

/// Each sender's deposit, minor units: far more than the run can spend.
const SENDER_FUNDING_MINOR: i64 = 10_000_000_000;
/// How often the probe client writes its profile during the load.
pub const PROFILE_WRITE_EVERY: Duration = Duration::from_millis(50);
/// The ledger writer's batch-size histogram on the server's `/metrics`.
const BATCH_SIZE_METRIC: &str = "okpay_ledger_batch_size";

/// How to load the server.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Concurrent clients, one request in flight each.
    pub clients: usize,
    /// Funded users the clients send from (client `i` uses sender `i % senders`).
    pub senders: usize,
    /// Users the transfers go to.
    pub recipients: usize,
    /// Load before measuring.
    pub warmup: Duration,
    /// Measured window.
    pub measure: Duration,
}

/// What one backend achieved.
#[derive(Debug, Clone, Serialize)]
pub struct HttpResult {
    /// `sqlite` or `postgres`.
    pub backend: &'static str,
    /// Concurrent clients.
    pub clients: usize,
    /// Length of the measured window, seconds.
    pub seconds: f64,
    /// Requests started in the window.
    pub requests: usize,
    /// Requests per second.
    pub requests_per_sec: f64,
    /// Transfers created (201) per second; what the targets compare.
    pub transfers_per_sec: f64,
    /// Latency of the measured requests.
    pub latency: Option<Latency>,
    /// Answers other than 201 over the whole run, warm-up included; expected 0.
    pub non_201: u64,
    /// Those answers by status.
    pub non_201_by_status: std::collections::BTreeMap<String, u64>,
    /// The first of them.
    pub first_error: Option<String>,
    /// Latency of the profile writes (`PATCH /v1/me`, one every [`PROFILE_WRITE_EVERY`]) made
    /// beside the load in the window: a write outside the hot path, waiting for SQLite's write
    /// lock.
    pub profile_write_latency: Option<Latency>,
    /// Profile writes answered other than 200 over the whole run; expected 0.
    pub profile_write_failed: u64,
    /// The server's mean ledger batch in the window, from its `/metrics`.
    pub mean_batch: Option<f64>,
    /// Mails the server delivered per second in the window (each transfer queues two notices):
    /// shows whether mail kept up or was left for after the window.
    pub mail_sent_per_sec: Option<f64>,
    /// Mails waiting in the outbox at the end of the window.
    pub mail_pending_after: Option<f64>,
    /// CPU use during the window.
    pub cpu: Option<cpu::Usage>,
    /// Whether every invariant of `ledger verify` held after the server stopped.
    pub verify_ok: bool,
    /// Names of failed invariants.
    pub verify_failures: Vec<String>,
    /// Journals in the books afterwards.
    pub journals: i64,
    /// Journals there should be: one per deposit and per 201 answer.
    pub journals_expected: i64,
}

/// Runs the benchmark on a fresh database; `None` if PostgreSQL is unreachable.
pub async fn run(backend: TestBackend, bin: &Path, config: &HttpConfig) -> anyhow::Result<Option<HttpResult>> {
    let Some(db) = scratch::fresh(backend).await? else { return Ok(None) };
    let result = measure(&db, bin, config).await;
    scratch::discard(db).await;
    result.map(Some)
}

/// What the load phase measured, before the books are checked.
struct Load {
    tally: Tally,
    profile_writes: Tally,
    seconds: f64,
    server: ServerLoad,
}

/// How the server worked during the measured window.
#[derive(Debug, Clone, Copy)]
pub struct ServerLoad {
    /// Its mean ledger batch, from its `/metrics`.
    pub mean_batch: Option<f64>,
    /// Mails it delivered per second (`okpay_mail_sent_total`).
    pub mail_sent_per_sec: Option<f64>,
    /// Its outbox backlog at the end (`okpay_mail_outbox_pending`, as its mail worker last
    /// published it).
    pub mail_pending_after: Option<f64>,
    /// CPU use of the machine, this process and the server.
    pub cpu: Option<cpu::Usage>,
}

async fn measure(db: &TestDb, bin: &Path, config: &HttpConfig) -> anyhow::Result<HttpResult> {
    let (server, api) = OkpayServer::start(bin, &db.url, config.clients + 8).await?;
    let load = drive(&api, server.pid(), config).await;
    // Stop (and drain) before verifying, even if the load failed.
    let stopped = server.stop().await;
    let load = load?;
    stopped?;

    let stores = okpay_store::open(&db.url).await.context("opening the database to verify it")?;
    let books = stores.ledger.verify().await.context("running ledger verify")?;
    drop(stores);
    let Load { tally, profile_writes, seconds, server } = load;
    let requests = tally.latencies_us.len();
    let non_201 = tally.failed_total();
    Ok(HttpResult {
        backend: report::backend_name(db.backend),
        clients: config.clients,
        seconds,
        requests,
        requests_per_sec: requests as f64 / seconds,
        transfers_per_sec: tally.ok_measured as f64 / seconds,
        journals_expected: i64::try_from(config.senders as u64 + tally.ok_total)?,
        latency: Latency::from_micros(tally.latencies_us),
        profile_write_failed: profile_writes.failed_total(),
        profile_write_latency: Latency::from_micros(profile_writes.latencies_us),
        non_201,
        non_201_by_status: tally.failed,
        first_error: tally.first_error,
        mean_batch: server.mean_batch,
        mail_sent_per_sec: server.mail_sent_per_sec,
        mail_pending_after: server.mail_pending_after,
        cpu: server.cpu,
        verify_ok: books.is_ok(),
        verify_failures: books.failures().into_iter().map(str::to_owned).collect(),
        journals: books.journals,
    })
}

/// Creates and funds the users, then runs the clients through the warm-up and the window.
async fn drive(api: &Api, server_pid: u32, config: &HttpConfig) -> anyhow::Result<Load> {
    if config.senders == 0 || config.recipients == 0 {
        bail!("the HTTP benchmark needs at least one sender and one recipient");
    }
    let mut senders = Vec::with_capacity(config.senders);
    for i in 0..config.senders {
        let sender = api.user(&format!("sender{i}")).await.context("creating a sender")?;
        api.fund(&sender, SENDER_FUNDING_MINOR).await.context("funding a sender")?;
        senders.push(sender);
    }
    let mut recipients = Vec::with_capacity(config.recipients);
    for i in 0..config.recipients {
        recipients.push(api.user(&format!("recipient{i}")).await.context("creating a recipient")?.email);
    }
    let recipients: Arc<[String]> = recipients.into();
    let prober = api.user("profile0").await.context("creating the profile-write prober")?;

    let window = Window::after(config.warmup, config.measure);
    let mut clients = JoinSet::new();
    for c in 0..config.clients {
        let sender = senders[c % senders.len()].clone();
        clients.spawn(run_client(api.clone(), sender, recipients.clone(), c, window));
    }
    let probe = tokio::spawn(run_profile_client(api.clone(), prober, PROFILE_WRITE_EVERY, window));
    let (server, tallies) = observe(api, server_pid, window, clients).await?;
    let profile_writes = probe.await.context("the profile-write prober panicked")?;
    let mut tally = Tally::default();
    for t in tallies {
        tally.merge(t);
    }
    let seconds = window.seconds(tally.last_done);
    Ok(Load { tally, profile_writes, seconds, server })
}

/// Lets `clients` run through `window` while sampling the server's batches and the CPU over
/// the measured part, then collects what each client returns.
pub async fn observe<T: 'static>(
    api: &Api,
    server_pid: u32,
    window: Window,
    mut clients: JoinSet<T>,
) -> anyhow::Result<(ServerLoad, Vec<T>)> {
    tokio::time::sleep_until(window.measure_from.into()).await;
    let batches_before = batch_totals(api).await;
    let sent_before = metric(api, MAIL_SENT_METRIC).await;
    let (cpu_from, cpu_before) = (Instant::now(), cpu::sample(Some(server_pid)));
    tokio::time::sleep_until(window.end.into()).await;
    let (cpu_seconds, cpu_after) = (cpu_from.elapsed().as_secs_f64(), cpu::sample(Some(server_pid)));
    let batches_after = batch_totals(api).await;
    let sent_after = metric(api, MAIL_SENT_METRIC).await;
    let mail_pending_after = metric(api, MAIL_PENDING_METRIC).await;

    let mut results = Vec::with_capacity(clients.len());
    while let Some(joined) = clients.join_next().await {
        results.push(joined.context("a client task panicked")?);
    }
    let mean_batch = batches_before.zip(batches_after).and_then(|((s0, c0), (s1, c1))| {
        let batches = c1 - c0;
        (batches > 0.0).then(|| (s1 - s0) / batches)
    });
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let cpu = cpu_before.zip(cpu_after).and_then(|(b, a)| cpu::usage(b, a, cpu_seconds, cores));
    let mail_sent_per_sec = sent_before.zip(sent_after).map(|(b, a)| (a - b) / cpu_seconds);
    Ok((ServerLoad { mean_batch, mail_sent_per_sec, mail_pending_after, cpu }, results))
}

/// The server's counter of delivered mail.
const MAIL_SENT_METRIC: &str = "okpay_mail_sent_total";
/// The server's gauge of mail waiting in its outbox.
const MAIL_PENDING_METRIC: &str = "okpay_mail_outbox_pending";

/// The unlabelled sample `name` on the server's `/metrics`; a sample the server has not
/// published yet (a counter never incremented) reads as 0.
async fn metric(api: &Api, name: &str) -> Option<f64> {
    let text = api.metrics().await.ok()?;
    Some(metric_value(&text, name).unwrap_or(0.0))
}

/// `(sum, count)` of the server's batch-size histogram, if `/metrics` answers.
async fn batch_totals(api: &Api) -> Option<(f64, f64)> {
    let text = api.metrics().await.ok()?;
    Some((
        metric_value(&text, &format!("{BATCH_SIZE_METRIC}_sum"))?,
        metric_value(&text, &format!("{BATCH_SIZE_METRIC}_count"))?,
    ))
}

/// The value of an unlabelled sample `name` in Prometheus text format.
fn metric_value(text: &str, name: &str) -> Option<f64> {
    text.lines().find_map(|line| {
        let rest = line.strip_prefix(name)?;
        rest.starts_with(' ').then(|| rest.split_whitespace().next()?.parse().ok()).flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_prometheus_samples() {
        let text = "# TYPE okpay_ledger_batch_size summary\n\
                    okpay_ledger_batch_size{quantile=\"0.5\"} 12\n\
                    okpay_ledger_batch_size_sum 1234.5\n\
                    okpay_ledger_batch_size_count 56\n";
        assert_eq!(metric_value(text, "okpay_ledger_batch_size_sum"), Some(1234.5));
        assert_eq!(metric_value(text, "okpay_ledger_batch_size_count"), Some(56.0));
        assert_eq!(metric_value(text, "okpay_ledger_batch_size"), None);
    }
}
