//! `LedgerStore::execute` and friends, called directly (no writer in between).

use okpay_domain::Currency;
use okpay_ledger::verify::INVARIANTS;
use okpay_ledger::{AccountId, AccountKind, Command, HoldStatus, Outcome, Rejection, Resolve, Transfer};
use okpay_store::testing::TestBackend;

use crate::common::{Books, TestResult, contract, hold, line, post, transfer, update, void};

contract!(
    transfers_move_money,
    holds_post_and_void,
    duplicates_within_and_across_batches,
    a_replay_among_new_commands_leaves_one_copy_of_each,
    rejected_commands_leave_the_rest_of_the_batch,
    full_batch_in_one_transaction,
    accounts_open_once,
    verify_reports_every_invariant,
    statement_lines_follow_the_money,
);

fn is_posted(r: &Result<Outcome, Rejection>) -> bool {
    matches!(r, Ok(Outcome::Posted { .. }))
}

async fn transfers_move_money(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let (alice, bob) = (books.user("alice").await?, books.user("bob").await?);
    let ledger = &books.stores.ledger;
    let r = ledger.execute(&[transfer("dep_1", books.system, alice, 1_000)?]).await?;
    assert!(is_posted(&r[0]), "{r:?}");
    let r = ledger.execute(&[transfer("tr_1", alice, bob, 300)?]).await?;
    assert!(is_posted(&r[0]), "{r:?}");
    assert_eq!(books.balances("alice").await?, (700, 0, 0));
    assert_eq!(books.balances("bob").await?, (300, 0, 0));
    assert_eq!(books.balances("system:clearing").await?, (-1_000, 0, 0));
    books.assert_verified().await
}

async fn holds_post_and_void(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let alice = books.user("alice").await?;
    let sys = books.system;
    let ledger = &books.stores.ledger;
    ledger.execute(&[transfer("dep_1", sys, alice, 1_000)?]).await?;

    let r = ledger.execute(&[hold("h1", alice, sys, 600)?, hold("h2", alice, sys, 500)?]).await?;
    assert!(matches!(r[0], Ok(Outcome::Held { .. })), "{r:?}");
    assert_eq!(r[1], Err(Rejection::InsufficientFunds(alice)), "only 400 is available");
    assert_eq!(books.balances("alice").await?, (1_000, 600, 0));
    assert_eq!(books.balances("system:clearing").await?, (-1_000, 0, 600));
    books.assert_verified().await?;

    let r = ledger.execute(&[post("h1")]).await?;
    assert!(is_posted(&r[0]), "{r:?}");
    assert_eq!(books.balances("alice").await?, (400, 0, 0));

    let r = ledger.execute(&[hold("h3", alice, sys, 300)?]).await?;
    let Ok(Outcome::Held { hold_id }) = r[0] else { return Err(format!("{r:?}").into()) };
    let r = ledger.execute(&[void("h3")]).await?;
    assert_eq!(r[0], Ok(Outcome::Voided { hold_id }));
    assert_eq!(books.balances("alice").await?, (400, 0, 0));

    let r = ledger.execute(&[post("h3"), void("h1"), post("nope"), post("h1"), void("h3")]).await?;
    assert_eq!(
        r,
        vec![
            Err(Rejection::HoldAlreadyResolved(HoldStatus::Voided)),
            Err(Rejection::HoldAlreadyResolved(HoldStatus::Posted)),
            Err(Rejection::HoldNotFound),
            Ok(Outcome::Duplicate),
            Ok(Outcome::Duplicate),
        ]
    );
    assert_eq!(books.balances("alice").await?, (400, 0, 0));
    books.assert_verified().await
}

async fn duplicates_within_and_across_batches(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let alice = books.user("alice").await?;
    let sys = books.system;
    let ledger = &books.stores.ledger;
    let t = transfer("dep_1", sys, alice, 500)?;
    let h = hold("h1", alice, sys, 200)?;
    let r = ledger.execute(&[t.clone(), t.clone(), h.clone(), h.clone()]).await?;
    assert!(is_posted(&r[0]) && matches!(r[2], Ok(Outcome::Held { .. })), "{r:?}");
    assert_eq!((&r[1], &r[3]), (&Ok(Outcome::Duplicate), &Ok(Outcome::Duplicate)));

    let r = ledger.execute(&[t.clone(), h.clone(), post("h1"), post("h1")]).await?;
    assert_eq!((&r[0], &r[1], &r[3]), (&Ok(Outcome::Duplicate), &Ok(Outcome::Duplicate), &Ok(Outcome::Duplicate)));
    assert!(is_posted(&r[2]), "{r:?}");
    // A replayed hold whose reference was posted is still a duplicate, not a new hold.
    let r = ledger.execute(&[h, t]).await?;
    assert_eq!(r, vec![Ok(Outcome::Duplicate), Ok(Outcome::Duplicate)]);
    assert_eq!(books.balances("alice").await?, (300, 0, 0));
    books.assert_verified().await
}

/// Backends plan a batch trusting the unique index on journal references; when the journals
/// insert finds one taken they roll the attempt back and run the batch again, looking every
/// reference up. Nothing of the first attempt may survive: the new commands post once, with
/// one history row each, and the replay is a duplicate, even one the plan would refuse.
async fn a_replay_among_new_commands_leaves_one_copy_of_each(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let (alice, bob) = (books.user("alice").await?, books.user("bob").await?);
    let (ledger, app) = (&books.stores.ledger, &books.stores.app);
    let deposit = transfer("dep_1", books.system, alice, 1_000)?;
    assert!(is_posted(&ledger.execute(std::slice::from_ref(&deposit)).await?[0]));
    let with_line = |reference: &str, amount: i64, line_id: &str| -> crate::common::R<Command> {
        let mut t = transfer(reference, alice, bob, amount)?;
        if let Command::Transfer(t) = &mut t {
            t.lines.push(line(line_id, "alice", "transfer_out", "succeeded", 10));
        }
        Ok(t)
    };
    let batch = [with_line("tr_1", 100, "txn_1")?, deposit, with_line("tr_2", 50, "txn_2")?];
    let r = ledger.execute(&batch).await?;
    assert!(is_posted(&r[0]) && is_posted(&r[2]), "{r:?}");
    assert_eq!(r[1], Ok(Outcome::Duplicate));
    assert_eq!(books.balances("alice").await?, (850, 0, 0));
    assert_eq!(books.balances("bob").await?, (150, 0, 0));
    for id in ["txn_1", "txn_2"] {
        let l = app.line("alice", id).await?.ok_or(format!("{id} missing"))?;
        assert_eq!(l.status_history.len(), 1, "{id}: {:?}", l.status_history);
    }
    // A replay the plan alone would refuse (more than alice now has) writes no journal for the
    // index to catch: it must still be a duplicate, not insufficient funds.
    let r = ledger.execute(&[transfer("tr_1", alice, bob, 10_000)?]).await?;
    assert_eq!(r, vec![Ok(Outcome::Duplicate)]);
    let report = ledger.verify().await?;
    assert_eq!(report.journals, 3, "the deposit and two transfers, once each");
    books.assert_verified().await
}

async fn rejected_commands_leave_the_rest_of_the_batch(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let (alice, bob) = (books.user("alice").await?, books.user("bob").await?);
    let euro = books.stores.ledger.open_account("carol", Currency::Eur, AccountKind::User).await?;
    let sys = books.system;
    let cmds = vec![
        transfer("dep_1", sys, alice, 100)?,
        transfer("tr_big", alice, bob, 500)?,
        transfer("tr_ok", alice, bob, 60)?,
        transfer("tr_ghost", alice, AccountId(999_999), 1)?,
        transfer("tr_self", alice, alice, 1)?,
        transfer("tr_eur", alice, euro, 1)?,
        Command::Transfer(Transfer {
            reference: "tr_nolegs".into(),
            kind: "transfer".into(),
            currency: Currency::Usd,
            legs: vec![],
            lines: vec![line("txn_nolegs", "alice", "transfer_out", "succeeded", 1)],
        }),
        transfer("tr_ok2", alice, bob, 40)?,
    ];
    let r = books.stores.ledger.execute(&cmds).await?;
    assert!(is_posted(&r[0]) && is_posted(&r[2]) && is_posted(&r[7]), "{r:?}");
    assert_eq!(r[1], Err(Rejection::InsufficientFunds(alice)));
    assert_eq!(r[3], Err(Rejection::AccountNotFound(AccountId(999_999))));
    assert_eq!(r[4], Err(Rejection::SameAccount));
    assert_eq!(r[5], Err(Rejection::CurrencyMismatch(euro)));
    assert_eq!(r[6], Err(Rejection::BadLegCount));
    assert_eq!(books.balances("alice").await?, (0, 0, 0));
    assert_eq!(books.balances("bob").await?, (100, 0, 0));
    // A rejected command wrote nothing: not its journal, not its statement line.
    assert!(books.stores.app.line("alice", "txn_nolegs").await?.is_none());
    let r = books.stores.ledger.execute(&[transfer("tr_big", bob, alice, 100)?]).await?;
    assert!(is_posted(&r[0]), "a refused reference can be used again: {r:?}");
    books.assert_verified().await
}

async fn full_batch_in_one_transaction(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let users = 10;
    let mut accounts = Vec::new();
    for i in 0..users {
        accounts.push(books.user(&format!("u{i}")).await?);
    }
    let half = okpay_ledger::WriterConfig::default().max_batch / 2;
    let mut cmds = Vec::with_capacity(half * 2);
    for i in 0..half {
        cmds.push(transfer(&format!("dep_{i}"), books.system, accounts[i % users], 10)?);
    }
    for i in 0..half {
        let mut t = transfer(&format!("tr_{i}"), accounts[i % users], accounts[(i + 1) % users], 7)?;
        if let Command::Transfer(t) = &mut t {
            t.lines.push(line(&format!("txn_{i:05}"), &format!("u{}", i % users), "transfer_out", "succeeded", 1));
        }
        cmds.push(t);
    }
    let started = std::time::Instant::now();
    let r = books.stores.ledger.execute(&cmds).await?;
    eprintln!("{b:?}: {} commands in one batch took {:?}", cmds.len(), started.elapsed());
    assert!(r.iter().all(is_posted), "{:?}", r.iter().find(|r| !is_posted(r)));
    let mut total = 0;
    for i in 0..users {
        total += books.balances(&format!("u{i}")).await?.0;
    }
    assert_eq!(total, 10 * half as i64, "transfers between users cancel out");
    assert_eq!(books.balances("system:clearing").await?.0, -total);
    let page = books.stores.app.lines("u0", &Default::default(), None, 5).await?;
    assert_eq!(page.len(), 5);
    books.assert_verified().await
}

async fn accounts_open_once(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let ledger = books.stores.ledger.clone();
    let first = books.user("alice").await?;
    assert_eq!(books.user("alice").await?, first);
    let racers: Vec<_> = (0..16)
        .map(|_| {
            let ledger = ledger.clone();
            tokio::spawn(async move { ledger.open_account("dave", Currency::Jpy, AccountKind::User).await })
        })
        .collect();
    let mut ids = Vec::new();
    for r in racers {
        ids.push(r.await??);
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "every racer gets the same account");
    for c in [Currency::Usd, Currency::Eur, Currency::Cny] {
        ledger.open_account("erin", c, AccountKind::User).await?;
    }
    let codes: Vec<_> = ledger.accounts_of("erin").await?.iter().map(|a| a.currency.code()).collect();
    assert_eq!(codes, ["cny", "eur", "usd"]);
    assert!(ledger.accounts_of("nobody").await?.is_empty());
    Ok(())
}

async fn verify_reports_every_invariant(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let alice = books.user("alice").await?;
    books.stores.ledger.execute(&[transfer("dep_1", books.system, alice, 5)?]).await?;
    let report = books.stores.ledger.verify().await?;
    let names: Vec<_> = report.checks.iter().map(|c| (c.name, c.description)).collect();
    assert_eq!(names, INVARIANTS.to_vec());
    assert_eq!((report.journals, report.accounts), (1, 2));
    assert!(report.is_ok(), "{report:?}");
    Ok(())
}

async fn statement_lines_follow_the_money(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let (alice, bob) = (books.user("alice").await?, books.user("bob").await?);
    let sys = books.system;
    let (ledger, app) = (&books.stores.ledger, &books.stores.app);
    let mut t = transfer("tr_1", sys, alice, 1_000)?;
    if let Command::Transfer(t) = &mut t {
        t.lines.push(line("txn_a", "alice", "deposit", "succeeded", 10));
    }
    let mut h = hold("wd_1", alice, sys, 400)?;
    let mut h2 = hold("wd_2", alice, bob, 100)?;
    if let (Command::Hold(h), Command::Hold(h2)) = (&mut h, &mut h2) {
        h.lines.push(line("txn_w1", "alice", "withdrawal", "pending", 20));
        h2.lines.push(line("txn_w2", "alice", "withdrawal", "pending", 21));
    }
    ledger.execute(&[t, h, h2]).await?;
    let settle = |hold: &str, updates| Resolve { hold_reference: hold.to_owned(), updates };
    let r = ledger
        .execute(&[
            Command::Post(settle("wd_1", vec![update("txn_w1", "processing", 30), update("txn_w1", "succeeded", 31)])),
            Command::Void(settle("wd_2", vec![update("txn_w2", "failed", 32), update("txn_missing", "failed", 32)])),
        ])
        .await?;
    assert!(is_posted(&r[0]) && matches!(r[1], Ok(Outcome::Voided { .. })), "{r:?}");
    let w1 = app.line("alice", "txn_w1").await?.ok_or("txn_w1 missing")?;
    assert_eq!(w1.line.status, "succeeded");
    let history = [("pending", 20), ("processing", 30), ("succeeded", 31)].map(|(s, t)| (s.to_owned(), t));
    assert_eq!(w1.status_history, history.to_vec());
    let w2 = app.line("alice", "txn_w2").await?.ok_or("txn_w2 missing")?;
    assert_eq!(w2.status_history, vec![("pending".to_owned(), 21), ("failed".to_owned(), 32)]);
    assert_eq!(w2.line, line("txn_w2", "alice", "withdrawal", "failed", 21));
    assert!(app.line("bob", "txn_w2").await?.is_none(), "another owner's row is invisible");
    // Created and settled in one batch; and a reused line id keeps the first row without
    // failing the batch.
    let mut h3 = hold("wd_3", alice, sys, 50)?;
    let mut t2 = transfer("tr_2", sys, alice, 5)?;
    if let (Command::Hold(h3), Command::Transfer(t2)) = (&mut h3, &mut t2) {
        h3.lines.push(line("txn_w3", "alice", "withdrawal", "pending", 40));
        t2.lines.push(line("txn_a", "alice", "deposit", "pending", 41));
    }
    let post3 = Command::Post(settle("wd_3", vec![update("txn_w3", "succeeded", 42)]));
    let r = ledger.execute(&[h3, post3, t2]).await?;
    assert!(r.iter().skip(1).all(is_posted), "{r:?}");
    let w3 = app.line("alice", "txn_w3").await?.ok_or("txn_w3 missing")?;
    assert_eq!(w3.status_history, vec![("pending".to_owned(), 40), ("succeeded".to_owned(), 42)]);
    let a = app.line("alice", "txn_a").await?.ok_or("txn_a missing")?;
    assert_eq!((a.line.status.as_str(), a.line.created_at_us), ("succeeded", 10));
    let by_source = app.line_by_source("alice", "src_txn_a").await?.ok_or("by source")?;
    assert_eq!(by_source.id, "txn_a");
    assert_eq!(books.balances("alice").await?, (555, 0, 0));
    books.assert_verified().await
}
