//! Merchants and payments for the payment and refund tests.
#![allow(dead_code, clippy::expect_used, clippy::unwrap_used)]

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{PASSWORD, Resp, TestServer, unique};

/// A verified business user with an API key.
pub struct Shop {
    /// Session token.
    pub token: String,
    /// Email.
    pub email: String,
    /// `usr_...`
    pub id: String,
    /// `sk_...`
    pub key: String,
}

/// Registers, verifies and signs in a business user named `name`, and creates its API key.
pub async fn shop(s: &TestServer, name: &str) -> Shop {
    let email = format!("shop-{}@example.com", unique());
    let body = json!({"email": email, "password": PASSWORD, "name": name, "account_type": "business"});
    let r = s.post("/v1/users", None, None, &body).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    s.verify(&email).await;
    let (token, id) = s.sign_in(&email).await;
    let k = s.post("/v1/api-keys", Some(&token), None, &json!({})).await;
    assert_eq!(k.status, StatusCode::CREATED, "{}", k.body);
    let key = k.body["secret"].as_str().expect("secret").to_owned();
    Shop { token, email, id, key }
}

/// Sets the shop's accepted payment methods.
pub async fn accept(s: &TestServer, shop: &Shop, methods: &[&str]) {
    let r = s
        .request(
            Method::PATCH,
            "/v1/merchant",
            Some(&shop.token),
            None,
            Some(&json!({"accepted_payment_methods": methods})),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

/// Creates a payment with the shop's API key; returns its body.
pub async fn pay_request(s: &TestServer, shop: &Shop, amount: i64, currency: &str) -> Value {
    pay_request_to(s, shop, amount, currency, "https://shop.example/thanks").await
}

/// Creates a payment whose payer returns to `return_url`; returns its body.
pub async fn pay_request_to(s: &TestServer, shop: &Shop, amount: i64, currency: &str, return_url: &str) -> Value {
    let body = json!({"amount": amount, "currency": currency, "description": "Green tea, 2 boxes",
        "return_url": return_url});
    let r = s.post("/v1/payments", Some(&shop.key), None, &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["status"], "requires_payment");
    r.body
}

/// Confirms payment `id` as the payer `token` with `method` under idempotency key `key`.
pub async fn confirm(s: &TestServer, token: &str, id: &str, method: &str, key: &str) -> Resp {
    s.post(&format!("/v1/payments/{id}/confirm"), Some(token), Some(key), &json!({"payment_method": method})).await
}

/// Refunds `amount` (all that is left if `None`) of payment `id`.
pub async fn refund(s: &TestServer, shop: &Shop, id: &str, amount: Option<i64>, key: &str) -> Resp {
    let body = match amount {
        Some(a) => json!({"payment": id, "amount": a}),
        None => json!({"payment": id}),
    };
    s.post("/v1/refunds", Some(&shop.key), Some(key), &body).await
}

/// The posted balance of one of OKPay's system accounts (`system:fee_revenue`, ...) in `currency`.
pub async fn system_balance(s: &TestServer, owner: &str, currency: &str) -> i64 {
    let stores = okpay_store::open(&s.db.url).await.expect("open");
    let accounts = stores.ledger.accounts_of(owner).await.expect("accounts");
    accounts.iter().find(|a| a.currency.code() == currency).map_or(0, |a| a.balance)
}

/// The history rows of `token`'s user whose source is `source`.
pub async fn rows_of(s: &TestServer, token: &str, source: &str) -> Vec<Value> {
    let r = s.get("/v1/transactions?limit=100", Some(token)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["data"].as_array().unwrap().iter().filter(|t| t["source"] == source).cloned().collect()
}

/// The merchant's stored events of `kind` about object `id`.
pub async fn events_about(s: &TestServer, shop: &Shop, kind: &str, id: &str) -> Vec<Value> {
    let r = s.get("/v1/events?limit=100", Some(&shop.key)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == kind && e["data"]["object"]["id"] == id)
        .cloned()
        .collect()
}

/// A verified payer holding `amount` of `currency` (0: none); returns (token, email, id).
pub async fn payer(s: &TestServer, amount: i64, currency: &str) -> (String, String, String) {
    let (token, email, id) = s.user().await;
    if amount > 0 {
        s.fund(&token, amount, currency).await;
    }
    (token, email, id)
}

/// The shop's own page its payers come back to (`return_url`): a real HTTP server on
/// 127.0.0.1:0 that answers `GET /thanks` with a small page and counts the visits.
pub struct ReturnPage {
    /// `http://127.0.0.1:<port>/thanks?order=<n>`
    pub url: String,
    visits: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl ReturnPage {
    /// Starts the page for order `order`.
    pub async fn start(order: u32) -> ReturnPage {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let visits = std::sync::Arc::new(AtomicUsize::new(0));
        let counter = visits.clone();
        let app = axum::Router::new().route(
            "/thanks",
            axum::routing::get(move || {
                counter.fetch_add(1, Ordering::SeqCst);
                async {
                    axum::response::Html(
                        "<!doctype html><title>Shop</title><h1 id=\"thanks\">Thanks for your order</h1>",
                    )
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind return page");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, app).await });
        ReturnPage { url: format!("http://{addr}/thanks?order={order}"), visits }
    }

    /// How many times the page was requested.
    pub fn visits(&self) -> usize {
        self.visits.load(std::sync::atomic::Ordering::SeqCst)
    }
}
