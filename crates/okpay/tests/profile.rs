//! `PATCH /v1/me` and `POST /v1/me/support-pin` (API.md §2).
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::TestServer;
use okpay_domain::time::{DayEdge, now_us, parse_filter_time};
use okpay_store::testing::TestBackend;
use reqwest::{Method, StatusCode};
use serde_json::json;

async fn profile_changes_name_and_mail_language(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let (token, email, _) = s.user().await;
    let patch = |body: serde_json::Value| {
        let s = &s;
        let token = token.clone();
        async move { s.request(Method::PATCH, "/v1/me", Some(&token), None, Some(&body), None).await }
    };
    let r = patch(json!({"name": "  李 安  ", "locale": "zh-CN"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!((r.body["name"].as_str(), r.body["locale"].as_str()), (Some("李 安"), Some("zh")));
    let me = s.get("/v1/me", Some(&token)).await;
    assert_eq!((me.body["name"].as_str(), me.body["locale"].as_str()), (Some("李 安"), Some("zh")));

    // Mail now goes out in Chinese.
    s.post("/v1/password-resets", None, None, &json!({"email": email})).await;
    let mail = s.mail_with_link(&email, "/reset-password").await;
    assert_eq!(mail.subject, "重置您的 OKPay 密码");
    assert!(mail.text.contains("李 安"));

    // Only what is given changes; bad values are named and change nothing.
    let r = patch(json!({"locale": "en"})).await;
    assert_eq!((r.body["name"].as_str(), r.body["locale"].as_str()), (Some("李 安"), Some("en")));
    let bad = patch(json!({"locale": "fr", "name": "Someone Else"})).await;
    assert_eq!((bad.status, bad.code()), (StatusCode::BAD_REQUEST, "parameter_invalid"), "{}", bad.body);
    assert_eq!(bad.body["error"]["param"], "locale");
    let empty = patch(json!({"name": "   "})).await;
    assert_eq!((empty.code(), &empty.body["error"]["param"]), ("invalid_name", &json!("name")));
    let unknown = patch(json!({"email": "new@example.com"})).await;
    assert_eq!(unknown.code(), "parameter_unknown");
    let me = s.get("/v1/me", Some(&token)).await;
    assert_eq!((me.body["name"].as_str(), me.body["email"].as_str()), (Some("李 安"), Some(email.as_str())));
    let anonymous = s.request(Method::PATCH, "/v1/me", None, None, Some(&json!({"name": "X"})), None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    s.stop().await;
}

async fn support_pins_are_six_digits_for_ten_minutes(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let (token, _, user) = s.user().await;
    let r = s.post("/v1/me/support-pin", Some(&token), None, &json!({})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let pin = r.body["pin"].as_str().expect("pin");
    assert!(pin.len() == 6 && pin.bytes().all(|b| b.is_ascii_digit()), "{pin}");
    let expires_at = r.body["expires_at"].as_str().expect("expires_at");
    let expires_us = parse_filter_time(expires_at, DayEdge::Start).expect("rfc3339");
    let seconds = (expires_us - now_us()) / 1_000_000;
    assert!((590..=600).contains(&seconds), "valid for ten minutes: {seconds} s");
    let anonymous = s.post("/v1/me/support-pin", None, None, &json!({})).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);

    let (agent, _, _) = s.staff("agent").await;
    let log = s.get(&format!("/v1/agent/audit-log?subject={user}"), Some(&agent)).await;
    let issued = log.body["data"].as_array().expect("list").iter().any(|e| e["action"] == "support_pin_issued");
    assert!(issued, "{}", log.body);
    s.stop().await;
}

on_both_backends!(profile_changes_name_and_mail_language, support_pins_are_six_digits_for_ten_minutes);
