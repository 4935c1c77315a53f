//! Counts the ledger writer's batches in this process.
//!
//! The writer already reports every batch to the `metrics` facade (`okpay_ledger_batch_size`,
//! `okpay_ledger_batch_seconds`); installing a recorder that only sums those two histograms
//! gives the mean batch size and commit time without touching the ledger's code.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use metrics::{Counter, Gauge, Histogram, HistogramFn, Key, KeyName, Metadata, Recorder, SharedString, Unit};

/// Histogram the writer records each batch's command count in.
const BATCH_SIZE: &str = "okpay_ledger_batch_size";
/// Histogram the writer records each batch's duration (seconds) in.
const BATCH_SECONDS: &str = "okpay_ledger_batch_seconds";

static BATCHES: AtomicU64 = AtomicU64::new(0);
static COMMANDS: AtomicU64 = AtomicU64::new(0);
static BATCH_BUSY_US: AtomicU64 = AtomicU64::new(0);

/// Totals of the writer's batches since the process started.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct BatchTotals {
    /// Batches run (including the halves of a bisected batch).
    pub batches: u64,
    /// Commands in them.
    pub commands: u64,
    /// Time spent running them, µs.
    pub busy_us: u64,
}

impl BatchTotals {
    /// What happened between `earlier` and `self`.
    pub fn since(self, earlier: BatchTotals) -> BatchTotals {
        BatchTotals {
            batches: self.batches.saturating_sub(earlier.batches),
            commands: self.commands.saturating_sub(earlier.commands),
            busy_us: self.busy_us.saturating_sub(earlier.busy_us),
        }
    }

    /// Mean commands per batch, if any batch ran.
    pub fn mean_size(self) -> Option<f64> {
        (self.batches > 0).then(|| self.commands as f64 / self.batches as f64)
    }

    /// Mean time per batch in milliseconds, if any batch ran.
    pub fn mean_ms(self) -> Option<f64> {
        (self.batches > 0).then(|| self.busy_us as f64 / 1_000.0 / self.batches as f64)
    }
}

/// The totals now.
pub fn snapshot() -> BatchTotals {
    BatchTotals {
        batches: BATCHES.load(Ordering::Relaxed),
        commands: COMMANDS.load(Ordering::Relaxed),
        busy_us: BATCH_BUSY_US.load(Ordering::Relaxed),
    }
}

/// Makes this process's `metrics` recorder the batch counter. Call once, before the first
/// ledger writer starts (handles registered earlier stay no-ops).
pub fn install() -> anyhow::Result<()> {
    metrics::set_global_recorder(Probe).map_err(|_| anyhow::anyhow!("a metrics recorder was already installed"))
}

struct Probe;

enum Sink {
    Size,
    Seconds,
}

impl HistogramFn for Sink {
    fn record(&self, value: f64) {
        match self {
            Sink::Size => {
                BATCHES.fetch_add(1, Ordering::Relaxed);
                // Batch sizes are small whole numbers; `as` saturates anything odd.
                COMMANDS.fetch_add(value as u64, Ordering::Relaxed);
            }
            Sink::Seconds => {
                BATCH_BUSY_US.fetch_add((value * 1e6) as u64, Ordering::Relaxed);
            }
        }
    }
}

impl Recorder for Probe {
    fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}

    fn register_counter(&self, _: &Key, _: &Metadata<'_>) -> Counter {
        Counter::noop()
    }

    fn register_gauge(&self, _: &Key, _: &Metadata<'_>) -> Gauge {
        Gauge::noop()
    }

    fn register_histogram(&self, key: &Key, _: &Metadata<'_>) -> Histogram {
        match key.name() {
            BATCH_SIZE => Histogram::from_arc(Arc::new(Sink::Size)),
            BATCH_SECONDS => Histogram::from_arc(Arc::new(Sink::Seconds)),
            _ => Histogram::noop(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences_give_means() {
        let a = BatchTotals { batches: 10, commands: 1_000, busy_us: 50_000 };
        let b = BatchTotals { batches: 30, commands: 81_000, busy_us: 250_000 };
        let d = b.since(a);
        assert_eq!(d.mean_size(), Some(4_000.0));
        assert_eq!(d.mean_ms(), Some(10.0));
        assert_eq!(BatchTotals::default().mean_size(), None);
    }
}
