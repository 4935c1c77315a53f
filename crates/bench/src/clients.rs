//! The HTTP load: each client sends `POST /v1/transfers` one after another, each with a fresh
//! `Idempotency-Key`, and times every request that starts inside the measured window.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::api::{Api, User};

/// Which part of the run a request belongs to.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    /// Requests starting before this are warm-up, not timed.
    pub measure_from: Instant,
    /// No request starts after this.
    pub end: Instant,
}

/// What one or all clients saw.
#[derive(Debug, Default)]
pub struct Tally {
    /// Latency of each measured request, µs.
    pub latencies_us: Vec<u64>,
    /// Measured requests answered 201.
    pub created_measured: u64,
    /// Requests answered 201 over the whole run, warm-up included (each is one journal).
    pub created_total: u64,
    /// Answers other than 201 over the whole run, by status (or `transport error`).
    pub non_201: BTreeMap<String, u64>,
    /// The first such answer, for the report.
    pub first_error: Option<String>,
    /// When the last measured request finished.
    pub last_done: Option<Instant>,
}

impl Tally {
    /// Adds another client's tally to this one.
    pub fn merge(&mut self, other: Tally) {
        self.latencies_us.extend(other.latencies_us);
        self.created_measured += other.created_measured;
        self.created_total += other.created_total;
        for (status, n) in other.non_201 {
            *self.non_201.entry(status).or_default() += n;
        }
        self.first_error = self.first_error.take().or(other.first_error);
        self.last_done = self.last_done.max(other.last_done);
    }

    /// Answers other than 201.
    pub fn non_201_total(&self) -> u64 {
        self.non_201.values().sum()
    }
}

/// One client: `sender` pays random `recipients` 1–100 cents until the window ends.
/// `recipients` is not empty.
pub async fn run_client(api: Api, sender: User, recipients: Arc<[String]>, client: usize, window: Window) -> Tally {
    let mut tally = Tally::default();
    let mut seq: u64 = 0;
    loop {
        let started = Instant::now();
        if started >= window.end {
            return tally;
        }
        let to = &recipients[rand::random_range(0..recipients.len())];
        let key = format!("bench-{client}-{seq}");
        seq += 1;
        let answer = api.transfer(&sender, to, rand::random_range(1..=100), &key).await;
        let done = Instant::now();
        let created = matches!(&answer, Ok(a) if a.status == StatusCode::CREATED);
        let measured = started >= window.measure_from;
        if measured {
            tally.latencies_us.push(u64::try_from(done.duration_since(started).as_micros()).unwrap_or(u64::MAX));
            tally.last_done = Some(done);
        }
        if created {
            tally.created_total += 1;
            tally.created_measured += u64::from(measured);
            continue;
        }
        let (label, detail) = match answer {
            Ok(a) => (a.status.as_u16().to_string(), format!("{}: {}", a.status, a.unexpected_body)),
            Err(e) => {
                // A dead server would otherwise be hammered in a tight loop.
                tokio::time::sleep(Duration::from_millis(10)).await;
                ("transport error".to_owned(), format!("{e:#}"))
            }
        };
        *tally.non_201.entry(label).or_default() += 1;
        tally.first_error.get_or_insert(detail);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merging_adds_up() {
        let mut a = Tally { created_total: 2, non_201: BTreeMap::from([("503".into(), 1)]), ..Tally::default() };
        let b = Tally {
            created_total: 3,
            non_201: BTreeMap::from([("503".into(), 2), ("402".into(), 1)]),
            first_error: Some("503".into()),
            ..Tally::default()
        };
        a.merge(b);
        assert_eq!(a.created_total, 5);
        assert_eq!(a.non_201_total(), 4);
        assert_eq!(a.first_error.as_deref(), Some("503"));
    }
}
