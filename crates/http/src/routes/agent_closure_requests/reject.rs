//! `POST /v1/agent/closure-requests/{id}/reject`: keep the account open.

use axum::Json;
use axum::extract::{Path, State};

use super::Decision;
use crate::error::ApiError;
use crate::extract::{Auth, JsonBody};
use crate::routes::closure_requests::ClosureRequestView;
use crate::state::AppState;

/// Rejects a pending request; the reason is mailed to the owner and the account is unchanged.
#[utoipa::path(post, path = "/v1/agent/closure-requests/{id}/reject", tag = "agent", request_body = Decision,
    params(("id" = String, Path, description = "`clr_...`")),
    responses((status = 200, body = ClosureRequestView), (status = 403, description = "permission_denied"),
        (status = 404, description = "resource_missing"), (status = 409, description = "closure_not_pending")))]
pub async fn reject_closure_request(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Decision>,
) -> Result<Json<ClosureRequestView>, ApiError> {
    let record = state.app.reject_closure(&caller, &id, &body.reason).await?;
    Ok(Json(record.into()))
}
