//! The HTTP load: each client sends one request after another and times every request that
//! starts inside the measured window.
//!
//! * [`run_client`]: `POST /v1/transfers`, each with a fresh `Idempotency-Key`.
//! * [`run_profile_client`]: a profile write now and then beside the load, to show how a
//!   write outside the hot path fares while the hot writers keep SQLite's lock busy.
//! * [`run_payment_client`]: `POST /v1/payments` with the merchant's API key, then
//!   `POST /v1/payments/{id}/confirm` from the wallet of one of the payers.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::api::{Answer, Api, User};

/// Which part of the run a request belongs to.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    /// Requests starting before this are warm-up, not timed.
    pub measure_from: Instant,
    /// No request starts after this.
    pub end: Instant,
}

impl Window {
    /// A window of `measure` that starts after `warmup` from now.
    pub fn after(warmup: Duration, measure: Duration) -> Window {
        let measure_from = Instant::now() + warmup;
        Window { measure_from, end: measure_from + measure }
    }

    /// Seconds from the start of the window to `last_done` (when the last measured request
    /// finished), or the window's length if none was measured; never zero.
    pub fn seconds(&self, last_done: Option<Instant>) -> f64 {
        last_done.unwrap_or(self.end).duration_since(self.measure_from).as_secs_f64().max(f64::EPSILON)
    }
}

/// What one or all clients saw of one kind of request.
#[derive(Debug, Default)]
pub struct Tally {
    /// Latency of each measured request, µs.
    pub latencies_us: Vec<u64>,
    /// Measured requests answered with the expected status.
    pub ok_measured: u64,
    /// Requests answered with the expected status over the whole run, warm-up included.
    pub ok_total: u64,
    /// Other answers over the whole run, by status (or `transport error`).
    pub failed: BTreeMap<String, u64>,
    /// The first such answer, for the report.
    pub first_error: Option<String>,
    /// When the last measured request finished.
    pub last_done: Option<Instant>,
}

impl Tally {
    /// Adds another client's tally to this one.
    pub fn merge(&mut self, other: Tally) {
        self.latencies_us.extend(other.latencies_us);
        self.ok_measured += other.ok_measured;
        self.ok_total += other.ok_total;
        for (status, n) in other.failed {
            *self.failed.entry(status).or_default() += n;
        }
        self.first_error = self.first_error.take().or(other.first_error);
        self.last_done = self.last_done.max(other.last_done);
    }

    /// Answers other than the expected one.
    pub fn failed_total(&self) -> u64 {
        self.failed.values().sum()
    }

    /// Records a request that started at `started` and ended now with `answer`; whether it got
    /// the status `want`. A transport error pauses the client briefly, so a dead server is not
    /// hammered in a tight loop.
    pub async fn record(
        &mut self,
        window: &Window,
        started: Instant,
        answer: &anyhow::Result<Answer>,
        want: StatusCode,
    ) -> bool {
        let done = Instant::now();
        let ok = matches!(answer, Ok(a) if a.status == want);
        let measured = started >= window.measure_from;
        if measured {
            self.latencies_us.push(u64::try_from(done.duration_since(started).as_micros()).unwrap_or(u64::MAX));
            self.last_done = Some(done);
        }
        if ok {
            self.ok_total += 1;
            self.ok_measured += u64::from(measured);
            return true;
        }
        let (label, detail) = match answer {
            Ok(a) => (a.status.as_u16().to_string(), format!("{}: {}", a.status, a.unexpected_body)),
            Err(e) => ("transport error".to_owned(), format!("{e:#}")),
        };
        *self.failed.entry(label).or_default() += 1;
        self.first_error.get_or_insert(detail);
        if answer.is_err() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        false
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
        tally.record(&window, started, &answer, StatusCode::CREATED).await;
    }
}

/// One user renaming themselves (`PATCH /v1/me`) every `every` until the window ends.
pub async fn run_profile_client(api: Api, user: User, every: Duration, window: Window) -> Tally {
    let mut tally = Tally::default();
    let mut seq: u64 = 0;
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let started = Instant::now();
        if started >= window.end {
            return tally;
        }
        seq += 1;
        let answer = api.rename(&user, &format!("Bench Probe {seq}")).await;
        tally.record(&window, started, &answer, StatusCode::OK).await;
    }
}

/// What one or all payment clients saw.
#[derive(Debug, Default)]
pub struct PaymentTally {
    /// `POST /v1/payments` (expected 201).
    pub create: Tally,
    /// `POST /v1/payments/{id}/confirm` (expected 200).
    pub confirm: Tally,
    /// Minor units of the payments confirmed over the whole run.
    pub confirmed_minor: i64,
}

impl PaymentTally {
    /// Adds another client's tally to this one.
    pub fn merge(&mut self, other: PaymentTally) {
        self.create.merge(other.create);
        self.confirm.merge(other.confirm);
        self.confirmed_minor = self.confirmed_minor.saturating_add(other.confirmed_minor);
    }
}

/// One payment client, number `client` of `clients`: until the window ends, the merchant (API
/// key `merchant_key`) asks for 1.00–100.00 USD and a payer pays it from their wallet. Client `c`
/// takes payers `c`, `c + clients`, `c + 2 × clients` ... in turn, so with at least as many
/// payers as clients no two clients share one. `payers` is not empty.
pub async fn run_payment_client(
    api: Api,
    merchant_key: Arc<str>,
    payers: Arc<[User]>,
    (client, clients): (usize, usize),
    window: Window,
) -> PaymentTally {
    let mut tally = PaymentTally::default();
    let mut turn: usize = 0;
    loop {
        let started = Instant::now();
        if started >= window.end {
            return tally;
        }
        let amount_minor = rand::random_range(100..=10_000);
        let created = api.create_payment(&merchant_key, amount_minor).await;
        let id = created.as_ref().ok().and_then(|(_, id)| id.clone());
        let answer = created.map(|(answer, _)| answer);
        if !tally.create.record(&window, started, &answer, StatusCode::CREATED).await {
            continue;
        }
        let Some(id) = id else { continue };
        let payer = &payers[client.wrapping_add(turn.wrapping_mul(clients)) % payers.len()];
        let key = format!("confirm-{client}-{turn}");
        turn = turn.wrapping_add(1);
        let started = Instant::now();
        let answer = api.confirm_payment(payer, &id, &key).await;
        if tally.confirm.record(&window, started, &answer, StatusCode::OK).await {
            tally.confirmed_minor = tally.confirmed_minor.saturating_add(amount_minor);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merging_adds_up() {
        let mut a = Tally { ok_total: 2, failed: BTreeMap::from([("503".into(), 1)]), ..Tally::default() };
        let b = Tally {
            ok_total: 3,
            failed: BTreeMap::from([("503".into(), 2), ("402".into(), 1)]),
            first_error: Some("503".into()),
            ..Tally::default()
        };
        a.merge(b);
        assert_eq!(a.ok_total, 5);
        assert_eq!(a.failed_total(), 4);
        assert_eq!(a.first_error.as_deref(), Some("503"));
    }

    #[tokio::test]
    async fn records_only_the_window_and_counts_failures() {
        let now = Instant::now();
        let window = Window { measure_from: now, end: now + Duration::from_secs(60) };
        let mut t = Tally::default();
        let created = Ok(Answer { status: StatusCode::CREATED, unexpected_body: String::new() });
        let refused = Ok(Answer { status: StatusCode::PAYMENT_REQUIRED, unexpected_body: "no money".into() });
        assert!(t.record(&window, now - Duration::from_secs(1), &created, StatusCode::CREATED).await);
        assert!(t.record(&window, now, &created, StatusCode::CREATED).await);
        assert!(!t.record(&window, now, &refused, StatusCode::CREATED).await);
        assert_eq!((t.ok_total, t.ok_measured, t.latencies_us.len()), (2, 1, 2));
        assert_eq!(t.failed.get("402"), Some(&1));
        assert_eq!(t.first_error.as_deref(), Some("402 Payment Required: no money"));
    }
}
