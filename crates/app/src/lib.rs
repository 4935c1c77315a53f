//! OKPay's use cases.
//!
//! Each module owns one use case (or a small family) and is free of HTTP: handlers parse and
//! authenticate, then call a method on [`App`]. Anything that moves money goes through the
//! ledger's group-commit writer with a reference derived from the caller's idempotency key, so
//! a replay (even after a crash) is recognised by the books and never posts twice.

pub mod accounts;
pub mod api_keys;
pub mod audit;
pub mod balances;
pub mod bank_deposits;
pub mod bank_rail;
pub mod bank_worker;
pub mod caller;
pub mod closure;
pub mod closure_review;
pub mod deposits;
pub mod devices;
pub mod email_verification;
pub mod error;
pub mod group_commit;
pub mod history;
pub mod idempotency;
pub mod identity_documents;
pub mod limits;
pub mod lockout;
pub mod mail_handoff;
pub mod mail_worker;
pub mod merchant;
pub mod notices;
pub mod outbox;
pub mod password;
pub mod password_reset;
pub mod payment_methods;
pub mod payments;
pub mod ports;
pub mod profile;
pub mod rail;
pub mod risk;
pub mod sessions;
pub mod staff;
pub mod tokens;
pub mod transfers;
pub mod two_factor;
pub mod users;
pub mod webhooks;
pub mod withdrawals;

use std::sync::Arc;

use okpay_ledger::Ledger;

pub use caller::Caller;
pub use error::{AppError, Code, Details};

/// Settings the use cases need.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// Base of every link OKPay sends (`OKPAY_PUBLIC_URL`), never the request's Host header.
    pub public_url: String,
    /// A session ends after this long without a request.
    pub session_idle_timeout_us: i64,
    /// A session ends this long after sign-in, whatever its activity.
    pub session_lifetime_us: i64,
    /// How long an emailed verification link works.
    pub email_verification_ttl_us: i64,
    /// How long an emailed password-reset link works.
    pub password_reset_ttl_us: i64,
    /// Failed sign-ins of one address, within the window, that lock it.
    pub lockout_max_failures: i64,
    /// The window failed sign-ins are counted in (from the first failure).
    pub lockout_window_us: i64,
    /// How long a lock lasts (and its unlock link works).
    pub lockout_duration_us: i64,
    /// Largest identity-document file accepted, bytes.
    pub max_document_bytes: usize,
    /// Whether webhook URLs may point at loopback or private addresses (tests, local
    /// development); refused otherwise.
    pub webhook_allow_private_networks: bool,
    /// How long the simulated bank rail takes to settle a pull (`OKPAY_BANK_SETTLEMENT_DELAY`), µs.
    pub bank_settlement_delay_us: i64,
    /// Per-user limits on deposits, outgoing payments and withdrawals (API.md §7).
    pub limits: okpay_domain::limits::LimitPolicy,
    /// How long a new withdrawal stays `pending` (cancelable) before its payout starts
    /// (`OKPAY_WITHDRAWAL_CANCEL_WINDOW`), µs.
    pub withdrawal_cancel_window_us: i64,
    /// Withdrawal fees per method and currency.
    pub withdrawal_fees: withdrawals::WithdrawalFees,
    /// OKPay's fee on merchant payments, in basis points of the amount (`OKPAY_MERCHANT_FEE_BPS`;
    /// 0 = no fee), rounded down.
    pub merchant_fee_bps: u32,
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            public_url: "http://127.0.0.1:8080".into(),
            session_idle_timeout_us: 30 * 60 * 1_000_000,
            session_lifetime_us: 12 * 3600 * 1_000_000,
            email_verification_ttl_us: 24 * 3600 * 1_000_000,
            password_reset_ttl_us: 30 * 60 * 1_000_000,
            lockout_max_failures: 5,
            lockout_window_us: 15 * 60 * 1_000_000,
            lockout_duration_us: 15 * 60 * 1_000_000,
            max_document_bytes: identity_documents::DEFAULT_MAX_BYTES,
            webhook_allow_private_networks: false,
            bank_settlement_delay_us: 30 * 1_000_000,
            limits: okpay_domain::limits::LimitPolicy::default(),
            withdrawal_cancel_window_us: 60 * 1_000_000,
            withdrawal_fees: withdrawals::WithdrawalFees::default(),
            merchant_fee_bps: 0,
        }
    }
}

/// The application: storage, books and rails, shared by every request.
#[derive(Clone)]
pub struct App {
    /// Non-ledger storage.
    pub store: Arc<dyn ports::AppStore>,
    /// The books.
    pub ledger: Ledger,
    /// Ledger account ids, cached.
    pub accounts: accounts::Accounts,
    /// The card rail (the built-in simulator until a processor is plugged in).
    pub cards: Arc<dyn rail::CardRail>,
    /// The bank rail (the built-in simulator until a bank is plugged in).
    pub banks: Arc<dyn bank_rail::BankRail>,
    /// In-flight idempotency keys of this process.
    pub idempotency: idempotency::InFlight,
    /// Stores idempotent responses and risk flags, the rows written after money moved, in
    /// group commits that mix both (a request waits for its batch, so a response is never sent
    /// before it is replayable).
    pub after_money: group_commit::GroupCommit<group_commit::AfterMoney>,
    /// The risk rules' reads of the rows assessed after their movements, in batches (one
    /// statement for many rows on PostgreSQL; see [`risk`]).
    pub risk_reads: group_commit::Batcher<ports::RiskQuery, ports::RiskInputs>,
    /// Settings.
    pub config: Arc<AppConfig>,
    /// Wakes this process's mail worker when mail is queued.
    pub mail_wakeup: Arc<tokio::sync::Notify>,
    /// Notice mails handed from this process's notice worker to its mail worker, claimed.
    pub mail_handoff: Arc<mail_handoff::MailHandOff>,
    /// Uploaded identity documents' files (see [`App::with_document_files`]).
    pub documents: Arc<dyn ports::DocumentFiles>,
    /// Wakes this process's webhook worker when a delivery is queued.
    pub webhook_wakeup: Arc<tokio::sync::Notify>,
    /// Wakes this process's bank settlement worker when a bank deposit is created.
    pub bank_wakeup: Arc<tokio::sync::Notify>,
    /// Wakes this process's withdrawal worker when a withdrawal is created.
    pub withdrawal_wakeup: Arc<tokio::sync::Notify>,
    /// Wakes this process's notice worker when a movement queued notices.
    pub notice_wakeup: Arc<tokio::sync::Notify>,
    /// One user's limited movements in turn (see [`limits`]).
    pub limit_gates: Arc<limits::LimitGates>,
}

impl App {
    /// Builds the application over started storage and ledger; starts its background writers,
    /// so it must be called inside a Tokio runtime.
    pub fn new(store: Arc<dyn ports::AppStore>, ledger: Ledger, config: AppConfig) -> App {
        let accounts = accounts::Accounts::new(ledger.store().clone());
        App {
            after_money: group_commit::GroupCommit::start("after-money", {
                let store = store.clone();
                move |rows: Vec<group_commit::AfterMoney>| {
                    let store = store.clone();
                    async move { group_commit::AfterMoney::store(store.as_ref(), rows).await }
                }
            }),
            risk_reads: group_commit::Batcher::start("risk-reads", {
                let store = store.clone();
                move |queries: Vec<ports::RiskQuery>| {
                    let store = store.clone();
                    async move {
                        store.risk_inputs(&queries, okpay_domain::risk::NORM_ROWS).await.map_err(error::AppError::from)
                    }
                }
            }),
            store,
            ledger,
            accounts,
            cards: Arc::new(rail::Simulator),
            banks: Arc::new(bank_rail::BankSimulator { settlement_delay_us: config.bank_settlement_delay_us }),
            idempotency: idempotency::InFlight::default(),
            config: Arc::new(config),
            mail_wakeup: Arc::new(tokio::sync::Notify::new()),
            mail_handoff: Arc::default(),
            documents: Arc::new(identity_documents::NoFiles),
            webhook_wakeup: Arc::new(tokio::sync::Notify::new()),
            bank_wakeup: Arc::new(tokio::sync::Notify::new()),
            withdrawal_wakeup: Arc::new(tokio::sync::Notify::new()),
            notice_wakeup: Arc::new(tokio::sync::Notify::new()),
            limit_gates: Arc::default(),
        }
    }

    /// Keeps uploaded identity documents in `files` (without it, uploads answer `api_error`).
    pub fn with_document_files(mut self, files: Arc<dyn ports::DocumentFiles>) -> App {
        self.documents = files;
        self
    }
}
