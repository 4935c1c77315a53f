//! The sign-in throttle: failures per address in a window, locks with the account's mail.

use okpay_app::ports::{AccountLock, AccountToken, OutboxMail, UserRecord};
use okpay_store::testing::TestBackend;

use crate::common::{Books, TestResult, contract};

contract!(failures_count_in_a_window_and_lock);

async fn failures_count_in_a_window_and_lock(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let s = &books.stores.app;
    let addr = "ann@example.com";
    assert_eq!(s.sign_in_locked_until(addr).await?, None);
    assert_eq!(s.record_sign_in_failure(addr, 100, 50).await?, 1);
    assert_eq!(s.record_sign_in_failure(addr, 120, 50).await?, 2);
    assert_eq!(s.record_sign_in_failure(addr, 149, 50).await?, 3);
    assert_eq!(s.record_sign_in_failure(addr, 150, 50).await?, 1, "a new window starts");
    assert_eq!(s.record_sign_in_failure("bob@example.com", 150, 50).await?, 1, "per address");
    assert_eq!(s.sign_in_locked_until(addr).await?, Some(0));

    // An unknown address locks without an account.
    assert!(!s.lock_sign_in("ghost@example.com", 200, 900, None).await?);
    assert_eq!(s.sign_in_locked_until("ghost@example.com").await?, Some(900));

    let user = UserRecord {
        id: "usr_a".to_owned(),
        email: addr.to_owned(),
        name: "Ann".to_owned(),
        account_type: "personal".to_owned(),
        status: "active".to_owned(),
        email_verified: true,
        locale: "en".to_owned(),
        password_hash: "h".to_owned(),
        roles: "user".to_owned(),
        kyc_level: 0,
        created_at_us: 1,
    };
    s.insert_user(&user).await?;
    let token = AccountToken {
        token_hash: "t1".to_owned(),
        purpose: "unlock".to_owned(),
        user_id: "usr_a".to_owned(),
        created_at_us: 200,
        expires_at_us: 900,
        used_at_us: None,
    };
    let mail = OutboxMail {
        id: "mail_l".to_owned(),
        to: addr.to_owned(),
        kind: "account_locked".to_owned(),
        subject: "s".to_owned(),
        text: "t".to_owned(),
        html: "h".to_owned(),
        attempts: 0,
        created_at_us: 200,
    };
    let lock = || Some(AccountLock { user_id: "usr_a", token: &token, mail: &mail });
    assert!(s.lock_sign_in(addr, 200, 900, lock()).await?);
    assert!(!s.lock_sign_in(addr, 201, 900, lock()).await?, "already locked: no second token or mail");
    assert_eq!(s.user_by_id("usr_a").await?.map(|u| u.status), Some("locked".to_owned()));
    assert_eq!(s.mail_counts().await?.pending, 1);
    assert_eq!(s.record_sign_in_failure(addr, 300, 50).await?, 1, "locking restarted the count");

    let still = s.lift_expired_lock("usr_a", 899).await?.ok_or("user")?;
    assert_eq!(still.status, "locked", "not before the lock ends");
    let lifted = s.lift_expired_lock("usr_a", 900).await?.ok_or("user")?;
    assert_eq!(lifted.status, "active");
    s.clear_sign_in_failures(addr).await?;
    assert_eq!(s.sign_in_locked_until(addr).await?, None);
    Ok(())
}
