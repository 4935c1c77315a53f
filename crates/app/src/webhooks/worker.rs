//! The background worker that delivers webhooks.
//!
//! Like the [`crate::mail_worker`]: each round claims due deliveries (a claim counts an attempt
//! and leases the row, so several processes on one PostgreSQL never send one delivery twice at
//! once, and a delivery claimed by a process that died is tried again after its lease), POSTs
//! each, and records the attempt with its result in one transaction: succeeded (2xx); retry
//! later with exponential backoff; or `failed` once the retry window (≥ 24 h) has passed since
//! the delivery was queued. Failures are logged and counted in `/metrics`
//! (`okpay_webhook_*`).

use std::time::Duration;

use okpay_domain::time::now_us;

use super::sender::{Answer, Sender};
use crate::App;
use crate::error::AppError;
use crate::ports::{AttemptOutcome, AttemptRecord, ClaimedDelivery};

/// How the worker retries.
#[derive(Debug, Clone)]
pub struct WebhookWorkerConfig {
    /// Wait after the first failed attempt; doubled after each further one (API.md §4: the
    /// first retry comes within 60 s).
    pub retry_base: Duration,
    /// Longest wait between attempts.
    pub retry_max: Duration,
    /// How long after a delivery was queued it is still retried (API.md §4: at least 24 h).
    pub retry_window: Duration,
    /// How often to look for due rows when nothing wakes the worker.
    pub poll_interval: Duration,
    /// How long a claimed row stays reserved (longer than one attempt can take).
    pub lease: Duration,
    /// Most rows claimed per round.
    pub batch: u32,
    /// Whether loopback and private addresses may be delivered to.
    pub allow_private_networks: bool,
}

impl Default for WebhookWorkerConfig {
    fn default() -> Self {
        WebhookWorkerConfig {
            retry_base: Duration::from_secs(30),
            retry_max: Duration::from_secs(3600),
            retry_window: Duration::from_secs(72 * 3600),
            poll_interval: Duration::from_secs(5),
            lease: Duration::from_secs(60),
            batch: 20,
            allow_private_networks: false,
        }
    }
}

impl WebhookWorkerConfig {
    /// The wait after `attempts` failed attempts: `retry_base × 2^(attempts−1)`, at most `retry_max`.
    pub fn backoff(&self, attempts: i64) -> Duration {
        let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
        self.retry_base.saturating_mul(1u32 << doublings).min(self.retry_max)
    }

    /// What follows a failed attempt number `attempts` of a delivery queued at `created_at_us`,
    /// at `now_us`: another attempt, or `failed` once the next one would fall outside the window.
    pub fn after_failure(&self, attempts: i64, created_at_us: i64, now_us: i64) -> AttemptOutcome {
        let next = now_us.saturating_add(micros(self.backoff(attempts)));
        if next > created_at_us.saturating_add(micros(self.retry_window)) {
            AttemptOutcome::Failed
        } else {
            AttemptOutcome::RetryAt(next)
        }
    }
}

/// Delivers webhooks forever (the server aborts the task on shutdown; a delivery being sent
/// then is retried after its lease, so webhooks are delivered at least once).
pub async fn run(app: App, config: WebhookWorkerConfig) {
    let sender = match Sender::new(config.allow_private_networks) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "webhook worker cannot start");
            return;
        }
    };
    loop {
        let claimed = match deliver_due(&app, &sender, &config).await {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(error = %e, "webhook delivery round failed");
                0
            }
        };
        publish_counts(&app).await;
        if claimed >= config.batch as usize {
            continue; // more may be due right now
        }
        tokio::select! {
            () = app.webhook_wakeup.notified() => {}
            () = tokio::time::sleep(config.poll_interval) => {}
        }
    }
}

/// One round: claims the due deliveries and tries each once, concurrently (one slow
/// merchant does not hold up the others for the round's length). Returns how many were claimed.
pub async fn deliver_due(app: &App, sender: &Sender, config: &WebhookWorkerConfig) -> Result<usize, AppError> {
    let now = now_us();
    let lease_until = now.saturating_add(micros(config.lease));
    let claimed = app.store.claim_deliveries(now, lease_until, config.batch).await?;
    let count = claimed.len();
    let mut tasks = tokio::task::JoinSet::new();
    for delivery in claimed {
        let (app, sender, config) = (app.clone(), sender.clone(), config.clone());
        tasks.spawn(async move { deliver_one(&app, &sender, &config, &delivery).await });
    }
    while let Some(done) = tasks.join_next().await {
        match done {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "recording a webhook attempt failed"),
            Err(e) => tracing::error!(error = %e, "webhook delivery task failed"),
        }
    }
    Ok(count)
}

async fn deliver_one(
    app: &App,
    sender: &Sender,
    config: &WebhookWorkerConfig,
    d: &ClaimedDelivery,
) -> Result<(), AppError> {
    let started_us = now_us();
    let answer = match &d.secret {
        Some(secret) => sender.send(&d.url, secret, started_us / 1_000_000, &d.payload).await,
        None => Answer { status: None, error: Some("the merchant has no webhook secret".into()), duration_ms: 0 },
    };
    let outcome = if answer.succeeded() {
        AttemptOutcome::Succeeded
    } else {
        config.after_failure(d.attempts, d.created_at_us, now_us())
    };
    let attempt = AttemptRecord {
        attempt: d.attempts,
        at_us: started_us,
        http_status: answer.status.map(i64::from),
        error: answer.error.clone(),
        duration_ms: answer.duration_ms,
    };
    app.store.record_attempt(&d.id, &attempt, outcome).await?;
    let error = answer.error.as_deref().unwrap_or("");
    match outcome {
        AttemptOutcome::Succeeded => {
            metrics::counter!("okpay_webhook_delivered_total").increment(1);
            tracing::info!(delivery = %d.id, event = %d.event_id, attempts = d.attempts, "webhook delivered");
        }
        AttemptOutcome::RetryAt(_) => {
            metrics::counter!("okpay_webhook_retries_total").increment(1);
            tracing::warn!(delivery = %d.id, event = %d.event_id, attempts = d.attempts, status = ?answer.status,
                error, "webhook delivery failed; will retry");
        }
        AttemptOutcome::Failed => {
            metrics::counter!("okpay_webhook_failed_total").increment(1);
            tracing::error!(delivery = %d.id, event = %d.event_id, attempts = d.attempts, status = ?answer.status,
                error, "webhook could not be delivered; giving up");
        }
    }
    Ok(())
}

async fn publish_counts(app: &App) {
    if let Ok(c) = app.store.delivery_counts().await {
        // Gauges are floats; counts of rows fit exactly.
        metrics::gauge!("okpay_webhook_deliveries_pending").set(c.pending as f64);
        metrics::gauge!("okpay_webhook_deliveries_failed").set(c.failed as f64);
    }
}

fn micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1_000_000;

    #[test]
    fn backoff_starts_within_a_minute_and_doubles_to_an_hour() {
        let c = WebhookWorkerConfig::default();
        let waits: Vec<u64> = (1..=9).map(|n| c.backoff(n).as_secs()).collect();
        assert_eq!(waits, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert!(c.backoff(1) <= Duration::from_secs(60), "first retry within 60 s (API.md §4)");
        assert_eq!(c.backoff(0), Duration::from_secs(30));
        assert_eq!(c.backoff(i64::MAX), Duration::from_secs(3600));
    }

    #[test]
    fn retries_last_at_least_a_day_then_fail() {
        let c = WebhookWorkerConfig::default();
        // Simulate a receiver that never answers 2xx: attempt at once, then after each wait.
        let (created, mut now, mut attempts) = (0_i64, 0_i64, 1_i64);
        loop {
            match c.after_failure(attempts, created, now) {
                AttemptOutcome::RetryAt(next) => {
                    assert!(next > now);
                    now = next;
                    attempts += 1;
                }
                AttemptOutcome::Failed => break,
                AttemptOutcome::Succeeded => unreachable!("a failure never succeeds"),
            }
        }
        assert!(now >= 24 * 3600 * S, "kept trying for at least 24 h, stopped after {} h", now / 3600 / S);
        assert!(now <= 72 * 3600 * S);
        assert!((70..=90).contains(&attempts), "{attempts} attempts in 72 h");
    }

    #[test]
    fn short_delays_for_tests() {
        let c = WebhookWorkerConfig {
            retry_base: Duration::from_millis(200),
            retry_window: Duration::from_secs(2),
            ..WebhookWorkerConfig::default()
        };
        assert_eq!(c.after_failure(1, 0, 0), AttemptOutcome::RetryAt(200_000));
        assert_eq!(c.after_failure(3, 0, S), AttemptOutcome::RetryAt(S + 800_000));
        assert_eq!(c.after_failure(4, 0, S), AttemptOutcome::Failed, "the next try would fall outside the window");
    }
}
