//! The audit trail.

use okpay_app::ports::{AuditQuery, AuditRecord};
use okpay_store::testing::TestBackend;

use crate::common::{Books, TestResult, contract};

contract!(audit_trail_pages_newest_first);

fn about(subject: &str, before_id: Option<i64>, limit: u32) -> AuditQuery<'_> {
    AuditQuery { actor: None, subject: Some(subject), before_id, limit }
}

fn event(n: i64, subject: Option<&str>) -> AuditRecord {
    AuditRecord {
        id: 0,
        at_us: 1_000 + n,
        actor: "usr_staff".into(),
        subject: subject.map(str::to_owned),
        action: format!("action_{n}"),
        outcome: if n % 2 == 0 { "success" } else { "failure" }.into(),
        ip: "203.0.113.7".into(),
        user_agent: "test".into(),
        reason: (n == 3).then(|| "suspicious".to_owned()),
        session_id: Some("ses_1".into()),
    }
}

async fn audit_trail_pages_newest_first(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let app = &books.stores.app;
    for n in 0..5 {
        app.record_audit(&event(n, Some("usr_a"))).await?;
    }
    app.record_audit(&event(9, None)).await?;
    app.record_audit(&event(8, Some("usr_b"))).await?;
    let page = app.audit_log(&about("usr_a", None, 3)).await?;
    let actions: Vec<&str> = page.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["action_4", "action_3", "action_2"]);
    assert_eq!(page[1].reason.as_deref(), Some("suspicious"));
    assert_eq!(page[1].outcome, "failure");
    assert_eq!(AuditRecord { id: 0, ..page[0].clone() }, event(4, Some("usr_a")));
    let rest = app.audit_log(&about("usr_a", Some(page[2].id), 10)).await?;
    let actions: Vec<&str> = rest.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["action_1", "action_0"]);
    assert_eq!(app.audit_log(&about("usr_b", None, 10)).await?.len(), 1);
    // By actor: everything usr_staff did, the event without a subject included.
    let mut other = event(7, Some("usr_a"));
    other.actor = "system".into();
    app.record_audit(&other).await?;
    let by_staff =
        app.audit_log(&AuditQuery { actor: Some("usr_staff"), subject: None, before_id: None, limit: 100 }).await?;
    assert_eq!(by_staff.len(), 7);
    assert!(by_staff.iter().any(|e| e.subject.is_none()));
    let both = AuditQuery { actor: Some("system"), subject: Some("usr_a"), before_id: None, limit: 100 };
    let system_on_a: Vec<String> = app.audit_log(&both).await?.into_iter().map(|e| e.action).collect();
    assert_eq!(system_on_a, ["action_7"]);
    let everything = AuditQuery { actor: None, subject: None, before_id: None, limit: 100 };
    assert_eq!(app.audit_log(&everything).await?.len(), 8);
    Ok(())
}
