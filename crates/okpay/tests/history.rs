//! History beyond the list (issue 4 items 5 and 6): the CSV export (same filters, streamed in
//! chunks, quoting and formula defusing), unusual-activity flags on rows, and the card-testing
//! rule that freezes an account (mailed, audited with the system actor).
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use common::{Resp, TestServer, unique};
use okpay_app::history::EXPORT_CHUNK_ROWS;
use okpay_domain::Currency;
use okpay_ledger::StatementLine;
use okpay_store::testing::TestBackend;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn export(s: &TestServer, token: &str, query: &str) -> (StatusCode, String, String) {
    let r =
        s.client.get(format!("{}/v1/transactions/export.csv{query}", s.base)).bearer_auth(token).send().await.unwrap();
    let status = r.status();
    let kind = r.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, kind, r.text().await.unwrap())
}

async fn transfer(s: &TestServer, from: &str, to: &str, amount: i64, description: &str) -> Resp {
    let body = json!({"to": to, "amount": amount, "currency": "usd", "description": description});
    s.post("/v1/transfers", Some(from), Some(&unique()), &body).await
}

async fn csv_export_follows_the_filters_and_defuses_text(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let (alice, _, _) = s.user().await;
    let (_, bob, _) = s.user().await;
    s.fund(&alice, 10_000, "usd").await;
    assert_eq!(transfer(&s, &alice, &bob, 1_050, "rent, \"May\"").await.status, StatusCode::CREATED);
    assert_eq!(transfer(&s, &alice, &bob, 200, "=HYPERLINK(\"http://evil\")").await.status, StatusCode::CREATED);

    let (status, kind, all) = export(&s, &alice, "").await;
    assert_eq!(status, StatusCode::OK, "{all}");
    assert!(kind.starts_with("text/csv"), "{kind}");
    let lines: Vec<&str> = all.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 4, "header + deposit + two transfers: {all}");
    assert!(lines[0].starts_with("id,created_at,type,status,amount,fee,currency"), "{}", lines[0]);
    assert!(
        lines[1].contains(",transfer_out,succeeded,2.00,0.00,usd,") && lines[1].contains("\"'=HYPERLINK("),
        "{}",
        lines[1]
    );
    assert!(lines[2].contains(",10.50,") && lines[2].contains("\"rent, \"\"May\"\"\""), "{}", lines[2]);
    assert!(lines[3].contains(",deposit,succeeded,100.00,"), "{}", lines[3]);

    let (_, _, only) = export(&s, &alice, "?type=deposit").await;
    assert_eq!(only.split("\r\n").filter(|l| !l.is_empty()).count(), 2, "{only}");
    let (_, _, none) = export(&s, &alice, "?created_to=2000-01-01").await;
    assert_eq!(none.split("\r\n").filter(|l| !l.is_empty()).count(), 1, "header only: {none}");

    let (status, kind, body) = export(&s, &alice, "?created_from=2026-02-01&created_to=2026-01-01").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(kind.starts_with("application/json") && body.contains("invalid_date_range"), "{body}");
    let (status, _, body) = export(&s, &alice, "?limit=5").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "pagination is not an export filter: {body}");
    let (status, _, _) = export(&s, "not-a-token", "").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    s.assert_books_balance().await;
}

async fn a_large_export_streams_every_row_once_in_order(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let (token, _, user_id) = s.user().await;
    // Rows that moved no money (declined attempts), written straight to the store: enough to
    // span several export chunks.
    let total = EXPORT_CHUNK_ROWS as usize * 2 + 7;
    for i in 0..total {
        let line = StatementLine {
            id: format!("txn_bulk{i:06}"),
            owner: user_id.clone(),
            kind: "deposit".into(),
            amount_minor: 100 + i as i64,
            fee_minor: 0,
            currency: Currency::Usd,
            status: "failed".into(),
            source_id: format!("dep_bulk{i:06}"),
            counterparty: None,
            description: None,
            details: None,
            created_at_us: 1_700_000_000_000_000 + (i as i64 / 3) * 1_000_000,
            notify: false,
        };
        s.app().store.insert_line(&line).await.unwrap();
    }
    let (status, _, body) = export(&s, &token, "").await;
    assert_eq!(status, StatusCode::OK);
    let ids: Vec<&str> =
        body.split("\r\n").skip(1).filter(|l| !l.is_empty()).map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(ids.len(), total);
    let mut expected: Vec<String> = (0..total).map(|i| format!("txn_bulk{i:06}")).collect();
    expected.reverse(); // newest first; rows sharing a second come in descending id order
    assert_eq!(ids, expected);
}

/// Waits until history row `txn` carries `flag`.
async fn wait_flag(s: &TestServer, token: &str, txn: &str) -> Value {
    let start = Instant::now();
    loop {
        let r = s.get(&format!("/v1/transactions/{txn}"), Some(token)).await;
        if r.body["flags"].as_array().is_some_and(|f| f.iter().any(|x| x == "unusual_activity")) {
            return r.body;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "never flagged: {}", r.body);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn unusual_amounts_and_declines_are_flagged(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let (alice, _, _) = s.user().await;
    let (_, bob, _) = s.user().await;
    s.fund(&alice, 20_000, "usd").await;
    let mut normal = Vec::new();
    for _ in 0..5 {
        let r = transfer(&s, &alice, &bob, 100, "coffee").await;
        normal.push(r.body["transaction"].as_str().unwrap().to_owned());
    }
    let big = transfer(&s, &alice, &bob, 1_500, "laptop").await;
    assert_eq!(big.status, StatusCode::CREATED, "{}", big.body);
    let row = wait_flag(&s, &alice, big.body["transaction"].as_str().unwrap()).await;
    assert_eq!(row["amount"], 1_500);
    let list = s.get("/v1/transactions?type=transfer_out", Some(&alice)).await;
    let flagged: Vec<&Value> =
        list.body["data"].as_array().unwrap().iter().filter(|t| t["flags"] != json!([])).collect();
    assert_eq!(flagged.len(), 1, "only the unusual one: {}", list.body);
    let (_, _, csv) = export(&s, &alice, "?type=transfer_out").await;
    assert_eq!(csv.matches("unusual_activity").count(), 1, "{csv}");

    // Three declined card deposits within the hour: the third is flagged, the account stays open.
    let card = s.card(&alice, "4000000000000002").await;
    let mut last = String::new();
    for _ in 0..3 {
        let body = json!({"amount": 1_000, "currency": "usd", "payment_method": card});
        let r = s.post("/v1/deposits", Some(&alice), Some(&unique()), &body).await;
        assert_eq!(r.code(), "card_declined", "{}", r.body);
        let rows = s.get("/v1/transactions?type=deposit&status=failed&limit=1", Some(&alice)).await;
        last = rows.body["data"][0]["id"].as_str().unwrap().to_owned();
    }
    wait_flag(&s, &alice, &last).await;
    assert_eq!(s.get("/v1/me", Some(&alice)).await.body["status"], "active");
    s.assert_books_balance().await;
}

async fn a_burst_of_new_recipients_is_flagged(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let (alice, _, _) = s.user().await;
    s.fund(&alice, 10_000, "usd").await;
    let mut last = Value::Null;
    for _ in 0..5 {
        let (_, to, _) = s.user().await;
        last = transfer(&s, &alice, &to, 100, "hi").await.body;
    }
    let flagged = wait_flag(&s, &alice, last["transaction"].as_str().unwrap()).await;
    assert_eq!(flagged["type"], "transfer_out");
    let list = s.get("/v1/transactions?type=transfer_out&limit=100", Some(&alice)).await;
    let n = list.body["data"].as_array().unwrap().iter().filter(|t| t["flags"] != json!([])).count();
    assert_eq!(n, 1, "four new recipients are normal, the fifth is a burst: {}", list.body);
    assert_eq!(s.get("/v1/me", Some(&alice)).await.body["status"], "active", "a flag is not a freeze");
    s.assert_books_balance().await;
}

async fn card_testing_freezes_the_account(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let (token, email, user_id) = s.user().await;
    let (agent, _, _) = s.staff("agent").await;
    let cards = [
        s.card(&token, "4000000000000002").await,
        s.card(&token, "4000000000009995").await,
        s.card(&token, "4000000000000069").await,
    ];
    for i in 0..6 {
        let body = json!({"amount": 500, "currency": "usd", "payment_method": cards[i % 3]});
        let r = s.post("/v1/deposits", Some(&token), Some(&unique()), &body).await;
        assert_eq!(r.status, StatusCode::PAYMENT_REQUIRED, "{}", r.body);
    }
    let mail = s.mail_with_subject(&email, "Your OKPay account is frozen").await;
    assert!(mail.text.contains("declined card payments"), "{}", mail.text);
    let me = s.get("/v1/me", Some(&token)).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED, "a freeze ends every session: {}", me.body);
    let log = s.get(&format!("/v1/agent/audit-log?subject={user_id}"), Some(&agent)).await;
    let freeze = log.body["data"].as_array().unwrap().iter().find(|e| e["action"] == "account_frozen").cloned();
    let freeze = freeze.unwrap_or_else(|| panic!("no freeze in {}", log.body));
    assert_eq!((freeze["actor"].as_str(), freeze["reason"].as_str()), (Some("system"), Some("card_failures")));
    s.assert_books_balance().await;
}

on_both_backends!(
    csv_export_follows_the_filters_and_defuses_text,
    a_large_export_streams_every_row_once_in_order,
    unusual_amounts_and_declines_are_flagged,
    a_burst_of_new_recipients_is_flagged,
    card_testing_freezes_the_account,
);
