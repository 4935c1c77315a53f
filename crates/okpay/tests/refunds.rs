//! Refunds (API.md §4) through real HTTP on both backends: partial and full refunds of wallet
//! and card payments go back where the money came from, the fee stays with OKPay,
//! `refund_exceeds_payment`, concurrent partial refunds never exceed the payment, a merchant
//! short of money gets 402 and its reservation back, other merchants' payments are 404. The
//! books are verified after every test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::shop::{Shop, confirm, events_about, pay_request, payer, refund, rows_of, shop, system_balance};
use common::{TestServer, unique};
use okpay_store::testing::{TestBackend, TestDb};
use reqwest::StatusCode;
use serde_json::json;

on_both_backends!(
    partial_and_full_refunds_go_back_where_the_money_came_from,
    concurrent_partial_refunds_never_exceed_the_payment,
    refunds_are_only_for_the_merchants_own_paid_payments,
);

/// A server charging merchants 2.90 %.
async fn server(backend: TestBackend) -> Option<TestServer> {
    let db = TestDb::new(backend).await.expect("test database")?;
    Some(TestServer::start_on(db, |c| c.merchant_fee_bps = 290).await)
}

/// A paid wallet payment of `amount` usd from a new payer; returns (payment id, payer token, payer email).
async fn paid(s: &TestServer, shop: &Shop, amount: i64) -> (String, String, String) {
    let (token, email, _) = payer(s, amount, "usd").await;
    let p = pay_request(s, shop, amount, "usd").await;
    let id = p["id"].as_str().unwrap().to_owned();
    let r = confirm(s, &token, &id, "wallet", &unique()).await;
    assert_eq!((r.status, r.body["status"].as_str()), (StatusCode::OK, Some("succeeded")), "{}", r.body);
    (id, token, email)
}

async fn partial_and_full_refunds_go_back_where_the_money_came_from(backend: TestBackend) {
    let Some(s) = server(backend).await else { return };
    let shop = shop(&s, "Refund Shop").await;
    let (id, token, email) = paid(&s, &shop, 10_000).await;
    assert_eq!(s.available(&shop.token, "usd").await, 9_710);

    let key = unique();
    let r = refund(&s, &shop, &id, Some(3_000), &key).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let re = r.body["id"].as_str().unwrap().to_owned();
    assert!(re.starts_with("re_") && r.body["status"] == "succeeded" && r.body["payment"] == id.as_str(), "{}", r.body);
    assert_eq!((s.available(&shop.token, "usd").await, s.available(&token, "usd").await), (6_710, 3_000));
    let replay = refund(&s, &shop, &id, Some(3_000), &key).await;
    assert_eq!((replay.status, replay.body["id"].as_str()), (StatusCode::CREATED, Some(re.as_str())));
    assert_eq!(replay.headers.get("idempotent-replayed").map(|v| v.to_str().unwrap()), Some("true"));
    let got = s.get(&format!("/v1/payments/{id}"), Some(&shop.key)).await;
    assert_eq!(got.body["amount_refunded"], 3_000, "{}", got.body);
    let shop_rows = rows_of(&s, &shop.token, &re).await;
    let payer_rows = rows_of(&s, &token, &re).await;
    assert_eq!((shop_rows.len(), shop_rows[0]["type"].as_str()), (1, Some("refund")), "{shop_rows:?}");
    assert_eq!((payer_rows.len(), payer_rows[0]["amount"].as_i64()), (1, Some(3_000)), "{payer_rows:?}");
    assert_eq!(payer_rows[0]["counterparty"], "Refund Shop");
    let succeeded = events_about(&s, &shop, "refund.succeeded", &re).await;
    assert_eq!(succeeded.len(), 1, "{succeeded:?}");
    let fetched = s.get(&format!("/v1/refunds/{re}"), Some(&shop.key)).await;
    assert_eq!((fetched.status, fetched.body["amount"].as_i64()), (StatusCode::OK, Some(3_000)), "{}", fetched.body);
    assert_eq!(succeeded[0]["data"]["object"], fetched.body, "the event carries the refund as stored");
    s.mail_with_subject(&email, "Refund Shop refunded you 30.00 USD").await;

    // The rest is 7,000 but the fee went to OKPay: the merchant holds only 6,710. 402, and the
    // reservation is given back.
    let short = refund(&s, &shop, &id, None, &unique()).await;
    assert_eq!((short.status, short.code()), (StatusCode::PAYMENT_REQUIRED, "insufficient_funds"), "{}", short.body);
    let got = s.get(&format!("/v1/payments/{id}"), Some(&shop.key)).await;
    assert_eq!(got.body["amount_refunded"], 3_000, "reservation released: {}", got.body);
    assert_eq!(s.available(&shop.token, "usd").await, 6_710);
    s.fund(&shop.token, 1_000, "usd").await;
    let rest = refund(&s, &shop, &id, None, &unique()).await;
    assert_eq!((rest.status, rest.body["amount"].as_i64()), (StatusCode::CREATED, Some(7_000)), "{}", rest.body);
    assert_eq!((s.available(&shop.token, "usd").await, s.available(&token, "usd").await), (710, 10_000));
    assert_eq!(system_balance(&s, "system:fee_revenue", "usd").await, 290, "the fee is not returned");
    let over = refund(&s, &shop, &id, Some(1), &unique()).await;
    assert_eq!((over.status, over.code()), (StatusCode::BAD_REQUEST, "refund_exceeds_payment"), "{}", over.body);

    // A card payment is refunded to the card: the payer's wallet does not move.
    let (card_payer, _, _) = payer(&s, 0, "usd").await;
    let pm = s.card(&card_payer, "4242424242424242").await;
    let p = pay_request(&s, &shop, 2_000, "usd").await;
    let pid = p["id"].as_str().unwrap();
    assert_eq!(confirm(&s, &card_payer, pid, &pm, &unique()).await.status, StatusCode::OK);
    let too_much = refund(&s, &shop, pid, Some(2_001), &unique()).await;
    assert_eq!(too_much.code(), "refund_exceeds_payment", "{}", too_much.body);
    let back = refund(&s, &shop, pid, Some(500), &unique()).await;
    assert_eq!((back.status, back.body["status"].as_str()), (StatusCode::CREATED, Some("succeeded")), "{}", back.body);
    assert_eq!(s.available(&card_payer, "usd").await, 0);
    assert_eq!(s.available(&shop.token, "usd").await, 710 + 1_942 - 500);
    s.assert_books_balance().await;
    s.stop().await;
}

async fn concurrent_partial_refunds_never_exceed_the_payment(backend: TestBackend) {
    let Some(db) = TestDb::new(backend).await.expect("test database") else { return };
    let s = TestServer::start_on(db, |_| {}).await;
    let shop = shop(&s, "Race Shop").await;
    let (id, token, _) = paid(&s, &shop, 1_000).await;
    let keys: Vec<String> = (0..8).map(|_| unique()).collect();
    let answers = futures_join(&s, &shop, &id, &keys).await;
    let created = answers.iter().filter(|(st, _)| *st == StatusCode::CREATED).count();
    assert_eq!(created, 3, "3 × 300 fit in 1,000: {answers:?}");
    assert!(
        answers.iter().all(|(st, code)| *st == StatusCode::CREATED || code == "refund_exceeds_payment"),
        "{answers:?}"
    );
    assert_eq!((s.available(&shop.token, "usd").await, s.available(&token, "usd").await), (100, 900));
    let got = s.get(&format!("/v1/payments/{id}"), Some(&shop.key)).await;
    assert_eq!(got.body["amount_refunded"], 900, "{}", got.body);
    s.assert_books_balance().await;
    s.stop().await;
}

/// Sends one 300 refund per key at once; returns each (status, error code).
async fn futures_join(s: &TestServer, shop: &Shop, id: &str, keys: &[String]) -> Vec<(StatusCode, String)> {
    let mut tasks = Vec::new();
    for key in keys {
        let (api, secret, id, key) = (s.api.clone(), shop.key.clone(), id.to_owned(), key.clone());
        tasks.push(tokio::spawn(async move {
            let r = api.post("/v1/refunds", Some(&secret), Some(&key), &json!({"payment": id, "amount": 300})).await;
            (r.status, r.code().to_owned())
        }));
    }
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.expect("task"));
    }
    out
}

async fn refunds_are_only_for_the_merchants_own_paid_payments(backend: TestBackend) {
    let Some(s) = server(backend).await else { return };
    let shop = shop(&s, "Owner Shop").await;
    let other = common::shop::shop(&s, "Other Shop").await;
    let (id, _, _) = paid(&s, &shop, 1_000).await;

    // Another merchant's payment is answered like one that does not exist.
    for payment in [id.as_str(), "pay_nope"] {
        let r = refund(&s, &other, payment, Some(100), &unique()).await;
        assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "resource_missing"), "{payment}: {}", r.body);
        assert_eq!(r.body["error"]["param"], "payment");
    }
    let ok = refund(&s, &shop, &id, Some(100), &unique()).await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
    let re = ok.body["id"].as_str().unwrap();
    assert_eq!(s.get(&format!("/v1/refunds/{re}"), Some(&other.key)).await.code(), "resource_missing");

    // Keys only, with an idempotency key, for a paid payment.
    let (personal, _, _) = payer(&s, 0, "usd").await;
    let body = json!({"payment": id, "amount": 100});
    let r = s.post("/v1/refunds", Some(&personal), Some(&unique()), &body).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNAUTHORIZED, "api_key_required"), "{}", r.body);
    let r = s.post("/v1/refunds", Some(&shop.key), None, &body).await;
    assert_eq!((r.status, r.code()), (StatusCode::BAD_REQUEST, "idempotency_key_required"), "{}", r.body);
    let unpaid = pay_request(&s, &shop, 500, "usd").await;
    let r = refund(&s, &shop, unpaid["id"].as_str().unwrap(), None, &unique()).await;
    assert_eq!((r.status, r.code()), (StatusCode::BAD_REQUEST, "payment_not_refundable"), "{}", r.body);
    let r = refund(&s, &shop, &id, Some(0), &unique()).await;
    assert_eq!(r.code(), "invalid_amount", "{}", r.body);
    assert_eq!(s.available(&other.token, "usd").await, 0);
    s.assert_books_balance().await;
    s.stop().await;
}
