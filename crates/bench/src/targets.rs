//! The performance targets, and an honest verdict on each.
//!
//! Targets are ratios to pgbench TPC-B on the same machine, so they hold across machines:
//! the ledger engine ≥ 100× pgbench on SQLite and ≥ 20× on PostgreSQL; the HTTP server
//! ≥ 10× pgbench with p99 ≤ 50 ms. A result whose books do not verify, or that lost or
//! refused transfers, does not pass whatever its speed.

use serde::Serialize;

use crate::engine::EngineResult;
use crate::history::HistoryResult;
use crate::http::HttpResult;
use crate::payments::PaymentsResult;
use crate::pgbench::PgbenchResult;

/// Engine on SQLite: at least this many times pgbench's tps.
const ENGINE_SQLITE_MIN_RATIO: f64 = 100.0;
/// Engine on PostgreSQL: at least this many times pgbench's tps.
const ENGINE_POSTGRES_MIN_RATIO: f64 = 20.0;
/// HTTP: at least this many times pgbench's tps ...
const HTTP_MIN_RATIO: f64 = 10.0;
/// ... with a p99 latency of at most this.
const HTTP_MAX_P99_MS: f64 = 50.0;

/// One target's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    /// What is compared, e.g. `engine sqlite / pgbench`.
    pub name: String,
    /// Transfers/s divided by pgbench's tps.
    pub ratio: Option<f64>,
    /// The target, for people.
    pub target: String,
    /// `PASS`, `MISS`, `N/A` (not measured, or no target) or `FAIL` (a run without a target
    /// whose checks failed).
    pub verdict: &'static str,
    /// Why, when it is not a plain pass.
    pub detail: String,
}

/// Judges every target that applies to the results at hand.
pub fn judge(pgbench: Option<&PgbenchResult>, engine: &[EngineResult], http: &[HttpResult]) -> Vec<Verdict> {
    let base = pgbench.map(|p| p.tps).filter(|t| *t > 0.0);
    let mut out = Vec::new();
    for (backend, min) in [("sqlite", ENGINE_SQLITE_MIN_RATIO), ("postgres", ENGINE_POSTGRES_MIN_RATIO)] {
        let name = format!("engine {backend} / pgbench");
        let target = format!("≥ {min:.0}×");
        let Some(e) = engine.iter().find(|e| e.backend == backend) else {
            out.push(not_measured(name, target, format!("engine {backend} not run")));
            continue;
        };
        let mut problems = Vec::new();
        if !e.verify_ok || e.journals != e.journals_expected {
            problems.push("books did not verify".to_owned());
        }
        if e.rejected + e.failed > 0 {
            problems.push(format!("{} commands rejected or failed", e.rejected + e.failed));
        }
        out.push(verdict(name, target, base.map(|b| e.transfers_per_sec / b), min, problems));
    }
    for h in http {
        let name = format!("HTTP {} / pgbench", h.backend);
        let target = format!("≥ {HTTP_MIN_RATIO:.0}×, p99 ≤ {HTTP_MAX_P99_MS:.0} ms, all 201");
        let mut problems = Vec::new();
        match h.latency.as_ref().map(|l| l.p99_ms) {
            Some(p99) if p99 > HTTP_MAX_P99_MS => problems.push(format!("p99 {p99:.1} ms > {HTTP_MAX_P99_MS:.0} ms")),
            Some(_) => {}
            None => problems.push("no latency measured".to_owned()),
        }
        if h.non_201 > 0 {
            problems.push(format!("{} answers were not 201", h.non_201));
        }
        if !h.verify_ok || h.journals != h.journals_expected {
            problems.push("books did not verify".to_owned());
        }
        out.push(verdict(name, target, base.map(|b| h.transfers_per_sec / b), HTTP_MIN_RATIO, problems));
    }
    if http.is_empty() {
        let target = format!("≥ {HTTP_MIN_RATIO:.0}×, p99 ≤ {HTTP_MAX_P99_MS:.0} ms, all 201");
        out.push(not_measured("HTTP / pgbench".to_owned(), target, "HTTP not run".to_owned()));
    }
    out
}

/// Merchant payments: issue 4 asks for the figure but gives no target, so the verdict is
/// `N/A` when every payment succeeded and the books hold, `FAIL` when they do not.
pub fn judge_payments(payments: &[PaymentsResult]) -> Vec<Verdict> {
    payments
        .iter()
        .map(|p| {
            let mut problems = p.problems.clone();
            if p.failed > 0 {
                problems.insert(0, format!("{} unexpected answers", p.failed));
            }
            let ok = problems.is_empty();
            Verdict {
                name: format!("payments {}", p.backend),
                ratio: None,
                target: "no target given".to_owned(),
                verdict: if ok { "N/A" } else { "FAIL" },
                detail: if ok {
                    format!("{:.0} confirmed/s; all payments succeeded, books verify", p.confirmed_per_sec)
                } else {
                    problems.join("; ")
                },
            }
        })
        .collect()
}

/// History: a first page within this p99 ...
const HISTORY_MAX_PAGE_P99_MS: f64 = 10.0;
/// ... and an export at least this fast.
const HISTORY_MIN_EXPORT_ROWS_PER_SEC: f64 = 100_000.0;

/// Judges the history figures (absolute targets: page p99 ≤ 10 ms, export ≥ 100,000 rows/s).
pub fn judge_history(history: &[HistoryResult]) -> Vec<Verdict> {
    let mut out = Vec::new();
    for h in history {
        let ok = h.page.p99_ms <= HISTORY_MAX_PAGE_P99_MS;
        out.push(Verdict {
            name: format!("history page {}", h.backend),
            ratio: None,
            target: format!("p99 ≤ {HISTORY_MAX_PAGE_P99_MS:.0} ms"),
            verdict: if ok { "PASS" } else { "MISS" },
            detail: format!("p99 {:.2} ms", h.page.p99_ms),
        });
        let ok = h.export_rows_per_sec >= HISTORY_MIN_EXPORT_ROWS_PER_SEC;
        out.push(Verdict {
            name: format!("history export {}", h.backend),
            ratio: None,
            target: format!("≥ {HISTORY_MIN_EXPORT_ROWS_PER_SEC:.0} rows/s"),
            verdict: if ok { "PASS" } else { "MISS" },
            detail: format!("{:.0} rows/s", h.export_rows_per_sec),
        });
    }
    out
}

fn verdict(name: String, target: String, ratio: Option<f64>, min: f64, mut problems: Vec<String>) -> Verdict {
    let Some(ratio) = ratio else { return not_measured(name, target, "pgbench not run".to_owned()) };
    if ratio < min {
        problems.insert(0, format!("{ratio:.1}× < {min:.0}×"));
    }
    let verdict = if problems.is_empty() { "PASS" } else { "MISS" };
    Verdict { name, ratio: Some(ratio), target, verdict, detail: problems.join("; ") }
}

fn not_measured(name: String, target: String, why: String) -> Verdict {
    Verdict { name, ratio: None, target, verdict: "N/A", detail: why }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fast_result_with_problems_still_misses() {
        let pass = verdict("x".into(), "t".into(), Some(120.0), 100.0, vec![]);
        assert_eq!((pass.verdict, pass.detail.as_str()), ("PASS", ""));
        let slow = verdict("x".into(), "t".into(), Some(80.0), 100.0, vec![]);
        assert_eq!((slow.verdict, slow.detail.as_str()), ("MISS", "80.0× < 100×"));
        let broken = verdict("x".into(), "t".into(), Some(120.0), 100.0, vec!["books did not verify".into()]);
        assert_eq!(broken.verdict, "MISS");
        assert_eq!(verdict("x".into(), "t".into(), None, 100.0, vec![]).verdict, "N/A");
    }
}
