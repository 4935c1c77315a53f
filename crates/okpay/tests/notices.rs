//! Notices of money that moved at once (issue 4 item 9): a card deposit, a transfer sent and
//! received, a merchant's payment received — each mailed once to its owner, in their language,
//! queued in the same transaction as the money. Books verified after each.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::shop::{self, accept, confirm, pay_request};
use common::{TestServer, unique};
use okpay_app::accounts::SystemAccount;
use okpay_app::mail_worker::{self, MailWorkerConfig};
use okpay_app::{App, AppConfig, notices};
use okpay_domain::{Amount, Currency};
use okpay_ledger::{Command, Ledger, Leg, StatementLine, Transfer, WriterConfig};
use okpay_mail::Transport;
use okpay_mail::testing::SmtpSink;
use okpay_store::testing::{TestBackend, TestDb};
use reqwest::{Method, StatusCode};
use serde_json::json;

/// How many mails `to` received whose subject is `subject`, once the notice queue and the
/// outbox are empty.
async fn count_after_delivery(s: &TestServer, to: &str, subject: &str) -> usize {
    let store = &s.app().store;
    for _ in 0..300 {
        let queued = store.queued_notices().await.unwrap();
        let pending = store.mail_counts().await.unwrap().pending;
        if queued == 0 && pending == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    s.inbox.as_ref().unwrap().to(to).iter().filter(|m| m.subject == subject).count()
}

async fn deposits_and_transfers_are_mailed_once_in_each_owners_language(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let (ann, ann_email, _) = s.user().await;
    let (bo, bo_email, _) = s.user().await;
    let r = s.request(Method::PATCH, "/v1/me", Some(&bo), None, Some(&json!({"locale": "zh"})), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    let card = s.card(&ann, "4242424242424242").await;
    let body = json!({"amount": 5_000, "currency": "usd", "payment_method": card});
    let r = s.post("/v1/deposits", Some(&ann), Some("dep-1"), &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let m = s.mail_with_subject(&ann_email, "You added 50.00 USD to your OKPay wallet").await;
    assert!(m.text.contains("visa ****4242"), "{}", m.text);

    let body = json!({"to": bo_email, "amount": 1_234, "currency": "usd", "description": "rent for May"});
    for _ in 0..2 {
        // The second is a replay of the first: one movement, one pair of mails.
        let r = s.post("/v1/transfers", Some(&ann), Some("tr-1"), &body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let sent = format!("You sent 12.34 USD to {bo_email}");
    let m = s.mail_with_subject(&ann_email, &sent).await;
    assert!(m.text.contains("rent for May") && m.html.contains("rent for May"), "{}", m.text);
    let received = format!("您收到来自 {ann_email} 的 12.34 USD");
    let m = s.mail_with_subject(&bo_email, &received).await;
    assert!(m.text.contains("附言") && m.text.contains("rent for May"), "{}", m.text);

    // A declined card deposit moves nothing and sends no money notice (the answer says why).
    let declined = s.card(&ann, "4000000000000002").await;
    let body = json!({"amount": 100, "currency": "usd", "payment_method": declined});
    let r = s.post("/v1/deposits", Some(&ann), Some("dep-2"), &body).await;
    assert_eq!(r.status, StatusCode::PAYMENT_REQUIRED, "{}", r.body);

    assert_eq!(count_after_delivery(&s, &ann_email, "You added 50.00 USD to your OKPay wallet").await, 1);
    assert_eq!(count_after_delivery(&s, &ann_email, "You added 1.00 USD to your OKPay wallet").await, 0);
    assert_eq!(count_after_delivery(&s, &ann_email, &sent).await, 1, "a replay is not mailed again");
    assert_eq!(count_after_delivery(&s, &bo_email, &received).await, 1);
    s.assert_books_balance().await;
}

async fn a_merchant_is_mailed_each_payment_received(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let tea = shop::shop(&s, "Tea House").await;
    accept(&s, &tea, &["wallet"]).await;
    let (payer, payer_email, _) = shop::payer(&s, 10_000, "usd").await;
    let p = pay_request(&s, &tea, 2_500, "usd").await;
    let id = p["id"].as_str().unwrap();
    let r = confirm(&s, &payer, id, "wallet", &unique()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let m = s.mail_with_subject(&tea.email, "You received a payment of 25.00 USD").await;
    assert!(m.text.contains(&payer_email) && m.text.contains(id), "{}", m.text);
    assert!(m.text.contains("0.00 USD fee") && m.text.contains("25.00 USD was added"), "{}", m.text);
    // The payer gets the receipt of the payment flow, not a second notice.
    let receipt = s.mail_with_subject(&payer_email, "You paid 25.00 USD to Tea House").await;
    assert!(receipt.text.contains("25.00 USD"));
    assert_eq!(count_after_delivery(&s, &tea.email, "You received a payment of 25.00 USD").await, 1);
    s.assert_books_balance().await;
}

/// The queue is written with the money, survives without a worker, and two workers racing
/// for one notice mail it once.
/// A user and a card deposit to them that queues a notice (not yet submitted).
async fn deposit_with_notice(app: &App, reference: &str) -> Command {
    let owner = "usr_notice_test";
    let user = okpay_app::ports::UserRecord {
        id: owner.into(),
        email: "ann@example.com".into(),
        name: "Ann".into(),
        account_type: "personal".into(),
        status: "active".into(),
        email_verified: true,
        locale: "en".into(),
        password_hash: "x".into(),
        roles: String::new(),
        kyc_level: 0,
        created_at_us: 1,
    };
    if app.store.user_by_id(owner).await.expect("user").is_none() {
        app.store.insert_user(&user).await.expect("user");
    }
    let usd = Currency::Usd;
    let clearing = app.accounts.system(SystemAccount::CardClearing, usd).await.unwrap();
    let wallet = app.accounts.wallet(owner, usd).await.unwrap();
    let line = StatementLine {
        id: format!("txn_{reference}"),
        owner: owner.into(),
        kind: "deposit".into(),
        amount_minor: 700,
        fee_minor: 0,
        currency: usd,
        status: "succeeded".into(),
        source_id: reference.into(),
        counterparty: Some("visa ****4242".into()),
        description: None,
        details: None,
        created_at_us: 10,
        notify: true,
    };
    Command::Transfer(Transfer {
        reference: reference.into(),
        kind: "deposit".into(),
        currency: usd,
        legs: vec![Leg { debit: clearing, credit: wallet, amount: Amount::new(700).unwrap() }],
        lines: vec![line],
    })
}

async fn a_notice_is_queued_with_its_money_and_mailed_once(backend: TestBackend) {
    let Some(db) = TestDb::new(backend).await.expect("db") else { return };
    let stores = okpay_store::open(&db.url).await.expect("open");
    let (ledger, _writer) = Ledger::start(stores.ledger.clone(), WriterConfig::default());
    let app = App::new(stores.app.clone(), ledger.clone(), AppConfig::default());
    let cmd = deposit_with_notice(&app, "dep_notice_test").await;
    ledger.submit(cmd.clone()).await.expect("posted");
    ledger.submit(cmd).await.expect("duplicate");
    assert_eq!(app.store.queued_notices().await.unwrap(), 1, "one notice, committed with the money");

    // Two workers read the same notice; only one of them queues its mail.
    let (a, b) = tokio::join!(notices::notify_due(&app), notices::notify_due(&app));
    assert!(a.unwrap() + b.unwrap() >= 1, "the notice was read");
    assert_eq!(app.store.queued_notices().await.unwrap(), 0);
    let mails = app.store.mail_counts().await.unwrap();
    assert_eq!(mails.pending, 1, "mailed once");
    assert_eq!(notices::notify_due(&app).await.unwrap(), 0, "nothing left");
    common::assert_books_balance(&db.url).await;
}

/// While a mail worker runs in the process, a notice round hands its mails over already
/// claimed: they are sent with no claim round (this worker's claims take nothing), counted as
/// one attempt. Once the worker stops, notice mails are queued due for any worker's claim.
async fn notice_mails_are_handed_to_the_running_mail_worker(backend: TestBackend) {
    let Some(db) = TestDb::new(backend).await.expect("db") else { return };
    let stores = okpay_store::open(&db.url).await.expect("open");
    let (ledger, _writer) = Ledger::start(stores.ledger.clone(), WriterConfig::default());
    let app = App::new(stores.app.clone(), ledger.clone(), AppConfig::default());
    let sink = SmtpSink::start().expect("sink");
    let dir = tempfile::tempdir().expect("tempdir");
    let transport = Transport::from_config(Some(&sink.url()), dir.path(), "OKPay <no-reply@okpay.test>").expect("t");
    // Claims of at most zero rows: only a hand-over can deliver.
    let config = MailWorkerConfig { batch: 0, poll_interval: Duration::from_secs(3600), ..MailWorkerConfig::default() };
    let worker = tokio::spawn(mail_worker::run(app.clone(), transport, config.clone()));
    for _ in 0..100 {
        if app.mail_handoff.lease_for(1, 0).is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    ledger.submit(deposit_with_notice(&app, "dep_handed").await).await.expect("posted");
    assert_eq!(notices::notify_due(&app).await.unwrap(), 1);
    let m = sink.inbox.wait_for("ann@example.com", Duration::from_secs(10), |_| true).await.expect("delivered");
    assert_eq!(m.subject, "You added 7.00 USD to your OKPay wallet");
    let mut counts = app.store.mail_counts().await.unwrap();
    for _ in 0..200 {
        if counts.pending == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
        counts = app.store.mail_counts().await.unwrap();
    }
    assert_eq!((counts.pending, counts.failed), (0, 0), "recorded sent");
    assert_eq!(sink.inbox.all().len(), 1, "sent once");

    worker.abort();
    let _ = worker.await;
    assert_eq!(app.mail_handoff.lease_for(1, 0), None, "closed with the worker");
    ledger.submit(deposit_with_notice(&app, "dep_due").await).await.expect("posted");
    assert_eq!(notices::notify_due(&app).await.unwrap(), 1);
    let now = okpay_domain::time::now_us();
    let due = app.store.claim_mails(now, now + 1_000_000, 10).await.unwrap();
    assert_eq!(due.len(), 1, "queued due, not leased");
    assert_eq!(due[0].attempts, 1, "this claim is its first attempt");
    common::assert_books_balance(&db.url).await;
}

on_both_backends!(
    notice_mails_are_handed_to_the_running_mail_worker,
    deposits_and_transfers_are_mailed_once_in_each_owners_language,
    a_merchant_is_mailed_each_payment_received,
    a_notice_is_queued_with_its_money_and_mailed_once,
);
