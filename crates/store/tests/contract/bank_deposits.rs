//! Pending bank deposits: inserts are idempotent, claims lease due rows (disjointly under
//! concurrency), and a deposit settles once, with its mail, in one transaction.

use okpay_app::ports::{BankDepositRecord, BankSettlement, OutboxMail};
use okpay_domain::Currency;
use okpay_store::testing::TestBackend;

use crate::common::{Books, TestResult, contract};

contract!(bank_deposits_lease_and_settle_once, concurrent_bank_claims_are_disjoint);

fn deposit(id: &str, due: i64) -> BankDepositRecord {
    BankDepositRecord {
        id: id.to_owned(),
        owner: "usr_a".to_owned(),
        line_id: format!("txn_{id}"),
        payment_method: "pm_a".to_owned(),
        rail_token: "simbank_0000_x".to_owned(),
        amount_minor: 2_500,
        currency: Currency::Usd,
        status: "pending".to_owned(),
        failure_code: None,
        attempts: 0,
        due_at_us: due,
        created_at_us: 10,
        settled_at_us: None,
    }
}

fn mail() -> OutboxMail {
    OutboxMail {
        id: "mail_bank".to_owned(),
        to: "ann@example.com".to_owned(),
        kind: "bank_deposit_failed".to_owned(),
        subject: "failed".to_owned(),
        text: "t".to_owned(),
        html: "h".to_owned(),
        attempts: 0,
        created_at_us: 20,
    }
}

async fn bank_deposits_lease_and_settle_once(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let s = &books.stores.app;
    let a = deposit("dep_a", 100);
    assert_eq!(s.insert_bank_deposit(&a).await?, a);
    // A replay with other values keeps the first row.
    let stored = s.insert_bank_deposit(&BankDepositRecord { amount_minor: 1, ..deposit("dep_a", 5) }).await?;
    assert_eq!(stored, a);
    assert_eq!(s.bank_deposit("dep_missing").await?, None);
    s.insert_bank_deposit(&deposit("dep_b", 200)).await?;

    assert!(s.claim_bank_deposits(50, 1_000, 10).await?.is_empty(), "nothing due yet");
    let claimed = s.claim_bank_deposits(150, 1_000, 10).await?;
    assert_eq!(
        claimed.iter().map(|d| (d.id.as_str(), d.attempts, d.due_at_us)).collect::<Vec<_>>(),
        [("dep_a", 1, 1_000)]
    );
    // Leased: only b is claimable now.
    let again = s.claim_bank_deposits(300, 1_000, 10).await?;
    assert_eq!(again.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(), ["dep_b"]);
    // The bank has no answer for b yet: it comes back at the new time, not before.
    s.reschedule_bank_deposit("dep_b", 4_000).await?;
    let after_lease = s.claim_bank_deposits(1_000, 2_000, 10).await?;
    assert_eq!(after_lease.iter().map(|d| (d.id.as_str(), d.attempts)).collect::<Vec<_>>(), [("dep_a", 2)]);

    let m = mail();
    let failed = BankSettlement {
        status: "failed",
        failure_code: Some("bank_transfer_failed"),
        details: "{\"failure_code\":\"bank_transfer_failed\"}",
        at_us: 1_500,
        mail: Some(&m),
    };
    assert!(s.settle_bank_deposit("dep_a", &failed).await?);
    let done = s.bank_deposit("dep_a").await?.ok_or("dep_a is stored")?;
    assert_eq!(
        (done.status.as_str(), done.failure_code.as_deref(), done.settled_at_us),
        ("failed", Some("bank_transfer_failed"), Some(1_500))
    );
    assert_eq!(s.mail_counts().await?.pending, 1, "the mail is queued with the outcome");
    // A second worker's late settlement changes nothing and queues no second mail.
    let late = BankSettlement { status: "succeeded", failure_code: None, mail: None, ..failed };
    assert!(!s.settle_bank_deposit("dep_a", &late).await?);
    assert_eq!(s.bank_deposit("dep_a").await?.ok_or("dep_a is stored")?.status, "failed");
    assert!(s.claim_bank_deposits(i64::MAX / 2, i64::MAX / 2, 10).await?.iter().all(|d| d.id != "dep_a"));
    assert_eq!(s.mail_counts().await?.pending, 1);
    Ok(())
}

async fn concurrent_bank_claims_are_disjoint(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let s = books.stores.app.clone();
    for i in 0..30 {
        s.insert_bank_deposit(&deposit(&format!("dep_{i:02}"), 10)).await?;
    }
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move { s.claim_bank_deposits(100, 10_000, 6).await }));
    }
    let mut ids = Vec::new();
    for t in tasks {
        ids.extend(t.await??.into_iter().map(|d| d.id));
    }
    let total = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), total, "no row claimed twice");
    assert_eq!(total, 24, "each claim took its full batch");
    Ok(())
}
