//! Several `okpay serve` processes on one PostgreSQL: no lost update, no double spend, a hot
//! account included.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::process::Proc;
use common::{assert_books_balance, unique};
use okpay_store::testing::{TestBackend, TestDb};
use reqwest::StatusCode;
use serde_json::json;

const TRANSFERS: usize = 300;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_never_double_spend() {
    let Some(db) = TestDb::new(TestBackend::Postgres).await.expect("test database") else { return };
    // One SMTP server for both, as production has one relay: either may deliver the other's mail.
    let smtp = okpay_mail::testing::SmtpSink::start().expect("SMTP sink");
    let p1 = Proc::spawn_with_smtp(&db.url, &smtp).await;
    let p2 = Proc::spawn_with_smtp(&db.url, &smtp).await;
    let (payer, _, _) = p1.api.user().await;
    let (hot_token, hot, _) = p1.api.user().await;
    p1.api.fund(&payer, 100 * TRANSFERS as i64 / 2, "usd").await;
    // Many other payers pay the same hot account through both processes at once.
    let mut others = vec![];
    for _ in 0..4 {
        let (t, _, _) = p2.api.user().await;
        p2.api.fund(&t, 10_000, "usd").await;
        others.push(t);
    }
    let mut tasks = vec![];
    for i in 0..TRANSFERS {
        let api = if i % 2 == 0 { p1.api.clone() } else { p2.api.clone() };
        let (payer, hot) = (payer.clone(), hot.clone());
        tasks.push(tokio::spawn(async move {
            api.post(
                "/v1/transfers",
                Some(&payer),
                Some(&unique()),
                &json!({"to": hot, "amount": 100, "currency": "usd"}),
            )
            .await
        }));
    }
    for (i, t) in others.iter().enumerate().cycle().take(200) {
        let api = if i % 2 == 0 { p2.api.clone() } else { p1.api.clone() };
        let (t, hot) = (t.clone(), hot.clone());
        tasks.push(tokio::spawn(async move {
            api.post("/v1/transfers", Some(&t), Some(&unique()), &json!({"to": hot, "amount": 1, "currency": "usd"}))
                .await
        }));
    }
    let mut payer_ok = 0;
    let mut payer_refused = 0;
    for (i, t) in tasks.into_iter().enumerate() {
        let r = t.await.expect("task");
        if i < TRANSFERS {
            match (r.status, r.code()) {
                (StatusCode::CREATED, _) => payer_ok += 1,
                (StatusCode::PAYMENT_REQUIRED, "insufficient_funds") => payer_refused += 1,
                (s, _) => panic!("unexpected {s}: {}", r.body),
            }
        } else {
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        }
    }
    assert_eq!((payer_ok, payer_refused), (TRANSFERS / 2, TRANSFERS / 2));
    assert_eq!(p1.api.available(&hot_token, "usd").await, 100 * (TRANSFERS as i64) / 2 + 200);
    assert_eq!(p2.api.available(&payer, "usd").await, 0);
    drop((p1, p2));
    assert_books_balance(&db.url).await;
}
