//! Operating OKPay: health, metrics, OpenAPI, error help pages, the CLI.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::process::Command;

use common::{TestServer, unique};
use okpay_app::Code;
use okpay_store::testing::{TestBackend, TestDb};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_metrics_and_openapi() {
    let Some(s) = TestServer::start(TestBackend::Sqlite).await else { return };
    let h = s.get("/healthz", None).await;
    assert_eq!(h.status, StatusCode::OK);
    assert_eq!(h.body, json!({"status": "ok", "database": "sqlite"}));
    assert!(h.headers.get("request-id").and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("req_")));

    let (token, _, _) = s.user().await;
    s.fund(&token, 500, "usd").await;
    let m = s.client.get(format!("{}/metrics", s.base)).send().await.expect("metrics");
    let text = m.text().await.expect("text");
    assert!(text.contains("okpay_http_requests_total"), "{text}");
    assert!(text.contains("okpay_ledger_batch_size"), "{text}");

    let spec = s.get("/openapi.json", None).await;
    let paths = spec.body["paths"].as_object().cloned().unwrap_or_default();
    for p in [
        "/v1/users",
        "/v1/sessions",
        "/v1/balances",
        "/v1/payment-methods",
        "/v1/deposits",
        "/v1/transfers",
        "/v1/transactions",
        "/v1/transactions/{id}",
        "/v1/withdrawals",
        "/v1/withdrawals/quote",
        "/v1/withdrawals/{id}",
        "/v1/withdrawals/{id}/cancel",
        "/healthz",
    ] {
        assert!(paths.contains_key(p), "openapi lists {p}");
    }
    let docs = s.client.get(format!("{}/docs", s.base)).send().await.expect("docs");
    assert!(docs.text().await.expect("docs").contains("/v1/transfers"));
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_error_code_has_a_help_page_in_both_languages() {
    let Some(s) = TestServer::start(TestBackend::Sqlite).await else { return };
    for code in Code::ALL {
        for lang in ["en", "zh"] {
            let page = s
                .client
                .get(format!("{}/help/errors/{}?lang={lang}", s.base, code.as_str()))
                .send()
                .await
                .expect("page");
            assert_eq!(page.status(), StatusCode::OK, "{} {lang}", code.as_str());
            let html = page.text().await.expect("html");
            assert!(html.contains(code.as_str()));
            let json = s.get(&format!("/v1/help/errors/{}?lang={lang}", code.as_str()), None).await;
            assert_eq!(json.status, StatusCode::OK);
            assert!(json.body["what_to_do"].as_str().is_some_and(|t| !t.is_empty()));
        }
    }
    let zh = s.get("/v1/help/errors/insufficient_funds?lang=zh", None).await;
    assert!(zh.body["message"].as_str().is_some_and(|m| m.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))));
    let missing = s.get("/v1/help/errors/no_such_code", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_migrates_verifies_and_prints_config() {
    let Some(db) = TestDb::new(TestBackend::Sqlite).await.expect("db") else { return };
    let bin = env!("CARGO_BIN_EXE_okpay");
    let out = Command::new(bin).args(["config", "example"]).output().expect("run");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("database_url = \"sqlite://okpay-data/okpay.db\""));

    let run = |args: &[&str]| Command::new(bin).args(args).env("OKPAY_DATABASE_URL", &db.url).output().expect("run");
    assert!(run(&["migrate"]).status.success());

    // Move some money, then verify through the CLI.
    let s = TestServer::start_on(db, |_| {}).await;
    let (a, _, _) = s.user().await;
    let (_, b, _) = s.user().await;
    s.fund(&a, 1_000, "jpy").await;
    let r =
        s.post("/v1/transfers", Some(&a), Some(&unique()), &json!({"to": b, "amount": 10, "currency": "jpy"})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let db = s.stop().await;
    let run = |args: &[&str]| Command::new(bin).args(args).env("OKPAY_DATABASE_URL", &db.url).output().expect("run");
    let ok = run(&["ledger", "verify"]);
    let text = String::from_utf8_lossy(&ok.stdout);
    assert!(ok.status.success(), "{text}");
    assert!(text.contains("ok   journals_balance"), "{text}");

    // Tamper with a balance: verify must fail and name what broke.
    let pool = sqlx::SqlitePool::connect(&db.url).await.expect("connect");
    let tampered = sqlx::query(
        "UPDATE accounts SET balance = balance + 1 WHERE kind = 'user' AND currency = 'jpy' AND balance > 0",
    )
    .execute(&pool)
    .await
    .expect("tamper");
    assert!(tampered.rows_affected() > 0);
    pool.close().await;
    let bad = run(&["ledger", "verify"]);
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("balances_match_postings"), "{err}");
}
