//! The mail outbox end to end: a real SMTP server started here, retries while it is down, the
//! `.eml` fallback, and failed mail visible in `/metrics`.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::TestServer;
use okpay_app::mail_worker::{self, MailWorkerConfig};
use okpay_app::outbox::compose;
use okpay_app::{App, AppConfig};
use okpay_ledger::{Ledger, WriterConfig};
use okpay_mail::testing::{ReceivedMail, SmtpSink};
use okpay_mail::{Template, Transport};
use okpay_store::testing::{TestBackend, TestDb};

const FROM: &str = "OKPay <no-reply@okpay.test>";

fn notice() -> Template {
    Template::PasswordChanged { reset_url: "http://pay.test/forgot-password".into() }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

async fn retried_until_the_smtp_server_answers(backend: TestBackend) {
    let Some(db) = TestDb::new(backend).await.expect("db") else { return };
    let stores = okpay_store::open(&db.url).await.expect("open");
    let (ledger, _writer) = Ledger::start(stores.ledger.clone(), WriterConfig::default());
    let app = App::new(stores.app.clone(), ledger, AppConfig::default());
    let port = free_port();
    let dir = tempfile::tempdir().expect("tempdir");
    let transport = Transport::from_config(Some(&format!("smtp://127.0.0.1:{port}")), dir.path(), FROM).expect("t");
    let config = MailWorkerConfig {
        retry_base: Duration::from_millis(100),
        poll_interval: Duration::from_millis(50),
        max_attempts: 30,
        ..MailWorkerConfig::default()
    };
    app.queue_mail(&compose("ann@example.com", "en", "Ann", &notice())).await.expect("queued");
    let worker = tokio::spawn(mail_worker::run(app.clone(), transport, config));
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(stores.app.mail_counts().await.expect("counts").pending, 1, "still waiting while the server is down");

    let sink = SmtpSink::start_on(format!("127.0.0.1:{port}").parse().expect("addr")).expect("sink");
    let m = sink.inbox.wait_for("ann@example.com", Duration::from_secs(10), |_| true).await.expect("delivered");
    assert_eq!(m.subject, "Your OKPay password was changed");
    for _ in 0..100 {
        if stores.app.mail_counts().await.expect("counts").pending == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(stores.app.mail_counts().await.expect("counts"), Default::default(), "sent, nothing failed");
    assert_eq!(sink.inbox.all().len(), 1, "delivered once");
    worker.abort();
}

async fn failed_mail_is_counted_in_metrics(backend: TestBackend) {
    let Some(db) = TestDb::new(backend).await.expect("db") else { return };
    let dead = format!("smtp://127.0.0.1:{}", free_port());
    let s = TestServer::start_on(db, |c| {
        c.smtp_url = Some(dead);
        c.mail_max_attempts = 2;
        c.mail_retry_delay = "50ms".into();
    })
    .await;
    let stores = okpay_store::open(&s.db.url).await.expect("open");
    stores.app.enqueue_mail(&compose("bob@example.com", "zh", "Bob", &notice())).await.expect("queued");
    let mut counts = Default::default();
    for _ in 0..200 {
        counts = stores.app.mail_counts().await.expect("counts");
        if counts.failed == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!((counts.pending, counts.failed), (0, 1), "given up after two attempts");
    let mut text = String::new();
    for _ in 0..200 {
        text = reqwest::get(format!("{}/metrics", s.base)).await.expect("metrics").text().await.expect("text");
        if text.lines().any(|l| l.starts_with("okpay_mail_outbox_failed ") && !l.ends_with(" 0")) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(text.lines().any(|l| l.starts_with("okpay_mail_failed_total")), "{text}");
    assert!(text.lines().any(|l| l.starts_with("okpay_mail_outbox_failed ") && !l.ends_with(" 0")), "{text}");
}

async fn without_smtp_mail_lands_in_the_data_dir(backend: TestBackend) {
    let Some(db) = TestDb::new(backend).await.expect("db") else { return };
    let data = tempfile::tempdir().expect("tempdir");
    let data_dir = data.path().to_str().expect("utf-8 path").to_owned();
    let s = TestServer::start_on(db, |c| {
        c.smtp_url = None;
        c.data_dir = Some(data_dir);
        c.mail_retry_delay = "100ms".into();
    })
    .await;
    let stores = okpay_store::open(&s.db.url).await.expect("open");
    let mail = compose("li@example.com", "zh", "李安", &notice());
    stores.app.enqueue_mail(&mail).await.expect("queued");
    let file = data.path().join("outbox").join(format!("{}.eml", mail.id));
    for _ in 0..400 {
        if file.exists() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let m = ReceivedMail::parse(Vec::new(), std::fs::read(&file).expect("the .eml file"));
    assert_eq!(m.to, ["li@example.com"]);
    assert_eq!(m.subject, "您的 OKPay 密码已修改");
    assert!(m.text.contains("李安，您好"));
}

/// An app on a fresh database, with a local SMTP sink and a transport to it.
struct Rig {
    db: TestDb,
    stores: okpay_store::Stores,
    app: App,
    sink: SmtpSink,
    transport: Transport,
    dir: tempfile::TempDir,
}

impl Rig {
    async fn new(backend: TestBackend) -> Option<Rig> {
        let db = TestDb::new(backend).await.expect("db")?;
        let stores = okpay_store::open(&db.url).await.expect("open");
        let (ledger, _writer) = Ledger::start(stores.ledger.clone(), WriterConfig::default());
        let app = App::new(stores.app.clone(), ledger, AppConfig::default());
        let sink = SmtpSink::start().expect("sink");
        let dir = tempfile::tempdir().expect("tempdir");
        let transport = Transport::from_config(Some(&sink.url()), dir.path(), FROM).expect("transport");
        Some(Rig { db, stores, app, sink, transport, dir })
    }
}

/// One round claims many rows and delivers them several at a time: each is sent once and
/// recorded sent, whatever order the deliveries finish in.
async fn a_round_delivers_many_at_once_each_once(backend: TestBackend) {
    let Some(Rig { db: _db, stores, app, sink, transport, dir: _dir }) = Rig::new(backend).await else { return };
    let config = MailWorkerConfig { batch: 40, concurrency: 4, ..MailWorkerConfig::default() };
    for i in 0..30 {
        app.queue_mail(&compose(&format!("u{i}@example.com"), "en", "U", &notice())).await.expect("queued");
    }
    assert_eq!(mail_worker::deliver_due(&app, &transport, &config).await.expect("round"), 30, "one round");
    assert_eq!(stores.app.mail_counts().await.expect("counts"), Default::default(), "all recorded sent");
    let mut to: Vec<String> = sink.inbox.all().into_iter().flat_map(|m| m.to).collect();
    to.sort();
    let mut expected: Vec<String> = (0..30).map(|i| format!("u{i}@example.com")).collect();
    expected.sort();
    assert_eq!(to, expected, "each delivered exactly once");
    assert_eq!(mail_worker::deliver_due(&app, &transport, &config).await.expect("round"), 0, "nothing left");
}

/// Mail handed over in memory keeps the worker busy, but the claim rounds still run at least
/// every poll interval: a row that falls due later (here one queued for the future without a
/// wake-up, as a retry is) is delivered while hand-overs go on.
async fn due_mail_is_claimed_while_hand_overs_keep_the_worker_busy(backend: TestBackend) {
    let Some(Rig { db: _db, stores, app, sink, transport, dir: _dir }) = Rig::new(backend).await else { return };
    let config = MailWorkerConfig { poll_interval: Duration::from_millis(200), ..MailWorkerConfig::default() };
    let worker = tokio::spawn(mail_worker::run(app.clone(), transport, config));
    let mut later = compose("later@example.com", "en", "Later", &notice());
    later.created_at_us = okpay_domain::time::now_us() + 300_000;
    stores.app.enqueue_mail(&later).await.expect("queued for later, no wake-up");
    let mut delivered = None;
    for i in 0..150 {
        // A hand-over every 20 ms for up to 3 s.
        let now = okpay_domain::time::now_us();
        if let Some(until) = app.mail_handoff.lease_for(1, now) {
            let mut m = compose(&format!("h{i}@example.com"), "en", "H", &notice());
            m.attempts = 1;
            app.mail_handoff.hand_over(vec![m], until);
        }
        if let Some(m) = sink.inbox.all().into_iter().find(|m| m.to == ["later@example.com"]) {
            delivered = Some(m);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(delivered.is_some(), "the row due later was claimed and sent while hand-overs went on");
    assert!(sink.inbox.all().iter().any(|m| m.to == ["h1@example.com"]), "hand-overs were being sent");
    worker.abort();
}

on_both_backends!(
    due_mail_is_claimed_while_hand_overs_keep_the_worker_busy,
    a_round_delivers_many_at_once_each_once,
    retried_until_the_smtp_server_answers,
    failed_mail_is_counted_in_metrics,
    without_smtp_mail_lands_in_the_data_dir
);
