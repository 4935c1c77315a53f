//! Idempotency keys: replays are byte-for-byte, reuse is refused, and no replay — sequential
//! or concurrent — moves money twice.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::{TestServer, unique};
use okpay_store::testing::TestBackend;
use reqwest::StatusCode;
use serde_json::json;

async fn replays_return_the_first_response(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let (alice, _, _) = s.user().await;
    let (_, bob, _) = s.user().await;
    s.fund(&alice, 1_000, "usd").await;
    let key = unique();
    let body = json!({"to": bob, "amount": 300, "currency": "usd"});
    let send = || async {
        let res = s
            .client
            .post(format!("{}/v1/transfers", s.base))
            .bearer_auth(&alice)
            .header("Idempotency-Key", &key)
            .json(&body)
            .send()
            .await
            .expect("sent");
        let headers = res.headers().clone();
        (res.status(), headers, res.bytes().await.expect("body"))
    };
    let (s1, h1, b1) = send().await;
    assert_eq!(s1, StatusCode::CREATED);
    assert!(h1.get("idempotent-replayed").is_none());
    let (s2, h2, b2) = send().await;
    assert_eq!(s2, StatusCode::CREATED);
    assert_eq!(b1, b2, "byte-for-byte replay");
    assert_eq!(h2.get("idempotent-replayed").and_then(|v| v.to_str().ok()), Some("true"));
    assert_eq!(h1.get("request-id"), h2.get("request-id"), "replay keeps the first request id");

    let other =
        s.post("/v1/transfers", Some(&alice), Some(&key), &json!({"to": bob, "amount": 301, "currency": "usd"})).await;
    assert_eq!((other.status, other.code()), (StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused"));

    // An error is replayed too (same key, same body → same answer).
    let k2 = unique();
    let big = json!({"to": bob, "amount": 5_000, "currency": "usd"});
    let e1 = s.post("/v1/transfers", Some(&alice), Some(&k2), &big).await;
    assert_eq!(e1.code(), "insufficient_funds");
    let e2 = s.post("/v1/transfers", Some(&alice), Some(&k2), &big).await;
    assert_eq!(e1.body, e2.body);

    // Keys are per caller: Bob may use Alice's key for his own request.
    assert_eq!(s.available(&alice, "usd").await, 700, "moved once");
    s.assert_books_balance().await;
    s.stop().await;
}

async fn concurrent_duplicates_move_money_once(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let (alice, _, _) = s.user().await;
    let (bob_token, bob, _) = s.user().await;
    s.fund(&alice, 10_000, "usd").await;
    for round in 0..5 {
        let key = format!("dup-{round}-{}", unique());
        let body = json!({"to": bob, "amount": 100, "currency": "usd"});
        let tasks: Vec<_> = (0..16).map(|_| s.post("/v1/transfers", Some(&alice), Some(&key), &body)).collect();
        let results = futures::future::join_all(tasks).await;
        let mut created_ids = std::collections::HashSet::new();
        for r in &results {
            match r.status {
                StatusCode::CREATED => {
                    created_ids.insert(r.body["id"].as_str().unwrap_or_default().to_owned());
                }
                StatusCode::CONFLICT => assert_eq!(r.code(), "idempotency_key_in_use"),
                other => panic!("unexpected {other}: {}", r.body),
            }
        }
        assert_eq!(created_ids.len(), 1, "every success is the same transfer");
    }
    assert_eq!(s.available(&bob_token, "usd").await, 500, "five transfers, not more");
    s.assert_books_balance().await;
    s.stop().await;
}

on_both_backends!(replays_return_the_first_response, concurrent_duplicates_move_money_once);
