//! Bank deposits through the simulated bank rail: `pending` (in the pending balance and the
//! history) until the settlement delay passes, then `succeeded` (account ending 0000) or
//! `failed` (ending 1111), with an email either way; idempotent replays; settlement after a
//! restart. The books are verified after each step.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use common::{TestServer, unique};
use okpay_store::testing::{TestBackend, TestDb};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Starts a server whose simulated bank settles after `delay`.
async fn server(backend: TestBackend, delay: &'static str) -> Option<TestServer> {
    let db = TestDb::new(backend).await.expect("test database")?;
    Some(TestServer::start_on(db, |c| c.bank_settlement_delay = delay.into()).await)
}

/// Links a bank account; returns its `pm_` id.
async fn bank(s: &TestServer, token: &str, number: &str) -> String {
    let body = json!({"type": "bank_account",
        "bank_account": {"country": "US", "account_number": number, "holder_name": "Test Person", "bank_name": "First Bank"}});
    let r = s.post("/v1/payment-methods", Some(token), None, &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

async fn deposit(s: &TestServer, token: &str, key: &str, pm: &str, amount: i64) -> Value {
    let r = s
        .post(
            "/v1/deposits",
            Some(token),
            Some(key),
            &json!({"amount": amount, "currency": "usd", "payment_method": pm}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body
}

/// (available, pending) in usd.
async fn balance(s: &TestServer, token: &str) -> (i64, i64) {
    let r = s.get("/v1/balances", Some(token)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let usd = r.body["data"].as_array().unwrap().iter().find(|b| b["currency"] == "usd").cloned();
    usd.map_or((0, 0), |b| (b["available"].as_i64().unwrap(), b["pending"].as_i64().unwrap()))
}

/// The history rows of deposit `dep`.
async fn rows_of(s: &TestServer, token: &str, dep: &str) -> Vec<Value> {
    let r = s.get("/v1/transactions?type=deposit", Some(token)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["data"].as_array().unwrap().iter().filter(|t| t["source"] == dep).cloned().collect()
}

/// Waits until the history row `txn` leaves `pending`; returns `GET /v1/transactions/{txn}`.
async fn settled(s: &TestServer, token: &str, txn: &str) -> Value {
    let start = Instant::now();
    loop {
        let r = s.get(&format!("/v1/transactions/{txn}"), Some(token)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // The status moves with the ledger command; the failure code follows in the settlement
        // record a moment later, so a failed row is final once it carries its code.
        let failed_without_code = r.body["status"] == "failed" && r.body["failure_code"].is_null();
        if r.body["status"] != "pending" && !failed_without_code {
            return r.body;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "still pending: {}", r.body);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn history_statuses(row: &Value) -> Vec<String> {
    row["status_history"].as_array().unwrap().iter().map(|h| h["status"].as_str().unwrap().to_owned()).collect()
}

async fn a_0000_account_settles_after_the_delay(backend: TestBackend) {
    let Some(s) = server(backend, "1s").await else { return };
    let (token, email, _) = s.user().await;
    let pm = bank(&s, &token, "000123450000").await;
    let dep = deposit(&s, &token, &unique(), &pm, 2500).await;
    assert!(dep["id"].as_str().unwrap().starts_with("dep_"), "{dep}");
    assert_eq!(dep["status"], "pending");
    assert_eq!(balance(&s, &token).await, (0, 2500), "the money is pending, not available");
    let dep_id = dep["id"].as_str().unwrap();
    let rows = rows_of(&s, &token, dep_id).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["status"], "pending");
    let txn = rows[0]["id"].as_str().unwrap().to_owned();
    s.assert_books_balance().await;

    let row = settled(&s, &token, &txn).await;
    assert_eq!(row["status"], "succeeded", "{row}");
    assert_eq!(history_statuses(&row), ["pending", "succeeded"]);
    let at: Vec<&str> = row["status_history"].as_array().unwrap().iter().map(|h| h["at"].as_str().unwrap()).collect();
    assert!(at[0] < at[1], "the settlement comes after the deposit: {at:?}");
    assert_eq!(balance(&s, &token).await, (2500, 0));
    let mail = s.mail_with_subject(&email, "25.00 USD arrived in your OKPay wallet").await;
    assert!(mail.text.contains("First Bank ****0000"), "{}", mail.text);
    // The money is really spendable.
    let (_, other, _) = s.user().await;
    let r = s
        .post("/v1/transfers", Some(&token), Some(&unique()), &json!({"to": other, "amount": 2500, "currency": "usd"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    s.assert_books_balance().await;
    s.stop().await;
}

async fn a_1111_account_fails(backend: TestBackend) {
    let Some(s) = server(backend, "1s").await else { return };
    let (token, email, _) = s.user().await;
    let pm = bank(&s, &token, "99991111").await;
    let dep = deposit(&s, &token, &unique(), &pm, 1000).await;
    assert_eq!(dep["status"], "pending");
    assert_eq!(balance(&s, &token).await, (0, 1000));
    let txn = rows_of(&s, &token, dep["id"].as_str().unwrap()).await[0]["id"].as_str().unwrap().to_owned();
    let row = settled(&s, &token, &txn).await;
    assert_eq!(row["status"], "failed", "{row}");
    assert_eq!(row["failure_code"], "bank_transfer_failed", "{row}");
    assert_eq!(history_statuses(&row), ["pending", "failed"]);
    assert_eq!(balance(&s, &token).await, (0, 0), "the hold is released");
    s.mail_with_subject(&email, "Your bank deposit of 10.00 USD failed").await;
    s.assert_books_balance().await;
    s.stop().await;
}

async fn a_replay_holds_once(backend: TestBackend) {
    let Some(s) = server(backend, "2s").await else { return };
    let (token, _, _) = s.user().await;
    let pm = bank(&s, &token, "000123450000").await;
    let key = unique();
    let first = deposit(&s, &token, &key, &pm, 700).await;
    let again = deposit(&s, &token, &key, &pm, 700).await;
    assert_eq!(first["id"], again["id"]);
    assert_eq!(again["status"], "pending");
    assert_eq!(balance(&s, &token).await, (0, 700), "one hold, not two");
    let dep = first["id"].as_str().unwrap();
    let rows = rows_of(&s, &token, dep).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    let txn = rows[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(settled(&s, &token, &txn).await["status"], "succeeded");
    // A replay after settlement answers the same deposit and moves nothing.
    let late = deposit(&s, &token, &key, &pm, 700).await;
    assert_eq!(late["id"], first["id"]);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(balance(&s, &token).await, (700, 0));
    s.assert_books_balance().await;
    s.stop().await;
}

async fn settlement_survives_a_restart(backend: TestBackend) {
    let Some(s) = server(backend, "3s").await else { return };
    let (token, email, _) = s.user().await;
    let pm = bank(&s, &token, "000123450000").await;
    let dep = deposit(&s, &token, &unique(), &pm, 1200).await;
    let txn = rows_of(&s, &token, dep["id"].as_str().unwrap()).await[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(balance(&s, &token).await, (0, 1200));
    let db = s.stop().await;
    let s = TestServer::start_on(db, |c| c.bank_settlement_delay = "3s".into()).await;
    assert_eq!(balance(&s, &token).await, (0, 1200), "still pending after the restart");
    let row = settled(&s, &token, &txn).await;
    assert_eq!(row["status"], "succeeded", "{row}");
    assert_eq!(history_statuses(&row), ["pending", "succeeded"]);
    assert_eq!(balance(&s, &token).await, (1200, 0));
    s.mail_with_subject(&email, "12.00 USD arrived in your OKPay wallet").await;
    s.assert_books_balance().await;
    s.stop().await;
}

on_both_backends!(
    a_0000_account_settles_after_the_delay,
    a_1111_account_fails,
    a_replay_holds_once,
    settlement_survives_a_restart
);
