//! `POST /v1/agent/closure-requests/{id}/approve`: close the account.

use axum::Json;
use axum::extract::{Path, State};

use super::Decision;
use crate::error::ApiError;
use crate::extract::{Auth, JsonBody};
use crate::routes::closure_requests::ClosureRequestView;
use crate::state::AppState;

/// Approves a pending request: the account is closed, every session ends, personal data is
/// erased and the owner is mailed; refused with `closure_blocked` if money arrived meanwhile.
#[utoipa::path(post, path = "/v1/agent/closure-requests/{id}/approve", tag = "agent", request_body = Decision,
    params(("id" = String, Path, description = "`clr_...`")),
    responses((status = 200, body = ClosureRequestView), (status = 403, description = "permission_denied"),
        (status = 404, description = "resource_missing"), (status = 409, description = "closure_blocked, closure_not_pending")))]
pub async fn approve_closure_request(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Decision>,
) -> Result<Json<ClosureRequestView>, ApiError> {
    let record = state.app.approve_closure(&caller, &id, &body.reason).await?;
    Ok(Json(record.into()))
}
