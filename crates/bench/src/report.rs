//! The results: printed for people as they are measured, judged against the targets, and
//! serialised as one JSON object at the end.

use okpay_store::testing::TestBackend;
use serde::Serialize;

use crate::cpu::Usage;
use crate::engine::EngineResult;
use crate::history::HistoryResult;
use crate::http::HttpResult;
use crate::machine::Machine;
use crate::payments::PaymentsResult;
use crate::pgbench::PgbenchResult;
use crate::targets::{self, Verdict};

/// Everything one run measured.
#[derive(Debug, Serialize)]
pub struct Report {
    /// Where and what was measured.
    pub machine: Machine,
    /// Whether this was a `--quick` smoke run (its figures are not meaningful).
    pub quick: bool,
    /// The baseline.
    pub pgbench: Option<PgbenchResult>,
    /// The ledger engine, per backend.
    pub engine: Vec<EngineResult>,
    /// The HTTP server, per backend.
    pub http: Vec<HttpResult>,
    /// Merchant payments to one hot merchant, per backend.
    pub payments: Vec<PaymentsResult>,
    /// History reads at scale, per backend.
    pub history: Vec<HistoryResult>,
    /// Sections that did not run, and why.
    pub skipped: Vec<Skip>,
    /// The ratios against the targets.
    pub targets: Vec<Verdict>,
}

/// A section that did not run.
#[derive(Debug, Clone, Serialize)]
pub struct Skip {
    /// Which one.
    pub section: String,
    /// Why.
    pub reason: String,
}

impl Skip {
    /// A section skipped or failed for `reason`.
    pub fn new(section: &str, reason: String) -> Skip {
        Skip { section: section.to_owned(), reason }
    }

    /// A PostgreSQL section skipped because the server is unreachable.
    pub fn unreachable(section: String) -> Skip {
        let reason = "PostgreSQL is unreachable (set OKPAY_TEST_PG_URL, or start it: \
                      pg_ctlcluster --skip-systemctl-redirect 15 main start)"
            .to_owned();
        Skip { section, reason }
    }
}

impl Report {
    /// An empty report for this machine.
    pub fn new(machine: Machine, quick: bool) -> Report {
        Report {
            machine,
            quick,
            pgbench: None,
            engine: vec![],
            http: vec![],
            payments: vec![],
            history: vec![],
            skipped: vec![],
            targets: vec![],
        }
    }

    /// Records a section that did not run, and says so at once.
    pub fn skip(&mut self, skip: Skip) {
        println!("{}: NOT RUN: {}", skip.section, skip.reason);
        self.skipped.push(skip);
    }

    /// Fills in [`Report::targets`].
    pub fn judge(&mut self) {
        self.targets = targets::judge(self.pgbench.as_ref(), &self.engine, &self.http);
        self.targets.extend(targets::judge_payments(&self.payments));
        self.targets.extend(targets::judge_history(&self.history));
    }
}

/// `sqlite` or `postgres`.
pub fn backend_name(backend: TestBackend) -> &'static str {
    match backend {
        TestBackend::Sqlite => "sqlite",
        TestBackend::Postgres => "postgres",
    }
}

/// The machine facts.
pub fn print_header(r: &Report) {
    let m = &r.machine;
    let unknown = || "unknown".to_owned();
    println!("OKPay benchmark — {}{}", m.date, if r.quick { " (QUICK smoke run: figures not meaningful)" } else { "" });
    println!(
        "  machine: {} cores, {}, {} GiB",
        m.nproc,
        m.cpu_model.clone().unwrap_or_else(unknown),
        m.memory_gib.unwrap_or(0.0)
    );
    println!("  kernel:  {} ({})", m.kernel.clone().unwrap_or_else(unknown), m.os.clone().unwrap_or_else(unknown));
    println!(
        "  commit:  {}, {} build",
        m.commit.clone().unwrap_or_else(unknown),
        if m.release_build { "release" } else { "DEBUG" }
    );
}

/// The baseline.
pub fn print_pgbench(p: &PgbenchResult) {
    let c = &p.config;
    println!(
        "pgbench TPC-B (PostgreSQL {}, scale {}, {} clients, {} threads, {} s): {} tps, mean latency {}",
        p.server_version.as_deref().unwrap_or("?"),
        c.scale,
        c.clients,
        c.threads,
        c.seconds,
        thousands(p.tps),
        p.latency_avg_ms.map_or("?".to_owned(), |l| format!("{l:.1} ms")),
    );
}

/// One engine result.
pub fn print_engine(e: &EngineResult) {
    println!(
        "engine {}: {} transfers/s ({} in {:.1} s); mean batch {} (max {}), {} per batch; {} in flight, {} wallets",
        e.backend,
        thousands(e.transfers_per_sec),
        thousands(e.transfers as f64),
        e.seconds,
        e.mean_batch.map_or("?".to_owned(), |b| format!("{b:.0}")),
        e.max_batch,
        e.mean_batch_ms.map_or("?".to_owned(), |m| format!("{m:.1} ms")),
        e.in_flight,
        e.accounts,
    );
    println!(
        "  rejected {}, failed {}; {}; CPU {}",
        e.rejected,
        e.failed,
        books(e.verify_ok, &e.verify_failures, e.journals, e.journals_expected),
        cpu(
            e.cpu.as_ref(),
            if e.backend == "sqlite" { "okpay-bench (load, writer, SQLite)" } else { "okpay-bench (load, writer)" },
            ""
        ),
    );
}

/// One HTTP result.
pub fn print_http(h: &HttpResult) {
    let lat =
        |f: fn(&crate::stats::Latency) -> f64| h.latency.as_ref().map_or("?".to_owned(), |l| format!("{:.1}", f(l)));
    println!(
        "http {} ({} clients): {} transfers/s ({} requests/s, {} requests in {:.1} s); latency ms p50 {} p90 {} p99 {} p99.9 {} max {}",
        h.backend,
        h.clients,
        thousands(h.transfers_per_sec),
        thousands(h.requests_per_sec),
        thousands(h.requests as f64),
        h.seconds,
        lat(|l| l.p50_ms),
        lat(|l| l.p90_ms),
        lat(|l| l.p99_ms),
        lat(|l| l.p999_ms),
        lat(|l| l.max_ms),
    );
    println!(
        "  non-201 answers {}{}; server mean batch {}; mail sent {}/s, {} waiting at the end; {}; CPU {}",
        h.non_201,
        h.first_error.as_ref().map_or(String::new(), |e| format!(" (first: {})", truncate(e, 200))),
        h.mean_batch.map_or("?".to_owned(), |b| format!("{b:.1}")),
        h.mail_sent_per_sec.map_or("?".to_owned(), thousands),
        h.mail_pending_after.map_or("?".to_owned(), thousands),
        books(h.verify_ok, &h.verify_failures, h.journals, h.journals_expected),
        cpu(h.cpu.as_ref(), "load generator", "okpay serve"),
    );
    println!(
        "  beside the load, a profile write (PATCH /v1/me) every {} ms: latency ms {}; {} not 200",
        crate::http::PROFILE_WRITE_EVERY.as_millis(),
        h.profile_write_latency
            .as_ref()
            .map_or("?".to_owned(), |l| format!("p50 {:.1} p99 {:.1} max {:.1}", l.p50_ms, l.p99_ms, l.max_ms)),
        h.profile_write_failed,
    );
}

/// One merchant-payments result.
pub fn print_payments(p: &PaymentsResult) {
    let lat = |l: Option<&crate::stats::Latency>| {
        l.map_or("?".to_owned(), |l| format!("p50 {:.1} p99 {:.1} max {:.1}", l.p50_ms, l.p99_ms, l.max_ms))
    };
    println!(
        "payments {} ({} clients, {} payers, one merchant): {} confirmed payments/s ({} in {:.1} s); \
         latency ms confirm {}, create {}",
        p.backend,
        p.clients,
        p.payers,
        thousands(p.confirmed_per_sec),
        thousands(p.confirmed as f64),
        p.seconds,
        lat(p.confirm_latency.as_ref()),
        lat(p.create_latency.as_ref()),
    );
    let b = &p.books;
    let checks = if p.problems.is_empty() {
        format!(
            "all {} payments succeeded, merchant holds their net {}, books verify ok, {} journals as expected",
            thousands(b.succeeded as f64),
            thousands(b.net_minor as f64),
            thousands(b.journals as f64)
        )
    } else {
        format!("CHECKS FAILED: {}", p.problems.join("; "))
    };
    println!(
        "  unexpected answers {}{}; server mean batch {}; {}; CPU {}",
        p.failed,
        p.first_error.as_ref().map_or(String::new(), |e| format!(" (first: {})", truncate(e, 200))),
        p.mean_batch.map_or("?".to_owned(), |b| format!("{b:.1}")),
        checks,
        cpu(p.cpu.as_ref(), "load generator", "okpay serve"),
    );
}

/// One history result.
pub fn print_history(h: &HistoryResult) {
    println!(
        "history {}: account of {} rows in a store of {} (generated in {:.0} s): first page of a one-week window \
         p50 {:.2} ms p99 {:.2} ms max {:.2} ms ({} pages); CSV export of {} rows at {} rows/s",
        h.backend,
        thousands(h.account_rows as f64),
        thousands(h.total_rows as f64),
        h.seed_secs,
        h.page.p50_ms,
        h.page.p99_ms,
        h.page.max_ms,
        h.page.samples,
        thousands(h.export_rows as f64),
        thousands(h.export_rows_per_sec),
    );
}

/// The verdicts and what did not run.
pub fn print_summary(r: &Report) {
    println!();
    println!("Targets (ratios of transfers/s to pgbench TPC-B tps on this machine; history in absolute figures):");
    for v in &r.targets {
        let ratio = v.ratio.map_or("   n/a".to_owned(), |x| format!("{x:>6.1}×"));
        println!("  {:<4} {:<26} {ratio}   target {:<34} {}", v.verdict, v.name, v.target, v.detail);
    }
    for s in &r.skipped {
        println!("  NOT RUN {}: {}", s.section, s.reason);
    }
    println!();
}

fn books(ok: bool, failures: &[String], journals: i64, expected: i64) -> String {
    let count = if journals == expected {
        format!("{} journals as expected", thousands(journals as f64))
    } else {
        format!("{} journals, EXPECTED {}", thousands(journals as f64), thousands(expected as f64))
    };
    if ok {
        format!("books verify ok, {count}")
    } else {
        format!("books verify FAILED ({}), {count}", failures.join(", "))
    }
}

fn cpu(u: Option<&Usage>, bench: &str, server: &str) -> String {
    let Some(u) = u else { return "unknown".to_owned() };
    let cores = |c: Option<f64>| c.map_or("?".to_owned(), |c| format!("{c:.2}"));
    let mut s =
        format!("{:.2} cores busy ({:.0}%): {bench} {}", u.machine_cores, u.machine_busy_pct, cores(u.bench_cores));
    if u.server_cores.is_some() {
        s.push_str(&format!(", {server} {}", cores(u.server_cores)));
    }
    s.push_str(&format!(", other (PostgreSQL, other processes) {}", cores(u.other_cores)));
    s
}

/// `1234567.8` → `1,234,568`.
pub fn thousands(x: f64) -> String {
    let digits = format!("{:.0}", x.abs());
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(d);
    }
    if x < -0.5 { format!("-{out}") } else { out }
}

fn truncate(s: &str, max_chars: usize) -> String {
    if s.chars().count() <= max_chars {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(max_chars).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_thousands() {
        assert_eq!(thousands(0.0), "0");
        assert_eq!(thousands(999.4), "999");
        assert_eq!(thousands(1_234_567.8), "1,234,568");
        assert_eq!(thousands(-1_000.0), "-1,000");
    }
}
