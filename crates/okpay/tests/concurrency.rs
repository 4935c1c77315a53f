//! Many concurrent transfers out of one account funded for half of them: exactly half
//! succeed, the rest get `insufficient_funds`, and the books balance.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::{TestServer, unique};
use okpay_store::testing::TestBackend;
use reqwest::StatusCode;
use serde_json::json;

const TRANSFERS: usize = 200;
const AMOUNT: i64 = 100;

async fn exactly_half_succeed(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let (payer, _, _) = s.user().await;
    let (_, a, _) = s.user().await;
    let (_, b, _) = s.user().await;
    s.fund(&payer, AMOUNT * (TRANSFERS as i64) / 2, "usd").await;
    let tasks = (0..TRANSFERS).map(|i| {
        let to = if i % 2 == 0 { a.clone() } else { b.clone() };
        let body = json!({"to": to, "amount": AMOUNT, "currency": "usd"});
        let key = unique();
        let s = &s;
        let payer = &payer;
        async move { s.post("/v1/transfers", Some(payer), Some(&key), &body).await }
    });
    let results = futures::future::join_all(tasks).await;
    let ok = results.iter().filter(|r| r.status == StatusCode::CREATED).count();
    let refused =
        results.iter().filter(|r| r.status == StatusCode::PAYMENT_REQUIRED && r.code() == "insufficient_funds").count();
    assert_eq!(ok, TRANSFERS / 2, "successes");
    assert_eq!(refused, TRANSFERS / 2, "refusals");
    assert_eq!(s.available(&payer, "usd").await, 0);
    s.assert_books_balance().await;
    s.stop().await;
}

on_both_backends!(exactly_half_succeed);
