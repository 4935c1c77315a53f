//! Merchants (API.md §4): API keys shown once and revocable, merchant settings with checked
//! webhook URLs, events delivered to a real HTTP endpoint with a verifiable signature, retried
//! after a 500, logged per attempt, re-sent on request, and given up after the retry window.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::receiver::{Receiver, verify_signature};
use common::{PASSWORD, Resp, TestServer, unique};
use okpay_store::testing::{TestBackend, TestDb};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::Connection;

on_both_backends!(
    api_keys_are_shown_once_and_revocable,
    webhook_urls_and_payment_methods_are_checked,
    events_are_signed_retried_logged_and_resent,
    a_dead_endpoint_is_given_up_after_the_retry_window,
);

/// A server whose merchants may use loopback webhook URLs, with retries in fractions of a second.
async fn server(backend: TestBackend, retry_for: &str) -> Option<TestServer> {
    let db = TestDb::new(backend).await.expect("test database")?;
    let retry_for = retry_for.to_owned();
    Some(
        TestServer::start_on(db, move |c| {
            c.webhook_allow_private_networks = true;
            c.webhook_retry_delay = "200ms".into();
            c.webhook_retry_for = retry_for;
        })
        .await,
    )
}

/// A verified, signed-in business user: (token, email, user id).
async fn business(s: &TestServer) -> (String, String, String) {
    let email = format!("shop-{}@example.com", unique());
    let body = json!({"email": email, "password": PASSWORD, "name": "Test Shop", "account_type": "business"});
    let r = s.post("/v1/users", None, None, &body).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    s.verify(&email).await;
    let (token, id) = s.sign_in(&email).await;
    (token, email, id)
}

async fn patch(s: &TestServer, token: &str, body: Value) -> Resp {
    s.request(Method::PATCH, "/v1/merchant", Some(token), None, Some(&body), None).await
}

async fn delete(s: &TestServer, path: &str, token: &str) -> Resp {
    s.request(Method::DELETE, path, Some(token), None, None, None).await
}

/// Counts rows of `sql` (one `$1` bound to `arg`) behind the API's back.
async fn count(db: &TestDb, sql: &'static str, arg: &str) -> i64 {
    if db.url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(&db.url).await.expect("connect");
        sqlx::query_scalar(sql).bind(arg).fetch_one(&mut c).await.expect("count")
    } else {
        let mut c = sqlx::PgConnection::connect(&db.url).await.expect("connect");
        sqlx::query_scalar(sql).bind(arg).fetch_one(&mut c).await.expect("count")
    }
}

async fn api_keys_are_shown_once_and_revocable(backend: TestBackend) {
    let Some(s) = server(backend, "72h").await else { return };
    let (personal, _, _) = s.user().await;
    let r = s.post("/v1/api-keys", Some(&personal), None, &json!({})).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "permission_denied"), "{}", r.body);
    assert_eq!(s.get("/v1/api-keys", Some(&personal)).await.code(), "permission_denied");

    let (shop, _, shop_id) = business(&s).await;
    let created = s.post("/v1/api-keys", Some(&shop), None, &json!({})).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let key_id = created.body["id"].as_str().expect("id").to_owned();
    let secret = created.body["secret"].as_str().expect("secret").to_owned();
    assert!(key_id.starts_with("key_") && secret.starts_with("sk_") && secret.len() >= 40, "{}", created.body);
    assert_eq!(created.body["status"], "active");

    // Shown once: the list never carries the secret; the database holds only its SHA-256.
    let list = s.get("/v1/api-keys", Some(&shop)).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert_eq!(list.body["data"][0]["id"], key_id.as_str());
    assert!(list.body["data"][0].get("secret").is_none() && !list.body.to_string().contains(&secret));
    assert_eq!(list.body["data"][0]["redacted_secret"], format!("sk_...{}", &secret[secret.len() - 4..]));
    let hash = okpay_domain::ids::token_hash(&secret);
    assert_eq!(count(&s.db, "SELECT COUNT(*) FROM api_keys WHERE secret_hash = $1", &hash).await, 1);
    assert_eq!(count(&s.db, "SELECT COUNT(*) FROM api_keys WHERE secret_hash = $1", &secret).await, 0);

    // The key authenticates as the merchant where keys are accepted, and nowhere else.
    let events = s.get("/v1/events", Some(&secret)).await;
    assert_eq!(events.status, StatusCode::OK, "{}", events.body);
    assert_eq!((events.body["object"].as_str(), events.body["data"].as_array().map(Vec::len)), (Some("list"), Some(0)));
    let me = s.get("/v1/me", Some(&secret)).await;
    assert_eq!((me.status, me.code()), (StatusCode::FORBIDDEN, "api_key_not_allowed"), "{}", me.body);
    let minted = s.post("/v1/api-keys", Some(&secret), None, &json!({})).await;
    assert_eq!(minted.code(), "api_key_not_allowed", "a key cannot mint keys");
    let with_key = s.post("/v1/api-keys", Some(&secret), Some(&unique()), &json!({})).await;
    assert_eq!(with_key.code(), "api_key_not_allowed", "nor through the idempotency path");
    let settings = patch(&s, &secret, json!({"accepted_payment_methods": ["card"]})).await;
    assert_eq!(settings.code(), "api_key_not_allowed");
    assert!(s.get("/v1/merchant", Some(&shop)).await.body["id"] == shop_id.as_str());

    // Revoked: 401 at once; revoking twice is a 404; another merchant cannot revoke it.
    let (other, _, _) = business(&s).await;
    assert_eq!(delete(&s, &format!("/v1/api-keys/{key_id}"), &other).await.code(), "resource_missing");
    let revoked = delete(&s, &format!("/v1/api-keys/{key_id}"), &shop).await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
    assert_eq!(revoked.body["deleted"], true);
    let after = s.get("/v1/events", Some(&secret)).await;
    assert_eq!((after.status, after.code()), (StatusCode::UNAUTHORIZED, "authentication_required"), "{}", after.body);
    assert_eq!(delete(&s, &format!("/v1/api-keys/{key_id}"), &shop).await.code(), "resource_missing");
    assert_eq!(s.get("/v1/api-keys", Some(&shop)).await.body["data"][0]["status"], "revoked");
    s.stop().await;
}

async fn webhook_urls_and_payment_methods_are_checked(backend: TestBackend) {
    let Some(db) = TestDb::new(backend).await.expect("test database") else { return };
    // Private networks refused, as in production.
    let s = TestServer::start_on(db, |_| {}).await;
    let (shop, _, _) = business(&s).await;
    let refused = [
        ("ftp://shop.example.com/hooks", "Webhook URLs must start with http:// or https://."),
        ("http://10.0.0.1/hooks", "private network address"),
        ("http://127.0.0.1:9/hooks", "private network address"),
        ("http://[::1]/hooks", "private network address"),
        ("http://169.254.169.254/latest/meta-data", "private network address"),
        ("http://localhost:8080/hooks", "private network address"),
        ("https://user:pw@shop.example.com/hooks", "user name or password"),
        ("not a url", "isn't a valid URL"),
    ];
    for (url, says) in refused {
        let r = patch(&s, &shop, json!({"webhook_url": url, "accepted_payment_methods": ["card"]})).await;
        assert_eq!((r.status, r.code()), (StatusCode::BAD_REQUEST, "invalid_webhook_url"), "{url}: {}", r.body);
        assert_eq!(r.body["error"]["param"], "webhook_url");
        let message = r.body["error"]["message"].as_str().unwrap_or("");
        assert!(message.contains(says), "{url}: {message}");
    }
    let r = s
        .request(
            Method::PATCH,
            "/v1/merchant",
            Some(&shop),
            None,
            Some(&json!({"webhook_url": "ftp://x.example/"})),
            Some("zh-CN"),
        )
        .await;
    assert!(r.body["error"]["message"].as_str().unwrap_or("").contains("http://"), "{}", r.body);

    let unknown = patch(&s, &shop, json!({"accepted_payment_methods": ["wallet", "bitcoin"]})).await;
    assert_eq!((unknown.status, unknown.code()), (StatusCode::BAD_REQUEST, "payment_method_not_supported"));
    assert_eq!(unknown.body["error"]["param"], "accepted_payment_methods");
    let empty = patch(&s, &shop, json!({"accepted_payment_methods": []})).await;
    assert_eq!(
        (empty.code(), empty.body["error"]["param"].as_str()),
        ("parameter_invalid", Some("accepted_payment_methods"))
    );
    let typed = patch(&s, &shop, json!({"webhook_url": 42})).await;
    assert_eq!(typed.code(), "parameter_invalid", "{}", typed.body);
    let extra = patch(&s, &shop, json!({"webhook": "https://shop.example.com"})).await;
    assert_eq!(extra.code(), "parameter_unknown", "{}", extra.body);

    // Nothing half-done: every refused request left the defaults in place.
    let now = s.get("/v1/merchant", Some(&shop)).await;
    assert_eq!(now.status, StatusCode::OK, "{}", now.body);
    assert_eq!(now.body["accepted_payment_methods"], json!(["wallet", "card"]));
    assert_eq!((now.body["webhook_url"].clone(), now.body["webhook_secret_set"].clone()), (Value::Null, json!(false)));

    let ok = patch(&s, &shop, json!({"accepted_payment_methods": ["card", "wallet", "card"]})).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.body["accepted_payment_methods"], json!(["wallet", "card"]));
    assert!(ok.body.get("webhook_secret").is_none());

    let (personal, _, _) = s.user().await;
    assert_eq!(patch(&s, &personal, json!({"accepted_payment_methods": ["card"]})).await.code(), "permission_denied");
    assert_eq!(s.get("/v1/merchant", Some(&personal)).await.code(), "permission_denied");
    assert_eq!(s.get("/v1/events", Some(&personal)).await.code(), "permission_denied");
    s.stop().await;
}

async fn events_are_signed_retried_logged_and_resent(backend: TestBackend) {
    let Some(s) = server(backend, "72h").await else { return };
    let receiver = Receiver::start(&[500]).await;
    let (shop, _, shop_id) = business(&s).await;

    let set = patch(&s, &shop, json!({"accepted_payment_methods": ["card"], "webhook_url": receiver.url})).await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    let secret = set.body["webhook_secret"].as_str().expect("secret shown once").to_owned();
    assert!(secret.starts_with("whsec_") && secret.len() > 40);
    assert_eq!(
        (set.body["webhook_url"].as_str(), set.body["webhook_secret_set"].as_bool()),
        (Some(receiver.url.as_str()), Some(true))
    );
    let again = patch(&s, &shop, json!({"webhook_url": receiver.url})).await;
    assert!(again.body.get("webhook_secret").is_none(), "never shown twice: {}", again.body);
    assert!(!s.get("/v1/merchant", Some(&shop)).await.body.to_string().contains(&secret));

    // An event emitted in-process (payments will do this) is delivered without waiting.
    let object =
        json!({"id": "pay_test1", "object": "payment", "amount": 1050, "currency": "usd", "status": "succeeded"});
    let event = s.app().emit_event(&shop_id, "payment.succeeded", &object).await.expect("emitted");
    let hits = receiver.wait_for(2).await;
    for hit in &hits {
        assert!(verify_signature(&secret, &hit.signature, &hit.body).is_some(), "signature {}", hit.signature);
        assert!(verify_signature("whsec_wrong", &hit.signature, &hit.body).is_none());
        assert_eq!(hit.content_type, "application/json");
    }
    assert_eq!(hits[0].body, hits[1].body, "the retry sends the same bytes");
    assert_eq!(hits[0].body, event.payload.as_bytes(), "the bytes stored are the bytes sent");
    let body: Value = serde_json::from_slice(&hits[0].body).expect("JSON body");
    assert_eq!((body["id"].as_str(), body["type"].as_str()), (Some(event.id.as_str()), Some("payment.succeeded")));
    assert_eq!(body["data"]["object"], object);
    assert!(body["created_at"].as_str().is_some_and(|t| t.ends_with('Z')));

    // The delivery log shows the 500 and the 200.
    let path = format!("/v1/events/{}", event.id);
    let delivered = wait_for_delivery(&s, &path, &shop, 0, "succeeded").await;
    let d = &delivered["deliveries"][0];
    assert_eq!((d["attempts"].as_i64(), d["url"].as_str()), (Some(2), Some(receiver.url.as_str())));
    let log: Vec<_> =
        d["log"].as_array().expect("log").iter().map(|a| (a["attempt"].as_i64(), a["http_status"].as_i64())).collect();
    assert_eq!(log, [(Some(1), Some(500)), (Some(2), Some(200))]);
    assert!(d["log"][0]["error"].as_str().is_some_and(|e| e.contains("500")));
    assert!(d["completed_at"].is_string() && d["next_attempt_at"].is_null());

    // The API key sees the merchant's events, newest first, paginated.
    let key =
        s.post("/v1/api-keys", Some(&shop), None, &json!({})).await.body["secret"].as_str().expect("sk").to_owned();
    let second = s.app().emit_event(&shop_id, "refund.succeeded", &json!({"id": "re_test1"})).await.expect("emitted");
    let page = s.get("/v1/events?limit=1", Some(&key)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(
        (page.body["data"][0]["id"].as_str(), page.body["has_more"].as_bool()),
        (Some(second.id.as_str()), Some(true))
    );
    let rest = s.get(&format!("/v1/events?limit=1&starting_after={}", second.id), Some(&key)).await;
    assert_eq!(
        (rest.body["data"][0]["id"].as_str(), rest.body["has_more"].as_bool()),
        (Some(event.id.as_str()), Some(false))
    );
    assert_eq!(rest.body["data"][0]["data"]["object"], object);
    assert_eq!(s.get("/v1/events?limit=0", Some(&key)).await.code(), "parameter_invalid");
    assert_eq!(s.get("/v1/events?starting_after=evt_nope", Some(&key)).await.code(), "resource_missing");
    assert_eq!(s.get("/v1/events/evt_nope", Some(&key)).await.code(), "resource_missing");
    let (other, _, _) = business(&s).await;
    assert_eq!(s.get(&path, Some(&other)).await.code(), "resource_missing", "another merchant's event");
    assert_eq!(s.post(&format!("{path}/resend"), Some(&other), None, &json!({})).await.code(), "resource_missing");

    // Re-sent on request (with the API key): a new delivery with the same bytes.
    let resent = s.post(&format!("{path}/resend"), Some(&key), None, &json!({})).await;
    assert_eq!(resent.status, StatusCode::ACCEPTED, "{}", resent.body);
    assert_eq!(resent.body["deliveries"].as_array().map(Vec::len), Some(2));
    let hits = receiver.wait_for(4).await; // the refund event's delivery and the re-send
    assert!(hits.iter().filter(|h| h.body == event.payload.as_bytes()).count() == 3, "original, retry, re-send");
    wait_for_delivery(&s, &path, &key, 1, "succeeded").await;

    let metrics =
        s.client.get(format!("{}/metrics", s.base)).send().await.expect("metrics").text().await.expect("text");
    assert!(metrics.contains("okpay_webhook_delivered_total"), "{metrics}");
    assert!(metrics.contains("okpay_webhook_retries_total"));
    s.stop().await;
}

async fn a_dead_endpoint_is_given_up_after_the_retry_window(backend: TestBackend) {
    let Some(s) = server(backend, "1s").await else { return };
    let (shop, _, shop_id) = business(&s).await;
    // Without a URL, events are recorded but have nowhere to go.
    let quiet = s.app().emit_event(&shop_id, "payment.failed", &json!({"id": "pay_q"})).await.expect("emitted");
    let path = format!("/v1/events/{}", quiet.id);
    assert_eq!(s.get(&path, Some(&shop)).await.body["deliveries"], json!([]));
    let r = s.post(&format!("{path}/resend"), Some(&shop), None, &json!({})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "webhook_not_configured"), "{}", r.body);

    // A port nothing listens on: every attempt fails without an answer, then the delivery fails.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let dead_url = format!("http://{}/hooks", closed.local_addr().expect("addr"));
    drop(closed);
    assert_eq!(patch(&s, &shop, json!({"webhook_url": dead_url})).await.status, StatusCode::OK);
    let event = s.app().emit_event(&shop_id, "payment.failed", &json!({"id": "pay_dead"})).await.expect("emitted");
    let failed = wait_for_delivery(&s, &format!("/v1/events/{}", event.id), &shop, 0, "failed").await;
    let d = &failed["deliveries"][0];
    let log = d["log"].as_array().expect("log");
    assert!(log.len() >= 2, "retried before giving up: {d}");
    assert_eq!(d["attempts"].as_i64(), Some(log.len() as i64));
    assert!(log.iter().all(|a| a["http_status"].is_null() && a["error"].is_string()), "{d}");
    let metrics =
        s.client.get(format!("{}/metrics", s.base)).send().await.expect("metrics").text().await.expect("text");
    assert!(metrics.contains("okpay_webhook_failed_total"), "{metrics}");

    // Removing the URL stops new deliveries.
    let cleared = patch(&s, &shop, json!({"webhook_url": null})).await;
    assert_eq!((cleared.status, cleared.body["webhook_url"].clone()), (StatusCode::OK, Value::Null));
    let later = s.app().emit_event(&shop_id, "payment.failed", &json!({"id": "pay_later"})).await.expect("emitted");
    assert_eq!(s.get(&format!("/v1/events/{}", later.id), Some(&shop)).await.body["deliveries"], json!([]));
    s.stop().await;
}

/// Polls an event until its delivery number `index` has `status` (panics after 20 s).
async fn wait_for_delivery(s: &TestServer, path: &str, token: &str, index: usize, status: &str) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let r = s.get(path, Some(token)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        if r.body["deliveries"][index]["status"] == status {
            return r.body;
        }
        assert!(tokio::time::Instant::now() < deadline, "delivery {index} never became {status}: {}", r.body);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
