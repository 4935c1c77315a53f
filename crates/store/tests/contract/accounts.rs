//! Account tokens: a user, its token and its mail are written together; a token redeems once.

use okpay_app::ports::{AccountToken, OutboxMail, Redemption, SessionRecord, TokenPurpose, UserRecord};
use okpay_store::testing::TestBackend;

use crate::common::{Books, TestResult, contract};

contract!(create_user_with_token_and_mail, tokens_redeem_once_and_apply_their_effect);

fn user(id: &str, email: &str, status: &str) -> UserRecord {
    UserRecord {
        id: id.to_owned(),
        email: email.to_owned(),
        name: "Ann Lee".to_owned(),
        account_type: "personal".to_owned(),
        status: status.to_owned(),
        email_verified: false,
        locale: "en".to_owned(),
        password_hash: "old".to_owned(),
        roles: "user".to_owned(),
        kyc_level: 0,
        created_at_us: 1,
    }
}

fn token(hash: &str, purpose: TokenPurpose, user_id: &str, expires_at_us: i64) -> AccountToken {
    AccountToken {
        token_hash: hash.to_owned(),
        purpose: purpose.as_str().to_owned(),
        user_id: user_id.to_owned(),
        created_at_us: 10,
        expires_at_us,
        used_at_us: None,
    }
}

fn mail(id: &str) -> OutboxMail {
    OutboxMail {
        id: id.to_owned(),
        to: "ann@example.com".to_owned(),
        kind: "verify_email".to_owned(),
        subject: "s".to_owned(),
        text: "t".to_owned(),
        html: "h".to_owned(),
        attempts: 0,
        created_at_us: 10,
    }
}

async fn create_user_with_token_and_mail(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let s = &books.stores.app;
    let u = user("usr_a", "ann@example.com", "pending_verification");
    assert!(s.create_user(&u, &token("h1", TokenPurpose::VerifyEmail, "usr_a", 100), &mail("mail_1")).await?);
    let other = user("usr_b", "ann@example.com", "pending_verification");
    assert!(!s.create_user(&other, &token("h2", TokenPurpose::VerifyEmail, "usr_b", 100), &mail("mail_2")).await?);
    assert_eq!(s.user_by_id("usr_b").await?, None);
    assert_eq!(s.account_token("h2").await?, None, "a refused sign-up writes no token");
    assert_eq!(s.mail_counts().await?.pending, 1, "nor mail");
    assert_eq!(s.account_token("h1").await?, Some(token("h1", TokenPurpose::VerifyEmail, "usr_a", 100)));
    s.issue_token(&token("h3", TokenPurpose::VerifyEmail, "usr_a", 100), &mail("mail_3")).await?;
    assert_eq!(s.mail_counts().await?.pending, 2);
    Ok(())
}

async fn tokens_redeem_once_and_apply_their_effect(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let s = &books.stores.app;
    let verify = TokenPurpose::VerifyEmail;
    s.create_user(&user("usr_a", "ann@example.com", "locked"), &token("v1", verify, "usr_a", 100), &mail("m1")).await?;
    s.issue_token(&token("v2", verify, "usr_a", 100), &mail("m2")).await?;
    assert_eq!(s.redeem_token("v1", TokenPurpose::Unlock, 50, &Redemption::Unlock, None).await?, None, "wrong purpose");
    assert_eq!(s.redeem_token("v1", verify, 100, &Redemption::VerifyEmail, None).await?, None, "expired");
    let u = s.redeem_token("v1", verify, 50, &Redemption::VerifyEmail, None).await?.ok_or("redeemed")?;
    assert_eq!((u.email_verified, u.status.as_str()), (true, "locked"), "verifying never lifts a lock");
    assert_eq!(s.redeem_token("v1", verify, 51, &Redemption::VerifyEmail, None).await?, None, "single use");
    assert_eq!(s.account_token("v2").await?.and_then(|t| t.used_at_us), Some(50), "siblings retired");

    let session = SessionRecord {
        id: "ses_1".to_owned(),
        user_id: "usr_a".to_owned(),
        token_hash: "ab".repeat(32),
        user_agent: "curl".to_owned(),
        ip: "127.0.0.1".to_owned(),
        created_at_us: 1,
        last_seen_us: 1,
        expires_at_us: i64::MAX,
        revoked: false,
    };
    s.insert_session(&session).await?;
    s.issue_token(&token("r1", TokenPurpose::PasswordReset, "usr_a", 1_000), &mail("m3")).await?;
    let reset = Redemption::ResetPassword { password_hash: "new".to_owned() };
    let u = s.redeem_token("r1", TokenPurpose::PasswordReset, 60, &reset, Some(&mail("m4"))).await?.ok_or("reset")?;
    assert_eq!((u.password_hash.as_str(), u.status.as_str()), ("new", "active"), "reset lifts the lock");
    assert_eq!(s.session_by_token_hash(&session.token_hash).await?, None, "every session ended");
    assert_eq!(s.mail_counts().await?.pending, 4, "the notice was queued with it");

    books.raw("UPDATE users SET status = 'frozen' WHERE id = 'usr_a'").await?;
    s.issue_token(&token("u1", TokenPurpose::Unlock, "usr_a", 1_000), &mail("m5")).await?;
    let u = s.redeem_token("u1", TokenPurpose::Unlock, 70, &Redemption::Unlock, None).await?.ok_or("unlock")?;
    assert_eq!(u.status, "frozen", "an unlock never lifts a freeze");
    Ok(())
}
