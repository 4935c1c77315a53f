//! `POST /v1/me/closure-requests`: ask staff to close the caller's account.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

use super::ClosureRequestView;
use crate::error::ApiError;
use crate::extract::{Auth, JsonBody};
use crate::state::AppState;

/// The request body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateClosureRequest {
    /// Why the customer leaves (up to 1,000 characters; may be empty).
    pub reason: String,
    /// Must be `true`: the customer accepts the closure terms.
    pub accept_terms: bool,
}

/// Asks for the account to be closed. Refused with `closure_blocked` (listing each balance
/// and pending transaction in `blockers`) while money is in the account or on its way.
#[utoipa::path(post, path = "/v1/me/closure-requests", tag = "identity", request_body = CreateClosureRequest,
    responses((status = 201, body = ClosureRequestView), (status = 400, description = "terms_not_accepted, parameter_invalid (reason)"),
        (status = 409, description = "closure_blocked, closure_already_requested")))]
pub async fn create_closure_request(
    State(state): State<AppState>,
    Auth(caller): Auth,
    JsonBody(body): JsonBody<CreateClosureRequest>,
) -> Result<(StatusCode, Json<ClosureRequestView>), ApiError> {
    let record = state.app.request_closure(&caller, &body.reason, body.accept_terms).await?;
    Ok((StatusCode::CREATED, Json(record.into())))
}
