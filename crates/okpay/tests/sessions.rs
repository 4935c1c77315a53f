//! Signed-in devices: list, revoke one, log out (API.md §2).
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::{PASSWORD, TestServer};
use okpay_store::testing::TestBackend;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn sign_in_as(s: &TestServer, email: &str, user_agent: &str) -> String {
    let res = s
        .client
        .post(format!("{}/v1/sessions", s.base))
        .header("User-Agent", user_agent)
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), StatusCode::CREATED);
    let body: Value = res.json().await.expect("json");
    body["token"].as_str().expect("token").to_owned()
}

async fn delete(s: &TestServer, path: &str, token: Option<&str>) -> common::Resp {
    s.request(reqwest::Method::DELETE, path, token, None, None, None).await
}

async fn devices_are_listed_revoked_and_logged_out(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let (_, email, _) = s.user().await;
    let phone = sign_in_as(&s, &email, "OKPay-iOS/3.1").await;
    let laptop = sign_in_as(&s, &email, "Mozilla/5.0 (X11; Linux)").await;

    let list = s.get("/v1/sessions", Some(&phone)).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert_eq!((list.body["object"].as_str(), list.body["has_more"].as_bool()), (Some("list"), Some(false)));
    let rows = list.body["data"].as_array().expect("data").clone();
    assert_eq!(rows.len(), 3, "the helper's session, the phone and the laptop: {rows:?}");
    let current: Vec<_> = rows.iter().filter(|r| r["current"] == true).collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0]["user_agent"], "OKPay-iOS/3.1");
    let laptop_row = rows.iter().find(|r| r["user_agent"] == "Mozilla/5.0 (X11; Linux)").expect("laptop listed");
    assert_eq!(laptop_row["ip"], "127.0.0.1");
    assert!(laptop_row["id"].as_str().is_some_and(|id| id.starts_with("ses_")));
    for field in ["created_at", "last_seen_at", "expires_at"] {
        assert!(laptop_row[field].as_str().is_some_and(|t| t.ends_with('Z')), "{field}");
    }
    let text = list.body.to_string();
    assert!(!text.contains(&phone) && !text.contains(&laptop), "tokens are never listed");

    // Revoke the laptop from the phone: its token stops working at once.
    let laptop_id = laptop_row["id"].as_str().unwrap().to_owned();
    let d = delete(&s, &format!("/v1/sessions/{laptop_id}"), Some(&phone)).await;
    assert_eq!(d.status, StatusCode::OK, "{}", d.body);
    assert_eq!(d.body, json!({"id": laptop_id, "object": "session", "deleted": true}));
    assert_eq!(s.get("/v1/me", Some(&laptop)).await.status, StatusCode::UNAUTHORIZED);
    let again = delete(&s, &format!("/v1/sessions/{laptop_id}"), Some(&phone)).await;
    assert_eq!((again.status, again.code()), (StatusCode::NOT_FOUND, "resource_missing"));
    let listed = s.get("/v1/sessions", Some(&phone)).await.body["data"].as_array().map(Vec::len);
    assert_eq!(listed, Some(2));

    // Log out.
    let out = delete(&s, "/v1/sessions/current", Some(&phone)).await;
    assert_eq!(out.status, StatusCode::OK, "{}", out.body);
    assert_eq!(out.body["deleted"], true);
    assert_eq!(s.get("/v1/me", Some(&phone)).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(delete(&s, "/v1/sessions/current", Some(&phone)).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(s.get("/v1/sessions", None).await.status, StatusCode::UNAUTHORIZED);
}

async fn other_users_sessions_are_not_theirs_to_end(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let (alice, _, _) = s.user().await;
    let (bob, _, _) = s.user().await;
    let bobs = s.get("/v1/sessions", Some(&bob)).await;
    let bob_session = bobs.body["data"][0]["id"].as_str().expect("id").to_owned();
    let d = delete(&s, &format!("/v1/sessions/{bob_session}"), Some(&alice)).await;
    assert_eq!((d.status, d.code()), (StatusCode::NOT_FOUND, "resource_missing"), "{}", d.body);
    assert_eq!(s.get("/v1/me", Some(&bob)).await.status, StatusCode::OK, "bob is still signed in");
    for bad in ["ses_nope", "%E4%BB%A4", &"x".repeat(300)] {
        let r = delete(&s, &format!("/v1/sessions/{bad}"), Some(&alice)).await;
        assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "resource_missing"), "{bad}: {}", r.body);
    }
    let alices = s.get("/v1/sessions", Some(&alice)).await;
    assert_eq!(alices.body["data"].as_array().map(Vec::len), Some(1), "only her own session");
}

async fn sign_out_everywhere_else(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let (first, email, _) = s.user().await;
    let (bob, _, _) = s.user().await;
    let phone = sign_in_as(&s, &email, "OKPay-iOS/3.1").await;
    let laptop = sign_in_as(&s, &email, "Mozilla/5.0 (X11; Linux)").await;

    let r = delete(&s, "/v1/sessions", Some(&laptop)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body, json!({"object": "session_revocation", "revoked": 2}));
    assert_eq!(s.get("/v1/me", Some(&first)).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(s.get("/v1/me", Some(&phone)).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(s.get("/v1/me", Some(&laptop)).await.status, StatusCode::OK, "the current session stays");
    assert_eq!(s.get("/v1/me", Some(&bob)).await.status, StatusCode::OK, "other users are untouched");
    let rows = s.get("/v1/sessions", Some(&laptop)).await.body["data"].as_array().map(Vec::len);
    assert_eq!(rows, Some(1));
    let again = delete(&s, "/v1/sessions", Some(&laptop)).await;
    assert_eq!(again.body["revoked"], 0);
    assert_eq!(delete(&s, "/v1/sessions", None).await.status, StatusCode::UNAUTHORIZED);
}

on_both_backends!(
    devices_are_listed_revoked_and_logged_out,
    other_users_sessions_are_not_theirs_to_end,
    sign_out_everywhere_else
);
