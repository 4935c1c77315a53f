//! Registration and email verification through HTTP and a real SMTP server (API.md §2).
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::{PASSWORD, TestServer, unique};
use okpay_store::testing::{TestBackend, TestDb};
use reqwest::StatusCode;
use serde_json::json;

async fn register_verify_sign_in_and_move_money(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let email = format!("ann-{}@example.com", unique());
    let r = s
        .post(
            "/v1/users",
            None,
            None,
            &json!({"email": email.to_uppercase(), "password": PASSWORD, "name": "Ann Lee", "account_type": "personal"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    assert_eq!(r.body, json!({"status": "verification_sent", "email": email}));

    // Signing in before verification works; moving money does not.
    let (token, _) = s.sign_in(&email).await;
    let me = s.get("/v1/me", Some(&token)).await;
    assert_eq!(
        (me.body["status"].as_str(), me.body["email_verified"].as_bool()),
        (Some("pending_verification"), Some(false))
    );

    let mail = s.mail_with_link(&email, "/verify-email").await;
    assert_eq!(mail.subject, "Confirm your email address");
    assert!(mail.text.contains("Hello Ann Lee,") && mail.html.contains("Verify my email"));
    let link = mail.link("http://127.0.0.1:8080/verify-email?token=").expect("link on OKPAY_PUBLIC_URL");
    let token_in_link = link.rsplit('=').next().unwrap_or_default().to_owned();
    assert!(token_in_link.len() >= 26, "at least 128 bits: {link}");

    let v = s.post("/v1/users/verify-email", None, None, &json!({"token": token_in_link})).await;
    assert_eq!(v.status, StatusCode::OK, "{}", v.body);
    assert_eq!(v.body, json!({"email": email, "email_verified": true, "status": "active"}));
    let me = s.get("/v1/me", Some(&token)).await;
    assert_eq!((me.body["status"].as_str(), me.body["email_verified"].as_bool()), (Some("active"), Some(true)));

    // Single use.
    let again = s.post("/v1/users/verify-email", None, None, &json!({"token": token_in_link})).await;
    assert_eq!((again.status, again.code()), (StatusCode::BAD_REQUEST, "token_invalid"));

    s.fund(&token, 5_000, "usd").await;
    let (_, bob, _) = s.user().await;
    let t = s
        .post("/v1/transfers", Some(&token), Some(&unique()), &json!({"to": bob, "amount": 1_000, "currency": "usd"}))
        .await;
    assert_eq!(t.status, StatusCode::CREATED, "{}", t.body);
    s.assert_books_balance().await;
}

async fn unverified_users_cannot_move_money(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let (token, _, _) = s.unverified_user().await;
    let (_, bob, _) = s.user().await;
    // Linking a card moves no money: allowed while waiting for the mail.
    let pm = s.card(&token, "4242424242424242").await;
    let d = s
        .post(
            "/v1/deposits",
            Some(&token),
            Some(&unique()),
            &json!({"amount": 5_000, "currency": "usd", "payment_method": pm}),
        )
        .await;
    assert_eq!((d.status, d.code()), (StatusCode::FORBIDDEN, "email_not_verified"), "{}", d.body);
    assert!(d.body["error"]["doc_url"].as_str().is_some_and(|u| u.ends_with("/help/errors/email_not_verified")));
    let t = s
        .post("/v1/transfers", Some(&token), Some(&unique()), &json!({"to": bob, "amount": 100, "currency": "usd"}))
        .await;
    assert_eq!((t.status, t.code()), (StatusCode::FORBIDDEN, "email_not_verified"), "{}", t.body);
    assert_eq!(s.available(&token, "usd").await, 0);
}

async fn registration_does_not_reveal_registered_emails(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let (_, taken, _) = s.user().await;
    let fresh = format!("new-{}@example.com", unique());
    let body = |email: &str| json!({"email": email, "password": PASSWORD, "name": "Someone Else", "account_type": "business", "locale": "zh"});
    let a = s.post("/v1/users", None, None, &body(&taken)).await;
    let b = s.post("/v1/users", None, None, &body(&fresh)).await;
    assert_eq!(a.status, b.status);
    assert_eq!(a.status, StatusCode::ACCEPTED);
    assert_eq!(a.body["status"], b.body["status"]);
    assert_eq!(a.body.as_object().map(|o| o.len()), b.body.as_object().map(|o| o.len()));
    assert_eq!(a.body, json!({"status": "verification_sent", "email": taken}));

    // The owner (locale en, name "Test Person") is told, in their language; no new account.
    let inbox = s.inbox.clone().expect("inbox");
    let told = inbox
        .wait_for(&taken, common::MAIL_WAIT, |m| m.subject == "You already have an OKPay account")
        .await
        .expect("already-registered mail");
    assert!(told.text.contains("Hello Test Person,") && told.text.contains("/forgot-password"));
    assert!(told.token("/verify-email").is_none());
    let (token, _) = s.sign_in(&taken).await;
    let me = s.get("/v1/me", Some(&token)).await;
    assert_eq!((me.body["name"].as_str(), me.body["account_type"].as_str()), (Some("Test Person"), Some("personal")));

    // The new address gets a verification mail in Chinese.
    let zh = s.mail_with_link(&fresh, "/verify-email").await;
    assert_eq!(zh.subject, "请验证您的邮箱地址");
    assert!(zh.text.contains("Someone Else，您好"));
}

async fn bad_verification_tokens(backend: TestBackend) {
    let Some(db) = TestDb::new(backend).await.expect("db") else { return };
    let s = TestServer::start_on(db, |c| c.email_verification_ttl = "1s".into()).await;
    let (email, _) = s.register().await;
    let token = s.mailed_token(&email, "/verify-email").await;
    let forged = "a".repeat(token.len());
    for bad in [
        json!({"token": forged}),
        json!({"token": ""}),
        json!({"token": "x".repeat(10_000)}),
        json!({"token": "令牌🙂"}),
        json!({"token": format!("{token}\u{0}")}),
    ] {
        let r = s.post("/v1/users/verify-email", None, None, &bad).await;
        assert_eq!((r.status, r.code()), (StatusCode::BAD_REQUEST, "token_invalid"), "{bad}: {}", r.body);
        assert_eq!(r.body["error"]["param"], "token");
    }
    let r = s.post("/v1/users/verify-email", None, None, &json!({"token": 42})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let r = s.post("/v1/users/verify-email", None, None, &json!({})).await;
    assert_eq!(r.code(), "parameter_missing");

    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let r = s.post("/v1/users/verify-email", None, None, &json!({"token": token})).await;
    assert_eq!((r.status, r.code()), (StatusCode::BAD_REQUEST, "token_expired"), "{}", r.body);
    let zh = s
        .request(
            reqwest::Method::POST,
            "/v1/users/verify-email",
            None,
            None,
            Some(&json!({"token": token})),
            Some("zh-CN"),
        )
        .await;
    assert!(zh.body["error"]["message"].as_str().is_some_and(|m| m.contains("过期")), "{}", zh.body);

    // Registering again while unverified mails a fresh link, which works.
    let again = s
        .post(
            "/v1/users",
            None,
            None,
            &json!({"email": email, "password": PASSWORD, "name": "Test Person", "account_type": "personal"}),
        )
        .await;
    assert_eq!(again.status, StatusCode::ACCEPTED);
    let inbox = s.inbox.clone().expect("inbox");
    let resent = inbox
        .wait_for(&email, common::MAIL_WAIT, |m| m.token("/verify-email").is_some_and(|t| t != token))
        .await
        .expect("a fresh verification link");
    let fresh = resent.token("/verify-email").expect("token");
    let r = s.post("/v1/users/verify-email", None, None, &json!({"token": fresh})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

async fn bad_registration_input(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let base =
        json!({"email": "ok@example.com", "password": PASSWORD, "name": "Test Person", "account_type": "personal"});
    let with = |k: &str, v: serde_json::Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    let cases = [
        (with("email", json!("not-an-email")), "invalid_email", "email"),
        (with("email", json!("a@@example.com")), "invalid_email", "email"),
        (with("email", json!(format!("{}@example.com", "a".repeat(300)))), "invalid_email", "email"),
        (with("password", json!("x".repeat(10 * 1024))), "weak_password", "password"),
        (with("password", json!("short")), "weak_password", "password"),
        (with("account_type", json!("pirate")), "invalid_account_type", "account_type"),
        (with("name", json!("\u{0007}")), "invalid_name", "name"),
    ];
    for (body, code, param) in cases {
        let r = s.post("/v1/users", None, None, &body).await;
        assert_eq!((r.status, r.code()), (StatusCode::BAD_REQUEST, code), "{}", r.body);
        assert_eq!(r.body["error"]["param"], param);
    }
    let long = s.post("/v1/users", None, None, &with("password", json!("x".repeat(10 * 1024)))).await;
    assert!(long.body["error"]["message"].as_str().is_some_and(|m| m.contains("128")), "{}", long.body);
    assert!(s.inbox.clone().expect("inbox").all().is_empty(), "no mail for invalid input");
}

on_both_backends!(
    register_verify_sign_in_and_move_money,
    unverified_users_cannot_move_money,
    registration_does_not_reveal_registered_emails,
    bad_verification_tokens,
    bad_registration_input
);
