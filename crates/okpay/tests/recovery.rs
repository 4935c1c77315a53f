//! The recovery sweep (issue 4): a card payment left `processing` and a refund left `pending`
//! by a request that died are finished by the server itself — charged (by reference, once)
//! and posted, or failed with the card's answer; refunded to the payer — with the books
//! verified after each. The dead requests are simulated by writing their first step through
//! the store, exactly as the request would have.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::shop::{accept, confirm, events_about, pay_request, payer, shop};
use common::{TestServer, unique};
use okpay_app::ports::{RefundRecord, RefundReservation};
use okpay_domain::Currency;
use okpay_domain::time::now_us;
use okpay_store::testing::TestBackend;
use reqwest::StatusCode;

on_both_backends!(a_card_payment_left_processing_is_finished, a_refund_left_pending_is_finished);

/// Ten minutes ago and more: what the sweep treats as abandoned.
fn long_ago() -> i64 {
    now_us() - 20 * 60 * 1_000_000
}

async fn a_card_payment_left_processing_is_finished(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let tea = shop(&s, "Tea Stall").await;
    accept(&s, &tea, &["wallet", "card"]).await;
    let store = &s.app().store;

    // One with a good card, one with a card the issuer declines.
    let (good_token, _, good_id) = payer(&s, 0, "usd").await;
    let good_card = s.card(&good_token, "4242424242424242").await;
    let (bad_token, _, bad_id) = payer(&s, 0, "usd").await;
    let bad_card = s.card(&bad_token, "4000000000000002").await;
    let good = pay_request(&s, &tea, 1_500, "usd").await["id"].as_str().unwrap().to_owned();
    let bad = pay_request(&s, &tea, 700, "usd").await["id"].as_str().unwrap().to_owned();
    // Each confirm died right after claiming the payment for its card.
    assert!(store.claim_payment(&good, &good_id, &good_card, long_ago()).await.unwrap());
    assert!(store.claim_payment(&bad, &bad_id, &bad_card, long_ago()).await.unwrap());
    // A fresh claim (a request that may still be running) is left alone.
    let (live_token, _, live_id) = payer(&s, 0, "usd").await;
    let live_card = s.card(&live_token, "4242424242424242").await;
    let live = pay_request(&s, &tea, 300, "usd").await["id"].as_str().unwrap().to_owned();
    assert!(store.claim_payment(&live, &live_id, &live_card, now_us()).await.unwrap());

    let before = now_us() - 10 * 60 * 1_000_000;
    let swept = s.app().finish_stale(before).await.unwrap();
    assert_eq!((swept.payments, swept.refunds), (2, 0));
    let p = store.payment(&good).await.unwrap().unwrap();
    assert_eq!((p.status.as_str(), p.method.as_deref()), ("succeeded", Some("card")));
    assert_eq!(s.available(&tea.token, "usd").await, 1_500, "the merchant has the money");
    assert_eq!(events_about(&s, &tea, "payment.succeeded", &good).await.len(), 1);
    let p = store.payment(&bad).await.unwrap().unwrap();
    assert_eq!((p.status.as_str(), p.failure_code.as_deref()), ("failed", Some("card_declined")));
    assert_eq!(events_about(&s, &tea, "payment.failed", &bad).await.len(), 1);
    assert_eq!(store.payment(&live).await.unwrap().unwrap().status, "processing", "not stale yet");

    // The payer's own retry now gets the finished payment, and a second sweep does nothing.
    let r = confirm(&s, &good_token, &good, &good_card, &unique()).await;
    assert_eq!((r.status, r.body["status"].as_str()), (StatusCode::OK, Some("succeeded")), "{}", r.body);
    assert_eq!(s.app().finish_stale(before).await.unwrap().payments, 0);
    assert_eq!(s.available(&tea.token, "usd").await, 1_500, "paid once");
    s.assert_books_balance().await;
}

async fn a_refund_left_pending_is_finished(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let tea = shop(&s, "Tea Cart").await;
    let store = &s.app().store;
    let (token, _, _) = payer(&s, 2_000, "usd").await;
    let pay = pay_request(&s, &tea, 2_000, "usd").await["id"].as_str().unwrap().to_owned();
    let r = confirm(&s, &token, &pay, "wallet", &unique()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // Two refund requests died after reserving, before any money moved.
    let reserve = |id: &str, amount: i64, at: i64| RefundRecord {
        id: id.into(),
        payment_id: pay.clone(),
        merchant_id: tea.id.clone(),
        amount_minor: amount,
        currency: Currency::Usd,
        status: "pending".into(),
        failure_code: None,
        rail_reference: None,
        created_at_us: at,
        updated_at_us: at,
    };
    let first = reserve("re_recovery_first", 1_200, long_ago());
    let second = reserve("re_recovery_second", 800, long_ago() + 1);
    assert!(matches!(store.reserve_refund(&first).await.unwrap(), RefundReservation::Reserved(_)));
    assert!(matches!(store.reserve_refund(&second).await.unwrap(), RefundReservation::Reserved(_)));
    // The merchant spends 500 meanwhile: 1,500 left covers the older refund (1,200), not both.
    let (_, other_email, _) = payer(&s, 0, "usd").await;
    let body = serde_json::json!({"to": other_email, "amount": 500, "currency": "usd"});
    let t = s.post("/v1/transfers", Some(&tea.token), Some(&unique()), &body).await;
    assert_eq!(t.status, StatusCode::CREATED, "{}", t.body);

    let swept = s.app().finish_stale(now_us() - 10 * 60 * 1_000_000).await.unwrap();
    assert_eq!(swept.refunds, 2);
    let r1 = store.refund("re_recovery_first").await.unwrap().unwrap();
    let r2 = store.refund("re_recovery_second").await.unwrap().unwrap();
    assert_eq!(r1.status, "succeeded");
    assert_eq!((r2.status.as_str(), r2.failure_code.as_deref()), ("failed", Some("insufficient_funds")));
    assert_eq!(s.available(&token, "usd").await, 1_200, "the payer has the first refund back");
    assert_eq!(s.available(&tea.token, "usd").await, 2_000 - 500 - 1_200, "the merchant paid it");
    let p = store.payment(&pay).await.unwrap().unwrap();
    assert_eq!(p.refunded_minor, 1_200, "the failed refund's reservation was released");
    assert_eq!(events_about(&s, &tea, "refund.succeeded", "re_recovery_first").await.len(), 1);
    s.assert_books_balance().await;
}
