//! `POST /v1/agent/closure-requests/{id}/approve` and `/reject`: staff decide on a customer's
//! request to close their account (one use case, two verbs, like `users_status.rs`).

use axum::Json;
use axum::extract::{Path, State};
use okpay_app::closure_review::Decision;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::extract::{Auth, ClientInfo, JsonBody};
use crate::routes::closure_requests::ClosureRequestView;
use crate::state::AppState;

/// Why staff decide so (kept in the audit trail; a rejection's reason is mailed to the owner).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClosureDecision {
    /// Free text, 1–1,000 characters.
    pub reason: Option<String>,
}

/// Approves a pending request: the account is closed, every session ends, personal data is
/// erased and the owner is mailed; refused with `closure_blocked` if money arrived meanwhile.
#[utoipa::path(post, path = "/v1/agent/closure-requests/{id}/approve", tag = "agent", request_body = ClosureDecision,
    params(("id" = String, Path, description = "`clr_...`")),
    responses((status = 200, body = ClosureRequestView), (status = 403, description = "permission_denied"),
        (status = 404, description = "resource_missing"),
        (status = 409, description = "closure_blocked, closure_not_pending, account_status_conflict")))]
pub async fn approve_closure_request(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ClientInfo(client): ClientInfo,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ClosureDecision>,
) -> Result<Json<ClosureRequestView>, ApiError> {
    let record = state.app.decide_closure(&caller, &id, Decision::Approve, body.reason.as_deref(), &client).await?;
    Ok(Json(record.into()))
}

/// Rejects a pending request; the reason is mailed to the owner and the account is unchanged.
#[utoipa::path(post, path = "/v1/agent/closure-requests/{id}/reject", tag = "agent", request_body = ClosureDecision,
    params(("id" = String, Path, description = "`clr_...`")),
    responses((status = 200, body = ClosureRequestView), (status = 403, description = "permission_denied"),
        (status = 404, description = "resource_missing"), (status = 409, description = "closure_not_pending")))]
pub async fn reject_closure_request(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ClientInfo(client): ClientInfo,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ClosureDecision>,
) -> Result<Json<ClosureRequestView>, ApiError> {
    let record = state.app.decide_closure(&caller, &id, Decision::Reject, body.reason.as_deref(), &client).await?;
    Ok(Json(record.into()))
}
