//! Profile edits and support PINs.

use okpay_app::ports::SupportPin;
use okpay_store::testing::TestBackend;

use crate::app::user;
use crate::common::{Books, TestResult, contract};

contract!(profile_fields_change_only_when_given, one_support_pin_per_user);

async fn profile_fields_change_only_when_given(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let s = &books.stores.app;
    s.insert_user(&user("usr_a", "ann@example.com")).await?;
    let renamed = s.update_profile("usr_a", Some("Ann Lee"), None).await?.ok_or("user")?;
    assert_eq!((renamed.name.as_str(), renamed.locale.as_str()), ("Ann Lee", "zh"));
    let relocated = s.update_profile("usr_a", None, Some("en")).await?.ok_or("user")?;
    assert_eq!((relocated.name.as_str(), relocated.locale.as_str()), ("Ann Lee", "en"));
    assert_eq!(s.user_by_id("usr_a").await?, Some(relocated));
    assert_eq!(s.update_profile("usr_ghost", Some("X"), None).await?, None);
    Ok(())
}

async fn one_support_pin_per_user(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let s = &books.stores.app;
    s.insert_user(&user("usr_a", "ann@example.com")).await?;
    let first = SupportPin {
        user_id: "usr_a".to_owned(),
        pin_hash: "h1".to_owned(),
        created_at_us: 10,
        expires_at_us: 20,
        failed_attempts: 0,
    };
    assert_eq!(s.support_pin("usr_a").await?, None);
    s.replace_support_pin(&first).await?;
    assert_eq!(s.support_pin("usr_a").await?, Some(first.clone()));
    let second = SupportPin { pin_hash: "h2".to_owned(), created_at_us: 30, expires_at_us: 40, ..first };
    s.replace_support_pin(&second).await?;
    assert_eq!(s.support_pin("usr_a").await?, Some(second), "the new PIN replaces the old one");
    let ghost = SupportPin { user_id: "usr_ghost".to_owned(), ..s.support_pin("usr_a").await?.ok_or("pin")? };
    assert!(s.replace_support_pin(&ghost).await.is_err(), "a PIN belongs to an existing user");
    Ok(())
}
