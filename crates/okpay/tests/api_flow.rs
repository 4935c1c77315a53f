//! The first slice end to end: sign up, sign in, link a card, deposit, transfer, history.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::{TestServer, unique};
use okpay_store::testing::TestBackend;
use reqwest::StatusCode;
use serde_json::json;

async fn money_moves_through_the_books(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let (alice, _, alice_id) = s.user().await;
    let (bob, bob_email, bob_id) = s.user().await;

    let me = s.get("/v1/me", Some(&alice)).await;
    assert_eq!(me.body["id"], alice_id.as_str());
    assert_eq!(me.body["status"], "active", "the helper verified the email through the mailed link");
    assert_eq!(me.body["email_verified"], true);

    s.fund(&alice, 10_000, "usd").await;
    assert_eq!(s.available(&alice, "usd").await, 10_000);

    let r = s
        .post(
            "/v1/transfers",
            Some(&alice),
            Some(&unique()),
            &json!({"to": bob_email, "amount": 2_550, "currency": "usd", "description": "lunch"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert!(r.body["id"].as_str().is_some_and(|id| id.starts_with("tr_")));
    assert_eq!(r.body["status"], "succeeded");
    assert_eq!(r.body["to"], bob_email.as_str());
    let tr_id = r.body["id"].as_str().unwrap_or_default().to_owned();

    // By user id works too.
    let r = s
        .post("/v1/transfers", Some(&alice), Some(&unique()), &json!({"to": bob_id, "amount": 450, "currency": "usd"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);

    assert_eq!(s.available(&alice, "usd").await, 7_000);
    assert_eq!(s.available(&bob, "usd").await, 3_000);

    // Alice's history: newest first — transfer_out, transfer_out, deposit.
    let h = s.get("/v1/transactions", Some(&alice)).await;
    assert_eq!(h.status, StatusCode::OK);
    let kinds: Vec<&str> =
        h.body["data"].as_array().map(|a| a.iter().filter_map(|r| r["type"].as_str()).collect()).unwrap_or_default();
    assert_eq!(kinds, ["transfer_out", "transfer_out", "deposit"]);
    assert_eq!(h.body["has_more"], false);

    // Filters and pagination.
    let page = s.get("/v1/transactions?type=transfer_out&limit=1", Some(&alice)).await;
    assert_eq!(page.body["data"].as_array().map(Vec::len), Some(1));
    assert_eq!(page.body["has_more"], true);
    let first = page.body["data"][0]["id"].as_str().unwrap_or_default().to_owned();
    let next = s.get(&format!("/v1/transactions?type=transfer_out&limit=1&starting_after={first}"), Some(&alice)).await;
    assert_eq!(next.body["data"].as_array().map(Vec::len), Some(1));
    assert_ne!(next.body["data"][0]["id"], first.as_str());
    assert_eq!(next.body["has_more"], false);
    let none = s.get("/v1/transactions?status=failed", Some(&alice)).await;
    assert_eq!(none.body["data"].as_array().map(Vec::len), Some(0));
    let dated = s.get("/v1/transactions?created_from=2000-01-01&created_to=2000-12-31", Some(&alice)).await;
    assert_eq!(dated.body["data"].as_array().map(Vec::len), Some(0));

    // Bob sees the incoming row with its source and a status timeline.
    let bh = s.get("/v1/transactions?type=transfer_in", Some(&bob)).await;
    let row = bh.body["data"].as_array().and_then(|a| a.iter().find(|r| r["source"] == tr_id.as_str())).cloned();
    let row = row.expect("bob's transfer_in row");
    assert_eq!(row["amount"], 2_550);
    assert_eq!(row["description"], "lunch");
    let id = row["id"].as_str().unwrap_or_default();
    let one = s.get(&format!("/v1/transactions/{id}"), Some(&bob)).await;
    assert_eq!(one.status, StatusCode::OK);
    assert_eq!(one.body["status_history"][0]["status"], "succeeded");

    // Someone else's row is not visible.
    let other = s.get(&format!("/v1/transactions/{id}"), Some(&alice)).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    assert_eq!(other.code(), "resource_missing");

    s.assert_books_balance().await;
    s.stop().await;
}

async fn transfers_refuse_what_they_cannot_do(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let (alice, alice_email, _) = s.user().await;
    let (_bob, bob_email, _) = s.user().await;
    s.fund(&alice, 1_000, "usd").await;

    let cases = [
        (
            json!({"to": bob_email, "amount": 1_001, "currency": "usd"}),
            StatusCode::PAYMENT_REQUIRED,
            "insufficient_funds",
        ),
        (json!({"to": bob_email, "amount": 10, "currency": "eur"}), StatusCode::PAYMENT_REQUIRED, "insufficient_funds"),
        (
            json!({"to": "nobody@example.com", "amount": 10, "currency": "usd"}),
            StatusCode::NOT_FOUND,
            "recipient_not_found",
        ),
        (
            json!({"to": "usr_doesnotexist", "amount": 10, "currency": "usd"}),
            StatusCode::NOT_FOUND,
            "recipient_not_found",
        ),
        (json!({"to": alice_email, "amount": 10, "currency": "usd"}), StatusCode::BAD_REQUEST, "transfer_to_self"),
    ];
    for (body, status, code) in cases {
        let r = s.post("/v1/transfers", Some(&alice), Some(&unique()), &body).await;
        assert_eq!((r.status, r.code()), (status, code), "{body}: {}", r.body);
    }
    assert_eq!(s.available(&alice, "usd").await, 1_000, "nothing moved");
    s.assert_books_balance().await;
    s.stop().await;
}

on_both_backends!(money_moves_through_the_books, transfers_refuse_what_they_cannot_do);
