//! `kill -9` the server in the middle of a stream of transfers, restart it, and check that
//! every transfer answered 2xx is in the books exactly once, that retrying the unanswered ones
//! with their keys never posts twice, and that `ledger verify` passes.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::process::Proc;
use common::{Api, assert_books_balance, unique};
use okpay_store::testing::{TestBackend, TestDb};
use reqwest::StatusCode;
use serde_json::{Value, json};

const WORKERS: usize = 8;

/// Every request sent: its key, and the transfer id if it was answered 201.
type Log = Arc<Mutex<Vec<(String, Option<String>)>>>;
const AMOUNT: i64 = 7;

/// All of Alice's `transfer_out` rows: source id → count.
async fn transfers_in_history(api: &Api, token: &str) -> HashMap<String, usize> {
    let mut seen = HashMap::new();
    let mut after: Option<String> = None;
    loop {
        let mut path = "/v1/transactions?type=transfer_out&limit=100".to_owned();
        if let Some(a) = &after {
            path.push_str(&format!("&starting_after={a}"));
        }
        let page = api.get(&path, Some(token)).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let rows = page.body["data"].as_array().cloned().unwrap_or_default();
        for r in &rows {
            *seen.entry(r["source"].as_str().unwrap_or_default().to_owned()).or_insert(0) += 1;
        }
        if page.body["has_more"] != true {
            return seen;
        }
        after = rows.last().and_then(|r| r["id"].as_str()).map(str::to_owned);
    }
}

async fn acknowledged_transfers_survive_kill_9(backend: TestBackend) {
    let Some(db) = TestDb::new(backend).await.expect("test database") else { return };
    let mut server = Proc::spawn(&db.url).await;
    let api = server.api.clone();
    let (alice, _, _) = api.user().await;
    let (bob_token, bob, _) = api.user().await;
    api.fund(&alice, 1_000_000, "usd").await;

    // (key, Some(transfer id) if answered 2xx)
    let log: Log = Arc::default();
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let (api, alice, bob, log) = (api.clone(), alice.clone(), bob.clone(), log.clone());
            tokio::spawn(async move {
                loop {
                    let key = unique();
                    let body = json!({"to": bob, "amount": AMOUNT, "currency": "usd"});
                    let sent = api
                        .client
                        .post(format!("{}/v1/transfers", api.base))
                        .bearer_auth(&alice)
                        .header("Idempotency-Key", &key)
                        .json(&body)
                        .send()
                        .await;
                    let answered = match sent {
                        Ok(res) if res.status() == StatusCode::CREATED => {
                            res.json::<Value>().await.ok().and_then(|v| v["id"].as_str().map(str::to_owned))
                        }
                        Ok(res) => panic!("unexpected status {}", res.status()),
                        Err(_) => None,
                    };
                    let stop = answered.is_none();
                    log.lock().expect("log").push((key, answered));
                    if stop {
                        return;
                    }
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    server.kill9();
    for w in workers {
        w.await.expect("worker");
    }
    let log = log.lock().expect("log").clone();
    let acknowledged: Vec<&String> = log.iter().filter_map(|(_, id)| id.as_ref()).collect();
    assert!(acknowledged.len() > 20, "the stream ran before the kill ({} acknowledged)", acknowledged.len());

    let server = Proc::spawn(&db.url).await;
    let api = server.api.clone();
    let seen = transfers_in_history(&api, &alice).await;
    for id in &acknowledged {
        assert_eq!(seen.get(*id), Some(&1), "acknowledged transfer {id} is in the books once");
    }
    assert!(seen.values().all(|&n| n == 1), "no transfer twice");

    // Retry everything with the same keys: acknowledged ones replay, unanswered ones either
    // replay what was committed or post now — never twice.
    let mut ids = HashSet::new();
    for (key, first) in &log {
        let r = api
            .post("/v1/transfers", Some(&alice), Some(key), &json!({"to": bob, "amount": AMOUNT, "currency": "usd"}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let id = r.body["id"].as_str().unwrap_or_default().to_owned();
        if let Some(first) = first {
            assert_eq!(&id, first, "a retry returns the transfer that was acknowledged");
        }
        ids.insert(id);
    }
    assert_eq!(ids.len(), log.len(), "one transfer per key");
    let seen = transfers_in_history(&api, &alice).await;
    assert_eq!(seen.len(), log.len());
    assert!(seen.values().all(|&n| n == 1));
    assert_eq!(api.available(&bob_token, "usd").await, AMOUNT * log.len() as i64);
    assert_eq!(api.available(&alice, "usd").await, 1_000_000 - AMOUNT * log.len() as i64);
    drop(server);
    assert_books_balance(&db.url).await;
}

/// SIGTERM in the middle of a stream: the process exits cleanly, having answered or refused
/// every request, and every acknowledged transfer is in the books.
async fn sigterm_drains_in_flight_work(backend: TestBackend) {
    let Some(db) = TestDb::new(backend).await.expect("test database") else { return };
    let server = Proc::spawn(&db.url).await;
    let api = server.api.clone();
    let (alice, _, _) = api.user().await;
    let (_, bob, _) = api.user().await;
    api.fund(&alice, 1_000_000, "usd").await;
    let log: Log = Arc::default();
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let (api, alice, bob, log) = (api.clone(), alice.clone(), bob.clone(), log.clone());
            tokio::spawn(async move {
                loop {
                    let key = unique();
                    let r = api
                        .client
                        .post(format!("{}/v1/transfers", api.base))
                        .bearer_auth(&alice)
                        .header("Idempotency-Key", &key)
                        .json(&json!({"to": bob, "amount": AMOUNT, "currency": "usd"}))
                        .send()
                        .await;
                    let id = match r {
                        Ok(res) if res.status() == StatusCode::CREATED => {
                            res.json::<Value>().await.ok().and_then(|v| v["id"].as_str().map(str::to_owned))
                        }
                        _ => None,
                    };
                    let stop = id.is_none();
                    log.lock().expect("log").push((key, id));
                    if stop {
                        return;
                    }
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(tokio::task::spawn_blocking(move || server.terminate()).await.expect("join"), "clean exit on SIGTERM");
    for w in workers {
        w.await.expect("worker");
    }
    let acknowledged: Vec<String> = log.lock().expect("log").iter().filter_map(|(_, id)| id.clone()).collect();
    assert!(!acknowledged.is_empty());
    let server = Proc::spawn(&db.url).await;
    let seen = transfers_in_history(&server.api, &alice).await;
    for id in &acknowledged {
        assert_eq!(seen.get(id), Some(&1), "acknowledged {id} committed once");
    }
    drop(server);
    assert_books_balance(&db.url).await;
}

on_both_backends!(acknowledged_transfers_survive_kill_9, sigterm_drains_in_flight_work);
