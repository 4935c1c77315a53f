//! Test harness: the real server on port 0 over a fresh database, and a small JSON client.
#![allow(dead_code, missing_docs, clippy::expect_used, clippy::unwrap_used)]

use std::sync::atomic::{AtomicU64, Ordering};

use okpay::Config;
use okpay::server::{Running, start};
use okpay_mail::testing::{Inbox, ReceivedMail, SmtpSink};
use okpay_store::testing::{TestBackend, TestDb};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use sqlx::Connection;

/// Generates `sqlite` and `postgres` variants of an async test taking a `TestBackend`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(okpay_store::testing::TestBackend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name(okpay_store::testing::TestBackend::Postgres).await
            }
        }
    )*};
}

/// A password that passes the policy.
pub const PASSWORD: &str = "Velvet-Comet-Harbor-42";

/// A response: status, headers, JSON body (or `Value::Null`).
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Resp {
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }
}

pub mod browser;
pub mod process;
pub mod receiver;
pub mod shop;

/// A JSON client for one server.
#[derive(Clone)]
pub struct Api {
    pub base: String,
    pub client: reqwest::Client,
    /// What the server's SMTP server (started by the test) received.
    pub inbox: Option<Inbox>,
}

/// How long a test waits for a mail.
pub const MAIL_WAIT: std::time::Duration = std::time::Duration::from_secs(15);

/// A running server over a fresh database.
pub struct TestServer {
    pub api: Api,
    pub db: TestDb,
    /// The server's data directory (`outbox/` when no SMTP server is configured).
    pub data: tempfile::TempDir,
    running: Option<Running>,
}

impl std::ops::Deref for TestServer {
    type Target = Api;
    fn deref(&self) -> &Api {
        &self.api
    }
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A unique suffix for emails and keys within this process.
pub fn unique() -> String {
    format!("{}-{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed))
}

impl TestServer {
    /// Starts a server; `None` when PostgreSQL is unreachable outside CI (TestDb warns).
    pub async fn start(backend: TestBackend) -> Option<TestServer> {
        let db = TestDb::new(backend).await.expect("test database")?;
        let server = TestServer::start_on(db, |_| {}).await;
        Some(server)
    }

    /// Starts a server on an existing test database with a tweaked configuration.
    pub async fn start_on(db: TestDb, tweak: impl FnOnce(&mut Config)) -> TestServer {
        let data = tempfile::tempdir().expect("data dir");
        let sink = SmtpSink::start().expect("SMTP sink");
        let mut config = Config { database_url: db.url.clone(), listen: "127.0.0.1:0".into(), ..Config::default() };
        config.rate_limit = "off".into();
        config.data_dir = Some(data.path().display().to_string());
        config.smtp_url = Some(sink.url());
        tweak(&mut config);
        let running = start(config).await.expect("server starts");
        let api = Api::with_inbox(format!("http://{}", running.addr), sink.inbox);
        TestServer { api, db, data, running: Some(running) }
    }

    /// The running application (to emit events in-process until payments do).
    pub fn app(&self) -> &okpay_app::App {
        self.running.as_ref().expect("server is running").app()
    }

    pub async fn stop(mut self) -> TestDb {
        if let Some(r) = self.running.take() {
            r.stop().await.expect("clean shutdown");
        }
        self.db
    }

    /// Asserts that every invariant of the books holds.
    pub async fn assert_books_balance(&self) {
        assert_books_balance(&self.db.url).await;
    }
}

impl Api {
    pub fn new(base: String) -> Api {
        okpay_app::webhooks::sender::install_tls_provider();
        Api { base, client: reqwest::Client::new(), inbox: None }
    }

    pub fn with_inbox(base: String, inbox: Inbox) -> Api {
        okpay_app::webhooks::sender::install_tls_provider();
        Api { base, client: reqwest::Client::new(), inbox: Some(inbox) }
    }

    /// Waits for the latest mail to `to` whose text links to `path` (e.g. `/verify-email`).
    pub async fn mail_with_link(&self, to: &str, path: &str) -> ReceivedMail {
        let inbox = self.inbox.as_ref().expect("this server has a test SMTP server");
        let marker = format!("{path}?token=");
        inbox.wait_for(to, MAIL_WAIT, |m| m.text.contains(&marker)).await.unwrap_or_else(|| {
            panic!(
                "no mail to {to} with a {path} link; got {:?}",
                inbox.to(to).iter().map(|m| &m.subject).collect::<Vec<_>>()
            )
        })
    }

    /// Waits for the latest mail to `to` with this subject.
    pub async fn mail_with_subject(&self, to: &str, subject: &str) -> ReceivedMail {
        let inbox = self.inbox.as_ref().expect("this server has a test SMTP server");
        inbox.wait_for(to, MAIL_WAIT, |m| m.subject == subject).await.unwrap_or_else(|| {
            panic!(
                "no mail to {to} with subject {subject:?}; got {:?}",
                inbox.to(to).iter().map(|m| &m.subject).collect::<Vec<_>>()
            )
        })
    }

    /// The token of the latest `path` link mailed to `to`.
    pub async fn mailed_token(&self, to: &str, path: &str) -> String {
        self.mail_with_link(to, path).await.token(path).expect("token in the link")
    }

    /// Registers a new user without verifying the email; returns (email, register response).
    pub async fn register(&self) -> (String, Resp) {
        let email = format!("user-{}@example.com", unique());
        let body = json!({"email": email, "password": PASSWORD, "name": "Test Person", "account_type": "personal"});
        let r = self.post("/v1/users", None, None, &body).await;
        (email, r)
    }

    /// Signs in; returns (token, user id).
    pub async fn sign_in(&self, email: &str) -> (String, String) {
        let r = self.post("/v1/sessions", None, None, &json!({"email": email, "password": PASSWORD})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let token = r.body["token"].as_str().expect("token").to_owned();
        let id = r.body["user"]["id"].as_str().expect("id").to_owned();
        (token, id)
    }

    /// Registers and signs in a user whose email is not verified; returns (token, email, user id).
    pub async fn unverified_user(&self) -> (String, String, String) {
        let (email, r) = self.register().await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
        let (token, id) = self.sign_in(&email).await;
        (token, email, id)
    }

    /// Verifies `email` by following the link of its verification mail.
    pub async fn verify(&self, email: &str) {
        let token = self.mailed_token(email, "/verify-email").await;
        let r = self.post("/v1/users/verify-email", None, None, &json!({"token": token})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }

    pub async fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        key: Option<&str>,
        body: Option<&Value>,
        lang: Option<&str>,
    ) -> Resp {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(k) = key {
            req = req.header("Idempotency-Key", k);
        }
        if let Some(l) = lang {
            req = req.header("Accept-Language", l);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let res = req.send().await.expect("request sent");
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.bytes().await.expect("body");
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Resp { status, headers, body }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Resp {
        self.request(reqwest::Method::GET, path, token, None, None, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, key: Option<&str>, body: &Value) -> Resp {
        self.request(reqwest::Method::POST, path, token, key, Some(body), None).await
    }

    /// Registers a new user, verifies the email through the mailed link and signs in;
    /// returns (token, email, user id).
    pub async fn user(&self) -> (String, String, String) {
        let (email, r) = self.register().await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
        self.verify(&email).await;
        let (token, id) = self.sign_in(&email).await;
        (token, email, id)
    }

    /// Links a card; returns its `pm_` id.
    pub async fn card(&self, token: &str, number: &str) -> String {
        let r = self
            .post(
                "/v1/payment-methods",
                Some(token),
                None,
                &json!({"type": "card", "card": {"number": number, "exp_month": 12, "exp_year": 2035, "cvc": "123", "holder_name": "Test Person"}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        r.body["id"].as_str().expect("pm id").to_owned()
    }

    /// Deposits `amount` from a fresh 4242 card.
    pub async fn fund(&self, token: &str, amount: i64, currency: &str) {
        let pm = self.card(token, "4242424242424242").await;
        let r = self
            .post(
                "/v1/deposits",
                Some(token),
                Some(&unique()),
                &json!({"amount": amount, "currency": currency, "payment_method": pm}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.body["status"], "succeeded");
    }

    /// The available balance in `currency` (0 if none).
    pub async fn available(&self, token: &str, currency: &str) -> i64 {
        let r = self.get("/v1/balances", Some(token)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.body["data"]
            .as_array()
            .expect("list")
            .iter()
            .find(|b| b["currency"] == currency)
            .and_then(|b| b["available"].as_i64())
            .unwrap_or(0)
    }
}

impl TestServer {
    /// Creates a staff account with the real `okpay user create --email E --role R` command
    /// (against this server's database) and signs in with the password it printed; returns
    /// (token, email, user id).
    pub async fn staff(&self, role: &str) -> (String, String, String) {
        let email = format!("{role}-{}@okpay.test", unique());
        let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_okpay"))
            .args(["user", "create", "--email", &email, "--role", role])
            .env("OKPAY_DATABASE_URL", &self.db.url)
            .env("RUST_LOG", "warn")
            .output()
            .await
            .expect("run okpay user create");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(out.status.success(), "okpay user create failed: {stdout} {}", String::from_utf8_lossy(&out.stderr));
        let field = |name: &str| {
            stdout.lines().find_map(|l| l.strip_prefix(name)).map(str::trim).map(str::to_owned).expect(name)
        };
        let password = field("password:");
        let r = self.post("/v1/sessions", None, None, &json!({"email": email, "password": password})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let roles = r.body["user"]["roles"].as_array().expect("roles").clone();
        assert!(roles.iter().any(|x| x == role), "{roles:?}");
        (r.body["token"].as_str().expect("token").to_owned(), email, field("user:"))
    }
}

/// Sets a user's status behind the API's back, for tests about what a status allows rather
/// than how an account gets there (staff actions are tested in `staff.rs`).
pub async fn set_status(db: &TestDb, email: &str, status: &str) {
    let sql = "UPDATE users SET status = $1 WHERE email = $2";
    if db.url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(&db.url).await.expect("connect");
        sqlx::query(sql).bind(status).bind(email).execute(&mut c).await.expect("update");
    } else {
        let mut c = sqlx::PgConnection::connect(&db.url).await.expect("connect");
        sqlx::query(sql).bind(status).bind(email).execute(&mut c).await.expect("update");
    }
}

/// Asserts that every invariant of the books at `url` holds.
pub async fn assert_books_balance(url: &str) {
    let stores = okpay_store::open(url).await.expect("open for verify");
    let report = stores.ledger.verify().await.expect("verify runs");
    assert!(report.is_ok(), "ledger verify failed: {:?}", report.failures());
}
