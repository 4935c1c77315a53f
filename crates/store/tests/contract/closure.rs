//! Closure requests: one pending per user; an approval re-checks the books inside its
//! transaction, queues the mail to the real address and erases the personal data, or writes
//! nothing at all.

use okpay_app::ports::{
    ApprovalOutcome, ClosureApproval, ClosureRecord, Erasure, OutboxMail, PaymentMethodRecord, SessionRecord,
    SupportPin,
};
use okpay_store::testing::TestBackend;

use crate::app::user;
use crate::common::{Books, TestResult, contract, hold, transfer, void};

contract!(one_pending_request_per_user, approval_is_blocked_by_money_then_erases_everything);

fn request(id: &str, user_id: &str, at: i64) -> ClosureRecord {
    ClosureRecord {
        id: id.to_owned(),
        user_id: user_id.to_owned(),
        status: "pending_review".to_owned(),
        reason: "moving abroad".to_owned(),
        created_at_us: at,
        decided_by: None,
        decided_at_us: None,
        decision_note: None,
    }
}

fn mail(id: &str, to: &str) -> OutboxMail {
    OutboxMail {
        id: id.to_owned(),
        to: to.to_owned(),
        kind: "closure_approved".to_owned(),
        subject: "closed".to_owned(),
        text: "t".to_owned(),
        html: "h".to_owned(),
        attempts: 0,
        created_at_us: 5,
    }
}

async fn one_pending_request_per_user(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let s = &books.stores.app;
    assert!(s.insert_user(&user("usr_a", "a@example.com")).await?);
    assert!(s.insert_user(&user("usr_b", "b@example.com")).await?);
    assert!(s.insert_closure_request(&request("clr_1", "usr_a", 10)).await?);
    assert!(!s.insert_closure_request(&request("clr_2", "usr_a", 11)).await?, "one pending at a time");
    assert!(s.insert_closure_request(&request("clr_3", "usr_b", 12)).await?, "per user");
    assert_eq!(s.closure_request("clr_2").await?, None, "the refused insert wrote nothing");

    let decided = s.reject_closure("clr_1", "usr_staff", "refund open", 20, &mail("mail_r", "a@example.com")).await?;
    let decided = decided.ok_or("pending request rejected")?;
    assert_eq!(decided.status, "rejected");
    assert_eq!((decided.decided_by.as_deref(), decided.decided_at_us), (Some("usr_staff"), Some(20)));
    assert_eq!(decided.decision_note.as_deref(), Some("refund open"));
    assert_eq!(s.closure_request("clr_1").await?, Some(decided));
    assert_eq!(s.reject_closure("clr_1", "usr_staff", "again", 21, &mail("mail_x", "a@example.com")).await?, None);
    assert_eq!(s.reject_closure("clr_none", "usr_staff", "x", 21, &mail("mail_y", "a@example.com")).await?, None);
    let queued = s.claim_mails(100, 200, 10).await?;
    assert_eq!(queued.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["mail_r"], "only the rejection mailed");

    assert!(s.insert_closure_request(&request("clr_4", "usr_a", 30)).await?, "a new request after a decision");
    let mine: Vec<_> = s.closure_requests_of("usr_a", 10).await?.into_iter().map(|r| r.id).collect();
    assert_eq!(mine, ["clr_4", "clr_1"], "newest first");
    assert_eq!(s.closure_requests_of("usr_a", 1).await?.len(), 1);
    Ok(())
}

async fn approval_is_blocked_by_money_then_erases_everything(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let s = &books.stores.app;
    let ledger = &books.stores.ledger;
    let alice = user("usr_c", "carol@example.com");
    assert!(s.insert_user(&alice).await?);
    let session = SessionRecord {
        id: "ses_c".into(),
        user_id: "usr_c".into(),
        token_hash: "tok_c".into(),
        user_agent: "ua".into(),
        ip: "127.0.0.1".into(),
        created_at_us: 1,
        last_seen_us: 1,
        expires_at_us: i64::MAX,
        revoked: false,
    };
    s.insert_session(&session).await?;
    let card = PaymentMethodRecord {
        id: "pm_c".into(),
        user_id: "usr_c".into(),
        kind: "card".into(),
        brand: Some("visa".into()),
        last4: "4242".into(),
        exp_month: Some(12),
        exp_year: Some(2035),
        holder_name: "Carol".into(),
        bank_name: None,
        country: None,
        rail_token: "tok".into(),
        created_at_us: 1,
    };
    s.insert_payment_method(&card).await?;
    assert!(s.begin_totp("usr_c", "SECRET", 1).await?);
    assert!(s.confirm_totp("usr_c", "SECRET", 1, &["r1".to_owned()]).await?);
    let pin = SupportPin {
        user_id: "usr_c".into(),
        pin_hash: "$argon2id$pin".into(),
        created_at_us: 1,
        expires_at_us: i64::MAX,
        failed_attempts: 0,
    };
    s.replace_support_pin(&pin).await?;
    let wallet = books.user("usr_c").await?;
    ledger.execute(&[transfer("dep_1", books.system, wallet, 1_050)?]).await?;
    assert!(s.insert_closure_request(&request("clr_c", "usr_c", 10)).await?);

    let erasure = Erasure {
        email: "closed+usr_c@invalid".into(),
        email_hash: "hash_of_carol".into(),
        password_hash: "!closed".into(),
    };
    let confirmation = mail("mail_c", "carol@example.com");
    let approval = ClosureApproval {
        request_id: "clr_c",
        staff_id: "usr_staff",
        note: "checked",
        now_us: 50,
        expected_email: "carol@example.com",
        erasure: &erasure,
        mail: &confirmation,
    };
    let blocked = |outcome: ApprovalOutcome| match outcome {
        ApprovalOutcome::Blocked(open) => {
            open.into_iter().map(|o| (o.currency, o.balance, o.debits_pending, o.credits_pending)).collect()
        }
        other => panic!("expected blocked, got {other:?}"),
    };
    let found: Vec<_> = blocked(s.approve_closure(&approval).await?);
    assert_eq!(found, [("usd".to_owned(), 1_050, 0, 0)]);
    assert_eq!(s.closure_request("clr_c").await?.map(|r| r.status).as_deref(), Some("pending_review"));
    assert_eq!(s.user_by_id("usr_c").await?, Some(alice.clone()), "a blocked approval writes nothing");

    // All out, but with a withdrawal-like hold pending: still blocked.
    ledger
        .execute(&[transfer("tr_out", wallet, books.system, 1_000)?, hold("wd_1", wallet, books.system, 50)?])
        .await?;
    assert_eq!(blocked(s.approve_closure(&approval).await?), [("usd".to_owned(), 50, 50, 0)]);
    ledger.execute(&[void("wd_1"), transfer("tr_rest", wallet, books.system, 50)?]).await?;

    // The address changed since the mail was rendered: nothing written.
    let stale = ClosureApproval { expected_email: "old@example.com", ..approval.clone() };
    assert_eq!(s.approve_closure(&stale).await?, ApprovalOutcome::NotPending);
    assert_eq!(s.user_by_id("usr_c").await?, Some(alice.clone()));

    // Frozen meanwhile: the freeze's review keeps the data, nothing written.
    books.raw("UPDATE users SET status = 'frozen' WHERE id = 'usr_c'").await?;
    assert_eq!(s.approve_closure(&approval).await?, ApprovalOutcome::Frozen);
    assert_eq!(s.closure_request("clr_c").await?.map(|r| r.status).as_deref(), Some("pending_review"));
    assert_eq!(s.user_by_id("usr_c").await?.map(|u| u.email).as_deref(), Some("carol@example.com"));
    books.raw("UPDATE users SET status = 'active' WHERE id = 'usr_c'").await?;

    let key = okpay_app::ports::ApiKeyRecord {
        id: "key_c".to_owned(),
        merchant_id: "usr_c".to_owned(),
        secret_hash: "sk_hash_c".to_owned(),
        last4: "abcd".to_owned(),
        created_at_us: 1,
        revoked_at_us: None,
    };
    s.insert_api_key(&key).await?;
    let ApprovalOutcome::Closed(done) = s.approve_closure(&approval).await? else { panic!("not closed") };
    assert!(s.api_keys("usr_c").await?.is_empty(), "API keys are deleted");
    assert!(s.api_key_user("sk_hash_c").await?.is_none());
    assert_eq!((done.status.as_str(), done.decided_by.as_deref()), ("approved", Some("usr_staff")));
    let closed = s.user_by_id("usr_c").await?.ok_or("the row stays")?;
    assert_eq!(
        (closed.status.as_str(), closed.email.as_str(), closed.name.as_str()),
        ("closed", "closed+usr_c@invalid", "")
    );
    assert_eq!(closed.password_hash, "!closed");
    assert_eq!(s.user_by_email("carol@example.com").await?, None);
    assert_eq!(s.closed_user_by_email_hash("hash_of_carol").await?.map(|u| u.id).as_deref(), Some("usr_c"));
    assert_eq!(s.closed_user_by_email_hash("other").await?, None);
    assert_eq!(s.session_by_token_hash("tok_c").await?, None);
    assert!(s.payment_methods("usr_c").await?.is_empty());
    assert_eq!(s.totp("usr_c").await?, None);
    assert_eq!(s.recovery_codes_left("usr_c").await?, 0);
    assert_eq!(s.support_pin("usr_c").await?, None);
    let queued = s.claim_mails(100, 200, 10).await?;
    assert_eq!(queued.iter().map(|m| m.to.as_str()).collect::<Vec<_>>(), ["carol@example.com"]);
    assert_eq!(books.balances("usr_c").await?, (0, 0, 0), "the wallet stays, empty");
    // A transfer that passed the recipient check before the closure committed is refused by
    // the ledger; other commands in its batch go through.
    let bystander = books.user("usr_bystander").await?;
    let late = ledger
        .execute(&[
            transfer("tr_late", books.system, wallet, 10)?,
            hold("wd_late", books.system, wallet, 10)?,
            transfer("tr_other", books.system, bystander, 10)?,
        ])
        .await?;
    assert_eq!(late[0], Err(okpay_ledger::Rejection::AccountClosed(wallet)));
    assert_eq!(late[1], Err(okpay_ledger::Rejection::AccountClosed(wallet)));
    assert!(late[2].is_ok(), "{:?}", late[2]);
    assert_eq!(books.balances("usr_c").await?, (0, 0, 0));
    books.assert_verified().await?;

    assert_eq!(s.approve_closure(&approval).await?, ApprovalOutcome::NotPending, "decided once");
    assert!(s.insert_user(&user("usr_new", "carol@example.com")).await?, "the old address can register again");
    Ok(())
}
