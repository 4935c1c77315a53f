//! Two-factor secrets and recovery codes.

use okpay_store::testing::TestBackend;

use crate::app::user;
use crate::common::{Books, TestResult, contract};

contract!(totp_set_up_confirm_and_no_reuse, recovery_codes_are_single_use);

async fn totp_set_up_confirm_and_no_reuse(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let app = &books.stores.app;
    assert!(app.insert_user(&user("usr_t", "t@example.com")).await?);
    assert_eq!(app.totp("usr_t").await?, None);
    assert!(app.begin_totp("usr_t", "SECRETONE", 1).await?);
    assert!(app.begin_totp("usr_t", "SECRETTWO", 2).await?, "an unconfirmed set-up is replaced");
    assert!(!app.use_totp_step("usr_t", 5).await?, "unconfirmed codes are not accepted");
    assert!(!app.confirm_totp("usr_t", "SECRETONE", 10, &[]).await?, "the replaced secret cannot be confirmed");
    let hashes = vec!["h1".to_owned(), "h2".to_owned()];
    assert!(app.confirm_totp("usr_t", "SECRETTWO", 10, &hashes).await?);
    let record = app.totp("usr_t").await?.ok_or("not set up")?;
    assert_eq!((record.secret.as_str(), record.confirmed, record.last_step), ("SECRETTWO", true, 10));
    assert!(!app.begin_totp("usr_t", "SECRETTHREE", 3).await?, "a confirmed set-up is kept");
    assert!(!app.confirm_totp("usr_t", "SECRETTWO", 11, &[]).await?, "confirming twice does nothing");
    assert!(!app.use_totp_step("usr_t", 10).await?, "the confirming code's step is used");
    assert!(app.use_totp_step("usr_t", 11).await?);
    assert!(!app.use_totp_step("usr_t", 11).await?, "no code accepted twice");
    assert!(!app.use_totp_step("usr_t", 9).await?, "no earlier step");
    assert_eq!(app.recovery_codes_left("usr_t").await?, 2);
    app.delete_totp("usr_t").await?;
    assert_eq!(app.totp("usr_t").await?, None);
    assert_eq!(app.recovery_codes_left("usr_t").await?, 0);
    Ok(())
}

async fn recovery_codes_are_single_use(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let app = &books.stores.app;
    assert!(app.insert_user(&user("usr_r", "r@example.com")).await?);
    assert!(app.insert_user(&user("usr_s", "s@example.com")).await?);
    assert!(app.begin_totp("usr_r", "S", 1).await?);
    assert!(app.confirm_totp("usr_r", "S", 1, &["a".to_owned(), "b".to_owned()]).await?);
    assert!(!app.use_recovery_code("usr_s", "a", 5).await?, "codes belong to their user");
    assert!(app.use_recovery_code("usr_r", "a", 5).await?);
    assert!(!app.use_recovery_code("usr_r", "a", 6).await?, "single use");
    assert!(!app.use_recovery_code("usr_r", "zzz", 6).await?);
    assert_eq!(app.recovery_codes_left("usr_r").await?, 1);
    Ok(())
}
