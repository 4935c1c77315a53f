//! The group-commit writer (`okpay_ledger::Ledger`) on each backend, alone and under contention.

use okpay_ledger::{AccountId, Command, Ledger, LedgerError, Outcome, Rejection, WriterConfig};
use okpay_store::testing::TestBackend;

use crate::common::{Books, R, TestResult, contract, hold, post, transfer, void};

contract!(writer_runs_every_kind_of_command, concurrent_transfers_never_overdraw, two_writers_share_the_books);

/// Concurrent transfers fired at one account funded for exactly half of them.
const N: usize = 200;
const AMOUNT: i64 = 10;

async fn writer_runs_every_kind_of_command(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let (alice, bob, sys) = (books.user("alice").await?, books.user("bob").await?, books.system);
    let (ledger, task) = Ledger::start(books.stores.ledger.clone(), WriterConfig::default());
    assert!(matches!(ledger.submit(transfer("dep_1", sys, alice, 1_000)?).await?, Outcome::Posted { .. }));
    assert_eq!(ledger.submit(transfer("dep_1", sys, alice, 1_000)?).await?, Outcome::Duplicate);
    assert!(matches!(ledger.submit(transfer("tr_1", alice, bob, 250)?).await?, Outcome::Posted { .. }));
    assert!(matches!(ledger.submit(hold("h1", alice, sys, 500)?).await?, Outcome::Held { .. }));
    assert!(matches!(ledger.submit(hold("h2", alice, sys, 100)?).await?, Outcome::Held { .. }));
    let refused = ledger.submit(transfer("tr_2", alice, bob, 200)?).await;
    assert!(matches!(refused, Err(LedgerError::Rejected(Rejection::InsufficientFunds(a))) if a == alice));
    assert!(matches!(ledger.submit(post("h1")).await?, Outcome::Posted { .. }));
    assert!(matches!(ledger.submit(void("h2")).await?, Outcome::Voided { .. }));
    assert_eq!(ledger.submit(post("h1")).await?, Outcome::Duplicate);
    assert_eq!(books.balances("alice").await?, (250, 0, 0));
    assert_eq!(books.balances("bob").await?, (250, 0, 0));
    drop(ledger);
    task.await?;
    books.assert_verified().await
}

/// Submits transfer `i` of `from` to `to` on one of the writers, all at once.
async fn fire(writers: &[Ledger], from: AccountId, to: AccountId) -> R<Vec<Result<Outcome, LedgerError>>> {
    let mut tasks = Vec::with_capacity(N);
    for i in 0..N {
        let ledger = writers[i % writers.len()].clone();
        let cmd = transfer(&format!("tr_{i}"), from, to, AMOUNT)?;
        tasks.push(tokio::spawn(async move { ledger.submit(cmd).await }));
    }
    let mut results = Vec::with_capacity(N);
    for t in tasks {
        results.push(t.await?);
    }
    Ok(results)
}

fn assert_exactly_half_succeed(results: &[Result<Outcome, LedgerError>], from: AccountId) -> TestResult {
    let posted = results.iter().filter(|r| matches!(r, Ok(Outcome::Posted { .. }))).count();
    let refused = results
        .iter()
        .filter(|r| matches!(r, Err(LedgerError::Rejected(Rejection::InsufficientFunds(a))) if *a == from))
        .count();
    if (posted, refused) != (N / 2, N / 2) {
        let other: Vec<_> = results.iter().filter(|r| !matches!(r, Ok(Outcome::Posted { .. }))).take(3).collect();
        return Err(format!("{posted} posted, {refused} refused; e.g. {other:?}").into());
    }
    Ok(())
}

async fn concurrent_transfers_never_overdraw(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let (alice, bob) = (books.user("alice").await?, books.user("bob").await?);
    let funding = AMOUNT * (N as i64 / 2);
    books.stores.ledger.execute(&[transfer("dep_1", books.system, alice, funding)?]).await?;
    let (ledger, task) = Ledger::start(books.stores.ledger.clone(), WriterConfig::default());
    let results = fire(&[ledger], alice, bob).await?;
    assert_exactly_half_succeed(&results, alice)?;
    task.await?;
    assert_eq!(books.balances("alice").await?, (0, 0, 0));
    assert_eq!(books.balances("bob").await?, (funding, 0, 0));
    books.assert_verified().await
}

/// Submits `cmds[i]` to writer `i % 2`, all at once; results in order.
async fn race(writers: &[Ledger], cmds: Vec<Command>) -> R<Vec<Result<Outcome, LedgerError>>> {
    let mut tasks = Vec::with_capacity(cmds.len());
    for (i, cmd) in cmds.into_iter().enumerate() {
        let w = writers[i % writers.len()].clone();
        tasks.push(tokio::spawn(async move { w.submit(cmd).await }));
    }
    let mut results = Vec::with_capacity(tasks.len());
    for t in tasks {
        results.push(t.await?);
    }
    Ok(results)
}

/// Two writers with their own pools, as two processes sharing one database would have.
async fn two_writers_share_the_books(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let (alice, bob) = (books.user("alice").await?, books.user("bob").await?);
    let funding = AMOUNT * (N as i64 / 2);
    books.stores.ledger.execute(&[transfer("dep_1", books.system, alice, funding)?]).await?;
    let other = books.db.open().await?;
    let (one, task_one) = Ledger::start(books.stores.ledger.clone(), WriterConfig::default());
    let (two, task_two) = Ledger::start(other.ledger.clone(), WriterConfig::default());
    let writers = [one, two];
    let results = fire(&writers, alice, bob).await?;
    assert_exactly_half_succeed(&results, alice)?;

    // The same references submitted to both writers at once: each takes effect exactly once.
    let mut races = Vec::new();
    for i in 0..20 {
        for w in &writers {
            let (w, cmd) = (w.clone(), transfer(&format!("race_{i}"), bob, alice, 1)?);
            races.push(tokio::spawn(async move { w.submit(cmd).await }));
        }
    }
    let mut posted = 0;
    for r in races {
        match r.await?? {
            Outcome::Posted { .. } => posted += 1,
            Outcome::Duplicate => {}
            other => return Err(format!("unexpected {other:?}").into()),
        }
    }
    assert_eq!(posted, 20);

    // Holds too (on PostgreSQL the loser's insert hits the unique index and is retried)...
    let holds: Vec<_> = (0..10).map(|i| hold(&format!("rh_{i}"), bob, alice, 1)).collect::<R<_>>()?;
    let outcomes = race(&writers, holds.iter().flat_map(|h| [h.clone(), h.clone()]).collect()).await?;
    let held = outcomes.iter().filter(|r| matches!(r, Ok(Outcome::Held { .. }))).count();
    let dups = outcomes.iter().filter(|r| matches!(r, Ok(Outcome::Duplicate))).count();
    assert_eq!((held, dups), (10, 10), "{outcomes:?}");
    // ...and a post racing a void of the same hold: exactly one of them wins.
    let resolutions = (0..10).flat_map(|i| [post(&format!("rh_{i}")), void(&format!("rh_{i}"))]).collect();
    let outcomes = race(&writers, resolutions).await?;
    for pair in outcomes.chunks(2) {
        let won = pair.iter().filter(|r| matches!(r, Ok(Outcome::Posted { .. } | Outcome::Voided { .. }))).count();
        let lost = pair.iter().filter(|r| matches!(r, Err(LedgerError::Rejected(Rejection::HoldAlreadyResolved(_)))));
        assert_eq!((won, lost.count()), (1, 1), "{pair:?}");
    }
    drop(writers);
    task_one.await?;
    task_two.await?;
    let posted_holds = books.balances("alice").await?.0 - 20;
    assert!((0..=10).contains(&posted_holds));
    assert_eq!(books.balances("bob").await?, (funding - 20 - posted_holds, 0, 0));
    books.assert_verified().await
}
