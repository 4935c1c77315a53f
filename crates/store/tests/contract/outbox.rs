//! The mail outbox: claims lease rows, retries wait, sent rows lose their bodies, failures count.

use okpay_app::ports::{NoticeDone, OutboxCounts, OutboxMail};
use okpay_store::testing::TestBackend;

use crate::common::{Books, TestResult, contract};

contract!(
    outbox_claims_retries_and_fails,
    concurrent_claims_are_disjoint,
    a_notice_is_mailed_once,
    a_notice_mail_queued_claimed_waits_for_its_lease
);

fn mail(id: &str, at: i64) -> OutboxMail {
    OutboxMail {
        id: id.to_owned(),
        to: "ann@example.com".to_owned(),
        kind: "verify_email".to_owned(),
        subject: "Confirm".to_owned(),
        text: "token=secret".to_owned(),
        html: "<p>token=secret</p>".to_owned(),
        attempts: 0,
        created_at_us: at,
    }
}

async fn outbox_claims_retries_and_fails(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let s = &books.stores.app;
    s.enqueue_mail(&mail("mail_a", 100)).await?;
    s.enqueue_mail(&mail("mail_b", 200)).await?;
    assert_eq!(s.mail_counts().await?, OutboxCounts { pending: 2, failed: 0 });
    assert!(s.claim_mails(50, 1_000, 10).await?.is_empty(), "nothing due before it was queued");
    let claimed = s.claim_mails(150, 1_000, 10).await?;
    assert_eq!(claimed.len(), 1);
    assert_eq!((claimed[0].id.as_str(), claimed[0].attempts), ("mail_a", 1));
    assert_eq!(claimed[0].text, "token=secret");
    // Leased: not claimable again until the lease ends, even though b is due now.
    let again = s.claim_mails(300, 1_000, 10).await?;
    assert_eq!(again.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["mail_b"]);
    assert!(s.claim_mails(999, 2_000, 10).await?.is_empty());
    // a fails and is retried later; after the lease a crashed claim of b is claimable again.
    s.mail_retry_at("mail_a", 5_000, "connection refused").await?;
    let after_lease = s.claim_mails(1_000, 3_000, 10).await?;
    assert_eq!(after_lease.iter().map(|m| (m.id.as_str(), m.attempts)).collect::<Vec<_>>(), [("mail_b", 2)]);
    s.mails_sent(&["mail_b".to_owned()], 1_100).await?;
    let retried = s.claim_mails(5_000, 6_000, 10).await?;
    assert_eq!(retried.iter().map(|m| (m.id.as_str(), m.attempts)).collect::<Vec<_>>(), [("mail_a", 2)]);
    s.mail_failed("mail_a", &"x".repeat(2_000), 5_100).await?;
    assert_eq!(s.mail_counts().await?, OutboxCounts { pending: 0, failed: 1 });
    assert!(s.claim_mails(i64::MAX / 2, i64::MAX / 2, 10).await?.is_empty(), "sent and failed rows stay put");
    // A late "sent" from a worker whose lease ran out does not resurrect a failed row.
    s.mails_sent(&["mail_a".to_owned(), "mail_nope".to_owned()], 6_000).await?;
    s.mails_sent(&[], 6_000).await?;
    assert_eq!(s.mail_counts().await?.failed, 1);
    let blanked = books.raw("UPDATE mail_outbox SET kind = kind WHERE status = 'sent' AND text_body = ''").await?;
    assert_eq!(blanked, 1, "a sent row keeps no body (no tokens linger)");
    Ok(())
}

async fn concurrent_claims_are_disjoint(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let s = books.stores.app.clone();
    for i in 0..40 {
        s.enqueue_mail(&mail(&format!("mail_{i:02}"), 10)).await?;
    }
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move { s.claim_mails(100, 10_000, 7).await }));
    }
    let mut ids = Vec::new();
    for t in tasks {
        ids.extend(t.await??.into_iter().map(|m| m.id));
    }
    let total = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), total, "no row claimed twice");
    assert_eq!(total, 28, "each claim took its full batch");
    Ok(())
}

/// A transfer's two history rows (`txn_1` of `usr_a`, `txn_2` of `usr_b`), each with a queued
/// notice, `txn_2`'s the older.
async fn two_notices(books: &Books) -> TestResult {
    books
        .raw(
            "INSERT INTO transactions (id, owner, kind, amount_minor, fee_minor, currency, status, initial_status,
                                       source_id, created_at_us)
             VALUES ('txn_1', 'usr_a', 'transfer_in', 5, 0, 'usd', 'succeeded', 'succeeded', 'tr_1', 10),
                    ('txn_2', 'usr_b', 'transfer_out', 5, 0, 'usd', 'succeeded', 'succeeded', 'tr_1', 10)",
        )
        .await?;
    books.raw("INSERT INTO line_notices (txn_id, queued_at_us) VALUES ('txn_2', 20), ('txn_1', 30)").await?;
    Ok(())
}

async fn a_notice_is_mailed_once(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let s = &books.stores.app;
    two_notices(&books).await?;
    let due = s.due_notices(10).await?;
    assert_eq!(due.iter().map(|l| l.id.as_str()).collect::<Vec<_>>(), ["txn_2", "txn_1"], "oldest first");
    let done = [
        NoticeDone { txn_id: "txn_2".to_owned(), mail: Some(mail("mail_2", 40)) },
        NoticeDone { txn_id: "txn_1".to_owned(), mail: None },
    ];
    assert_eq!(s.finish_notices(&done, None).await?, ["mail_2"], "one mail queued (the other owner is gone)");
    assert!(s.due_notices(10).await?.is_empty(), "both notices removed");
    assert_eq!(s.mail_counts().await?, OutboxCounts { pending: 1, failed: 0 });
    let claimed = s.claim_mails(40, 1_000, 10).await?;
    assert_eq!(claimed.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["mail_2"], "due at its creation time");
    // A second worker finishing the same round (it read the notices first) queues nothing.
    assert!(s.finish_notices(&done, None).await?.is_empty());
    assert_eq!(s.mail_counts().await?.pending, 1);
    assert!(s.finish_notices(&[], None).await?.is_empty());
    Ok(())
}

async fn a_notice_mail_queued_claimed_waits_for_its_lease(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let s = &books.stores.app;
    two_notices(&books).await?;
    let handed = OutboxMail { attempts: 1, ..mail("mail_1", 40) };
    let done = [NoticeDone { txn_id: "txn_1".to_owned(), mail: Some(handed) }];
    assert_eq!(s.finish_notices(&done, Some(1_000)).await?, ["mail_1"]);
    assert_eq!(s.mail_counts().await?.pending, 1, "pending until sent");
    assert!(s.claim_mails(999, 5_000, 10).await?.is_empty(), "leased to the worker it was handed to");
    let claimed = s.claim_mails(1_000, 5_000, 10).await?;
    assert_eq!(claimed.len(), 1, "claimed by any worker once the lease ends");
    assert_eq!(claimed[0].attempts, 2, "the hand-over counted the first attempt");
    // The worker it was handed to sends it: the row is done either way.
    s.mails_sent(&["mail_1".to_owned()], 1_100).await?;
    assert_eq!(s.mail_counts().await?.pending, 0);
    Ok(())
}
