//! The security audit trail: every sign-in, failure and security change, with who, what,
//! when, from where and why. Recording is part of the action: if the event cannot be stored,
//! the action reports an error rather than happening unaudited.

use okpay_domain::time::now_us;

use crate::error::{AppError, Code};
use crate::ports::{AuditQuery, AuditRecord};
use crate::sessions::Client;
use crate::{App, Caller};

/// Most events returned per page.
pub const MAX_PAGE: u32 = 100;

/// The actor of events no person caused (expiry, risk rules) or before anyone is known.
pub const SYSTEM: &str = "system";

/// A security event about to be recorded.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    /// Who acted (`usr_...`), or [`SYSTEM`].
    pub actor: &'a str,
    /// The account acted on.
    pub subject: Option<&'a str>,
    /// What happened.
    pub action: &'static str,
    /// Whether it succeeded.
    pub success: bool,
    /// Where the request came from.
    pub client: Option<&'a Client>,
    /// Why (failure reason or staff note).
    pub reason: Option<&'a str>,
    /// The actor's session.
    pub session_id: Option<&'a str>,
}

impl<'a> Event<'a> {
    /// The owner of `user_id` acting on their own account without a session (an emailed link).
    pub fn own(user_id: &'a str, action: &'static str) -> Event<'a> {
        Event {
            actor: user_id,
            subject: Some(user_id),
            action,
            success: true,
            client: None,
            reason: None,
            session_id: None,
        }
    }

    /// A user acting on their own account through a session.
    pub fn by(caller: &'a Caller, action: &'static str) -> Event<'a> {
        Event {
            actor: caller.id(),
            subject: Some(caller.id()),
            action,
            success: true,
            client: None,
            reason: None,
            session_id: Some(&caller.session_id),
        }
    }
}

/// The row of an event happening now. Use it to write the event inside the transaction of
/// the action it records (see `IdentityDocumentStore::review_identity_document`).
pub fn record(e: &Event<'_>) -> AuditRecord {
    AuditRecord {
        id: 0,
        at_us: now_us(),
        actor: e.actor.to_owned(),
        subject: e.subject.map(str::to_owned),
        action: e.action.to_owned(),
        outcome: if e.success { "success" } else { "failure" }.to_owned(),
        ip: e.client.map(|c| c.ip.clone()).unwrap_or_default(),
        user_agent: e.client.map(|c| c.user_agent.clone()).unwrap_or_default(),
        reason: e.reason.map(|r| r.chars().take(1_000).collect()),
        session_id: e.session_id.map(str::to_owned),
    }
}

impl App {
    /// Appends an event to the audit trail.
    pub async fn audit(&self, e: Event<'_>) -> Result<(), AppError> {
        self.store.record_audit(&record(&e)).await?;
        Ok(())
    }

    /// `GET /v1/agent/audit-log`: events by `actor` and/or about `subject`, newest first,
    /// older than `before_id`; staff only. Returns at most `limit` events and whether more follow.
    pub async fn audit_log(
        &self,
        staff: &Caller,
        actor: Option<&str>,
        subject: Option<&str>,
        before_id: Option<i64>,
        limit: u32,
    ) -> Result<(Vec<AuditRecord>, bool), AppError> {
        staff.require_staff()?;
        if !(1..=MAX_PAGE).contains(&limit) {
            return Err(AppError::new(Code::ParameterInvalid).param("limit"));
        }
        let query = AuditQuery { actor, subject, before_id, limit: limit.saturating_add(1) };
        let mut events = self.store.audit_log(&query).await?;
        let has_more = events.len() > limit as usize;
        events.truncate(limit as usize);
        Ok((events, has_more))
    }
}
