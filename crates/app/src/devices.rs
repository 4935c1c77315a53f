//! The signed-in devices of a user: list them, sign one out, sign out everywhere else, or
//! sign out here.

use okpay_domain::time::now_us;

use crate::audit::Event;
use crate::error::{AppError, Code};
use crate::ports::SessionRecord;
use crate::sessions::Client;
use crate::{App, Caller};

/// Most sessions listed (newest activity first); older ones still work and can be revoked.
pub const MAX_LISTED: u32 = 100;

/// One live session as its owner sees it.
#[derive(Debug, Clone)]
pub struct Device {
    /// The session (never its token).
    pub session: SessionRecord,
    /// Whether it is the session making this request.
    pub current: bool,
}

impl App {
    /// The caller's live sessions: not revoked, not past their absolute or idle expiry.
    pub async fn list_sessions(&self, caller: &Caller) -> Result<Vec<Device>, AppError> {
        let now = now_us();
        let sessions = self.store.live_sessions(caller.id(), now, MAX_LISTED).await?;
        Ok(sessions
            .into_iter()
            .filter(|s| now - s.last_seen_us <= self.config.session_idle_timeout_us || s.id == caller.session_id)
            .map(|session| Device { current: session.id == caller.session_id, session })
            .collect())
    }

    /// Ends one of the caller's sessions; its token stops working at once. Another user's
    /// session, or one already ended, is `resource_missing`.
    pub async fn revoke_session(&self, caller: &Caller, session_id: &str) -> Result<(), AppError> {
        if self.store.revoke_session(caller.id(), session_id).await? {
            Ok(())
        } else {
            Err(AppError::new(Code::ResourceMissing).param("id"))
        }
    }

    /// "Sign out everywhere else": ends every session of the caller but the one making the
    /// request; returns how many ended. Audited.
    pub async fn revoke_other_sessions(&self, caller: &Caller, client: &Client) -> Result<u64, AppError> {
        let ended = self.store.revoke_other_sessions(caller.id(), &caller.session_id).await?;
        let reason = format!("{ended} other sessions ended");
        self.audit(Event { client: Some(client), reason: Some(&reason), ..Event::by(caller, "sessions_revoked") })
            .await?;
        Ok(ended)
    }
}
