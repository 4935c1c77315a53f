//! The risk reads: first-time recipients within a window, judged on the owner's recent transfers.

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
    Ok(())
}
