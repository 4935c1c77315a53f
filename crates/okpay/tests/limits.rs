//! Per-user limits (API.md §7, issue 4 item 6): deposits and outgoing transfers are refused
//! with `limit_exceeded` once a UTC day's total would pass the user's limit; the error names
//! the limit, what is left and when it resets (in the caller's language); failed attempts do
//! not count; an approved identity level raises the limit tenfold. Books verified after each.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::{Resp, TestServer, unique};
use okpay_domain::limits::Period;
use okpay_domain::time::{now_us, rfc3339};
use okpay_store::testing::{TestBackend, TestDb};
use reqwest::StatusCode;
use serde_json::json;
use sqlx::Connection;

async fn deposit(s: &TestServer, token: &str, pm: &str, amount: i64, lang: Option<&str>) -> Resp {
    let body = json!({"amount": amount, "currency": "usd", "payment_method": pm});
    s.request(reqwest::Method::POST, "/v1/deposits", Some(token), Some(&unique()), Some(&body), lang).await
}

/// Sets a user's identity level behind the API's back (document review is tested in
/// identity_documents.rs).
async fn set_kyc_level(db: &TestDb, email: &str, level: i64) {
    let sql = "UPDATE users SET kyc_level = $1 WHERE email = $2";
    if db.url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(&db.url).await.expect("connect");
        sqlx::query(sql).bind(level).bind(email).execute(&mut c).await.expect("update");
    } else {
        let mut c = sqlx::PgConnection::connect(&db.url).await.expect("connect");
        sqlx::query(sql).bind(level).bind(email).execute(&mut c).await.expect("update");
    }
}

async fn daily_deposit_limit_is_enforced_with_its_reset_time(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let (token, email, _) = s.user().await;
    let me = s.get("/v1/me", Some(&token)).await;
    let usd = me.body["limits"].as_array().unwrap().iter().find(|l| l["currency"] == "usd").cloned().unwrap();
    assert_eq!((usd["deposit"].as_i64(), usd["monthly"]["deposit"].as_i64()), (Some(200_000), Some(2_000_000)));

    // A declined attempt moves nothing and uses none of the limit.
    let declined = s.card(&token, "4000000000000002").await;
    let r = deposit(&s, &token, &declined, 190_000, None).await;
    assert_eq!((r.status, r.code()), (StatusCode::PAYMENT_REQUIRED, "card_declined"), "{}", r.body);

    let card = s.card(&token, "4242424242424242").await;
    let r = deposit(&s, &token, &card, 150_000, None).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = deposit(&s, &token, &card, 50_001, None).await;
    assert_eq!((r.status, r.code()), (StatusCode::PAYMENT_REQUIRED, "limit_exceeded"), "{}", r.body);
    let limit = &r.body["error"]["limit"];
    let (_, tomorrow) = Period::Day.bounds(now_us());
    assert_eq!(limit["name"], "daily_deposit");
    assert_eq!(
        (limit["limit"].as_i64(), limit["used"].as_i64(), limit["remaining"].as_i64()),
        (Some(200_000), Some(150_000), Some(50_000))
    );
    assert_eq!(limit["resets_at"], rfc3339(tomorrow).as_str());
    let message = r.body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("2000.00 USD") && message.contains("500.00 USD") && message.contains(&rfc3339(tomorrow)),
        "{message}"
    );
    assert_eq!(r.body["error"]["param"], "amount");
    let zh = deposit(&s, &token, &card, 50_001, Some("zh-CN")).await;
    assert!(zh.body["error"]["message"].as_str().unwrap().contains("每日限额"), "{}", zh.body);
    assert_eq!(s.available(&token, "usd").await, 150_000, "refusals moved nothing");

    // Exactly up to the limit is fine; one dollar more is not.
    let r = deposit(&s, &token, &card, 50_000, None).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = deposit(&s, &token, &card, 100, None).await;
    assert_eq!(r.code(), "limit_exceeded", "{}", r.body);

    // An approved identity level raises the limit tenfold.
    set_kyc_level(&s.db, &email, 1).await;
    let r = deposit(&s, &token, &card, 500_000, None).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(s.available(&token, "usd").await, 700_000);
    s.assert_books_balance().await;
}

async fn transfers_and_currencies_have_their_own_limits(backend: TestBackend) {
    let db = TestDb::new(backend).await.expect("test database");
    let Some(db) = db else { return };
    let s = TestServer::start_on(db, |c| c.daily_limit_usd = 10_000).await;
    let (alice, _, _) = s.user().await;
    let (_, bob, _) = s.user().await;
    s.fund(&alice, 10_000, "usd").await;
    s.fund(&alice, 5_000, "jpy").await;
    let send = |amount: i64, currency: &'static str| {
        let body = json!({"to": bob, "amount": amount, "currency": currency});
        let (s, alice) = (&s, alice.clone());
        async move { s.post("/v1/transfers", Some(&alice), Some(&unique()), &body).await }
    };
    assert_eq!(send(6_000, "usd").await.status, StatusCode::CREATED);
    let r = send(4_001, "usd").await;
    assert_eq!((r.status, r.code()), (StatusCode::PAYMENT_REQUIRED, "limit_exceeded"), "{}", r.body);
    assert_eq!(r.body["error"]["limit"]["name"], "daily_transfer");
    assert_eq!(r.body["error"]["limit"]["remaining"], 4_000);
    // The deposit limit was used to the cent by the funding, the transfer limit is separate,
    // and jpy has its own.
    assert_eq!(send(4_000, "usd").await.status, StatusCode::CREATED);
    assert_eq!(send(5_000, "jpy").await.status, StatusCode::CREATED);
    assert_eq!(s.available(&alice, "usd").await, 0);
    s.assert_books_balance().await;
}

async fn wallet_payments_share_the_transfer_limit(backend: TestBackend) {
    let db = TestDb::new(backend).await.expect("test database");
    let Some(db) = db else { return };
    let s = TestServer::start_on(db, |c| c.daily_limit_usd = 10_000).await;
    let shop = common::shop::shop(&s, "Corner Shop").await;
    let (alice, _, _) = s.user().await;
    let (_, bob, _) = s.user().await;
    s.fund(&alice, 10_000, "usd").await;
    let body = json!({"to": bob, "amount": 7_000, "currency": "usd"});
    assert_eq!(s.post("/v1/transfers", Some(&alice), Some(&unique()), &body).await.status, StatusCode::CREATED);
    let p = common::shop::pay_request(&s, &shop, 3_001, "usd").await;
    let id = p["id"].as_str().unwrap().to_owned();
    let r = common::shop::confirm(&s, &alice, &id, "wallet", &unique()).await;
    assert_eq!((r.status, r.code()), (StatusCode::PAYMENT_REQUIRED, "limit_exceeded"), "{}", r.body);
    assert_eq!(r.body["error"]["limit"]["name"], "daily_transfer");
    assert_eq!(s.get(&format!("/v1/payments/{id}"), Some(&alice)).await.body["status"], "requires_payment");
    let p = common::shop::pay_request(&s, &shop, 3_000, "usd").await;
    let paid = common::shop::confirm(&s, &alice, p["id"].as_str().unwrap(), "wallet", &unique()).await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.body);
    s.assert_books_balance().await;
}

async fn withdrawals_have_their_own_limit(backend: TestBackend) {
    let db = TestDb::new(backend).await.expect("test database");
    let Some(db) = db else { return };
    let s = TestServer::start_on(db, |c| c.daily_limit_usd = 10_000).await;
    let (alice, _, _) = s.user().await;
    s.fund(&alice, 10_000, "usd").await;
    let card = s.card(&alice, "4242424242424242").await;
    let withdraw = |amount: i64| {
        let body = json!({"amount": amount, "currency": "usd", "payment_method": card});
        let (s, alice) = (&s, alice.clone());
        async move { s.post("/v1/withdrawals", Some(&alice), Some(&unique()), &body).await }
    };
    let first = withdraw(6_000).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let r = withdraw(4_001).await;
    assert_eq!((r.status, r.code()), (StatusCode::PAYMENT_REQUIRED, "limit_exceeded"), "{}", r.body);
    assert_eq!(r.body["error"]["limit"]["name"], "daily_withdrawal");
    assert_eq!(r.body["error"]["limit"]["used"], 6_000, "the fee does not count, the amount does");
    let cancel = s
        .post(&format!("/v1/withdrawals/{}/cancel", first.body["id"].as_str().unwrap()), Some(&alice), None, &json!({}))
        .await;
    assert_eq!(cancel.status, StatusCode::OK, "{}", cancel.body);
    assert_eq!(withdraw(4_001).await.status, StatusCode::CREATED, "a canceled withdrawal frees its part of the limit");
    s.assert_books_balance().await;
}

/// Twelve transfers of one user at once, each within the limit, five of which fill it (the
/// balance covers ten): the checks are counted one after the other, so exactly five pass and
/// the rest are refused.
async fn racing_transfers_cannot_pass_a_limit_together(backend: TestBackend) {
    let db = TestDb::new(backend).await.expect("test database");
    let Some(db) = db else { return };
    let s = TestServer::start_on(db, |c| c.daily_limit_usd = 10_000).await;
    let (alice, alice_email, _) = s.user().await;
    let (bob_token, bob, _) = s.user().await;
    let (carol, _, _) = s.user().await;
    // Alice holds twice her daily transfer limit, so only the limit can stop the race.
    s.fund(&alice, 10_000, "usd").await;
    s.fund(&carol, 10_000, "usd").await;
    let gift = json!({"to": alice_email, "amount": 10_000, "currency": "usd"});
    assert_eq!(s.post("/v1/transfers", Some(&carol), Some(&unique()), &gift).await.status, StatusCode::CREATED);
    let body = json!({"to": bob, "amount": 2_000, "currency": "usd"});
    let sends = (0..12).map(|_| {
        let (s, alice, body) = (&s, alice.clone(), body.clone());
        async move { s.post("/v1/transfers", Some(&alice), Some(&unique()), &body).await }
    });
    let answers = futures::future::join_all(sends).await;
    let created = answers.iter().filter(|r| r.status == StatusCode::CREATED).count();
    let refused = answers.iter().filter(|r| r.code() == "limit_exceeded").count();
    assert_eq!((created, refused), (5, 7), "{:?}", answers.iter().map(|r| &r.body).collect::<Vec<_>>());
    assert_eq!(s.available(&bob_token, "usd").await, 10_000);
    s.assert_books_balance().await;
}

/// A movement in flight that will fail must not use up the limit for the user's other
/// movement: a 9,500 transfer the balance cannot cover and a 1,000 one, at once, under a daily
/// limit of 10,000. The 1,000 always passes (a check that counted the 9,500 as reserved counts
/// again once it has failed). The 9,500 is refused either for funds, or by the limit when the
/// 1,000 was counted first, as it would be one after the other.
async fn a_failing_movement_in_flight_does_not_use_up_the_limit(backend: TestBackend) {
    let db = TestDb::new(backend).await.expect("test database");
    let Some(db) = db else { return };
    let s = TestServer::start_on(db, |c| c.daily_limit_usd = 10_000).await;
    let (alice, _, _) = s.user().await;
    let (bob_token, bob, _) = s.user().await;
    s.fund(&alice, 5_000, "usd").await;
    for round in 0..4 {
        let big = json!({"to": bob, "amount": 9_500, "currency": "usd"});
        let small = json!({"to": bob, "amount": 1_000, "currency": "usd"});
        let (big_key, small_key) = (unique(), unique());
        let (big, small) = tokio::join!(
            s.post("/v1/transfers", Some(&alice), Some(&big_key), &big),
            s.post("/v1/transfers", Some(&alice), Some(&small_key), &small),
        );
        assert!(["insufficient_funds", "limit_exceeded"].contains(&big.code()), "round {round}: {:?}", big.body);
        assert_eq!(small.status, StatusCode::CREATED, "round {round}: {:?}", small.body);
    }
    assert_eq!(s.available(&bob_token, "usd").await, 4_000);
    s.assert_books_balance().await;
}

on_both_backends!(
    racing_transfers_cannot_pass_a_limit_together,
    a_failing_movement_in_flight_does_not_use_up_the_limit,
    daily_deposit_limit_is_enforced_with_its_reset_time,
    transfers_and_currencies_have_their_own_limits,
    withdrawals_have_their_own_limit,
    wallet_payments_share_the_transfer_limit,
);
