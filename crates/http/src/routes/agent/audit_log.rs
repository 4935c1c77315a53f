//! `GET /v1/agent/audit-log?actor=&subject=`: the security audit trail, for staff.

use axum::Json;
use axum::extract::State;
use okpay_app::ports::AuditRecord;
use okpay_app::{AppError, Code};
use okpay_domain::time::rfc3339;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiError;
use crate::extract::query::Pagination;
use crate::extract::{Auth, QueryParams};
use crate::state::AppState;
use crate::views::List;

/// The id prefix of audit events.
const PREFIX: &str = "aud_";

/// Filters of the audit log.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditFilter {
    /// Only events by this actor (`usr_...` or `system`).
    pub actor: Option<String>,
    /// Only events about this account (`usr_...`).
    pub subject: Option<String>,
    /// Rows per page, 1–100 (default 20).
    pub limit: Option<i64>,
    /// Continue after this event (`aud_...`).
    pub starting_after: Option<String>,
}

/// One security event.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventView {
    /// `aud_...`, in recording order.
    pub id: String,
    /// Always `audit_event`.
    pub object: &'static str,
    /// RFC 3339.
    pub at: String,
    /// Who acted: `usr_...` or `system`.
    pub actor: String,
    /// The account acted on.
    pub subject: Option<String>,
    /// What happened (`sign_in`, `account_frozen`, ...).
    pub action: String,
    /// `success` or `failure`.
    pub outcome: String,
    /// Client IP.
    pub ip: String,
    /// Client User-Agent.
    pub user_agent: String,
    /// Why (a failure's reason, a staff member's note).
    pub reason: Option<String>,
}

impl From<AuditRecord> for AuditEventView {
    fn from(e: AuditRecord) -> Self {
        AuditEventView {
            id: format!("{PREFIX}{}", e.id),
            object: "audit_event",
            at: rfc3339(e.at_us),
            actor: e.actor,
            subject: e.subject,
            action: e.action,
            outcome: e.outcome,
            ip: e.ip,
            user_agent: e.user_agent,
            reason: e.reason,
        }
    }
}

/// Lists audit events, newest first.
#[utoipa::path(get, path = "/v1/agent/audit-log", tag = "agent", params(AuditFilter),
    responses((status = 200, body = List<AuditEventView>), (status = 403, description = "permission_denied")))]
pub async fn audit_log(
    State(state): State<AppState>,
    Auth(caller): Auth,
    QueryParams(q): QueryParams<AuditFilter>,
) -> Result<Json<List<AuditEventView>>, ApiError> {
    let limit = Pagination { limit: q.limit, starting_after: None }.limit()?;
    let before_id = match q.starting_after.as_deref() {
        None => None,
        Some(id) => Some(
            id.strip_prefix(PREFIX)
                .and_then(|n| n.parse::<i64>().ok())
                .ok_or_else(|| AppError::new(Code::ParameterInvalid).param("starting_after"))?,
        ),
    };
    let (events, has_more) =
        state.app.audit_log(&caller, q.actor.as_deref(), q.subject.as_deref(), before_id, limit).await?;
    Ok(Json(List::new(events.into_iter().map(AuditEventView::from).collect(), has_more)))
}
