//! The simulated card rail (API.md §6), through `POST /v1/deposits`.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::{TestServer, unique};
use okpay_store::testing::TestBackend;
use reqwest::StatusCode;
use serde_json::json;

async fn each_test_card_behaves_as_documented(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let (token, _, _) = s.user().await;
    let cases: [(&str, StatusCode, Option<&str>, Option<&str>); 7] = [
        ("4242 4242 4242 4242", StatusCode::CREATED, None, None),
        ("5555 5555 5555 4444", StatusCode::CREATED, None, None),
        ("4000 0000 0000 0002", StatusCode::PAYMENT_REQUIRED, Some("card_declined"), Some("generic_decline")),
        ("4000 0000 0000 9995", StatusCode::PAYMENT_REQUIRED, Some("card_declined"), Some("insufficient_funds")),
        ("4000 0000 0000 0127", StatusCode::PAYMENT_REQUIRED, Some("incorrect_cvc"), None),
        ("4000 0000 0000 0069", StatusCode::PAYMENT_REQUIRED, Some("expired_card"), None),
        ("4000 0000 0000 0119", StatusCode::PAYMENT_REQUIRED, Some("processing_error"), None),
    ];
    let mut expected_balance = 0;
    for (number, status, code, decline) in cases {
        let pm = s.card(&token, number).await;
        let r = s
            .post(
                "/v1/deposits",
                Some(&token),
                Some(&unique()),
                &json!({"amount": 500, "currency": "usd", "payment_method": pm}),
            )
            .await;
        assert_eq!(r.status, status, "{number}: {}", r.body);
        match code {
            None => {
                assert_eq!(r.body["status"], "succeeded");
                expected_balance += 500;
            }
            Some(code) => {
                assert_eq!(r.code(), code, "{number}");
                assert_eq!(r.body["error"]["type"], "card_error");
                assert_eq!(r.body["error"]["decline_code"].as_str(), decline, "{number}");
            }
        }
    }
    assert_eq!(s.available(&token, "usd").await, expected_balance);
    // Declines leave failed history rows with their reason; successes leave succeeded ones.
    let failed = s.get("/v1/transactions?status=failed", Some(&token)).await;
    let rows = failed.body["data"].as_array().cloned().unwrap_or_default();
    assert_eq!(rows.len(), 5);
    assert!(rows.iter().any(|r| r["failure_code"] == "card_declined" && r["decline_code"] == "insufficient_funds"));
    let ok = s.get("/v1/transactions?status=succeeded&type=deposit", Some(&token)).await;
    assert_eq!(ok.body["data"].as_array().map(Vec::len), Some(2));
    s.assert_books_balance().await;
    s.stop().await;
}

async fn card_details_are_never_returned_whole(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let (token, _, _) = s.user().await;
    let r = s
        .post("/v1/payment-methods", Some(&token), None,
            &json!({"type": "card", "card": {"number": "4242-4242-4242-4242", "exp_month": 1, "exp_year": 2040, "cvc": "987", "holder_name": "A B"}}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.body["card"], json!({"brand": "visa", "last4": "4242", "exp_month": 1, "exp_year": 2040}));
    let list = s.get("/v1/payment-methods", Some(&token)).await;
    let text = list.body.to_string();
    assert!(!text.contains("4242424242424242") && !text.contains("987"), "{text}");
    let bank = s
        .post("/v1/payment-methods", Some(&token), None,
            &json!({"type": "bank_account", "bank_account": {"country": "us", "account_number": "000123450000", "holder_name": "A B"}}))
        .await;
    assert_eq!(bank.status, StatusCode::CREATED, "{}", bank.body);
    assert_eq!(bank.body["bank_account"]["last4"], "0000");
    assert_eq!(bank.body["bank_account"]["country"], "US");
    // A bank deposit waits for the bank (tests/bank_deposits.rs follows it to the end).
    let pm = bank.body["id"].as_str().unwrap_or_default();
    let r = s
        .post(
            "/v1/deposits",
            Some(&token),
            Some(&unique()),
            &json!({"amount": 500, "currency": "usd", "payment_method": pm}),
        )
        .await;
    assert_eq!((r.status, r.body["status"].as_str()), (StatusCode::CREATED, Some("pending")), "{}", r.body);
    s.stop().await;
}

on_both_backends!(each_test_card_behaves_as_documented, card_details_are_never_returned_whole);
