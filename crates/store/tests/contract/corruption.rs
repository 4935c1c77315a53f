//! The database's own guarantees, and `verify()` noticing books changed behind the ledger's back.

use okpay_store::testing::TestBackend;

use crate::common::{Books, TestResult, contract, hold, line, transfer};

contract!(
    database_refuses_to_overdraw_a_user,
    verify_detects_tampering,
    verify_detects_doubled_postings,
    verify_detects_derived_tables_out_of_step,
);

async fn database_refuses_to_overdraw_a_user(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let alice = books.user("alice").await?;
    books.stores.ledger.execute(&[transfer("dep_1", books.system, alice, 100)?]).await?;
    // Even code that skipped the ledger's rules cannot take a wallet below zero.
    let overdraw = books.raw("UPDATE accounts SET balance = balance - 101 WHERE owner = 'alice'").await;
    assert!(overdraw.is_err(), "the CHECK constraint must refuse: {overdraw:?}");
    let overhold = books.raw("UPDATE accounts SET debits_pending = 101 WHERE owner = 'alice'").await;
    assert!(overhold.is_err(), "holds count against the balance too: {overhold:?}");
    let negative = books.raw("UPDATE accounts SET credits_pending = -1 WHERE owner = 'alice'").await;
    assert!(negative.is_err(), "pending amounts are never negative: {negative:?}");
    // System accounts are the other side of the books and may go negative.
    assert_eq!(books.raw("UPDATE accounts SET balance = balance - 1 WHERE owner = 'system:clearing'").await?, 1);
    assert_eq!(books.raw("UPDATE accounts SET balance = balance + 1 WHERE owner = 'system:clearing'").await?, 1);
    assert_eq!(books.balances("alice").await?, (100, 0, 0));
    books.assert_verified().await
}

async fn verify_detects_tampering(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let (alice, sys) = (books.user("alice").await?, books.system);
    let ledger = &books.stores.ledger;
    ledger.execute(&[transfer("dep_1", sys, alice, 100)?, hold("h1", alice, sys, 30)?]).await?;
    books.assert_verified().await?;

    books.raw("UPDATE accounts SET balance = balance + 5 WHERE owner = 'alice'").await?;
    let report = ledger.verify().await?;
    assert_eq!(report.failures(), vec!["balances_match_postings", "currency_totals_zero"]);
    let check = &report.checks[2];
    assert_eq!((check.violations, check.examples.len()), (1, 1));
    assert!(check.examples[0].contains("alice"), "{:?}", check.examples);
    books.raw("UPDATE accounts SET balance = balance - 5 WHERE owner = 'alice'").await?;
    books.assert_verified().await?;

    books.raw("UPDATE holds SET status = 'voided' WHERE reference = 'h1'").await?;
    assert_eq!(ledger.verify().await?.failures(), vec!["pending_matches_holds"]);
    books.raw("UPDATE holds SET status = 'posted' WHERE reference = 'h1'").await?;
    assert_eq!(ledger.verify().await?.failures(), vec!["pending_matches_holds", "holds_resolved_once"]);
    books.raw("UPDATE holds SET status = 'pending' WHERE reference = 'h1'").await?;

    // No foreign keys on the batch's rows (migration 0025): verify proves the references.
    books.raw("UPDATE postings SET account_id = 999999 WHERE amount > 0").await?;
    let report = ledger.verify().await?;
    assert_eq!(report.failures(), vec!["balances_match_postings", "references_exist"]);
    let check = &report.checks[7];
    assert_eq!(check.violations, 1);
    assert!(check.examples[0].contains("missing account 999999"), "{:?}", check.examples);
    books.raw(&format!("UPDATE postings SET account_id = {} WHERE amount > 0", alice.0)).await?;
    books.assert_verified().await?;
    books.raw("UPDATE journals SET hold_id = 424242 WHERE reference = 'dep_1'").await?;
    let report = ledger.verify().await?;
    assert_eq!(report.failures(), vec!["references_exist"]);
    assert!(report.checks[7].examples[0].contains("missing hold 424242"), "{:?}", report.checks[7].examples);
    books.raw("UPDATE journals SET hold_id = NULL WHERE reference = 'dep_1'").await?;
    books.raw("DELETE FROM journals WHERE reference = 'dep_1'").await?;
    let report = ledger.verify().await?;
    assert!(report.failures().contains(&"references_exist"), "{:?}", report.failures());
    assert!(report.checks[7].examples[0].contains("missing journal"), "{:?}", report.checks[7].examples);
    Ok(())
}

/// The tables the triggers derive from history (limit usage per day, first payments) are
/// proved by verify: a total or a first-payment time changed behind the triggers' back, or a
/// row of either missing, is named.
async fn verify_detects_derived_tables_out_of_step(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let s = &books.stores.app;
    let mut out = line("l1", "alice", "transfer_out", "succeeded", 5_000);
    out.counterparty = Some("bob@example.com".to_owned());
    s.insert_line(&out).await?;
    s.insert_line(&line("l2", "alice", "deposit", "succeeded", 6_000)).await?;
    books.assert_verified().await?;
    let ledger = &books.stores.ledger;

    books.raw("UPDATE usage_days SET amount_minor = amount_minor + 1 WHERE kind = 'deposit'").await?;
    let report = ledger.verify().await?;
    assert_eq!(report.failures(), vec!["usage_totals_match_history"]);
    let check = &report.checks[8];
    assert_eq!(check.violations, 1);
    assert!(check.examples[0].contains("alice usd deposit on day 0: history 100, total 101"), "{:?}", check.examples);
    books.raw("UPDATE usage_days SET amount_minor = amount_minor - 1 WHERE kind = 'deposit'").await?;
    books.raw("DELETE FROM usage_days WHERE kind = 'transfer_out'").await?;
    assert_eq!(ledger.verify().await?.failures(), vec!["usage_totals_match_history"]);
    books.raw("INSERT INTO usage_days (owner, currency, kind, day, amount_minor) VALUES ('alice', 'usd', 'transfer_out', 0, 100)").await?;
    books.assert_verified().await?;

    books.raw("UPDATE first_payees SET first_paid_us = 7000").await?;
    let report = ledger.verify().await?;
    assert_eq!(report.failures(), vec!["first_payees_match_history"]);
    let example = &report.checks[9].examples[0];
    assert!(example.contains("from alice to bob@example.com: history 5000, first_payees 7000"), "{example}");
    books.raw("DELETE FROM first_payees").await?;
    assert_eq!(ledger.verify().await?.failures(), vec!["first_payees_match_history"]);
    assert!(ledger.verify().await?.checks[9].examples[0].contains("first_payees none"));
    Ok(())
}

async fn verify_detects_doubled_postings(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let (alice, sys) = (books.user("alice").await?, books.system);
    let ledger = &books.stores.ledger;
    ledger.execute(&[transfer("dep_1", sys, alice, 100)?]).await?;
    books.assert_verified().await?;
    books.raw("UPDATE postings SET amount = amount * 2 WHERE amount > 0").await?;
    let report = ledger.verify().await?;
    assert_eq!(report.failures(), vec!["journals_balance", "balances_match_postings"]);
    assert!(report.checks[0].examples[0].contains("dep_1"), "{:?}", report.checks[0].examples);
    Ok(())
}
