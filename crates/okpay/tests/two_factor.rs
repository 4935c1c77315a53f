//! Two-step verification through HTTP: set-up, confirmation, the check at sign-in, no code
//! accepted twice, recovery codes, and turning it off.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::{PASSWORD, TestServer};
use okpay_domain::totp::TotpSecret;
use okpay_store::testing::TestBackend;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn now_secs() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

fn code(secret: &TotpSecret, offset_secs: i64) -> String {
    secret.code_at(now_secs().checked_add_signed(offset_secs).unwrap()).unwrap()
}

async fn sign_in(s: &TestServer, email: &str, otp: Option<&str>) -> common::Resp {
    let mut body = json!({"email": email, "password": PASSWORD});
    if let Some(otp) = otp {
        body["otp"] = Value::from(otp);
    }
    s.post("/v1/sessions", None, None, &body).await
}

async fn off(s: &TestServer, token: &str, body: Value) -> common::Resp {
    s.request(Method::DELETE, "/v1/me/totp", Some(token), None, Some(&body), None).await
}

async fn totp_guards_sign_in(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let (token, email, _) = s.user().await;

    // Confirming or disabling before set-up.
    let r = s.post("/v1/me/totp/confirm", Some(&token), None, &json!({"code": "123456"})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "totp_not_enabled"), "{}", r.body);

    let r = s.post("/v1/me/totp", Some(&token), None, &json!({})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let uri = r.body["otpauth_uri"].as_str().unwrap();
    assert!(uri.starts_with("otpauth://totp/OKPay:"), "{uri}");
    let secret = TotpSecret::from_base32(r.body["secret"].as_str().unwrap());

    // Not enforced until confirmed.
    assert_eq!(sign_in(&s, &email, None).await.status, StatusCode::CREATED);

    let r = s.post("/v1/me/totp/confirm", Some(&token), None, &json!({"code": "000000x"})).await;
    assert_eq!((r.status, r.code()), (StatusCode::BAD_REQUEST, "otp_invalid"), "{}", r.body);
    // A code from 5 minutes ago is outside the ±1 step window.
    let stale = code(&secret, -300);
    if stale != code(&secret, -30) && stale != code(&secret, 0) && stale != code(&secret, 30) {
        let r = s.post("/v1/me/totp/confirm", Some(&token), None, &json!({"code": stale})).await;
        assert_eq!(r.code(), "otp_invalid", "{}", r.body);
    }
    let r = s.post("/v1/me/totp/confirm", Some(&token), None, &json!({"code": code(&secret, 0)})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let recovery: Vec<String> =
        r.body["recovery_codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect();
    assert_eq!(recovery.len(), 10);

    // Now sign-in needs a code, in the user's language too.
    let r = sign_in(&s, &email, None).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNAUTHORIZED, "otp_required"), "{}", r.body);
    assert_eq!(r.body["error"]["param"], "otp");
    let r = sign_in(&s, &email, Some("999999")).await;
    if r.status != StatusCode::CREATED {
        assert_eq!(r.code(), "otp_invalid", "{}", r.body);
    }
    // The code that confirmed the set-up was used; the next step's code is fresh.
    let next = code(&secret, 30);
    let r = sign_in(&s, &email, Some(&next)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = sign_in(&s, &email, Some(&next)).await;
    assert_eq!((r.status, r.code()), (StatusCode::BAD_REQUEST, "otp_invalid"), "no code is accepted twice");

    // A wrong password never reaches the code check.
    let r = s.post("/v1/sessions", None, None, &json!({"email": email, "password": "Wrong-Password-123"})).await;
    assert_eq!(r.code(), "invalid_credentials");

    // Recovery codes: any case, with or without the dash, once each.
    let lower = recovery[0].to_lowercase().replace('-', "");
    assert_eq!(sign_in(&s, &email, Some(&lower)).await.status, StatusCode::CREATED);
    assert_eq!(sign_in(&s, &email, Some(&recovery[0])).await.code(), "otp_invalid");

    // Set-up cannot be restarted while on; turning off needs a valid code.
    let r = s.post("/v1/me/totp", Some(&token), None, &json!({})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "totp_already_enabled"));
    let r = off(&s, &token, json!({"code": "123"})).await;
    assert_eq!(r.code(), "otp_invalid", "{}", r.body);
    let r = off(&s, &token, json!({"code": recovery[1]})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(sign_in(&s, &email, None).await.status, StatusCode::CREATED, "off again");
    let r = off(&s, &token, json!({"code": recovery[2]})).await;
    assert_eq!(r.code(), "totp_not_enabled");
    s.stop().await;
}

async fn totp_bad_input(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let (token, _, _) = s.user().await;
    let r = s.post("/v1/me/totp", None, None, &json!({})).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    s.post("/v1/me/totp", Some(&token), None, &json!({})).await;
    for body in [json!({}), json!({"code": 123456}), json!({"code": "1".repeat(10_000)}), json!({"code": "١٢٣٤٥٦"})]
    {
        let r = s.post("/v1/me/totp/confirm", Some(&token), None, &body).await;
        assert!(r.status.is_client_error(), "{body}: {}", r.status);
        assert!(!r.code().is_empty(), "{body}: {}", r.body);
    }
    s.stop().await;
}

async fn reset_keeps_two_factor_on(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let (token, email, _) = s.user().await;
    let r = s.post("/v1/me/totp", Some(&token), None, &json!({})).await;
    let secret = TotpSecret::from_base32(r.body["secret"].as_str().unwrap());
    let r = s.post("/v1/me/totp/confirm", Some(&token), None, &json!({"code": code(&secret, 0)})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    s.post("/v1/password-resets", None, None, &json!({"email": email})).await;
    let reset = s.mailed_token(&email, "/reset-password").await;
    let new_password = "Quartz-Lantern-Meadow-77";
    let r =
        s.post("/v1/password-resets/confirm", None, None, &json!({"token": reset, "new_password": new_password})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.get("token").is_none(), "a reset never signs in");

    let r = s.post("/v1/sessions", None, None, &json!({"email": email, "password": new_password})).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNAUTHORIZED, "otp_required"), "{}", r.body);
    let r = s
        .post("/v1/sessions", None, None, &json!({"email": email, "password": new_password, "otp": code(&secret, 30)}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    s.stop().await;
}

async fn wrong_codes_lock_the_account(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let (token, email, _) = s.user().await;
    let r = s.post("/v1/me/totp", Some(&token), None, &json!({})).await;
    let secret = TotpSecret::from_base32(r.body["secret"].as_str().unwrap());
    s.post("/v1/me/totp/confirm", Some(&token), None, &json!({"code": code(&secret, 0)})).await;
    let valid: Vec<String> = [-30, 0, 30].iter().map(|o| code(&secret, *o)).collect();
    let wrong = (0..).map(|n| format!("{n:06}")).find(|c| !valid.contains(c)).unwrap();
    let mut codes = Vec::new();
    for _ in 0..5 {
        codes.push(sign_in(&s, &email, Some(&wrong)).await.code().to_owned());
    }
    assert_eq!(codes[..4], ["otp_invalid"; 4], "{codes:?}");
    assert_eq!(codes[4], "account_locked", "the fifth wrong code locks like a fifth wrong password");
    let r = sign_in(&s, &email, Some(&code(&secret, 30))).await;
    assert_eq!(r.code(), "account_locked", "{}", r.body);
    s.stop().await;
}

on_both_backends!(totp_guards_sign_in, totp_bad_input, reset_keeps_two_factor_on, wrong_codes_lock_the_account);
