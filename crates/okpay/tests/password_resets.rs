//! Forgotten passwords through HTTP and a real SMTP server (API.md §2).
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::{MAIL_WAIT, PASSWORD, TestServer, unique};
use okpay_store::testing::{TestBackend, TestDb};
use reqwest::StatusCode;
use serde_json::json;

const NEW_PASSWORD: &str = "Quartz-Lantern-Meadow-77";

async fn reset_ends_sessions_and_sets_the_password(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let (phone, email, _) = s.user().await;
    let (laptop, _) = s.sign_in(&email).await;

    let r = s.post("/v1/password-resets", None, None, &json!({"email": email})).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    assert_eq!(r.body, json!({"status": "reset_requested", "email": email}));
    let mail = s.mail_with_link(&email, "/reset-password").await;
    assert_eq!(mail.subject, "Reset your OKPay password");
    assert!(mail.link("http://127.0.0.1:8080/reset-password?token=").is_some(), "{}", mail.text);
    let token = mail.token("/reset-password").expect("token");
    // Nothing changes until the link is used.
    assert_eq!(s.get("/v1/me", Some(&phone)).await.status, StatusCode::OK);

    let c =
        s.post("/v1/password-resets/confirm", None, None, &json!({"token": token, "new_password": NEW_PASSWORD})).await;
    assert_eq!(c.status, StatusCode::OK, "{}", c.body);
    assert_eq!(c.body, json!({"status": "password_changed", "email": email, "account_status": "active"}));
    for old in [&phone, &laptop] {
        let me = s.get("/v1/me", Some(old)).await;
        assert_eq!(me.status, StatusCode::UNAUTHORIZED, "old sessions end at once: {}", me.body);
    }
    let old_pw = s.post("/v1/sessions", None, None, &json!({"email": email, "password": PASSWORD})).await;
    assert_eq!((old_pw.status, old_pw.code()), (StatusCode::UNAUTHORIZED, "invalid_credentials"));
    let new_pw = s.post("/v1/sessions", None, None, &json!({"email": email, "password": NEW_PASSWORD})).await;
    assert_eq!(new_pw.status, StatusCode::CREATED, "{}", new_pw.body);

    let inbox = s.inbox.clone().expect("inbox");
    let notice = inbox.wait_for(&email, MAIL_WAIT, |m| m.subject == "Your OKPay password was changed").await;
    assert!(notice.is_some(), "the owner is told");

    let reused = s
        .post(
            "/v1/password-resets/confirm",
            None,
            None,
            &json!({"token": token, "new_password": "Another-Fine-Harbor-91"}),
        )
        .await;
    assert_eq!((reused.status, reused.code()), (StatusCode::BAD_REQUEST, "token_invalid"), "{}", reused.body);
    let still = s.post("/v1/sessions", None, None, &json!({"email": email, "password": NEW_PASSWORD})).await;
    assert_eq!(still.status, StatusCode::CREATED);
}

async fn reset_does_not_reveal_registered_emails(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let (_, known, _) = s.user().await;
    let unknown = format!("nobody-{}@example.com", unique());
    let a = s.post("/v1/password-resets", None, None, &json!({"email": known})).await;
    let b = s.post("/v1/password-resets", None, None, &json!({"email": unknown})).await;
    assert_eq!(a.status, b.status);
    assert_eq!(a.body["status"], b.body["status"]);
    assert_eq!(a.body.as_object().map(|o| o.len()), b.body.as_object().map(|o| o.len()));
    s.mail_with_link(&known, "/reset-password").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(s.inbox.clone().expect("inbox").to(&unknown).is_empty(), "no mail to an unknown address");
    let bad = s.post("/v1/password-resets", None, None, &json!({"email": "not an email"})).await;
    assert_eq!((bad.status, bad.code()), (StatusCode::BAD_REQUEST, "invalid_email"));
}

async fn bad_reset_tokens_and_passwords(backend: TestBackend) {
    let Some(db) = TestDb::new(backend).await.expect("db") else { return };
    let s = TestServer::start_on(db, |c| c.password_reset_ttl = "1s".into()).await;
    let (_, email, _) = s.user().await;
    s.post("/v1/password-resets", None, None, &json!({"email": email})).await;
    let token = s.mailed_token(&email, "/reset-password").await;
    let confirm = |token: String, pw: String| json!({"token": token, "new_password": pw});

    // A weak password names its rule and writes nothing: the token still works.
    for (pw, reason_word) in
        [("x".repeat(10 * 1024), "128"), ("Test Person was here 2024!".to_owned(), "name"), ("short".to_owned(), "12")]
    {
        let r = s.post("/v1/password-resets/confirm", None, None, &confirm(token.clone(), pw)).await;
        assert_eq!((r.status, r.code()), (StatusCode::BAD_REQUEST, "weak_password"), "{}", r.body);
        assert_eq!(r.body["error"]["param"], "new_password");
        assert!(r.body["error"]["message"].as_str().is_some_and(|m| m.contains(reason_word)), "{}", r.body);
    }
    // Forged, malformed, or another purpose's token.
    let verify_mail_token = s.mailed_token(&email, "/verify-email").await;
    for bad in ["a".repeat(52), String::new(), "令牌".to_owned(), "x".repeat(10_000), verify_mail_token] {
        let r = s.post("/v1/password-resets/confirm", None, None, &confirm(bad, NEW_PASSWORD.into())).await;
        assert_eq!((r.status, r.code()), (StatusCode::BAD_REQUEST, "token_invalid"), "{}", r.body);
    }
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let r = s.post("/v1/password-resets/confirm", None, None, &confirm(token, NEW_PASSWORD.into())).await;
    assert_eq!((r.status, r.code()), (StatusCode::BAD_REQUEST, "token_expired"), "{}", r.body);
    s.sign_in(&email).await; // the old password still works
}

async fn reset_never_lifts_a_freeze(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let (_, email, _) = s.user().await;
    common::set_status(&s.db, &email, "frozen").await;
    s.post("/v1/password-resets", None, None, &json!({"email": email})).await;
    let token = s.mailed_token(&email, "/reset-password").await;
    let c =
        s.post("/v1/password-resets/confirm", None, None, &json!({"token": token, "new_password": NEW_PASSWORD})).await;
    assert_eq!(c.status, StatusCode::OK, "{}", c.body);
    assert_eq!(c.body["account_status"], "frozen");
    let r = s.post("/v1/sessions", None, None, &json!({"email": email, "password": NEW_PASSWORD})).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "account_frozen"), "{}", r.body);
}

on_both_backends!(
    reset_ends_sessions_and_sets_the_password,
    reset_does_not_reveal_registered_emails,
    bad_reset_tokens_and_passwords,
    reset_never_lifts_a_freeze
);
