//! Bad input gets a 4xx with a specific code and a message in the caller's language — never a
//! 500 — and writes nothing.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::{PASSWORD, Resp, TestServer, unique};
use okpay_store::testing::TestBackend;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn check_error(r: &Resp, status: StatusCode, code: &str, what: &str) {
    assert_eq!(r.status, status, "{what}: {}", r.body);
    assert_eq!(r.code(), code, "{what}: {}", r.body);
    let e = &r.body["error"];
    assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "{what}: message");
    assert!(e["doc_url"].as_str().is_some_and(|u| u.ends_with(&format!("/help/errors/{code}"))), "{what}: doc_url");
    let header = r.headers.get("request-id").and_then(|v| v.to_str().ok());
    assert_eq!(header, e["request_id"].as_str(), "{what}: Request-Id header matches the body");
}

async fn raw(s: &TestServer, token: Option<&str>, path: &str, content_type: Option<&str>, body: Vec<u8>) -> Resp {
    let mut req = s.client.post(format!("{}{path}", s.base)).header("Idempotency-Key", unique()).body(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(ct) = content_type {
        req = req.header("Content-Type", ct);
    }
    let res = req.send().await.expect("sent");
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.json::<Value>().await.unwrap_or(Value::Null);
    Resp { status, headers, body }
}

async fn money_requests_reject_bad_input(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let (token, _, _) = s.user().await;
    let (_, bob, _) = s.user().await;
    s.fund(&token, 1_000, "usd").await;
    let t = Some(token.as_str());
    let bad = StatusCode::BAD_REQUEST;
    let cases: Vec<(Value, StatusCode, &str, Option<&str>)> = vec![
        (json!({"to": bob, "amount": 0, "currency": "usd"}), bad, "invalid_amount", Some("amount")),
        (json!({"to": bob, "amount": -5, "currency": "usd"}), bad, "invalid_amount", Some("amount")),
        (json!({"to": bob, "amount": 10.5, "currency": "usd"}), bad, "invalid_amount", Some("amount")),
        (json!({"to": bob, "amount": 10.5, "currency": "jpy"}), bad, "invalid_amount", Some("amount")),
        (json!({"to": bob, "amount": 1e30, "currency": "usd"}), bad, "invalid_amount", Some("amount")),
        (json!({"to": bob, "amount": u64::MAX, "currency": "usd"}), bad, "invalid_amount", Some("amount")),
        (json!({"to": bob, "amount": "100", "currency": "usd"}), bad, "invalid_amount", Some("amount")),
        (json!({"to": bob, "currency": "usd"}), bad, "parameter_missing", Some("amount")),
        (json!({"to": bob, "amount": 10, "currency": "USD"}), bad, "invalid_currency", Some("currency")),
        (json!({"to": bob, "amount": 10, "currency": "xyz"}), bad, "invalid_currency", Some("currency")),
        (json!({"to": bob, "amount": 10, "currency": 840}), bad, "invalid_currency", Some("currency")),
        (json!({"to": 5, "amount": 10, "currency": "usd"}), bad, "parameter_invalid", Some("to")),
        (json!({"amount": 10, "currency": "usd"}), bad, "parameter_missing", Some("to")),
        (json!({"to": bob, "amount": 10, "currency": "usd", "tip": 1}), bad, "parameter_unknown", Some("tip")),
        (
            json!({"to": bob, "amount": 10, "currency": "usd", "description": "x".repeat(501)}),
            bad,
            "parameter_invalid",
            Some("description"),
        ),
        (json!([1, 2]), bad, "parameter_invalid", None),
    ];
    for (body, status, code, param) in cases {
        let r = s.post("/v1/transfers", t, Some(&unique()), &body).await;
        check_error(&r, status, code, &body.to_string());
        assert_eq!(r.body["error"]["param"].as_str(), param, "{body}");
    }
    let ok_body = json!({"to": bob, "amount": 10, "currency": "usd"});
    let r = s.post("/v1/transfers", t, None, &ok_body).await;
    check_error(&r, bad, "idempotency_key_required", "no key");
    let r = s.post("/v1/transfers", t, Some(&"k".repeat(256)), &ok_body).await;
    check_error(&r, bad, "idempotency_key_invalid", "long key");
    let r = s.post("/v1/transfers", None, Some(&unique()), &ok_body).await;
    check_error(&r, StatusCode::UNAUTHORIZED, "authentication_required", "no token");
    let r = s.post("/v1/transfers", Some("forged-token"), Some(&unique()), &ok_body).await;
    check_error(&r, StatusCode::UNAUTHORIZED, "authentication_required", "forged token");
    let r = raw(&s, t, "/v1/transfers", Some("application/json"), b"{\"to\":".to_vec()).await;
    check_error(&r, bad, "invalid_json", "truncated json");
    let r = raw(&s, t, "/v1/transfers", None, b"to=bob".to_vec()).await;
    check_error(&r, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "form body");
    let big =
        format!("{{\"to\":\"{bob}\",\"amount\":10,\"currency\":\"usd\",\"description\":\"{}\"}}", "x".repeat(100_000));
    let r = raw(&s, t, "/v1/transfers", Some("application/json"), big.into_bytes()).await;
    check_error(&r, StatusCode::PAYLOAD_TOO_LARGE, "request_too_large", "oversize");

    // Deposits.
    let pm = s.card(&token, "4242424242424242").await;
    let r = s
        .post("/v1/deposits", t, Some(&unique()), &json!({"amount": 99, "currency": "usd", "payment_method": pm}))
        .await;
    check_error(&r, bad, "amount_too_small", "tiny deposit");
    let r = s
        .post(
            "/v1/deposits",
            t,
            Some(&unique()),
            &json!({"amount": 500, "currency": "usd", "payment_method": "pm_nope"}),
        )
        .await;
    check_error(&r, StatusCode::NOT_FOUND, "resource_missing", "unknown pm");

    // History queries.
    for (q, code) in [
        ("created_from=yesterday", "invalid_date_range"),
        ("created_from=2026-02-02&created_to=2026-02-01", "invalid_date_range"),
        ("limit=0", "parameter_invalid"),
        ("limit=101", "parameter_invalid"),
        ("limit=abc", "parameter_invalid"),
        ("type=gift", "parameter_invalid"),
        ("starting_after=txn_unknown", "resource_missing"),
    ] {
        let r = s.get(&format!("/v1/transactions?{q}"), t).await;
        assert!(r.status.is_client_error(), "{q}: {}", r.body);
        assert_eq!(r.code(), code, "{q}");
    }

    // Routing.
    let r = s.get("/v1/nowhere", t).await;
    check_error(&r, StatusCode::NOT_FOUND, "route_not_found", "unknown route");
    let r = s.request(Method::DELETE, "/v1/balances", t, None, None, None).await;
    check_error(&r, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "wrong method");

    // Chinese messages on request.
    let r = s
        .request(
            Method::POST,
            "/v1/transfers",
            t,
            Some(&unique()),
            Some(&json!({"to": bob, "amount": 0, "currency": "usd"})),
            Some("zh-CN"),
        )
        .await;
    check_error(&r, bad, "invalid_amount", "zh");
    let msg = r.body["error"]["message"].as_str().unwrap_or_default();
    assert!(msg.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "Chinese message: {msg}");

    // Nothing moved, nothing half-written: one deposit row only.
    assert_eq!(s.available(&token, "usd").await, 1_000);
    let h = s.get("/v1/transactions", t).await;
    assert_eq!(h.body["data"].as_array().map(Vec::len), Some(1), "{}", h.body);
    s.assert_books_balance().await;
    s.stop().await;
}

async fn identity_and_card_input_is_checked(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let bad = StatusCode::BAD_REQUEST;
    let user = |email: &str, password: &str, name: &str, kind: &str| json!({"email": email, "password": password, "name": name, "account_type": kind});
    let email = format!("u-{}@example.com", unique());
    for (body, code, param) in [
        (user("not-an-email", PASSWORD, "A", "personal"), "invalid_email", "email"),
        (user("a@b", PASSWORD, "A", "personal"), "invalid_email", "email"),
        (user(&email, "short", "A", "personal"), "weak_password", "password"),
        (user(&email, &"p".repeat(10_000), "A", "personal"), "weak_password", "password"),
        (user(&email, "Zebra-Quartz-Maple-9", "Zebra Jones", "personal"), "weak_password", "password"),
        (user(&email, "1qaz2wsx3edc", "A", "personal"), "weak_password", "password"),
        (user(&email, "aaaaaaaaaaaaaaaa", "A", "personal"), "weak_password", "password"),
        (user(&email, PASSWORD, "bad\u{0007}name", "personal"), "invalid_name", "name"),
        (user(&email, PASSWORD, "   ", "personal"), "invalid_name", "name"),
        (user(&email, PASSWORD, "A", "corporate"), "invalid_account_type", "account_type"),
    ] {
        let r = s.post("/v1/users", None, None, &body).await;
        check_error(&r, bad, code, &body.to_string());
        assert_eq!(r.body["error"]["param"], param);
    }
    // The message names the rule that failed.
    let r = s.post("/v1/users", None, None, &user(&email, "1qaz2wsx3edc", "A", "personal")).await;
    let msg = r.body["error"]["message"].as_str().unwrap_or_default().to_lowercase();
    assert!(msg.contains("common"), "{msg}");
    // Unicode names are fine.
    let r = s.post("/v1/users", None, None, &user(&email, PASSWORD, "王小明 Ünïcødé", "personal")).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);

    let (token, _, _) = s.user().await;
    let card = |number: &str, month: i64, year: i64, cvc: &str| json!({"type": "card", "card": {"number": number, "exp_month": month, "exp_year": year, "cvc": cvc, "holder_name": "A B"}});
    for (body, status, code) in [
        (card("4242 4242 4242 424X", 12, 2035, "123"), bad, "invalid_card_number"),
        (card("4242 4242 4242 4241", 12, 2035, "123"), bad, "invalid_card_number"),
        (card("4242424242424242", 13, 2035, "123"), bad, "invalid_expiry_date"),
        (card("4242424242424242", 1, 2020, "123"), StatusCode::PAYMENT_REQUIRED, "expired_card"),
        (card("4242424242424242", 12, 2035, "12"), bad, "invalid_cvc"),
        (json!({"type": "card"}), bad, "parameter_missing"),
        (json!({"type": "crypto"}), bad, "parameter_invalid"),
        (
            json!({"type": "bank_account", "bank_account": {"country": "US", "account_number": "12ab", "holder_name": "A"}}),
            bad,
            "invalid_account_number",
        ),
    ] {
        let r = s.post("/v1/payment-methods", Some(&token), None, &body).await;
        check_error(&r, status, code, &body.to_string());
    }
    let list = s.get("/v1/payment-methods", Some(&token)).await;
    assert_eq!(list.body["data"].as_array().map(Vec::len), Some(0), "nothing stored");
    s.stop().await;
}

on_both_backends!(money_requests_reject_bad_input, identity_and_card_input_is_checked);
