//! Merchant payments (API.md §4) through real HTTP on both backends: a merchant creates a
//! payment with its API key, payers confirm it from their wallet or a card; fees, balances,
//! history rows on both sides, events, receipts, idempotent replays, one payment paid once when
//! payers race, the checks on methods and input, and the checkout page. The books are verified
//! after every test that moves money.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::shop::{accept, confirm, events_about, pay_request, payer, rows_of, shop, system_balance};
use common::{TestServer, set_status, unique};
use okpay_store::testing::{TestBackend, TestDb};
use reqwest::StatusCode;
use serde_json::json;
use sqlx::Connection;

on_both_backends!(
    a_wallet_payment_moves_money_with_its_fee_and_history,
    card_payments_succeed_or_fail_for_good,
    methods_and_payers_are_checked,
    racing_payers_pay_a_payment_once,
    bad_input_and_other_merchants_are_refused,
    the_checkout_page_shows_the_payment,
    a_record_behind_the_books_is_repaired,
);

/// A server charging merchants 2.90 %.
async fn server(backend: TestBackend) -> Option<TestServer> {
    let db = TestDb::new(backend).await.expect("test database")?;
    Some(TestServer::start_on(db, |c| c.merchant_fee_bps = 290).await)
}

async fn a_wallet_payment_moves_money_with_its_fee_and_history(backend: TestBackend) {
    let Some(s) = server(backend).await else { return };
    let shop = shop(&s, "Tea House").await;
    let (token, email, _) = payer(&s, 20_000, "usd").await;
    let p = pay_request(&s, &shop, 10_000, "usd").await;
    let id = p["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("pay_") && p["object"] == "payment", "{p}");
    assert_eq!((p["amount"].as_i64(), p["fee"].as_i64(), p["net"].as_i64()), (Some(10_000), Some(290), Some(9_710)));
    assert!(p["checkout_url"].as_str().unwrap().ends_with(&format!("/checkout/{id}")), "{p}");
    assert_eq!(p["description"], "Green tea, 2 boxes");

    let key = unique();
    let paid = confirm(&s, &token, &id, "wallet", &key).await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.body);
    assert_eq!(
        (paid.body["status"].as_str(), paid.body["payment_method_type"].as_str()),
        (Some("succeeded"), Some("wallet"))
    );
    assert_eq!(s.available(&token, "usd").await, 10_000);
    assert_eq!(s.available(&shop.token, "usd").await, 9_710);
    assert_eq!(system_balance(&s, "system:fee_revenue", "usd").await, 290);

    // History on both sides, written with the money.
    let mine = rows_of(&s, &token, &id).await;
    assert_eq!(mine.len(), 1, "{mine:?}");
    assert_eq!((mine[0]["type"].as_str(), mine[0]["amount"].as_i64()), (Some("payment"), Some(10_000)));
    assert_eq!((mine[0]["counterparty"].as_str(), mine[0]["status"].as_str()), (Some("Tea House"), Some("succeeded")));
    let theirs = rows_of(&s, &shop.token, &id).await;
    assert_eq!(theirs.len(), 1, "{theirs:?}");
    assert_eq!((theirs[0]["type"].as_str(), theirs[0]["fee"].as_i64()), (Some("payment_received"), Some(290)));
    assert_eq!(theirs[0]["counterparty"], email.as_str());

    // The same request again is replayed; any other confirm is refused and moves nothing.
    let replay = confirm(&s, &token, &id, "wallet", &key).await;
    assert_eq!(replay.status, StatusCode::OK, "{}", replay.body);
    assert_eq!(replay.headers.get("idempotent-replayed").map(|v| v.to_str().unwrap()), Some("true"));
    assert_eq!(replay.body, paid.body);
    let again = confirm(&s, &token, &id, "wallet", &unique()).await;
    assert_eq!((again.status, again.code()), (StatusCode::CONFLICT, "payment_already_completed"), "{}", again.body);
    let (other, _, _) = payer(&s, 20_000, "usd").await;
    let theirs = confirm(&s, &other, &id, "wallet", &unique()).await;
    assert_eq!(theirs.code(), "payment_already_completed", "{}", theirs.body);
    assert_eq!((s.available(&token, "usd").await, s.available(&other, "usd").await), (10_000, 20_000));

    // The merchant sees it paid, with one payment.succeeded event carrying the same object.
    let got = s.get(&format!("/v1/payments/{id}"), Some(&shop.key)).await;
    assert_eq!((got.status, got.body["status"].as_str()), (StatusCode::OK, Some("succeeded")), "{}", got.body);
    let events = events_about(&s, &shop, "payment.succeeded", &id).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["data"]["object"], got.body);
    let list = s.get("/v1/payments", Some(&shop.key)).await;
    assert_eq!(list.body["data"][0]["id"], id.as_str(), "{}", list.body);

    // The payer's receipt.
    let mail = s.mail_with_subject(&email, "You paid 100.00 USD to Tea House").await;
    assert!(mail.text.contains("your OKPay wallet"), "{}", mail.text);
    s.assert_books_balance().await;
    s.stop().await;
}

async fn card_payments_succeed_or_fail_for_good(backend: TestBackend) {
    let Some(s) = server(backend).await else { return };
    let shop = shop(&s, "Card Shop").await;
    let (token, _, _) = payer(&s, 0, "usd").await;
    let good = s.card(&token, "4242424242424242").await;
    let p = pay_request(&s, &shop, 5_000, "eur").await;
    let id = p["id"].as_str().unwrap();
    let paid = confirm(&s, &token, id, &good, &unique()).await;
    assert_eq!((paid.status, paid.body["status"].as_str()), (StatusCode::OK, Some("succeeded")), "{}", paid.body);
    assert_eq!(paid.body["payment_method_type"], "card");
    assert_eq!((s.available(&shop.token, "eur").await, s.available(&token, "eur").await), (4_855, 0));
    assert_eq!(system_balance(&s, "system:fee_revenue", "eur").await, 145);
    assert_eq!(rows_of(&s, &token, id).await[0]["status"], "succeeded");

    // A declined card ends the payment: failed, a failed history row, a payment.failed event.
    let declined = s.card(&token, "4000000000000002").await;
    let q = pay_request(&s, &shop, 2_000, "eur").await;
    let qid = q["id"].as_str().unwrap();
    let r = confirm(&s, &token, qid, &declined, &unique()).await;
    assert_eq!((r.status, r.code()), (StatusCode::PAYMENT_REQUIRED, "card_declined"), "{}", r.body);
    assert_eq!(r.body["error"]["decline_code"], "generic_decline");
    let got = s.get(&format!("/v1/payments/{qid}"), Some(&shop.key)).await;
    assert_eq!(
        (got.body["status"].as_str(), got.body["failure_code"].as_str()),
        (Some("failed"), Some("card_declined"))
    );
    assert_eq!(got.body["decline_code"], "generic_decline");
    let rows = rows_of(&s, &token, qid).await;
    assert_eq!((rows.len(), rows[0]["status"].as_str()), (1, Some("failed")), "{rows:?}");
    let failed = events_about(&s, &shop, "payment.failed", qid).await;
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0]["data"]["object"], got.body, "the event carries the payment as stored");
    // Terminal: the payer's retry repeats the failure; nobody else can pay it; no money moved.
    assert_eq!(confirm(&s, &token, qid, &good, &unique()).await.code(), "card_declined");
    let (other, _, _) = payer(&s, 0, "usd").await;
    let other_card = s.card(&other, "5555555555554444").await;
    assert_eq!(confirm(&s, &other, qid, &other_card, &unique()).await.code(), "payment_already_completed");
    assert_eq!(s.available(&shop.token, "eur").await, 4_855);

    // Someone else's card is not the payer's to use.
    let fresh = pay_request(&s, &shop, 1_000, "eur").await;
    let r = confirm(&s, &token, fresh["id"].as_str().unwrap(), &other_card, &unique()).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "resource_missing"), "{}", r.body);
    assert_eq!(r.body["error"]["param"], "payment_method");
    s.assert_books_balance().await;
    s.stop().await;
}

async fn methods_and_payers_are_checked(backend: TestBackend) {
    let Some(s) = server(backend).await else { return };
    let shop = shop(&s, "Picky Shop").await;
    let (token, email, _) = payer(&s, 1_000, "usd").await;
    let card = s.card(&token, "4242424242424242").await;
    let bank = s
        .post(
            "/v1/payment-methods",
            Some(&token),
            None,
            &json!({"type": "bank_account", "bank_account": {"country": "US", "account_number": "000123450000",
                "holder_name": "Test Person"}}),
        )
        .await;
    assert_eq!(bank.status, StatusCode::CREATED, "{}", bank.body);
    let bank = bank.body["id"].as_str().unwrap().to_owned();
    let p = pay_request(&s, &shop, 3_000, "usd").await;
    let id = p["id"].as_str().unwrap();

    accept(&s, &shop, &["card"]).await;
    let r = confirm(&s, &token, id, "wallet", &unique()).await;
    assert_eq!((r.status, r.code()), (StatusCode::PAYMENT_REQUIRED, "payment_method_not_accepted"), "{}", r.body);
    assert_eq!(confirm(&s, &token, id, &bank, &unique()).await.code(), "payment_method_not_accepted");
    accept(&s, &shop, &["wallet"]).await;
    assert_eq!(confirm(&s, &token, id, &card, &unique()).await.code(), "payment_method_not_accepted");
    assert_eq!(confirm(&s, &token, id, "bitcoin", &unique()).await.code(), "parameter_invalid");

    // Not enough money: 402, nothing charged, no event, still payable after a top-up.
    let r = confirm(&s, &token, id, "wallet", &unique()).await;
    assert_eq!((r.status, r.code()), (StatusCode::PAYMENT_REQUIRED, "insufficient_funds"), "{}", r.body);
    let got = s.get(&format!("/v1/payments/{id}"), Some(&shop.key)).await;
    assert_eq!(got.body["status"], "requires_payment");
    assert!(events_about(&s, &shop, "payment.failed", id).await.is_empty());
    assert_eq!(s.available(&token, "usd").await, 1_000);
    // A currency the payer holds nothing in is the same answer.
    let yen = pay_request(&s, &shop, 500, "jpy").await;
    assert_eq!(
        confirm(&s, &token, yen["id"].as_str().unwrap(), "wallet", &unique()).await.code(),
        "insufficient_funds"
    );

    // The merchant cannot pay itself; a frozen payer cannot pay.
    let own = confirm(&s, &shop.token, id, "wallet", &unique()).await;
    assert_eq!((own.status, own.code()), (StatusCode::BAD_REQUEST, "payment_to_self"), "{}", own.body);
    set_status(&s.db, &email, "frozen").await;
    assert_eq!(confirm(&s, &token, id, "wallet", &unique()).await.code(), "account_frozen");
    set_status(&s.db, &email, "active").await;

    s.fund(&token, 5_000, "usd").await;
    let paid = confirm(&s, &token, id, "wallet", &unique()).await;
    assert_eq!((paid.status, paid.body["status"].as_str()), (StatusCode::OK, Some("succeeded")), "{}", paid.body);
    assert_eq!(s.available(&token, "usd").await, 3_000);
    s.assert_books_balance().await;
    s.stop().await;
}

async fn racing_payers_pay_a_payment_once(backend: TestBackend) {
    let Some(s) = server(backend).await else { return };
    let shop = shop(&s, "Busy Shop").await;
    let (a, _, _) = payer(&s, 50_000, "usd").await;
    let (b, _, _) = payer(&s, 50_000, "usd").await;
    let b_card = s.card(&b, "4242424242424242").await;
    let rounds = 6;
    for round in 0..rounds {
        let p = pay_request(&s, &shop, 1_000, "usd").await;
        let id = p["id"].as_str().unwrap();
        // Half the rounds race two wallets, half a wallet against a card.
        let b_method = if round % 2 == 0 { "wallet".to_owned() } else { b_card.clone() };
        let (ka, kb) = (unique(), unique());
        let (ra, rb) = tokio::join!(confirm(&s, &a, id, "wallet", &ka), confirm(&s, &b, id, &b_method, &kb));
        let won = [&ra, &rb].iter().filter(|r| r.status == StatusCode::OK).count();
        assert_eq!(won, 1, "round {round}: {} / {}", ra.body, rb.body);
        let lost = if ra.status == StatusCode::OK { &rb } else { &ra };
        assert_eq!(lost.code(), "payment_already_completed", "round {round}: {}", lost.body);
    }
    // The merchant received each payment exactly once (net of the 2.90 % fee).
    assert_eq!(s.available(&shop.token, "usd").await, rounds * 971);
    let list = s.get("/v1/payments?limit=100", Some(&shop.key)).await;
    let statuses: Vec<_> = list.body["data"].as_array().unwrap().iter().map(|p| p["status"].clone()).collect();
    assert!(statuses.iter().all(|st| st == "succeeded") && statuses.len() == rounds as usize, "{statuses:?}");
    s.assert_books_balance().await;
    s.stop().await;
}

async fn bad_input_and_other_merchants_are_refused(backend: TestBackend) {
    let Some(s) = server(backend).await else { return };
    let shop = shop(&s, "Strict Shop").await;
    let (personal, _, _) = payer(&s, 0, "usd").await;
    let body = json!({"amount": 1000, "currency": "usd"});
    let r = s.post("/v1/payments", Some(&personal), None, &body).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNAUTHORIZED, "api_key_required"), "{}", r.body);
    assert_eq!(s.post("/v1/payments", Some(&shop.token), None, &body).await.code(), "api_key_required");
    assert_eq!(s.post("/v1/payments", None, None, &body).await.code(), "authentication_required");
    assert_eq!(s.get("/v1/payments", Some(&personal)).await.code(), "permission_denied");

    let bad = [
        (json!({"amount": 10.5, "currency": "jpy"}), "invalid_amount", "amount"),
        (json!({"amount": 0, "currency": "usd"}), "invalid_amount", "amount"),
        (json!({"amount": 100, "currency": "xyz"}), "invalid_currency", "currency"),
        (
            json!({"amount": 100, "currency": "usd", "return_url": "ftp://shop.example/"}),
            "parameter_invalid",
            "return_url",
        ),
        (json!({"amount": 100, "currency": "usd", "description": "x".repeat(501)}), "parameter_invalid", "description"),
        (json!({"amount": 100, "currency": "usd", "tip": 5}), "parameter_unknown", "tip"),
    ];
    for (body, code, param) in bad {
        let r = s.post("/v1/payments", Some(&shop.key), None, &body).await;
        assert_eq!((r.status, r.code()), (StatusCode::BAD_REQUEST, code), "{body}: {}", r.body);
        assert_eq!(r.body["error"]["param"], param, "{body}");
    }
    assert!(
        s.get("/v1/payments", Some(&shop.key)).await.body["data"].as_array().unwrap().is_empty(),
        "nothing created"
    );

    // A create with an idempotency key is replayed, not duplicated.
    let k = unique();
    let first = s.post("/v1/payments", Some(&shop.key), Some(&k), &json!({"amount": 700, "currency": "usd"})).await;
    let second = s.post("/v1/payments", Some(&shop.key), Some(&k), &json!({"amount": 700, "currency": "usd"})).await;
    assert_eq!((first.status, first.body["id"].clone()), (StatusCode::CREATED, second.body["id"].clone()));
    let id = first.body["id"].as_str().unwrap();

    // Unknown payments and other merchants' payments look the same; keys cannot confirm.
    let other = common::shop::shop(&s, "Nosy Shop").await;
    for path in ["/v1/payments/pay_nope".to_owned(), format!("/v1/payments/{id}")] {
        let r = s.get(&path, Some(&other.key)).await;
        assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "resource_missing"), "{path}: {}", r.body);
    }
    let (payer_token, _, _) = payer(&s, 0, "usd").await;
    assert_eq!(s.get(&format!("/v1/payments/{id}"), Some(&payer_token)).await.body["id"], id, "payers may look");
    assert_eq!(confirm(&s, &payer_token, "pay_nope", "wallet", &unique()).await.code(), "resource_missing");
    assert_eq!(confirm(&s, &shop.key, id, "wallet", &unique()).await.code(), "api_key_not_allowed");
    let no_key = s
        .post(&format!("/v1/payments/{id}/confirm"), Some(&payer_token), None, &json!({"payment_method": "wallet"}))
        .await;
    assert_eq!((no_key.status, no_key.code()), (StatusCode::BAD_REQUEST, "idempotency_key_required"));
    s.stop().await;
}

async fn the_checkout_page_shows_the_payment(backend: TestBackend) {
    let Some(s) = server(backend).await else { return };
    let shop = shop(&s, "Lantern <Books>").await;
    let p = pay_request(&s, &shop, 12_345, "usd").await;
    let id = p["id"].as_str().unwrap();
    let page = |lang: Option<&'static str>, id: String| {
        let s = &s;
        async move {
            let mut req = s.client.get(format!("{}/checkout/{id}", s.base));
            if let Some(l) = lang {
                req = req.header("Accept-Language", l);
            }
            let res = req.send().await.expect("page");
            let status = res.status();
            let csp = res.headers().get("content-security-policy").map(|v| v.to_str().unwrap().to_owned());
            (status, csp, res.text().await.expect("html"))
        }
    };
    let (status, csp, html) = page(None, id.to_owned()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.starts_with("<!doctype html>") && html.contains("<html lang=\"en\">"), "{html}");
    assert!(html.contains("123.45 USD") && html.contains("Green tea, 2 boxes") && html.contains("Waiting for payment"));
    assert!(html.contains("Lantern &lt;Books&gt;") && !html.contains("Lantern <Books>"), "names are escaped");
    assert!(html.contains("/v1/sessions") && html.contains("/confirm") && html.contains("https://shop.example/thanks"));
    for secret in [shop.key.as_str(), "sk_", "whsec_", shop.email.as_str()] {
        assert!(!html.contains(secret), "the page leaks {secret}");
    }
    assert!(!html.contains("src=\"http") && !html.contains("href=\"http"), "no external assets");
    assert!(csp.is_some_and(|c| c.contains("default-src 'none'") && c.contains("script-src 'nonce-")));

    let (status, _, zh) = page(Some("zh-CN"), id.to_owned()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(zh.contains("<html lang=\"zh\">") && zh.contains("付款给") && zh.contains("待付款"), "{zh}");

    let (status, _, missing) = page(None, "pay_nope".to_owned()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(missing.contains("Payment not found") && missing.starts_with("<!doctype html>"), "{missing}");

    // Once paid, the page says so and offers no form.
    let (token, _, _) = payer(&s, 20_000, "usd").await;
    assert_eq!(confirm(&s, &token, id, "wallet", &unique()).await.status, StatusCode::OK);
    let (_, _, done) = page(None, id.to_owned()).await;
    assert!(done.contains(">Paid<") && !done.contains("id=\"signin\""), "{done}");
    s.assert_books_balance().await;
    s.stop().await;
}

/// Runs `sql` with one `$1` bound to `arg` behind the API's back.
async fn exec(db: &TestDb, sql: &'static str, arg: &str) {
    if db.url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(&db.url).await.expect("connect");
        sqlx::query(sql).bind(arg).execute(&mut c).await.expect("exec");
    } else {
        let mut c = sqlx::PgConnection::connect(&db.url).await.expect("connect");
        sqlx::query(sql).bind(arg).execute(&mut c).await.expect("exec");
    }
}

async fn a_record_behind_the_books_is_repaired(backend: TestBackend) {
    let Some(s) = server(backend).await else { return };
    let shop = shop(&s, "Crashy Shop").await;
    let (token, _, _) = payer(&s, 5_000, "usd").await;
    let p = pay_request(&s, &shop, 2_000, "usd").await;
    let id = p["id"].as_str().unwrap();
    assert_eq!(confirm(&s, &token, id, "wallet", &unique()).await.status, StatusCode::OK);
    // As if the process died after the journal committed and before the record was updated.
    exec(
        &s.db,
        "UPDATE payments SET status = 'requires_payment', payer_id = NULL, method = NULL, paid_at_us = NULL \
         WHERE id = $1",
        id,
    )
    .await;
    let (other, _, _) = payer(&s, 5_000, "usd").await;
    let r = confirm(&s, &other, id, "wallet", &unique()).await;
    assert_eq!(r.code(), "payment_already_completed", "the books say it is paid: {}", r.body);
    let got = s.get(&format!("/v1/payments/{id}"), Some(&shop.key)).await;
    assert_eq!(
        (got.body["status"].as_str(), got.body["payment_method_type"].as_str()),
        (Some("succeeded"), Some("wallet"))
    );
    assert!(got.body["paid_at"].is_string(), "{}", got.body);
    assert_eq!((s.available(&token, "usd").await, s.available(&other, "usd").await), (3_000, 5_000));
    assert_eq!(s.available(&shop.token, "usd").await, 1_942, "paid once");
    s.assert_books_balance().await;
    s.stop().await;
}
