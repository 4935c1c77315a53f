//! Latency percentiles.

use serde::Serialize;

/// Latency figures of one run, milliseconds.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Latency {
    /// Requests measured.
    pub samples: usize,
    /// Mean.
    pub mean_ms: f64,
    /// Median.
    pub p50_ms: f64,
    /// 90th percentile.
    pub p90_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// 99.9th percentile.
    pub p999_ms: f64,
    /// Slowest.
    pub max_ms: f64,
}

impl Latency {
    /// Summarises latencies given in microseconds; `None` if there are none.
    pub fn from_micros(mut us: Vec<u64>) -> Option<Latency> {
        us.sort_unstable();
        let ms = |p: f64| percentile(&us, p).map(|v| v as f64 / 1_000.0);
        let sum: u128 = us.iter().map(|&v| u128::from(v)).sum();
        Some(Latency {
            samples: us.len(),
            mean_ms: sum as f64 / us.len().max(1) as f64 / 1_000.0,
            p50_ms: ms(50.0)?,
            p90_ms: ms(90.0)?,
            p99_ms: ms(99.0)?,
            p999_ms: ms(99.9)?,
            max_ms: ms(100.0)?,
        })
    }
}

/// The nearest-rank `p`th percentile (0 < p ≤ 100) of sorted values: the smallest value that
/// at least `p`% of the values do not exceed.
pub fn percentile(sorted: &[u64], p: f64) -> Option<u64> {
    if sorted.is_empty() || !(p > 0.0 && p <= 100.0) {
        return None;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len()) - 1).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&v, 50.0), Some(50));
        assert_eq!(percentile(&v, 99.0), Some(99));
        assert_eq!(percentile(&v, 99.9), Some(100));
        assert_eq!(percentile(&v, 100.0), Some(100));
        assert_eq!(percentile(&[7], 1.0), Some(7));
        assert_eq!(percentile(&[], 50.0), None);
        assert_eq!(percentile(&v, 0.0), None);
    }

    #[test]
    fn summarises_in_milliseconds() {
        let l = Latency::from_micros(vec![3_000, 1_000, 2_000, 10_000]).map(|l| (l.p50_ms, l.max_ms, l.mean_ms));
        assert_eq!(l, Some((2.0, 10.0, 4.0)));
        assert!(Latency::from_micros(vec![]).is_none());
    }
}
