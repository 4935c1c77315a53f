//! The baseline: PostgreSQL's `pgbench` TPC-B-like workload on the same machine and server.
//!
//! Each TPC-B transaction updates an account, a teller and a branch, inserts a history row and
//! commits durably: about what one payment costs a conventional one-commit-per-request design.

use std::time::Duration;

use anyhow::{Context, bail};
use serde::Serialize;
use tokio::process::Command;

/// The database pgbench uses; created if missing, its tables re-initialised every run.
pub const DATABASE: &str = "okpay_pgbench";
/// Server address.
const HOST: &str = "127.0.0.1";
/// Role (trust authentication on the development machines).
const USER: &str = "postgres";

/// The pgbench invocation.
#[derive(Debug, Clone, Serialize)]
pub struct PgbenchConfig {
    /// `-s`: scale factor (100,000 accounts each).
    pub scale: u32,
    /// `-c`: concurrent clients.
    pub clients: u32,
    /// `-j`: worker threads.
    pub threads: u32,
    /// `-T`: duration, seconds.
    pub seconds: u64,
}

impl PgbenchConfig {
    /// Scale 10, 32 clients, 2 threads: the baseline the targets are stated against.
    pub fn standard(duration: Duration) -> PgbenchConfig {
        PgbenchConfig { scale: 10, clients: 32, threads: 2, seconds: duration.as_secs().max(1) }
    }
}

/// What pgbench reported.
#[derive(Debug, Clone, Serialize)]
pub struct PgbenchResult {
    /// Transactions per second, without initial connection time.
    pub tps: f64,
    /// Mean latency, ms.
    pub latency_avg_ms: Option<f64>,
    /// Transactions completed.
    pub transactions: Option<u64>,
    /// How it was run.
    pub config: PgbenchConfig,
    /// The PostgreSQL server's version, if known.
    pub server_version: Option<String>,
}

/// Creates the database if needed, initialises it and runs the benchmark.
pub async fn run(config: &PgbenchConfig) -> anyhow::Result<PgbenchResult> {
    let version = Command::new("pgbench").arg("--version").output().await;
    if !version.is_ok_and(|o| o.status.success()) {
        bail!("pgbench is not installed (on Debian it comes with the server: apt-get install postgresql)");
    }
    ensure_database().await?;
    let scale = config.scale.to_string();
    pgbench(&["-i", "-q", "-s", &scale]).await.context("initialising the pgbench tables (pgbench -i)")?;
    let (clients, threads, secs) = (config.clients.to_string(), config.threads.to_string(), config.seconds.to_string());
    let out = pgbench(&["-c", &clients, "-j", &threads, "-T", &secs]).await?;
    let tps = parse_tps(&out).with_context(|| format!("no `tps = ...` line in pgbench's output:\n{out}"))?;
    Ok(PgbenchResult {
        tps,
        latency_avg_ms: parse_latency_ms(&out),
        transactions: parse_transactions(&out),
        config: config.clone(),
        server_version: server_version().await,
    })
}

/// `createdb`, accepting a database left by an earlier run.
async fn ensure_database() -> anyhow::Result<()> {
    let out = Command::new("createdb")
        .args(["-h", HOST, "-U", USER, DATABASE])
        .output()
        .await
        .context("running createdb (is the PostgreSQL client installed?)")?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.success() || stderr.contains("already exists") {
        return Ok(());
    }
    bail!("createdb {DATABASE} failed (is PostgreSQL running on {HOST}:5432?): {}", stderr.trim())
}

/// Runs pgbench against [`DATABASE`] with `args`; returns stdout and stderr together.
async fn pgbench(args: &[&str]) -> anyhow::Result<String> {
    let out = Command::new("pgbench")
        .args(["-h", HOST, "-U", USER])
        .args(args)
        .arg(DATABASE)
        .output()
        .await
        .context("running pgbench")?;
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    if !out.status.success() {
        bail!("pgbench {} failed ({}):\n{}", args.join(" "), out.status, text.trim());
    }
    Ok(text)
}

async fn server_version() -> Option<String> {
    let out = Command::new("psql")
        .args(["-h", HOST, "-U", USER, "-d", DATABASE, "-tAc", "SHOW server_version"])
        .output()
        .await
        .ok()?;
    let v = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    (out.status.success() && !v.is_empty()).then_some(v)
}

/// The figure of `tps = 2203.46 (without initial connection time)` (pgbench 14+), or of
/// `tps = ... (excluding connections establishing)` (older).
fn parse_tps(out: &str) -> Option<f64> {
    out.lines().find_map(|l| {
        let rest = l.trim().strip_prefix("tps = ")?;
        let (value, note) = rest.split_once(' ')?;
        let wanted = note.contains("without initial connection time") || note.contains("excluding connections");
        wanted.then(|| value.parse().ok()).flatten()
    })
}

/// The figure of `latency average = 14.523 ms`.
fn parse_latency_ms(out: &str) -> Option<f64> {
    out.lines().find_map(|l| l.trim().strip_prefix("latency average = ")?.strip_suffix(" ms")?.parse().ok())
}

/// The count of `number of transactions actually processed: 44069` (or `44069/44069`).
fn parse_transactions(out: &str) -> Option<u64> {
    out.lines().find_map(|l| {
        let rest = l.trim().strip_prefix("number of transactions actually processed: ")?;
        rest.split('/').next()?.trim().parse().ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// pgbench 15's summary, as printed on the development machines.
    const OUTPUT: &str = "pgbench (15.10 (Debian 15.10-0+deb12u1))
starting vacuum...end.
transaction type: <builtin: TPC-B (sort of)>
scaling factor: 10
query mode: simple
number of clients: 32
number of threads: 2
maximum number of tries: 1
duration: 20 s
number of transactions actually processed: 44069
number of failed transactions: 0 (0.000%)
latency average = 14.523 ms
initial connection time = 35.120 ms
tps = 2203.463920 (without initial connection time)
";

    #[test]
    fn parses_the_summary() {
        assert_eq!(parse_tps(OUTPUT), Some(2203.46392));
        assert_eq!(parse_latency_ms(OUTPUT), Some(14.523));
        assert_eq!(parse_transactions(OUTPUT), Some(44069));
    }

    #[test]
    fn ignores_tps_including_connections() {
        // pgbench 13 and older printed both; only the one without connection time counts.
        let old =
            "tps = 1900.0 (including connections establishing)\ntps = 2000.5 (excluding connections establishing)\n";
        assert_eq!(parse_tps(old), Some(2000.5));
        assert_eq!(parse_tps("nothing here"), None);
    }
}
