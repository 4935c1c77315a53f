//! Account closure through HTTP: refused while money is in the account, approved by staff
//! (confirmation mailed to the real address, sign-in then answers `account_closed`, the old
//! session is gone, personal data erased, the books intact), rejected with a mailed reason,
//! and every bad input answered with its own 4xx code.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::{PASSWORD, TestServer, unique};
use okpay_store::testing::{TestBackend, TestDb};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::Connection;

/// Runs `sql` with one text bind on the test database and returns the first row's text columns
/// (reads what the API no longer shows).
async fn sql_row(db: &TestDb, sql: &'static str, bind: &str) -> Option<Vec<String>> {
    use sqlx::Row;
    if db.url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(&db.url).await.expect("connect");
        let rows = sqlx::query(sql).bind(bind).fetch_all(&mut c).await.expect("query");
        rows.first().map(|r| (0..r.len()).map(|i| r.try_get::<String, _>(i).expect("a text column")).collect())
    } else {
        let mut c = sqlx::PgConnection::connect(&db.url).await.expect("connect");
        let rows = sqlx::query(sql).bind(bind).fetch_all(&mut c).await.expect("query");
        rows.first().map(|r| (0..r.len()).map(|i| r.try_get::<String, _>(i).expect("a text column")).collect())
    }
}

async fn request_closure(s: &TestServer, token: &str, body: &Value) -> common::Resp {
    s.post("/v1/me/closure-requests", Some(token), None, body).await
}

async fn decide(s: &TestServer, token: &str, id: &str, action: &str, reason: &str) -> common::Resp {
    s.post(&format!("/v1/agent/closure-requests/{id}/{action}"), Some(token), None, &json!({"reason": reason})).await
}

async fn send(s: &TestServer, from: &str, to: &str, amount: i64) {
    let body = json!({"to": to, "amount": amount, "currency": "usd"});
    let r = s.post("/v1/transfers", Some(from), Some(&unique()), &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
}

async fn closure_blocked_then_allowed_then_closed(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let (staff, _, staff_id) = s.staff("agent").await;
    let (alice, alice_email, alice_id) = s.user().await;
    let (bob, _, bob_id) = s.user().await;
    s.fund(&alice, 1050, "usd").await;
    let leave = json!({"reason": "moving abroad", "accept_terms": true});

    let r = request_closure(&s, &alice, &leave).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "closure_blocked"), "{}", r.body);
    assert_eq!(r.body["error"]["blockers"], json!([{"type": "balance", "currency": "usd", "amount": 1050}]));

    send(&s, &alice, &bob_id, 1050).await;
    let r = request_closure(&s, &alice, &leave).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["status"], "pending_review");
    let id = r.body["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("clr_"), "{id}");
    let r = request_closure(&s, &alice, &leave).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "closure_already_requested"), "{}", r.body);
    let r = s.get("/v1/me/closure-requests", Some(&alice)).await;
    assert_eq!(r.body["data"][0]["id"], id.as_str(), "{}", r.body);

    // Only staff decide, with a reason, on a request that exists.
    let r = decide(&s, &bob, &id, "approve", "looks fine").await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "permission_denied"), "{}", r.body);
    let r = decide(&s, &staff, "clr_0000000000000000nothere", "approve", "x").await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "resource_missing"), "{}", r.body);
    let r = s.post(&format!("/v1/agent/closure-requests/{id}/approve"), Some(&staff), None, &json!({})).await;
    assert_eq!((r.status, r.code()), (StatusCode::BAD_REQUEST, "parameter_missing"), "{}", r.body);

    // Money arrived after the request: the approval checks again.
    send(&s, &bob, &alice_id, 100).await;
    let r = decide(&s, &staff, &id, "approve", "identity checked").await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "closure_blocked"), "{}", r.body);
    assert_eq!(r.body["error"]["blockers"][0]["amount"], 100);
    send(&s, &alice, &bob_id, 100).await;

    let r = decide(&s, &staff, &id, "approve", "identity checked").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["status"], "approved");
    let inbox = s.inbox.as_ref().unwrap();
    let mail = inbox
        .wait_for(&alice_email, common::MAIL_WAIT, |m| m.subject.contains("closed"))
        .await
        .expect("confirmation mailed to the address on file");
    assert!(mail.text.contains("Test Person"), "greets the owner by name: {}", mail.text);

    let r = s.post("/v1/sessions", None, None, &json!({"email": alice_email, "password": PASSWORD})).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "account_closed"), "{}", r.body);
    let r = s.get("/v1/balances", Some(&alice)).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNAUTHORIZED, "authentication_required"), "{}", r.body);
    let body = json!({"to": alice_id, "amount": 100, "currency": "usd"});
    let r = s.post("/v1/transfers", Some(&bob), Some(&unique()), &body).await;
    assert_eq!(r.code(), "recipient_unavailable", "a closed account receives nothing: {}", r.body);
    let r = decide(&s, &staff, &id, "approve", "again").await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "closure_not_pending"), "{}", r.body);

    let row = sql_row(&s.db, "SELECT email, name, status, password_hash FROM users WHERE id = $1", &alice_id)
        .await
        .expect("the row stays for the books");
    assert_eq!(row[0], format!("closed+{alice_id}@invalid"));
    assert_eq!((row[1].as_str(), row[2].as_str()), ("", "closed"));
    assert!(!row[3].starts_with("$argon2"), "no password verifies any more");
    let erased = [
        ("sessions", "SELECT id FROM sessions WHERE user_id = $1"),
        ("cards", "SELECT id FROM payment_methods WHERE user_id = $1"),
    ];
    for (what, sql) in erased {
        assert_eq!(sql_row(&s.db, sql, &alice_id).await, None, "{what} erased");
    }
    let audit = sql_row(
        &s.db,
        "SELECT actor, reason FROM audit_events WHERE subject = $1 AND action = 'account_closed' AND outcome = 'success'",
        &alice_id,
    )
    .await
    .expect("approval audited");
    assert_eq!(audit, [staff_id, "identity checked".to_owned()]);
    let refused = sql_row(
        &s.db,
        "SELECT reason FROM audit_events WHERE subject = $1 AND action = 'account_closed' AND outcome = 'failure'",
        &alice_id,
    )
    .await;
    assert_eq!(refused, Some(vec!["closure_blocked".to_owned()]), "the blocked approval is audited");
    let history = sql_row(&s.db, "SELECT id FROM transactions WHERE owner = $1", &alice_id).await;
    assert!(history.is_some(), "the ledger history stays");
    s.assert_books_balance().await;

    // The address is free again: a new, separate account (the closed one stays closed).
    let again = json!({"email": alice_email, "password": PASSWORD, "name": "New Person", "account_type": "personal"});
    let r = s.post("/v1/users", None, None, &again).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let (_, new_id) = s.sign_in(&alice_email).await;
    assert_ne!(new_id, alice_id);
}

async fn rejection_is_mailed_and_bad_input_refused(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let (staff, _, _) = s.staff("admin").await;
    let (alice, alice_email, _) = s.user().await;

    let cases = [
        (json!({"reason": "x", "accept_terms": false}), "terms_not_accepted", "accept_terms"),
        (json!({"reason": "x"}), "parameter_missing", "accept_terms"),
        (json!({"accept_terms": true}), "parameter_missing", "reason"),
        (json!({"reason": "x".repeat(1001), "accept_terms": true}), "parameter_invalid", "reason"),
        (json!({"reason": "x", "accept_terms": "yes"}), "parameter_invalid", "accept_terms"),
        (json!({"reason": "x", "accept_terms": true, "extra": 1}), "parameter_unknown", "extra"),
    ];
    for (body, code, param) in cases {
        let r = request_closure(&s, &alice, &body).await;
        assert_eq!((r.status, r.code()), (StatusCode::BAD_REQUEST, code), "{body}: {}", r.body);
        assert_eq!(r.body["error"]["param"], param, "{body}");
    }
    let r = s.get("/v1/me/closure-requests", Some(&alice)).await;
    assert_eq!(r.body["data"], json!([]), "no bad request wrote anything");

    let r = request_closure(&s, &alice, &json!({"reason": "", "accept_terms": true})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["id"].as_str().unwrap().to_owned();
    let r = decide(&s, &staff, &id, "reject", &"y".repeat(1001)).await;
    assert_eq!((r.status, r.code()), (StatusCode::BAD_REQUEST, "parameter_invalid"), "{}", r.body);
    let r = decide(&s, &staff, &id, "reject", "A dispute is still open.").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (r.body["status"].as_str(), r.body["decision_reason"].as_str()),
        (Some("rejected"), Some("A dispute is still open."))
    );
    let inbox = s.inbox.as_ref().unwrap();
    inbox
        .wait_for(&alice_email, common::MAIL_WAIT, |m| m.text.contains("A dispute is still open."))
        .await
        .expect("the rejection and its reason are mailed");
    let r = decide(&s, &staff, &id, "approve", "changed my mind").await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "closure_not_pending"), "{}", r.body);
    // The account is unchanged and may ask again.
    assert_eq!(s.get("/v1/balances", Some(&alice)).await.status, StatusCode::OK);
    let r = request_closure(&s, &alice, &json!({"reason": "again", "accept_terms": true})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);

    // Nobody decides on their own account.
    let r = request_closure(&s, &staff, &json!({"reason": "", "accept_terms": true})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let own = r.body["id"].as_str().unwrap().to_owned();
    let r = decide(&s, &staff, &own, "approve", "self").await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "permission_denied"), "{}", r.body);
}

on_both_backends!(closure_blocked_then_allowed_then_closed, rejection_is_mailed_and_bad_input_refused);
