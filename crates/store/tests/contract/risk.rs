//! The risk reads: first-time recipients within a window, the last amounts a payment is
//! compared with, and the limit usage.

use okpay_app::ports::{RiskInputs, RiskQuery, Scope};
use okpay_domain::Currency;
use okpay_store::testing::TestBackend;

use crate::common::{Books, TestResult, contract, line};

contract!(new_recipients_are_those_first_paid_inside_the_window);

async fn new_recipients_are_those_first_paid_inside_the_window(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let s = &books.stores.app;
    let window = 10_000;
    let rows = [
        ("t1", "transfer_out", "succeeded", "old@example.com", 5_000), // paid before the window
        ("t2", "transfer_out", "succeeded", "old@example.com", 11_000), // ... and again inside it
        ("t3", "transfer_out", "succeeded", "new@example.com", 12_000), // first paid inside it
        ("t4", "transfer_out", "succeeded", "new@example.com", 13_000), // counted once
        ("t5", "transfer_out", "failed", "tried@example.com", 14_000), // failed: paid nobody
        ("t6", "transfer_in", "succeeded", "payer@example.com", 15_000), // incoming
        ("t7", "transfer_out", "succeeded", "second@example.com", 16_000),
    ];
    for (id, kind, status, to, at) in rows {
        let mut l = line(id, "alice", kind, status, at);
        l.counterparty = Some(to.to_owned());
        s.insert_line(&l).await?;
    }
    let mut bob = line("t8", "bob", "transfer_out", "succeeded", 12_000);
    bob.counterparty = Some("someone@example.com".to_owned());
    s.insert_line(&bob).await?;
    assert_eq!(s.new_recipients_since("alice", window).await?, 2, "new@ and second@");
    assert_eq!(s.new_recipients_since("alice", 0).await?, 3, "every recipient is new in a window covering all");
    assert_eq!(s.new_recipients_since("alice", 20_000).await?, 0);
    assert_eq!(s.new_recipients_since("carol", 0).await?, 0);

    // "First" means first ever: a recipient paid long ago, before 250 other transfers, is not
    // new when paid again inside the window.
    let mut l = line("d0", "dave", "transfer_out", "succeeded", 1_000);
    l.counterparty = Some("long-ago@example.com".to_owned());
    s.insert_line(&l).await?;
    for i in 0..250 {
        let mut l = line(&format!("d{}", i + 1), "dave", "transfer_out", "succeeded", 2_000 + i);
        l.counterparty = Some("regular@example.com".to_owned());
        s.insert_line(&l).await?;
    }
    let mut again = line("d251", "dave", "transfer_out", "succeeded", 12_000);
    again.counterparty = Some("long-ago@example.com".to_owned());
    s.insert_line(&again).await?;
    assert_eq!(s.new_recipients_since("dave", window).await?, 0, "both paid before the window");
    // Rows written out of time order (batches commit in any order): the earliest one counts.
    let mut late = line("e1", "erin", "transfer_out", "succeeded", 15_000);
    late.counterparty = Some("x@example.com".to_owned());
    s.insert_line(&late).await?;
    assert_eq!(s.new_recipients_since("erin", window).await?, 1);
    let mut early = line("e2", "erin", "transfer_out", "succeeded", 5_000);
    early.counterparty = Some("x@example.com".to_owned());
    s.insert_line(&early).await?;
    assert_eq!(s.new_recipients_since("erin", window).await?, 0, "first paid before the window");
    assert_eq!(s.new_recipients_since("erin", 0).await?, 1);
    Ok(())
}

contract!(recent_amounts_are_the_newest_succeeded_rows_of_the_scope);

async fn recent_amounts_are_the_newest_succeeded_rows_of_the_scope(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let s = &books.stores.app;
    // (id, owner, kind, status, currency, amount, at): amounts tell the rows apart.
    let rows = [
        ("r1", "alice", "transfer_out", "succeeded", Currency::Usd, 1, 1_000),
        ("r2", "alice", "payment", "paid", Currency::Usd, 2, 2_000),
        ("r3", "alice", "transfer_out", "succeeded", Currency::Usd, 3, 3_000),
        ("r4", "alice", "payment", "paid", Currency::Usd, 4, 4_000),
        ("r5", "alice", "transfer_out", "failed", Currency::Usd, 5, 5_000), // failed
        ("r6", "alice", "payment", "paid", Currency::Eur, 6, 6_000),        // other currency
        ("r7", "alice", "transfer_in", "succeeded", Currency::Usd, 7, 7_000), // incoming
        ("r8", "bob", "transfer_out", "succeeded", Currency::Usd, 8, 8_000), // someone else
        ("r9", "alice", "payment", "paid", Currency::Usd, 9, 9_000),
        ("r10", "alice", "transfer_out", "succeeded", Currency::Usd, 10, 10_000), // not before
    ];
    for (id, owner, kind, status, currency, amount, at) in rows {
        let mut l = line(id, owner, kind, status, at);
        (l.currency, l.amount_minor) = (currency, amount);
        s.insert_line(&l).await?;
    }
    let both = Scope { owner: "alice", currency: Currency::Usd, kinds: &["transfer_out", "payment"] };
    assert_eq!(s.recent_amounts(both, 10_000, 3).await?, [9, 4, 3], "newest first, both kinds");
    assert_eq!(s.recent_amounts(both, 10_000, 20).await?, [9, 4, 3, 2, 1]);
    assert_eq!(s.recent_amounts(both, 10_001, 1).await?, [10]);
    // One kind: each row once, although the query reads "both" kinds.
    let one = Scope { owner: "alice", currency: Currency::Usd, kinds: &["payment"] };
    assert_eq!(s.recent_amounts(one, 10_000, 20).await?, [9, 4, 2]);
    let none = Scope { owner: "carol", currency: Currency::Usd, kinds: &["payment"] };
    assert!(s.recent_amounts(none, 10_000, 20).await?.is_empty());
    Ok(())
}

contract!(usage_counts_the_rows_of_the_day_and_month_that_did_not_fail);

async fn usage_counts_the_rows_of_the_day_and_month_that_did_not_fail(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let s = &books.stores.app;
    const DAY: i64 = 86_400_000_000;
    // 2026-11-01 00:00 UTC is day 20,393 since the epoch; "today" is the 22nd.
    let (month, today) = (20_393 * DAY, 20_414 * DAY);
    // (id, owner, kind, status, currency, amount, at): the amounts are powers of two, so each
    // total tells which rows it counted.
    let rows = [
        ("u1", "alice", "transfer_out", "succeeded", Currency::Usd, 1, today + 5),
        ("u2", "alice", "payment", "paid", Currency::Usd, 2, today + DAY - 1), // last µs of today
        ("u3", "alice", "transfer_out", "succeeded", Currency::Usd, 4, month + 3 * DAY), // earlier this month
        ("u4", "alice", "transfer_out", "failed", Currency::Usd, 8, today + 6), // failed: not counted
        ("u5", "alice", "transfer_out", "succeeded", Currency::Usd, 16, month - 1), // last month
        ("u6", "alice", "transfer_out", "succeeded", Currency::Eur, 32, today + 7), // other currency
        ("u7", "alice", "transfer_in", "succeeded", Currency::Usd, 64, today + 8), // incoming
        ("u8", "bob", "transfer_out", "succeeded", Currency::Usd, 128, today + 9), // someone else
        ("u9", "alice", "withdrawal", "processing", Currency::Usd, 256, today + 10), // another movement
        ("u10", "alice", "transfer_out", "succeeded", Currency::Usd, 512, month), // first µs of the month
    ];
    for (id, owner, kind, status, currency, amount, at) in rows {
        let mut l = line(id, owner, kind, status, at);
        (l.currency, l.amount_minor) = (currency, amount);
        s.insert_line(&l).await?;
    }
    // Inserting a row again changes nothing (the batch's inserts are idempotent).
    let mut again = line("u1", "alice", "transfer_out", "succeeded", today + 5);
    again.amount_minor = 1;
    s.insert_line(&again).await?;
    let transfers = |owner| Scope { owner, currency: Currency::Usd, kinds: &["transfer_out", "payment"] };
    let withdrawals = Scope { owner: "alice", currency: Currency::Usd, kinds: &["withdrawal"] };
    assert_eq!(s.usage(transfers("alice"), today, month).await?, (1 + 2, 1 + 2 + 4 + 512));
    assert_eq!(s.usage(transfers("bob"), today, month).await?, (128, 128));
    assert_eq!(s.usage(transfers("carol"), today, month).await?, (0, 0));
    assert_eq!(s.usage(withdrawals, today, month).await?, (256, 256));
    // Bounds that are not midnights are answered too (from the rows).
    assert_eq!(s.usage(transfers("alice"), today + 6, month + 1).await?, (2, 1 + 2 + 4));

    // A row that fails later stops counting; one that comes back counts again.
    books.raw("UPDATE transactions SET status = 'failed' WHERE id = 'u9'").await?;
    books.raw("UPDATE transactions SET status = 'canceled' WHERE id = 'u3'").await?;
    books.raw("UPDATE transactions SET status = 'succeeded' WHERE id = 'u4'").await?;
    // A change between two counted statuses moves nothing.
    books.raw("UPDATE transactions SET status = 'refunded' WHERE id = 'u2'").await?;
    assert_eq!(s.usage(transfers("alice"), today, month).await?, (1 + 2 + 8, 1 + 2 + 8 + 512));
    assert_eq!(s.usage(withdrawals, today, month).await?, (0, 0));

    // One statement moving several rows, some across the line and some not (the ledger
    // batch changes statuses this way): u10 stops counting, u4 and u3 swap, u1 stays.
    let changed = books
        .raw(
            "UPDATE transactions SET status = CASE id WHEN 'u10' THEN 'failed' WHEN 'u4' THEN 'canceled'
                                                  WHEN 'u3' THEN 'succeeded' ELSE 'refunded' END
             WHERE id IN ('u10', 'u4', 'u3', 'u1')",
        )
        .await?;
    assert_eq!(changed, 4);
    assert_eq!(s.usage(transfers("alice"), today, month).await?, (1 + 2, 1 + 2 + 4));
    // Several rows in one insert statement (as the ledger batch writes them), one of them a
    // repeat that is not inserted again.
    books
        .raw(&format!(
            "INSERT INTO transactions (id, owner, kind, amount_minor, fee_minor, currency, status, initial_status,
                                       source_id, created_at_us)
             VALUES ('u11', 'alice', 'transfer_out', 1024, 0, 'usd', 'succeeded', 'succeeded', 's', {at}),
                    ('u12', 'alice', 'payment', 2048, 0, 'usd', 'paid', 'paid', 's', {at}),
                    ('u13', 'alice', 'transfer_out', 4096, 0, 'usd', 'failed', 'failed', 's', {at})
             ON CONFLICT (id) DO NOTHING",
            at = today + 11
        ))
        .await?;
    books
        .raw(&format!(
            "INSERT INTO transactions (id, owner, kind, amount_minor, fee_minor, currency, status, initial_status,
                                       source_id, created_at_us)
             VALUES ('u11', 'alice', 'transfer_out', 1024, 0, 'usd', 'succeeded', 'succeeded', 's', {at}),
                    ('u14', 'alice', 'transfer_out', 8192, 0, 'usd', 'succeeded', 'succeeded', 's', {at})
             ON CONFLICT (id) DO NOTHING",
            at = today + 12
        ))
        .await?;
    let expected = (1 + 2 + 1024 + 2048 + 8192, 1 + 2 + 4 + 1024 + 2048 + 8192);
    assert_eq!(s.usage(transfers("alice"), today, month).await?, expected);

    // The per-day totals rely on rows keeping their amounts and staying: the database refuses
    // both.
    assert!(books.raw("UPDATE transactions SET amount_minor = 9 WHERE id = 'u1'").await.is_err());
    assert!(books.raw("UPDATE transactions SET created_at_us = 1 WHERE id = 'u1'").await.is_err());
    assert!(books.raw("UPDATE transactions SET owner = 'bob' WHERE id = 'u1'").await.is_err());
    assert!(books.raw("DELETE FROM transactions WHERE id = 'u1'").await.is_err());
    // Changing only what is not counted still works.
    assert_eq!(books.raw("UPDATE transactions SET details = '{}' WHERE id = 'u1'").await?, 1);
    assert_eq!(s.usage(transfers("alice"), today, month).await?, expected);
    Ok(())
}

contract!(risk_inputs_answer_many_rows_as_the_single_reads_do);

async fn risk_inputs_answer_many_rows_as_the_single_reads_do(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let s = &books.stores.app;
    // (id, owner, kind, status, counterparty, amount, at)
    let rows = [
        ("i1", "alice", "transfer_out", "succeeded", "x@example.com", 10, 1_000),
        ("i2", "alice", "payment", "paid", "shop@example.com", 20, 2_000),
        ("i3", "alice", "transfer_out", "succeeded", "y@example.com", 30, 3_000),
        ("i4", "alice", "withdrawal", "succeeded", "bank", 40, 4_000),
        ("i5", "bob", "transfer_out", "succeeded", "x@example.com", 50, 5_000),
        ("i6", "bob", "transfer_out", "failed", "z@example.com", 60, 6_000),
    ];
    for (id, owner, kind, status, to, amount, at) in rows {
        let mut l = line(id, owner, kind, status, at);
        (l.counterparty, l.amount_minor) = (Some(to.to_owned()), amount);
        s.insert_line(&l).await?;
    }
    let transfers: &'static [&'static str] = &["transfer_out", "payment"];
    let withdrawals: &'static [&'static str] = &["withdrawal"];
    let query = |owner: &str, recent: Option<&'static [&'static str]>, before_us, since: Option<i64>| RiskQuery {
        owner: owner.to_owned(),
        recent: recent.map(|kinds| (Currency::Usd, kinds)),
        before_us,
        recipients_since_us: since,
    };
    let queries = [
        query("alice", Some(transfers), 3_000, Some(2_500)),
        query("alice", Some(transfers), 10_000, None),
        query("alice", None, 10_000, Some(0)),
        query("alice", Some(withdrawals), 10_000, None),
        query("bob", Some(transfers), 10_000, Some(0)),
        query("carol", Some(transfers), 10_000, Some(0)),
        query("alice", Some(transfers), 3_000, Some(2_500)), // the same row twice
    ];
    let answers = s.risk_inputs(&queries, 2).await?;
    let inputs = |recent: &[i64], new_recipients| RiskInputs { recent: recent.to_vec(), new_recipients };
    let expected = [
        inputs(&[20, 10], 1),
        inputs(&[30, 20], 0),
        inputs(&[], 2),
        inputs(&[40], 0),
        inputs(&[50], 1),
        inputs(&[], 0),
        inputs(&[20, 10], 1),
    ];
    assert_eq!(answers, expected);
    // The same as the reads one by one.
    for (q, answer) in queries.iter().zip(&answers) {
        if let Some((currency, kinds)) = q.recent {
            let one = s.recent_amounts(Scope { owner: &q.owner, currency, kinds }, q.before_us, 2).await?;
            assert_eq!(one, answer.recent, "{q:?}");
        }
        if let Some(since) = q.recipients_since_us {
            assert_eq!(s.new_recipients_since(&q.owner, since).await?, answer.new_recipients, "{q:?}");
        }
    }
    assert!(s.risk_inputs(&[], 2).await?.is_empty(), "no rows, no answers");
    Ok(())
}
