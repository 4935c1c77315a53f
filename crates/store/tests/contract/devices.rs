//! A user's live sessions and revoking one.

use okpay_app::ports::{SessionRecord, UserRecord};
use okpay_store::testing::TestBackend;

use crate::common::{Books, TestResult, contract};

contract!(live_sessions_and_revocation);

pub(crate) fn session(id: &str, user_id: &str, last_seen_us: i64, expires_at_us: i64) -> SessionRecord {
    SessionRecord {
        id: id.to_owned(),
        user_id: user_id.to_owned(),
        token_hash: format!("hash-{id}"),
        user_agent: "curl".to_owned(),
        ip: "::1".to_owned(),
        created_at_us: 1,
        last_seen_us,
        expires_at_us,
        revoked: false,
    }
}

async fn live_sessions_and_revocation(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let s = &books.stores.app;
    for (id, email) in [("usr_a", "a@example.com"), ("usr_b", "b@example.com")] {
        s.insert_user(&UserRecord {
            id: id.to_owned(),
            email: email.to_owned(),
            name: "N".to_owned(),
            account_type: "personal".to_owned(),
            status: "active".to_owned(),
            email_verified: true,
            locale: "en".to_owned(),
            password_hash: "h".to_owned(),
            roles: "user".to_owned(),
            kyc_level: 0,
            created_at_us: 1,
        })
        .await?;
    }
    s.insert_session(&session("ses_old", "usr_a", 10, 1_000)).await?;
    s.insert_session(&session("ses_new", "usr_a", 20, 1_000)).await?;
    s.insert_session(&session("ses_expired", "usr_a", 30, 100)).await?;
    s.insert_session(&session("ses_bob", "usr_b", 40, 1_000)).await?;
    let ids = |v: Vec<SessionRecord>| v.into_iter().map(|x| x.id).collect::<Vec<_>>();
    assert_eq!(ids(s.live_sessions("usr_a", 500, 10).await?), ["ses_new", "ses_old"]);
    assert_eq!(ids(s.live_sessions("usr_a", 500, 1).await?), ["ses_new"]);
    assert!(!s.revoke_session("usr_a", "ses_bob").await?, "not hers");
    assert!(s.revoke_session("usr_a", "ses_new").await?);
    assert!(!s.revoke_session("usr_a", "ses_new").await?, "already revoked");
    assert_eq!(ids(s.live_sessions("usr_a", 500, 10).await?), ["ses_old"]);
    assert_eq!(s.session_by_token_hash("hash-ses_new").await?, None);
    assert_eq!(ids(s.live_sessions("usr_b", 500, 10).await?), ["ses_bob"]);

    s.insert_session(&session("ses_here", "usr_a", 50, 1_000)).await?;
    assert_eq!(s.revoke_other_sessions("usr_a", "ses_here").await?, 2, "ses_old and the expired one");
    assert_eq!(ids(s.live_sessions("usr_a", 500, 10).await?), ["ses_here"]);
    assert_eq!(ids(s.live_sessions("usr_b", 500, 10).await?), ["ses_bob"], "other users keep theirs");
    assert_eq!(s.revoke_other_sessions("usr_a", "ses_here").await?, 0);
    Ok(())
}
