//! The group-commit writer (`okpay_ledger::Ledger`) on each backend, alone and under contention.

use okpay_app::ports::Scope;
use okpay_domain::Currency;
use okpay_domain::limits::Period;
use okpay_domain::time::now_us;
use okpay_ledger::{AccountId, Command, Ledger, LedgerError, Outcome, Rejection, Resolve, WriterConfig};
use okpay_store::testing::TestBackend;

use crate::common::{Books, R, TestResult, contract, hold, line, post, transfer, update, void};

contract!(
    writer_runs_every_kind_of_command,
    concurrent_transfers_never_overdraw,
    two_writers_share_the_books,
    usage_totals_match_the_rows_under_two_writers,
);

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

/// The per-day usage totals the database's triggers keep, written by two writers at once:
/// transfers (a counted `transfer_out` row and an uncounted `transfer_in`), withdrawal holds
/// (`pending`, counted) and their resolutions (posted → `paid`, still counted; voided →
/// `failed`, no longer counted), all racing, so batches mix inserts and status changes of the
/// same owners in both processes. Every command takes effect (a deadlock would be retried by
/// the writer, and fail the command if it kept happening) and the totals equal the row sums.
async fn usage_totals_match_the_rows_under_two_writers(b: TestBackend) -> TestResult {
    const USERS: usize = 6;
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let mut wallets = Vec::with_capacity(USERS);
    for u in 0..USERS {
        let wallet = books.user(&format!("user{u}")).await?;
        books.stores.ledger.execute(&[transfer(&format!("fund_{u}"), books.system, wallet, 1_000_000)?]).await?;
        wallets.push(wallet);
    }
    let other = books.db.open().await?;
    let (one, task_one) = Ledger::start(books.stores.ledger.clone(), WriterConfig::default());
    let (two, task_two) = Ledger::start(other.ledger.clone(), WriterConfig::default());
    let writers = [one, two];
    let moving = |i: usize| -> R<Command> {
        let (from, to) = (i % USERS, (i * 7 + 1) % USERS);
        let to = if to == from { (to + 1) % USERS } else { to };
        let amount = i64::try_from(i % 50 + 1)?;
        if i.is_multiple_of(3) {
            let reference = format!("wd_{i}");
            let mut cmd = hold(&reference, wallets[from], books.system, amount)?;
            if let Command::Hold(h) = &mut cmd {
                let mut l =
                    line(&format!("txn_{reference}"), &format!("user{from}"), "withdrawal", "pending", now_us());
                l.amount_minor = amount;
                h.lines.push(l);
            }
            return Ok(cmd);
        }
        let reference = format!("tr_{i}");
        let mut cmd = transfer(&reference, wallets[from], wallets[to], amount)?;
        if let Command::Transfer(t) = &mut cmd {
            for (owner, kind) in [(from, "transfer_out"), (to, "transfer_in")] {
                let mut l =
                    line(&format!("txn_{reference}_{kind}"), &format!("user{owner}"), kind, "succeeded", now_us());
                l.amount_minor = amount;
                t.lines.push(l);
            }
        }
        Ok(cmd)
    };
    let first: Vec<Command> = (0..300).map(moving).collect::<R<_>>()?;
    for r in race(&writers, first).await? {
        assert!(matches!(r, Ok(Outcome::Posted { .. } | Outcome::Held { .. })), "{r:?}");
    }
    // The holds resolved (every other one voided) while more money moves.
    let mut second: Vec<Command> = Vec::new();
    for i in (0..300_usize).step_by(3) {
        let reference = format!("wd_{i}");
        let (status, voided) = if i.is_multiple_of(2) { ("failed", true) } else { ("paid", false) };
        let resolve = Resolve {
            hold_reference: reference.clone(),
            updates: vec![update(&format!("txn_{reference}"), status, now_us())],
        };
        second.push(if voided { Command::Void(resolve) } else { Command::Post(resolve) });
        second.push(moving(300 + i)?);
        second.push(moving(301 + i)?);
    }
    for r in race(&writers, second).await? {
        assert!(matches!(r, Ok(Outcome::Posted { .. } | Outcome::Held { .. } | Outcome::Voided { .. })), "{r:?}");
    }
    drop(writers);
    task_one.await?;
    task_two.await?;

    // Bounds at UTC midnights are answered from the totals; a microsecond earlier, from the rows
    // (no row is that old).
    let now = now_us();
    let (day, month) = (Period::Day.bounds(now).0, Period::Month.bounds(now).0);
    let store = &books.stores.app;
    let mut counted = 0;
    for u in 0..USERS {
        let owner = format!("user{u}");
        for kinds in [&["transfer_out", "payment"][..], &["withdrawal"][..]] {
            let scope = Scope { owner: &owner, currency: Currency::Usd, kinds };
            let totals = store.usage(scope, day, month).await?;
            let rows = store.usage(scope, day - 1, month - 1).await?;
            assert_eq!(totals, rows, "{owner} {kinds:?}");
            counted += totals.0;
        }
    }
    assert!(counted > 0, "the commands counted something");
    books.assert_verified().await
}
