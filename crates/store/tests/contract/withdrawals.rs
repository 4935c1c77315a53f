//! Withdrawals: inserts are idempotent, lists page newest first, claims lease unfinished rows,
//! every status change is guarded (a cancel racing the move to `processing` has exactly one
//! winner) and carries its history-row change and mail in one transaction.

use okpay_app::ports::{OutboxMail, WithdrawalRecord, WithdrawalTransition};
use okpay_domain::Currency;
use okpay_store::testing::TestBackend;

use crate::common::{Books, TestResult, contract, line};

contract!(withdrawals_store_and_page, withdrawal_transitions_are_guarded, cancel_and_processing_race_has_one_winner);

fn withdrawal(id: &str, owner: &str, created: i64) -> WithdrawalRecord {
    WithdrawalRecord {
        id: id.to_owned(),
        owner: owner.to_owned(),
        line_id: format!("txn_{id}"),
        payment_method: "pm_a".to_owned(),
        method: "bank_account".to_owned(),
        rail_token: "simbank_0000_x".to_owned(),
        amount_minor: 2_500,
        fee_minor: 25,
        currency: Currency::Usd,
        status: "pending".to_owned(),
        failure_code: None,
        attempts: 0,
        due_at_us: created + 100,
        created_at_us: created,
        processing_at_us: None,
        finished_at_us: None,
        estimated_arrival_us: created + 1_000,
        created_mailed: false,
    }
}

fn mail(id: &str) -> OutboxMail {
    OutboxMail {
        id: id.to_owned(),
        to: "ann@example.com".to_owned(),
        kind: "withdrawal_processing".to_owned(),
        subject: "s".to_owned(),
        text: "t".to_owned(),
        html: "h".to_owned(),
        attempts: 0,
        created_at_us: 20,
    }
}

fn step<'a>(from: &'a str, to: &'a str, at_us: i64) -> WithdrawalTransition<'a> {
    WithdrawalTransition {
        from,
        to,
        at_us,
        due_at_us: None,
        finish: false,
        failure_code: None,
        line_status: false,
        line_details: None,
        mail: None,
    }
}

async fn withdrawals_store_and_page(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let s = &books.stores.app;
    let a = withdrawal("wd_a", "usr_a", 10);
    assert_eq!(s.insert_withdrawal(&a).await?, a);
    // A replay with other values keeps the first row.
    let again = s.insert_withdrawal(&WithdrawalRecord { amount_minor: 1, ..withdrawal("wd_a", "usr_a", 99) }).await?;
    assert_eq!(again, a);
    assert_eq!(s.withdrawal("wd_missing").await?, None);
    s.insert_withdrawal(&withdrawal("wd_b", "usr_a", 20)).await?;
    s.insert_withdrawal(&withdrawal("wd_c", "usr_a", 20)).await?;
    s.insert_withdrawal(&withdrawal("wd_x", "usr_other", 30)).await?;

    let ids = |v: Vec<WithdrawalRecord>| v.into_iter().map(|w| w.id).collect::<Vec<_>>();
    // A claim's rows come back in no particular order.
    let sorted = |v: Vec<WithdrawalRecord>| {
        let mut v = ids(v);
        v.sort();
        v
    };
    assert_eq!(ids(s.withdrawals("usr_a", None, 10).await?), ["wd_c", "wd_b", "wd_a"]);
    assert_eq!(ids(s.withdrawals("usr_a", None, 2).await?), ["wd_c", "wd_b"]);
    assert_eq!(ids(s.withdrawals("usr_a", Some("wd_b"), 10).await?), ["wd_a"]);
    assert!(s.withdrawals("usr_a", Some("wd_x"), 10).await?.is_empty(), "someone else's cursor");

    // The creation mail is queued once.
    assert!(s.queue_withdrawal_created_mail("wd_a", &mail("mail_1")).await?);
    assert!(!s.queue_withdrawal_created_mail("wd_a", &mail("mail_2")).await?);
    assert_eq!(s.mail_counts().await?.pending, 1);
    assert!(s.withdrawal("wd_a").await?.ok_or("stored")?.created_mailed);
    // A refused hold's row goes; a mailed one (its hold exists) stays.
    assert!(!s.delete_withdrawal("wd_a").await?);
    assert!(s.delete_withdrawal("wd_b").await?);
    assert_eq!(s.withdrawal("wd_b").await?, None);

    // Claims take due, unfinished rows and lease them.
    assert!(s.claim_withdrawals(50, 1_000, 10).await?.is_empty(), "nothing due yet");
    let claimed = s.claim_withdrawals(115, 1_000, 10).await?;
    assert_eq!(
        claimed.iter().map(|w| (w.id.as_str(), w.attempts, w.due_at_us)).collect::<Vec<_>>(),
        [("wd_a", 1, 1_000)]
    );
    let next = s.claim_withdrawals(500, 2_000, 10).await?;
    assert_eq!(sorted(next), ["wd_c", "wd_x"]);
    s.reschedule_withdrawal("wd_c", 5_000).await?;
    assert_eq!(sorted(s.claim_withdrawals(3_000, 4_000, 10).await?), ["wd_a", "wd_x"]);
    Ok(())
}

async fn withdrawal_transitions_are_guarded(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let s = &books.stores.app;
    s.insert_withdrawal(&withdrawal("wd_a", "usr_a", 10)).await?;
    s.insert_line(&line("txn_wd_a", "usr_a", "withdrawal", "pending", 10)).await?;

    // pending → processing: the history row follows, with its timeline entry and the mail.
    let m = mail("mail_p");
    let processing = WithdrawalTransition { line_status: true, mail: Some(&m), ..step("pending", "processing", 200) };
    assert!(s.transition_withdrawal("wd_a", &processing).await?);
    assert!(!s.transition_withdrawal("wd_a", &processing).await?, "only once");
    let w = s.withdrawal("wd_a").await?.ok_or("stored")?;
    assert_eq!((w.status.as_str(), w.processing_at_us, w.finished_at_us), ("processing", Some(200), None));
    let row = s.line("usr_a", "txn_wd_a").await?.ok_or("line")?;
    assert_eq!(row.line.status, "processing");
    assert_eq!(row.status_history, [("pending".to_owned(), 10), ("processing".to_owned(), 200)]);
    assert_eq!(s.mail_counts().await?.pending, 1);

    // A cancel after that is refused and writes nothing.
    assert!(!s.transition_withdrawal("wd_a", &step("pending", "canceled", 300)).await?);

    // processing → failed, finished: never claimed again, never moved again.
    let failed = WithdrawalTransition {
        finish: true,
        failure_code: Some("withdrawal_returned"),
        line_details: Some(r#"{"failure_code":"withdrawal_returned"}"#),
        ..step("processing", "failed", 400)
    };
    assert!(s.transition_withdrawal("wd_a", &failed).await?);
    let w = s.withdrawal("wd_a").await?.ok_or("stored")?;
    assert_eq!(
        (w.status.as_str(), w.failure_code.as_deref(), w.finished_at_us, w.processing_at_us),
        ("failed", Some("withdrawal_returned"), Some(400), Some(200))
    );
    let row = s.line("usr_a", "txn_wd_a").await?.ok_or("line")?;
    assert_eq!(row.line.details.as_deref(), Some(r#"{"failure_code":"withdrawal_returned"}"#));
    assert!(
        !s.transition_withdrawal("wd_a", &WithdrawalTransition { finish: true, ..step("failed", "paid", 500) }).await?
    );
    assert!(s.claim_withdrawals(i64::MAX / 2, i64::MAX / 2, 10).await?.is_empty());

    // pending → canceled leaves the row unfinished (its void is still to come) with a new due time.
    s.insert_withdrawal(&withdrawal("wd_b", "usr_a", 10)).await?;
    let cancel = WithdrawalTransition { due_at_us: Some(9_000), ..step("pending", "canceled", 600) };
    assert!(s.transition_withdrawal("wd_b", &cancel).await?);
    assert!(!s.transition_withdrawal("wd_b", &step("pending", "processing", 650)).await?);
    let w = s.withdrawal("wd_b").await?.ok_or("stored")?;
    assert_eq!((w.status.as_str(), w.due_at_us, w.finished_at_us), ("canceled", 9_000, None));
    let done = WithdrawalTransition { finish: true, ..step("canceled", "canceled", 700) };
    assert!(s.transition_withdrawal("wd_b", &done).await?);
    assert_eq!(s.withdrawal("wd_b").await?.ok_or("stored")?.finished_at_us, Some(700));
    Ok(())
}

async fn cancel_and_processing_race_has_one_winner(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let s = books.stores.app.clone();
    for i in 0..20 {
        s.insert_withdrawal(&withdrawal(&format!("wd_{i:02}"), "usr_a", 10)).await?;
    }
    let mut tasks = Vec::new();
    for (from, to) in [("pending", "canceled"), ("pending", "processing")] {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            let mut won = Vec::new();
            for i in 0..20 {
                let id = format!("wd_{i:02}");
                if s.transition_withdrawal(&id, &step(from, to, 100)).await? {
                    won.push(id);
                }
            }
            Ok::<_, okpay_ledger::StorageError>(won)
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await??.len();
    }
    assert_eq!(total, 20, "each withdrawal moved exactly once");
    Ok(())
}
