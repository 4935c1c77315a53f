//! Lockout after failed sign-ins, the unlock mail, and expiry (API.md §2).
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::{PASSWORD, Resp, TestServer, unique};
use okpay_store::testing::{TestBackend, TestDb};
use reqwest::StatusCode;
use serde_json::json;

const WRONG: &str = "Not-The-Right-Password-1";

async fn attempt(s: &TestServer, email: &str, password: &str) -> Resp {
    s.post("/v1/sessions", None, None, &json!({"email": email, "password": password})).await
}

/// Five wrong passwords; returns the five (status, code) answers.
async fn fail_five_times(s: &TestServer, email: &str) -> Vec<(StatusCode, String)> {
    let mut answers = Vec::new();
    for _ in 0..5 {
        let r = attempt(s, email, WRONG).await;
        answers.push((r.status, r.code().to_owned()));
    }
    answers
}

async fn lockout_then_unlock_mail_then_sign_in(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let (session, email, _) = s.user().await;
    let answers = fail_five_times(&s, &email).await;
    assert_eq!(answers[0], (StatusCode::UNAUTHORIZED, "invalid_credentials".to_owned()));
    assert_eq!(answers[4], (StatusCode::FORBIDDEN, "account_locked".to_owned()), "the fifth failure locks");
    // Even the right password is refused now, and money cannot move from existing sessions.
    let r = attempt(&s, &email, PASSWORD).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "account_locked"), "{}", r.body);
    assert_eq!(s.get("/v1/me", Some(&session)).await.body["status"], "locked");
    let pm = s.card(&session, "4242424242424242").await;
    let d = s
        .post(
            "/v1/deposits",
            Some(&session),
            Some(&unique()),
            &json!({"amount": 5_000, "currency": "usd", "payment_method": pm}),
        )
        .await;
    assert_eq!(d.code(), "account_locked", "{}", d.body);

    let mail = s.mail_with_link(&email, "/unlock").await;
    assert_eq!(mail.subject, "Your OKPay account is temporarily locked");
    assert!(mail.text.contains("15 minutes") && mail.text.contains("/forgot-password"), "{}", mail.text);
    let token = mail.token("/unlock").expect("token");
    let u = s.post("/v1/users/unlock", None, None, &json!({"token": token})).await;
    assert_eq!(u.status, StatusCode::OK, "{}", u.body);
    assert_eq!(u.body, json!({"email": email, "status": "active"}));
    s.sign_in(&email).await;
    let again = s.post("/v1/users/unlock", None, None, &json!({"token": token})).await;
    assert_eq!((again.status, again.code()), (StatusCode::BAD_REQUEST, "token_invalid"));
    // The count started over: one more failure does not lock.
    assert_eq!(attempt(&s, &email, WRONG).await.code(), "invalid_credentials");
    s.sign_in(&email).await;
}

async fn unknown_addresses_lock_the_same_way(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let (_, known, _) = s.user().await;
    let unknown = format!("ghost-{}@example.com", unique());
    let a = fail_five_times(&s, &known).await;
    let b = fail_five_times(&s, &unknown).await;
    assert_eq!(a, b, "same answers for a registered and an unknown address");
    let ra = attempt(&s, &known, PASSWORD).await;
    let rb = attempt(&s, &unknown, PASSWORD).await;
    assert_eq!((ra.status, ra.code()), (rb.status, rb.code()));
    assert_eq!(ra.body["error"]["message"], rb.body["error"]["message"]);
    assert_eq!(ra.code(), "account_locked");
    // And a first failure answers the same too.
    let (_, other, _) = s.user().await;
    let fa = attempt(&s, &other, WRONG).await;
    let fb = attempt(&s, &format!("ghost2-{}@example.com", unique()), WRONG).await;
    assert_eq!(
        (fa.status, fa.code(), &fa.body["error"]["message"]),
        (fb.status, fb.code(), &fb.body["error"]["message"])
    );
}

async fn the_lock_expires_by_itself(backend: TestBackend) {
    let Some(db) = TestDb::new(backend).await.expect("db") else { return };
    let s = TestServer::start_on(db, |c| c.lockout_duration = "1s".into()).await;
    let (session, email, _) = s.user().await;
    fail_five_times(&s, &email).await;
    assert_eq!(attempt(&s, &email, PASSWORD).await.code(), "account_locked");
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    assert_eq!(s.get("/v1/me", Some(&session)).await.body["status"], "active", "lifted when seen");
    let r = attempt(&s, &email, PASSWORD).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["user"]["status"], "active");
}

async fn a_password_reset_unlocks(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let (_, email, _) = s.user().await;
    fail_five_times(&s, &email).await;
    s.post("/v1/password-resets", None, None, &json!({"email": email})).await;
    let token = s.mailed_token(&email, "/reset-password").await;
    let new_password = "Quartz-Lantern-Meadow-77";
    let c =
        s.post("/v1/password-resets/confirm", None, None, &json!({"token": token, "new_password": new_password})).await;
    assert_eq!(c.status, StatusCode::OK, "{}", c.body);
    assert_eq!(c.body["account_status"], "active");
    let r = attempt(&s, &email, new_password).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    // The unlock link of the lock is no longer needed but stays single-use and valid only for it.
    let bad = s.post("/v1/users/unlock", None, None, &json!({"token": token})).await;
    assert_eq!(bad.code(), "token_invalid");
}

async fn bad_sign_in_input(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let (_, email, _) = s.user().await;
    for (e, p) in [("not-an-email", PASSWORD.to_owned()), (email.as_str(), "x".repeat(10 * 1024)), ("", String::new())]
    {
        let r = attempt(&s, e, &p).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNAUTHORIZED, "invalid_credentials"), "{}", r.body);
    }
    for bad in [
        json!({"email": email}),
        json!({"email": email, "password": 5}),
        json!({"email": email, "password": PASSWORD, "x": 1}),
    ] {
        let r = s.post("/v1/sessions", None, None, &bad).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    }
    for bad in ["", "令牌", &"z".repeat(10_000)] {
        let r = s.post("/v1/users/unlock", None, None, &json!({"token": bad})).await;
        assert_eq!((r.status, r.code()), (StatusCode::BAD_REQUEST, "token_invalid"), "{}", r.body);
    }
}

on_both_backends!(
    lockout_then_unlock_mail_then_sign_in,
    unknown_addresses_lock_the_same_way,
    the_lock_expires_by_itself,
    a_password_reset_unlocks,
    bad_sign_in_input
);
