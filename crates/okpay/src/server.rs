//! Wiring: storage → ledger writer → use cases → HTTP, and an orderly shutdown.
//!
//! Shutdown order matters for money: stop accepting connections, let in-flight requests
//! finish, then drop the last ledger handle so the writer commits what is queued and exits.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use okpay_app::mail_worker::{self, MailWorkerConfig};
use okpay_app::{App, AppConfig};
use okpay_http::AppState;
use okpay_http::rate_limit::{RateLimits, sweep_periodically};
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
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<anyhow::Result<()>>,
}

impl Running {
    /// Stops accepting, finishes in-flight requests, drains the ledger queue.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.task.await.context("server task panicked")?
    }

    /// Waits until the server stops by itself (it runs until [`Running::stop`]).
    pub async fn wait(self) -> anyhow::Result<()> {
        self.task.await.context("server task panicked")?
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
    };
    let app = App::new(stores.app.clone(), ledger, app_config);
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
    let state = AppState {
        app: app.clone(),
        public_url: Arc::from(config.public_url.trim_end_matches('/')),
        max_body_bytes: config.max_body_bytes,
        metrics: okpay_http::install_metrics(),
        rate_limits: config.rate_limits()?.map(|c| Arc::new(RateLimits::new(&c))),
    };
    let listener = TcpListener::bind(&config.listen).await.with_context(|| format!("binding {}", config.listen))?;
    let addr = listener.local_addr()?;
    let state_limits = state.rate_limits.clone();
    let router = okpay_http::router(state);
    let mailer = tokio::spawn(mail_worker::run(app.clone(), transport, mail_config));
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
        // The router (and with it every ledger handle) is gone: the writer drains and stops.
        if tokio::time::timeout(Duration::from_secs(30), writer_task).await.is_err() {
            tracing::error!("ledger writer did not drain within 30 s");
        }
        served.context("HTTP server failed")
    });
    tracing::info!(%addr, backend = stores.backend, "OKPay is listening");
    Ok(Running { addr, backend: stores.backend, shutdown: Some(tx), task })
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
