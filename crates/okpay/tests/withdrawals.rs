//! Withdrawals through the real HTTP API on both backends: quotes, amount + fee held at once,
//! `pending` → `processing` → `paid` on a 0000 bank account after the cancel window and the
//! settlement delay, a 1111 account returning it, card payouts (paid and declined), cancel
//! while pending and not after, insufficient funds, idempotent replays, a race with a
//! transfer, bad input, paging, and a payout finished after a restart. Every status change is
//! mailed and the books are verified after each money-moving test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use common::{Resp, TestServer, set_status, unique};
use okpay_store::testing::{TestBackend, TestDb};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Starts a server with this cancel window and bank settlement delay.
async fn server(backend: TestBackend, window: &'static str, delay: &'static str) -> Option<TestServer> {
    let db = TestDb::new(backend).await.expect("test database")?;
    Some(start(db, window, delay).await)
}

async fn start(db: TestDb, window: &'static str, delay: &'static str) -> TestServer {
    TestServer::start_on(db, |c| {
        c.withdrawal_cancel_window = window.into();
        c.bank_settlement_delay = delay.into();
    })
    .await
}

/// Links a bank account; returns its `pm_` id.
async fn bank(s: &TestServer, token: &str, number: &str) -> String {
    let body = json!({"type": "bank_account",
        "bank_account": {"country": "US", "account_number": number, "holder_name": "Test Person", "bank_name": "First Bank"}});
    let r = s.post("/v1/payment-methods", Some(token), None, &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

async fn withdraw(s: &TestServer, token: &str, key: &str, pm: &str, amount: i64) -> Resp {
    s.post(
        "/v1/withdrawals",
        Some(token),
        Some(key),
        &json!({"amount": amount, "currency": "usd", "payment_method": pm}),
    )
    .await
}

/// Withdraws and expects it created `pending`; returns the body.
async fn created(s: &TestServer, token: &str, pm: &str, amount: i64) -> Value {
    let r = withdraw(s, token, &unique(), pm, amount).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert!(r.body["id"].as_str().unwrap().starts_with("wd_"), "{}", r.body);
    assert_eq!(r.body["status"], "pending", "{}", r.body);
    r.body
}

/// (available, held) in usd.
async fn balance(s: &TestServer, token: &str) -> (i64, i64) {
    let r = s.get("/v1/balances", Some(token)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let usd = r.body["data"].as_array().unwrap().iter().find(|b| b["currency"] == "usd").cloned();
    usd.map_or((0, 0), |b| (b["available"].as_i64().unwrap(), b["held"].as_i64().unwrap()))
}

/// Polls `GET /v1/withdrawals/{id}` until its status is `want`; returns it.
async fn wait_for(s: &TestServer, token: &str, id: &str, want: &str) -> Value {
    let start = Instant::now();
    loop {
        let r = s.get(&format!("/v1/withdrawals/{id}"), Some(token)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        if r.body["status"] == want {
            return r.body;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "not {want} yet: {}", r.body);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The withdrawal's history row with its status history.
async fn history_row(s: &TestServer, token: &str, w: &Value) -> Value {
    let r = s.get(&format!("/v1/transactions/{}", w["transaction"].as_str().unwrap()), Some(token)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["type"], "withdrawal");
    assert_eq!(r.body["source"], w["id"]);
    r.body
}

fn statuses(row: &Value) -> Vec<String> {
    row["status_history"].as_array().unwrap().iter().map(|h| h["status"].as_str().unwrap().to_owned()).collect()
}

async fn quotes_show_fees_per_method(backend: TestBackend) {
    let Some(s) = server(backend, "60s", "30s").await else { return };
    let (token, _, _) = s.user().await;
    let bank_pm = bank(&s, &token, "000123450000").await;
    let card_pm = s.card(&token, "4242424242424242").await;
    let quote = |amount: i64, currency: &'static str, pm: String| {
        let s = &s;
        let token = &token;
        async move {
            s.get(
                &format!("/v1/withdrawals/quote?amount={amount}&currency={currency}&payment_method={pm}"),
                Some(token),
            )
            .await
        }
    };
    for (amount, currency, pm, fee) in [
        (10_000, "usd", &bank_pm, 25),
        (10_000, "eur", &bank_pm, 25),
        (10_000, "cny", &bank_pm, 200),
        (1_000, "jpy", &bank_pm, 30),
        (10_000, "usd", &card_pm, 150),
        (101, "usd", &card_pm, 2),
        (1_000, "jpy", &card_pm, 15),
    ] {
        let r = quote(amount, currency, pm.clone()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!((r.body["amount"].as_i64(), r.body["fee"].as_i64()), (Some(amount), Some(fee)), "{}", r.body);
        assert_eq!(r.body["total"].as_i64(), Some(amount + fee));
        assert_eq!(r.body["currency"], currency);
    }
    let by_bank = quote(10_000, "usd", bank_pm.clone()).await.body["estimated_arrival"].as_str().unwrap().to_owned();
    let by_card = quote(10_000, "usd", card_pm.clone()).await.body["estimated_arrival"].as_str().unwrap().to_owned();
    assert!(by_bank > by_card, "the bank adds its settlement delay: {by_bank} vs {by_card}");
    // Bad quotes.
    for (path, status, code) in [
        (format!("amount=10.5&currency=jpy&payment_method={bank_pm}"), StatusCode::BAD_REQUEST, "invalid_amount"),
        (format!("amount=0&currency=usd&payment_method={bank_pm}"), StatusCode::BAD_REQUEST, "invalid_amount"),
        (format!("amount=50&currency=usd&payment_method={bank_pm}"), StatusCode::BAD_REQUEST, "amount_too_small"),
        (format!("amount=500&currency=USD&payment_method={bank_pm}"), StatusCode::BAD_REQUEST, "invalid_currency"),
        ("amount=500&currency=usd&payment_method=pm_nope".into(), StatusCode::NOT_FOUND, "resource_missing"),
        ("amount=500&currency=usd".into(), StatusCode::BAD_REQUEST, "parameter_missing"),
    ] {
        let r = s.get(&format!("/v1/withdrawals/quote?{path}"), Some(&token)).await;
        assert_eq!((r.status, r.code()), (status, code), "{path}: {}", r.body);
    }
    s.stop().await;
}

async fn a_0000_account_is_paid_after_the_window_and_the_delay(backend: TestBackend) {
    let Some(s) = server(backend, "1s", "2s").await else { return };
    let (token, email, _) = s.user().await;
    s.fund(&token, 10_000, "usd").await;
    let pm = bank(&s, &token, "000123450000").await;
    let started = Instant::now();
    let w = created(&s, &token, &pm, 5_000).await;
    assert_eq!((w["amount"].as_i64(), w["fee"].as_i64(), w["total"].as_i64()), (Some(5_000), Some(25), Some(5_025)));
    assert_eq!(w["method"], "bank_account");
    assert_eq!(balance(&s, &token).await, (4_975, 5_025), "amount + fee held at once");
    s.mail_with_subject(&email, "Your withdrawal of 50.00 USD is scheduled").await;
    s.assert_books_balance().await;
    let id = w["id"].as_str().unwrap();

    wait_for(&s, &token, id, "processing").await;
    assert!(started.elapsed() >= Duration::from_secs(1), "not before the cancel window");
    s.mail_with_subject(&email, "Your withdrawal of 50.00 USD is on its way").await;
    let paid = wait_for(&s, &token, id, "paid").await;
    assert!(started.elapsed() >= Duration::from_secs(3), "not before the settlement delay");
    assert_eq!(balance(&s, &token).await, (4_975, 0), "the held money left");
    let row = history_row(&s, &token, &paid).await;
    assert_eq!(
        (row["status"].as_str(), row["amount"].as_i64(), row["fee"].as_i64()),
        (Some("paid"), Some(5_000), Some(25))
    );
    assert_eq!(statuses(&row), ["pending", "processing", "paid"]);
    let at: Vec<&str> = row["status_history"].as_array().unwrap().iter().map(|h| h["at"].as_str().unwrap()).collect();
    assert!(at[0] <= at[1] && at[1] <= at[2], "{at:?}");
    let mail = s.mail_with_subject(&email, "Your withdrawal of 50.00 USD was paid").await;
    assert!(mail.text.contains("First Bank ****0000"), "{}", mail.text);
    s.assert_books_balance().await;
    s.stop().await;
}

async fn a_1111_account_returns_it(backend: TestBackend) {
    let Some(s) = server(backend, "1s", "1s").await else { return };
    let (token, email, _) = s.user().await;
    s.fund(&token, 10_000, "usd").await;
    let pm = bank(&s, &token, "99991111").await;
    let w = created(&s, &token, &pm, 1_000).await;
    assert_eq!(balance(&s, &token).await, (8_975, 1_025));
    let failed = wait_for(&s, &token, w["id"].as_str().unwrap(), "failed").await;
    assert_eq!(failed["failure_code"], "withdrawal_returned", "{failed}");
    assert_eq!(balance(&s, &token).await, (10_000, 0), "the hold is released, fee included");
    let row = history_row(&s, &token, &failed).await;
    assert_eq!(statuses(&row), ["pending", "processing", "failed"]);
    assert_eq!(row["failure_code"], "withdrawal_returned");
    s.mail_with_subject(&email, "Your withdrawal of 10.00 USD failed").await;
    s.assert_books_balance().await;
    s.stop().await;
}

async fn card_payouts_are_paid_or_declined(backend: TestBackend) {
    let Some(s) = server(backend, "1s", "30s").await else { return };
    let (token, email, _) = s.user().await;
    s.fund(&token, 10_000, "usd").await;
    let good = s.card(&token, "5555555555554444").await;
    let w = created(&s, &token, &good, 2_000).await;
    assert_eq!((w["fee"].as_i64(), w["method"].as_str()), (Some(30), Some("card")), "1.5 %");
    let paid = wait_for(&s, &token, w["id"].as_str().unwrap(), "paid").await;
    assert_eq!(statuses(&history_row(&s, &token, &paid).await), ["pending", "processing", "paid"]);
    assert_eq!(balance(&s, &token).await, (7_970, 0));
    s.mail_with_subject(&email, "Your withdrawal of 20.00 USD was paid").await;

    let declining = s.card(&token, "4000000000000002").await;
    let w = created(&s, &token, &declining, 1_000).await;
    assert_eq!(balance(&s, &token).await, (6_955, 1_015));
    let failed = wait_for(&s, &token, w["id"].as_str().unwrap(), "failed").await;
    assert_eq!(failed["failure_code"], "card_declined", "{failed}");
    let row = history_row(&s, &token, &failed).await;
    assert_eq!(
        (row["failure_code"].as_str(), row["decline_code"].as_str()),
        (Some("card_declined"), Some("generic_decline"))
    );
    assert_eq!(balance(&s, &token).await, (7_970, 0), "released");
    s.mail_with_subject(&email, "Your withdrawal of 10.00 USD failed").await;
    s.assert_books_balance().await;
    s.stop().await;
}

async fn cancel_only_while_pending(backend: TestBackend) {
    let Some(s) = server(backend, "60s", "30s").await else { return };
    let (token, email, _) = s.user().await;
    s.fund(&token, 10_000, "usd").await;
    let pm = bank(&s, &token, "000123450000").await;
    let w = created(&s, &token, &pm, 3_000).await;
    let id = w["id"].as_str().unwrap();
    assert_eq!(balance(&s, &token).await, (6_975, 3_025));
    let r = s.post(&format!("/v1/withdrawals/{id}/cancel"), Some(&token), None, &json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["status"], "canceled");
    assert_eq!(balance(&s, &token).await, (10_000, 0), "released at once");
    assert_eq!(statuses(&history_row(&s, &token, &r.body).await), ["pending", "canceled"]);
    s.mail_with_subject(&email, "Your withdrawal of 30.00 USD was canceled").await;
    let again = s.post(&format!("/v1/withdrawals/{id}/cancel"), Some(&token), None, &json!({})).await;
    assert_eq!((again.status, again.code()), (StatusCode::CONFLICT, "withdrawal_not_cancelable"), "{}", again.body);
    // Someone else cannot see or cancel it.
    let (other, _, _) = s.user().await;
    let r = s.post(&format!("/v1/withdrawals/{id}/cancel"), Some(&other), None, &json!({})).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "resource_missing"));
    assert_eq!(s.get(&format!("/v1/withdrawals/{id}"), Some(&other)).await.status, StatusCode::NOT_FOUND);
    s.assert_books_balance().await;
    s.stop().await;

    // Once processing it can no longer be canceled.
    let Some(s) = server(backend, "1s", "30s").await else { return };
    let (token, _, _) = s.user().await;
    s.fund(&token, 10_000, "usd").await;
    let pm = bank(&s, &token, "000123450000").await;
    let w = created(&s, &token, &pm, 3_000).await;
    let id = w["id"].as_str().unwrap();
    wait_for(&s, &token, id, "processing").await;
    let r = s.post(&format!("/v1/withdrawals/{id}/cancel"), Some(&token), None, &json!({})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "withdrawal_not_cancelable"), "{}", r.body);
    assert_eq!(balance(&s, &token).await, (6_975, 3_025), "still held");
    s.assert_books_balance().await;
    s.stop().await;
}

async fn funds_must_cover_amount_and_fee(backend: TestBackend) {
    let Some(s) = server(backend, "60s", "30s").await else { return };
    let (token, _, _) = s.user().await;
    s.fund(&token, 1_000, "usd").await;
    let pm = bank(&s, &token, "000123450000").await;
    let r = withdraw(&s, &token, &unique(), &pm, 990).await;
    assert_eq!((r.status, r.code()), (StatusCode::PAYMENT_REQUIRED, "insufficient_funds"), "{}", r.body);
    assert_eq!(balance(&s, &token).await, (1_000, 0), "nothing held");
    let list = s.get("/v1/withdrawals", Some(&token)).await;
    assert_eq!(list.body["data"].as_array().unwrap().len(), 0, "nothing written: {}", list.body);
    let rows = s.get("/v1/transactions?type=withdrawal", Some(&token)).await;
    assert_eq!(rows.body["data"].as_array().unwrap().len(), 0, "no history row: {}", rows.body);
    // Exactly enough works.
    created(&s, &token, &pm, 975).await;
    assert_eq!(balance(&s, &token).await, (0, 1_000));
    s.assert_books_balance().await;
    s.stop().await;
}

async fn a_replay_holds_once(backend: TestBackend) {
    let Some(s) = server(backend, "60s", "30s").await else { return };
    let (token, email, _) = s.user().await;
    s.fund(&token, 10_000, "usd").await;
    let pm = bank(&s, &token, "000123450000").await;
    let key = unique();
    let first = withdraw(&s, &token, &key, &pm, 1_000).await;
    let again = withdraw(&s, &token, &key, &pm, 1_000).await;
    assert_eq!((first.status, again.status), (StatusCode::CREATED, StatusCode::CREATED));
    assert_eq!(first.body["id"], again.body["id"]);
    assert_eq!(again.headers.get("idempotent-replayed").and_then(|v| v.to_str().ok()), Some("true"));
    assert_eq!(balance(&s, &token).await, (8_975, 1_025), "held once");
    let list = s.get("/v1/withdrawals", Some(&token)).await;
    assert_eq!(list.body["data"].as_array().unwrap().len(), 1, "{}", list.body);
    s.mail_with_subject(&email, "Your withdrawal of 10.00 USD is scheduled").await;
    let mails = s.inbox.as_ref().unwrap().to(&email);
    assert_eq!(mails.iter().filter(|m| m.subject.contains("is scheduled")).count(), 1, "one creation mail");
    s.assert_books_balance().await;
    s.stop().await;
}

async fn a_withdrawal_and_a_transfer_never_both_spend_the_balance(backend: TestBackend) {
    let Some(s) = server(backend, "60s", "30s").await else { return };
    let (token, _, _) = s.user().await;
    let (_, other, _) = s.user().await;
    let pm = bank(&s, &token, "000123450000").await;
    for round in 0..5 {
        s.fund(&token, 1_025, "usd").await;
        let transfer = json!({"to": other, "amount": 1_025, "currency": "usd"});
        let (wk, tk) = (unique(), unique());
        let (w, t) = tokio::join!(
            withdraw(&s, &token, &wk, &pm, 1_000),
            s.post("/v1/transfers", Some(&token), Some(&tk), &transfer)
        );
        let won = [&w, &t].iter().filter(|r| r.status == StatusCode::CREATED).count();
        assert_eq!(won, 1, "round {round}: withdrawal {} / transfer {}", w.body, t.body);
        let loser = if w.status == StatusCode::CREATED { &t } else { &w };
        assert_eq!((loser.status, loser.code()), (StatusCode::PAYMENT_REQUIRED, "insufficient_funds"));
        assert_eq!(balance(&s, &token).await.0, 0, "round {round}");
        // Free the held money again for the next round.
        if w.status == StatusCode::CREATED {
            let id = w.body["id"].as_str().unwrap();
            let r = s.post(&format!("/v1/withdrawals/{id}/cancel"), Some(&token), None, &json!({})).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            let back = s
                .post(
                    "/v1/transfers",
                    Some(&token),
                    Some(&unique()),
                    &json!({"to": other, "amount": 1_025, "currency": "usd"}),
                )
                .await;
            assert_eq!(back.status, StatusCode::CREATED, "{}", back.body);
        }
    }
    s.assert_books_balance().await;
    s.stop().await;
}

async fn bad_input_is_refused(backend: TestBackend) {
    let Some(s) = server(backend, "60s", "30s").await else { return };
    let (token, email, _) = s.user().await;
    s.fund(&token, 10_000, "usd").await;
    s.fund(&token, 10_000, "jpy").await;
    let pm = bank(&s, &token, "000123450000").await;
    let (other, _, _) = s.user().await;
    let others_pm = bank(&s, &other, "000199990000").await;
    let bad = StatusCode::BAD_REQUEST;
    for (body, status, code, param) in [
        (json!({"amount": 10.5, "currency": "jpy", "payment_method": pm}), bad, "invalid_amount", "amount"),
        (json!({"amount": 0, "currency": "usd", "payment_method": pm}), bad, "invalid_amount", "amount"),
        (json!({"amount": -500, "currency": "usd", "payment_method": pm}), bad, "invalid_amount", "amount"),
        (json!({"amount": "500", "currency": "usd", "payment_method": pm}), bad, "invalid_amount", "amount"),
        (json!({"amount": 50, "currency": "usd", "payment_method": pm}), bad, "amount_too_small", "amount"),
        (json!({"amount": 500, "currency": "xyz", "payment_method": pm}), bad, "invalid_currency", "currency"),
        (json!({"amount": 500, "currency": "usd"}), bad, "parameter_missing", "payment_method"),
        (json!({"amount": 500, "currency": "usd", "payment_method": pm, "tip": 1}), bad, "parameter_unknown", "tip"),
        (
            json!({"amount": 500, "currency": "usd", "payment_method": "pm_nope"}),
            StatusCode::NOT_FOUND,
            "resource_missing",
            "payment_method",
        ),
        (
            json!({"amount": 500, "currency": "usd", "payment_method": others_pm}),
            StatusCode::NOT_FOUND,
            "resource_missing",
            "payment_method",
        ),
    ] {
        let r = s.post("/v1/withdrawals", Some(&token), Some(&unique()), &body).await;
        assert_eq!((r.status, r.code()), (status, code), "{body}: {}", r.body);
        assert_eq!(r.body["error"]["param"], param, "{body}");
    }
    let ok = json!({"amount": 500, "currency": "usd", "payment_method": pm});
    let r = s.post("/v1/withdrawals", Some(&token), None, &ok).await;
    assert_eq!((r.status, r.code()), (bad, "idempotency_key_required"));
    let r = s.post("/v1/withdrawals", None, Some(&unique()), &ok).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(s.get("/v1/withdrawals/wd_nope", Some(&token)).await.code(), "resource_missing");
    assert_eq!(s.get("/v1/withdrawals?starting_after=wd_nope", Some(&token)).await.code(), "resource_missing");
    assert_eq!(balance(&s, &token).await, (10_000, 0), "nothing held");
    assert_eq!(s.get("/v1/withdrawals", Some(&token)).await.body["data"].as_array().unwrap().len(), 0);
    // A frozen account cannot withdraw.
    set_status(&s.db, &email, "frozen").await;
    let r = s.post("/v1/withdrawals", Some(&token), Some(&unique()), &ok).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "account_frozen"), "{}", r.body);
    s.assert_books_balance().await;
    s.stop().await;
}

async fn lists_page_newest_first(backend: TestBackend) {
    let Some(s) = server(backend, "60s", "30s").await else { return };
    let (token, _, _) = s.user().await;
    s.fund(&token, 10_000, "usd").await;
    let pm = bank(&s, &token, "000123450000").await;
    let mut ids = Vec::new();
    for amount in [100, 200, 300] {
        ids.push(created(&s, &token, &pm, amount).await["id"].as_str().unwrap().to_owned());
    }
    let page = s.get("/v1/withdrawals?limit=2", Some(&token)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let got: Vec<&str> = page.body["data"].as_array().unwrap().iter().map(|w| w["id"].as_str().unwrap()).collect();
    assert_eq!(got, [ids[2].as_str(), ids[1].as_str()]);
    assert_eq!(page.body["has_more"], true);
    let rest = s.get(&format!("/v1/withdrawals?limit=2&starting_after={}", ids[1]), Some(&token)).await;
    let got: Vec<&str> = rest.body["data"].as_array().unwrap().iter().map(|w| w["id"].as_str().unwrap()).collect();
    assert_eq!(got, [ids[0].as_str()]);
    assert_eq!(rest.body["has_more"], false);
    s.assert_books_balance().await;
    s.stop().await;
}

async fn a_payout_in_processing_finishes_after_a_restart(backend: TestBackend) {
    let Some(s) = server(backend, "1s", "3s").await else { return };
    let (token, email, _) = s.user().await;
    s.fund(&token, 10_000, "usd").await;
    let pm = bank(&s, &token, "000123450000").await;
    let w = created(&s, &token, &pm, 4_000).await;
    let id = w["id"].as_str().unwrap().to_owned();
    wait_for(&s, &token, &id, "processing").await;
    let db = s.stop().await;
    let s = start(db, "1s", "3s").await;
    let paid = wait_for(&s, &token, &id, "paid").await;
    assert_eq!(statuses(&history_row(&s, &token, &paid).await), ["pending", "processing", "paid"]);
    assert_eq!(balance(&s, &token).await, (5_975, 0));
    s.mail_with_subject(&email, "Your withdrawal of 40.00 USD was paid").await;
    s.assert_books_balance().await;
    s.stop().await;
}

on_both_backends!(
    quotes_show_fees_per_method,
    a_0000_account_is_paid_after_the_window_and_the_delay,
    a_1111_account_returns_it,
    card_payouts_are_paid_or_declined,
    cancel_only_while_pending,
    funds_must_cover_amount_and_fee,
    a_replay_holds_once,
    a_withdrawal_and_a_transfer_never_both_spend_the_balance,
    bad_input_is_refused,
    lists_page_newest_first,
    a_payout_in_processing_finishes_after_a_restart
);
