//! Staff: `okpay user create`, freeze / unfreeze / unlock by an agent, and the audit log
//! (API.md §2 statuses, §5 agent actions, §7 bootstrap).
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::{PASSWORD, Resp, TestServer, unique};
use okpay_store::testing::TestBackend;
use reqwest::StatusCode;
use serde_json::{Value, json};

const WRONG: &str = "Not-The-Right-Password-1";
const NEW_PASSWORD: &str = "Marble-Lantern-Orchid-77";

async fn act(s: &TestServer, staff: &str, user: &str, action: &str, reason: &str) -> Resp {
    s.post(&format!("/v1/agent/users/{user}/{action}"), Some(staff), None, &json!({"reason": reason})).await
}

async fn audit(s: &TestServer, staff: &str, query: &str) -> Vec<Value> {
    let r = s.get(&format!("/v1/agent/audit-log?{query}"), Some(staff)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["data"].as_array().expect("list").clone()
}

/// The newest event of `action` with `outcome`.
fn find_outcome<'a>(events: &'a [Value], action: &str, outcome: &str) -> &'a Value {
    events
        .iter()
        .find(|e| e["action"] == action && e["outcome"] == outcome)
        .unwrap_or_else(|| panic!("no {outcome} {action} in {events:?}"))
}

/// The newest successful event of `action`.
fn find<'a>(events: &'a [Value], action: &str) -> &'a Value {
    find_outcome(events, action, "success")
}

async fn freeze_blocks_everything_until_staff_lift_it(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let (agent, _, agent_id) = s.staff("agent").await;
    let (session, email, user) = s.user().await;

    let r = act(&s, &agent, &user, "freeze", "Card testing pattern on 2026-11-28").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["status"], "frozen");
    let mail = s.mail_with_subject(&email, "Your OKPay account is frozen").await;
    assert!(mail.text.contains("Card testing pattern on 2026-11-28"), "the reason is mailed: {}", mail.text);

    // Every session ended; the right password gets `account_frozen`, a wrong one reveals nothing.
    assert_eq!(s.get("/v1/balances", Some(&session)).await.status, StatusCode::UNAUTHORIZED);
    let right = s.post("/v1/sessions", None, None, &json!({"email": email, "password": PASSWORD})).await;
    assert_eq!((right.status, right.code()), (StatusCode::FORBIDDEN, "account_frozen"), "{}", right.body);
    let wrong = s.post("/v1/sessions", None, None, &json!({"email": email, "password": WRONG})).await;
    assert_eq!(wrong.code(), "invalid_credentials");

    // A password reset does not lift a freeze.
    s.post("/v1/password-resets", None, None, &json!({"email": email})).await;
    let token = s.mailed_token(&email, "/reset-password").await;
    let reset =
        s.post("/v1/password-resets/confirm", None, None, &json!({"token": token, "new_password": NEW_PASSWORD})).await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.body);
    assert_eq!(reset.body["account_status"], "frozen");
    let after = s.post("/v1/sessions", None, None, &json!({"email": email, "password": NEW_PASSWORD})).await;
    assert_eq!(after.code(), "account_frozen");

    // Freezing twice or unlocking a frozen account is refused; only unfreeze lifts it.
    let again = act(&s, &agent, &user, "freeze", "again").await;
    assert_eq!((again.status, again.code()), (StatusCode::CONFLICT, "account_status_conflict"), "{}", again.body);
    assert_eq!(act(&s, &agent, &user, "unlock", "wrong action").await.code(), "account_status_conflict");
    let lifted = act(&s, &agent, &user, "unfreeze", "Documents reviewed, owner confirmed").await;
    assert_eq!((lifted.status, lifted.body["status"].as_str()), (StatusCode::OK, Some("active")), "{}", lifted.body);
    s.mail_with_subject(&email, "Your OKPay account is active again").await;
    let ok = s.post("/v1/sessions", None, None, &json!({"email": email, "password": NEW_PASSWORD})).await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);

    // The audit log names who did what to whom and why.
    let about = audit(&s, &agent, &format!("subject={user}")).await;
    let frozen = find(&about, "account_frozen");
    assert_eq!(frozen["actor"], agent_id.as_str());
    assert_eq!(frozen["outcome"], "success");
    assert_eq!(frozen["reason"], "Card testing pattern on 2026-11-28");
    assert!(frozen["id"].as_str().is_some_and(|id| id.starts_with("aud_")));
    assert_eq!(find(&about, "account_unfrozen")["reason"], "Documents reviewed, owner confirmed");
    assert_eq!(find(&about, "password_reset")["actor"], user.as_str());
    let refused: Vec<&Value> = about.iter().filter(|e| e["outcome"] == "failure").collect();
    assert!(refused.len() >= 2, "refused changes are audited too: {about:?}");
    let by_agent = audit(&s, &agent, &format!("actor={agent_id}&limit=2")).await;
    assert_eq!(by_agent.len(), 2);
    assert!(by_agent.iter().all(|e| e["actor"] == agent_id.as_str()));
    s.stop().await;
}

async fn staff_unlock_lifts_a_lock_at_once(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let (admin, _, admin_id) = s.staff("admin").await;
    let (_, email, user) = s.user().await;
    for _ in 0..5 {
        s.post("/v1/sessions", None, None, &json!({"email": email, "password": WRONG})).await;
    }
    let locked = s.post("/v1/sessions", None, None, &json!({"email": email, "password": PASSWORD})).await;
    assert_eq!(locked.code(), "account_locked");
    let link = s.mailed_token(&email, "/unlock").await;

    let r = act(&s, &admin, &user, "unlock", "Caller verified by phone PIN").await;
    assert_eq!((r.status, r.body["status"].as_str()), (StatusCode::OK, Some("active")), "{}", r.body);
    let mail = s.mail_with_subject(&email, "Your OKPay account is unlocked").await;
    assert!(mail.text.contains("/forgot-password"));
    s.sign_in(&email).await;
    // The emailed link is retired, and a second unlock is refused.
    let old = s.post("/v1/users/unlock", None, None, &json!({"token": link})).await;
    assert_eq!(old.code(), "token_invalid", "{}", old.body);
    assert_eq!(act(&s, &admin, &user, "unlock", "again").await.code(), "account_status_conflict");

    let about = audit(&s, &admin, &format!("subject={user}")).await;
    let lock = find(&about, "account_locked");
    assert_eq!(lock["actor"], "system");
    assert!(lock["reason"].as_str().is_some_and(|r| r.contains("failed sign-ins")), "{lock}");
    assert_eq!(find(&about, "account_unlocked")["actor"], admin_id.as_str());
    // Each sign-in attempt is on the record with where it came from.
    let failed = find_outcome(&about, "sign_in", "failure");
    assert_eq!((failed["actor"].as_str(), failed["ip"].as_str()), (Some(user.as_str()), Some("127.0.0.1")));
    assert!(["invalid_credentials", "account_locked"].contains(&failed["reason"].as_str().unwrap_or("")), "{failed}");
    assert_eq!(find(&about, "sign_in")["reason"], Value::Null);
    let failures = about.iter().filter(|e| e["action"] == "sign_in" && e["outcome"] == "failure").count();
    // The attempt on the locked address is answered before the account is looked up, so it is
    // recorded without a subject (as for an unknown address).
    assert_eq!(failures, 5, "the five wrong passwords");
    s.stop().await;
}

async fn only_staff_may_act_and_bad_input_is_named(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let (agent, _, _) = s.staff("agent").await;
    let (mallory, _, mallory_id) = s.user().await;
    let (_, victim_email, victim) = s.user().await;

    let r = act(&s, &mallory, &victim, "freeze", "because").await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "permission_denied"), "{}", r.body);
    let log = s.get("/v1/agent/audit-log", Some(&mallory)).await;
    assert_eq!(log.code(), "permission_denied");
    let anonymous = s.post(&format!("/v1/agent/users/{victim}/freeze"), None, None, &json!({"reason": "x"})).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    s.sign_in(&victim_email).await; // nothing happened to the victim

    let missing = s.post(&format!("/v1/agent/users/{victim}/freeze"), Some(&agent), None, &json!({})).await;
    assert_eq!((missing.status, missing.code()), (StatusCode::BAD_REQUEST, "parameter_missing"));
    assert_eq!(missing.body["error"]["param"], "reason");
    let long = act(&s, &agent, &victim, "freeze", &"x".repeat(1_001)).await;
    assert_eq!((long.code(), &long.body["error"]["param"]), ("parameter_invalid", &json!("reason")));
    let ghost = act(&s, &agent, "usr_doesnotexist", "freeze", "fraud").await;
    assert_eq!((ghost.status, ghost.code()), (StatusCode::NOT_FOUND, "resource_missing"));
    let bad_page = s.get("/v1/agent/audit-log?starting_after=nope", Some(&agent)).await;
    assert_eq!(bad_page.code(), "parameter_invalid");
    s.sign_in(&victim_email).await; // still nothing happened

    // The refused attempt is on the record, with the non-staff caller as actor.
    let events = audit(&s, &agent, &format!("actor={mallory_id}")).await;
    let tried = find_outcome(&events, "account_frozen", "failure");
    assert_eq!((tried["outcome"].as_str(), tried["subject"].as_str()), (Some("failure"), Some(victim.as_str())));
    s.stop().await;
}

on_both_backends!(
    freeze_blocks_everything_until_staff_lift_it,
    staff_unlock_lifts_a_lock_at_once,
    only_staff_may_act_and_bad_input_is_named
);

/// `okpay user create` on an address that already has an account adds the role and leaves
/// the password alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_create_promotes_an_existing_account() {
    let Some(s) = TestServer::start(TestBackend::Sqlite).await else { return };
    let (token, email, user) = s.user().await;
    let run = |role: &'static str| {
        tokio::process::Command::new(env!("CARGO_BIN_EXE_okpay"))
            .args(["user", "create", "--email", &email, "--role", role])
            .env("OKPAY_DATABASE_URL", &s.db.url)
            .output()
    };
    let out = run("agent").await.expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains(&format!("user: {user}")) && stdout.contains("password: unchanged"), "{stdout}");
    let me = s.get("/v1/me", Some(&token)).await;
    assert_eq!(me.body["roles"], json!(["user", "agent"]));
    s.sign_in(&email).await; // same password as before
    let bad = tokio::process::Command::new(env!("CARGO_BIN_EXE_okpay"))
        .args(["user", "create", "--email", "not-an-email", "--role", "agent"])
        .env("OKPAY_DATABASE_URL", &s.db.url)
        .output()
        .await
        .expect("run");
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("invalid_email"));
    let _ = unique();
}
