//! Identity documents: rows page newest first per owner; a review changes the document, raises
//! the owner's level, queues the mail and appends the audit event together, exactly once.

use okpay_app::ports::{AuditQuery, AuditRecord, DocumentReview, IdentityDocumentRecord, OutboxMail, UserRecord};
use okpay_store::testing::TestBackend;

use crate::common::{Books, TestResult, contract};

contract!(documents_page_newest_first_per_owner, a_review_writes_everything_once, impossible_rows_are_refused);

fn user(id: &str) -> UserRecord {
    UserRecord {
        id: id.to_owned(),
        email: format!("{id}@example.com"),
        name: "Ann Lee".to_owned(),
        account_type: "personal".to_owned(),
        status: "active".to_owned(),
        email_verified: true,
        locale: "en".to_owned(),
        password_hash: "x".to_owned(),
        roles: "user".to_owned(),
        kyc_level: 0,
        created_at_us: 1,
    }
}

fn doc(id: &str, user_id: &str, created_at_us: i64) -> IdentityDocumentRecord {
    IdentityDocumentRecord {
        id: id.to_owned(),
        user_id: user_id.to_owned(),
        kind: "passport".to_owned(),
        content_type: "image/png".to_owned(),
        size_bytes: 1234,
        sha256: "ab".repeat(32),
        storage_key: format!("key{id}"),
        status: "pending_review".to_owned(),
        review_reason: None,
        reviewer_id: None,
        created_at_us,
        reviewed_at_us: None,
    }
}

fn mail(id: &str) -> OutboxMail {
    OutboxMail {
        id: id.to_owned(),
        to: "usr_a@example.com".to_owned(),
        kind: "identity_document_approved".to_owned(),
        subject: "s".to_owned(),
        text: "t".to_owned(),
        html: "h".to_owned(),
        attempts: 0,
        created_at_us: 10,
    }
}

fn event(action: &str) -> AuditRecord {
    AuditRecord {
        id: 0,
        at_us: 500,
        actor: "usr_staff".to_owned(),
        subject: Some("usr_a".to_owned()),
        action: action.to_owned(),
        outcome: "success".to_owned(),
        ip: "203.0.113.9".to_owned(),
        user_agent: "agent-console".to_owned(),
        reason: Some("matches the selfie".to_owned()),
        session_id: Some("ses_s".to_owned()),
    }
}

fn about(subject: &str) -> AuditQuery<'_> {
    AuditQuery { actor: None, subject: Some(subject), before_id: None, limit: 10 }
}

fn review<'a>(id: &'a str, status: &'a str, mail: &'a OutboxMail, audit: &'a AuditRecord) -> DocumentReview<'a> {
    DocumentReview {
        document_id: id,
        status,
        reviewer_id: "usr_staff",
        reason: "matches the selfie",
        at_us: 500,
        raise_kyc_level_to: (status == "approved").then_some(1),
        mail,
        audit,
    }
}

async fn documents_page_newest_first_per_owner(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let s = &books.stores.app;
    for u in ["usr_a", "usr_b"] {
        assert!(s.insert_user(&user(u)).await?);
    }
    // Two documents share a timestamp: the id breaks the tie.
    for (id, at) in [("idv_1", 10), ("idv_2", 20), ("idv_3", 20), ("idv_4", 30)] {
        s.insert_identity_document(&doc(id, "usr_a", at)).await?;
    }
    s.insert_identity_document(&doc("idv_9", "usr_b", 40)).await?;
    assert_eq!(s.identity_document("idv_2").await?, Some(doc("idv_2", "usr_a", 20)));
    assert_eq!(s.identity_document("idv_nope").await?, None);
    let ids = |v: Vec<IdentityDocumentRecord>| v.into_iter().map(|d| d.id).collect::<Vec<_>>();
    assert_eq!(ids(s.identity_documents_of("usr_a", None, 3).await?), ["idv_4", "idv_3", "idv_2"]);
    assert_eq!(ids(s.identity_documents_of("usr_a", Some("idv_3"), 10).await?), ["idv_2", "idv_1"]);
    assert!(s.identity_documents_of("usr_a", Some("idv_9"), 10).await?.is_empty(), "another owner's cursor");
    assert_eq!(ids(s.identity_documents_of("usr_b", None, 10).await?), ["idv_9"]);
    Ok(())
}

async fn a_review_writes_everything_once(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let s = &books.stores.app;
    for u in ["usr_a", "usr_staff"] {
        assert!(s.insert_user(&user(u)).await?);
    }
    s.insert_identity_document(&doc("idv_1", "usr_a", 10)).await?;
    s.insert_identity_document(&doc("idv_2", "usr_a", 20)).await?;
    let (m1, e1) = (mail("mail_1"), event("identity_document_approved"));
    let done = s.review_identity_document(&review("idv_1", "approved", &m1, &e1)).await?.ok_or("reviewed")?;
    assert_eq!((done.status.as_str(), done.reviewer_id.as_deref()), ("approved", Some("usr_staff")));
    assert_eq!((done.review_reason.as_deref(), done.reviewed_at_us), (Some("matches the selfie"), Some(500)));
    assert_eq!(s.identity_document("idv_1").await?, Some(done));
    assert_eq!(s.user_by_id("usr_a").await?.ok_or("user")?.kyc_level, 1);
    assert_eq!(s.mail_counts().await?.pending, 1);
    let trail = s.audit_log(&about("usr_a")).await?;
    assert_eq!(trail.len(), 1);
    assert_eq!(AuditRecord { id: 0, ..trail[0].clone() }, e1);

    // A second review of the same document writes nothing at all.
    let (m2, e2) = (mail("mail_2"), event("identity_document_rejected"));
    assert_eq!(s.review_identity_document(&review("idv_1", "rejected", &m2, &e2)).await?, None);
    assert_eq!(s.review_identity_document(&review("idv_404", "rejected", &m2, &e2)).await?, None);
    assert_eq!(s.identity_document("idv_1").await?.ok_or("doc")?.status, "approved");
    assert_eq!(s.mail_counts().await?.pending, 1);
    assert_eq!(s.audit_log(&about("usr_a")).await?.len(), 1);

    // A rejection never lowers the level.
    let done = s.review_identity_document(&review("idv_2", "rejected", &m2, &e2)).await?.ok_or("reviewed")?;
    assert_eq!(done.status, "rejected");
    assert_eq!(s.user_by_id("usr_a").await?.ok_or("user")?.kyc_level, 1);
    assert_eq!(s.mail_counts().await?.pending, 2);
    Ok(())
}

async fn impossible_rows_are_refused(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let s = &books.stores.app;
    assert!(s.insert_user(&user("usr_a")).await?);
    let bad = [
        IdentityDocumentRecord { kind: "selfie".into(), ..doc("idv_1", "usr_a", 1) },
        IdentityDocumentRecord { content_type: "text/html".into(), ..doc("idv_2", "usr_a", 1) },
        IdentityDocumentRecord { user_id: "usr_ghost".into(), ..doc("idv_3", "usr_a", 1) },
        IdentityDocumentRecord { status: "approved".into(), ..doc("idv_4", "usr_a", 1) },
        IdentityDocumentRecord { size_bytes: 0, ..doc("idv_5", "usr_a", 1) },
    ];
    for d in &bad {
        assert!(s.insert_identity_document(d).await.is_err(), "{d:?}");
    }
    s.insert_identity_document(&doc("idv_6", "usr_a", 1)).await?;
    let same_key = IdentityDocumentRecord { storage_key: "keyidv_6".into(), ..doc("idv_7", "usr_a", 1) };
    assert!(s.insert_identity_document(&same_key).await.is_err(), "one file, one row");
    assert_eq!(s.identity_documents_of("usr_a", None, 10).await?.len(), 1);
    Ok(())
}
