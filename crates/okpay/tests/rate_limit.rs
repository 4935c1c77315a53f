//! Per-IP rate limits on sign-in, registration and account recovery (API.md §1 overload, §7).
//!
//! The harness turns limits off for every other test (they all come from 127.0.0.1); these
//! tests turn them on with tiny budgets. A second client binds 127.0.0.2, which Linux routes
//! over loopback like 127.0.0.1, to play "another IP".
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use common::{Api, PASSWORD, Resp, TestServer, unique};
use okpay::Config;
use okpay_store::testing::{TestBackend, TestDb};
use reqwest::StatusCode;
use serde_json::{Value, json};

const WRONG: &str = "Not-The-Right-Password-1";
/// A budget no test reaches.
const ROOMY: &str = "1000/m burst 1000";

/// A server with limits on: `tweak` sets the budgets under test, the rest are roomy.
async fn limited(backend: TestBackend, tweak: impl FnOnce(&mut Config)) -> Option<TestServer> {
    let db = TestDb::new(backend).await.expect("test database")?;
    Some(
        TestServer::start_on(db, |c| {
            c.rate_limit = "on".into();
            c.rate_limit_sign_in = ROOMY.into();
            c.rate_limit_registration = ROOMY.into();
            c.rate_limit_recovery = ROOMY.into();
            tweak(c);
        })
        .await,
    )
}

/// The same server seen from 127.0.0.2.
fn from_another_ip(s: &TestServer) -> Api {
    let client = reqwest::Client::builder()
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)))
        .build()
        .expect("client bound to 127.0.0.2");
    Api { base: s.base.clone(), client, inbox: s.inbox.clone() }
}

/// Asserts `r` is the standard 429 and returns its `Retry-After` in seconds.
fn assert_rate_limited(r: &Resp, longest_wait_secs: u64) -> u64 {
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    assert_eq!(r.code(), "rate_limited");
    assert_eq!(r.body["error"]["type"], "rate_limit_error");
    assert!(r.body["error"]["doc_url"].as_str().unwrap().ends_with("/help/errors/rate_limited"));
    let request_id = r.headers["request-id"].to_str().unwrap();
    assert!(request_id.starts_with("req_"));
    assert_eq!(r.body["error"]["request_id"], request_id);
    let retry_after: u64 = r.headers["retry-after"].to_str().unwrap().parse().expect("whole seconds");
    assert!((1..=longest_wait_secs).contains(&retry_after), "Retry-After {retry_after}");
    retry_after
}

/// `r`'s body without what differs between any two requests (the request id).
fn comparable(r: &Resp) -> Value {
    let mut body = r.body.clone();
    body["error"]["request_id"] = Value::Null;
    body
}

async fn sign_in(api: &Api, email: &str, password: &str, lang: Option<&str>) -> Resp {
    let body = json!({"email": email, "password": password});
    api.request(reqwest::Method::POST, "/v1/sessions", None, None, Some(&body), lang).await
}

async fn sign_in_is_limited_per_ip_without_counting_refused_attempts(backend: TestBackend) {
    let Some(s) = limited(backend, |c| c.rate_limit_sign_in = "1/h burst 3".into()).await else { return };
    let (email, r) = s.register().await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    for _ in 0..3 {
        let r = sign_in(&s, &email, WRONG, None).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNAUTHORIZED, "invalid_credentials"), "{}", r.body);
    }
    // The budget is spent: the right password is refused too, in the caller's language.
    for _ in 0..5 {
        assert_rate_limited(&sign_in(&s, &email, WRONG, None).await, 3600);
    }
    let en = sign_in(&s, &email, PASSWORD, None).await;
    assert_rate_limited(&en, 3600);
    let zh = sign_in(&s, &email, PASSWORD, Some("zh-CN")).await;
    assert_rate_limited(&zh, 3600);
    let help_en = s.get("/v1/help/errors/rate_limited?lang=en", None).await;
    let help_zh = s.get("/v1/help/errors/rate_limited?lang=zh", None).await;
    assert_eq!(en.body["error"]["message"], help_en.body["message"]);
    assert_eq!(zh.body["error"]["message"], help_zh.body["message"]);
    assert_ne!(en.body["error"]["message"], zh.body["error"]["message"]);

    // Only this IP and this group are limited; other endpoints answer as usual.
    assert_eq!(s.get("/healthz", None).await.status, StatusCode::OK);
    let (_, other) = s.register().await;
    assert_eq!(other.status, StatusCode::ACCEPTED, "registration has its own budget: {}", other.body);
    let elsewhere = from_another_ip(&s);
    // Only the three answered failures were counted (5 lock): the refused ones did no work.
    let r = sign_in(&elsewhere, &email, PASSWORD, None).await;
    assert_eq!(r.status, StatusCode::CREATED, "another IP signs in, the account is not locked: {}", r.body);
    let token = r.body["token"].as_str().unwrap();
    // Authenticated endpoints are not limited per IP, whichever address calls them.
    let me = s.get("/v1/me", Some(token)).await;
    assert_eq!((me.status, me.body["status"].as_str()), (StatusCode::OK, Some("pending_verification")));

    let metrics = s.client.get(format!("{}/metrics", s.base)).send().await.unwrap().text().await.unwrap();
    let line = metrics
        .lines()
        .find(|l| l.starts_with("okpay_rate_limited_total{group=\"sign_in\"}"))
        .unwrap_or_else(|| panic!("no okpay_rate_limited_total for sign_in in\n{metrics}"));
    let count: f64 = line.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(count >= 7.0, "{line}");
    s.stop().await;
}

async fn password_resets_are_limited_and_reveal_nothing(backend: TestBackend) {
    let Some(s) = limited(backend, |c| c.rate_limit_recovery = "1/h burst 2".into()).await else { return };
    let (registered, r) = s.register().await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let unregistered = format!("nobody-{}@example.com", unique());
    let reset = |email: &str| json!({ "email": email });
    for email in [&unregistered, &unregistered] {
        let r = s.post("/v1/password-resets", None, None, &reset(email)).await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    }
    let for_registered = s.post("/v1/password-resets", None, None, &reset(&registered)).await;
    let for_unregistered = s.post("/v1/password-resets", None, None, &reset(&unregistered)).await;
    assert_rate_limited(&for_registered, 3600);
    assert_rate_limited(&for_unregistered, 3600);
    assert_eq!(comparable(&for_registered), comparable(&for_unregistered), "identical answers");
    let names = |r: &Resp| r.headers.keys().map(|k| k.as_str().to_owned()).collect::<Vec<_>>();
    assert_eq!(names(&for_registered), names(&for_unregistered));
    // Confirming shares the budget: refused before the token is even looked at.
    let confirm = json!({"token": "not-a-token", "new_password": PASSWORD});
    assert_rate_limited(&s.post("/v1/password-resets/confirm", None, None, &confirm).await, 3600);
    assert_rate_limited(&s.post("/v1/users/unlock", None, None, &json!({"token": "x"})).await, 3600);

    // From another IP the registered address gets its mail: exactly one, so the refused
    // request sent none.
    let elsewhere = from_another_ip(&s);
    let r = elsewhere.post("/v1/password-resets", None, None, &reset(&registered)).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    s.mail_with_link(&registered, "/reset-password").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let inbox = s.inbox.as_ref().unwrap();
    let resets = inbox.to(&registered).iter().filter(|m| m.text.contains("/reset-password?token=")).count();
    assert_eq!(resets, 1, "the rate-limited request mailed nothing");
    s.stop().await;
}

async fn registration_is_limited_and_refused_requests_write_nothing(backend: TestBackend) {
    let Some(s) = limited(backend, |c| c.rate_limit_registration = "1/h burst 2".into()).await else { return };
    let (existing, r) = s.register().await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let (_, r) = s.register().await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let sign_up =
        |email: &str| json!({"email": email, "password": PASSWORD, "name": "Test Person", "account_type": "personal"});
    let fresh = format!("user-{}@example.com", unique());
    let new_address = s.post("/v1/users", None, None, &sign_up(&fresh)).await;
    let known_address = s.post("/v1/users", None, None, &sign_up(&existing)).await;
    assert_rate_limited(&new_address, 3600);
    assert_rate_limited(&known_address, 3600);
    assert_eq!(comparable(&new_address), comparable(&known_address), "identical answers");
    // Invalid input is refused by the limiter first too: no validation work, same answer.
    let invalid = s.post("/v1/users", None, None, &json!({"email": "nope"})).await;
    assert_eq!(comparable(&invalid), comparable(&new_address));
    assert_rate_limited(&s.post("/v1/users/verify-email", None, None, &json!({"token": "x"})).await, 3600);

    // The refused sign-up wrote nothing: the address is still free for someone else.
    let elsewhere = from_another_ip(&s);
    let r = elsewhere.post("/v1/users", None, None, &sign_up(&fresh)).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    // A verification link (not "you already have an account") proves the address was new.
    s.mail_with_link(&fresh, "/verify-email").await;
    // Sign-in has its own budget.
    let r = sign_in(&s, &existing, PASSWORD, None).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    s.stop().await;
}

async fn off_turns_every_limit_off(backend: TestBackend) {
    let Some(s) = limited(backend, |c| {
        c.rate_limit = "off".into();
        c.rate_limit_sign_in = "1/h burst 1".into();
        c.rate_limit_recovery = "1/h burst 1".into();
    })
    .await
    else {
        return;
    };
    let email = format!("nobody-{}@example.com", unique());
    for _ in 0..4 {
        let r = sign_in(&s, &email, WRONG, None).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNAUTHORIZED, "invalid_credentials"), "{}", r.body);
        let r = s.post("/v1/password-resets", None, None, &json!({ "email": email })).await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    }
    // The per-email lockout stays on: the fifth failure locks the address.
    let r = sign_in(&s, &email, WRONG, None).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "account_locked"), "{}", r.body);
    s.stop().await;
}

on_both_backends!(
    sign_in_is_limited_per_ip_without_counting_refused_attempts,
    password_resets_are_limited_and_reveal_nothing,
    registration_is_limited_and_refused_requests_write_nothing,
    off_turns_every_limit_off,
);
