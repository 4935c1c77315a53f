//! Staff status changes (freeze, unfreeze, unlock) and role grants.

use okpay_app::ports::{AccountLock, AccountToken, AuditQuery, AuditRecord, OutboxMail, StatusChange};
use okpay_store::testing::TestBackend;

use crate::app::user;
use crate::common::{Books, TestResult, contract};
use crate::devices::session;

contract!(
    freeze_ends_sessions_and_only_applies_from_allowed_statuses,
    unlock_clears_the_address_lock,
    roles_are_granted_once
);

fn mail(id: &str) -> OutboxMail {
    OutboxMail {
        id: id.to_owned(),
        to: "ann@example.com".to_owned(),
        kind: "account_frozen".to_owned(),
        subject: "s".to_owned(),
        text: "t".to_owned(),
        html: "h".to_owned(),
        attempts: 0,
        created_at_us: 10,
    }
}

fn event() -> AuditRecord {
    AuditRecord {
        id: 0,
        at_us: 10,
        actor: "usr_staff".to_owned(),
        subject: Some("usr_a".to_owned()),
        action: "account_frozen".to_owned(),
        outcome: "success".to_owned(),
        ip: "203.0.113.9".to_owned(),
        user_agent: "test".to_owned(),
        reason: Some("why".to_owned()),
        session_id: Some("ses_staff".to_owned()),
    }
}

async fn audited(s: &dyn okpay_app::ports::AppStore) -> Result<usize, okpay_ledger::StorageError> {
    let all = AuditQuery { actor: None, subject: Some("usr_a"), before_id: None, limit: 100 };
    Ok(s.audit_log(&all).await?.len())
}

async fn freeze_ends_sessions_and_only_applies_from_allowed_statuses(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let s = &books.stores.app;
    s.insert_user(&user("usr_a", "ann@example.com")).await?;
    s.insert_session(&session("ses_1", "usr_a", 5, i64::MAX)).await?;

    let frozen =
        s.change_status("usr_a", StatusChange::Freeze, 10, &mail("mail_1"), &event()).await?.ok_or("frozen")?;
    assert_eq!(frozen.status, "frozen");
    assert!(s.live_sessions("usr_a", 6, 10).await?.is_empty(), "freezing ends every session");
    assert_eq!(s.mail_counts().await?.pending, 1);
    assert_eq!(audited(s.as_ref()).await?, 1, "the change is audited in its transaction");

    // Frozen twice, or unlocked while frozen: nothing happens, no mail is queued.
    assert!(s.change_status("usr_a", StatusChange::Freeze, 11, &mail("mail_2"), &event()).await?.is_none());
    assert!(s.change_status("usr_a", StatusChange::Unlock, 11, &mail("mail_3"), &event()).await?.is_none());
    assert!(s.change_status("usr_ghost", StatusChange::Freeze, 11, &mail("mail_4"), &event()).await?.is_none());
    assert_eq!(s.mail_counts().await?.pending, 1);
    assert_eq!(audited(s.as_ref()).await?, 1, "a change that does not apply writes no event");

    let back =
        s.change_status("usr_a", StatusChange::Unfreeze, 12, &mail("mail_5"), &event()).await?.ok_or("unfrozen")?;
    assert_eq!(back.status, "active");
    assert!(s.change_status("usr_a", StatusChange::Unfreeze, 13, &mail("mail_6"), &event()).await?.is_none());
    assert_eq!(s.mail_counts().await?.pending, 2);
    Ok(())
}

async fn unlock_clears_the_address_lock(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let s = &books.stores.app;
    let mut ann = user("usr_a", "ann@example.com");
    ann.email_verified = false;
    ann.status = "pending_verification".to_owned();
    s.insert_user(&ann).await?;
    let token = AccountToken {
        token_hash: "t1".to_owned(),
        purpose: "unlock".to_owned(),
        user_id: "usr_a".to_owned(),
        created_at_us: 200,
        expires_at_us: 900,
        used_at_us: None,
    };
    let lock = AccountLock { user_id: "usr_a", token: &token, mail: &mail("mail_l") };
    assert!(s.lock_sign_in("ann@example.com", 200, 900, Some(lock)).await?);

    let unlocked =
        s.change_status("usr_a", StatusChange::Unlock, 300, &mail("mail_u"), &event()).await?.ok_or("unlocked")?;
    assert_eq!(unlocked.status, "pending_verification", "back to where it was");
    assert_eq!(s.sign_in_locked_until("ann@example.com").await?, None, "the address lock is gone");
    let retired = s.account_token("t1").await?.ok_or("token")?;
    assert_eq!(retired.used_at_us, Some(300), "the emailed unlock link is retired");
    Ok(())
}

async fn roles_are_granted_once(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let s = &books.stores.app;
    let mut ann = user("usr_a", "ann@example.com");
    ann.roles = "user".to_owned();
    s.insert_user(&ann).await?;
    assert_eq!(s.grant_role("usr_a", "agent").await?.ok_or("user")?.roles, "user agent");
    assert_eq!(s.grant_role("usr_a", "agent").await?.ok_or("user")?.roles, "user agent", "no duplicate");
    assert_eq!(s.grant_role("usr_a", "admin").await?.ok_or("user")?.roles, "user agent admin");
    assert!(s.grant_role("usr_ghost", "agent").await?.is_none());
    Ok(())
}
