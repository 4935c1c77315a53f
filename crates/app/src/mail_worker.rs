//! The background worker that delivers the mail outbox.
//!
//! Each round claims the due rows (a claim counts an attempt and leases the row, so several
//! processes on one PostgreSQL never send the same row twice at once, and a row claimed by a
//! process that died is tried again once its lease ends), sends them, and records the result:
//! sent; retry later with exponential backoff; or `failed` after the last attempt, logged at
//! error level and counted in `/metrics` (`okpay_mail_failed_total`, and the gauge
//! `okpay_mail_outbox_failed` of rows in that state) so operators see it. Notice mails of this
//! process arrive already claimed, handed over in memory ([`crate::mail_handoff`]), and are
//! sent without a claim round.

use std::time::Duration;

use futures::FutureExt;
use futures::stream::{self, StreamExt};
use okpay_domain::time::now_us;
use okpay_mail::{Envelope, Rendered, Transport};
use tokio::time::Instant;

use crate::App;
use crate::error::AppError;
use crate::ports::OutboxMail;

/// Shortest time between two updates of the outbox gauges (each counts the outbox rows).
pub const PUBLISH_EVERY: Duration = Duration::from_secs(1);

/// How the worker retries.
#[derive(Debug, Clone)]
pub struct MailWorkerConfig {
    /// Attempts before a row is `failed`.
    pub max_attempts: i64,
    /// Wait after the first failed attempt; doubled after each further one.
    pub retry_base: Duration,
    /// Longest wait between attempts.
    pub retry_max: Duration,
    /// How often to look for due rows when nothing wakes the worker.
    pub poll_interval: Duration,
    /// How long a claimed row stays reserved (longer than one delivery can take).
    pub lease: Duration,
    /// Most rows claimed per round.
    pub batch: u32,
    /// Messages in delivery at once, over all lanes.
    pub concurrency: usize,
    /// Rounds running side by side, each with its share of `concurrency`: while one lane
    /// writes its claim or its "sent" rows (which on SQLite wait for the write turn), the
    /// others' messages are on the wire.
    pub lanes: usize,
    /// How long a woken worker waits before its round, so mail queued by the commits right
    /// after the wake-up joins it (fewer, larger write transactions).
    pub gather: Duration,
}

impl Default for MailWorkerConfig {
    fn default() -> Self {
        MailWorkerConfig {
            max_attempts: 8,
            retry_base: Duration::from_secs(30),
            retry_max: Duration::from_secs(3600),
            poll_interval: Duration::from_secs(5),
            lease: Duration::from_secs(120),
            // A round's claim and its "sent" write cost about as much for 100 rows as for
            // 20 (docs/benchmarks.md): at 20 the worker fell behind two notices per transfer;
            // with two lanes of 100 it still left thousands waiting after 15 s, with 200 a
            // few hundred.
            batch: 200,
            // Few: a relay may limit connections per client (each delivery in flight holds one;
            // Postfix allows 50). At 8, SQLite's HTTP benchmark fell behind (~3,000 mails/s sent
            // for ~3,600/s queued, 9,000 waiting after 15 s); at 16 it keeps up. 16 is also the
            // relay's idle-connection cap.
            concurrency: 16,
            // One lane sent ~1,600 mails/s when the HTTP benchmark queued ~2,700/s: each
            // round's deliveries waited for its claim and its "sent" write (docs/benchmarks.md).
            lanes: 2,
            gather: Duration::from_millis(20),
        }
    }
}

impl MailWorkerConfig {
    /// The wait after `attempts` failed attempts: `retry_base × 2^(attempts−1)`, at most `retry_max`.
    pub fn backoff(&self, attempts: i64) -> Duration {
        let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
        self.retry_base.saturating_mul(1u32 << doublings).min(self.retry_max)
    }
}

/// Delivers the outbox forever (the server aborts the task on shutdown; a row being sent then
/// is retried after its lease, so mail is delivered at least once).
pub async fn run(app: App, transport: Transport, config: MailWorkerConfig) {
    // Open while this future lives: aborting the worker closes it.
    let _handoff = app.mail_handoff.attach(config.lease);
    let lanes = config.lanes.max(1);
    // Each lane claims its own rows (a claim leases them), so lanes never send a row twice.
    let lane = MailWorkerConfig { concurrency: (config.concurrency / lanes).max(1), ..config };
    // The outbox gauges count the whole outbox: one lane publishing them is enough.
    let lanes = (0..lanes).map(|i| run_lane(&app, &transport, &lane, i == 0));
    futures::future::join_all(lanes).await;
}

/// One lane: sends what is handed over as it comes, and runs a claim round at start, after a
/// wake-up (mail queued due), at the latest a poll interval after the previous one (also
/// while hand-overs keep it busy: due mail and retries never wait behind them), and again
/// while rounds find a full batch. The lane that `publishes` updates the outbox gauges after
/// each claim round, and after hand-over rounds at most every [`PUBLISH_EVERY`].
async fn run_lane(app: &App, transport: &Transport, config: &MailWorkerConfig, publishes: bool) {
    // A share of the batch, so the other lanes take part in a large hand-over.
    let share = (config.batch as usize / config.lanes.max(1)).max(1);
    let mut claim = true;
    let mut claim_by = Instant::now();
    let mut published: Option<Instant> = None;
    loop {
        let handed = app.mail_handoff.take(share, now_us());
        let sent_handed = !handed.is_empty();
        if sent_handed && let Err(e) = deliver(app, transport, config, &handed).await {
            tracing::warn!(error = %e, "mail hand-over round failed");
        }
        if !claim && (Instant::now() >= claim_by || app.mail_wakeup.notified().now_or_never().is_some()) {
            claim = true;
        }
        let ran_claim = claim;
        if claim {
            claim_by = Instant::now() + config.poll_interval;
            let claimed = match deliver_due(app, transport, config).await {
                Ok(n) => n,
                Err(e) => {
                    tracing::warn!(error = %e, "mail outbox round failed");
                    0
                }
            };
            claim = claimed >= config.batch as usize; // more may be due right now
        }
        if publishes && (ran_claim || published.is_none_or(|at| at.elapsed() >= PUBLISH_EVERY)) {
            publish_counts(app).await;
            published = Some(Instant::now());
        }
        if sent_handed || claim {
            continue;
        }
        tokio::select! {
            () = app.mail_handoff.handed_over() => {}
            () = app.mail_wakeup.notified() => {
                // Let the mail of the next few commits join this round: one claim and one
                // "sent" write for many mails instead of a pair per commit.
                tokio::time::sleep(config.gather).await;
                claim = true;
            }
            () = tokio::time::sleep_until(claim_by) => claim = true,
        }
    }
}

/// One round: claims the due rows and tries each once. Returns how many were claimed.
pub async fn deliver_due(app: &App, transport: &Transport, config: &MailWorkerConfig) -> Result<usize, AppError> {
    let now = now_us();
    let lease_until = now.saturating_add(micros(config.lease));
    let mails = app.store.claim_mails(now, lease_until, config.batch).await?;
    deliver(app, transport, config, &mails).await.map(|()| mails.len())
}

/// Tries each of `mails` (claimed by this process) once and records the results.
async fn deliver(
    app: &App,
    transport: &Transport,
    config: &MailWorkerConfig,
    mails: &[OutboxMail],
) -> Result<(), AppError> {
    // Several at a time: a message spends most of its time waiting on the SMTP server (or the
    // file system), not on this process.
    // (By index: a closure over `&OutboxMail` trips the compiler's check that the spawned
    // worker's future is `Send` for every lifetime.)
    let results: Vec<Result<bool, AppError>> = stream::iter(0..mails.len())
        .map(|i| deliver_one(app, transport, config, &mails[i]))
        .buffered(config.concurrency.max(1))
        .collect()
        .await;
    let mut sent = Vec::with_capacity(mails.len());
    let mut outcome = Ok(());
    for (mail, result) in mails.iter().zip(results) {
        match result {
            Ok(true) => sent.push(mail),
            Ok(false) => {}
            Err(e) => {
                if outcome.is_ok() {
                    outcome = Err(e);
                }
            }
        }
    }
    // One write for the round's delivered mail, also when a later row's bookkeeping failed (a
    // row sent but not recorded would be sent again after its lease).
    let ids: Vec<String> = sent.iter().map(|m| m.id.clone()).collect();
    app.store.mails_sent(&ids, now_us()).await?;
    for mail in sent {
        metrics::counter!("okpay_mail_sent_total").increment(1);
        tracing::info!(mail = %mail.id, kind = %mail.kind, attempts = mail.attempts, "mail sent");
    }
    outcome
}

/// Tries one row once. Returns whether it was delivered (the caller records that, for the whole
/// round at once); a failure is recorded here.
async fn deliver_one(
    app: &App,
    transport: &Transport,
    config: &MailWorkerConfig,
    mail: &OutboxMail,
) -> Result<bool, AppError> {
    let rendered = Rendered { subject: mail.subject.clone(), text: mail.text.clone(), html: mail.html.clone() };
    let envelope = Envelope { id: &mail.id, to: &mail.to };
    match transport.send(&envelope, &rendered).await {
        Ok(()) => return Ok(true),
        Err(e) if e.permanent || mail.attempts >= config.max_attempts => {
            app.store.mail_failed(&mail.id, &e.message, now_us()).await?;
            metrics::counter!("okpay_mail_failed_total").increment(1);
            tracing::error!(mail = %mail.id, kind = %mail.kind, attempts = mail.attempts, error = %e,
                "mail could not be delivered; giving up");
        }
        Err(e) => {
            let next = now_us().saturating_add(micros(config.backoff(mail.attempts)));
            app.store.mail_retry_at(&mail.id, next, &e.message).await?;
            metrics::counter!("okpay_mail_retries_total").increment(1);
            tracing::warn!(mail = %mail.id, kind = %mail.kind, attempts = mail.attempts, error = %e,
                "mail delivery failed; will retry");
        }
    }
    Ok(false)
}

async fn publish_counts(app: &App) {
    if let Ok(c) = app.store.mail_counts().await {
        // Gauges are floats; counts of rows fit exactly.
        metrics::gauge!("okpay_mail_outbox_pending").set(c.pending as f64);
        metrics::gauge!("okpay_mail_outbox_failed").set(c.failed as f64);
    }
}

fn micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let c = MailWorkerConfig { retry_base: Duration::from_secs(30), ..MailWorkerConfig::default() };
        assert_eq!(c.backoff(1), Duration::from_secs(30));
        assert_eq!(c.backoff(2), Duration::from_secs(60));
        assert_eq!(c.backoff(4), Duration::from_secs(240));
        assert_eq!(c.backoff(20), Duration::from_secs(3600));
        assert_eq!(c.backoff(i64::MAX), Duration::from_secs(3600));
        assert_eq!(c.backoff(0), Duration::from_secs(30));
    }
}
