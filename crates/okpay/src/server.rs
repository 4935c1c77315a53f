//! Wiring: storage → ledger writer → use cases → HTTP, and an orderly shutdown.
//!
//! Shutdown order matters for money: stop accepting connections, let in-flight requests
//! finish, then drop the last ledger handle so the writer commits what is queued and exits.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use okpay_app::bank_worker::{self, BankWorkerConfig};
use okpay_app::mail_worker::{self, MailWorkerConfig};
use okpay_app::notices;
use okpay_app::payments::recovery as payment_recovery;
use okpay_app::webhooks::worker::{self as webhook_worker, WebhookWorkerConfig};
use okpay_app::withdrawals::worker::{self as withdrawal_worker, WithdrawalWorkerConfig};
use okpay_app::{App, AppConfig};
use okpay_http::AppState;
use okpay_http::rate_limit::{RateLimits, sweep_periodically};
use okpay_http::state::Shared;
use okpay_ledger::{Ledger, WriterConfig};
use okpay_mail::Transport;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::Config;

/// Idempotency keys are kept at least 24 h (API.md §1); they are purged after 48 h.
const IDEMPOTENCY_RETENTION_US: i64 = 48 * 3600 * 1_000_000;

/// How often idle clients are dropped from the per-IP rate limiters.
const RATE_LIMIT_SWEEP_EVERY: Duration = Duration::from_secs(60);

/// A started server.
pub struct Running {
    /// The bound address (useful with port 0).
    pub addr: SocketAddr,
    /// Which database backend it uses.
    pub backend: &'static str,
    app: App,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<anyhow::Result<()>>,
}

impl Running {
    /// Stops accepting, finishes in-flight requests, drains the ledger queue.
    pub async fn stop(self) -> anyhow::Result<()> {
        // Our handle on the app holds a ledger handle: drop it so the writer can drain.
        let Running { app, shutdown, task, .. } = self;
        drop(app);
        if let Some(tx) = shutdown {
            let _ = tx.send(());
        }
        task.await.context("server task panicked")?
    }

    /// The running application, for in-process callers (tests emit events through it until
    /// payments do).
    pub fn app(&self) -> &App {
        &self.app
    }

    /// Waits until the server stops by itself (it runs until [`Running::stop`]).
    pub async fn wait(self) -> anyhow::Result<()> {
        // Keep the shutdown sender: dropping it would stop the server.
        let Running { app, task, shutdown: _keep, .. } = self;
        drop(app);
        task.await.context("server task panicked")?
    }
}

/// Opens storage (running migrations), starts the ledger writer and serves HTTP on
/// `config.listen`. Returns once the listener is bound.
pub async fn start(config: Config) -> anyhow::Result<Running> {
    let stores = okpay_store::open(&config.database_url)
        .await
        .with_context(|| format!("opening the database {}", redact(&config.database_url)))?;
    let writer = WriterConfig {
        max_batch: config.ledger_max_batch,
        queue_capacity: config.ledger_queue_capacity,
        ..WriterConfig::default()
    };
    let (ledger, writer_task) = Ledger::start(stores.ledger.clone(), writer);
    let app_config = AppConfig {
        public_url: config.public_url.trim_end_matches('/').to_owned(),
        session_idle_timeout_us: config.session_idle_timeout_secs.saturating_mul(1_000_000),
        session_lifetime_us: config.session_lifetime_secs.saturating_mul(1_000_000),
        email_verification_ttl_us: config.ttl_us(&config.email_verification_ttl, "email_verification_ttl")?,
        password_reset_ttl_us: config.ttl_us(&config.password_reset_ttl, "password_reset_ttl")?,
        lockout_max_failures: config.lockout_max_failures,
        lockout_window_us: config.ttl_us(&config.lockout_window, "lockout_window")?,
        lockout_duration_us: config.ttl_us(&config.lockout_duration, "lockout_duration")?,
        max_document_bytes: config.max_document_bytes,
        webhook_allow_private_networks: config.webhook_allow_private_networks,
        bank_settlement_delay_us: i64::try_from(config.bank_settlement_delay()?.as_micros()).unwrap_or(i64::MAX),
        limits: config.limit_policy()?,
        withdrawal_cancel_window_us: i64::try_from(config.withdrawal_cancel_window()?.as_micros()).unwrap_or(i64::MAX),
        withdrawal_fees: config.withdrawal_fees()?,
        merchant_fee_bps: config.merchant_fee_bps,
    };
    let documents_dir = config.data_dir().join("documents");
    let documents = okpay_store::files::DirectoryFiles::open(&documents_dir)
        .with_context(|| format!("creating the documents directory {}", documents_dir.display()))?;
    let app = App::new(stores.app.clone(), ledger, app_config).with_document_files(Arc::new(documents));
    let outbox_dir = config.data_dir().join("outbox");
    let transport = Transport::from_config(config.smtp_url.as_deref(), &outbox_dir, &config.mail_from)?;
    let retry_base = config.mail_retry_delay()?;
    let mail_config = MailWorkerConfig {
        max_attempts: config.mail_max_attempts,
        retry_base,
        // Look for due retries at least as often as the shortest retry delay.
        poll_interval: MailWorkerConfig::default().poll_interval.min(retry_base),
        ..MailWorkerConfig::default()
    };
    tracing::info!(transport = ?transport, "mail transport");
    let webhook_retry_base = config.webhook_retry_delay()?;
    let webhook_config = WebhookWorkerConfig {
        retry_base: webhook_retry_base,
        retry_window: Duration::from_micros(
            u64::try_from(config.ttl_us(&config.webhook_retry_for, "webhook_retry_for")?).unwrap_or(u64::MAX),
        ),
        poll_interval: WebhookWorkerConfig::default().poll_interval.min(webhook_retry_base),
        allow_private_networks: config.webhook_allow_private_networks,
        ..WebhookWorkerConfig::default()
    };
    let state = AppState::new(Shared {
        app: app.clone(),
        public_url: Arc::from(config.public_url.trim_end_matches('/')),
        max_body_bytes: config.max_body_bytes,
        metrics: okpay_http::install_metrics(),
        rate_limits: config.rate_limits()?.map(|c| Arc::new(RateLimits::new(&c))),
    });
    let listener = TcpListener::bind(&config.listen).await.with_context(|| format!("binding {}", config.listen))?;
    let addr = listener.local_addr()?;
    let state_limits = state.rate_limits.clone();
    let router = okpay_http::router(state);
    let mailer = tokio::spawn(mail_worker::run(app.clone(), transport, mail_config));
    let webhooks = tokio::spawn(webhook_worker::run(app.clone(), webhook_config));
    let banks = tokio::spawn(bank_worker::run(app.clone(), BankWorkerConfig::default()));
    let withdrawals = tokio::spawn(withdrawal_worker::run(app.clone(), WithdrawalWorkerConfig::default()));
    let notices = tokio::spawn(notices::run(app.clone()));
    let recovery = tokio::spawn(payment_recovery::run(app.clone()));
    let handle = app.clone();
    let purge = tokio::spawn(purge_idempotency_keys(app));
    let sweeper = state_limits.map(|l| tokio::spawn(sweep_periodically(l, RATE_LIMIT_SWEEP_EVERY)));
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let served = okpay_http::serve(listener, router, async move {
            let _ = rx.await;
        })
        .await;
        purge.abort();
        let _ = purge.await;
        if let Some(sweeper) = sweeper {
            sweeper.abort();
            let _ = sweeper.await;
        }
        mailer.abort();
        let _ = mailer.await;
        webhooks.abort();
        let _ = webhooks.await;
        banks.abort();
        let _ = banks.await;
        withdrawals.abort();
        let _ = withdrawals.await;
        notices.abort();
        let _ = notices.await;
        recovery.abort();
        let _ = recovery.await;
        // The router (and with it every ledger handle) is gone: the writer drains and stops.
        if tokio::time::timeout(Duration::from_secs(30), writer_task).await.is_err() {
            tracing::error!("ledger writer did not drain within 30 s");
        }
        served.context("HTTP server failed")
    });
    tracing::info!(%addr, backend = stores.backend, "OKPay is listening");
    Ok(Running { addr, backend: stores.backend, app: handle, shutdown: Some(tx), task })
}

async fn purge_idempotency_keys(app: App) {
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tick.tick().await;
        let before = okpay_domain::time::now_us() - IDEMPOTENCY_RETENTION_US;
        match app.store.purge_idempotency_keys(before).await {
            Ok(n) if n > 0 => tracing::info!(purged = n, "purged old idempotency keys"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "purging idempotency keys failed"),
        }
    }
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..s + 3], user, &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_passwords() {
        assert_eq!(super::redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(super::redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(super::redact("sqlite://okpay-data/okpay.db"), "sqlite://okpay-data/okpay.db");
    }
}
