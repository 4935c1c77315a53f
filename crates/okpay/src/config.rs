//! OKPay's one typed configuration: defaults, then an optional TOML file (`--config`), then
//! `OKPAY_*` environment variables (API.md §7). Every option is documented in [`OPTIONS`],
//! which `okpay config example` prints.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use okpay_app::withdrawals::WithdrawalFees;
use okpay_domain::Currency;
use okpay_domain::limits::{LimitPolicy, MIN_VERIFIED_FACTOR, base_daily_minor};
use okpay_domain::withdrawal::WithdrawalMethod;
use okpay_http::rate_limit::{Budget, RateLimitConfig};
use serde::{Deserialize, Serialize};

/// The configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// `sqlite://path` or `postgres://...`.
    pub database_url: String,
    /// Address to listen on.
    pub listen: String,
    /// Base of every link OKPay sends.
    pub public_url: String,
    /// Outgoing mail server; unset writes `.eml` files under `okpay-data/outbox/`.
    pub smtp_url: Option<String>,
    /// Inbound support mail listener; unset disables it.
    pub support_smtp_listen: Option<String>,
    /// `on` or `off`: per-IP request limits.
    pub rate_limit: String,
    /// Per-IP budget of `POST /v1/sessions` (`"5/m burst 10"`).
    pub rate_limit_sign_in: String,
    /// Per-IP budget of `POST /v1/users` and `POST /v1/users/verify-email`.
    pub rate_limit_registration: String,
    /// Per-IP budget of password resets (request and confirm) and unlock links.
    pub rate_limit_recovery: String,
    /// Most clients tracked per endpoint group; newcomers beyond it share one budget.
    pub rate_limit_max_clients: usize,
    /// How long the simulated bank rail takes to settle (`30s`, `500ms`, `2m`).
    pub bank_settlement_delay: String,
    /// How long a new withdrawal stays `pending` (cancelable) before its payout starts.
    pub withdrawal_cancel_window: String,
    /// Bank-account withdrawal fees per currency (`"usd:25, eur:25, cny:200, jpy:30"`).
    pub withdrawal_fees_bank_account: String,
    /// Card withdrawal fees per currency (`"usd:0+150bps, ..."`).
    pub withdrawal_fees_card: String,
    /// Largest JSON request body, bytes.
    pub max_body_bytes: usize,
    /// Largest identity-document upload, bytes.
    pub max_document_bytes: usize,
    /// Most ledger commands per database transaction.
    pub ledger_max_batch: usize,
    /// Most ledger commands waiting; beyond it requests get 503 `service_busy`.
    pub ledger_queue_capacity: usize,
    /// `text` or `json` log lines.
    pub log_format: String,
    /// Seconds without a request before a session ends.
    pub session_idle_timeout_secs: i64,
    /// Seconds after sign-in when a session ends regardless.
    pub session_lifetime_secs: i64,
    /// Directory of OKPay's own files (`outbox/`); unset: the SQLite file's directory, or `okpay-data`.
    pub data_dir: Option<String>,
    /// Sender of every mail.
    pub mail_from: String,
    /// Delivery attempts before a mail is marked failed.
    pub mail_max_attempts: i64,
    /// Wait after the first failed delivery, doubled after each further one (at most 1 h).
    pub mail_retry_delay: String,
    /// How long an emailed verification link works (`24h`).
    pub email_verification_ttl: String,
    /// How long an emailed password-reset link works (`30m`).
    pub password_reset_ttl: String,
    /// Failed sign-ins of one address within `lockout_window` that lock it.
    pub lockout_max_failures: i64,
    /// The window failed sign-ins are counted in.
    pub lockout_window: String,
    /// How long a lock lasts.
    pub lockout_duration: String,
    /// Whether webhook URLs may point at loopback or private addresses.
    pub webhook_allow_private_networks: bool,
    /// OKPay's fee on merchant payments, in basis points of the amount (0 = none, at most 5000).
    pub merchant_fee_bps: u32,
    /// Wait after the first failed webhook attempt (`30s`); doubled after each further one.
    pub webhook_retry_delay: String,
    /// How long a webhook delivery is retried before it is marked failed (`72h`).
    pub webhook_retry_for: String,
    /// Level-0 daily limit in usd (minor units) for each of deposits, transfers, withdrawals.
    pub daily_limit_usd: i64,
    /// The same in eur.
    pub daily_limit_eur: i64,
    /// The same in cny.
    pub daily_limit_cny: i64,
    /// The same in jpy.
    pub daily_limit_jpy: i64,
    /// How much an approved identity document multiplies every limit (at least 10).
    pub verified_limit_factor: i64,
    /// A month's limit as a multiple of the daily limit.
    pub monthly_limit_factor: i64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: "sqlite://okpay-data/okpay.db".into(),
            listen: "127.0.0.1:8080".into(),
            public_url: "http://127.0.0.1:8080".into(),
            smtp_url: None,
            support_smtp_listen: None,
            rate_limit: "on".into(),
            rate_limit_sign_in: "5/m burst 10".into(),
            rate_limit_registration: "3/m burst 10".into(),
            rate_limit_recovery: "3/m burst 10".into(),
            rate_limit_max_clients: 100_000,
            bank_settlement_delay: "30s".into(),
            withdrawal_cancel_window: "60s".into(),
            withdrawal_fees_bank_account: WithdrawalFees::default().describe(WithdrawalMethod::BankAccount),
            withdrawal_fees_card: WithdrawalFees::default().describe(WithdrawalMethod::Card),
            max_body_bytes: 64 * 1024,
            max_document_bytes: okpay_app::identity_documents::DEFAULT_MAX_BYTES,
            ledger_max_batch: 8_190,
            ledger_queue_capacity: 65_536,
            log_format: "text".into(),
            session_idle_timeout_secs: 30 * 60,
            session_lifetime_secs: 12 * 3600,
            data_dir: None,
            mail_from: "OKPay <no-reply@okpay.local>".into(),
            mail_max_attempts: 8,
            mail_retry_delay: "30s".into(),
            email_verification_ttl: "24h".into(),
            password_reset_ttl: "30m".into(),
            lockout_max_failures: 5,
            lockout_window: "15m".into(),
            lockout_duration: "15m".into(),
            webhook_allow_private_networks: false,
            merchant_fee_bps: 0,
            webhook_retry_delay: "30s".into(),
            webhook_retry_for: "72h".into(),
            daily_limit_usd: base_daily_minor(Currency::Usd),
            daily_limit_eur: base_daily_minor(Currency::Eur),
            daily_limit_cny: base_daily_minor(Currency::Cny),
            daily_limit_jpy: base_daily_minor(Currency::Jpy),
            verified_limit_factor: MIN_VERIFIED_FACTOR,
            monthly_limit_factor: 10,
        }
    }
}

/// Every option with its documentation, in the order `okpay config example` prints them.
pub const OPTIONS: &[(&str, &str)] = &[
    ("database_url", "Database: sqlite://path (embedded, created on first start) or postgres://user@host/db."),
    ("listen", "Address and port the HTTP server binds."),
    ("public_url", "Base URL of every link OKPay sends (emails, doc_url); never taken from the Host header."),
    ("smtp_url", "Outgoing SMTP server, e.g. smtp://127.0.0.1:2525. Unset: mail is written to okpay-data/outbox/."),
    ("support_smtp_listen", "Address of the inbound support mail listener, e.g. 127.0.0.1:2526. Unset: off."),
    (
        "rate_limit",
        "on or off: per-IP request limits on sign-in, registration and account recovery (429 rate_limited with \
         Retry-After). off is for load tests and local development; per-email lockout stays on.",
    ),
    (
        "rate_limit_sign_in",
        "Per-IP budget of POST /v1/sessions: \"<count>/<period> burst <n>\" = n at once, then count per period \
         (s, m, h, e.g. 15m).",
    ),
    ("rate_limit_registration", "Per-IP budget of POST /v1/users and POST /v1/users/verify-email (same syntax)."),
    (
        "rate_limit_recovery",
        "Per-IP budget of POST /v1/password-resets, /v1/password-resets/confirm and /v1/users/unlock (same syntax).",
    ),
    (
        "rate_limit_max_clients",
        "Most client addresses (IPv6: /64 networks) tracked per group; beyond it newcomers share one budget \
         until idle clients are swept (every minute).",
    ),
    ("bank_settlement_delay", "How long the simulated bank rail takes to settle deposits and withdrawals."),
    (
        "withdrawal_cancel_window",
        "How long a new withdrawal stays pending (the owner may cancel it) before its payout starts (e.g. 60s).",
    ),
    (
        "withdrawal_fees_bank_account",
        "Fees of withdrawals to bank accounts, per currency: \"<currency>:<fixed minor units>+<basis points>bps\", \
         comma-separated (fee = fixed + amount × bps / 10000, rounded up). Currencies not named keep their default.",
    ),
    ("withdrawal_fees_card", "Fees of withdrawals to cards, per currency (same syntax; 150bps = 1.5 %)."),
    ("max_body_bytes", "Largest JSON request body accepted, in bytes (larger: 413 request_too_large)."),
    (
        "max_document_bytes",
        "Largest identity-document file accepted (JPEG, PNG or PDF), in bytes (larger: 413 file_too_large). Files are \
         kept under <data_dir>/documents/.",
    ),
    ("ledger_max_batch", "Most ledger commands committed in one database transaction (group commit)."),
    ("ledger_queue_capacity", "Most ledger commands waiting to commit; beyond it requests get 503 service_busy."),
    ("log_format", "text or json."),
    ("session_idle_timeout_secs", "A session ends after this many seconds without a request."),
    ("session_lifetime_secs", "A session ends this many seconds after sign-in, whatever its activity."),
    (
        "data_dir",
        "Directory for OKPay's files (outbox/ holds .eml mail when smtp_url is unset; documents/ holds \
         uploaded identity documents, never served statically). Unset: the SQLite database's directory, or \
         okpay-data.",
    ),
    ("mail_from", "Sender of every mail OKPay sends, e.g. \"OKPay <no-reply@pay.example.com>\"."),
    ("mail_max_attempts", "Delivery attempts before a mail is marked failed (logged, counted in /metrics)."),
    ("mail_retry_delay", "Wait after the first failed delivery; doubled after each further one, at most 1 h."),
    ("email_verification_ttl", "How long the emailed email-verification link works (e.g. 24h, 90m)."),
    ("password_reset_ttl", "How long the emailed password-reset link works (e.g. 30m)."),
    ("lockout_max_failures", "Failed sign-ins of one email address (registered or not) that lock it."),
    ("lockout_window", "The window those failures are counted in, from the first one (e.g. 15m)."),
    ("lockout_duration", "How long a lock lasts; the emailed unlock link or a password reset lifts it sooner."),
    (
        "webhook_allow_private_networks",
        "true lets merchants' webhook URLs point at loopback and private addresses (tests, local development). \
         false (default) refuses them (invalid_webhook_url) and never connects to one.",
    ),
    (
        "merchant_fee_bps",
        "OKPay's fee on each merchant payment, in basis points of the amount (290 = 2.90 %), rounded down and kept \
         from what the merchant receives; 0 (default) charges none; at most 5000. Refunds do not return it.",
    ),
    (
        "webhook_retry_delay",
        "Wait after a failed webhook attempt; doubled after each further one, at most 1 h. At most 60s \
         (API.md: the first retry comes within 60 s).",
    ),
    (
        "webhook_retry_for",
        "How long a webhook delivery is retried before it is marked failed (at least 24h in production).",
    ),
    (
        "daily_limit_usd",
        "Per-user limit per UTC day, in cents, for each of deposits, outgoing transfers and wallet payments, and \
         withdrawals, before identity verification (API.md §7 floor: 200000 = 2,000.00 usd). Over it: 402 \
         limit_exceeded naming the limit and when it resets.",
    ),
    ("daily_limit_eur", "The same in euro cents (floor 200000)."),
    ("daily_limit_cny", "The same in fen (floor 1500000 = 15,000.00 cny)."),
    ("daily_limit_jpy", "The same in yen (floor 300000)."),
    ("verified_limit_factor", "How much an approved identity document multiplies every limit (at least 10)."),
    ("monthly_limit_factor", "Each limit per UTC calendar month, as a multiple of the daily limit."),
];

impl Config {
    /// Loads defaults, then `file` if given, then `OKPAY_*` variables from `env`.
    pub fn load(file: Option<&Path>, env: impl IntoIterator<Item = (String, String)>) -> anyhow::Result<Config> {
        let mut table = toml::Table::try_from(Config::default()).context("serialising defaults")?;
        if let Some(path) = file {
            let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
            let from_file: toml::Table = text.parse().with_context(|| format!("parsing {}", path.display()))?;
            table.extend(from_file);
        }
        let defaults = toml::Table::try_from(Config::default()).context("serialising defaults")?;
        for (name, value) in env {
            let Some(key) = name.strip_prefix("OKPAY_").map(str::to_ascii_lowercase) else { continue };
            if !OPTIONS.iter().any(|(k, _)| *k == key) {
                continue; // other tools' OKPAY_* variables (e.g. test settings)
            }
            let typed = match defaults.get(&key) {
                Some(toml::Value::Integer(_)) => toml::Value::Integer(
                    value.trim().parse().with_context(|| format!("{name} must be a whole number, got {value:?}"))?,
                ),
                Some(toml::Value::Boolean(_)) => toml::Value::Boolean(
                    value.trim().parse().with_context(|| format!("{name} must be true or false, got {value:?}"))?,
                ),
                _ => toml::Value::String(value),
            };
            table.insert(key, typed);
        }
        let config: Config = table.try_into().context("invalid configuration")?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> anyhow::Result<()> {
        if !matches!(self.rate_limit.as_str(), "on" | "off") {
            bail!("rate_limit must be on or off, got {:?}", self.rate_limit);
        }
        // Budgets are checked even when off, so turning limits on later cannot fail to start.
        self.rate_limit_budgets()?;
        if !matches!(self.log_format.as_str(), "text" | "json") {
            bail!("log_format must be text or json, got {:?}", self.log_format);
        }
        if !(self.database_url.starts_with("sqlite:") || self.database_url.starts_with("postgres")) {
            bail!("database_url must start with sqlite:// or postgres://");
        }
        self.bank_settlement_delay()?;
        self.withdrawal_cancel_window()?;
        self.withdrawal_fees()?;
        self.mail_retry_delay()?;
        self.ttl_us(&self.email_verification_ttl, "email_verification_ttl")?;
        self.ttl_us(&self.password_reset_ttl, "password_reset_ttl")?;
        self.ttl_us(&self.lockout_window, "lockout_window")?;
        self.ttl_us(&self.lockout_duration, "lockout_duration")?;
        if self.merchant_fee_bps > okpay_app::payments::MAX_FEE_BPS {
            bail!(
                "merchant_fee_bps must be at most {}, got {}",
                okpay_app::payments::MAX_FEE_BPS,
                self.merchant_fee_bps
            );
        }
        if self.webhook_retry_delay()? > Duration::from_secs(60) {
            bail!("webhook_retry_delay must be at most 60s (the first retry comes within 60 s)");
        }
        self.ttl_us(&self.webhook_retry_for, "webhook_retry_for")?;
        if self.lockout_max_failures < 1 {
            bail!("lockout_max_failures must be at least 1");
        }
        if self.mail_max_attempts < 1 {
            bail!("mail_max_attempts must be at least 1");
        }
        if self.max_document_bytes < okpay_domain::document::MIN_FILE_BYTES {
            bail!("max_document_bytes must be at least {}", okpay_domain::document::MIN_FILE_BYTES);
        }
        self.limit_policy()?;
        if self.ledger_max_batch == 0 || self.ledger_queue_capacity == 0 || self.max_body_bytes < 1024 {
            bail!("ledger_max_batch and ledger_queue_capacity must be positive; max_body_bytes at least 1024");
        }
        Ok(())
    }

    /// The per-IP limits, or `None` when `rate_limit` is `off`.
    pub fn rate_limits(&self) -> anyhow::Result<Option<RateLimitConfig>> {
        let budgets = self.rate_limit_budgets()?;
        Ok((self.rate_limit == "on").then_some(budgets))
    }

    fn rate_limit_budgets(&self) -> anyhow::Result<RateLimitConfig> {
        let budget = |value: &str, name: &str| -> anyhow::Result<Budget> {
            value.parse::<Budget>().with_context(|| format!("{name}: invalid budget"))
        };
        if self.rate_limit_max_clients == 0 {
            bail!("rate_limit_max_clients must be at least 1");
        }
        Ok(RateLimitConfig {
            sign_in: budget(&self.rate_limit_sign_in, "rate_limit_sign_in")?,
            registration: budget(&self.rate_limit_registration, "rate_limit_registration")?,
            recovery: budget(&self.rate_limit_recovery, "rate_limit_recovery")?,
            max_clients: self.rate_limit_max_clients,
        })
    }

    /// The limits on money movement.
    pub fn limit_policy(&self) -> anyhow::Result<LimitPolicy> {
        let daily = [
            (Currency::Usd, self.daily_limit_usd),
            (Currency::Eur, self.daily_limit_eur),
            (Currency::Cny, self.daily_limit_cny),
            (Currency::Jpy, self.daily_limit_jpy),
        ];
        LimitPolicy::new(&daily, self.verified_limit_factor, self.monthly_limit_factor).context("limits")
    }

    /// `bank_settlement_delay` as a duration.
    pub fn bank_settlement_delay(&self) -> anyhow::Result<Duration> {
        parse_duration(&self.bank_settlement_delay).with_context(|| {
            format!("bank_settlement_delay: expected e.g. 30s, 500ms, 2m; got {:?}", self.bank_settlement_delay)
        })
    }

    /// `withdrawal_cancel_window` as a duration.
    pub fn withdrawal_cancel_window(&self) -> anyhow::Result<Duration> {
        parse_duration(&self.withdrawal_cancel_window).with_context(|| {
            format!("withdrawal_cancel_window: expected e.g. 60s, 500ms, 2m; got {:?}", self.withdrawal_cancel_window)
        })
    }

    /// The withdrawal fees: the defaults with `withdrawal_fees_*` applied.
    pub fn withdrawal_fees(&self) -> anyhow::Result<WithdrawalFees> {
        let mut fees = WithdrawalFees::default();
        fees.apply(WithdrawalMethod::BankAccount, &self.withdrawal_fees_bank_account)
            .map_err(|e| anyhow::anyhow!("withdrawal_fees_bank_account: {e}"))?;
        fees.apply(WithdrawalMethod::Card, &self.withdrawal_fees_card)
            .map_err(|e| anyhow::anyhow!("withdrawal_fees_card: {e}"))?;
        Ok(fees)
    }

    /// `mail_retry_delay` as a duration.
    pub fn mail_retry_delay(&self) -> anyhow::Result<Duration> {
        parse_duration(&self.mail_retry_delay)
            .with_context(|| format!("mail_retry_delay: expected e.g. 30s, 500ms, 2m; got {:?}", self.mail_retry_delay))
    }

    /// `webhook_retry_delay` as a duration (positive).
    pub fn webhook_retry_delay(&self) -> anyhow::Result<Duration> {
        parse_duration(&self.webhook_retry_delay).filter(|d| !d.is_zero()).with_context(|| {
            format!("webhook_retry_delay: expected e.g. 30s, 500ms; got {:?}", self.webhook_retry_delay)
        })
    }

    /// A link lifetime option (`24h`, `30m`, `500ms`) in µs; `name` is the option, for errors.
    pub fn ttl_us(&self, value: &str, name: &str) -> anyhow::Result<i64> {
        let d = parse_duration(value)
            .filter(|d| !d.is_zero())
            .with_context(|| format!("{name}: expected a positive duration such as 24h, 30m or 90s; got {value:?}"))?;
        Ok(i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
    }

    /// The data directory: `data_dir`, else the SQLite database's directory, else `okpay-data`.
    pub fn data_dir(&self) -> PathBuf {
        if let Some(dir) = self.data_dir.as_deref().filter(|d| !d.trim().is_empty()) {
            return PathBuf::from(dir);
        }
        let sqlite_file =
            self.database_url.strip_prefix("sqlite://").or_else(|| self.database_url.strip_prefix("sqlite:"));
        match sqlite_file.map(|f| f.split('?').next().unwrap_or(f)).filter(|f| !f.contains(":memory:")) {
            Some(file) => match Path::new(file).parent() {
                Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
                _ => PathBuf::from("."),
            },
            None => PathBuf::from("okpay-data"),
        }
    }

    /// The documented example configuration (TOML).
    pub fn example() -> String {
        let defaults = toml::Table::try_from(Config::default()).unwrap_or_default();
        let mut out =
            String::from("# OKPay configuration. Every option can also be set as OKPAY_<NAME IN CAPITALS>.\n");
        for (key, doc) in OPTIONS {
            out.push_str(&format!("\n# {doc}\n"));
            match defaults.get(*key) {
                Some(v) => out.push_str(&format!("{key} = {v}\n")),
                None => out.push_str(&format!("# {key} = \"\"\n")),
            }
        }
        out
    }
}

fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: u64 = num.parse().ok()?;
    match unit.trim() {
        "" | "s" => Some(Duration::from_secs(n)),
        "ms" => Some(Duration::from_millis(n)),
        "m" => Some(Duration::from_secs(n.checked_mul(60)?)),
        "h" => Some(Duration::from_secs(n.checked_mul(3600)?)),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
